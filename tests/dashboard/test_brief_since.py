"""The morning brief: issuing it (who, when, marking), what changed since the last issued
brief, the hook for other apps' sections, and its query count whatever the posts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from readiness.assessments.models import RecommendationChange
from readiness.briefs import hooks
from readiness.briefs.models import IssuedBrief
from readiness.posts.models import ActionItem, ExitRoute
from readiness.posts.services import route_check
from readiness.rosters.models import StaffMember
from tests.factories import (
    AssessmentFactory,
    DecisionFactory,
    ExitRouteFactory,
    IndicatorFactory,
    StaffMemberFactory,
)

from .conftest import populate_post

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:brief")
ISSUE = reverse("dashboard:brief_issue")


def issued_at(when: dt.datetime, user) -> IssuedBrief:  # type: ignore[no-untyped-def]
    return IssuedBrief.objects.create(
        issued_at=when,
        issued_by=user,
        issued_by_name="Earlier Officer",
        classification="RESTRICTED",
        covers_since=when - dt.timedelta(hours=24),
        posts=2,
    )


def section_of(html: str, code: str) -> str:
    start = html.index(f'id="brief-post-{code}"')
    end = html.find('class="brief-post"', start)
    return html[start : end if end > 0 else len(html)]


# --- Issuing -------------------------------------------------------------------------------


def test_issuing_records_who_when_and_the_marking(duty_client, duty_officer, post_a, settings):  # type: ignore[no-untyped-def]
    settings.BRIEF_CLASSIFICATION = "CONFIDENTIAL CRISIS"
    before = timezone.now()
    response = duty_client.post(ISSUE, {"last": ""})
    brief = IssuedBrief.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?issued={brief.pk}"
    assert brief.issued_by == duty_officer
    assert brief.issued_by_name == "Claire Martin"
    assert brief.classification == "CONFIDENTIAL CRISIS"
    assert before <= brief.issued_at <= timezone.now()
    assert brief.posts == 1
    # The first brief covers the last 24 hours.
    assert abs((brief.issued_at - brief.covers_since) - dt.timedelta(hours=24)) < dt.timedelta(
        seconds=5
    )
    html = duty_client.get(response["Location"]).content.decode()
    # The marking at the top and the bottom, the author, no second issuing from there.
    assert html.count("data-marking>CONFIDENTIAL CRISIS</p>") == 2
    assert "Issued by Claire Martin" in html
    assert "Issue this brief" not in html


def test_the_next_brief_starts_from_the_issued_one(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    issued_at(timezone.now() - dt.timedelta(hours=3), duty_officer)
    html = duty_client.get(URL).content.decode()
    assert "Since the last brief, issued" in html and "by Earlier Officer" in html
    assert "Author: Claire Martin." in html
    assert "Issue this brief" in html


def test_a_brief_issued_meanwhile_refuses_the_second_press(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    first = issued_at(timezone.now() - dt.timedelta(minutes=1), duty_officer)
    # The page was opened before `first` was issued: it knew of no brief.
    response = duty_client.post(ISSUE, {"last": ""}, follow=True)
    assert IssuedBrief.objects.get() == first
    assert "Another brief was issued" in response.content.decode()
    # Knowing of it, the press is recorded and starts where `first` ended.
    duty_client.post(ISSUE, {"last": str(first.pk)})
    assert IssuedBrief.objects.latest().covers_since == first.issued_at


def test_only_duty_officers_issue_the_brief(officer_client, post_a):  # type: ignore[no-untyped-def]
    assert "Issue this brief" not in officer_client.get(URL).content.decode()
    assert officer_client.post(ISSUE, {"last": ""}).status_code == 403
    assert not IssuedBrief.objects.exists()


def test_issuing_is_a_post(duty_client):  # type: ignore[no-untyped-def]
    assert duty_client.get(ISSUE).status_code == 405


def test_an_unknown_issued_brief_is_404(duty_client):  # type: ignore[no-untyped-def]
    assert duty_client.get(URL, {"issued": "999"}).status_code == 404
    assert duty_client.get(URL, {"issued": "x"}).status_code == 404
    assert duty_client.get(URL, {"issued": "9" * 40}).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (CI runs it)")
def test_the_database_refuses_to_rewrite_an_issued_brief(duty_officer):  # type: ignore[no-untyped-def]
    brief = issued_at(timezone.now(), duty_officer)
    with pytest.raises(IntegrityError, match="evidence"), transaction.atomic():
        IssuedBrief.objects.filter(pk=brief.pk).update(classification="UNCLASSIFIED")
    with pytest.raises(IntegrityError, match="evidence"), transaction.atomic():
        IssuedBrief.objects.filter(pk=brief.pk).delete()


# --- Since the last brief ------------------------------------------------------------------


def test_since_the_last_brief_shows_what_changed(duty_client, duty_officer, post_a, post_b):  # type: ignore[no-untyped-def]
    # Before the last brief: nothing of it shows.
    DecisionFactory(
        post=post_a,
        from_level=0,
        to_level=1,
        rationale="Before the brief",
        decided_at=timezone.now() - dt.timedelta(hours=2),
    )
    IndicatorFactory(post=post_a, severity=5, text="Old serious report", recorded_at=timezone.now())
    road = ExitRoute.objects.get(post=post_a, key=f"road-{post_a.pk}")
    route_check(route=road, status="open")
    issued_at(timezone.now(), duty_officer)

    # After it.
    route_check(route=road, status="closed", user=duty_officer)
    DecisionFactory(
        post=post_a, from_level=1, to_level=2, rationale="After the brief", decided_by=duty_officer
    )
    RecommendationChange.objects.create(
        post=post_a,
        assessment=AssessmentFactory(post=post_a, recommended_level=3, verdict="act_now"),
        from_level=1,
        to_level=3,
        from_verdict="watch",
        to_verdict="act_now",
    )
    IndicatorFactory(post=post_a, severity=5, text="Convoy ambushed near the border")
    IndicatorFactory(post=post_a, severity=2, text="Minor traffic report")

    html = duty_client.get(URL).content.decode()
    alpha = section_of(html, "ZZ-AAA")
    assert "After the brief" in html and "Before the brief" not in html
    assert "1 · Heightened vigilance → 2 · Travel advised against" in alpha
    assert "1 · Heightened vigilance → 3 · " in alpha and "Watch → " in alpha
    assert "Road: " in alpha and "Open → Closed" in alpha
    assert "Convoy ambushed near the border" in alpha
    assert "Minor traffic report" not in alpha  # below the severity (4 by default)
    assert "Old serious report" not in alpha
    # The other post had nothing new.
    assert "Nothing new." in section_of(html, "ZZ-BBB")
    # The summary lists the post with something new, first.
    summary = html.split('id="brief-summary"')[1].split('id="brief-posts"')[0]
    assert 'href="#brief-ZZ-AAA"' in summary and 'href="#brief-ZZ-BBB"' not in summary
    assert "1 route whose status changed" in summary
    assert "1 new indicator of severity 4 or more" in summary


def test_people_in_the_country_and_open_checklist_items(duty_client, post_a):  # type: ignore[no-untyped-def]
    StaffMember.objects.filter(post=post_a).update(dependants=0)
    StaffMemberFactory(post=post_a, name="Group of drivers", headcount=7, dependants=4)
    StaffMemberFactory(post=post_a, name="Left already", present=False, headcount=5)
    present = 3 + 7  # populate_post's three people and the group
    items = list(ActionItem.objects.filter(level__post=post_a, level__rank__in=[0, 1]))
    ticked, *open_ = items
    ticked.ready_at = timezone.now()
    ticked.save()
    further = ActionItem.objects.filter(level__post=post_a, level__rank=3).first()

    alpha = section_of(duty_client.get(URL).content.decode(), "ZZ-AAA")
    assert f"{present} (and 4 dependants)" in alpha
    assert open_ and all(escape(item.text) in alpha for item in open_)
    assert escape(ticked.text) not in alpha
    assert further is None or escape(further.text) not in alpha


def test_a_brief_shown_as_issued_keeps_its_window(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    DecisionFactory(post=post_a, from_level=0, to_level=1, rationale="In the issued window")
    duty_client.post(ISSUE, {"last": ""})
    brief = IssuedBrief.objects.get()
    DecisionFactory(post=post_a, from_level=1, to_level=2, rationale="After it was issued")
    as_issued = duty_client.get(URL, {"issued": brief.pk}).content.decode()
    assert "In the issued window" in as_issued and "After it was issued" not in as_issued
    today = duty_client.get(URL).content.decode()
    assert "After it was issued" in today and "In the issued window" not in today


# --- Another app's section (the hook) --------------------------------------------------------


@pytest.fixture
def checkins(post_a):  # type: ignore[no-untyped-def]
    """A section as the staff check-in app would register it (readiness/briefs/hooks.py)."""

    def read(*, posts, since, until):  # type: ignore[no-untyped-def]
        assert posts.filter(pk=post_a.pk).exists()
        assert since < until
        return {post_a.pk: [("Awa Traoré", "safe"), ("Jean Dupont", "needs help")]}

    template = engines["django"].from_string(
        "<ul>{% for who, answer in rows %}<li>{{ who }}: {{ answer }}</li>{% endfor %}</ul>"
    )
    kept = hooks.sections()  # the check-in app's own section, put back afterwards
    hooks.register(
        hooks.BriefSection(key="checkins", title="Check-in results", template=template, read=read)
    )
    yield
    hooks.unregister("checkins")
    for section in kept:
        hooks.register(section)


@pytest.fixture
def no_sections():  # type: ignore[no-untyped-def]
    kept = hooks.sections()
    for section in kept:
        hooks.unregister(section.key)
    yield
    for section in kept:
        hooks.register(section)


def test_a_registered_section_shows_in_its_post_and_the_summary(duty_client, checkins, post_a):  # type: ignore[no-untyped-def]
    html = duty_client.get(URL).content.decode()
    alpha = section_of(html, "ZZ-AAA")
    assert "Check-in results" in alpha and "Jean Dupont: needs help" in alpha
    assert "Check-in results: 2" in html


def test_without_a_registered_section_nothing_shows(duty_client, post_a, no_sections):  # type: ignore[no-untyped-def]
    assert hooks.sections() == []
    assert "since-extra" not in duty_client.get(URL).content.decode()


# --- Speed -----------------------------------------------------------------------------------


def with_news(n: int, user) -> None:  # type: ignore[no-untyped-def]
    """n more posts, each with a decision, a serious indicator and a route closed since
    the last brief."""
    for i in range(n):
        post = populate_post(code=f"ZZ-N{i:02d}", name=f"News {i}", indicators=1, staff=2)
        DecisionFactory(post=post, from_level=0, to_level=1, decided_by=user)
        IndicatorFactory(post=post, severity=5)
        route_check(route=ExitRouteFactory(post=post, key="extra"), status="closed")


@pytest.mark.parametrize("posts", [1, 6])
def test_the_query_count_does_not_depend_on_the_posts(
    duty_client, duty_officer, posts, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    issued_at(timezone.now() - dt.timedelta(hours=1), duty_officer)
    with_news(posts, duty_officer)
    # session, user, groups, the last issued brief, the posts with their newest
    # assessments, gauge details; decisions, changes of recommendation, routes,
    # indicators, people in the country, open checklist items, staff check-ins
    with django_assert_num_queries(13):
        html = duty_client.get(URL).content.decode()
    assert html.count('class="brief-post"') == posts
    with django_assert_num_queries(12):  # every section cached: no gauge details
        duty_client.get(URL)


def test_the_staff_check_ins_results_are_in_their_posts_section(duty_client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    # The check-in app's own section (readiness/checkins/brief.py), counted in people.
    from readiness.checkins.models import Answer
    from readiness.checkins.services import checkin_answer
    from tests.checkins.conftest import start

    issued_at(timezone.now() - dt.timedelta(hours=1), duty_officer)
    StaffMemberFactory(post=post_a, name="Guards", headcount=12, email="guards@post.example")
    StaffMemberFactory(post=post_a, name="Awa", email="awa@post.example")
    _checkin, tokens = start(post_a, duty_officer)
    checkin_answer(token=tokens["guards@post.example"], answer=Answer.SAFE, note="")
    alpha = section_of(duty_client.get(URL).content.decode(), "ZZ-AAA")
    assert "Check-in results" in alpha
    assert "12 safe" in alpha and "people asked" in alpha and "not answered" in alpha
    assert "Awa" not in alpha  # counts, never names
