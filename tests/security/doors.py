"""What the door tests send: a valid JSON observation and a valid CAP alert, each with the
one change a test makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

NOW = timezone.now().replace(microsecond=0)
JSON_URL = reverse("api:indicators")
CAP_URL = reverse("api:cap")
POST_CODE = "ML-BKO"


def observation(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "post": POST_CODE,
        "category": "supply",
        "severity": 4,
        "credibility": 2,
        "observed_at": (NOW - dt.timedelta(hours=3)).isoformat(),
        "text": "Fuel tankers halted on the Kayes road",
        "external_id": "sw-0001",
    }
    data.update(changes)
    return data


def cap_alert(
    *,
    identifier: str = "SW-1",
    msg_type: str = "Alert",
    sent: str | None = None,
    onset: str | None = None,
    expires: str = "",
    effective: str = "",
    references: str = "",
    severity_parameter: str = "",
    infos: int = 1,
    declaration: str = '<?xml version="1.0" encoding="UTF-8"?>',
) -> bytes:
    sent = sent or (NOW - dt.timedelta(minutes=30)).isoformat()
    onset = onset or (NOW - dt.timedelta(hours=2)).isoformat()
    extra = ""
    if expires:
        extra += f"<expires>{expires}</expires>"
    if effective:
        extra += f"<effective>{effective}</effective>"
    parameter = (
        f"<parameter><valueName>readiness:severity</valueName>"
        f"<value>{severity_parameter}</value></parameter>"
        if severity_parameter
        else ""
    )
    block = f"""
  <info>
    <category>Security</category><event>Attack</event><urgency>Immediate</urgency>
    <severity>Severe</severity><certainty>Observed</certainty>
    <onset>{onset}</onset>{extra}
    <headline>Checkpoint attacked on the Senou road</headline>
    <parameter><valueName>readiness:post</valueName><value>{POST_CODE}</value></parameter>
    {parameter}
  </info>"""
    body = "" if msg_type == "Cancel" else block * infos
    refs = f"<references>{references}</references>" if references else ""
    return f"""{declaration}
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>sahel-watch</sender><sent>{sent}</sent>
  <status>Actual</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}{body}
</alert>""".encode()
