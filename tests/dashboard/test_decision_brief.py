"""The daily brief flags every legacy decision recorded without an assessment (before it
was required), however old: its checks never ran."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Decision, DecisionOrigin
from readiness.evidence import evidence_path
from tests.factories import DecisionFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:brief")


def legacy(post, **values):  # type: ignore[no-untyped-def]
    # As migration assessments/0008 leaves a decision recorded without an assessment (the
    # database refuses a new one on PostgreSQL: only a migration writes them).
    with evidence_path("migration"):
        return Decision.objects.create(
            post=post, from_level=0, to_level=1, origin=DecisionOrigin.LEGACY, **values
        )


def test_a_legacy_decision_without_an_assessment_is_flagged_however_old(
    duty_client, post_a, duty_officer
):  # type: ignore[no-untyped-def]
    legacy(
        post_a,
        rationale="Raised without looking",
        decided_by=duty_officer,
        decided_at=timezone.now() - dt.timedelta(days=40),
    )
    html = duty_client.get(URL).content.decode()
    section = html[html.index('id="brief-unchecked"') :]
    assert "Decisions recorded without an assessment" in html
    assert "ZZ-AAA" in section and "no assessment" in section and "Claire Martin" in section
    # Not in the last 24 hours' table: flagged on its own.
    assert "Raised without looking" not in html


def test_a_recent_legacy_decision_is_tagged_in_the_day_s_table_too(duty_client, post_a):  # type: ignore[no-untyped-def]
    legacy(post_a, rationale="Raised this morning")
    html = duty_client.get(URL).content.decode()
    row = html[html.index("Raised this morning") - 600 : html.index("Raised this morning")]
    assert "no assessment" in row


def test_no_flag_for_decisions_taken_against_an_assessment_or_loaded_from_a_file(
    duty_client, post_a, bamako_today
):  # type: ignore[no-untyped-def]
    DecisionFactory(post=post_a, from_level=0, to_level=1)
    assert Decision.objects.filter(origin=DecisionOrigin.SCENARIO).exists()  # Bamako's
    html = duty_client.get(URL).content.decode()
    assert "brief-unchecked" not in html and "no assessment" not in html


def test_the_flag_costs_no_extra_query(duty_client, post_a, post_b, django_assert_num_queries):  # type: ignore[no-untyped-def]
    legacy(post_a, rationale="Old one", decided_at=timezone.now() - dt.timedelta(days=3))
    # The brief's thirteen (tests/dashboard/test_brief.py): the legacy decisions come with
    # the window's decisions, in the same query.
    with django_assert_num_queries(13):
        duty_client.get(URL)


def test_the_post_s_decision_log_flags_it_too(duty_client, post_a):  # type: ignore[no-untyped-def]
    legacy(post_a, rationale="Raised without looking")
    html = duty_client.get(reverse("dashboard:post", args=[post_a.code])).content.decode()
    log = html[html.index('id="decisions"') :]
    entry = log[: log.index("Raised without looking")]
    assert "no assessment" in entry[entry.rindex("<li>") :]
