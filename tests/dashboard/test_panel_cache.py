"""The post page's cached panels ({% panelcache %}): each visitor gets their own CSRF token
in cached forms, a warm page is the same page with fewer reads, and a change to anything a
panel shows is on the next page (the key names it; nothing waits for the cache to expire)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Assessment
from readiness.dashboard.templatetags.dashboard import CSRF_MARKER
from readiness.posts.models import ActionItem, AlertLevel, ExitRoute
from readiness.rosters.models import StaffMember
from tests.dashboard.conftest import htmx
from tests.factories import DecisionFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:post", args=[post.code])


def page(client, post) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url(post))
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked (they are masked anew on every request)."""
    html = TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)


def test_a_warm_page_is_the_same_page_with_fewer_reads(duty_client, post_a):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as cold:
        first = page(duty_client, post_a)
    with CaptureQueriesContext(connection) as warm:
        second = page(duty_client, post_a)
    assert without_tokens(first) == without_tokens(second)
    # The history chart's read is skipped once its panel is kept.
    assert len(warm) < len(cold)
    assert CSRF_MARKER not in second and "\x00" not in second


def test_cached_forms_carry_each_visitors_own_token(duty_officer, crisis_member, post_a):  # type: ignore[no-untyped-def]
    first = Client(enforce_csrf_checks=True)
    first.force_login(duty_officer)
    page(first, post_a)  # fills the cache with this post's panels
    second = Client(enforce_csrf_checks=True)
    second.force_login(crisis_member)
    html = page(second, post_a)
    tokens = TOKEN.findall(html)
    # Every form of the page (decision, indicator, checklist ticks, withdrawals, route
    # checks, confirmations) has a token, and the token works for this visitor.
    assert len(tokens) >= 5 and all(tokens)
    route = ExitRoute.objects.filter(post=post_a).first()
    response = second.post(
        reverse("dashboard:route_check", args=[post_a.code, route.pk]),
        {
            "csrfmiddlewaretoken": tokens[-1],
            f"route-{route.pk}-status": "closed",
            f"route-{route.pk}-seats_per_day": route.seats_per_day,
            f"route-{route.pk}-note": "checked by phone",
        },
    )
    assert response.status_code in (200, 302)
    assert ExitRoute.objects.get(pk=route.pk).status == "closed"


def test_a_new_or_withdrawn_indicator_is_on_the_next_page(duty_client, post_a):  # type: ignore[no-untyped-def]
    page(duty_client, post_a)
    new = IndicatorFactory(post=post_a, text="Checkpoint moved to the river bridge")
    assert "Checkpoint moved to the river bridge" in page(duty_client, post_a)
    new.withdrawn_at = timezone.now()
    new.withdrawal_reason = "Rumour, denied by the police"
    new.save()
    assert "Rumour, denied by the police" in page(duty_client, post_a)


def test_a_route_check_and_a_confirmation_are_on_the_next_page(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    duty_officer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    page(duty_client, post_a)
    route = ExitRoute.objects.filter(post=post_a).first()
    ExitRoute.objects.filter(pk=route.pk).update(notes="Ferry suspended until Monday")
    staff = StaffMember.objects.filter(post=post_a).first()
    StaffMember.objects.filter(pk=staff.pk).update(name="Aminata Traoré-Kone")
    html = page(duty_client, post_a)
    assert "Ferry suspended until Monday" in html
    assert "Aminata Traoré-Kone" in html


def test_a_tick_a_decision_and_a_renamed_level_are_on_the_next_page(duty_client, post_a):  # type: ignore[no-untyped-def]
    page(duty_client, post_a)
    item = ActionItem.objects.filter(level__post=post_a, level__rank=post_a.level).first()
    if item is None:
        level = AlertLevel.objects.get(post=post_a, rank=post_a.level)
        item = ActionItem.objects.create(level=level, order=1, text="Count the passports")
        page(duty_client, post_a)
    ActionItem.objects.filter(pk=item.pk).update(ready_at=timezone.now())
    assert "Untick" in page(duty_client, post_a)

    assessment = Assessment.objects.filter(post=post_a).latest()
    DecisionFactory(
        post=post_a,
        assessment=assessment,
        rationale="Families to leave on the Tuesday flight",
        decided_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert "Families to leave on the Tuesday flight" in page(duty_client, post_a)

    AlertLevel.objects.filter(post=post_a, rank=post_a.level).update(name="Vigilance renforcée")
    html = page(duty_client, post_a)
    assert html.count("Vigilance renforcée") >= 2  # the checklist and the decision form


def test_a_form_with_errors_is_never_kept(duty_client, post_a):  # type: ignore[no-untyped-def]
    page(duty_client, post_a)
    response = duty_client.post(
        reverse("dashboard:indicator_create", args=[post_a.code]),
        {"category": "security", "severity": "9", "text": ""},
        **htmx("record-indicator"),
    )
    assert response.status_code == 422
    assert 'class="field has-error"' in response.content.decode()
    assert "has-error" not in page(duty_client, post_a)


def test_who_may_withdraw_is_part_of_the_timelines_key(duty_officer, post_officer, post_a):  # type: ignore[no-untyped-def]
    # A duty officer may withdraw any indicator; a post officer only their own (none here).
    duty, officer = Client(), Client()
    duty.force_login(duty_officer)
    officer.force_login(post_officer)
    assert 'class="withdraw"' in page(duty, post_a)
    assert 'class="withdraw"' not in page(officer, post_a)


def test_the_whole_page_is_kept_but_a_renamed_post_or_a_new_minute_shows(duty_client, post_a):  # type: ignore[no-untyped-def]
    # The page as a whole is a cached panel too (PostPage.page_key, made of the panels' keys
    # and what the head and gauge show besides): the post's own row is in it.
    page(duty_client, post_a)
    type(post_a).objects.filter(pk=post_a.pk).update(name="Alpha Renamed", city="Ségou")
    html = page(duty_client, post_a)
    assert "Alpha Renamed" in html and "Ségou" in html


def gauge_of(html: str) -> str:
    return html.split('id="gauge"')[1].split("</section>")[0]


def test_a_page_drawn_anew_around_kept_panels_does_not_read_the_explanation(
    duty_client, post_a, monkeypatch
):  # type: ignore[no-untyped-def]
    # The explanation, the page's largest read, is read only for a panel drawn anew: a new
    # staff name redraws the page around the kept gauge, charts and reasons without it.
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # one minute: the charts stay kept
    first = page(duty_client, post_a)
    staff = StaffMember.objects.filter(post=post_a, present=True).first()
    StaffMember.objects.filter(pk=staff.pk).update(present=False)
    with CaptureQueriesContext(connection) as queries:
        again = page(duty_client, post_a)
    assert without_tokens(again) != without_tokens(first)  # drawn anew: the roster's counts
    assert not [q for q in queries if '"explanation"' in q["sql"]]
    assert gauge_of(again) == gauge_of(first) and "gauge-sentence" in gauge_of(again)

    # The gauge names the levels as they are now.
    AlertLevel.objects.filter(post=post_a, rank=post_a.level).update(name="Vigilance renforcée")
    assert "Vigilance renforcée" in gauge_of(page(duty_client, post_a))
