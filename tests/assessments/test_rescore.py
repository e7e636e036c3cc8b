"""Re-scoring a post: inputs loaded in a fixed number of queries, assessments stored
without duplicates, recommendation changes recorded once, bursts coalesced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from readiness.assessments import services
from readiness.assessments.models import Assessment, RecommendationChange
from readiness.assessments.selectors import scoring_inputs
from readiness.engine import contributions_from_dict
from readiness.engine.assessment import EXPLANATION_FORMAT
from readiness.evidence import evidence_path
from readiness.posts.models import Post
from tests.factories import (
    CommunityFactory,
    ExitRouteFactory,
    IndicatorFactory,
    PostFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():  # type: ignore[no-untyped-def]
    post = PostFactory()
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    StaffMemberFactory.create_batch(3, post=post)
    return post


def test_rescore_stores_an_assessment_with_its_explanation(post):  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory(post=post, severity=5, credibility=1, reliability="A")
    assessment = services.post_rescore(post_id=post.pk)
    assert assessment.pk
    assert assessment.threat_index > 0
    explanation = assessment.explanation
    assert explanation["verdict"] == assessment.verdict
    (row,) = contributions_from_dict(explanation)  # each indicator's contribution is explained
    assert row["id"] == str(indicator.pk) and row["weight"] > 0
    assert explanation["routes"][0]["key"] == post.routes.get().key


def test_nothing_changed_means_no_duplicate(post):  # type: ignore[no-untyped-def]
    IndicatorFactory(post=post)
    now = timezone.now()
    services.post_rescore(post_id=post.pk, now=now)
    services.post_rescore(post_id=post.pk, now=now)  # the hold memory settles
    count = Assessment.objects.count()
    again = services.post_rescore(post_id=post.pk, now=now)
    assert Assessment.objects.count() == count
    assert again == Assessment.objects.filter(post=post).latest()


def test_an_explanation_in_an_older_format_is_replaced_even_when_nothing_changed(post):  # type: ignore[no-untyped-def]
    IndicatorFactory(post=post)
    now = timezone.now()
    services.post_rescore(post_id=post.pk, now=now)
    settled = services.post_rescore(post_id=post.pk, now=now)  # the hold memory settles
    old = dict(settled.explanation)
    del old["format"]  # as stored before the format mark (and the French codes)
    with evidence_path("migration"):  # as a data migration would have left it
        Assessment.objects.filter(pk=settled.pk).update(explanation=old)
    renewed = services.post_rescore(post_id=post.pk, now=now)
    assert renewed.pk != settled.pk
    assert renewed.explanation["format"] == EXPLANATION_FORMAT
    assert services.post_rescore(post_id=post.pk, now=now).pk == renewed.pk, "then deduplicated"


def test_a_duplicate_is_recognised_before_its_explanation_is_built(post, monkeypatch):  # type: ignore[no-untyped-def]
    IndicatorFactory(post=post)
    now = timezone.now()
    services.post_rescore(post_id=post.pk, now=now)
    services.post_rescore(post_id=post.pk, now=now)
    built = []
    real_assess = services.assess

    def counting_assess(inputs):  # type: ignore[no-untyped-def]
        result = real_assess(inputs)
        to_dict = result.to_dict  # the engine's Assessment is frozen: wrap, not patch

        class Counting:
            def __getattr__(self, name):  # type: ignore[no-untyped-def]
                return getattr(result, name)

            def to_dict(self):  # type: ignore[no-untyped-def]
                built.append(1)
                return to_dict()

        return Counting()

    monkeypatch.setattr(services, "assess", counting_assess)
    services.post_rescore(post_id=post.pk, now=now)
    assert built == []


def test_the_garbage_collector_is_paused_while_scoring_and_resumes_after(post, monkeypatch):  # type: ignore[no-untyped-def]
    import gc

    seen = []
    real_assess = services.assess

    def watching_assess(inputs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real_assess(inputs)

    monkeypatch.setattr(services, "assess", watching_assess)
    assert gc.isenabled()
    services.post_rescore(post_id=post.pk)
    assert seen == [False] and gc.isenabled()

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("bad data")

    monkeypatch.setattr(services, "scoring_inputs", broken)
    with pytest.raises(services.RescoreFailed, match="ZeroDivisionError: bad data"):
        services.post_rescore(post_id=post.pk)
    assert gc.isenabled(), "resumed after an error too"


def test_a_new_indicator_raises_the_threat_index(post):  # type: ignore[no-untyped-def]
    before = services.post_rescore(post_id=post.pk)
    IndicatorFactory(post=post, severity=5, reliability="A", credibility=1)
    after = services.post_rescore(post_id=post.pk)
    assert after.pk != before.pk
    assert after.threat_index > before.threat_index


def test_recommendation_change_is_recorded_once_for_the_notifier(post):  # type: ignore[no-untyped-def]
    services.post_rescore(post_id=post.pk)
    assert RecommendationChange.objects.count() == 1  # the first assessment
    IndicatorFactory.create_batch(6, post=post, severity=5, reliability="A", credibility=1)
    assessment = services.post_rescore(post_id=post.pk)
    change = RecommendationChange.objects.get(assessment=assessment)
    assert change.from_level == 0
    assert change.to_level == assessment.recommended_level > 0
    # Both rows wait in the outbox for readiness.notifications (tests/notifications).
    assert RecommendationChange.objects.filter(processed_at__isnull=True).count() == 2


def inputs_of(post, now):  # type: ignore[no-untyped-def]
    (item,) = scoring_inputs(post_ids=[post.pk], now=now)
    return item.inputs


def test_inputs_carry_each_indicator_s_event_and_direction_to_the_engine(post):  # type: ignore[no-untyped-def]
    now = timezone.now()
    reopened = IndicatorFactory(
        post=post,
        category="transport",
        severity=2,
        observed_at=now - dt.timedelta(hours=3),
        event="kayes-road",
        de_escalation=True,
    )
    plain = IndicatorFactory(post=post, observed_at=now - dt.timedelta(hours=2))
    loaded = {i.id: i for i in inputs_of(post, timezone.now()).indicators}
    first, second = loaded[str(reopened.pk)], loaded[str(plain.pk)]
    assert (first.event, first.de_escalation) == ("kayes-road", True)
    assert (second.event, second.de_escalation) == ("", False)
    # The fields before them keep their places (they are given by position).
    assert (first.category.value, first.severity, first.reliability.value) == (
        "transport",
        2,
        "B",
    )
    assert first.observed_at == reopened.observed_at and first.recorded_at == reopened.recorded_at


def test_inputs_cost_a_fixed_number_of_queries_whatever_the_posts_and_rows(post):  # type: ignore[no-untyped-def]
    services.post_rescore(post_id=post.pk)  # a previous assessment to read

    def queries() -> int:
        ids = list(Post.objects.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            scoring_inputs(post_ids=ids, now=timezone.now())
        return len(captured)

    few = queries()
    IndicatorFactory.create_batch(30, post=post)
    StaffMemberFactory.create_batch(20, post=post)
    ExitRouteFactory.create_batch(3, post=post)
    for _ in range(3):
        other = PostFactory()
        IndicatorFactory.create_batch(5, post=other)
        services.post_rescore(post_id=other.pk)
    assert queries() == few


def test_a_batch_stores_all_its_assessments_in_one_insert(post, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    ids = [post.pk] + [PostFactory().pk for _ in range(5)]
    with django_assert_max_num_queries(20):
        newest = services.posts_rescore(post_ids=ids)
    assert set(newest) == set(ids)
    assert Assessment.objects.count() == 6


def test_old_and_future_indicators_are_not_loaded(post):  # type: ignore[no-untyped-def]
    now = timezone.now() + dt.timedelta(seconds=1)
    IndicatorFactory(post=post, observed_at=now - dt.timedelta(days=2000), text="ancient")
    recent = IndicatorFactory(post=post, observed_at=now - dt.timedelta(days=1))
    IndicatorFactory(
        post=post, observed_at=now - dt.timedelta(days=1), recorded_at=now + dt.timedelta(days=1)
    )
    inputs = inputs_of(post, now)
    assert [i.id for i in inputs.indicators] == [str(recent.pk)]


def test_an_ongoing_condition_that_has_not_ended_is_loaded_however_old(post):  # type: ignore[no-untyped-def]
    now = timezone.now() + dt.timedelta(seconds=1)
    blockade = IndicatorFactory(post=post, ongoing=True, observed_at=now - dt.timedelta(days=2000))
    inputs = inputs_of(post, now)
    assert [i.id for i in inputs.indicators] == [str(blockade.pk)]


def forget_pending_callbacks() -> None:
    """The test runs in one transaction, so the fixtures' own re-score requests are still
    pending; drop them so the test counts only its own."""
    transaction.get_connection().run_on_commit.clear()


def test_many_writes_in_one_transaction_queue_one_rescore(post, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    forget_pending_callbacks()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        IndicatorFactory.create_batch(50, post=post)
        post.routes.update(status="closed")
        StaffMemberFactory(post=post)
    assert len(callbacks) == 1


def test_writes_to_two_posts_queue_one_rescore_each(post, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    other = PostFactory()
    forget_pending_callbacks()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        IndicatorFactory.create_batch(5, post=post)
        IndicatorFactory.create_batch(5, post=other)
    assert len(callbacks) == 2


def test_a_claim_coalesces_requests_until_the_re_score_releases_it(post, monkeypatch):  # type: ignore[no-untyped-def]
    queued = []
    monkeypatch.setattr(
        "readiness.assessments.tasks.rescore_post.apply_async",
        lambda args, countdown: queued.append(args),
    )
    assert services._claim_and_queue(post.pk) is True
    assert services._claim_and_queue(post.pk) is False
    assert services._claim_and_queue(post.pk) is False
    assert queued == [(post.pk,)]
    release(post)
    assert services._claim_and_queue(post.pk) is True
    assert len(queued) == 2


def release(post):  # type: ignore[no-untyped-def]
    """What a stored re-score does to the claim it covered."""
    Post.objects.filter(pk=post.pk).update(rescore_requested_at=None)


def test_the_first_write_after_a_quiet_spell_is_scored_at_once_a_burst_waits(post, monkeypatch):  # type: ignore[no-untyped-def]
    countdowns = []
    monkeypatch.setattr(
        "readiness.assessments.tasks.rescore_post.apply_async",
        lambda args, countdown: countdowns.append(countdown),
    )
    assert services._claim_and_queue(post.pk) is True  # nothing stored yet: quiet
    services.post_rescore(post_id=post.pk)  # the re-score it asked for, just now
    release(post)
    assert services._claim_and_queue(post.pk) is True  # right after: a burst
    assert countdowns == [0, services.COALESCE_SECONDS]
    with evidence_path("migration"):  # time passes: the stored one is older
        Assessment.objects.filter(post=post).update(
            created_at=timezone.now() - dt.timedelta(seconds=services.QUIET_SECONDS + 1)
        )
    release(post)
    assert services._claim_and_queue(post.pk) is True
    assert countdowns[-1] == 0


def test_a_stale_claim_is_taken_again(post, monkeypatch):  # type: ignore[no-untyped-def]
    queued = []
    monkeypatch.setattr(
        "readiness.assessments.tasks.rescore_post.apply_async",
        lambda args, countdown: queued.append(args),
    )
    Post.objects.filter(pk=post.pk).update(
        rescore_requested_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services._claim_and_queue(post.pk) is True


def test_broker_down_keeps_the_write_and_the_request(post, monkeypatch):  # type: ignore[no-untyped-def]
    def broker_down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("readiness.assessments.tasks.rescore_post.apply_async", broker_down)
    assert services._claim_and_queue(post.pk) is False
    post.refresh_from_db()
    assert post.rescore_requested_at is not None, "the request stands until the periodic job"
    assert post.pk in services.posts_due_for_reevaluation()


def test_a_failing_post_is_recorded_and_left_out_for_an_hour(post, monkeypatch):  # type: ignore[no-untyped-def]
    from readiness.assessments.tasks import rescore_post

    def broken(inputs):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("bad data")

    monkeypatch.setattr(services, "assess", broken)
    with pytest.raises(services.RescoreFailed):
        rescore_post.apply(args=(post.pk,), throw=True)
    post.refresh_from_db()
    assert "ZeroDivisionError: bad data" in post.rescore_error
    assert post.pk not in services.posts_due_for_reevaluation()
    assert post.pk in services.posts_due_for_reevaluation(
        now=timezone.now() + dt.timedelta(hours=2)
    )


def test_periodic_job_rescores_every_post(post):  # type: ignore[no-untyped-def]
    from readiness.assessments.tasks import reevaluate_all_posts

    other = PostFactory()
    assert reevaluate_all_posts.apply().get() == 2  # eager: its chunk tasks ran too
    assert Assessment.objects.filter(post=post).exists()
    assert Assessment.objects.filter(post=other).exists()


def test_one_bad_post_does_not_stop_the_others(post, monkeypatch):  # type: ignore[no-untyped-def]
    other = PostFactory()
    real_assess = services.assess

    def assess_but_not_post(inputs):  # type: ignore[no-untyped-def]
        if inputs.population.citizens_registered == post.community.registered:
            raise ValueError("corrupt roster")
        return real_assess(inputs)

    monkeypatch.setattr(services, "assess", assess_but_not_post)
    with pytest.raises(services.RescoreFailed, match="corrupt roster"):
        services.posts_rescore(post_ids=[post.pk, other.pk])
    assert Assessment.objects.filter(post=other).exists(), "stored despite the other's failure"
    post.refresh_from_db()
    assert "corrupt roster" in post.rescore_error


def test_a_post_without_its_current_level_is_reported_not_crashed(post):  # type: ignore[no-untyped-def]
    Post.objects.filter(pk=post.pk).update(level=42)
    with pytest.raises(services.RescoreFailed, match="current_level 42"):
        services.post_rescore(post_id=post.pk)
    post.refresh_from_db()
    assert "current_level 42" in post.rescore_error


def test_a_post_that_recovers_loses_its_error(post):  # type: ignore[no-untyped-def]
    Post.objects.filter(pk=post.pk).update(
        rescore_error="old failure", rescore_failed_at=timezone.now()
    )
    services.post_rescore(post_id=post.pk)
    post.refresh_from_db()
    assert post.rescore_error == ""


def test_pruning_keeps_recent_daily_and_evidence(post):  # type: ignore[no-untyped-def]
    from readiness.assessments.models import Decision

    def stored(at: dt.datetime) -> Assessment:
        return Assessment.objects.create(
            post=post, evaluated_at=at, current_level=0, recommended_level=0, verdict="on_time",
            threat_index=10, trend_per_day=0, preparedness=50, fingerprint="f", explanation={},
        )  # fmt: skip

    now = timezone.now()
    old_day = (now - dt.timedelta(days=30)).replace(hour=6)
    morning, noon, evening = (stored(old_day + dt.timedelta(hours=h)) for h in (0, 6, 12))
    evidence = stored(old_day + dt.timedelta(hours=3))
    Decision.objects.create(post=post, from_level=0, to_level=1, rationale="r", assessment=evidence)
    flagged = stored(old_day + dt.timedelta(hours=9))
    RecommendationChange.objects.create(
        post=post, assessment=flagged, to_level=0, to_verdict="on_time"
    )
    recent = [stored(now - dt.timedelta(hours=h)) for h in (1, 2, 3)]

    deleted = services.assessments_prune(now=now)
    assert deleted == 2
    kept = set(Assessment.objects.values_list("pk", flat=True))
    assert kept == {evening.pk, evidence.pk, flagged.pk, *(a.pk for a in recent)}
    assert morning.pk not in kept and noon.pk not in kept


def test_inputs_carry_the_source_so_that_corroboration_counts(post):  # type: ignore[no-untyped-def]
    """Two sources reporting one event raise its credibility (engine step 1): the loader
    must give the engine each report's source."""
    now = timezone.now()
    afp = IndicatorFactory(
        post=post, observed_at=now - dt.timedelta(hours=3), event="siege", source="AFP"
    )
    IndicatorFactory(
        post=post, observed_at=now - dt.timedelta(hours=2), event="siege", source="Reuters"
    )
    loaded = {i.id: i for i in inputs_of(post, timezone.now()).indicators}
    assert loaded[str(afp.pk)].source == "AFP"
    assert {i.source for i in loaded.values() if i.event == "siege"} == {"AFP", "Reuters"}


def test_the_models_that_request_a_re_score_are_the_ones_scoring_reads(post):  # type: ignore[no-untyped-def]
    """One list (SCORING_INPUTS): the tables scoring_inputs queries are exactly those of
    the models whose saves request a re-score (and the assessments, its previous answer)."""
    import re

    from readiness.assessments.selectors import SCORING_INPUTS

    with CaptureQueriesContext(connection) as queries:
        scoring_inputs(post_ids=[post.pk], now=timezone.now())
    read = {
        table
        for q in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', q["sql"])
    }
    watched = {model._meta.db_table for model in SCORING_INPUTS}
    assert read - {Assessment._meta.db_table} == watched


def test_a_stored_assessment_is_the_post_s_newest_with_its_summary(post):  # type: ignore[no-untyped-def]
    from readiness.assessments.summary import summary_of

    first = services.post_rescore(post_id=post.pk)
    IndicatorFactory(post=post, severity=5, reliability="A", credibility=1)
    second = services.post_rescore(post_id=post.pk)
    post.refresh_from_db()
    assert first.pk != second.pk and post.newest_assessment_id == second.pk
    assert second.summary == summary_of(second.explanation)
    assert second.summary["trend"] == [
        p["threat_index"] for p in second.explanation["trend"]["points"]
    ]


def test_an_older_evaluation_finishing_last_does_not_take_the_pointer(post):  # type: ignore[no-untyped-def]
    """Two re-scores of one post race: the one evaluated later stays the newest."""
    later = services.post_rescore(post_id=post.pk)
    earlier = Assessment.objects.create(
        post=post, evaluated_at=later.evaluated_at - dt.timedelta(minutes=5), current_level=0,
        recommended_level=0, verdict="on_time", threat_index=10, trend_per_day=0,
        preparedness=50, fingerprint="f", explanation={},
    )  # fmt: skip
    services.newest_assessment_point(assessments=[earlier], evaluated_at=earlier.evaluated_at)
    post.refresh_from_db()
    assert post.newest_assessment_id == later.pk


def test_deleting_the_newest_assessment_leaves_no_dangling_pointer(post):  # type: ignore[no-untyped-def]
    newest = services.post_rescore(post_id=post.pk)
    with evidence_path("prune"):  # the one path that deletes assessments
        newest.delete()
    post.refresh_from_db()
    assert post.newest_assessment_id is None


def test_the_rescore_command_goes_on_past_a_failing_post(post, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    from django.core.management import CommandError, call_command

    other = PostFactory(code="ZZ-ZZZ")
    real = services.assess

    def broken_for_the_first(inputs):  # type: ignore[no-untyped-def]
        if not broken_for_the_first.done:  # posts go by code: the fixture's post first
            broken_for_the_first.done = True
            raise ZeroDivisionError("bad data")
        return real(inputs)

    broken_for_the_first.done = False  # type: ignore[attr-defined]
    monkeypatch.setattr(services, "assess", broken_for_the_first)
    with pytest.raises(CommandError, match=post.code):
        call_command("rescore", post.code, other.code)
    out = capsys.readouterr()
    assert f"{post.code}: re-scoring failed" in out.err
    assert f"{other.code}: level" in out.out
    assert Assessment.objects.filter(post=other).exists()


def test_several_posts_are_claimed_together_as_each_alone(post, monkeypatch):  # type: ignore[no-untyped-def]
    """_claims_and_queue (a feed's delivery to several posts) does for each post what
    _claim_and_queue does: claims a free or stale claim and queues (at once after a quiet
    spell, after COALESCE_SECONDS in a burst), moves a standing claim by a tick."""
    queued = []
    monkeypatch.setattr(
        "readiness.assessments.tasks.rescore_post.apply_async",
        lambda args, countdown: queued.append((args[0], countdown)),
    )
    free, standing, stale, burst = post, PostFactory(), PostFactory(), PostFactory()
    services.post_rescore(post_id=burst.pk)  # scored just now: a write to it is a burst
    held = timezone.now() - dt.timedelta(seconds=5)
    Post.objects.filter(pk=standing.pk).update(rescore_requested_at=held)
    Post.objects.filter(pk=stale.pk).update(
        rescore_requested_at=timezone.now() - dt.timedelta(hours=1)
    )
    ids = [burst.pk, stale.pk, standing.pk, free.pk, 999_999]  # and a post that is gone
    with CaptureQueriesContext(connection) as captured:
        claimed = services._claims_and_queue(ids)
    assert sorted(claimed) == sorted([free.pk, stale.pk, burst.pk])
    assert sorted(queued) == sorted(
        [(free.pk, 0), (stale.pk, 0), (burst.pk, services.COALESCE_SECONDS)]
    )
    by_pk = dict(Post.objects.values_list("pk", "rescore_requested_at"))
    assert by_pk[standing.pk] == held + services._CLAIM_TICK, "moved by a tick, kept"
    assert by_pk[free.pk] is not None and by_pk[stale.pk] > held
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == 2, "one to claim, one for the quiet ones"
    queued.clear()
    assert services._claims_and_queue(ids) == [] and queued == [], "the claims stand"
    for claimed_post in (free, stale, burst, standing):
        release(claimed_post)
    assert sorted(services._claims_and_queue(ids)) == sorted(
        [free.pk, stale.pk, standing.pk, burst.pk]
    )


def test_a_write_to_several_posts_asks_once_per_post_after_commit(  # type: ignore[no-untyped-def]
    post, monkeypatch, django_capture_on_commit_callbacks
):
    asked: list[list[int]] = []
    monkeypatch.setattr(services, "_claims_and_queue", asked.append)
    monkeypatch.setattr(services, "_claim_and_queue", lambda pk: asked.append([pk]))
    other, third = PostFactory(), PostFactory()
    forget_pending_callbacks()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.post_rescore_enqueue(post_id=third.pk)
        services.posts_rescore_enqueue(post_ids=[post.pk, other.pk, post.pk, third.pk])
        services.posts_rescore_enqueue(post_ids=[other.pk, post.pk])  # asked already
        services.post_rescore_enqueue(post_id=other.pk)  # so is this one
    assert sorted(map(sorted, asked)) == sorted([[third.pk], sorted([post.pk, other.pk])])
    asked.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                services.posts_rescore_enqueue(post_ids=[post.pk, other.pk])
                raise RuntimeError("undone")
        except RuntimeError:
            pass
    assert asked == [], "nothing asked for a write that was undone"
