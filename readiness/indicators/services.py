"""Writes on indicators and feeds. Saving an indicator queues a re-score of its post after
commit (readiness.assessments.apps), so callers only record."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from readiness.posts.limits import indicator_observed_recently
from readiness.posts.models import Post

from .cap import CapMessage, reference_event
from .models import Feed, Indicator


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
    errors: dict[str, list[ValidationError]] = {}
    checks: tuple[Callable[[], None], ...] = (
        lambda: indicator_observed_recently(observed_at, now),
        # Constraints apart (below): Django's check of a conditional unique constraint
        # swallows a DatabaseError and reports the constraint violated, so a lost
        # connection told a feed its valid observation was a duplicate (issue 9).
        lambda: indicator.full_clean(validate_constraints=False),
    )
    for check in checks:
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    _constraints_validate(indicator)
    indicator.save()
    return indicator


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
    Raises FeedRefused."""
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
    with transaction.atomic():
        existing = {
            (indicator.post.code, indicator.external_id): indicator
            for indicator in Indicator.objects.select_for_update(of=("self",))  # not the posts
            .select_related("post")
            .filter(post__in=posts.values(), external_id__in={o.external_id for o in observations})
        }
        for i, o in enumerate(observations):
            before = existing.get((o.post_code, o.external_id))
            if before is None:
                try:
                    delivery.created.append(_record(feed, posts[o.post_code], o))
                except ValidationError as exc:
                    invalid[i] = exc.message_dict
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
                    before.full_clean(validate_constraints=False)
                    _constraints_validate(before)
                except ValidationError as exc:
                    invalid[i] = exc.message_dict
                    continue
                before.save(update_fields=["ended_at"])
                delivery.ended.append(before)
            else:
                delivery.unchanged.append(before)
        if invalid or conflicts:
            # Leaving the block by an exception undoes the rows written above.
            status = 400 if invalid else 409
            message = "invalid observations" if invalid else "conflicts with delivered ones"
            raise FeedRefused(status, message, invalid or conflicts)
    return delivery


def _record(feed: Feed, post: Post, o: Observation) -> Indicator:
    return indicator_record(
        post=post,
        category=o.category,
        severity=o.severity,
        reliability=feed.reliability,
        credibility=o.credibility,
        source=o.source or feed.name,
        text=o.text,
        observed_at=o.observed_at,
        expires_at=o.expires_at,
        ongoing=o.ongoing,
        ended_at=o.ended_at,
        external_id=o.external_id,
        event=o.event,
        de_escalation=o.de_escalation,
        feed=feed,
    )


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
