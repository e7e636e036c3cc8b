"""Loading a parsed scenario into the database.

Every row is matched on a natural key (post code, route key, staff/school/assembly point
name, warden zone and name, indicator external id, decision time and level) and written
only when it differs, so loading the same file twice changes nothing, not even the change
history. The whole load is one transaction: a failure leaves the database as it was.

``as_of`` loads the timeline only up to that moment (the post as the crisis centre saw it
then), and ``shift`` moves every date by the same amount: together they replay a past
crisis as if it were happening now, which is what the demo does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from readiness.assessments.models import Decision
from readiness.indicators.models import Indicator
from readiness.posts.models import ExitRoute, Post
from readiness.posts.selectors import ladder_specs
from readiness.posts.services import ladder_install
from readiness.rosters.models import AssemblyPoint, Community, School, StaffMember, Warden

from .specs import IndicatorEvent, Scenario, StaffSpec, TimelineEntry

M = TypeVar("M", bound=models.Model)


@dataclass
class LoadReport:
    post: Post
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], label: str, n: int = 1) -> None:
        if n:
            bucket[label] = bucket.get(label, 0) + n

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def summary(self) -> str:
        if not self.changed:
            return f"{self.post.code}: already up to date, nothing changed"
        parts = []
        for verb, bucket in (
            ("created", self.created),
            ("updated", self.updated),
            ("removed", self.removed),
        ):
            if bucket:
                parts.append(
                    f"{verb} " + ", ".join(f"{n} {label}" for label, n in sorted(bucket.items()))
                )
        return f"{self.post.code}: " + "; ".join(parts)


def _upsert(
    report: LoadReport,
    label: str,
    model: type[M],
    lookup: dict[str, object],
    values: Mapping[str, object],
) -> M:
    """Create the row, or update it only where a value differs (history stays quiet).
    A value the model refuses (a route's seats a day above the ceiling, a staff group too
    large: readiness/posts/limits.py) raises a ValueError naming the row and the field."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        _clean(obj, label, lookup)
        obj.save()
        report.count(report.created, label)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        _clean(obj, label, lookup)
        obj.save(update_fields=changed)
        report.count(report.updated, label)
    return obj


def _clean(obj: models.Model, label: str, lookup: dict[str, object]) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        row = ", ".join(str(value) for name, value in lookup.items() if name != "post")
        faults = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
        raise ValueError(f"{label} {row or obj}: {faults}") from exc


def _remove_others(
    report: LoadReport, label: str, queryset: models.QuerySet[models.Model], keep: Iterable[int]
) -> None:
    count, _ = queryset.exclude(pk__in=list(keep)).delete()
    report.count(report.removed, label, count)


def staff_row_name(spec: StaffSpec, position: int) -> str:
    """A stable name for a group row, which a scenario need not name."""
    if spec.name:
        return spec.name
    kind = "essential" if spec.essential else "non-essential"
    category = "expatriate" if spec.category == "expatriate" else "local"
    return f"{category.capitalize()} staff, {kind} (group {position + 1})"


def indicator_external_id(scenario: Scenario, entry: TimelineEntry, event: IndicatorEvent) -> str:
    """The key when the file gives one, else a digest of what the entry says (stable when
    entries are reordered or the file gains lines)."""
    if event.key:
        return f"{scenario.id}:{event.key}"
    digest = hashlib.sha1(
        f"{entry.at.isoformat()}|{event.category}|{event.text}".encode()
    ).hexdigest()
    return f"{scenario.id}:{digest[:12]}"


@transaction.atomic
def scenario_load(
    scenario: Scenario, *, as_of: dt.datetime | None = None, shift: dt.timedelta = dt.timedelta(0)
) -> LoadReport:
    """Write a scenario's post, ladder, routes, rosters and timeline (up to ``as_of``)."""
    entries = [entry for entry in scenario.timeline if as_of is None or entry.at <= as_of]
    level = scenario.post.level
    for entry in entries:
        if entry.decision:
            level = entry.decision.level

    spec = scenario.post
    post_values = {
        "name": spec.name,
        "country": spec.country,
        "city": spec.city,
        "timezone": spec.timezone,
        "level": level,
    }
    post = Post.objects.filter(code=spec.code).first()
    created = post is None
    if post is None:
        post = Post(code=spec.code, **post_values)
        post.full_clean(exclude=["level"])
        post.save()
    report = LoadReport(post=post)
    if created:
        report.count(report.created, "post")

    # Routes first: route triggers refer to them.
    route_state = {
        route.key: {"status": route.status.value, "seats_per_day": route.seats_per_day}
        for route in scenario.routes
    }
    route_checked: dict[str, dt.datetime] = {}
    for entry in entries:
        if entry.route:
            change = entry.route
            if change.status is not None:
                route_state[change.key]["status"] = change.status.value
            if change.seats_per_day is not None:
                route_state[change.key]["seats_per_day"] = change.seats_per_day
            route_checked[change.key] = entry.at + shift
    routes: dict[str, ExitRoute] = {}
    for route in scenario.routes:
        routes[route.key] = _upsert(
            report,
            "routes",
            ExitRoute,
            {"post": post, "key": route.key},
            {
                "mode": route.mode.value,
                "from_place": route.from_place,
                "to_place": route.to_place,
                **route_state[route.key],
                "lead_time_hours": route.lead_time_hours,
                "closes_at_threat": route.closes_at_threat,
                "usable_from": route.usable_from,
                "verified_at": route_checked.get(route.key),
                "notes": route.notes,
            },
        )
    _remove_others(report, "routes", post.routes.all(), [route.pk for route in routes.values()])

    if ladder_specs(post=post) != scenario.ladder:
        removed = post.levels.count()
        post.levels.all().delete()
        ladder_install(post=post, levels=scenario.ladder, routes=routes)
        report.count(
            report.updated if removed else report.created, "ladder levels", len(scenario.ladder)
        )

    keep = []
    for position, staff in enumerate(scenario.staff):
        keep.append(
            _upsert(
                report,
                "staff",
                StaffMember,
                {"post": post, "name": staff_row_name(staff, position)},
                {
                    "role": staff.role,
                    "category": staff.category,
                    "essential": staff.essential,
                    "headcount": staff.count,
                    "dependants": staff.dependants,
                },
            ).pk
        )
    _remove_others(report, "staff", post.staff.all(), keep)

    keep = [
        _upsert(
            report,
            "schools",
            School,
            {"post": post, "name": school.name},
            {
                "pupils": school.pupils,
                "expatriate_staff": school.expatriate_staff,
                "is_open": school.open,
            },
        ).pk
        for school in scenario.schools
    ]
    _remove_others(report, "schools", post.schools.all(), keep)

    keep = [
        _upsert(
            report,
            "wardens",
            Warden,
            {"post": post, "zone": w.zone, "name": w.name},
            {"phone": w.contact},
        ).pk
        for w in scenario.wardens
    ]
    _remove_others(report, "wardens", post.wardens.all(), keep)

    keep = [
        _upsert(
            report,
            "assembly points",
            AssemblyPoint,
            {"post": post, "name": a.name},
            {"capacity": a.capacity, "zone": a.zone},
        ).pk
        for a in scenario.assembly_points
    ]
    _remove_others(report, "assembly points", post.assembly_points.all(), keep)

    community = {
        "registered": scenario.community.registered,
        "dual_nationals": scenario.community.dual_nationals,
        "unregistered_estimate": scenario.community.unregistered_estimate,
    }
    for entry in entries:
        if entry.community:
            for name in community:
                value = getattr(entry.community, name)
                if value is not None:
                    community[name] = value
    _upsert(report, "community", Community, {"post": post}, community)

    _load_indicators(report, scenario, entries, shift)
    _load_decisions(report, scenario, entries, shift)

    if post.level != level:
        post.level = level
        post.save(update_fields=["level"])
        report.count(report.updated, "post")
    post.full_clean()
    return report  # the rows' saves have queued a re-score of the post


def _load_indicators(
    report: LoadReport, scenario: Scenario, entries: list[TimelineEntry], shift: dt.timedelta
) -> None:
    post = report.post
    ended: dict[str, dt.datetime] = {}
    for entry in entries:
        if entry.end:
            ended[f"{scenario.id}:{entry.end.indicator_key}"] = entry.at + shift
    keep = []
    for entry in entries:
        event = entry.indicator
        if event is None:
            continue
        external_id = indicator_external_id(scenario, entry, event)
        observed_at = entry.at + shift
        keep.append(
            _upsert(
                report,
                "indicators",
                Indicator,
                {"post": post, "external_id": external_id},
                {
                    "category": event.category.value,
                    "severity": event.severity,
                    "reliability": event.reliability.value,
                    "credibility": event.credibility,
                    "source": event.source or scenario.title,
                    "text": event.text,
                    "observed_at": observed_at,
                    "expires_at": event.expires_at + shift if event.expires_at else None,
                    "ongoing": event.ongoing,
                    "ended_at": ended.get(external_id),
                    "event": event.event,
                    "de_escalation": event.de_escalation,
                    # Known when observed: a replayed crisis did not learn of it later.
                    "recorded_at": observed_at,
                },
            ).pk
        )
    _remove_others(
        report,
        "indicators",
        post.indicators.filter(external_id__startswith=f"{scenario.id}:"),
        keep,
    )


def _load_decisions(
    report: LoadReport, scenario: Scenario, entries: list[TimelineEntry], shift: dt.timedelta
) -> None:
    """Write the file's decisions, matched on level and rationale. Decisions recorded by
    people are never touched; a reload with another ``shift`` re-dates the scenario's own."""
    post = report.post
    level = scenario.post.level
    loaded = {id(entry) for entry in entries}
    for entry in scenario.timeline:
        if entry.decision and id(entry) not in loaded:
            # Past ``as_of``: not taken yet at that moment (a reload with an earlier date).
            found = Decision.objects.filter(
                post=post, to_level=entry.decision.level, rationale=entry.decision.rationale
            )
            report.count(report.removed, "decisions", found.delete()[0])
    for entry in entries:
        decision = entry.decision
        if decision is None:
            continue
        if decision.level == level:
            raise ValueError(
                f"line {entry.line}: decision to level {level}, which is already the current level"
            )
        _upsert(
            report,
            "decisions",
            Decision,
            {"post": post, "to_level": decision.level, "rationale": decision.rationale},
            {
                "from_level": level,
                "decided_at": entry.at + shift,
                "decided_by_name": decision.by or f"scenario {scenario.id}",
            },
        )
        level = decision.level
