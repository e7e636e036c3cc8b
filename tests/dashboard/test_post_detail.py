"""The post page: gauge, explanation, timeline, routes, roster, checklists, decision log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from readiness.assessments.models import Assessment
from readiness.assessments.services import post_rescore
from readiness.dashboard.pages import POLL_SECONDS
from readiness.engine import contributions_from_dict
from readiness.indicators.models import Indicator
from tests.dashboard.conftest import htmx, populate_post
from tests.factories import DecisionFactory, IndicatorFactory, PostFactory, StaffMemberFactory
from tests.saying import said, sentence

pytestmark = pytest.mark.django_db
# session, user, post (+community, warden and assembly-point counts), newest assessment
# (+the previous one's id and time), the previous explanation (for "what changed"; on an id
# that matches nothing once it is in memory), ladder, checklists (+who ticked), indicators
# named (evidence and new ones), history, decisions, timeline, routes, staff summary,
# staff to confirm, schools
# 17 since the personal-data permission and the read-only viewers' group are checked
# (readiness/posts/access.py: the user's groups, their permissions and their groups'
# permissions, less the people to confirm, which a user without the permission is not shown).
# 18 with the staff check-in panel (its newest check-in; one more, its rows, once there is one:
# tests/checkins/test_views.py).
# 19 with the map's assembly points and warden zones (one union: the map's cache key).
# 17 since the user's groups and permissions are one query (readiness/posts/access.py
# ``rights``), and the newest explanation is read with the previous one's parts.
POST_PAGE_QUERIES = 17


def url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:post", args=[post.code])


def test_signing_in_is_required(client, post_a):  # type: ignore[no-untyped-def]
    response = client.get(url(post_a))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_outsider_gets_404(outsider_client, post_a):  # type: ignore[no-untyped-def]
    assert outsider_client.get(url(post_a)).status_code == 404


def test_a_post_officer_gets_404_on_another_post(officer_client, post_a, post_b):  # type: ignore[no-untyped-def]
    assert officer_client.get(url(post_b)).status_code == 404
    assert officer_client.get(url(post_a)).status_code == 200


def test_the_gauge_says_the_engines_verdict(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    stored = Assessment.objects.filter(post=bamako_today).latest()
    html = duty_client.get(url(bamako_today)).content.decode()
    assert escape(sentence(stored.explanation)) in html
    assert f'data-verdict="{stored.verdict}"' in html
    assert f"{stored.threat_index:.1f}".removesuffix(".0") in html


def test_the_explanation_names_the_met_triggers_and_their_indicators(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    stored = Assessment.objects.filter(post=bamako_today).latest()
    html = duty_client.get(url(bamako_today)).content.decode()
    met = [t for t in stored.explanation["triggers"] if t["met"]]
    assert met, "the demo has met triggers"
    for trigger in met:
        assert escape(said(trigger)) in html
    heaviest = contributions_from_dict(stored.explanation)[0]
    text = Indicator.objects.get(pk=int(heaviest["id"])).text
    assert escape(text[:60]) in html
    for reason in stored.explanation["reasons"]:
        assert escape(said(reason)) in html


def test_the_explanation_lists_routes_and_loads_per_level(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    stored = Assessment.objects.filter(post=bamako_today).latest()
    html = duty_client.get(url(bamako_today)).content.decode()
    for route in bamako_today.routes.all():
        assert escape(f"{route.from_place} → {route.to_place}") in html
    for level in stored.explanation["levels"]:
        assert f"{round(level['load']):,}" in html
    assert "Latest responsible moment" in html


def test_the_page_has_both_charts_with_labelled_axes(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    html = duty_client.get(url(bamako_today)).content.decode()
    assert html.count("<svg") >= 2
    for label in ["Threat index (0\u2013100)", "Alert level", "People / seats", "Days from now"]:
        assert label in html
    assert "latest responsible moment" in html


def test_the_timeline_filters_by_category_and_severity(duty_client, post_a):  # type: ignore[no-untyped-def]
    IndicatorFactory(post=post_a, category="health", severity=5, text="Cholera outbreak")
    IndicatorFactory(post=post_a, category="health", severity=1, text="Mild flu season")
    html = duty_client.get(url(post_a), {"category": "health", "min_severity": 4}).content.decode()
    assert "Cholera outbreak" in html and "Mild flu season" not in html


def test_the_timeline_shows_the_newest_first_and_says_when_there_are_more(duty_client, post_a):  # type: ignore[no-untyped-def]
    now = timezone.now()
    for i in range(30):
        IndicatorFactory(
            post=post_a, text=f"Report number {i:02d}", observed_at=now - dt.timedelta(hours=i + 1)
        )
    html = duty_client.get(url(post_a)).content.decode()
    assert html.index("Report number 00") < html.index("Report number 01")
    assert "Report number 29" not in html
    assert "Older indicators match too" in html


def test_a_panel_refresh_renders_that_panel_only(duty_client, post_a):  # type: ignore[no-untyped-def]
    for panel in ["gauge", "explanation", "charts", "indicators", "checklists", "decisions"]:
        response = duty_client.get(url(post_a), **htmx(panel))
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="{panel}"' in html and "<html" not in html, panel
        assert 'hx-trigger="assessmentChanged from:body"' in html


def test_the_page_polls_for_new_assessments(duty_client, post_a):  # type: ignore[no-untyped-def]
    html = duty_client.get(url(post_a)).content.decode()
    newest = Assessment.objects.filter(post=post_a).latest()
    assert f"poll/?since={newest.pk}" in html
    # and told (test_live_events), and at once when a write's re-score is queued
    assert f'hx-trigger="every {POLL_SECONDS}s, live, rescoreQueued from:body"' in html


def test_the_checklists_of_the_current_and_next_level_say_who_ticked(
    duty_client, post_a, duty_officer
):  # type: ignore[no-untyped-def]
    current = post_a.levels.get(rank=post_a.level)
    following = post_a.levels.get(rank=post_a.level + 1)
    item = following.actions.first()
    item.ready_at = timezone.now()
    item.ready_by = duty_officer
    item.save()
    html = duty_client.get(url(post_a)).content.decode()
    for action in [*current.actions.all(), *following.actions.all()]:
        assert escape(action.text) in html
    assert "ticked by duty" in html
    far = post_a.levels.get(rank=6).actions.first()
    assert escape(far.text) not in html


def test_the_decision_log_lists_decisions_newest_first(duty_client, post_a, duty_officer):  # type: ignore[no-untyped-def]
    DecisionFactory(
        post=post_a,
        from_level=0,
        to_level=1,
        rationale="First step up",
        decided_at=timezone.now() - dt.timedelta(days=2),
        decided_by=duty_officer,
    )
    DecisionFactory(post=post_a, from_level=1, to_level=2, rationale="Second step up")
    html = duty_client.get(url(post_a)).content.decode()
    assert html.index("Second step up") < html.index("First step up")
    assert "Claire Martin" in html


def test_the_roster_summary_counts_staff_by_category(duty_client):  # type: ignore[no-untyped-def]
    post = populate_post(staff=0)
    StaffMemberFactory(post=post, headcount=27, essential=True, dependants=6)
    StaffMemberFactory(post=post, headcount=12, dependants=12, last_confirmed_at=None, email="")
    StaffMemberFactory(post=post, category="local", headcount=60)
    post_rescore(post_id=post.pk)
    page = duty_client.get(url(post)).context["page"]
    rows = {(r["category"], r["essential"]): r for r in page.roster.staff_rows}
    assert rows[("expatriate", True)]["n_people"] == 27
    assert rows[("expatriate", False)]["n_dependants"] == 12
    assert rows[("expatriate", False)]["n_confirmed"] == 0
    assert page.roster.staff_total == 99
    assert page.roster.schools and page.roster.community is not None


def test_a_post_never_assessed_says_so(duty_client):  # type: ignore[no-untyped-def]
    post = PostFactory()
    html = duty_client.get(url(post)).content.decode()
    assert "Not assessed" in html


def test_the_post_page_runs_a_fixed_number_of_queries(
    duty_client, bamako_today, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(POST_PAGE_QUERIES):
        assert duty_client.get(url(bamako_today)).status_code == 200


def test_more_indicators_staff_and_posts_cost_no_more_queries(duty_client):  # type: ignore[no-untyped-def]
    post = populate_post(indicators=3, staff=2)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert duty_client.get(url(post)).status_code == 200
        return len(queries)

    small = count()
    IndicatorFactory.create_batch(80, post=post)
    StaffMemberFactory.create_batch(40, post=post)
    for _ in range(3):
        populate_post()
    DecisionFactory(post=post, from_level=0, to_level=1)
    post_rescore(post_id=post.pk)
    assert count() == small == POST_PAGE_QUERIES


def test_the_assessments_panels_are_cached_by_what_they_show(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    # The explanation, "what changed" and capacity panels come from the newest assessment,
    # which never changes: a second view reads less, and a renamed level still shows.
    def view() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = duty_client.get(url(bamako_today)).content.decode()
        return html.split('id="explanation"')[1].split("</section>")[0], len(queries)

    cold, cold_queries = view()
    warm, warm_queries = view()
    assert warm == cold
    assert warm_queries < cold_queries == POST_PAGE_QUERIES

    level = bamako_today.levels.get(rank=bamako_today.level)
    type(level).objects.filter(pk=level.pk).update(name="Renamed level")
    renamed, _ = view()
    assert "Renamed level" in renamed


def test_the_rosters_wardens_and_assembly_points_are_counted_from_the_maps_rows(duty_client):  # type: ignore[no-untyped-def]
    from readiness.dashboard.pages import PostPage
    from readiness.dashboard.selectors import post_for, roster_summary
    from tests.factories import AssemblyPointFactory, WardenFactory

    post = PostFactory()
    WardenFactory(post=post, zone="ACI 2000", latitude=12.6, longitude=-8.0)
    WardenFactory(post=post, zone="ACI 2000")  # no place of their own
    WardenFactory(post=post, zone="Hippodrome")
    AssemblyPointFactory(post=post, capacity=300)
    AssemblyPointFactory(post=post, capacity=450, latitude=12.61, longitude=-7.99)
    user = duty_client.get(url(post)).wsgi_request.user
    page = PostPage(post=post_for(user=user, code=post.code), user=user, params=None)
    counted = page.roster
    read = roster_summary(post=post)  # without the map's rows: it reads them itself
    for summary in (counted, read):
        assert (summary.wardens, summary.warden_zones) == (3, 2)
        assert (summary.assembly_points, summary.assembly_capacity) == (2, 750)
    assert "2 points, capacity 750" in duty_client.get(url(post)).content.decode()
