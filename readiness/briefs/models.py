"""An issued brief: the record that the crisis centre's brief was issued, by whom, when and
under which classification marking. Evidence like a decision: never edited or deleted
(the admin offers neither; on PostgreSQL a trigger refuses both, migration briefs/0001).
The next brief shows what changed since the newest of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssuedBrief(models.Model):
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The author as the brief printed them, kept even if the account is renamed later.
    issued_by_name = models.CharField(max_length=150, editable=False)
    classification = models.CharField(max_length=100, editable=False)
    # The window the brief's "since the last brief" covered: from the brief before it
    # (empty for the first brief, which covered the last 24 hours) to ``issued_at``.
    covers_since = models.DateTimeField(editable=False)
    posts = models.PositiveIntegerField(
        editable=False, help_text=_("How many posts the brief covered")
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        get_latest_by = "issued_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(covers_since__lte=models.F("issued_at")),
                name="issued_brief_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(classification=""), name="issued_brief_has_classification"
            ),
        ]
        indexes = [
            # Every brief reads the newest issued brief.
            models.Index(fields=["-issued_at"], name="issued_brief_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.classification} brief of {self.issued_at:%Y-%m-%d %H:%M} by {self.issued_by_name}"
