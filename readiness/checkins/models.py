"""Staff check-ins ("are you safe?"): an officer asks the staff of a post, each person (or
group row) answers once through a link of their own, without an account.

- ``Checkin``: one round of questions for a post, started by an officer.
- ``CheckinRequest``: one staff row asked, by which channel and address; only the hash of
  the link's token is kept. ``used_at`` makes the link single-use.
- ``CheckinAnswer``: what was answered, when: evidence, never changed or deleted (the model
  refuses it, and on PostgreSQL a trigger, migration checkins/0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from readiness.posts.models import Post
from readiness.rosters.models import StaffMember


class Scope(models.TextChoices):
    """Which staff rows a check-in asks (only rows still marked present in the country)."""

    ALL = "all", _("All staff")
    EXPATRIATE = "expatriate", _("Expatriate staff")
    LOCAL = "local", _("Local employees")
    ESSENTIAL = "essential", _("Essential staff")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    NONE = "none", _("No contact")


class Answer(models.TextChoices):
    SAFE = "safe", _("Safe")
    NEED_HELP = "need_help", _("Needs help")
    LEFT = "left", _("Has left the country")


class Checkin(models.Model):
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="checkins")
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.ALL)
    note = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by_name = models.CharField(max_length=150)
    expires_at = models.DateTimeField()
    # Set when a newer check-in of the post replaces this one: its unused links are refused.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["post", "-started_at"], name="checkin_post_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")), name="checkin_expires_later"
            )
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk} of {self.post_id}"


class CheckinRequest(models.Model):
    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="requests")
    # The row asked; kept by name and head count too, should the row be deleted later.
    staff = models.ForeignKey(
        StaffMember, null=True, on_delete=models.SET_NULL, related_name="checkin_requests"
    )
    staff_name = models.CharField(max_length=120)
    headcount = models.PositiveIntegerField(default=1)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True)
    # SHA-256 of the link's token (hex); empty when nothing was sent (no contact).
    token_hash = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)
    # The link was used (answered): a second use is refused.
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["checkin", "staff_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),
                name="checkin_token_hash_unique",
            ),
            models.UniqueConstraint(fields=["checkin", "staff"], name="checkin_asks_a_row_once"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="checkin_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_name} ({self.checkin_id})"

    @property
    def sent(self) -> bool:
        return self.sent_at is not None


class CheckinAnswer(models.Model):
    """Evidence: who answered what, when. Never updated or deleted."""

    request = models.OneToOneField(CheckinRequest, on_delete=models.PROTECT, related_name="answer")
    answer = models.CharField(max_length=12, choices=Answer.choices)
    note = models.CharField(max_length=500, blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer__in=Answer.values), name="checkin_answer_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} — {self.answer}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("a check-in answer is evidence: it is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("a check-in answer is evidence: it is never deleted")
