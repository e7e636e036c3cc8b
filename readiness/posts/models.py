"""Posts and what an administrator configures for each: the alert-level ladder with its
checklists and triggers, and the exit routes.

Ladder rows with ``post=None`` are the shipped template (DESIGN.md "Default ladder"); a new
post gets its own copy, which it may tune without touching the template or other posts.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from readiness.engine import vocabulary as v

from . import limits


class Category(models.TextChoices):
    INCIDENT = v.Category.INCIDENT.value, _("Security incident")
    THREAT_TO_FOREIGNERS = v.Category.THREAT_TO_FOREIGNERS.value, _("Threat against foreigners")
    SUPPLY = v.Category.SUPPLY.value, _("Supply (fuel, food)")
    TRANSPORT = v.Category.TRANSPORT.value, _("Transport (airlines, roads, borders)")
    POLITICAL = v.Category.POLITICAL.value, _("Political")
    PEER_ACTION = v.Category.PEER_ACTION.value, _("Peer action (other embassies)")
    HEALTH = v.Category.HEALTH.value, _("Health")
    HAZARD = v.Category.HAZARD.value, _("Natural hazard")


class RouteMode(models.TextChoices):
    COMMERCIAL_AIR = v.RouteMode.COMMERCIAL_AIR.value, _("Commercial air")
    CHARTER_AIR = v.RouteMode.CHARTER_AIR.value, _("Charter air")
    MILITARY_AIR = v.RouteMode.MILITARY_AIR.value, _("Military air")
    ROAD = v.RouteMode.ROAD.value, _("Road")
    SEA = v.RouteMode.SEA.value, _("Sea")


class RouteStatus(models.TextChoices):
    OPEN = v.RouteStatus.OPEN.value, _("Open")
    DEGRADED = v.RouteStatus.DEGRADED.value, _("Degraded")
    CLOSED = v.RouteStatus.CLOSED.value, _("Closed")
    UNKNOWN = v.RouteStatus.UNKNOWN.value, _("Unknown")


class TriggerKind(models.TextChoices):
    CATEGORY_INDEX = v.TriggerKind.CATEGORY_INDEX.value, _("Category index at least")
    INDICATOR_COUNT = v.TriggerKind.INDICATOR_COUNT.value, _("Count of serious indicators")
    THREAT_INDEX = v.TriggerKind.THREAT_INDEX.value, _("Threat index at least")
    ROUTE = v.TriggerKind.ROUTE.value, _("Route closed or short of seats")
    CLEARANCE_MARGIN = v.TriggerKind.CLEARANCE_MARGIN.value, _("Clearance margin below")
    MANUAL = v.TriggerKind.MANUAL.value, _("Manual (set by an officer)")


# Coordinates: decimal degrees (WGS 84), as a map or a GPS gives them. Optional everywhere;
# a point has both or neither (a check constraint each), and the dashboards' maps
# (readiness/dashboard/maps.py) and the ACLED import's distance rule use them.
LATITUDE_VALIDATORS = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180), MaxValueValidator(180)]


def latitude_field(verbose_name: Any) -> models.FloatField[float | None, float | None]:
    return models.FloatField(
        verbose_name,
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        help_text=_("Decimal degrees, -90 (south) to 90 (north)"),
    )


def longitude_field(verbose_name: Any) -> models.FloatField[float | None, float | None]:
    return models.FloatField(
        verbose_name,
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
        help_text=_("Decimal degrees, -180 (west) to 180 (east)"),
    )


def point_constraints(prefix: str, latitude: str, longitude: str) -> list[models.BaseConstraint]:
    """Both coordinates or neither, each in its range: the database's own check."""
    lat, lon = latitude, longitude
    return [
        models.CheckConstraint(
            condition=Q(**{f"{lat}__isnull": True, f"{lon}__isnull": True})
            | Q(**{f"{lat}__isnull": False, f"{lon}__isnull": False}),
            name=f"{prefix}_both_or_neither",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{lat}__isnull": True}) | Q(**{f"{lat}__gte": -90, f"{lat}__lte": 90}),
            name=f"{prefix}_latitude_in_range",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{lon}__isnull": True})
            | Q(**{f"{lon}__gte": -180, f"{lon}__lte": 180}),
            name=f"{prefix}_longitude_in_range",
        ),
    ]


def point_clean(instance: models.Model, latitude: str, longitude: str) -> dict[str, str]:
    """The form's error when only one of a point's two coordinates is given."""
    lat, lon = getattr(instance, latitude), getattr(instance, longitude)
    if (lat is None) == (lon is None):
        return {}
    missing = longitude if lon is None else latitude
    return {missing: str(_("Give both the latitude and the longitude, or neither."))}


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(tz)s is not a known time zone"), params={"tz": value}) from None


class Post(models.Model):
    code = models.CharField(
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z]{2}-[A-Z0-9]{2,8}$", _("Like ML-BKO: country, dash, city"))
        ],
    )
    name = models.CharField(max_length=100)
    country = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("ISO 3166-1 alpha-2, e.g. ML"))],
        help_text=_("ISO 3166-1 alpha-2 code"),
    )
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=60, blank=True, help_text=_("For filtering dashboards"))
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # The city's centre: the post's place on the maps and the centre of its ACLED area.
    latitude = latitude_field(_("latitude"))
    longitude = longitude_field(_("longitude"))
    level = models.PositiveSmallIntegerField(
        default=0, help_text=_("Current alert level (rank). Change it by recording a decision.")
    )
    security_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="secured_posts",
        help_text=_("Post security officers: they see and feed this post only"),
    )
    # Re-scoring bookkeeping (readiness.assessments.services): a re-score is queued while
    # ``rescore_requested_at`` is set; the last failure is kept so dashboards can say so.
    rescore_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    rescore_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    rescore_error = models.TextField(blank=True, editable=False)
    # The newest stored assessment, written with it (readiness.assessments.services): the
    # one way every reader gets to it, without a per-post subquery.
    newest_assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(
        excluded_fields=[
            "rescore_requested_at",
            "rescore_failed_at",
            "rescore_error",
            "newest_assessment",
        ]
    )

    class Meta:
        ordering = ["code"]
        constraints = point_constraints("post_point", "latitude", "longitude")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def clean(self) -> None:
        if errors := point_clean(self, "latitude", "longitude"):
            raise ValidationError(errors)
        # A new post will get a copy of the template ladder: check against that.
        ladder = self.levels.all() if self.pk else AlertLevel.objects.filter(post__isnull=True)
        if self.level is not None and not ladder.filter(rank=self.level).exists():
            raise ValidationError({"level": _("The ladder has no level of that rank.")})


class AlertLevel(models.Model):
    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        related_name="levels",
        null=True,
        blank=True,
        help_text=_("Empty: the default ladder that new posts copy"),
    )
    rank = models.PositiveSmallIntegerField(help_text=_("0 = normal; higher is more severe"))
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    leaves_citizens = models.BooleanField(_("citizens leave"), default=False)
    leaves_non_essential_staff = models.BooleanField(_("non-essential staff leave"), default=False)
    leaves_dependants = models.BooleanField(_("dependants leave"), default=False)
    leaves_school_staff = models.BooleanField(_("schools close"), default=False)
    leaves_essential_staff = models.BooleanField(_("essential staff leave"), default=False)
    quorum = models.PositiveSmallIntegerField(
        default=1, help_text=_("How many of its triggers must be met to indicate this level")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["post__code", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "rank"],
                name="level_rank_unique_per_post",
                condition=Q(post__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["rank"],
                name="level_rank_unique_in_template",
                condition=Q(post__isnull=True),
            ),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="level_quorum_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.name}"

    GROUP_FIELDS = {
        v.Group.CITIZENS: "leaves_citizens",
        v.Group.NON_ESSENTIAL_STAFF: "leaves_non_essential_staff",
        v.Group.DEPENDANTS: "leaves_dependants",
        v.Group.SCHOOL_STAFF: "leaves_school_staff",
        v.Group.ESSENTIAL_STAFF: "leaves_essential_staff",
    }

    @property
    def leaves(self) -> frozenset[v.Group]:
        return frozenset(group for group, name in self.GROUP_FIELDS.items() if getattr(self, name))


class ActionItem(models.Model):
    """One line of a level's checklist; ``ready_at`` marks it pre-positioned (ticked)."""

    level = models.ForeignKey(AlertLevel, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=200)
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ready_by__isnull=True) | Q(ready_at__isnull=False),
                name="action_ready_by_needs_ready_at",
            )
        ]

    def __str__(self) -> str:
        return self.text


class ExitRoute(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="routes")
    key = models.SlugField(max_length=50, help_text=_("Short identifier, unique within the post"))
    mode = models.CharField(max_length=20, choices=RouteMode.choices)
    from_place = models.CharField(_("from"), max_length=100)
    to_place = models.CharField(_("to"), max_length=100)
    status = models.CharField(
        max_length=10, choices=RouteStatus.choices, default=RouteStatus.UNKNOWN
    )
    seats_per_day = models.PositiveIntegerField(
        validators=[limits.ROUTE_SEATS_CEILING],
        help_text=_("Seats available to this post's people"),
    )
    lead_time_hours = models.FloatField(
        default=0,
        validators=[MinValueValidator(0), limits.ROUTE_LEAD_TIME_CEILING],
        help_text=_("Before the first departure"),
    )
    closes_at_threat = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(100)],
        help_text=_("Threat index at which it is expected to become unusable; empty: never"),
    )
    usable_from = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Lowest level (rank) at which it may be used; "
            "empty: evacuation for military air, else any"
        ),
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # Where it starts and where it leaves the map: for an air route the airport and the
    # destination; for a road the city and the border crossing (or the first safe city).
    from_latitude = latitude_field(_("from latitude"))
    from_longitude = longitude_field(_("from longitude"))
    to_latitude = latitude_field(_("to latitude"))
    to_longitude = longitude_field(_("to longitude"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["post__code", "key"]
        constraints = [
            *point_constraints("route_from", "from_latitude", "from_longitude"),
            *point_constraints("route_to", "to_latitude", "to_longitude"),
            models.UniqueConstraint(fields=["post", "key"], name="route_key_unique_per_post"),
            models.CheckConstraint(condition=Q(mode__in=RouteMode.values), name="route_mode_valid"),
            models.CheckConstraint(
                condition=Q(status__in=RouteStatus.values), name="route_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(lead_time_hours__gte=0), name="route_lead_time_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(lead_time_hours__lte=limits.ROUTE_LEAD_TIME_HOURS_MAX),
                name="route_lead_time_plausible",
            ),
            models.CheckConstraint(
                condition=Q(closes_at_threat__isnull=True)
                | Q(closes_at_threat__gt=0, closes_at_threat__lte=100),
                name="route_closes_at_threat_in_range",
            ),
            models.CheckConstraint(
                condition=Q(seats_per_day__lte=limits.ROUTE_SEATS_MAX),
                name="route_seats_per_day_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()}: {self.from_place} → {self.to_place}"

    @property
    def is_air(self) -> bool:
        return self.mode in AIR_MODES

    def clean(self) -> None:
        errors = point_clean(self, "from_latitude", "from_longitude")
        errors |= point_clean(self, "to_latitude", "to_longitude")
        if errors:
            raise ValidationError(errors)


# An air route's starting point is its airport: the maps mark it as one.
AIR_MODES = frozenset({RouteMode.COMMERCIAL_AIR, RouteMode.CHARTER_AIR, RouteMode.MILITARY_AIR})


class Trigger(models.Model):
    """A tripwire for a level. The fields used depend on ``kind``; see
    ``readiness.engine.vocabulary.TriggerSpec`` (the one definition the engine, scenario
    files and this model share)."""

    level = models.ForeignKey(AlertLevel, on_delete=models.CASCADE, related_name="triggers")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=TriggerKind.choices)
    enabled = models.BooleanField(default=True)
    category = models.CharField(max_length=24, choices=Category.choices, blank=True)
    threshold = models.FloatField(null=True, blank=True, help_text=_("Index, above 0 up to 100"))
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    min_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    within_days = models.FloatField(null=True, blank=True, validators=[limits.TRIGGER_DAYS_CEILING])
    with_category = models.CharField(
        max_length=24,
        choices=Category.choices,
        blank=True,
        help_text=_("Count triggers: met only with a report of this category in the same days"),
    )
    with_min_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    route = models.ForeignKey(
        ExitRoute, null=True, blank=True, on_delete=models.CASCADE, related_name="triggers"
    )
    mode = models.CharField(max_length=20, choices=RouteMode.choices, blank=True)
    below_seats = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Met below this many seats/day; empty: met when closed")
    )
    margin_level = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Rank"))
    below_days = models.FloatField(null=True, blank=True, validators=[limits.TRIGGER_DAYS_CEILING])
    active = models.BooleanField(default=False, help_text=_("Manual triggers: set by an officer"))
    reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TriggerKind.values), name="trigger_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=TriggerKind.CATEGORY_INDEX)
                | (~Q(category="") & Q(threshold__isnull=False)),
                name="trigger_category_index_fields",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TriggerKind.INDICATOR_COUNT)
                | Q(count__isnull=False, min_severity__isnull=False, within_days__isnull=False),
                name="trigger_indicator_count_fields",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TriggerKind.THREAT_INDEX) | Q(threshold__isnull=False),
                name="trigger_threat_index_fields",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TriggerKind.ROUTE)
                | (Q(route__isnull=False) & Q(mode=""))
                | (Q(route__isnull=True) & ~Q(mode="")),
                name="trigger_route_or_mode",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TriggerKind.CLEARANCE_MARGIN)
                | Q(margin_level__isnull=False, below_days__isnull=False),
                name="trigger_clearance_margin_fields",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TriggerKind.MANUAL, active=True) | ~Q(reason=""),
                name="trigger_active_manual_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gt=0, threshold__lte=100),
                name="trigger_threshold_in_range",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=1), name="trigger_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_severity__isnull=True)
                | Q(min_severity__gte=1, min_severity__lte=5),
                name="trigger_min_severity_1_5",
            ),
            models.CheckConstraint(
                condition=Q(within_days__isnull=True) | Q(within_days__gt=0),
                name="trigger_within_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(within_days__isnull=True) | Q(within_days__lte=limits.TRIGGER_DAYS_MAX),
                name="trigger_within_days_plausible",
            ),
            models.CheckConstraint(
                condition=Q(below_days__isnull=True) | Q(below_days__lte=limits.TRIGGER_DAYS_MAX),
                name="trigger_below_days_plausible",
            ),
            models.CheckConstraint(
                condition=Q(with_category="", with_min_severity__isnull=True)
                | (
                    Q(kind=TriggerKind.INDICATOR_COUNT)
                    & ~Q(with_category="")
                    & Q(with_min_severity__isnull=False)
                    & Q(with_min_severity__gte=1, with_min_severity__lte=5)
                ),
                name="trigger_with_category_and_severity",
            ),
            models.CheckConstraint(
                condition=Q(below_seats__isnull=True) | Q(below_seats__gte=1),
                name="trigger_below_seats_positive",
            ),
            models.CheckConstraint(
                condition=Q(below_days__isnull=True) | Q(below_days__gt=0),
                name="trigger_below_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def to_spec(self) -> v.TriggerSpec:
        route = self.route if self.route_id else None
        return v.TriggerSpec(
            kind=v.TriggerKind(self.kind),
            name=self.name,
            category=v.Category(self.category) if self.category else None,
            threshold=self.threshold,
            count=self.count,
            min_severity=self.min_severity,
            within_days=self.within_days,
            with_category=v.Category(self.with_category) if self.with_category else None,
            with_min_severity=self.with_min_severity,
            route=route.key if route is not None else None,
            mode=v.RouteMode(self.mode) if self.mode else None,
            below_seats=self.below_seats,
            margin_level=self.margin_level,
            below_days=self.below_days,
            active=self.active,
            reason=self.reason,
            enabled=self.enabled,
        )

    def clean(self) -> None:
        if not self.kind:
            return  # the field's own validation reports it
        try:
            self.to_spec().validate()
        except v.TriggerError as exc:
            field, _sep, message = str(exc).partition(": ")
            message = _trigger_message(exc, kind=self.kind) or message
            target = field if field in {f.name for f in self._meta.fields} else None
            raise ValidationError({target: message} if target else str(exc)) from None
        level = self.level if self.level_id else None
        route = self.route if self.route_id and level is not None else None
        if route is not None and level is not None and route.post_id != level.post_id:
            raise ValidationError(
                {"route": _("The route must belong to the same post as the level.")}
            )
        if level is not None and self.margin_level is not None:
            ladder = (
                AlertLevel.objects.filter(post_id=level.post_id)
                if level.post_id is not None
                else AlertLevel.objects.filter(post__isnull=True)  # the default ladder
            )
            ranks = ladder.values_list("rank", flat=True)
            if self.margin_level not in set(ranks):
                raise ValidationError({"margin_level": _("No level of that rank in this ladder.")})


def _trigger_message(exc: v.TriggerError, *, kind: str) -> str:
    """The engine's refusal of a trigger in the user's words: the kind by its label, the
    fields by theirs (the engine says "a indicator_count trigger")."""

    def label(name: str) -> str:
        return str(getattr(Trigger._meta.get_field(name), "verbose_name", name))

    kind_label = TriggerKind(kind).label if kind in TriggerKind.values else kind
    if exc.code == "required":
        return _("Required for a trigger of kind “%(kind)s”.") % {"kind": kind_label}
    if exc.code == "unused":
        return _("Not used by a trigger of kind “%(kind)s”: leave it empty.") % {"kind": kind_label}
    if exc.code == "route_or_mode":
        return str(_("Give either a route or a mode, not both (nor neither)."))
    if exc.code == "pair":
        return _("Give “%(a)s” and “%(b)s” together, or neither.") % {
            "a": label("with_category"),
            "b": label("with_min_severity"),
        }
    return ""
