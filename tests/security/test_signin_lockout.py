"""Password guessing at both sign-in pages is stopped (django-axes), cannot be reset by a
forged X-Forwarded-For, and never locks the real owner out for good."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from readiness.signin import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery"
PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    # Staff, so that the admin's sign-in would take the right password too.
    return UserFactory(username="duty", is_staff=True)


def attempt(client: Client, url: str, password: str, **headers: str) -> int:
    response = client.post(url, {"username": "duty", "password": password}, **headers)
    return response.status_code


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def guess(client: Client, url: str, n: int = 50, **headers: str) -> None:
    for i in range(n):
        attempt(client, url, f"wrong-guess-{i}", **headers)
    assert not signed_in(client)


@pytest.mark.parametrize("url", PAGES)
def test_fifty_wrong_passwords_then_the_right_one_is_refused(officer, url):  # type: ignore[no-untyped-def]
    client = Client()
    guess(client, url)
    assert attempt(client, url, RIGHT) == 429
    assert not signed_in(client)


@pytest.mark.parametrize("url", PAGES)
def test_a_forged_forwarded_for_does_not_reset_the_lockout(officer, url):  # type: ignore[no-untyped-def]
    client = Client()
    guess(client, url, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for forged in ("198.51.100.1", "198.51.100.2, 10.0.0.1", "garbage"):
        assert attempt(client, url, RIGHT, HTTP_X_FORWARDED_FOR=forged) == 429
    assert not signed_in(client)


@pytest.mark.parametrize("url", PAGES)
def test_behind_a_trusted_proxy_a_forged_left_part_does_not_help(officer, url, settings):  # type: ignore[no-untyped-def]
    # One proxy of ours appends the address it received from: "whatever, <client>".
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2")
    guess(client, url, HTTP_X_FORWARDED_FOR="203.0.113.7")
    forged = "198.51.100.9, 203.0.113.7"
    assert attempt(client, url, RIGHT, HTTP_X_FORWARDED_FOR=forged) == 429
    assert not signed_in(client)


@pytest.mark.parametrize("url", PAGES)
def test_after_the_cool_off_the_right_password_works(officer, url, settings):  # type: ignore[no-untyped-def]
    client = Client()
    guess(client, url)
    assert attempt(client, url, RIGHT) == 429
    # Failures during the lockout do not extend it: the pause runs from its start.
    guess(client, url, n=5)
    pause = dt.timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - pause - dt.timedelta(seconds=1))
    assert attempt(client, url, RIGHT) == 302
    assert signed_in(client)


def test_a_lockout_holds_one_username_from_one_address_only(officer):  # type: ignore[no-untyped-def]
    """An attacker guessing from elsewhere cannot lock the duty officer out."""
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    guess(attacker, "/accounts/login/")
    assert attempt(attacker, "/accounts/login/", RIGHT) == 429
    owner = Client(REMOTE_ADDR="192.0.2.10")
    assert attempt(owner, "/accounts/login/", RIGHT) == 302
    assert signed_in(owner)


def test_the_lockout_page_says_what_happened(officer):  # type: ignore[no-untyped-def]
    client = Client()
    guess(client, "/accounts/login/", n=5)
    response = client.post("/accounts/login/", {"username": "duty", "password": RIGHT})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


class _Request:
    def __init__(self, remote: str, forwarded: str | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    "count, remote, forwarded, expected",
    [
        (0, "192.0.2.1", "198.51.100.1", "192.0.2.1"),  # no proxy: the header is ignored
        (1, "10.0.0.2", "198.51.100.1, 192.0.2.1", "192.0.2.1"),  # the proxy's entry
        (2, "10.0.0.2", "6.6.6.6, 192.0.2.1, 10.0.0.1", "192.0.2.1"),
        (1, "10.0.0.2", None, "10.0.0.2"),  # did not come through the proxy
        (2, "10.0.0.2", "192.0.2.1", "10.0.0.2"),  # fewer hops than proxies
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
    ],
)
def test_client_ip_reads_only_what_our_proxies_wrote(settings, count, remote, forwarded, expected):  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_Request(remote, forwarded)) == expected  # type: ignore[arg-type]
