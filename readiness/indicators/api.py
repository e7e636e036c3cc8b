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

from django import forms
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from readiness.posts import limits
from readiness.posts.models import Category

from .cap import CapError, CapTooLarge, parse_cap
from .models import EVENT_MAX_LENGTH, Feed, Indicator, event_key
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


class AwareDateTimeField(forms.DateTimeField):
    """ISO 8601 with a UTC offset (a feed's local time without one is ambiguous), from 1900
    to 2100 (limits.EARLIEST_DATE, LATEST_DATE)."""

    def to_python(self, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValidationError(
                "Send the date as a string, e.g. 2025-11-07T09:30:00+00:00.", code="type"
            )
        if isinstance(value, str) and value.strip():
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is None:
                raise ValidationError(
                    "Enter an ISO 8601 date and time, e.g. 2025-11-07T09:30:00+00:00."
                )
            if parsed.tzinfo is None:
                raise ValidationError(
                    "Give the UTC offset (e.g. +00:00): without it the time is ambiguous."
                )
            problem = limits.date_out_of_range(parsed)
            if problem:
                raise ValidationError(
                    f"{problem}: dates run from 1900 to 2100.", code="date_out_of_range"
                )
            return parsed
        return super().to_python(value)


class JsonBooleanField(forms.Field):
    """true or false (or absent): a string such as "no" is refused, not read as true."""

    def to_python(self, value: Any) -> bool:
        if value is None or value == "":
            return False
        if isinstance(value, bool):
            return value
        raise ValidationError("Send true or false.")


class ObservationForm(forms.Form):
    """One observation of a JSON delivery."""

    post = forms.CharField(max_length=16)
    category = forms.ChoiceField(choices=Category.choices)
    severity = forms.IntegerField(min_value=1, max_value=5)
    credibility = forms.IntegerField(min_value=1, max_value=6)
    observed_at = AwareDateTimeField()
    text = forms.CharField(max_length=5000)
    external_id = forms.CharField(
        max_length=200,
        help_text="The feed's own id for it: a retry under the same id is not counted twice",
    )
    expires_at = AwareDateTimeField(required=False)
    ongoing = JsonBooleanField(required=False)
    ended_at = AwareDateTimeField(required=False)
    source = forms.CharField(max_length=200, required=False)
    event = forms.CharField(
        max_length=EVENT_MAX_LENGTH,
        required=False,
        validators=[event_key],
        help_text="The event it reports: observations sharing it are one piece of evidence",
    )
    de_escalation = JsonBooleanField(required=False)

    def observation(self) -> Observation:
        data = self.cleaned_data
        return Observation(
            post_code=data["post"],
            category=data["category"],
            severity=data["severity"],
            credibility=data["credibility"],
            observed_at=data["observed_at"],
            text=data["text"],
            external_id=data["external_id"],
            expires_at=data["expires_at"],
            ongoing=data["ongoing"],
            ended_at=data["ended_at"],
            source=data["source"],
            event=data["event"],
            de_escalation=data["de_escalation"],
        )


class _SharedFields(dict[str, forms.Field]):
    """A form's fields, shared by its instances instead of deep-copied into each (Django's
    way, so that one form can change its own): nothing changes the observation form's
    fields, and copying them cost more than storing the observation (issue 12)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedFields:
        return self


ObservationForm.base_fields = _SharedFields(ObservationForm.base_fields)


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
    view: Callable[[HttpRequest], JsonResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A transient database fault answers 503 with Retry-After, never 4xx: the delivery is
    not wrong, and a feed told it is would drop it (issue 9). Deliveries are atomic, so
    nothing of it was kept; the feed sends it again."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
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
        return _refuse(401, "a valid feed token is required: Authorization: Bearer <token>")
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
    observations, errors = [], {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            errors[str(i)] = {"__all__": ["an observation is a JSON object"]}
            continue
        wrong_type = _json_type_errors(item)
        form = ObservationForm(data={k: v for k, v in item.items() if k not in wrong_type})
        unknown = set(item) - set(form.fields) - set(wrong_type)
        if form.is_valid() and not unknown and not wrong_type:
            observations.append(form.observation())
            continue
        problems = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
        problems.update(wrong_type)
        for name in sorted(unknown):
            problems[name] = [
                f"set by the feed's configuration ({feed.reliability})"
                if name == "reliability"
                else "unknown field"
            ]
        errors[str(i)] = problems
    if errors:
        return _refuse(400, "invalid observations: nothing was recorded", errors)
    return _deliver(lambda: indicators_deliver(feed=feed, observations=observations))


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
