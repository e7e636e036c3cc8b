"""Property-based fuzzing of the dashboard's forms (issue 9): the indicator, the decision,
the route check, the staff confirmation and the checklist tick. Whatever is typed, the answer
is never a 5xx, and a refusal changes nothing (no row added, the checked or confirmed row
as it was)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from readiness.posts.models import ActionItem, ExitRoute, Post
from readiness.rosters.models import StaffMember
from tests.dashboard.conftest import populate_post
from tests.factories import UserFactory

from .fuzz import FUZZ, row_counts

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# What a browser can send: any character but lone surrogates (UTF-8 cannot carry them).
TYPED = st.text(st.characters(codec="utf-8"), max_size=40)
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["1e999", "NaN", "-0", "4.0", "9" * 5000, " 5 ", "0x10"]),
)
LOCAL_DATES = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M")
    ),
    st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01T00:00", ""]),
)


def anything(*samples: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(samples), TYPED, NUMBERS)


@pytest.fixture
def duty(client: Client) -> Client:
    client.force_login(UserFactory(username="duty", is_staff=True))
    return client


@pytest.fixture
def post(db: None) -> Post:
    # East of UTC: a local date near the limits is out of range in UTC.
    return populate_post(code="KI-CXI", name="Kiritimati", timezone="Pacific/Kiritimati")


def _refusal_changed_nothing(client: Client, url: str, data: dict[str, str], row: Any) -> None:
    def state() -> tuple[dict[str, int], dict[str, Any] | None]:
        if row is None:
            return row_counts(), None
        row.refresh_from_db()
        return row_counts(), model_to_dict(row)

    before = state()
    response = client.post(url, data, **HTMX)
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert state() == before


def _extra(draw: st.DrawFn, data: dict[str, str]) -> dict[str, str]:
    """The form's fields, now and then one left out, now and then one it does not have."""
    if draw(st.booleans()):
        data[draw(TYPED)] = draw(TYPED)
    return {key: value for key, value in data.items() if draw(st.integers(0, 7))}


@FUZZ
@given(data=st.data())
def test_the_indicator_form(duty: Client, post: Post, data: st.DataObject) -> None:
    fields = {
        "category": data.draw(anything("supply", "incident", "")),
        "severity": data.draw(anything("1", "5", "6")),
        "reliability": data.draw(anything("A", "F", "Z")),
        "credibility": data.draw(anything("1", "6", "7")),
        "source": data.draw(TYPED),
        "text": data.draw(TYPED),
        "observed_at": data.draw(LOCAL_DATES),
        "expires_at": data.draw(LOCAL_DATES),
        "ongoing": data.draw(anything("on", "")),
        "event": data.draw(anything("kayes-road", "a b")),
        "de_escalation": data.draw(anything("on", "")),
    }
    fields = _extra(data.draw, fields)
    url = reverse("dashboard:indicator_create", args=[post.code])
    _refusal_changed_nothing(duty, url, fields, None)


@FUZZ
@given(data=st.data())
def test_the_decision_form(duty: Client, post: Post, data: st.DataObject) -> None:
    newest = str(post.newest_assessment_id or "")
    fields = {
        "to_level": data.draw(anything("0", "1", "2", "4", "-1")),
        "rationale": data.draw(TYPED),
        "assessment": data.draw(anything(newest, "0", "")),
        "against_recommendation_confirmed": data.draw(anything("on", "")),
    }
    fields = _extra(data.draw, fields)
    url = reverse("dashboard:decision_create", args=[post.code])
    _refusal_changed_nothing(duty, url, fields, post)


@FUZZ
@given(data=st.data())
def test_the_route_check_form(duty: Client, post: Post, data: st.DataObject) -> None:
    route = ExitRoute.objects.filter(post=post).first()
    assert route is not None
    prefix = f"route-{route.pk}-"
    fields = {
        prefix + "status": data.draw(anything("open", "closed", "constrained")),
        prefix + "seats_per_day": data.draw(anything("0", "80", "20001")),
        prefix + "note": data.draw(TYPED),
        prefix + "seats_confirmed": data.draw(anything("on", "")),
    }
    fields = _extra(data.draw, fields)
    url = reverse("dashboard:route_check", args=[post.code, route.pk])
    _refusal_changed_nothing(duty, url, fields, route)


@FUZZ
@given(data=st.data())
def test_the_staff_confirmation_form(duty: Client, post: Post, data: st.DataObject) -> None:
    staff = StaffMember.objects.filter(post=post).first()
    assert staff is not None
    prefix = f"staff-{staff.pk}-"
    fields = {
        prefix + "present": data.draw(anything("on", "")),
        prefix + "phone": data.draw(anything("+223 20 22 00 00", "=HYPERLINK(1)")),
        prefix + "email": data.draw(anything("a@example.org", "not-an-email")),
    }
    fields = _extra(data.draw, fields)
    url = reverse("dashboard:staff_confirm", args=[post.code, staff.pk])
    _refusal_changed_nothing(duty, url, fields, staff)


@FUZZ
@given(data=st.data())
def test_the_checklist_tick(duty: Client, post: Post, data: st.DataObject) -> None:
    item = ActionItem.objects.filter(level__post=post).first()
    assert item is not None
    fields = _extra(data.draw, {"ready": data.draw(anything("on", "", "false"))})
    url = reverse("dashboard:action_tick", args=[post.code, item.pk])
    _refusal_changed_nothing(duty, url, fields, item)
