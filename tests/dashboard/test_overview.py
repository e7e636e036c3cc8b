"""The overview: every visible post by urgency, filters, search, and the cheap poll."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Assessment
from readiness.assessments.services import newest_assessment_point, post_rescore
from readiness.assessments.summary import summary_of
from readiness.dashboard.selectors import OverviewFilters, overview, overview_version
from tests.dashboard.conftest import htmx, populate_post
from tests.factories import IndicatorFactory, PostFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:overview")
# session, user, the posts with their newest assessments (the version comes from the same
# rows), and the sparklines' points of the page's rows (read once, only when a row is drawn
# anew: a warm overview runs the first three)
OVERVIEW_QUERIES = 4


def assess(post, verdict: str, margin: float | None, *, rec: int = 1):  # type: ignore[no-untyped-def]
    """A stored assessment with a chosen verdict: sorting must not depend on the engine."""
    explanation = {"trend": {"points": [{"threat_index": 30}, {"threat_index": 40}]}}
    assessment = Assessment.objects.create(
        post=post,
        evaluated_at=timezone.now(),
        current_level=post.level,
        recommended_level=rec,
        verdict=verdict,
        threat_index=40,
        trend_per_day=0.5,
        next_level_margin_days=margin,
        preparedness=50,
        fingerprint="test",
        explanation=explanation,
        summary=summary_of(explanation),
    )
    newest_assessment_point(assessments=[assessment], evaluated_at=assessment.evaluated_at)
    return assessment


def order_in(html: str) -> list[str]:
    return re.findall(r'id="post-([A-Z]{2}-[A-Z0-9]+)"', html)


def test_signing_in_is_required(client):  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_htmx_request_without_a_session_is_sent_to_sign_in_whole(client):  # type: ignore[no-untyped-def]
    response = client.get(URL + "?since=1", **htmx("overview-rows"))
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_posts_are_sorted_by_urgency_then_margin(duty_client):  # type: ignore[no-untyped-def]
    for code, verdict, margin in [
        ("ZZ-ONT", "on_time", 40.0),
        ("ZZ-WAT", "watch", 9.0),
        ("ZZ-LT2", "late", -1.0),
        ("ZZ-ACT", "act_now", 4.0),
        ("ZZ-LT1", "late", -12.0),
        ("ZZ-EAR", "too_early", None),
        ("ZZ-ACS", "act_now", 2.0),
    ]:
        assess(PostFactory(code=code), verdict, margin)
    PostFactory(code="ZZ-NEW")  # never assessed: last
    html = duty_client.get(URL).content.decode()
    assert order_in(html) == [
        "ZZ-LT1",
        "ZZ-LT2",
        "ZZ-ACS",
        "ZZ-ACT",
        "ZZ-WAT",
        "ZZ-ONT",
        "ZZ-EAR",
        "ZZ-NEW",
    ]


def test_each_row_shows_the_gauge_in_words_and_the_figures(duty_client, post_a):  # type: ignore[no-untyped-def]
    stored = Assessment.objects.filter(post=post_a).latest()
    html = duty_client.get(URL).content.decode()
    row = html[html.index('id="post-ZZ-AAA"') :]
    row = row[: row.index("</tr>")]
    words = {
        "late": "Late",
        "act_now": "Act now",
        "watch": "Watch",
        "on_time": "On time",
        "too_early": "Too early",
    }
    assert f"gauge-{stored.verdict}" in row and words[stored.verdict] in row
    assert f"{stored.threat_index:.1f}".removesuffix(".0") in row
    assert f"{round(stored.preparedness)}" in row
    assert 'class="sparkline"' in row and "just now" in row


def test_filters_by_region_verdict_and_search(duty_client):  # type: ignore[no-untyped-def]
    assess(PostFactory(code="ZZ-SAH", name="Niamey", region="Sahel"), "late", -2)
    assess(PostFactory(code="ZZ-LEV", name="Beirut", region="Levant"), "watch", 8)
    assess(PostFactory(code="ZZ-LE2", name="Amman", region="Levant"), "late", -1)
    assert order_in(duty_client.get(URL, {"region": "Levant"}).content.decode()) == [
        "ZZ-LE2",
        "ZZ-LEV",
    ]
    assert order_in(duty_client.get(URL, {"verdict": "late"}).content.decode()) == [
        "ZZ-SAH",
        "ZZ-LE2",
    ]
    assert order_in(duty_client.get(URL, {"q": "beir"}).content.decode()) == ["ZZ-LEV"]
    assert order_in(duty_client.get(URL, {"q": "zz-sah"}).content.decode()) == ["ZZ-SAH"]


def test_the_filter_form_shows_the_regions_and_keeps_the_choice(duty_client):  # type: ignore[no-untyped-def]
    PostFactory(region="Sahel")
    PostFactory(region="Levant")
    html = duty_client.get(URL, {"region": "Levant", "q": "x"}).content.decode()
    assert '<option value="Levant" selected>' in html
    assert 'value="x"' in html


def test_a_post_officer_sees_only_their_post(officer_client, post_a, post_b):  # type: ignore[no-untyped-def]
    assert order_in(officer_client.get(URL).content.decode()) == ["ZZ-AAA"]


def test_an_outsider_sees_no_post_and_is_told_why(outsider_client, post_a):  # type: ignore[no-untyped-def]
    response = outsider_client.get(URL)
    assert response.status_code == 200
    assert order_in(response.content.decode()) == []
    assert "You have no post to follow" in response.content.decode()


def test_an_htmx_filter_request_gets_the_rows_partial_only(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.get(URL, {"region": "Sahel"}, **htmx("overview-rows"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="overview-rows"')
    assert "<html" not in html
    assert "region=Sahel" in html  # the poll keeps the filters
    assert "HX-Request" in response["Vary"]


def test_the_poll_answers_204_while_nothing_changed(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    version = overview_version(user=duty_officer)
    response = duty_client.get(URL, {"since": version}, **htmx("overview-rows"))
    assert response.status_code == 204
    assert response.content == b""


def test_the_nothing_new_answer_is_cheap(
    duty_client, duty_officer, post_a, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    version = overview_version(user=duty_officer)
    with django_assert_num_queries(3):  # session, user, one aggregate
        duty_client.get(URL, {"since": version}, **htmx("overview-rows"))


def test_the_poll_returns_the_rows_after_a_new_assessment(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    version = overview_version(user=duty_officer)
    IndicatorFactory(post=post_a, severity=5, reliability="A", credibility=1)
    new = post_rescore(post_id=post_a.pk)
    response = duty_client.get(URL, {"since": version}, **htmx("overview-rows"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{new.threat_index:.1f}".removesuffix(".0") in html
    assert f"since={overview_version(user=duty_officer)}" in html


def test_the_version_changes_with_a_new_post_or_a_new_minute(duty_officer, post_a):  # type: ignore[no-untyped-def]
    now = timezone.now()
    before = overview_version(user=duty_officer, now=now)
    assert overview_version(user=duty_officer, now=now + dt.timedelta(minutes=1)) != before
    PostFactory()
    assert overview_version(user=duty_officer, now=now) != before


def test_the_overview_selector_counts_verdicts(duty_officer):  # type: ignore[no-untyped-def]
    assess(PostFactory(), "late", -2)
    assess(PostFactory(), "late", -1)
    assess(PostFactory(), "watch", 5)
    data = overview(user=duty_officer, filters=OverviewFilters())
    assert data.counts == {"late": 2, "watch": 1}
    assert data.total == 3


def test_a_failing_post_says_so(duty_client, post_a):  # type: ignore[no-untyped-def]
    type(post_a).objects.filter(pk=post_a.pk).update(rescore_error="ValueError: boom")
    assert "re-scoring failed" in duty_client.get(URL).content.decode()


def test_the_overview_runs_a_fixed_number_of_queries(duty_client, django_assert_num_queries):  # type: ignore[no-untyped-def]
    for _ in range(3):
        populate_post()
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert duty_client.get(URL).status_code == 200
    with django_assert_num_queries(OVERVIEW_QUERIES - 1):  # every row kept: no summary read
        assert duty_client.get(URL).status_code == 200


def test_more_posts_indicators_and_staff_cost_no_more_queries(duty_client):  # type: ignore[no-untyped-def]
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert duty_client.get(URL).status_code == 200
        return len(queries)

    posts = [populate_post() for _ in range(2)]
    small = count()
    for post in posts:
        IndicatorFactory.create_batch(30, post=post)
        StaffMemberFactory.create_batch(20, post=post)
        post_rescore(post_id=post.pk)
    posts += [populate_post(indicators=10, staff=10) for _ in range(8)]
    assert count() == small == OVERVIEW_QUERIES


def test_a_long_overview_shows_a_screenful_most_urgent_first_and_pages_on(duty_client):  # type: ignore[no-untyped-def]
    from readiness.dashboard.pages import OVERVIEW_PAGE_SIZE

    late = PostFactory(code="ZZ-LATE")
    assess(late, "late", -3)
    for i in range(OVERVIEW_PAGE_SIZE + 4):
        assess(PostFactory(code=f"ZZ-{i:04d}"), "on_time", 40)
    first = duty_client.get(URL).content.decode()
    shown = order_in(first)
    assert len(shown) == OVERVIEW_PAGE_SIZE and shown[0] == "ZZ-LATE"
    assert f"{OVERVIEW_PAGE_SIZE + 5} posts of {OVERVIEW_PAGE_SIZE + 5}" in first
    assert 'rel="next" href="/?page=2"' in first and 'rel="prev"' not in first
    second = duty_client.get(URL, {"page": 2}).content.decode()
    rest = order_in(second)
    assert len(rest) == 5 and not set(rest) & set(shown)
    assert 'rel="prev" href="/"' in second and "since=" in second and "page=2" in second
    # A page past the last shows the last; nonsense shows the first.
    assert order_in(duty_client.get(URL, {"page": 99}).content.decode()) == rest
    assert order_in(duty_client.get(URL, {"page": "x"}).content.decode()) == shown


def test_a_cached_row_follows_what_it_shows(duty_client, post_a):  # type: ignore[no-untyped-def]
    # Rows are cached by what they show: a renamed post, a failing re-score and a newer
    # assessment each show at once, with no stale copy of the row.
    assess(post_a, "on_time", 5.0)
    first = duty_client.get(URL).content.decode()
    assert "re-scoring failed" not in first

    type(post_a).objects.filter(pk=post_a.pk).update(name="Renamed post", rescore_error="boom")
    second = duty_client.get(URL).content.decode()
    assert "Renamed post" in second
    assert "re-scoring failed" in second

    assess(post_a, "late", -2.0)
    third = duty_client.get(URL).content.decode()
    assert 'class="row-late"' in third


def test_the_rows_give_the_same_version_as_the_aggregate(duty_officer, post_a, post_b):  # type: ignore[no-untyped-def]
    # The page's data-version comes from its rows; the poll compares it with the aggregate.
    type(post_b).objects.filter(pk=post_b.pk).update(rescore_error="boom", level=2)
    now = timezone.now()
    data = overview(user=duty_officer, filters=OverviewFilters(verdict="late"), now=now)
    assert data.version == overview_version(user=duty_officer, now=now)
