"""What the feed imports remember: the last travel-advisory level seen per government and
country (so that a re-publication is not a new indicator), and a log of every import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Government(models.TextChoices):
    """Governments whose published travel advice is imported (docs/feeds.md)."""

    US = "US", "United States (State Department)"
    GB = "GB", "United Kingdom (FCDO)"


class AdvisoryLevel(models.Model):
    """The last advisory level seen from one government for one country. Only a change of
    ``step`` is an indicator; the same level published again changes ``seen_at`` only."""

    government = models.CharField(max_length=2, choices=Government.choices)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    step = models.PositiveSmallIntegerField(
        help_text="The advisory on the peer-action scale, 1 normal .. 5 staff ordered out"
    )
    label = models.CharField(max_length=200, help_text="The advisory as published")
    published_at = models.DateTimeField()
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["government", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["government", "country"], name="advisory_level_one_per_country"
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=5), name="advisory_level_step_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.government} {self.country}: {self.label}"


class FeedImport(models.Model):
    """One import of a file: who, which file, what it did, or why it was refused."""

    class Kind(models.TextChoices):
        ACLED = "acled", "ACLED events"
        ADVISORIES = "advisories", "Travel advisories"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    feed = models.ForeignKey("indicators.Feed", on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(max_length=255)
    started_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ok = models.BooleanField(default=False)
    created = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class AcledVersion(models.Model):
    """The newest version (ACLED's ``timestamp``) of each ACLED event imported through a
    feed: a re-import of the same version changes nothing, a newer one is a correction."""

    feed = models.ForeignKey("indicators.Feed", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=40, help_text="ACLED's event_id_cnty")
    version = models.BigIntegerField(help_text="ACLED's timestamp of this version")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index each import batch looks its events up by.
            models.UniqueConstraint(
                fields=["feed", "event_id"], name="acled_version_one_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} v{self.version}"
