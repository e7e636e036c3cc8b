"""What the engine said (Assessment) and what officers decided (Decision).

Both are evidence: neither is ever edited. An Assessment is replaced by a newer one; a
Decision is followed by another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readiness.posts.models import Post

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class Verdict(models.TextChoices):
    LATE = "late", _("Late")
    ACT_NOW = "act_now", _("Act now")
    WATCH = "watch", _("Watch")
    ON_TIME = "on_time", _("On time")
    TOO_EARLY = "too_early", _("Too early")


class ExplanationField(models.JSONField):
    """A JSONField that bulk-inserts as plain VALUES on PostgreSQL.

    Django 5.2 bulk-inserts through UNNEST(arrays) on PostgreSQL, and psycopg then escapes
    each large JSON document inside the array literal with a per-character regex: 22 ms
    per assessment in bench/bench_rescore.py. A field with ``get_placeholder`` is left on
    the ordinary path (django/db/backends/postgresql/compiler.py, assemble_as_sql).
    """

    def get_placeholder(
        self, value: object, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> str:
        return "%s"


class Assessment(models.Model):
    # PROTECT: an assessment is evidence, a post that has any is not deleted with them.
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="assessments")
    evaluated_at = models.DateTimeField(help_text=_("The engine's clock"))
    created_at = models.DateTimeField(default=timezone.now)
    current_level = models.PositiveSmallIntegerField()
    recommended_level = models.PositiveSmallIntegerField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    threat_index = models.FloatField()
    trend_per_day = models.FloatField()
    next_level_margin_days = models.FloatField(null=True, blank=True)
    preparedness = models.FloatField()
    fingerprint = models.CharField(max_length=64, help_text=_("Of the engine's inputs"))
    explanation = ExplanationField()
    # What the overview and the brief read of the explanation, a few hundred bytes beside
    # its tens of kilobytes (readiness.assessments.summary): read without it.
    summary = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        get_latest_by = "evaluated_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(threat_index__gte=0, threat_index__lte=100),
                name="assessment_threat_index_0_100",
            ),
            models.CheckConstraint(
                condition=Q(preparedness__gte=0, preparedness__lte=100),
                name="assessment_preparedness_0_100",
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="assessment_verdict_valid"
            ),
        ]
        indexes = [
            # Dashboards read the newest assessment of each post.
            models.Index(fields=["post", "-evaluated_at"], name="assessment_post_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} at {self.evaluated_at:%Y-%m-%d %H:%M}: {self.verdict}"


class DecisionOrigin(models.TextChoices):
    """Where a decision row comes from. Only an officer's decision in this system is taken
    against an assessment (required: the checks "against the recommendation" and "your
    view is out of date" need it); a scenario file transcribes a past crisis's decisions,
    which no assessment of this system saw; legacy rows were recorded before the
    assessment was required (migration 0008) and the daily brief flags them."""

    OFFICER = "officer", _("Recorded by an officer")
    SCENARIO = "scenario", _("Loaded from a scenario file")
    LEGACY = "legacy", _("Recorded without an assessment (before it was required)")


class Decision(models.Model):
    """An officer's change of level: append-only, the decision log is evidence."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="decisions")
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_name = models.CharField(
        max_length=120, blank=True, help_text=_("Who decided, when not a user of this system")
    )
    rationale = models.TextField()
    # Required for every decision recorded in this system (decision_assessment_required);
    # NULL only for the origins that never had one (DecisionOrigin).
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    origin = models.CharField(
        max_length=10, choices=DecisionOrigin.choices, default=DecisionOrigin.OFFICER
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_level=F("to_level")), name="decision_changes_level"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
            models.CheckConstraint(
                condition=Q(origin__in=DecisionOrigin.values), name="decision_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(assessment__isnull=False)
                | Q(origin__in=[DecisionOrigin.SCENARIO, DecisionOrigin.LEGACY]),
                name="decision_assessment_required",
            ),
            # A transcribed decision cannot pose as one of this system's users'.
            models.CheckConstraint(
                condition=~Q(origin=DecisionOrigin.SCENARIO) | Q(decided_by__isnull=True),
                name="decision_scenario_has_no_user",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.post.code}: {self.from_level} → {self.to_level} on {self.decided_at:%Y-%m-%d}"
        )

    def clean(self) -> None:
        if self.origin == DecisionOrigin.OFFICER and self.assessment_id is None:
            raise ValidationError(
                {"assessment": _("A decision is taken against an assessment of the post.")}
            )
        assessment = self.assessment if self.assessment_id is not None else None
        if (
            assessment is not None
            and self.post_id is not None
            and assessment.post_id != self.post_id
        ):
            raise ValidationError({"assessment": _("That assessment is of another post.")})


class RecommendationChange(models.Model):
    """The recommended level or the verdict of a post changed: history for the dashboard and
    an outbox for notifications at once (``processed_at`` is NULL until notified)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="recommendation_changes")
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="change")
    created_at = models.DateTimeField(default=timezone.now)
    from_level = models.PositiveSmallIntegerField(null=True, blank=True)
    to_level = models.PositiveSmallIntegerField()
    from_verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    to_verdict = models.CharField(max_length=10, choices=Verdict.choices)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The notifier claims unprocessed rows; once processed they are only history.
            models.Index(
                fields=["created_at"],
                condition=Q(processed_at__isnull=True),
                name="change_unprocessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code}: {self.from_level}/{self.from_verdict} → {self.to_level}/{self.to_verdict}"
