"""Issue 8, point 3: load the Bamako scenario as seen on 19 November 2025, record the real
drawdown decision (level 4) and re-score: the gauge must agree with level 4's own margin
and with the sentence beside it, on the stored assessment and on the post page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from readiness.assessments.decisions import decision_record
from readiness.assessments.models import Assessment

from ..saying import sentence
from .conftest import load_bamako_as_if_today, scored


def test_after_the_level_4_decision_the_bamako_answer_is_coherent(db, client, duty_officer):  # type: ignore[no-untyped-def]
    post = load_bamako_as_if_today("2025-11-19")
    seen = Assessment.objects.filter(post=post).order_by("-evaluated_at", "-id").first()
    assert seen is not None
    decision_record(
        post=post,
        to_level=4,
        rationale="Reduced presence, as the crisis centre decided on 20 November 2025.",
        user=duty_officer,
        assessment=seen,
        against_recommendation_confirmed=True,
    )
    post.refresh_from_db()
    scored(post)
    newest = Assessment.objects.filter(post=post).order_by("-evaluated_at", "-id").first()
    assert newest is not None and newest.current_level == 4
    levels = newest.explanation["levels"]
    own = levels[4]["margin_days"]
    if (own is not None and own < 0) or levels[4]["deadline"] == "no_means":
        # The people called cannot all leave: never "on time", and the means rule asks.
        assert newest.verdict in ("late", "act_now")
        assert newest.recommended_level >= 4
    else:
        assert newest.verdict != "late" or newest.recommended_level > 4
    text = sentence(newest.explanation)
    ahead = [lv for lv in levels if lv["rank"] > 4 and lv["moves_people"]]
    if "no deadline lies ahead" in text:
        assert all(lv["margin_days"] is None for lv in ahead)

    client.force_login(duty_officer)
    page = client.get(reverse("dashboard:post", args=[post.code]))
    assert page.status_code == 200
    assert escape(text) in page.content.decode()
