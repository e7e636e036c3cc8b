"""The feeds' HTTP API: automated sources push indicators as JSON or CAP 1.2 XML.

A feed authenticates with its token (``Authorization: Bearer <token>``), may write only to
its posts, and every indicator it delivers carries the reliability grade the administrator
gave the feed. A delivery is all or nothing; every refusal is a 4xx answer with a reason
in JSON. Retries are safe: an observation delivered again under the same external id
changes nothing. See docs/api.md.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import ratelimit
from .cap import CapError, CapTooLarge, parse_cap
from .models import Feed, Indicator
from .reads import feed_readable_posts
from .schema import ObservationIn, Overview, observations_check
from .services import (
    Delivery,
    FeedRefused,
    Observation,
    cap_message_deliver,
    feed_authenticate,
    indicators_deliver,
)

logger = logging.getLogger(__name__)

MAX_OBSERVATIONS = 500
JSON_TYPES = ("application/json",)
CAP_TYPES = ("application/cap+xml", "application/xml", "text/xml")
# A number with more digits than this is no severity, count or grade: refused by field
# (Python's int() itself refuses more than 4,300 digits, with an error naming nothing).
MAX_DIGITS = 18
# How nested a body may be: an observation is two levels deep in {"indicators": [...]}; a
# body nested past the parser's recursion limit is refused naming where.
MAX_DEPTH = 32
# A transient database fault (a connection lost, a serialisation failure): the feed is told
# to retry after this many seconds, never that its delivery is wrong.
RETRY_AFTER_SECONDS = 10
POST_CODE = re.compile(r"[A-Z]{2}-[A-Z0-9]{2,8}")  # Post.code's form
UNAUTHENTICATED = "a valid feed token is required: Authorization: Bearer <token>"


def _observation(valid: ObservationIn) -> Observation:
    return Observation(
        post_code=valid.post,
        category=valid.category,
        severity=valid.severity,
        credibility=valid.credibility,
        observed_at=valid.observed_at,
        text=valid.text,
        external_id=valid.external_id,
        expires_at=valid.expires_at,
        ongoing=valid.ongoing,
        ended_at=valid.ended_at,
        source=valid.source,
        event=valid.event,
        de_escalation=valid.de_escalation,
    )


class _Unreadable:
    """A JSON number refused as it was read (too many digits, or not finite): what the field
    it was sent for then refuses by name."""

    def __init__(self, written: str) -> None:
        self.written = written


def _json_integer(written: str) -> int | _Unreadable:
    if len(written.lstrip("-")) > MAX_DIGITS:
        return _Unreadable(written)
    return int(written)


def _json_float(written: str) -> float | _Unreadable:
    value = float(written)
    return value if math.isfinite(value) else _Unreadable(written)


def _json_constant(written: str) -> _Unreadable:
    return _Unreadable(written)  # NaN, Infinity, -Infinity: not JSON, and no figure


# The JSON type each field of an observation takes (null is absence for all of them).
_JSON_KINDS: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(("post", "category", "text", "external_id", "source", "event"), (str,)),
    **dict.fromkeys(("observed_at", "expires_at", "ended_at"), (str,)),
    **dict.fromkeys(("severity", "credibility"), (int,)),
    **dict.fromkeys(("ongoing", "de_escalation"), (bool,)),
}
_KIND_WORDS = {str: "a string", int: "a whole number", bool: "true or false"}
# The common case, checked first: a known field whose value is exactly of its type.
_EXACT_KINDS = {name: kinds[0] for name, kinds in _JSON_KINDS.items()}


def _has_lone_surrogate(text: str) -> bool:
    """Half of a UTF-16 pair ("\\ud800"): JSON can write it, UTF-8 and the database cannot."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_type_errors(item: dict[str, Any]) -> dict[str, list[str]]:
    """Fields sent with a value of the wrong JSON type, refused before a form reads them (a
    form would turn [3] into the text "[3]", or fail on a date that is a number)."""
    errors: dict[str, list[str]] = {}
    for name, value in item.items():
        kind = _EXACT_KINDS.get(name)
        if type(value) is kind and (not isinstance(value, str) or value.isascii()):
            continue  # a known field of its own JSON type, plain ASCII if a string: fine
        if _has_lone_surrogate(name):
            errors[name] = ["a field name with an invalid character (a lone UTF-16 surrogate)"]
            continue
        kinds = _JSON_KINDS.get(name)
        if kinds is None or value is None:
            continue
        if isinstance(value, _Unreadable):
            errors[name] = [
                f"a number of {len(value.written)} characters, or not finite, is not accepted"
            ]
        elif not _of_kind(value, kinds):
            errors[name] = [f"send {_KIND_WORDS[kinds[0]]}, not {_json_kind(value)}"]
        elif isinstance(value, str) and _has_lone_surrogate(value):
            errors[name] = ["contains an invalid character (a lone UTF-16 surrogate)"]
    return errors


def _of_kind(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # a bool is an int to Python, not to JSON
        return bool in kinds
    if int in kinds and isinstance(value, float):
        return value.is_integer()  # 4.0 is 4, as it always was
    return isinstance(value, kinds)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def _too_deep_at(body: bytes, limit: int) -> tuple[int, str] | None:
    """Where a body first nests deeper than ``limit``: (the observation's position, its
    field), or None when that is not inside an observation's field. A scan of the tokens,
    for the refusal's message only (the parser gave up on recursion)."""
    # Each open container: its kind and where in it we are (a key, or an index).
    stack: list[list[Any]] = []
    string: bytes | None = None
    for match in _JSON_TOKEN.finditer(body):
        token = match.group()
        if token in (b"{", b"["):
            stack.append([token, None if token == b"{" else 0])
            if len(stack) > limit:
                return _observation_field(stack)
        elif token in (b"}", b"]"):
            if stack:
                stack.pop()
        elif token == b":":
            if stack and string is not None:
                stack[-1][1] = string[1:-1].decode("utf-8", "replace")
        elif token == b",":
            if stack:
                stack[-1][1] = stack[-1][1] + 1 if stack[-1][0] == b"[" else None
        else:
            string = token
    return None


def _observation_field(stack: list[list[Any]]) -> tuple[int, str] | None:
    path = [place for _kind, place in stack]
    if stack[0][0] == b"{" and path[0] == "indicators" and len(path) > 2:
        index, field = path[1], path[2]  # {"indicators": [..., {field: ...}]}
    elif stack[0][0] == b"[":
        index, field = path[0], path[1]  # [..., {field: ...}]
    else:
        index, field = 0, path[0]  # {field: ...}
    return (index, field) if isinstance(index, int) and isinstance(field, str) else None


class _BodyRefused(Exception):
    def __init__(self, response: JsonResponse) -> None:
        self.response = response


def _json_body(body: bytes) -> Any:
    """The parsed body; raises _BodyRefused with the 400 to answer."""
    try:
        return json.loads(
            body,
            parse_int=_json_integer,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except RecursionError:
        where = _too_deep_at(body, MAX_DEPTH)
        errors = None
        if where is not None:
            errors = {str(where[0]): {where[1]: [f"nested more than {MAX_DEPTH} deep"]}}
        raise _BodyRefused(
            _refuse(400, f"the body is nested too deep (more than {MAX_DEPTH})", errors)
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BodyRefused(_refuse(400, f"the body is not JSON: {exc}")) from None


def _unavailable_on_database_fault(
    view: Callable[..., JsonResponse],
) -> Callable[..., HttpResponse]:
    """A transient database fault answers 503 with Retry-After, never 4xx: the delivery is
    not wrong, and a feed told it is would drop it (issue 9). Deliveries are atomic, so
    nothing of it was kept; the feed sends it again."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            logger.warning("delivery refused for a database fault, retry asked: %s", exc)
            response = _refuse(
                503,
                "the database is unavailable for a moment: nothing was recorded; "
                f"send the delivery again in {RETRY_AFTER_SECONDS} s",
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response

    return wrapped


def _refuse(status: int, error: str, errors: Any = None) -> JsonResponse:
    body: dict[str, Any] = {"error": error}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="readiness feeds"'
    return response


def _feed(request: HttpRequest) -> Feed | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return feed_authenticate(token=token.strip())


def _rate_limited(feed: Feed) -> JsonResponse | None:
    """The 429 to answer when the feed's token is over its rate limit (ratelimit.py)."""
    seconds = ratelimit.retry_after(token_digest=feed.token_digest)
    if seconds is None:
        return None
    response = _refuse(
        429,
        f"too many requests for this token (at most {settings.API_RATE_LIMIT} in "
        f"{settings.API_RATE_WINDOW_SECONDS} s): nothing was recorded; "
        f"send it again in {seconds} s",
    )
    response["Retry-After"] = str(seconds)
    return response


def _answer(delivery: Delivery) -> JsonResponse:
    def rows(indicators: list[Indicator]) -> list[dict[str, Any]]:
        return [{"id": i.pk, "post": i.post.code, "external_id": i.external_id} for i in indicators]

    if delivery.ignored:
        return JsonResponse({"ignored": delivery.ignored}, status=200)
    body = {
        "created": rows(delivery.created),
        "unchanged": rows(delivery.unchanged),
        "ended": rows(delivery.ended),
        "withdrawn": rows(delivery.withdrawn),
    }
    return JsonResponse(body, status=201 if delivery.created else 200)


def _received(
    request: HttpRequest, content_types: tuple[str, ...]
) -> tuple[Feed, bytes] | JsonResponse:
    """The feed behind a well-formed request and its body, or the refusal to answer."""
    if request.method != "POST":
        response = _refuse(405, "POST a delivery here")
        response["Allow"] = "POST"
        return response
    feed = _feed(request)
    if feed is None:
        return _refuse(401, UNAUTHENTICATED)
    limited = _rate_limited(feed)
    if limited is not None:
        return limited
    if request.content_type not in content_types:
        return _refuse(
            415, f"send Content-Type {' or '.join(content_types)}, not {request.content_type!r}"
        )
    try:
        return feed, request.body
    except RequestDataTooBig:
        return _refuse(413, "the delivery is too large: send fewer observations at a time")


def _deliver(deliver: Callable[[], Delivery]) -> JsonResponse:
    try:
        return _answer(deliver())
    except FeedRefused as exc:
        return _refuse(exc.status, exc.message, {str(i): e for i, e in exc.errors.items()})
    except IntegrityError:
        # Two deliveries of the same observation at the same moment: one won; a retry of
        # this one will be recognised as already delivered.
        return _refuse(409, "delivered concurrently with the same external id: send it again")


@csrf_exempt
@_unavailable_on_database_fault
def indicators_post(request: HttpRequest) -> JsonResponse:
    """POST one observation (an object) or several ({"indicators": [...]}) as JSON."""
    received = _received(request, JSON_TYPES)
    if isinstance(received, JsonResponse):
        return received
    feed, body = received
    try:
        payload = _json_body(body)
    except _BodyRefused as refused:
        return refused.response
    if isinstance(payload, dict) and set(payload) == {"indicators"}:
        payload = payload["indicators"]
    items = [payload] if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not items:
        return _refuse(400, 'send an observation object, or {"indicators": [one or more]}')
    if len(items) > MAX_OBSERVATIONS:
        return _refuse(413, f"at most {MAX_OBSERVATIONS} observations a delivery")
    # The JSON types first, item by item (what pydantic must not coerce), then every
    # object's fields in one validation of the whole list (issue 12: not one a item).
    errors: dict[int, dict[str, list[str]]] = {}
    objects: list[tuple[int, dict[str, Any]]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            errors[i] = {"__all__": ["an observation is a JSON object"]}
            continue
        wrong_type = _json_type_errors(item)
        if wrong_type:
            errors[i] = wrong_type
            item = {k: v for k, v in item.items() if k not in wrong_type}
        objects.append((i, item))
    valid, problems = observations_check(
        [item for _i, item in objects], reliability=feed.reliability
    )
    for position, fields in problems.items():
        i = objects[position][0]
        errors[i] = {**fields, **errors.get(i, {})}
    if errors:
        return _refuse(
            400,
            "invalid observations: nothing was recorded",
            {str(i): errors[i] for i in sorted(errors)},
        )
    return _deliver(
        lambda: indicators_deliver(feed=feed, observations=[_observation(v) for v in valid])
    )


@csrf_exempt
@_unavailable_on_database_fault
def cap_post(request: HttpRequest) -> JsonResponse:
    """POST one CAP 1.2 alert (what each kind of message does: services.cap_message_deliver)."""
    received = _received(request, CAP_TYPES)
    if isinstance(received, JsonResponse):
        return received
    feed, body = received
    try:
        message = parse_cap(body)
    except CapTooLarge as exc:
        return _refuse(413, f"{exc}: nothing was recorded")
    except CapError as exc:
        return _refuse(400, "not a usable CAP 1.2 alert: nothing was recorded", exc.errors)
    return _deliver(lambda: cap_message_deliver(feed=feed, message=message))


# --- Reading ------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> Feed | JsonResponse:
    """The feed behind a well-formed read, or the refusal to answer."""
    if request.method not in ("GET", "HEAD"):
        response = _refuse(405, "GET this")
        response["Allow"] = "GET, HEAD"
        return response
    feed = _feed(request)
    if feed is None:
        return _refuse(401, UNAUTHENTICATED)
    limited = _rate_limited(feed)
    if limited is not None:
        return limited
    if not feed.can_read:
        return _refuse(
            403, "this feed may not read assessments: an administrator can allow it (Can read)"
        )
    return feed


@csrf_exempt  # a token, no cookie: any other method is answered 405 in JSON
@_unavailable_on_database_fault
def overview_get(request: HttpRequest) -> JsonResponse:
    """GET every post the feed may read, each with its newest assessment's headline."""
    feed = _reader(request)
    if isinstance(feed, JsonResponse):
        return feed
    overview = Overview(posts=feed_readable_posts(feed=feed))
    return JsonResponse(overview.model_dump(mode="json"))


@csrf_exempt
@_unavailable_on_database_fault
def post_assessment_get(request: HttpRequest, code: str) -> JsonResponse:
    """GET one post's newest assessment: its level, recommended level, verdict, threat
    index, margin and reasons."""
    feed = _reader(request)
    if isinstance(feed, JsonResponse):
        return feed
    found = feed_readable_posts(feed=feed, code=code) if POST_CODE.fullmatch(code) else []
    if not found:
        # An unknown code reads the same as another's post: codes cannot be probed.
        return _refuse(403, f"this feed may not read post {code!r}")
    return JsonResponse(found[0].model_dump(mode="json"))
