"""Indicators: dated observations that feed the threat index."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from readiness.posts import limits
from readiness.posts.models import Category, Post

# Clocks of feeds and browsers drift; an observation this far ahead is still accepted.
FUTURE_TOLERANCE_SECONDS = 300

EVENT_MAX_LENGTH = 100
# An event is a key people and feeds repeat to say "the same event": letters, digits and a
# few separators, no spaces (a trailing space must not split one event in two).
EVENT_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*\Z"
event_key = RegexValidator(
    EVENT_KEY_PATTERN,
    message=_(
        "An event is a short key of letters, digits and . _ : - without spaces, "
        "e.g. kayes-road-blockade."
    ),
    code="event_key",
)


class Reliability(models.TextChoices):
    A = "A", _("A — completely reliable")
    B = "B", _("B — usually reliable")
    C = "C", _("C — fairly reliable")
    D = "D", _("D — not usually reliable")
    E = "E", _("E — unreliable")
    F = "F", _("F — cannot be judged")


class Credibility(models.IntegerChoices):
    CONFIRMED = 1, _("1 — confirmed")
    PROBABLE = 2, _("2 — probably true")
    POSSIBLE = 3, _("3 — possibly true")
    DOUBTFUL = 4, _("4 — doubtful")
    IMPROBABLE = 5, _("5 — improbable")
    UNKNOWN = 6, _("6 — cannot be judged")


class Feed(models.Model):
    """An automated source that pushes indicators over the HTTP API (docs/api.md). The
    administrator grades the source's reliability once, here: a feed does not grade
    itself. It may write only to the posts listed."""

    name = models.CharField(max_length=120, unique=True)
    reliability = models.CharField(
        max_length=1,
        choices=Reliability.choices,
        help_text=_("The source grade every indicator from this feed carries"),
    )
    posts = models.ManyToManyField(
        Post, blank=True, related_name="feeds", help_text=_("The posts this feed may write to")
    )
    is_active = models.BooleanField(default=True)
    can_read = models.BooleanField(
        default=False,
        help_text=_(
            "It may also read the newest assessment of each of its posts over the API "
            "(GET /api/v1/overview and /api/v1/posts/<code>/assessment)"
        ),
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        max_length=12, editable=False, help_text=_("The token's first characters")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reliability__in=Reliability.values), name="feed_reliability_a_f"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """An event (weighs from ``observed_at`` and decays) or an ongoing condition (weighs fully
    until ``ended_at``, then decays)."""

    # PROTECT: indicators are evidence, a post that has any is not deleted with them.
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="indicators")
    category = models.CharField(max_length=24, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=_("1 minor … 5 extreme")
    )
    reliability = models.CharField(max_length=1, choices=Reliability.choices)
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices)
    source = models.CharField(max_length=200)
    text = models.TextField()
    observed_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    ongoing = models.BooleanField(default=False, help_text=_("A condition rather than an event"))
    ended_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(
        max_length=200, blank=True, help_text=_("Feed's own id, or a scenario key: de-duplicates")
    )
    event = models.CharField(
        max_length=EVENT_MAX_LENGTH,
        blank=True,
        validators=[event_key],
        help_text=_(
            "The event this report is about, as a short key (e.g. kayes-road-blockade). "
            "Reports sharing it are one piece of evidence, and a later one re-confirms an "
            "ongoing condition. Empty: an event of its own."
        ),
    )
    de_escalation = models.BooleanField(
        default=False,
        help_text=_("It lowers the threat: a route reopened, a ceasefire, a curfew lifted"),
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feed = models.ForeignKey(
        Feed,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text=_("The feed that delivered it, if one did"),
    )
    # Corrections and withdrawals (readiness.indicators.corrections): an indicator is
    # evidence and never rewritten. A correction is a new row pointing at the one it
    # corrects, which is withdrawn by it; a withdrawal stops the row weighing from
    # ``withdrawn_at`` (its expiry is brought forward to then, as a feed's CAP Cancel does)
    # and says who withdrew it and why.
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="correction",
        help_text=_("The indicator this one corrects (and supersedes)"),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-observed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=5), name="indicator_severity_1_5"
            ),
            models.CheckConstraint(
                condition=Q(reliability__in=Reliability.values), name="indicator_reliability_a_f"
            ),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6),
                name="indicator_credibility_1_6",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="indicator_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ongoing=True, ended_at__gte=F("observed_at")),
                name="indicator_only_ongoing_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("observed_at")),
                name="indicator_expires_after_observed",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__lt=limits.LATEST_EXPIRY),
                name="indicator_expires_before_2101",
            ),
            # Dates Python can read back (limits.EARLIEST_DATE, issue 9); ended_at follows
            # observed_at and expires_at is bounded above.
            models.CheckConstraint(
                condition=Q(observed_at__gte=limits.EARLIEST_DATE)
                & Q(observed_at__lt=limits.LATEST_DATE),
                name="indicator_observed_1900_2100",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__lt=limits.LATEST_DATE),
                name="indicator_ended_before_2101",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="indicator_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(corrects=F("id")), name="indicator_does_not_correct_itself"
            ),
            models.UniqueConstraint(
                fields=["post", "external_id"],
                condition=~Q(external_id=""),
                name="indicator_external_id_unique_per_post",
            ),
        ]
        indexes = [
            # The engine loads a post's indicators newest first; the post page lists them.
            models.Index(fields=["post", "-observed_at"], name="indicator_post_observed"),
            # The reports of one event at a post, gathered: a CAP message's referenced
            # event, an officer looking an event up. Most indicators have none.
            models.Index(
                fields=["post", "event"], name="indicator_post_event", condition=~Q(event="")
            ),
            # The sweeper's "recorded after the newest assessment" (assessments.selectors).
            models.Index(fields=["post", "recorded_at"], name="indicator_post_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.severity}: {self.text[:60]}"

    def clean(self) -> None:
        # Out-of-range dates first (issue 9): the other rules compare them.
        limits.dates_within_limits(
            observed_at=self.observed_at, expires_at=self.expires_at, ended_at=self.ended_at
        )
        now = timezone.now()
        errors = {}
        if self.observed_at and (self.observed_at - now).total_seconds() > FUTURE_TOLERANCE_SECONDS:
            errors["observed_at"] = _("An indicator cannot be observed in the future.")
        if self.ended_at and not self.ongoing:
            errors["ended_at"] = _("Only an ongoing condition can end.")
        elif self.ended_at and self.observed_at and self.ended_at < self.observed_at:
            errors["ended_at"] = _("It cannot end before it was observed.")
        if self.expires_at and self.observed_at and self.expires_at <= self.observed_at:
            errors["expires_at"] = _("It must expire after it was observed.")
        elif self.expires_at and self.expires_at >= limits.LATEST_EXPIRY:
            errors["expires_at"] = _("An expiry after the year 2100 is a typo: check the year.")
        if errors:
            raise ValidationError(errors)
