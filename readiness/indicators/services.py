"""Writes on indicators and feeds. Saving an indicator queues a re-score of its post after
commit (readiness.assessments.apps), so callers only record."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from readiness.posts.limits import indicator_observed_recently
from readiness.posts.models import Category, Post

from .cap import CapMessage, reference_event
from .models import EVENT_KEY_PATTERN, Feed, Indicator


def indicator_record(
    *,
    post: Post,
    category: str,
    severity: int,
    reliability: str,
    credibility: int,
    source: str,
    text: str,
    observed_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    ongoing: bool = False,
    ended_at: dt.datetime | None = None,
    external_id: str = "",
    event: str = "",
    de_escalation: bool = False,
    user: User | AnonymousUser | None = None,
    feed: Feed | None = None,
) -> Indicator:
    """Record one observation for a post, as an officer or a feed types it. Raises
    ValidationError naming the field at fault (an observation in the future or more than
    five years old, an end before the start, a duplicate external id...)."""
    now = timezone.now()
    indicator = Indicator(
        post=post,
        category=category,
        severity=severity,
        reliability=reliability,
        credibility=credibility,
        source=source.strip(),
        text=text.strip(),
        observed_at=observed_at,
        expires_at=expires_at,
        ongoing=ongoing,
        ended_at=ended_at,
        external_id=external_id,
        event=event.strip(),
        de_escalation=de_escalation,
        recorded_at=now,
        recorded_by=user if user is not None and user.is_authenticated else None,
        feed=feed,
    )
    _fields_validate(indicator, now)
    _constraints_validate(indicator)
    indicator.save()
    return indicator


def _fields_validate(
    indicator: Indicator,
    now: dt.datetime,
    *,
    exclude: Sequence[str] = (),
    validate_unique: bool = True,
) -> None:
    """Every rule on the indicator's own fields (types, lengths, choices, ranges, dates, the
    model's clean()), all errors at once by field. ``exclude``: fields not to check (the
    foreign keys of a batch, whose rows were read moments ago)."""
    errors: dict[str, list[ValidationError]] = {}
    checks: tuple[Callable[[], None], ...] = (
        lambda: indicator_observed_recently(indicator.observed_at, now),
        # Constraints apart (_constraints_validate): Django's check of a conditional unique
        # constraint swallows a DatabaseError and reports the constraint violated, so a
        # lost connection told a feed its valid observation was a duplicate (issue 9).
        lambda: indicator.full_clean(
            exclude=exclude, validate_unique=validate_unique, validate_constraints=False
        ),
    )
    if (
        not validate_unique
        and _READ_WITH_THE_BATCH_SET.issubset(exclude)
        and _plainly_valid_fields(indicator)
    ):
        # What clean_fields() checks passes, and no unique check is asked: of full_clean()
        # only clean() is left, whose rules run for every row, as the age's does.
        checks = (checks[0], indicator.clean)
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _constraints_validate(indicator: Indicator) -> None:
    """The model's constraints, checked so that a database fault raises (OperationalError,
    answered 503 by the API) instead of reading as a violation. The external id's
    uniqueness is a plain query; the check constraints repeat rules ``full_clean`` has
    already applied (a fault there lets the row through to the database, which refuses
    it itself)."""
    indicator.validate_constraints(exclude={"external_id"})
    if (
        indicator.external_id
        and Indicator.objects.filter(post=indicator.post, external_id=indicator.external_id)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "external_id": ValidationError(
                    "%(id)s is already used for this post.",
                    code="unique",
                    params={"id": indicator.external_id},
                )
            }
        )


# --- Feeds -----------------------------------------------------------------------------


def _digest(token: str) -> str:
    # Tokens are 256 random bits: a plain hash is enough (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_issue(*, feed: Feed) -> str:
    """Give the feed a new token and return it: the only time it can be read (only its
    digest is stored). The old token stops working at once."""
    token = secrets.token_urlsafe(32)
    feed.token_digest = _digest(token)
    feed.token_hint = token[:6]
    if feed.pk:
        feed.save(update_fields=["token_digest", "token_hint"])
    return token


def feed_create(*, name: str, reliability: str, posts: Iterable[Post] = ()) -> tuple[Feed, str]:
    """A new active feed and its token."""
    feed = Feed(name=name, reliability=reliability)
    token = feed_token_issue(feed=feed)
    feed.full_clean()
    feed.save()
    feed.posts.set(list(posts))
    return feed, token


def feed_authenticate(*, token: str) -> Feed | None:
    """The active feed holding this token, or None."""
    if not token:
        return None
    feed = Feed.objects.filter(token_digest=_digest(token), is_active=True).first()
    if feed is not None:
        Feed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed


@dataclass(frozen=True, slots=True)
class Observation:
    """One indicator as a feed delivers it (the JSON and CAP forms both become this)."""

    post_code: str
    category: str
    severity: int
    credibility: int
    observed_at: dt.datetime
    text: str
    external_id: str
    expires_at: dt.datetime | None = None
    ongoing: bool = False
    ended_at: dt.datetime | None = None
    source: str = ""
    event: str = ""
    de_escalation: bool = False

    def same_as(self, indicator: Indicator) -> bool:
        """Delivered before with the same content (a retry), the end aside. An observation
        that names no event matches whatever event the indicator has since been given (a
        CAP message that references it gives it one)."""
        return (
            indicator.category == self.category
            and indicator.severity == self.severity
            and indicator.credibility == self.credibility
            and indicator.observed_at == self.observed_at
            and indicator.text == self.text.strip()
            and indicator.expires_at == self.expires_at
            and indicator.ongoing == self.ongoing
            and indicator.de_escalation == self.de_escalation
            and (not self.event or indicator.event == self.event)
        )


class FeedRefused(Exception):
    """Nothing of the delivery was saved. ``status`` is the HTTP status to answer,
    ``errors`` maps the position of each refused observation to its field errors."""

    def __init__(self, status: int, message: str, errors: dict[int, dict[str, list[str]]]):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


@dataclass
class Delivery:
    """What a delivery did, observation by observation (each list holds indicators)."""

    created: list[Indicator] = field(default_factory=list)
    unchanged: list[Indicator] = field(default_factory=list)  # a retry of a delivered one
    ended: list[Indicator] = field(default_factory=list)  # an ongoing condition now ended
    withdrawn: list[Indicator] = field(default_factory=list)  # cancelled or superseded
    ignored: str = ""  # why nothing was looked at (a CAP exercise, an acknowledgement)


def indicators_deliver(*, feed: Feed, observations: Sequence[Observation]) -> Delivery:
    """Record a feed's observations, all or nothing. Idempotent: an observation delivered
    again with the same external id and content changes nothing (feeds retry); the same
    one delivered with an end marks the ongoing condition ended. A different content
    under a delivered id is refused (409): an indicator is evidence and is not rewritten.
    Raises FeedRefused.

    Set-based, so that a delivery of 500 costs a handful of statements, not a few per
    observation (issue 12): the posts and the already delivered ids are read in one query
    each, every observation is checked in Python (the model's field rules and clean(), which
    cover each check constraint), and the new rows and their history are written in one
    INSERT each (the ends in one UPDATE). The database's constraints still stand behind;
    should it refuse the batch (the same id stored by a concurrent delivery), the rows are
    tried one by one to name each refused one (_refused_by_database)."""
    codes = {o.post_code for o in observations}
    posts = {post.code: post for post in feed.posts.filter(code__in=codes)}
    refused = {
        i: {"post": [f"this feed may not write to post {o.post_code!r} (unknown or not listed)"]}
        for i, o in enumerate(observations)
        if o.post_code not in posts
    }
    if refused:
        raise FeedRefused(403, "post not allowed for this feed", refused)
    seen: dict[tuple[str, str], int] = {}
    for i, o in enumerate(observations):
        key = (o.post_code, o.external_id)
        if key in seen:
            refused[i] = {"external_id": [f"repeats observation {seen[key]} of this delivery"]}
        seen.setdefault(key, i)
    if refused:
        raise FeedRefused(400, "the same observation twice", refused)

    delivery = Delivery()
    conflicts: dict[int, dict[str, list[str]]] = {}
    invalid: dict[int, dict[str, list[str]]] = {}
    created: list[tuple[int, Indicator]] = []
    ended: list[tuple[int, Indicator]] = []
    now = timezone.now()
    with transaction.atomic():
        by_id = {post.pk: post for post in posts.values()}
        existing = {}
        for indicator in Indicator.objects.select_for_update().filter(
            post__in=posts.values(), external_id__in={o.external_id for o in observations}
        ):
            indicator.post = by_id[indicator.post_id]  # read above, not joined again
            existing[(indicator.post.code, indicator.external_id)] = indicator
        for i, o in enumerate(observations):
            before = existing.get((o.post_code, o.external_id))
            if before is None:
                indicator = _delivered(feed, posts[o.post_code], o, now)
                try:
                    # Its only unique fields are its id and what it corrects (both empty):
                    # its external id was checked for the whole batch above.
                    _fields_validate(
                        indicator, now, exclude=_READ_WITH_THE_BATCH, validate_unique=False
                    )
                except ValidationError as exc:
                    invalid[i] = exc.message_dict
                    continue
                created.append((i, indicator))
            elif before.feed_id != feed.pk:
                conflicts[i] = {
                    "external_id": [
                        f"{o.external_id!r} is already used for post {o.post_code} by another "
                        "source: a feed's external ids must be its own"
                    ]
                }
            elif not o.same_as(before):
                conflicts[i] = {
                    "external_id": [
                        f"{o.external_id!r} was delivered before with another content; "
                        "an indicator is not rewritten: send it under a new external id"
                    ]
                }
            elif o.ended_at is not None and before.ended_at != o.ended_at:
                before.ended_at = o.ended_at
                try:
                    before.full_clean(exclude=_READ_WITH_THE_BATCH, validate_constraints=False)
                except ValidationError as exc:
                    invalid[i] = exc.message_dict
                    continue
                ended.append((i, before))
            else:
                delivery.unchanged.append(before)
        if invalid or conflicts:
            status = 400 if invalid else 409
            message = "invalid observations" if invalid else "conflicts with delivered ones"
            raise FeedRefused(status, message, invalid or conflicts)
        # Leaving the block by an exception undoes the rows written here.
        delivery.created = _indicators_store(created)
        delivery.ended = _indicators_end(ended)
    return delivery


# Not checked row by row in a delivery: the foreign keys, read with it (the feed, its posts)
# or empty, and the fields the service sets the same for every row (the feed's grade,
# validated with the feed; the moment; no withdrawal). The database's constraints stand
# behind them all the same.
_READ_WITH_THE_BATCH = (
    "post", "feed", "recorded_by", "corrects", "withdrawn_by",
    "id", "reliability", "recorded_at", "withdrawn_at", "withdrawal_reason",
)  # fmt: skip


_READ_WITH_THE_BATCH_SET = frozenset(_READ_WITH_THE_BATCH)
_CATEGORIES = frozenset(Category.values)
_EVENT_KEY = re.compile(EVENT_KEY_PATTERN)  # event_key's


def _max_length(name: str) -> int:
    return int(getattr(Indicator._meta.get_field(name), "max_length", None) or 0)


_SOURCE_MAX, _EXTERNAL_ID_MAX, _EVENT_MAX = map(_max_length, ("source", "external_id", "event"))


def _plainly_valid_fields(indicator: Indicator) -> bool:
    """True when every field a batch checks row by row plainly passes the model's field
    rules (what ``clean_fields()`` applies, outside _READ_WITH_THE_BATCH): values of exactly
    the field's type, within its choices, range and length, required text not empty, the
    event a valid key. A conservative shortcut, a tenth of clean_fields()'s cost: anything
    it does not recognise as plainly valid (another type, a value out of bounds) is left to
    clean_fields(), which names the fault in its own words. A test holds the two together
    (tests/indicators/test_bulk_store.py)."""
    i = indicator
    return (
        type(i.category) is str
        and i.category in _CATEGORIES
        and type(i.severity) is int
        and 1 <= i.severity <= 5
        and type(i.credibility) is int
        and 1 <= i.credibility <= 6
        and type(i.source) is str
        and 0 < len(i.source) <= _SOURCE_MAX
        and type(i.text) is str
        and len(i.text) > 0
        and type(i.observed_at) is dt.datetime
        and (i.expires_at is None or type(i.expires_at) is dt.datetime)
        and (i.ended_at is None or type(i.ended_at) is dt.datetime)
        and type(i.ongoing) is bool
        and type(i.de_escalation) is bool
        and type(i.external_id) is str
        and len(i.external_id) <= _EXTERNAL_ID_MAX
        and type(i.event) is str
        and len(i.event) <= _EVENT_MAX
        and (not i.event or _EVENT_KEY.search(i.event) is not None)
    )


def _delivered(feed: Feed, post: Post, o: Observation, now: dt.datetime) -> Indicator:
    """The indicator an observation becomes, as indicator_record builds it."""
    return Indicator(
        post=post,
        category=o.category,
        severity=o.severity,
        reliability=feed.reliability,
        credibility=o.credibility,
        source=(o.source or feed.name).strip(),
        text=o.text.strip(),
        observed_at=o.observed_at,
        expires_at=o.expires_at,
        ongoing=o.ongoing,
        ended_at=o.ended_at,
        external_id=o.external_id,
        event=o.event.strip(),
        de_escalation=o.de_escalation,
        recorded_at=now,
        recorded_by=None,
        feed=feed,
    )


def _indicators_store(rows: list[tuple[int, Indicator]]) -> list[Indicator]:
    """Insert checked new indicators in one statement, and their history ("+" records, as a
    save writes them) in another; ask for each post's re-score after commit (bulk writes
    send no post_save)."""
    indicators = [indicator for _i, indicator in rows]
    if not indicators:
        return []
    try:
        with transaction.atomic():
            Indicator.objects.bulk_create(indicators)
            _history_record(indicators, "+")
    except IntegrityError as exc:
        for _i, indicator in rows:
            indicator.pk = None
        raise _refused_by_database(exc, rows, _insert_one) from exc
    _rescores_request(indicators)
    return indicators


def _indicators_end(rows: list[tuple[int, Indicator]]) -> list[Indicator]:
    """Save the new ends of ongoing conditions in one UPDATE, with their history ("~")."""
    indicators = [indicator for _i, indicator in rows]
    if not indicators:
        return []
    try:
        with transaction.atomic():
            Indicator.objects.bulk_update(indicators, ["ended_at"])
            _history_record(indicators, "~")
    except IntegrityError as exc:
        raise _refused_by_database(exc, rows, _end_one) from exc
    _rescores_request(indicators)
    return indicators


def _history_record(indicators: list[Indicator], history_type: str) -> None:
    """The history records a save of each indicator writes (simple-history's post_save:
    every field as stored, the moment, the user of the request if any), for rows just
    written. On PostgreSQL one INSERT ... SELECT copies the stored rows, no Python object a
    row (building 500 of them cost as much as storing the indicators, issue 12); elsewhere
    simple-history's own bulk_history_create."""
    history = Indicator.history.model
    user = history.get_default_history_user(indicators[0])
    if connection.vendor != "postgresql":
        Indicator.history.bulk_history_create(
            indicators, update=history_type == "~", default_user=user, default_change_reason=None
        )
        return
    quote = connection.ops.quote_name
    tracked = [(history._meta.get_field(f.name).column, f.column) for f in history.tracked_fields]
    meta = history._meta
    targets: list[str] = [column for column, _source in tracked] + [
        meta.get_field(name).column
        for name in ("history_date", "history_type", "history_user", "history_change_reason")
    ]
    sources = ", ".join(f"i.{quote(source)}" for _column, source in tracked)
    pk = quote(Indicator._meta.pk.column or "id")
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(t) for t in targets)}) "
        f"SELECT {sources}, %s, %s, %s, NULL FROM {quote(Indicator._meta.db_table)} i "
        f"WHERE i.{pk} = ANY(%s) ORDER BY i.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [timezone.now(), history_type, getattr(user, "pk", None), [i.pk for i in indicators]],
        )


def _rescores_request(indicators: Iterable[Indicator]) -> None:
    from readiness.assessments.services import posts_rescore_enqueue

    posts_rescore_enqueue(post_ids=(indicator.post_id for indicator in indicators))


def _insert_one(indicator: Indicator) -> None:
    Indicator.objects.bulk_create([indicator])


def _end_one(indicator: Indicator) -> None:
    Indicator.objects.filter(pk=indicator.pk).update(ended_at=indicator.ended_at)


# The field each of the indicator's constraints is about, to name it in a refusal.
CONSTRAINT_FIELDS = {
    "indicator_severity_1_5": "severity",
    "indicator_reliability_a_f": "reliability",
    "indicator_credibility_1_6": "credibility",
    "indicator_category_valid": "category",
    "indicator_only_ongoing_ends_after_start": "ended_at",
    "indicator_expires_after_observed": "expires_at",
    "indicator_expires_before_2101": "expires_at",
    "indicator_observed_1900_2100": "observed_at",
    "indicator_ended_before_2101": "ended_at",
    "indicator_withdrawal_has_reason": "withdrawal_reason",
    "indicator_does_not_correct_itself": "corrects",
    "indicator_external_id_unique_per_post": "external_id",
}
_UNIQUE = "indicator_external_id_unique_per_post"


class _Undo(Exception):
    """Rolls a trial write's savepoint back."""


def _refused_by_database(
    exc: IntegrityError,
    rows: list[tuple[int, Indicator]],
    write_one: Callable[[Indicator], None],
) -> FeedRefused | IntegrityError:
    """What to answer when the database refused a batch the checks had passed: each row is
    written alone, in a savepoint rolled back at once, to name the refused rows and the
    field of the constraint each broke. An external id stored meanwhile by another delivery
    (two deliveries of it at the same moment) is a 409; any other refusal a 400. Only this
    rare path goes row by row. The error itself if no row alone is refused (the concurrent
    delivery was undone meanwhile): the API answers it 409, send again."""
    unique: dict[int, dict[str, list[str]]] = {}
    other: dict[int, dict[str, list[str]]] = {}
    for i, indicator in rows:
        try:
            with transaction.atomic():
                write_one(indicator)
                raise _Undo
        except _Undo:
            continue
        except IntegrityError as refusal:
            name = _constraint_name(refusal)
            if name == _UNIQUE:
                unique[i] = {
                    "external_id": [
                        f"{indicator.external_id!r} was stored for this post by another delivery "
                        "at the same moment: send this delivery again (what was stored is "
                        "then recognised as delivered)"
                    ]
                }
            else:
                field_name = CONSTRAINT_FIELDS.get(name or "", "__all__")
                rule = name or str(refusal).splitlines()[0]
                other[i] = {field_name: [f"refused by the database's rule {rule}"]}
    if other:
        return FeedRefused(400, "invalid observations", other)
    if unique:
        return FeedRefused(409, "delivered concurrently with the same external id", unique)
    return exc


def _constraint_name(exc: IntegrityError) -> str | None:
    """The constraint a write broke: PostgreSQL names it; SQLite says it in the message."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    if name:
        return str(name)
    message = str(exc)
    if "UNIQUE constraint failed" in message and "external_id" in message:
        return _UNIQUE
    return next((known for known in CONSTRAINT_FIELDS if known in message), None)


def indicators_withdraw(*, feed: Feed, references: Iterable[str], at: dt.datetime) -> Delivery:
    """A feed cancels or supersedes what it delivered earlier (CAP Cancel and Update): its
    indicators delivered under these external ids (or their ``#n`` parts) stop weighing
    at ``at``. Only the feed's own indicators, at the posts it may still write to (a feed
    taken off a post no longer changes what it left there); one already expired is left
    as it is."""
    delivery = Delivery()
    references = list(references)
    if not references:
        return delivery
    with transaction.atomic():
        for indicator in Indicator.objects.select_for_update().filter(
            _delivered_under(references), feed=feed, post__in=feed.posts.all()
        ):
            if indicator.expires_at is not None and indicator.expires_at <= at:
                continue
            # Expiry must follow the observation (a constraint): at least a second after.
            indicator.expires_at = max(at, indicator.observed_at + dt.timedelta(seconds=1))
            indicator.save(update_fields=["expires_at"])
            delivery.withdrawn.append(indicator)
    return delivery


def _delivered_under(references: Sequence[str]) -> Q:
    """Indicators delivered under these external ids, or their ``#n`` parts (a CAP alert
    with several info blocks)."""
    parts = Q(external_id__in=references)
    for reference in references:
        parts |= Q(external_id__startswith=f"{reference}#")
    return parts


def _belongs_to(indicator: Indicator, reference: str) -> bool:
    return indicator.external_id == reference or indicator.external_id.startswith(f"{reference}#")


def cap_references_event(*, feed: Feed, references: Sequence[str]) -> str:
    """The event a CAP message is about when it references earlier ones: the event of the
    feed's indicators from the first referenced message that has one, else one derived from
    the first reference (cap.reference_event). The referenced indicators of the feed without
    an event are given it, so that the first report and its follow-ups are one event."""
    if not references:
        return ""
    referenced = list(
        Indicator.objects.select_for_update()
        .filter(_delivered_under(references), feed=feed, post__in=feed.posts.all())
        .order_by("pk")
    )
    event = next(
        (
            indicator.event
            for reference in references
            for indicator in referenced
            if indicator.event and _belongs_to(indicator, reference)
        ),
        reference_event(references[0]),
    )
    for indicator in referenced:
        if not indicator.event:
            indicator.event = event
            indicator.save(update_fields=["event"])
    return event


def cap_message_deliver(*, feed: Feed, message: CapMessage) -> Delivery:
    """A feed's CAP 1.2 message, all or nothing. Alert records its observations; Update
    withdraws the indicators of the messages it references and records its own; Cancel
    withdraws. An Alert or Update that references earlier messages is about their event
    (cap_references_event). Ack and Error, and any status but Actual (an exercise, a test,
    a draft), record nothing: an exercise must never move a real post."""
    if message.status != "Actual":
        return Delivery(ignored=f"status {message.status}: only Actual alerts are recorded")
    if message.msg_type in ("Ack", "Error"):
        return Delivery(ignored=f"msgType {message.msg_type} carries no observation")
    with transaction.atomic():
        event = ""
        if message.observations:
            event = cap_references_event(feed=feed, references=message.references)
        observations = [
            Observation(
                post_code=o.post_code,
                category=o.category,
                severity=o.severity,
                credibility=o.credibility,
                observed_at=o.observed_at,
                text=o.text,
                external_id=o.external_id,
                expires_at=o.expires_at,
                ongoing=o.ongoing,
                source=f"{feed.name} ({message.sender})",
                event=event,
                de_escalation=o.de_escalation,
            )
            for o in message.observations
        ]
        withdrawn: list[Indicator] = []
        if message.msg_type in ("Update", "Cancel"):
            at = min(message.sent, timezone.now())
            withdrawn = indicators_withdraw(
                feed=feed, references=message.references, at=at
            ).withdrawn
        delivery = (
            indicators_deliver(feed=feed, observations=observations) if observations else Delivery()
        )
    delivery.withdrawn = withdrawn
    return delivery
