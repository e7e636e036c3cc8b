"""The feeds' API as typed models: what a request may carry and what each answer holds.

These pydantic models are both the API's validation (``observations_check``, called by
``readiness.indicators.api`` after its JSON type checks) and the source of its OpenAPI
document (``readiness.indicators.openapi``), so the published schema cannot say one thing
while the views do another. The messages are the API's own (docs/api.md): a field that is
missing is "This field is required.", an unknown field is refused by name, a date without
its UTC offset is refused as ambiguous.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from readiness.assessments.models import Verdict
from readiness.posts import limits
from readiness.posts.models import Category

from .models import EVENT_MAX_LENGTH, event_key

REQUIRED = "This field is required."
DATE_EXAMPLE = "2025-11-07T09:30:00+00:00"
# Event keys (models.event_key) in JSON Schema's regular expressions; empty is "no event".
EVENT_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9._:-]*)?$"


# --- Request fields ---------------------------------------------------------------------


def _strip(value: Any) -> Any:
    """Leading and trailing white space is not part of a value (as Django's forms read it)."""
    return value.strip() if isinstance(value, str) else value


def _no_null_characters(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("null_character", "Null characters are not allowed.")
    return value


def _event_key(value: str) -> str:
    if value:
        try:
            event_key(value)
        except ValidationError as exc:
            raise PydanticCustomError("event_key", str(exc.messages[0])) from None
    return value


_CATEGORIES = frozenset(Category.values)  # Category.values builds a list at each call


def _category(value: str) -> str:
    if value not in _CATEGORIES:
        raise PydanticCustomError(
            "choice", f"Select a valid choice. {value} is not one of the available choices."
        )
    return value


PostCode = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(min_length=1, max_length=16),
    AfterValidator(_no_null_characters),
]
Text = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(min_length=1, max_length=5000),
    AfterValidator(_no_null_characters),
]
ExternalId = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_no_null_characters),
]
Source = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(max_length=200),
    AfterValidator(_no_null_characters),
]
EventKey = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(max_length=EVENT_MAX_LENGTH),
    AfterValidator(_no_null_characters),
    AfterValidator(_event_key),
    WithJsonSchema({"type": "string", "maxLength": EVENT_MAX_LENGTH, "pattern": EVENT_PATTERN}),
]
CategoryValue = Annotated[
    str,
    AfterValidator(_category),
    WithJsonSchema({"type": "string", "enum": list(Category.values)}),
]


def _aware_datetime(value: Any, *, required: bool) -> dt.datetime | None:
    """ISO 8601 with a UTC offset (a feed's local time without one is ambiguous), from 1900 to
    2100 in UTC (limits.EARLIEST_DATE, LATEST_DATE)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PydanticCustomError("missing", REQUIRED)
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("type", f"Send the date as a string, e.g. {DATE_EXAMPLE}.")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise PydanticCustomError("date", f"Enter an ISO 8601 date and time, e.g. {DATE_EXAMPLE}.")
    if parsed.tzinfo is None:
        raise PydanticCustomError(
            "date_offset", "Give the UTC offset (e.g. +00:00): without it the time is ambiguous."
        )
    problem = limits.date_out_of_range(parsed)
    if problem:
        raise PydanticCustomError("date_out_of_range", f"{problem}: dates run from 1900 to 2100.")
    return parsed


_DATE_SCHEMA = {"type": "string", "format": "date-time", "example": DATE_EXAMPLE}
AwareDateTime = Annotated[
    dt.datetime,
    PlainValidator(lambda value: _aware_datetime(value, required=True)),
    WithJsonSchema(_DATE_SCHEMA),
]
OptionalAwareDateTime = Annotated[
    dt.datetime | None,
    PlainValidator(lambda value: _aware_datetime(value, required=False)),
    WithJsonSchema({"anyOf": [_DATE_SCHEMA, {"type": "null"}]}),
]


class ObservationIn(BaseModel):
    """One observation a feed delivers as JSON. `null` is the same as leaving a field out;
    any field not listed here is refused by name (`reliability` is the feed's, set by the
    administrator)."""

    model_config = ConfigDict(
        extra="forbid",
        title="Observation",
        json_schema_extra={
            "examples": [
                {
                    "post": "ML-BKO",
                    "category": "supply",
                    "severity": 4,
                    "credibility": 2,
                    "observed_at": DATE_EXAMPLE,
                    "text": "Fuel tankers held on the Kayes road",
                    "external_id": "sw-0001",
                    "ongoing": True,
                    "event": "kayes-road-blockade",
                }
            ]
        },
    )

    post: PostCode = Field(
        description="The post's code (e.g. ML-BKO); the feed must be allowed to write to it."
    )
    category: CategoryValue = Field(description="What kind of observation it is.")
    severity: int = Field(ge=1, le=5, description="1 (minor) to 5 (extreme).")
    credibility: int = Field(ge=1, le=6, description="1 (confirmed) to 6 (cannot be judged).")
    observed_at: AwareDateTime = Field(
        description="When it was observed, with its UTC offset; up to 5 minutes ahead is "
        "tolerated, more than five years ago is refused."
    )
    text: Text = Field(description="What was observed.")
    external_id: ExternalId = Field(
        description="The feed's own id for it: a retry under the same id is not counted twice."
    )
    expires_at: OptionalAwareDateTime = Field(
        default=None, description="After this it weighs nothing."
    )
    ongoing: bool = Field(
        default=False,
        strict=True,
        description="A condition (a blockade, a suspension) that weighs fully until it ends, "
        "rather than an event that decays with age.",
    )
    ended_at: OptionalAwareDateTime = Field(
        default=None, description="When an ongoing condition ended."
    )
    source: Source = Field(default="", description="Who reported it; the feed's name when empty.")
    event: EventKey = Field(
        default="",
        description="The event it reports, a short key without spaces (e.g. "
        "kayes-road-blockade): observations sharing it are one piece of evidence. Empty: an "
        "event of its own.",
    )
    de_escalation: bool = Field(
        default=False, strict=True, description="It lowers the threat (a route reopened)."
    )


class Delivery(BaseModel):
    """Several observations in one delivery, recorded all or nothing."""

    model_config = ConfigDict(extra="forbid", title="Delivery")

    indicators: list[ObservationIn] = Field(min_length=1, max_length=500)


# --- Request validation -------------------------------------------------------------------


def _message(error: ErrorDetails) -> str:
    """A pydantic error in the words the API has always used (those of Django's forms)."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind in ("missing", "string_too_short"):
        return REQUIRED
    if kind == "string_too_long":
        return (
            f"Ensure this value has at most {context['max_length']} characters "
            f"(it has {len(error['input'].strip())})."
        )
    if kind == "greater_than_equal":
        return f"Ensure this value is greater than or equal to {context['ge']}."
    if kind == "less_than_equal":
        return f"Ensure this value is less than or equal to {context['le']}."
    return str(error["msg"])


def _errors_by_field(
    exc: PydanticValidationError | list[ErrorDetails], *, reliability: str
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for error in exc if isinstance(exc, list) else exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "__all__"
        if error["type"] == "extra_forbidden":
            message = (
                f"set by the feed's configuration ({reliability})"
                if name == "reliability"
                else "unknown field"
            )
        else:
            message = _message(error)
        problems.setdefault(name, []).append(message)
    return problems


_OBSERVATIONS = TypeAdapter(list[ObservationIn])


def observations_check(
    items: list[dict[str, Any]], *, reliability: str
) -> tuple[list[ObservationIn], dict[int, dict[str, list[str]]]]:
    """A delivery's observations, validated in one call: every one valid, or the faults of
    each invalid one by its position in ``items``, by field. ``items`` hold values of the
    JSON types the API checked; null is absence."""
    try:
        return _OBSERVATIONS.validate_python(
            [{k: v for k, v in item.items() if v is not None} for item in items]
        ), {}
    except PydanticValidationError as exc:
        by_item: dict[int, list[ErrorDetails]] = {}
        for error in exc.errors():
            position, *where = error["loc"]
            by_item.setdefault(int(position), []).append({**error, "loc": tuple(where)})
        return [], {
            position: _errors_by_field(errors, reliability=reliability)
            for position, errors in by_item.items()
        }


# --- Answers ------------------------------------------------------------------------------


class Recorded(BaseModel):
    """An indicator a delivery touched."""

    id: int
    post: str = Field(description="The post's code.")
    external_id: str


class DeliveryAnswer(BaseModel):
    """What a delivery did, each indicator once."""

    created: list[Recorded]
    unchanged: list[Recorded] = Field(description="Delivered before: a retry, nothing new.")
    ended: list[Recorded] = Field(description="Ongoing conditions this delivery ended.")
    withdrawn: list[Recorded] = Field(description="Withdrawn by a CAP Update or Cancel.")


class Ignored(BaseModel):
    """A CAP message that records nothing (Ack, Error, or a status other than Actual)."""

    ignored: str


class Refusal(BaseModel):
    """Why the request was refused. Nothing of a refused delivery is recorded."""

    error: str
    errors: dict[str, dict[str, list[str]]] | list[str] | None = Field(
        default=None,
        description="Every fault: for JSON by the observation's position and field, for CAP "
        "as 'where: what' lines.",
    )


class Reason(BaseModel):
    """One reason for the recommendation, as data (the dashboards word it)."""

    kind: str = Field(description="trigger, time, means, hold or baseline.")
    level: int | None = Field(description="The level (rank) it argues for.")
    code: str | None = Field(description="Which reason it is, e.g. a trigger's code.")


class AssessmentOut(BaseModel):
    """The headline of a post's newest assessment, as the overview reads it."""

    id: int
    evaluated_at: dt.datetime = Field(description="The engine's clock.")
    current_level: int = Field(description="The post's level (rank) when it was assessed.")
    recommended_level: int
    recommended_level_name: str
    verdict: Annotated[str, WithJsonSchema({"type": "string", "enum": list(Verdict.values)})]
    threat_index: float = Field(ge=0, le=100)
    trend_per_day: float = Field(description="Change of the threat index a day.")
    margin_days: float | None = Field(
        description="Days before the next level's trigger is met at this trend; null when "
        "none is in sight."
    )
    margin_level: int | None = Field(description="The level that margin belongs to.")
    preparedness: float = Field(ge=0, le=100)
    reasons: list[Reason]
    trend: list[float] = Field(description="The daily threat index, oldest first.")


class PostOut(BaseModel):
    code: str
    name: str
    country: str
    city: str
    region: str
    level: int = Field(description="The current alert level (rank).")
    level_name: str
    rescore_failing: bool = Field(
        description="The last re-score failed: the assessment may be out of date."
    )


class PostAssessment(BaseModel):
    """A post and its newest assessment (null before its first)."""

    post: PostOut
    assessment: AssessmentOut | None


class Overview(BaseModel):
    """Every post the feed may read, by code."""

    posts: list[PostAssessment]
