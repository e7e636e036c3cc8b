"""The dashboard's indicator form and the admin's refuse a date that falls outside 1900..2100
once read in the post's (or the admin's) time zone, naming the field (issue 9: a post east
of UTC turned 0001-01-01 into year 0, one west turned 9999-12-31 into year 10000)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from readiness.indicators.models import Indicator
from readiness.posts.models import Post
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

EAST = "Pacific/Kiritimati"  # UTC+14
WEST = "Pacific/Pago_Pago"  # UTC-11


@pytest.fixture
def duty_client(client: Client) -> Client:
    client.force_login(UserFactory(username="duty", is_staff=True))
    return client


def form_data(**changes: str) -> dict[str, str]:
    observed = timezone.now() - dt.timedelta(hours=30)  # yesterday in any zone
    values = {
        "category": "supply",
        "severity": "4",
        "reliability": "B",
        "credibility": "2",
        "source": "Post security officer",
        "text": "Queues at every filling station",
        "observed_at": observed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"),
    }
    values.update(changes)
    return values


def record(client: Client, post: Post, **changes: str) -> Any:
    url = reverse("dashboard:indicator_create", args=[post.code])
    return client.post(url, form_data(**changes), HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(
    ("zone", "field", "typed"),
    [
        (EAST, "observed_at", "0001-01-01T00:00"),
        (EAST, "observed_at", "1900-01-01T10:00"),  # 1899 in UTC
        (WEST, "expires_at", "9999-12-31T23:59"),
        (WEST, "expires_at", "2100-12-31T20:00"),  # 2101 in UTC
        (EAST, "expires_at", "0001-01-01T00:00"),
    ],
)
def test_the_dashboard_form_refuses_a_date_out_of_range_in_the_post_s_zone(
    duty_client: Client, zone: str, field: str, typed: str
) -> None:
    post = PostFactory(code="KI-CXI", timezone=zone)
    response = record(duty_client, post, **{field: typed})
    assert response.status_code == 422, response.content[:500]
    html = response.content.decode()
    assert "1900 to 2100" in html or "five years" in html or "expire after" in html
    assert f'id="id_{field}_error"' in html or "errorlist" in html
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("typed", ["10000-01-01T00:00", "0000-12-31T23:00", "99999-1-1T1:1"])
def test_the_dashboard_form_refuses_dates_python_cannot_read(
    duty_client: Client, typed: str
) -> None:
    post = PostFactory(code="KI-CXI", timezone=EAST)
    response = record(duty_client, post, observed_at=typed)
    assert response.status_code == 422
    assert not Indicator.objects.exists()


def test_the_form_names_the_field_and_the_limit(duty_client: Client) -> None:
    from readiness.dashboard.forms import IndicatorForm

    post = PostFactory(code="KI-CXI", timezone=WEST)
    with timezone.override(post.timezone):
        form = IndicatorForm(
            form_data(expires_at="9999-12-31T23:59"), instance=Indicator(post=post)
        )
        assert not form.is_valid()
    assert "after the year 2100" in form.errors["expires_at"][0]


def test_the_browser_is_told_the_range() -> None:
    from readiness.dashboard.forms import IndicatorForm

    html = str(IndicatorForm()["observed_at"])
    assert 'min="1900-01-01T00:00"' in html and 'max="2100-12-31T23:59"' in html


# --- the admin ----------------------------------------------------------------------------


@pytest.fixture
def staff_admin(client: Client) -> Client:
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("field", "typed"),
    [("observed_at", ("0001-01-01", "00:00")), ("expires_at", ("9999-12-31", "23:59"))],
)
def test_the_admin_indicator_form_refuses_a_date_out_of_range(
    staff_admin: Client, settings: Any, field: str, typed: tuple[str, str]
) -> None:
    settings.TIME_ZONE = EAST if field == "observed_at" else WEST
    post = PostFactory(code="KI-CXI")
    observed = timezone.now() - dt.timedelta(hours=30)
    data = {
        "post": str(post.pk),
        "category": "supply",
        "severity": "4",
        "reliability": "B",
        "credibility": "2",
        "source": "desk",
        "text": "Queues",
        "observed_at_0": observed.strftime("%Y-%m-%d"),
        "observed_at_1": observed.strftime("%H:%M:%S"),
        "event": "",
    }
    data[f"{field}_0"], data[f"{field}_1"] = typed
    response = staff_admin.post(reverse("admin:indicators_indicator_add"), data)
    assert response.status_code == 200, response.status_code
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field], errors
    assert not Indicator.objects.exists()
