"""The daily brief: posts by urgency with the gauge and reasons, decisions of 24 hours."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from readiness.assessments.models import Assessment
from tests.factories import DecisionFactory

from ..saying import said

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:brief")


def test_signing_in_is_required(client):  # type: ignore[no-untyped-def]
    assert client.get(URL).status_code == 302


def test_the_brief_has_the_gauge_sentence_and_reasons(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    stored = Assessment.objects.filter(post=bamako_today).latest()
    html = duty_client.get(URL).content.decode()
    # The same sentence as on the post page, said from the same explanation.
    page = duty_client.get(reverse("dashboard:post", args=[bamako_today.code])).content.decode()
    sentence = re.search(r'<p class="sentence" id="gauge-sentence">(.*?)</p>', page, re.S)
    assert sentence and sentence.group(1).strip() and sentence.group(1) in html
    for reason in stored.explanation["reasons"]:
        assert escape(said(reason)) in html
    assert f"gauge-{stored.verdict}" in html


def test_decisions_of_the_last_24_hours_only(duty_client, post_a, duty_officer):  # type: ignore[no-untyped-def]
    DecisionFactory(
        post=post_a,
        from_level=0,
        to_level=1,
        rationale="Yesterday's step",
        decided_at=timezone.now() - dt.timedelta(hours=30),
    )
    DecisionFactory(
        post=post_a,
        from_level=1,
        to_level=2,
        rationale="This morning's step",
        decided_by=duty_officer,
    )
    html = duty_client.get(URL).content.decode()
    assert "This morning&#x27;s step" in html
    assert "Yesterday&#x27;s step" not in html
    assert "1 · Heightened vigilance → 2 · Travel advised against" in html


def test_the_brief_is_printable(duty_client, post_a):  # type: ignore[no-untyped-def]
    html = duty_client.get(URL).content.decode()
    assert "data-print" in html and "page-brief" in html


def test_a_post_officer_briefs_only_their_post(officer_client, post_a, post_b):  # type: ignore[no-untyped-def]
    html = officer_client.get(URL).content.decode()
    assert "ZZ-AAA" in html and "ZZ-BBB" not in html


def test_the_brief_runs_a_fixed_number_of_queries(
    duty_client, post_a, post_b, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    DecisionFactory(post=post_a, from_level=0, to_level=1)
    # session, user, groups (may they issue it), the last issued brief, posts with their
    # newest assessments, gauge details, and since the last brief: decisions, changes of
    # recommendation, routes, indicators, people in the country, open checklist items, and
    # the staff check-ins' section (readiness/checkins/brief.py)
    with django_assert_num_queries(13):
        duty_client.get(URL)


def test_a_posts_section_is_cached_by_what_it_shows(
    duty_client, post_a, post_b, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    # A second brief reads no explanation (each post's section is a cached fragment);
    # a renamed post or a new assessment shows at once.
    def sections() -> str:
        html = duty_client.get(URL).content.decode()
        return html.split('id="brief-posts"')[1].split("</article>")[0]

    first = sections()
    with django_assert_num_queries(12):  # as above, without the gauge details
        assert sections() == first

    type(post_a).objects.filter(pk=post_a.pk).update(name="Renamed post")
    assert "Renamed post" in duty_client.get(URL).content.decode()
