"""Loading a parsed scenario into the database.

Every row is matched on a natural key (post code, route key, staff/school/assembly point
name, warden zone and name, indicator external id, decision time and level) and written
only when it differs, so loading the same file twice changes nothing, not even the change
history. The whole load is one transaction: a failure leaves the database as it was.

``as_of`` loads the timeline only up to that moment (the post as the crisis centre saw it
then), and ``shift`` moves every date by the same amount: together they replay a past
crisis as if it were happening now, which is what the demo does.

A file is loaded over what it loaded before, never over a live post's own records. A post
that holds records nobody loaded from this file (indicators from feeds or people,
decisions, route checks, checklist ticks, roster rows added by people, a level not set by
the file's decisions: ``live_records``) is refused with ``ScenarioOverLive`` unless
``over_live`` is given, and even then the load adds beside those records and never
deletes, rewrites or undoes them: no decision is loaded over a live decision log and the
level is not touched, routes people checked keep their check, nothing the file does not
name is removed, and a differing ladder is kept. The rewrites a load makes run on the
"scenario" evidence path (readiness/evidence.py): on PostgreSQL the database itself
refuses a load that would touch another record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from readiness.assessments.models import Decision, DecisionOrigin
from readiness.evidence import evidence_path
from readiness.indicators.models import Indicator
from readiness.posts.models import ActionItem, ExitRoute, Post
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
    # Loaded over a live post: what was left as it was, and why (summary's last part).
    kept: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], label: str, n: int = 1) -> None:
        if n:
            bucket[label] = bucket.get(label, 0) + n

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def summary(self) -> str:
        if not self.changed and not self.kept:
            return f"{self.post.code}: already up to date, nothing changed"
        parts = []
        for verb, bucket in (
            ("created", self.created),
            ("updated", self.updated),
            ("removed", self.removed),
            ("kept as they were (live)", self.kept),
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


class ScenarioOverLive(ValueError):
    """The post holds records that were not loaded from this file: nothing was loaded."""


def from_file(scenario: Scenario) -> Q:
    """The indicators a load of ``scenario`` owns: under its external-id prefix, delivered
    by no feed, recorded by nobody, neither withdrawn nor a correction (what people did to
    a loaded indicator is theirs). The database's guard (indicators/0005) says the same."""
    return Q(
        external_id__startswith=f"{scenario.id}:",
        feed__isnull=True,
        recorded_by__isnull=True,
        withdrawn_at__isnull=True,
        corrects__isnull=True,
    )


def _file_decisions(scenario: Scenario) -> set[tuple[int, str]]:
    return {
        (entry.decision.level, entry.decision.rationale)
        for entry in scenario.timeline
        if entry.decision is not None
    }


def live_records(post: Post, scenario: Scenario) -> dict[str, int]:
    """What the post holds that nobody loaded from ``scenario``, by kind (empty: nothing;
    the load may rewrite the post as the file says)."""
    from readiness.rosters.models import AssemblyPoint, School, StaffMember, Warden

    live: dict[str, int] = {}

    def note(label: str, n: int) -> None:
        if n:
            live[label] = live.get(label, 0) + n

    note("indicators delivered by feeds", post.indicators.filter(feed__isnull=False).count())
    note(
        "indicators recorded, withdrawn or corrected by people or by another file",
        post.indicators.filter(feed__isnull=True).exclude(from_file(scenario)).count(),
    )
    ours = _file_decisions(scenario)
    decisions = list(
        post.decisions.order_by("decided_at", "id").values_list("origin", "to_level", "rationale")
    )
    note(
        "decisions not in this file",
        sum(
            1
            for origin, to_level, rationale in decisions
            if origin != DecisionOrigin.SCENARIO or (to_level, rationale) not in ours
        ),
    )
    # The level follows the file's decisions (the newest one's), or is the file's own.
    expected = decisions[-1][1] if decisions else scenario.post.level
    if post.level != expected:
        note("level set outside this file", 1)
    note(
        "route checks or edits by people",
        ExitRoute.history.filter(post_id=post.pk, history_user__isnull=False)
        .values("id")
        .distinct()
        .count(),
    )
    note(
        "checklist ticks by people",
        ActionItem.objects.filter(level__post=post, ready_by__isnull=False).count(),
    )
    for label, model in (
        ("staff rows added or edited by people", StaffMember),
        ("schools added or edited by people", School),
        ("wardens added or edited by people", Warden),
        ("assembly points added or edited by people", AssemblyPoint),
    ):
        note(
            label,
            model.history.filter(post_id=post.pk, history_user__isnull=False)
            .values("id")
            .distinct()
            .count(),
        )
    return live


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
    scenario: Scenario,
    *,
    as_of: dt.datetime | None = None,
    shift: dt.timedelta = dt.timedelta(0),
    over_live: bool = False,
) -> LoadReport:
    """Write a scenario's post, ladder, routes, rosters and timeline (up to ``as_of``).
    Raises ScenarioOverLive (nothing written) when the post holds records not loaded from
    this file, unless ``over_live``: then the file's records are added beside them and
    none of theirs is deleted, rewritten or undone (module docstring)."""
    with evidence_path("scenario"):
        return _scenario_load(scenario, as_of=as_of, shift=shift, over_live=over_live)


def _scenario_load(
    scenario: Scenario, *, as_of: dt.datetime | None, shift: dt.timedelta, over_live: bool
) -> LoadReport:
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
        "latitude": spec.latitude,
        "longitude": spec.longitude,
    }
    post = Post.objects.select_for_update().filter(code=spec.code).first()
    created = post is None
    live: dict[str, int] = {}
    if post is None:
        post = Post(code=spec.code, **post_values)
        post.full_clean(exclude=["level"])
        post.save()
    else:
        live = live_records(post, scenario)
        if live and not over_live:
            found = ", ".join(f"{n} {label}" for label, n in live.items())
            raise ScenarioOverLive(
                f"post {spec.code} holds records that were not loaded from this file "
                f"({found}). Nothing was loaded. Load the file under another post code, or "
                "pass --over-live to add its records beside them (none of theirs is "
                "deleted, rewritten or undone)."
            )
    report = LoadReport(post=post)
    if created:
        report.count(report.created, "post")
    elif not post.has_point and spec.latitude is not None:
        # A file gives coordinates a post lacks; it never moves one placed by people.
        post.latitude, post.longitude = spec.latitude, spec.longitude
        post.save(update_fields=["latitude", "longitude"])
        report.count(report.updated, "post")
    # A live decision log or level is the post's own: the file's decisions are not loaded
    # over it and the level stays (it changes only by a Decision).
    keep_level = bool(live.keys() & {"decisions not in this file", "level set outside this file"})
    if keep_level:
        level = post.level
        post_values["level"] = level

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
    checked_by_people = (
        set(
            ExitRoute.history.filter(post_id=post.pk, history_user__isnull=False).values_list(
                "id", flat=True
            )
        )
        if live
        else set()
    )
    for route in scenario.routes:
        existing = post.routes.filter(key=route.key).first()
        if existing is not None and existing.pk in checked_by_people:
            # An officer's check (status, seats, when) is not undone by a file.
            routes[route.key] = existing
            report.count(report.kept, "routes checked by people")
            continue
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
                "from_latitude": route.from_latitude,
                "from_longitude": route.from_longitude,
                "to_latitude": route.to_latitude,
                "to_longitude": route.to_longitude,
            },
        )
    if not live:
        _remove_others(report, "routes", post.routes.all(), [route.pk for route in routes.values()])

    if ladder_specs(post=post) != scenario.ladder and live:
        report.count(report.kept, "ladder levels (the post's ladder differs from the file's)")
    elif ladder_specs(post=post) != scenario.ladder:
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
    if not live:
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
    if not live:
        _remove_others(report, "schools", post.schools.all(), keep)

    keep = [
        _upsert(
            report,
            "wardens",
            Warden,
            {"post": post, "zone": w.zone, "name": w.name},
            {"phone": w.contact, "latitude": w.latitude, "longitude": w.longitude},
        ).pk
        for w in scenario.wardens
    ]
    if not live:
        _remove_others(report, "wardens", post.wardens.all(), keep)

    keep = [
        _upsert(
            report,
            "assembly points",
            AssemblyPoint,
            {"post": post, "name": a.name},
            {
                "capacity": a.capacity,
                "zone": a.zone,
                "latitude": a.latitude,
                "longitude": a.longitude,
            },
        ).pk
        for a in scenario.assembly_points
    ]
    if not live:
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
    if keep_level:
        report.count(
            report.kept,
            "decisions of the file (the post's decision log is live)",
            sum(1 for entry in entries if entry.decision),
        )
    else:
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
    # External ids of the file held by rows not from it (a feed's, or one people withdrew
    # or corrected): such a row is theirs and stays as it is.
    held = set(
        post.indicators.filter(external_id__startswith=f"{scenario.id}:")
        .exclude(from_file(scenario))
        .values_list("external_id", flat=True)
    )
    for entry in entries:
        event = entry.indicator
        if event is None:
            continue
        external_id = indicator_external_id(scenario, entry, event)
        if external_id in held:
            report.count(report.kept, "indicators withdrawn, corrected or delivered by others")
            continue
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
    _remove_others(report, "indicators", post.indicators.filter(from_file(scenario)), keep)


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
                post=post,
                to_level=entry.decision.level,
                rationale=entry.decision.rationale,
                origin=DecisionOrigin.SCENARIO,
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
            {
                "post": post,
                "to_level": decision.level,
                "rationale": decision.rationale,
                "origin": DecisionOrigin.SCENARIO,
            },
            {
                "from_level": level,
                "decided_at": entry.at + shift,
                "decided_by_name": decision.by or f"scenario {scenario.id}",
            },
        )
        level = decision.level
