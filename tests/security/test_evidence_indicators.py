"""Indicators are evidence: the admin shows a stored one read-only and deletes none; a
mistake is put right by a correction (a new row that supersedes the original) or a
withdrawal (who, when, why), both shown as such in the admin and on the post page, both
counted by the engine (a superseded or withdrawn indicator no longer weighs), both in the
indicator's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.services import post_rescore
from readiness.engine import contributions_from_dict
from readiness.indicators.corrections import indicator_correct, indicator_withdraw
from readiness.indicators.models import Indicator
from readiness.indicators.services import feed_create
from tests.factories import IndicatorFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(indicator: Indicator) -> str:
    return reverse("admin:indicators_indicator_change", args=[indicator.pk])


@pytest.fixture
def delivered(db):  # type: ignore[no-untyped-def]
    """An indicator a feed delivered."""
    post = PostFactory(code="ZZ-FED")
    feed, _token = feed_create(name="Sahel watch", reliability="B", posts=[post])
    return IndicatorFactory(post=post, feed=feed, external_id="sw-1", severity=4)


def weights(post) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Each indicator's status in a fresh assessment of the post."""
    assessment = post_rescore(post_id=post.pk, now=timezone.now() + dt.timedelta(seconds=2))
    return {int(c["id"]): c["status"] for c in contributions_from_dict(assessment.explanation)}


# --- The admin ----------------------------------------------------------------------------


def test_the_admin_cannot_change_a_stored_indicator(admin_client, delivered):  # type: ignore[no-untyped-def]
    page = admin_client.get(change_url(delivered))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="severity"' not in html and 'name="text"' not in html, "read-only"
    assert 'name="_save"' not in html
    response = admin_client.post(
        change_url(delivered),
        {"post": delivered.post_id, "category": "incident", "severity": "1", "reliability": "A",
         "credibility": "1", "source": "forged", "text": "forged", "observed_at_0": "2025-11-07",
         "observed_at_1": "10:00:00", "external_id": "sw-1"},
    )  # fmt: skip
    assert response.status_code == 403
    delivered.refresh_from_db()
    assert (delivered.severity, delivered.text) == (4, "Armed clash on the airport road")


def test_nobody_deletes_an_indicator_through_the_admin(admin_client, delivered):  # type: ignore[no-untyped-def]
    url = reverse("admin:indicators_indicator_delete", args=[delivered.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:indicators_indicator_changelist")
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [delivered.pk], "post": "yes"}
    )
    assert Indicator.objects.filter(pk=delivered.pk).exists()
    assert "delete_selected" not in admin_client.get(changelist).content.decode()
    assert response.status_code in (200, 302)


def test_a_new_indicator_can_still_be_added_in_the_admin(admin_client, administrator):  # type: ignore[no-untyped-def]
    post = PostFactory()
    local = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    response = admin_client.post(
        reverse("admin:indicators_indicator_add"),
        {"post": post.pk, "category": "incident", "severity": "3", "reliability": "B",
         "credibility": "2", "source": "Post", "text": "Shots near the airport",
         "observed_at_0": local.strftime("%Y-%m-%d"), "observed_at_1": local.strftime("%H:%M:%S"),
         "external_id": "", "event": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert Indicator.objects.get(text="Shots near the airport").recorded_by == administrator


def test_the_admin_withdraws_with_a_reason_shown_as_such(admin_client, administrator, delivered):  # type: ignore[no-untyped-def]
    url = reverse("admin:indicators_indicator_withdraw", args=[delivered.pk])
    empty = admin_client.post(url, {"reason": "  "})
    assert empty.status_code == 422 and "This field is required" in empty.content.decode()
    assert Indicator.objects.get(pk=delivered.pk).withdrawn_at is None
    assert admin_client.post(url, {"reason": "The feed confused two towns"}).status_code == 302
    delivered.refresh_from_db()
    assert delivered.withdrawn_by == administrator
    assert delivered.withdrawal_reason == "The feed confused two towns"
    assert delivered.expires_at == delivered.withdrawn_at  # stops weighing from then
    html = admin_client.get(change_url(delivered)).content.decode()
    assert "The feed confused two towns" in html
    assert "Withdraw</a>" not in html, "a withdrawal is final"
    listing = admin_client.get(reverse("admin:indicators_indicator_changelist")).content.decode()
    assert "withdrawn " in listing
    again = admin_client.post(url, {"reason": "twice"})
    assert again.status_code == 422 and "a withdrawal is final" in again.content.decode()


def test_the_admin_corrects_by_a_new_row_that_supersedes(admin_client, administrator, delivered):  # type: ignore[no-untyped-def]
    url = reverse("admin:indicators_indicator_correct", args=[delivered.pk])
    form = admin_client.get(url).content.decode()
    assert "Armed clash on the airport road" in form, "prefilled with the original"
    local = timezone.localtime(delivered.observed_at)
    data = {"category": "incident", "severity": "2", "reliability": "B", "credibility": "2",
            "source": delivered.source, "text": "Armed clash on the airport road",
            "observed_at": local.strftime("%Y-%m-%d %H:%M:%S"), "expires_at": "",
            "event": "", "reason": "Severity overstated: two shots, nobody hurt"}  # fmt: skip
    nothing = admin_client.post(url, {**data, "severity": "4"})
    assert nothing.status_code == 422 and "changes nothing" in nothing.content.decode()
    assert admin_client.post(url, data).status_code == 302
    corrected = Indicator.objects.get(corrects=delivered)
    assert (corrected.severity, corrected.recorded_by, corrected.feed) == (2, administrator, None)
    delivered.refresh_from_db()
    assert delivered.severity == 4, "the original stays as it was delivered"
    assert delivered.withdrawal_reason.startswith(f"Corrected by indicator #{corrected.pk}")
    html = admin_client.get(change_url(delivered)).content.decode()
    assert f"#{corrected.pk}</a>" in html
    listing = admin_client.get(reverse("admin:indicators_indicator_changelist")).content.decode()
    assert f"superseded by #{corrected.pk}" in listing and f"corrects #{delivered.pk}" in listing


def test_correcting_and_withdrawing_need_the_change_permission(client, delivered):  # type: ignore[no-untyped-def]
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_indicator"))
    client.force_login(viewer)
    assert client.get(change_url(delivered)).status_code == 200
    assert "Withdraw</a>" not in client.get(change_url(delivered)).content.decode()
    for name in ("withdraw", "correct"):
        url = reverse(f"admin:indicators_indicator_{name}", args=[delivered.pk])
        assert client.post(url, {"reason": "x"}).status_code == 403
    assert Indicator.objects.get(pk=delivered.pk).withdrawn_at is None


def test_the_history_keeps_who_did_what(admin_client, administrator, delivered):  # type: ignore[no-untyped-def]
    url = reverse("admin:indicators_indicator_withdraw", args=[delivered.pk])
    admin_client.post(url, {"reason": "Duplicate of another report"})
    records = list(delivered.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].history_user == administrator
    assert records[-1].withdrawal_reason == "Duplicate of another report"
    page = reverse("admin:indicators_indicator_history", args=[delivered.pk])
    assert admin_client.get(page).status_code == 200


# --- The services and the engine ----------------------------------------------------------


def test_a_withdrawn_indicator_no_longer_counts(delivered):  # type: ignore[no-untyped-def]
    other = IndicatorFactory(post=delivered.post)
    assert weights(delivered.post)[delivered.pk] != "expired"
    indicator_withdraw(indicator=delivered, reason="Rumour", user=None)
    statuses = weights(delivered.post)
    assert statuses[delivered.pk] == "expired" and statuses[other.pk] != "expired"


def test_a_superseded_indicator_no_longer_counts_its_correction_does(delivered):  # type: ignore[no-untyped-def]
    corrected = indicator_correct(
        indicator=delivered, reason="Wrong town", user=None, text="In Kati"
    )
    statuses = weights(delivered.post)
    assert statuses[delivered.pk] == "expired"
    assert statuses[corrected.pk] != "expired"


def test_a_correction_is_refused_without_reason_or_for_a_superseded_one(delivered):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        indicator_correct(indicator=delivered, reason="", user=None, severity=2)
    assert "reason" in error.value.message_dict
    corrected = indicator_correct(indicator=delivered, reason="Typo", user=None, severity=2)
    with pytest.raises(ValidationError, match=f"corrected by indicator #{corrected.pk}"):
        indicator_correct(indicator=delivered, reason="Again", user=None, severity=1)
    with pytest.raises(ValidationError):
        indicator_correct(indicator=corrected, reason="x", user=None, post_id=1)
    assert Indicator.objects.count() == 2


def test_a_correction_s_new_date_is_checked_as_any_typed_date(delivered):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        indicator_correct(
            indicator=delivered, reason="Date", user=None,
            observed_at=timezone.now() + dt.timedelta(days=1),
        )  # fmt: skip
    assert "observed_at" in error.value.message_dict
    assert Indicator.objects.filter(corrects=delivered).count() == 0


# --- The post page ------------------------------------------------------------------------


def test_the_timeline_shows_withdrawals_and_corrections_as_such(
    duty_client, delivered, duty_officer
):  # type: ignore[no-untyped-def]
    typed = IndicatorFactory(post=delivered.post, text="Curfew announced")
    indicator_withdraw(indicator=typed, reason="Not confirmed by the ministry", user=duty_officer)
    corrected = indicator_correct(
        indicator=delivered, reason="Wrong town", user=None, text="In Kati"
    )
    post_rescore(post_id=delivered.post_id)
    html = duty_client.get(reverse("dashboard:post", args=[delivered.post.code])).content.decode()
    timeline = html[html.index('id="indicators"') :]
    assert "withdrawn by duty on" in timeline and "Not confirmed by the ministry" in timeline
    assert f"superseded by #{corrected.pk}" in timeline
    assert f"corrects #{delivered.pk}" in timeline
    assert "<del>Curfew announced</del>" in timeline, "the row stays, struck through"


def test_a_post_with_evidence_is_not_deleted_with_it(admin_client, delivered):  # type: ignore[no-untyped-def]
    """Indicators and assessments are PROTECTed: the admin says so instead of deleting
    them with their post (or failing on the database's refusal)."""
    post_rescore(post_id=delivered.post_id)
    url = reverse("admin:posts_post_delete", args=[delivered.post_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Cannot delete post" in page.content.decode()
    admin_client.post(url, {"post": "yes"})
    assert Indicator.objects.filter(pk=delivered.pk).exists()


# --- Withdrawing from the post page -------------------------------------------------------


def withdraw_url(indicator: Indicator) -> str:
    return reverse("dashboard:indicator_withdraw", args=[indicator.post.code, indicator.pk])


def test_a_duty_officer_withdraws_from_the_timeline(duty_client, duty_officer, delivered):  # type: ignore[no-untyped-def]
    from tests.dashboard.conftest import htmx

    html = duty_client.get(reverse("dashboard:post", args=[delivered.post.code])).content.decode()
    assert f'name="withdraw-{delivered.pk}-reason"' in html
    response = duty_client.post(
        withdraw_url(delivered),
        {f"withdraw-{delivered.pk}-reason": "The feed confused Kati and Kita"},
        **htmx("indicators"),
    )
    assert response.status_code == 200
    assert "rescoreQueued" in response["HX-Trigger"]  # queued: a test transaction never commits
    body = response.content.decode()
    assert "withdrawn by duty on" in body and "The feed confused Kati and Kita" in body
    delivered.refresh_from_db()
    assert delivered.withdrawn_by == duty_officer and delivered.expires_at == delivered.withdrawn_at


def test_a_withdrawal_without_a_reason_is_refused_in_place(duty_client, delivered):  # type: ignore[no-untyped-def]
    from tests.dashboard.conftest import htmx

    response = duty_client.post(
        withdraw_url(delivered), {f"withdraw-{delivered.pk}-reason": "  "}, **htmx("indicators")
    )
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert Indicator.objects.get(pk=delivered.pk).withdrawn_at is None


def test_a_post_officer_withdraws_only_what_they_recorded(client, delivered):  # type: ignore[no-untyped-def]
    officer = UserFactory(username="pso")
    delivered.post.security_officers.add(officer)
    own = IndicatorFactory(post=delivered.post, recorded_by=officer, text="Rumour of a curfew")
    client.force_login(officer)
    html = client.get(reverse("dashboard:post", args=[delivered.post.code])).content.decode()
    assert f'name="withdraw-{own.pk}-reason"' in html
    assert f'name="withdraw-{delivered.pk}-reason"' not in html
    refused = client.post(withdraw_url(delivered), {f"withdraw-{delivered.pk}-reason": "x"})
    assert refused.status_code == 403
    assert Indicator.objects.get(pk=delivered.pk).withdrawn_at is None
    done = client.post(withdraw_url(own), {f"withdraw-{own.pk}-reason": "Not confirmed"})
    assert done.status_code == 302
    assert Indicator.objects.get(pk=own.pk).withdrawal_reason == "Not confirmed"


def test_an_outsider_cannot_withdraw(client, delivered):  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(username="outsider"))
    response = client.post(withdraw_url(delivered), {f"withdraw-{delivered.pk}-reason": "x"})
    assert response.status_code == 404
    assert Indicator.objects.get(pk=delivered.pk).withdrawn_at is None
