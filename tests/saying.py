"""The engine's codes and facts in English, through the one renderer (readiness.wording),
for tests that read what an officer reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation

from readiness.engine import Assessment
from readiness.engine.assessment import _plain
from readiness.wording.details import detail
from readiness.wording.verdict import verdict


def said(item: Any) -> str:
    """A detail, reason or warning (an engine object or its stored form) in English."""
    if isinstance(item, Mapping):
        stored = item
    else:
        stored = {
            "detail_code": item.detail_code,
            "detail_facts": _plain(item.detail_facts),
            "enabled": getattr(item, "enabled", True),
        }
    with translation.override("en"):
        return detail(stored, enabled=bool(stored.get("enabled", True)))


def sentence(assessment: Assessment | Mapping[str, Any]) -> str:
    """The verdict sentence of an assessment (or of its stored explanation) in English."""
    exp = assessment if isinstance(assessment, Mapping) else assessment.to_dict()
    with translation.override("en"):
        return verdict(exp)
