"""The feeds' HTTP API: automated sources push indicators as JSON or CAP 1.2 XML.

A feed authenticates with its token (``Authorization: Bearer <token>``), may write only to
its posts, and every indicator it delivers carries the reliability grade the administrator
gave the feed. A delivery is all or nothing; every refusal is a 4xx answer with a reason
in JSON. Retries are safe: an observation delivered again under the same external id
changes nothing. See docs/api.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from readiness.posts.models import Category

from .cap import CapError, parse_cap
from .models import EVENT_MAX_LENGTH, Feed, Indicator, event_key
from .services import (
    Delivery,
    FeedRefused,
    Observation,
    cap_message_deliver,
    feed_authenticate,
    indicators_deliver,
)

MAX_OBSERVATIONS = 500
JSON_TYPES = ("application/json",)
CAP_TYPES = ("application/cap+xml", "application/xml", "text/xml")


class AwareDateTimeField(forms.DateTimeField):
    """ISO 8601 with a UTC offset: a feed's local time without one is ambiguous."""

    def to_python(self, value: Any) -> Any:
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
def indicators_post(request: HttpRequest) -> JsonResponse:
    """POST one observation (an object) or several ({"indicators": [...]}) as JSON."""
    received = _received(request, JSON_TYPES)
    if isinstance(received, JsonResponse):
        return received
    feed, body = received
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return _refuse(400, f"the body is not JSON: {exc}")
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
        form = ObservationForm(data=item)
        unknown = set(item) - set(form.fields)
        if form.is_valid() and not unknown:
            observations.append(form.observation())
            continue
        problems = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
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
def cap_post(request: HttpRequest) -> JsonResponse:
    """POST one CAP 1.2 alert (what each kind of message does: services.cap_message_deliver)."""
    received = _received(request, CAP_TYPES)
    if isinstance(received, JsonResponse):
        return received
    feed, body = received
    try:
        message = parse_cap(body)
    except CapError as exc:
        return _refuse(400, "not a usable CAP 1.2 alert: nothing was recorded", exc.errors)
    return _deliver(lambda: cap_message_deliver(feed=feed, message=message))
