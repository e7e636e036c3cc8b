"""The feeds' API as an OpenAPI 3.1 document, built from the typed models of ``schema.py``
(the same models the views validate with), and the reading of it that the docs page shows.

``docs/openapi.json`` is this document, committed: ``manage.py openapi_schema`` (or ``make
openapi``) writes it again, and a test fails when the two differ. The app serves it at
``/api/v1/openapi.json`` and renders it at ``/api/v1/docs/``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from readiness.indicators import cap

from .api import MAX_DEPTH, MAX_OBSERVATIONS, RETRY_AFTER_SECONDS
from .schema import (
    AssessmentOut,
    Delivery,
    DeliveryAnswer,
    Ignored,
    ObservationIn,
    Overview,
    PostAssessment,
    Refusal,
)

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"
PREFIX = "/api/v1"
_REF = "#/components/schemas/{model}"

_MODELS: list[type[BaseModel]] = [
    ObservationIn,
    Delivery,
    DeliveryAnswer,
    Ignored,
    Refusal,
    AssessmentOut,
    PostAssessment,
    Overview,
]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _refusal(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": _json(_ref(Refusal))}
    if headers:
        answer["headers"] = headers
    return answer


_UNAUTHORISED = _refusal(
    "No token, an unknown or replaced token, or an inactive feed.",
    {
        "WWW-Authenticate": {
            "description": 'Bearer realm="readiness feeds"',
            "required": True,
            "schema": {"type": "string"},
        }
    },
)
_TOO_MANY = _refusal(
    "The token is over its rate limit (API_RATE_LIMIT requests in API_RATE_WINDOW_SECONDS): "
    "nothing was recorded; send it again after Retry-After seconds.",
    _RETRY_AFTER,
)
_UNAVAILABLE = _refusal(
    f"A transient database fault: nothing was recorded and the request is not at fault; send "
    f"it again after Retry-After seconds ({RETRY_AFTER_SECONDS}).",
    _RETRY_AFTER,
)


def _delivery_answers(ok: dict[str, Any], *, forbidden: str) -> dict[str, Any]:
    return {
        "201": {"description": "At least one indicator was recorded.", "content": _json(ok)},
        "200": {
            "description": "Nothing new: a retry of what was delivered before, or only ends "
            "or withdrawals.",
            "content": _json(ok),
        },
        "400": _refusal("The delivery is not readable or an observation is invalid."),
        "401": _UNAUTHORISED,
        "403": _refusal(forbidden),
        "409": _refusal(
            "An external id already used for the post by another source, or delivered "
            "before with another content (indicators are never rewritten), or a race with a "
            "concurrent delivery of the same id (send it again)."
        ),
        "413": _refusal("The delivery is too large."),
        "415": _refusal("The wrong Content-Type."),
        "429": _TOO_MANY,
        "503": _UNAVAILABLE,
    }


def _read_answers(ok: type[BaseModel], *, forbidden: str) -> dict[str, Any]:
    return {
        "200": {"description": ok.__doc__ or "", "content": _json(_ref(ok))},
        "401": _UNAUTHORISED,
        "403": _refusal(forbidden),
        "429": _TOO_MANY,
        "503": _UNAVAILABLE,
    }


def _paths() -> dict[str, Any]:
    cap_body = {
        "type": "string",
        "description": f"One OASIS CAP 1.2 <alert>, UTF-8, at most {cap.MAX_BYTES:,} bytes "
        f"and {cap.MAX_INFO_BLOCKS} <info> blocks.",
    }
    cap_ok = {"anyOf": [_ref(DeliveryAnswer), _ref(Ignored)]}
    return {
        f"{PREFIX}/indicators": {
            "post": {
                "operationId": "indicators_post",
                "tags": ["delivering"],
                "summary": "Deliver observations as JSON",
                "description": f'One observation, or several as {{"indicators": [...]}} '
                f"(at most {MAX_OBSERVATIONS}), recorded all or nothing and idempotent by "
                f"external_id. Values of the wrong JSON type, numbers of more than 18 digits "
                f"or not finite, and bodies nested more than {MAX_DEPTH} deep are refused "
                f"by field.",
                "requestBody": {
                    "required": True,
                    "content": _json({"anyOf": [_ref(ObservationIn), _ref(Delivery)]}),
                },
                "responses": _delivery_answers(
                    _ref(DeliveryAnswer),
                    forbidden="An observation is for a post the feed may not write to (an "
                    "unknown post reads the same).",
                ),
            }
        },
        f"{PREFIX}/cap": {
            "post": {
                "operationId": "cap_post",
                "tags": ["delivering"],
                "summary": "Deliver one CAP 1.2 alert",
                "description": "Alert records its observations, Update withdraws what it "
                "references and records its own, Cancel withdraws; Ack, Error and any status "
                "other than Actual record nothing (200, ignored). docs/api.md maps CAP to "
                "indicators.",
                "requestBody": {
                    "required": True,
                    "content": {
                        media: {"schema": cap_body}
                        for media in ("application/cap+xml", "application/xml", "text/xml")
                    },
                },
                "responses": _delivery_answers(
                    cap_ok,
                    forbidden="The alert is for a post the feed may not write to, or updates "
                    "what it delivered at a post it was taken off.",
                ),
            }
        },
        f"{PREFIX}/overview": {
            "get": {
                "operationId": "overview_get",
                "tags": ["reading"],
                "summary": "Every post the feed may read, with its newest assessment",
                "description": "For a feed allowed to read (Can read, in the feed's admin "
                "page): each of its posts with the headline of its newest assessment.",
                "responses": _read_answers(
                    Overview, forbidden="The feed is not allowed to read assessments."
                ),
            }
        },
        f"{PREFIX}/posts/{{code}}/assessment": {
            "get": {
                "operationId": "post_assessment_get",
                "tags": ["reading"],
                "summary": "A post's newest assessment",
                "description": "Its level, recommended level, verdict, threat index, margin "
                "and reasons, for a feed allowed to read and to that post.",
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "description": "The post's code, e.g. ML-BKO.",
                        "schema": {"type": "string", "maxLength": 12},
                        "example": "ML-BKO",
                    }
                ],
                "responses": _read_answers(
                    PostAssessment,
                    forbidden="The feed is not allowed to read assessments, or not this post "
                    "(an unknown post reads the same).",
                ),
            }
        },
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the feeds' API."""
    _keys, definitions = models_json_schema(
        [(model, "validation") for model in _MODELS], ref_template=_REF
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Readiness feeds' API",
            "version": "1",
            "description": "Automated sources deliver indicators (JSON or CAP 1.2) to the "
            "posts they may write to, and feeds allowed to read get the posts' newest "
            "assessments. Every call carries the feed's token: Authorization: Bearer "
            "<token>. Every refusal is a 4xx with its reason, and nothing of a refused "
            "delivery is recorded. See docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "security": [{"feedToken": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "feedToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The feed's token, shown once when an administrator "
                    "creates the feed or issues a new token.",
                }
            },
            "schemas": definitions["$defs"],
        },
    }


def openapi_text() -> str:
    """The document as committed in docs/openapi.json."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


# --- The docs page ------------------------------------------------------------------------


def _resolve(schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(the component's name or "", the schema itself) of a schema or a $ref to one."""
    ref = schema.get("$ref")
    if not ref:
        return "", schema
    name = ref.rsplit("/", 1)[-1]
    return name, openapi_document()["components"]["schemas"][name]


def type_words(schema: dict[str, Any]) -> str:
    """A schema in a few words: "string (at most 16 characters)", "integer (1 to 5)"... The
    JSON Schema terms (string, integer, date-time) stay as they are; the words around them
    are in the page's language."""
    name, schema = _resolve(schema)
    if name:
        return name
    if "anyOf" in schema:
        return _(" or ").join(type_words(option) for option in schema["anyOf"])
    if "enum" in schema:
        return _("one of %(values)s") % {"values": ", ".join(str(v) for v in schema["enum"])}
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return _("list of %(items)s") % {"items": type_words(schema.get("items", {}))}
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return _("object of %(values)s") % {"values": type_words(schema["additionalProperties"])}
    details = []
    if "format" in schema:
        details.append(str(schema["format"]))
    if "minimum" in schema and "maximum" in schema:
        details.append(
            _("%(minimum)s to %(maximum)s")
            % {"minimum": schema["minimum"], "maximum": schema["maximum"]}
        )
    if "minLength" in schema and schema["minLength"] > 0:
        details.append(_("not empty"))
    if "maxLength" in schema:
        details.append(_("at most %(n)s characters") % {"n": schema["maxLength"]})
    if "pattern" in schema:
        details.append(_("matching %(pattern)s") % {"pattern": schema["pattern"]})
    return kind + (f" ({', '.join(details)})" if details else "")


def schema_names(schema: dict[str, Any]) -> list[str]:
    """The components a schema is (one $ref, or a choice of them), for links; else []."""
    options = schema.get("anyOf", [schema])
    names = [str(option.get("$ref", "")).rsplit("/", 1)[-1] for option in options]
    return names if all(names) else []


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": type_words(prop),
            "links": schema_names(prop.get("items", prop)),
            "list": prop.get("type") == "array",
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def docs_context() -> dict[str, Any]:
    """What the docs page shows: each operation and each schema, read from the document."""
    document = openapi_document()
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            bodies = [
                {
                    "media": media,
                    "type": type_words(content["schema"]),
                    "links": schema_names(content["schema"]),
                }
                for media, content in operation.get("requestBody", {}).get("content", {}).items()
            ]
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "description": operation["description"],
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": type_words(p["schema"]),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", ())
                    ],
                    "bodies": bodies,
                    "responses": [
                        {
                            "status": status,
                            "description": answer["description"],
                            "type": " / ".join(
                                type_words(c["schema"]) for c in answer.get("content", {}).values()
                            ),
                            "links": [
                                name
                                for c in answer.get("content", {}).values()
                                for name in schema_names(c["schema"])
                            ],
                            "headers": ", ".join(answer.get("headers", {})),
                        }
                        for status, answer in sorted(operation["responses"].items())
                    ],
                }
            )
    schemas = [
        {
            "name": name,
            "description": schema.get("description", ""),
            "fields": _fields(schema),
            "closed": schema.get("additionalProperties") is False,
        }
        for name, schema in document["components"]["schemas"].items()
    ]
    return {"info": document["info"], "operations": operations, "schemas": schemas}
