"""Imports from published sources into indicators (docs/feeds.md): ACLED event files and
other governments' travel advisories. All or nothing: a file is checked whole before a
row is written, and written in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import reset_queries, transaction
from django.utils import timezone

from readiness.assessments.services import post_rescore_enqueue
from readiness.indicators.models import Feed, Indicator
from readiness.indicators.services import (
    FeedRefused,
    Observation,
    feed_create,
    indicators_deliver,
    indicators_withdraw,
)
from readiness.posts.limits import indicator_observed_recently
from readiness.posts.models import Post

from . import acled
from .advisories import Advisory, AdvisoryError, advisories_read
from .models import AcledVersion, AdvisoryLevel, FeedImport

BATCH_SIZE = 1000
MAX_ERRORS_SHOWN = 20

Progress = Callable[[int, int], None]  # rows done, rows in the file


class ImportRefused(Exception):
    """Nothing of the file was imported. ``errors``: (line number, message), line 1 being
    the header; at most MAX_ERRORS_SHOWN of them."""

    def __init__(self, errors: Sequence[tuple[int, str]], more: int = 0):
        self.errors = list(errors)
        self.more = more
        lines = "; ".join(f"line {n}: {m}" if n else m for n, m in self.errors)
        super().__init__(lines + (f"; and {more} more" if more else ""))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0  # indicators recorded
    corrected: int = 0  # indicators withdrawn for a newer version of their event
    unchanged: int = 0  # rows already imported (same or older version, repeated rows)
    skipped: int = 0  # rows that concern no post of the feed, or older than five years
    posts: set[int] = field(default_factory=set)  # the posts written to

    def summary(self) -> str:
        return (
            f"{self.rows} rows: {self.created} indicators recorded, {self.corrected} "
            f"corrected, {self.unchanged} unchanged, {self.skipped} skipped (no post of the "
            f"feed in their area, or older than five years); posts to re-score: {len(self.posts)}"
        )


def _rows(file: TextIO) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The CSV rows with the line each starts on (a quoted note may span lines)."""
    file.seek(0)
    reader = csv.DictReader(file)
    if acled.missing_columns(list(reader.fieldnames or [])):
        raise ImportRefused(
            [(1, "missing columns: " + ", ".join(acled.missing_columns(reader.fieldnames)))]
        )
    line = reader.line_num + 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _checked(file: TextIO, today: dt.date) -> int:
    """Read the whole file once (row by row: memory does not grow with it) and raise
    ImportRefused with every malformed row's line; else the number of rows."""
    errors: list[tuple[int, str]] = []
    more = count = 0
    try:
        for line, row in _rows(file):
            count += 1
            try:
                event = acled.event_read(row)
                if event.date > today:
                    raise acled.RowError(f"event_date: {event.date} is in the future")
            except acled.RowError as exc:
                if len(errors) < MAX_ERRORS_SHOWN:
                    errors.append((line, str(exc)))
                else:
                    more += 1
    except (csv.Error, UnicodeDecodeError) as exc:
        errors.append((0, f"not a readable CSV file: {exc}"))
    if errors:
        raise ImportRefused(errors, more)
    return count


def acled_import(
    *,
    feed: Feed,
    file: TextIO,
    file_name: str,
    user: User | AnonymousUser | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import an ACLED CSV file (seekable text) as indicators of the feed's posts whose
    area covers each event (docs/feeds.md). Idempotent: an event version already imported
    changes nothing; a newer version (a later ``timestamp``) withdraws the indicators of
    the older one and records its own. Raises ImportRefused (lines named, nothing written).
    Memory stays bounded: the file is streamed twice (checked, then written in batches)."""
    now = timezone.now()
    log = FeedImport(
        kind=FeedImport.Kind.ACLED,
        feed=feed,
        file_name=file_name[:255],
        started_at=now,
        by=user if user is not None and user.is_authenticated else None,
    )
    try:
        total = _checked(file, now.astimezone(dt.UTC).date())
        posts_by_country: dict[str, list[Post]] = {}
        for post in feed.posts.only("id", "code", "country", "city", "latitude", "longitude"):
            posts_by_country.setdefault(post.country, []).append(post)
        result = ImportResult(rows=total)
        with transaction.atomic():
            rows = _rows(file)
            done = 0
            while batch := list(islice(rows, batch_size)):
                _batch_write(feed, posts_by_country, batch, now, result)
                # With DEBUG on (a developer's machine) Django logs every query's SQL, a
                # batch's insert included, until a request ends: a command has none.
                reset_queries()
                done += len(batch)
                if progress is not None:
                    progress(done, total)
            # bulk_create bypasses the re-score hook (docs/architecture.md, "Re-scoring").
            for post_id in sorted(result.posts):
                post_rescore_enqueue(post_id=post_id)
    except ImportRefused as exc:
        log.summary = f"Refused, nothing imported: {exc}"
        log.save()
        raise
    log.ok = True
    log.created, log.corrected = result.created, result.corrected
    log.unchanged, log.skipped = result.unchanged, result.skipped
    log.summary = result.summary()
    log.save()
    return result


def _batch_write(
    feed: Feed,
    posts_by_country: dict[str, list[Post]],
    batch: list[tuple[int, dict[str, str | None]]],
    now: dt.datetime,
    result: ImportResult,
) -> None:
    # The newest version of each event in the batch (ACLED's monadic files repeat an
    # event once per actor; a file may hold two versions of one event).
    newest: dict[str, tuple[int, acled.AcledEvent]] = {}
    for line, row in batch:
        event = acled.event_read(row)  # checked before: cannot fail
        kept = newest.get(event.event_id)
        if kept is not None:
            result.unchanged += 1
            if kept[1].version >= event.version:
                continue
        newest[event.event_id] = (line, event)
    known = {
        v.event_id: v
        for v in AcledVersion.objects.select_for_update().filter(
            feed=feed, event_id__in=list(newest)
        )
    }
    indicators: list[Indicator] = []
    superseded: list[str] = []
    fresh: list[AcledVersion] = []
    for line, event in newest.values():
        before = known.get(event.event_id)
        if before is not None and before.version >= event.version:
            result.unchanged += 1
            continue
        made = _indicators_of(feed, posts_by_country.get(event.country, ()), event, line, now)
        if made is None:
            result.skipped += 1
            continue
        if before is not None:
            superseded.append(f"acled:{event.event_id}:{before.version}")
            before.version, before.imported_at = event.version, now
            before.save(update_fields=["version", "imported_at"])
        else:
            fresh.append(AcledVersion(feed=feed, event_id=event.event_id, version=event.version))
        indicators.extend(made)
    if superseded:
        withdrawn = indicators_withdraw(feed=feed, references=superseded, at=now).withdrawn
        result.corrected += len(withdrawn)
        result.posts.update(i.post_id for i in withdrawn)
    AcledVersion.objects.bulk_create(fresh)
    Indicator.objects.bulk_create(indicators)
    result.created += len(indicators)
    result.posts.update(i.post_id for i in indicators)


def _indicators_of(
    feed: Feed, posts: Sequence[Post], event: acled.AcledEvent, line: int, now: dt.datetime
) -> list[Indicator] | None:
    """The event's indicator at each post whose area covers it, checked by the model's
    rules; None when it concerns none of them or is older than five years."""
    try:
        indicator_observed_recently(event.observed_at, now)
    except ValidationError:
        return None
    made = []
    for post in posts:
        centre = (
            (post.latitude, post.longitude)
            if post.latitude is not None and post.longitude is not None
            else None
        )
        mapped = acled.at_post(
            event, city=post.city, centre=centre, radius_km=settings.ACLED_CITY_RADIUS_KM
        )
        if mapped is None:
            continue
        source = f"{feed.name} {event.event_id}"
        if event.source:
            source += f" (reported by {event.source})"
        indicator = Indicator(
            post=post,
            category=mapped.category.value,
            severity=mapped.severity,
            reliability=feed.reliability,
            credibility=acled.CREDIBILITY,
            source=source if len(source) <= 200 else source[:199] + "…",
            text=acled.describe(event, elsewhere=not mapped.local),
            observed_at=event.observed_at,
            external_id=event.external_id,
            # Named in the city, where each ACLED event is its own piece of evidence; from
            # elsewhere unnamed, so the engine's 48-hour rule for unnamed reports of one
            # kind damps a country's stream of distant events (docs/feeds.md).
            event=event.key if mapped.local else "",
            de_escalation=mapped.de_escalation,
            recorded_at=now,
            feed=feed,
        )
        try:
            # The uniqueness of (post, external_id) is the versions table's and the
            # database's: one query per row here would be 100,000 queries.
            # The post and feed are the ones loaded above (their checks are a query each).
            indicator.full_clean(exclude=["post", "feed"], validate_constraints=False)
        except ValidationError as exc:
            raise ImportRefused([(line, f"{post.code}: {exc.message_dict}")]) from None
        made.append(indicator)
    return made or None


def feed_for_import(*, name: str, reliability: str) -> tuple[Feed, bool]:
    """The feed an import writes as, created on first use for every post (its grade and
    posts are then the administrator's, in the admin). Its API token is not shown: a file
    import needs none."""
    feed = Feed.objects.filter(name=name).first()
    if feed is not None:
        return feed, False
    feed, _token = feed_create(name=name, reliability=reliability, posts=Post.objects.all())
    return feed, True


# --- Travel advisories -----------------------------------------------------------------

GOVERNMENT_NAMES = {"US": "United States", "GB": "United Kingdom"}
DEFAULT_ADVISORY_FEEDS = {"US": "US travel advisories", "GB": "UK travel advice"}
# A government's published advice is what it says: confirmed.
ADVISORY_CREDIBILITY = 1


@dataclass
class AdvisoryResult:
    advisories: int = 0
    changed: int = 0  # changes of level (per government and country)
    created: int = 0  # indicators recorded
    ended: int = 0  # standing advisories ended by a change
    unchanged: int = 0  # a level published again, or an older publication
    unknown_countries: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.advisories} advisories: {self.changed} changes of level, "
            f"{self.created} indicators recorded, {self.ended} standing advisories ended, "
            f"{self.unchanged} unchanged"
        )
        if self.unknown_countries:
            text += "; not in the country table (skipped): " + ", ".join(self.unknown_countries)
        return text


def advisory_event(government: str, country: str) -> str:
    """The engine's ``event`` of one government's advice on one country: a lowered level
    (a de-escalation of it) ends the standing advice (docs/engine.md, De-escalation)."""
    return f"advisory-{government.lower()}-{country.lower()}"


def advisories_government(document: bytes) -> str:
    """The government a document is from (US or GB); AdvisoryError when it cannot be read."""
    found = advisories_read(document)
    return found[0].government if found else ""


def advisories_import(
    *,
    feed: Feed,
    document: bytes,
    file_name: str,
    user: User | AnonymousUser | None = None,
) -> AdvisoryResult:
    """Import a travel-advisory document (US RSS, GB Atom or JSON) as peer-action
    indicators of the feed's posts in each country, all or nothing. Only a change of level
    (per government and country, against the last level seen) is recorded: a raised level
    ends the standing advice and records the new one as an ongoing condition; a lowered
    level ends it and records a de-escalation of the old level's severity, then the new
    standing advice (if above normal).
    The first level seen for a country is recorded as standing advice. A publication no
    newer than the last one seen changes nothing. Raises ImportRefused."""

    log = FeedImport(
        kind=FeedImport.Kind.ADVISORIES,
        feed=feed,
        file_name=file_name[:255],
        by=user if user is not None and user.is_authenticated else None,
    )
    try:
        try:
            found = advisories_read(document)
        except AdvisoryError as exc:
            raise ImportRefused([(0, e) for e in exc.errors[:MAX_ERRORS_SHOWN]]) from None
        result = AdvisoryResult(advisories=len(found))
        newest: dict[tuple[str, str], Advisory] = {}
        for a in found:
            if not a.country:
                result.unknown_countries.append(a.country_name)
                continue
            kept = newest.get((a.government, a.country))
            if kept is None or a.published_at > kept.published_at:
                newest[(a.government, a.country)] = a
        result.unchanged += len(found) - len(result.unknown_countries) - len(newest)
        try:
            with transaction.atomic():
                for advisory in newest.values():
                    _advisory_apply(feed, advisory, result)
        except FeedRefused as exc:
            errors = [(0, f"{exc.message}: {e}") for e in exc.errors.values()]
            raise ImportRefused(errors[:MAX_ERRORS_SHOWN]) from None
    except ImportRefused as exc:
        log.summary = f"Refused, nothing imported: {exc}"
        log.save()
        raise
    log.ok = True
    log.created, log.unchanged = result.created, result.unchanged
    log.corrected = result.ended
    log.skipped = len(result.unknown_countries)
    log.summary = result.summary()
    log.save()
    return result


def _advisory_apply(feed: Feed, a: Advisory, result: AdvisoryResult) -> None:
    now = timezone.now()
    state = (
        AdvisoryLevel.objects.select_for_update()
        .filter(government=a.government, country=a.country)
        .first()
    )
    if state is not None and (a.published_at <= state.published_at or a.step == state.step):
        if a.published_at > state.published_at:  # the same level published again
            state.published_at, state.seen_at, state.label = a.published_at, now, a.label
            state.save(update_fields=["published_at", "seen_at", "label"])
        result.unchanged += 1
        return
    before = state.step if state is not None else 1
    result.changed += 1
    event = advisory_event(a.government, a.country)
    who = GOVERNMENT_NAMES[a.government]
    stamp = a.published_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    # Observed when published, but not before the standing advice it changes.
    observed = min(a.published_at, now)
    source = f"{feed.name}, {who}" + (f" ({a.url})" if a.url else "")
    source = source if len(source) <= 200 else source[:199] + "…"
    posts = list(feed.posts.filter(country=a.country))
    try:
        indicator_observed_recently(observed, now)
        too_old = False
    except ValidationError:
        too_old = True  # the state is kept; an advice of six years ago is no news
    for post in posts if not too_old else []:
        standing = list(
            Indicator.objects.filter(
                feed=feed, post=post, event=event, ongoing=True, ended_at__isnull=True
            ).exclude(de_escalation=True)
        )
        observations = [
            # The standing advice ends when the new one is published (the same content
            # delivered with an end: indicators_deliver's way of ending a condition).
            _ended(post, i, at=max(observed, i.observed_at))
            for i in standing
        ]
        if a.step < before:
            observations.append(
                Observation(
                    post_code=post.code,
                    category="peer_action",
                    # The old level's severity: at the same grade and age it cancels the
                    # ended advice's decaying tail, leaving the new standing advice.
                    severity=before,
                    credibility=ADVISORY_CREDIBILITY,
                    observed_at=observed,
                    text=f"{who} lowers its advice on {a.country_name}: {a.label}",
                    external_id=f"advisory:{a.government}:{a.country}:{stamp}:lowered",
                    source=source,
                    event=event,
                    de_escalation=True,
                )
            )
        if a.step >= 2:
            observations.append(
                Observation(
                    post_code=post.code,
                    category="peer_action",
                    severity=a.step,
                    credibility=ADVISORY_CREDIBILITY,
                    # A second later than a de-escalation recorded with it, which ends only
                    # the standing advice known before it (docs/engine.md).
                    observed_at=observed + dt.timedelta(seconds=1),
                    text=f"{who}: {a.label}",
                    external_id=f"advisory:{a.government}:{a.country}:{stamp}:{a.step}",
                    ongoing=True,
                    source=source,
                    event=event,
                )
            )
        # Ending first, then the de-escalation, then the new advice: the order they
        # become known in (each is recorded at its own instant).
        for observation in observations:
            delivery = indicators_deliver(feed=feed, observations=[observation])
            result.created += len(delivery.created)
            result.ended += len(delivery.ended)
    if state is None:
        state = AdvisoryLevel(government=a.government, country=a.country)
    state.step, state.label = a.step, a.label
    state.published_at, state.seen_at = a.published_at, now
    state.full_clean()
    state.save()


def _ended(post: Post, indicator: Indicator, *, at: dt.datetime) -> Observation:
    return Observation(
        post_code=post.code,
        category=indicator.category,
        severity=indicator.severity,
        credibility=indicator.credibility,
        observed_at=indicator.observed_at,
        text=indicator.text,
        external_id=indicator.external_id,
        expires_at=indicator.expires_at,
        ongoing=True,
        ended_at=at,
        source=indicator.source,
        event=indicator.event,
        de_escalation=indicator.de_escalation,
    )
