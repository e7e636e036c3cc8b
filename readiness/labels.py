"""The admin's names for apps, models and fields in the officer's language (gettext_lazy),
in one place.

They are set when the apps are ready rather than written into each model: a field's label
is not part of the schema, and writing it in the models would make a migration per app
for wording alone (Django's autodetector reads the declared ``verbose_name``; this sets the
shown one). English is gettext's message id; the French is in locale/fr.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APPS: dict[str, Any] = {
    "posts": _("Posts and ladders"),
    "rosters": _("Rosters"),
    "indicators": _("Indicators"),
    "assessments": _("Assessments"),
    "scenarios": _("Scenarios"),
    "feeds": _("Feed imports"),
}

# model label: (singular, plural, {field: label})
MODELS: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "posts.post": (_("post"), _("posts"), {
        "code": _("code"), "name": _("name"), "country": _("country"), "city": _("city"),
        "region": _("region"), "timezone": _("time zone"), "level": _("alert level"),
        "rescore_requested_at": _("re-score requested at"),
        "rescore_failed_at": _("re-score failed at"), "rescore_error": _("re-score error"),
        "newest_assessment": _("newest assessment"),
    }),
    "posts.alertlevel": (_("alert level"), _("alert levels"), {
        "post": _("post"), "rank": _("rank"), "name": _("name"),
        "description": _("description"), "quorum": _("quorum"),
    }),
    "posts.actionitem": (_("checklist action"), _("checklist actions"), {
        "level": _("level"), "order": _("order"), "text": _("text"),
        "ready_at": _("ready at"), "ready_by": _("ready by"),
    }),
    "posts.exitroute": (_("exit route"), _("exit routes"), {
        "post": _("post"), "key": _("key"), "mode": _("mode"), "status": _("status"),
        "seats_per_day": _("seats per day"), "lead_time_hours": _("lead time (hours)"),
        "closes_at_threat": _("closes at threat index"), "usable_from": _("usable from level"),
        "verified_at": _("verified at"), "notes": _("notes"),
    }),
    "posts.trigger": (_("trigger"), _("triggers"), {
        "level": _("level"), "name": _("name"), "kind": _("kind"), "enabled": _("enabled"),
        "category": _("category"), "threshold": _("threshold"), "count": _("count"),
        "min_severity": _("minimum severity"), "within_days": _("within (days)"),
        "with_category": _("with category"), "with_min_severity": _("with minimum severity"),
        "route": _("route"), "mode": _("mode"), "below_seats": _("below (seats/day)"),
        "margin_level": _("margin of level"), "below_days": _("below (days)"),
        "active": _("active"), "reason": _("reason"),
    }),
    "rosters.staffmember": (_("staff member"), _("staff members"), {
        "post": _("post"), "name": _("name"), "role": _("role"), "category": _("category"),
        "essential": _("essential"), "headcount": _("head count"),
        "dependants": _("dependants"), "email": _("email"), "phone": _("phone"),
        "present": _("present"), "last_confirmed_at": _("last confirmed at"),
    }),
    "rosters.school": (_("school"), _("schools"), {
        "post": _("post"), "name": _("name"), "pupils": _("pupils"),
        "expatriate_staff": _("expatriate staff"),
    }),
    "rosters.community": (_("community"), _("communities"), {
        "post": _("post"), "registered": _("registered citizens"),
        "dual_nationals": _("dual nationals"),
        "unregistered_estimate": _("unregistered (estimate)"), "updated_at": _("updated at"),
    }),
    "rosters.warden": (_("warden"), _("wardens"), {
        "post": _("post"), "zone": _("zone"), "name": _("name"), "phone": _("phone"),
        "email": _("email"), "last_confirmed_at": _("last confirmed at"),
    }),
    "rosters.assemblypoint": (_("assembly point"), _("assembly points"), {
        "post": _("post"), "name": _("name"), "zone": _("zone"), "capacity": _("capacity"),
        "address": _("address"),
    }),
    "indicators.feed": (_("feed"), _("feeds"), {
        "name": _("name"), "reliability": _("reliability"), "is_active": _("active"),
        "token_digest": _("token digest"), "token_hint": _("token hint"),
        "created_at": _("created at"), "last_used_at": _("last used at"),
    }),
    "indicators.indicator": (_("indicator"), _("indicators"), {
        "post": _("post"), "category": _("category"), "severity": _("severity"),
        "reliability": _("reliability"), "credibility": _("credibility"),
        "source": _("source"), "text": _("text"), "observed_at": _("observed at"),
        "expires_at": _("expires at"), "ongoing": _("ongoing"), "ended_at": _("ended at"),
        "external_id": _("external id"), "event": _("event"),
        "de_escalation": _("de-escalation"), "recorded_at": _("recorded at"),
        "recorded_by": _("recorded by"), "feed": _("feed"), "corrects": _("corrects"),
        "withdrawn_at": _("withdrawn at"), "withdrawn_by": _("withdrawn by"),
        "withdrawal_reason": _("withdrawal reason"),
    }),
    "assessments.assessment": (_("assessment"), _("assessments"), {
        "post": _("post"), "evaluated_at": _("evaluated at"), "created_at": _("created at"),
        "current_level": _("level now"), "recommended_level": _("recommended level"),
        "verdict": _("verdict"), "threat_index": _("threat index"),
        "trend_per_day": _("trend per day"),
        "next_level_margin_days": _("margin (days)"), "preparedness": _("preparedness"),
        "fingerprint": _("fingerprint"), "explanation": _("explanation"),
        "summary": _("summary"),
    }),
    "assessments.decision": (_("decision"), _("decisions"), {
        "post": _("post"), "from_level": _("from level"), "to_level": _("to level"),
        "decided_at": _("decided at"), "decided_by": _("decided by"),
        "decided_by_name": _("decided by (name)"), "rationale": _("rationale"),
        "assessment": _("assessment"), "origin": _("origin"), "recorded_at": _("recorded at"),
    }),
    "assessments.recommendationchange": (
        _("recommendation change"), _("recommendation changes"), {
            "post": _("post"), "assessment": _("assessment"), "created_at": _("created at"),
            "from_level": _("from level"), "to_level": _("to level"),
            "from_verdict": _("from verdict"), "to_verdict": _("to verdict"),
            "processed_at": _("processed at"),
        },
    ),
    "feeds.advisorylevel": (_("advisory level"), _("advisory levels"), {
        "government": _("government"), "country": _("country"), "step": _("step"),
        "label": _("label"), "published_at": _("published at"), "seen_at": _("seen at"),
    }),
    "feeds.feedimport": (_("feed import"), _("feed imports"), {
        "kind": _("kind"), "feed": _("feed"), "file_name": _("file name"),
        "started_at": _("started at"), "by": _("by"), "ok": _("succeeded"),
        "created": _("created"), "corrected": _("corrected"), "unchanged": _("unchanged"),
        "skipped": _("skipped"), "summary": _("summary"),
    }),
    "feeds.acledversion": (_("ACLED event version"), _("ACLED event versions"), {
        "feed": _("feed"), "event_id": _("event id"), "version": _("version"),
        "imported_at": _("imported at"),
    }),
}  # fmt: skip


def apply() -> None:
    """Give the apps, models and fields their translatable names. A name a model declares
    itself (``verbose_name=`` in its definition) is kept."""
    for label, app_name in APPS.items():
        apps.get_app_config(label).verbose_name = app_name
    for label, (singular, plural, fields) in MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        meta = model._meta
        if "verbose_name" not in meta.original_attrs:
            meta.verbose_name = singular
        if "verbose_name_plural" not in meta.original_attrs:
            meta.verbose_name_plural = plural
        for field_name, text in fields.items():
            field = meta.get_field(field_name)
            if getattr(field, "_verbose_name", None) is None:
                setattr(field, "verbose_name", text)  # noqa: B010  (a relation's type has none)
