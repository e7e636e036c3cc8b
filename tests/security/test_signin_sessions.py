"""Sessions end after SESSION_IDLE_MINUTES without the user's own requests (the pages'
polls do not count), pages are never stored in a cache, passwords are 12 characters at
least, and the password-reset pages exist only when mail is configured."""

from __future__ import annotations

import importlib
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import clear_url_caches

from readiness.signin import LAST_ACTIVITY
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty_client(db):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="duty", is_staff=True))
    return client


def idle_for(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_ACTIVITY] = time.time() - seconds
    session.save()


def test_a_session_idle_longer_than_the_timeout_is_signed_out(duty_client, settings):  # type: ignore[no-untyped-def]
    duty_client.get("/")
    idle_for(duty_client, settings.SESSION_IDLE_MINUTES * 60 + 5)
    response = duty_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in duty_client.session


def test_an_htmx_request_after_the_timeout_sends_the_whole_page_to_sign_in(duty_client, settings):  # type: ignore[no-untyped-def]
    duty_client.get("/")
    idle_for(duty_client, settings.SESSION_IDLE_MINUTES * 60 + 5)
    response = duty_client.get("/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_the_idle_clock_starts_at_sign_in(duty_client):  # type: ignore[no-untyped-def]
    assert time.time() - duty_client.session[LAST_ACTIVITY] < 60


def test_activity_within_the_timeout_keeps_the_session(duty_client, settings):  # type: ignore[no-untyped-def]
    duty_client.get("/")
    idle_for(duty_client, settings.SESSION_IDLE_MINUTES * 60 - 60)
    assert duty_client.get("/").status_code == 200
    idle_for(duty_client, settings.SESSION_IDLE_MINUTES * 60 - 60)
    assert duty_client.get("/").status_code == 200  # the previous click renewed it


def test_polls_do_not_count_as_activity(duty_client, settings):  # type: ignore[no-untyped-def]
    post = PostFactory()
    duty_client.get("/")
    limit = settings.SESSION_IDLE_MINUTES * 60
    idle_for(duty_client, limit - 60)
    poll = f"/posts/{post.code}/poll/?since=0&pending=0"
    duty_client.get(poll, HTTP_HX_REQUEST="true", HTTP_X_READINESS_BACKGROUND="1")
    last = duty_client.session[LAST_ACTIVITY]
    assert time.time() - last > limit - 70, "the poll did not renew the session"


def test_an_event_stream_does_not_count_as_activity(duty_client, settings):  # type: ignore[no-untyped-def]
    limit = settings.SESSION_IDLE_MINUTES * 60
    idle_for(duty_client, limit - 60)
    duty_client.get("/", HTTP_ACCEPT="text/event-stream")
    assert time.time() - duty_client.session[LAST_ACTIVITY] > limit - 70


@pytest.mark.parametrize("path", ["/", "/brief/", "/admin/", "/admin/rosters/staffmember/", "POST"])
def test_pages_are_never_stored_in_a_cache(admin_client, path):  # type: ignore[no-untyped-def]
    if path == "POST":
        path = f"/posts/{PostFactory().code}/"
    response = admin_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_sign_in_page_is_not_stored_either(client):  # type: ignore[no-untyped-def]
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


@pytest.mark.parametrize("password", ["short-pass1", "elevenchars"])
def test_passwords_shorter_than_12_characters_are_refused(password):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="at least 12"):
        validate_password(password)


def test_a_12_character_password_is_accepted():  # type: ignore[no-untyped-def]
    validate_password("plover-quiet-77")


def test_password_reset_does_not_exist_without_mail(client, settings):  # type: ignore[no-untyped-def]
    assert settings.PASSWORD_RESET_ENABLED is False
    assert client.get("/accounts/password_reset/").status_code == 404
    assert client.get("/accounts/reset/done/").status_code == 404


def test_password_reset_exists_when_mail_is_configured(client, settings):  # type: ignore[no-untyped-def]
    import readiness.urls

    settings.PASSWORD_RESET_ENABLED = True
    try:
        importlib.reload(readiness.urls)
        clear_url_caches()
        assert client.get("/accounts/password_reset/").status_code == 200
    finally:
        settings.PASSWORD_RESET_ENABLED = False
        importlib.reload(readiness.urls)
        clear_url_caches()
