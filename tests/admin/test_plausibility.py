"""Admin forms refuse figures and dates no one can mean (readiness/posts/limits.py): the
field is named, the message says why, nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.indicators.models import Indicator
from readiness.posts.models import ExitRoute
from readiness.rosters.models import Community, School, StaffMember
from tests.factories import IndicatorFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    return PostFactory(code="ML-BKO")


def route_form(post, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "post": post.pk,
        "key": "air",
        "mode": "commercial_air",
        "from_place": "Bamako-Senou",
        "to_place": "Paris",
        "status": "open",
        "seats_per_day": "80",
        "lead_time_hours": "0",
        "closes_at_threat": "85",
        "usable_from": "",
        "verified_at_0": "",
        "verified_at_1": "",
        "notes": "",
        **fields,
    }


def staff_form(post, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "post": post.pk,
        "name": "Expatriates, non-essential",
        "role": "",
        "category": "expatriate",
        "headcount": "30",
        "dependants": "20",
        "email": "",
        "phone": "",
        "present": "on",
        "last_confirmed_at_0": "",
        "last_confirmed_at_1": "",
        **fields,
    }


def school_form(post, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "post": post.pk,
        "name": "Lycée Liberté",
        "pupils": "900",
        "expatriate_staff": "40",
        "is_open": "on",
        **fields,
    }


def community_form(post, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "post": post.pk,
        "registered": "4000",
        "dual_nationals": "2800",
        "unregistered_estimate": "300",
        **fields,
    }


def refused(response, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, "the form is shown again"
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert words in " ".join(errors[field])


def test_a_route_above_the_seat_ceiling_is_refused(admin_client, post):  # type: ignore[no-untyped-def]
    url = reverse("admin:posts_exitroute_add")
    response = admin_client.post(url, route_form(post, seats_per_day="25000"))
    refused(response, "seats_per_day", "25000 seats a day is more than any route carries")
    assert not ExitRoute.objects.exists()
    assert admin_client.post(url, route_form(post, seats_per_day="20000")).status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"headcount": "3000"}, "headcount", "3000 people in one staff row"),
        ({"dependants": "6000"}, "dependants", "6000 dependants"),
    ],
)
def test_a_staff_row_above_a_ceiling_is_refused(admin_client, post, fields, field, words):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("admin:rosters_staffmember_add"), staff_form(post, **fields)
    )
    refused(response, field, words)
    assert not StaffMember.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"pupils": "40000"}, "pupils", "40000 pupils"),
        ({"expatriate_staff": "4000"}, "expatriate_staff", "4000 expatriate staff"),
    ],
)
def test_a_school_above_a_ceiling_is_refused(admin_client, post, fields, field, words):  # type: ignore[no-untyped-def]
    response = admin_client.post(reverse("admin:rosters_school_add"), school_form(post, **fields))
    refused(response, field, words)
    assert not School.objects.exists()


@pytest.mark.parametrize("field", ["registered", "unregistered_estimate"])
def test_a_community_above_the_ceiling_is_refused(admin_client, post, field):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("admin:rosters_community_add"), community_form(post, **{field: "40000000"})
    )
    refused(response, field, "40000000 citizens at one post is implausible")
    assert not Community.objects.exists()


def test_plausible_rosters_are_saved(admin_client, post):  # type: ignore[no-untyped-def]
    for name, form in (
        ("staffmember", staff_form(post, headcount="2000", dependants="5000")),
        ("school", school_form(post, pupils="10000", expatriate_staff="1000")),
        ("community", community_form(post, registered="2000000")),
    ):
        response = admin_client.post(reverse(f"admin:rosters_{name}_add"), form)
        assert response.status_code == 302, response.context["adminform"].form.errors


def indicator_form(post, observed: dt.datetime, **fields: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    local = timezone.localtime(observed)
    return {
        "post": post.pk,
        "category": "incident",
        "severity": "3",
        "reliability": "B",
        "credibility": "2",
        "source": "Post security officer",
        "text": "Checkpoint attacked",
        "observed_at_0": local.strftime("%Y-%m-%d"),
        "observed_at_1": local.strftime("%H:%M:%S"),
        "expires_at_0": "",
        "expires_at_1": "",
        "ended_at_0": "",
        "ended_at_1": "",
        "external_id": "",
        "event": "",
        **fields,
    }


def test_an_indicator_observed_more_than_five_years_ago_is_refused(admin_client, post):  # type: ignore[no-untyped-def]
    old = timezone.now() - dt.timedelta(days=6 * 365)
    response = admin_client.post(
        reverse("admin:indicators_indicator_add"), indicator_form(post, old)
    )
    refused(response, "observed_at", "more than five years ago")
    assert not Indicator.objects.exists()


def test_an_old_indicator_can_still_be_corrected_when_its_date_is_kept(admin_client, post):  # type: ignore[no-untyped-def]
    """A stored indicator is evidence: never edited, corrected by a new one that keeps its
    (old) date, which the five-year limit on typed dates does not refuse."""
    old = (timezone.now() - dt.timedelta(days=6 * 365)).replace(microsecond=0)
    indicator = IndicatorFactory(post=post, observed_at=old)  # from a hindcast scenario
    local = timezone.localtime(old)
    response = admin_client.post(
        reverse("admin:indicators_indicator_correct", args=[indicator.pk]),
        {
            **indicator_form(
                post, old, text="Checkpoint attacked (corrected)", event="senou-attack"
            ),
            "observed_at": local.strftime("%Y-%m-%d %H:%M:%S"),
            "reason": "The checkpoint, not the market",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    corrected = Indicator.objects.get(corrects=indicator)
    assert (corrected.text, corrected.event, corrected.observed_at) == (
        "Checkpoint attacked (corrected)",
        "senou-attack",
        old,
    )
    indicator.refresh_from_db()
    assert indicator.text == "Armed clash on the airport road"  # as it was
    assert indicator.withdrawn_at is not None


def test_the_indicator_admin_takes_event_and_de_escalation(admin_client, post):  # type: ignore[no-untyped-def]
    form = indicator_form(
        post, timezone.now() - dt.timedelta(hours=1), event="ceasefire", de_escalation="on"
    )
    assert admin_client.post(reverse("admin:indicators_indicator_add"), form).status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.event, indicator.de_escalation) == ("ceasefire", True)


def test_a_route_lead_time_beyond_a_year_is_refused(admin_client, post):  # type: ignore[no-untyped-def]
    url = reverse("admin:posts_exitroute_add")
    response = admin_client.post(url, route_form(post, lead_time_hours="1e300"))
    refused(response, "lead_time_hours", "hours before the first departure is more than any plan")
    assert not ExitRoute.objects.exists()
    assert admin_client.post(url, route_form(post, lead_time_hours="8760")).status_code == 302
