"""`load_scenario` over a live post: a post holding records nobody loaded from the file
(a feed's or an officer's indicators, decisions, route checks) is refused unless
--over-live, and even then nothing of theirs is deleted, rewritten or undone, and the
level never moves without a Decision. Reloading a file onto its own post stays idempotent."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from readiness.assessments.decisions import decision_record
from readiness.assessments.models import Assessment, Decision, DecisionOrigin
from readiness.assessments.services import post_rescore
from readiness.indicators.corrections import indicator_withdraw
from readiness.indicators.models import Indicator
from readiness.indicators.services import feed_create, indicator_record
from readiness.posts.models import Post
from tests.factories import UserFactory
from tests.scenarios.test_load_command import snapshot

pytestmark = pytest.mark.django_db

BAMAKO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_scenario", str(BAMAKO), *args, stdout=out)
    return out.getvalue()


def scenario_decisions(post: Post) -> list[tuple[int, int]]:
    return list(
        Decision.objects.filter(post=post, origin=DecisionOrigin.SCENARIO)
        .order_by("pk")
        .values_list("pk", "to_level")
    )


@pytest.fixture
def bamako_loaded(db):  # type: ignore[no-untyped-def]
    load("--as-of", "2025-11-10")
    return Post.objects.get(code="ML-BKO")


def feed_indicator(post: Post) -> Indicator:
    feed, _token = feed_create(name="Sahel watch", reliability="B", posts=[post])
    first = post.indicators.order_by("observed_at").first()
    assert first is not None
    return indicator_record(
        post=post, category="incident", severity=4, reliability="B", credibility=2,
        source="Sahel watch", text="Convoy attacked near Kati", observed_at=first.observed_at,
        external_id="sw-77", feed=feed,
    )  # fmt: skip


def officer_decision(post: Post) -> Decision:
    seen = post_rescore(post_id=post.pk)
    post.refresh_from_db()
    return decision_record(
        post=post, to_level=post.level + 1, rationale="Raised at the morning meeting",
        user=UserFactory(username="duty"), assessment=seen,
        against_recommendation_confirmed=True,
    )  # fmt: skip


def test_reloading_its_own_file_onto_its_post_is_idempotent(bamako_loaded):  # type: ignore[no-untyped-def]
    post_rescore(post_id=bamako_loaded.pk)  # `make run` scores between loads
    before = snapshot()
    assert "already up to date" in load("--as-of", "2025-11-10")
    assert snapshot() == before


def test_a_feed_s_indicator_makes_the_post_live_and_the_load_is_refused(bamako_loaded):  # type: ignore[no-untyped-def]
    feed_indicator(bamako_loaded)
    before = snapshot()
    with pytest.raises(CommandError) as error:
        load()  # the whole timeline: it would add and re-date rows
    message = str(error.value)
    assert "ML-BKO" in message and "1 indicators delivered by feeds" in message
    assert "Nothing was loaded" in message and "--over-live" in message
    assert snapshot() == before


def test_an_officer_s_decision_makes_the_post_live(bamako_loaded):  # type: ignore[no-untyped-def]
    decision = officer_decision(bamako_loaded)
    with pytest.raises(CommandError, match="1 decisions not in this file"):
        load()
    post = Post.objects.get(pk=bamako_loaded.pk)
    assert post.level == decision.to_level
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_an_officer_s_route_check_makes_the_post_live(client, bamako_loaded):  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(username="duty", is_staff=True))
    route = bamako_loaded.routes.get(key="road-dakar")
    prefix = f"route-{route.pk}"
    response = client.post(
        reverse("dashboard:route_check", args=["ML-BKO", route.pk]),
        {f"{prefix}-status": "closed", f"{prefix}-note": "Checkpoint at Kati shut"},
    )
    assert response.status_code == 302
    with pytest.raises(CommandError, match="1 route checks or edits by people"):
        load()
    route.refresh_from_db()
    assert route.status == "closed" and "Checkpoint at Kati shut" in route.notes


def test_over_live_adds_the_file_s_records_and_undoes_nothing(client, bamako_loaded):  # type: ignore[no-untyped-def]
    fed = feed_indicator(bamako_loaded)
    decision = officer_decision(bamako_loaded)
    client.force_login(UserFactory(username="checker", is_staff=True))
    route = bamako_loaded.routes.get(key="road-dakar")
    prefix = f"route-{route.pk}"
    client.post(
        reverse("dashboard:route_check", args=["ML-BKO", route.pk]),
        {f"{prefix}-status": "open", f"{prefix}-seats_per_day": "40"},
    )
    route.refresh_from_db()
    checked = (route.status, route.seats_per_day, route.verified_at)
    level = Post.objects.get(pk=bamako_loaded.pk).level
    indicators_before = Indicator.objects.filter(post=bamako_loaded).count()
    file_decisions = scenario_decisions(bamako_loaded)

    out = load("--over-live")  # the whole timeline over a live post

    post = Post.objects.get(pk=bamako_loaded.pk)
    assert post.level == level, "the level moves only by a Decision"
    assert Decision.objects.get(pk=decision.pk).rationale == "Raised at the morning meeting"
    assert scenario_decisions(post) == file_decisions, "none loaded over a live log"
    assert Indicator.objects.get(pk=fed.pk).text == "Convoy attacked near Kati"
    route.refresh_from_db()
    assert (route.status, route.seats_per_day, route.verified_at) == checked
    assert Indicator.objects.filter(post=post).count() > indicators_before, "the file's added"
    assert "kept as they were (live)" in out


def test_an_indicator_withdrawn_by_an_officer_is_not_brought_back(bamako_loaded):  # type: ignore[no-untyped-def]
    loaded = Indicator.objects.filter(post=bamako_loaded).first()
    assert loaded is not None
    indicator_withdraw(indicator=loaded, reason="Double-counted", user=UserFactory())
    with pytest.raises(CommandError, match="withdrawn or corrected by people"):
        load("--as-of", "2025-11-10")
    load("--as-of", "2025-11-10", "--over-live")
    loaded.refresh_from_db()
    assert loaded.withdrawn_at is not None and loaded.withdrawal_reason == "Double-counted"


def test_over_live_with_an_earlier_date_removes_only_the_file_s_rows(bamako_loaded):  # type: ignore[no-untyped-def]
    fed = feed_indicator(bamako_loaded)
    file_rows = Indicator.objects.filter(post=bamako_loaded, feed__isnull=True).count()
    load("--as-of", "2025-10-01", "--over-live")
    assert Indicator.objects.filter(pk=fed.pk).exists(), "a feed's indicator is never removed"
    assert Indicator.objects.filter(post=bamako_loaded, feed__isnull=True).count() < file_rows


def test_the_demo_path_still_works(db):  # type: ignore[no-untyped-def]
    """`make run`: migrate, load as if today, re-score; and the same again next time."""
    load("--as-if-today", "2025-11-19")
    post = Post.objects.get(code="ML-BKO")
    post_rescore(post_id=post.pk)
    load("--as-if-today", "2025-11-19")
    call_command("rescore", stdout=io.StringIO())
    assert Assessment.objects.filter(post=post).exists()
    assert Post.objects.get(pk=post.pk).level == 3
