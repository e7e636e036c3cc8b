"""Who wants to hear of which posts' changes (Subscription, NotificationSettings), what they
were told (Notification) and how each telling was carried (Delivery).

The sources are outboxes: ``assessments.RecommendationChange`` (a recommended level or a
verdict changed) and ``PostFailure`` here (a post's re-scoring started failing). Each source
row is claimed once and fanned out, in one transaction, into a Notification per subscriber
and a Delivery per channel: in the application at once, by e-mail when the user asked for
it (held for one digest during their quiet hours). Deliveries are retried with backoff and
never deleted.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readiness.assessments.models import RecommendationChange
from readiness.posts.models import Post, validate_timezone


class Scope(models.TextChoices):
    ALL = "all", _("Every post I may see")
    REGION = "region", _("The posts of a region")
    POSTS = "posts", _("Chosen posts")


class Kind(models.TextChoices):
    """What happened to a post, as a subscription chooses it."""

    LEVEL = "level", _("Recommended level changed")
    VERDICT = "verdict", _("Verdict changed")
    FAILURE = "failure", _("Re-scoring failed")


class Subscription(models.Model):
    """One line of a user's choice: these posts, these kinds of change, by e-mail or not.
    A user may hold several; a change that several match is told once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    region = models.CharField(max_length=60, blank=True)
    posts = models.ManyToManyField(Post, blank=True, related_name="+")
    on_level = models.BooleanField(_("recommended level"), default=True)
    on_verdict = models.BooleanField(_("verdict"), default=False)
    on_failure = models.BooleanField(_("re-scoring failures"), default=False)
    by_email = models.BooleanField(_("also by e-mail"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="subscription_scope_valid"
            ),
            models.CheckConstraint(
                condition=~Q(scope=Scope.REGION) | ~Q(region=""),
                name="subscription_region_named",
            ),
            models.CheckConstraint(
                condition=Q(on_level=True) | Q(on_verdict=True) | Q(on_failure=True),
                name="subscription_wants_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.scope} {self.region}".strip()

    def kinds(self) -> set[str]:
        wanted = {Kind.LEVEL: self.on_level, Kind.VERDICT: self.on_verdict}
        wanted[Kind.FAILURE] = self.on_failure
        return {str(kind) for kind, on in wanted.items() if on}


class NotificationSettings(models.Model):
    """A user's quiet hours (e-mails held, then sent as one digest when they end) and the
    language their e-mails are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    language = models.CharField(max_length=8, default="en")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | (
                    Q(quiet_from__isnull=False, quiet_until__isnull=False)
                    & ~Q(quiet_from=models.F("quiet_until"))
                ),
                name="notification_quiet_hours_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: quiet {self.quiet_from}-{self.quiet_until} {self.timezone}"

    def quiet_end_after(self, moment: dt.datetime) -> dt.datetime | None:
        """The end of the quiet hours ``moment`` falls in, or None outside them. Quiet
        hours may span midnight (22:00 to 07:00); the end is computed on the wall clock of
        the user's time zone, so a change of daylight-saving time keeps 07:00 at 07:00."""
        if self.quiet_from is None or self.quiet_until is None:
            return None
        tz = zoneinfo.ZoneInfo(self.timezone)
        local = moment.astimezone(tz)
        now = local.time()
        start, end = self.quiet_from, self.quiet_until
        inside = start <= now < end if start < end else (now >= start or now < end)
        if not inside:
            return None
        day = local.date() if now < end else local.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, end, tzinfo=tz)


class PostFailure(models.Model):
    """A post's re-scoring started failing: the outbox of "re-scoring failed"
    notifications. One stands open per post while it keeps failing (the hourly retries
    tell nobody again); it is closed when the post is scored again."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    failed_at = models.DateTimeField()
    error = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The claim: two notifiers that see the same failure cannot both open it.
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(resolved_at__isnull=True),
                name="post_failure_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} failing since {self.failed_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """What one user was told of one change or failure of a post: the in-application list
    (unread until ``read_at``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey(
        RecommendationChange, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    failure = models.ForeignKey(
        PostFailure, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The kinds of change this tells, comma-separated (Kind values): a change can be of
    # the level and of the verdict at once.
    kinds = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(change__isnull=False, failure__isnull=True)
                | Q(change__isnull=True, failure__isnull=False),
                name="notification_has_one_source",
            ),
            # A change is told to a user once, however many of their subscriptions match
            # it and however many times a notifier is run.
            models.UniqueConstraint(
                fields=["user", "change"],
                condition=Q(change__isnull=False),
                name="notification_once_per_change",
            ),
            models.UniqueConstraint(
                fields=["user", "failure"],
                condition=Q(failure__isnull=False),
                name="notification_once_per_failure",
            ),
        ]
        indexes = [
            # The header's unread count and the list, every page a user opens.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.post.code} · {self.kinds}"

    def kind_list(self) -> list[str]:
        return [kind for kind in self.kinds.split(",") if kind]


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the application")
    EMAIL = "email", _("E-mail")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    HELD = "held", _("Held for the digest after quiet hours")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed; not retried")


class Delivery(models.Model):
    """One notification carried by one channel: its status, its attempts and the last
    error. An e-mail that cannot be sent is retried with backoff, never dropped; one that
    can never be sent (the user has no address) is FAILED with the reason, and the admin's
    "Send again" re-queues it."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    in_digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="delivery_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="delivery_status_valid"
            ),
        ]
        indexes = [
            # The sender and the sweep find what is due; sent rows are only history.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "held", "sending"]),
                name="delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} by {self.channel}: {self.status}"
