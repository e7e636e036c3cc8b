"""Numbers and names as a duty officer says them, in the active language: '47.3' or
'47,3', '6 days', '2,025 people', 'commercial air'. The one place the explanation's figures
become words (readiness.wording.details and .verdict say sentences with them; the pages'
tables use them directly)."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from readiness.posts.models import ExitRoute, RouteMode, RouteStatus

from .vocabulary import DEADLINES, VERDICT_WORDS, shipped

MINUS = "\u2212"  # a true minus sign, as wide as the plus


def number(value: float | None, decimals: int = 1) -> str:
    """At most `decimals` decimals, trailing zeros dropped, in the active locale: '47.3',
    '47,3', '55', '1,912' / '1 912'. Called thousands of times on the overview, so it
    formats with Python and asks the locale only for its separators."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    text = f"{value:,.{decimals}f}" if decimals else f"{value:,.0f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    decimal, thousands = _separators()
    if decimal != "." or thousands != ",":
        text = text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    return text


def _separators() -> tuple[str, str]:
    fixed: tuple[str, str] | None = getattr(_LOCAL, "separators", None)
    if fixed is not None:
        return fixed
    language = translation.get_language() or "en"
    cached = _SEPARATORS.get(language)
    if cached is None:
        cached = (
            str(formats.get_format("DECIMAL_SEPARATOR")),
            str(formats.get_format("THOUSAND_SEPARATOR")),
        )
        _SEPARATORS[language] = cached
    return cached


_SEPARATORS: dict[str, tuple[str, str]] = {}
_LOCAL = threading.local()


@contextmanager
def same_locale() -> Iterator[None]:
    """Within this block the active language does not change: number() looks up its
    separators once instead of asking for the language at every call (the overview
    formats a thousand figures)."""
    previous = getattr(_LOCAL, "separators", None)
    _LOCAL.separators = None
    _LOCAL.separators = _separators()
    try:
        yield
    finally:
        _LOCAL.separators = previous


def days(value: float | None) -> str:
    """'6 days', '1.5 days', '1 day'; whole days from 10 on."""
    if value is None:
        return "—"
    if math.isinf(value):
        return _("never") if value > 0 else _("no time")
    v = abs(value)
    whole_days = v >= 10 or round(v, 1) == round(v)
    text = number(v, 0 if v >= 10 else 1)
    return ngettext("%(n)s day", "%(n)s days", plural_count(v, whole_days)) % {"n": text}


def plural_count(value: float, whole: bool) -> int:
    """The count to give ngettext for a figure shown with decimals or not. French takes the
    singular below 2 ("1,8 jour", "0,5 jour"), English the plural for any decimal
    ("1.8 days")."""
    if whole:
        return round(value)
    if (translation.get_language() or "en").startswith("fr"):
        return math.floor(value)
    return 2


def date_format(value: dt.datetime | dt.date, fmt: str) -> str:
    """Django's date_format, with French month abbreviations as French writes them
    ("6 déc.", "3 janv.", "19 mars": the "N" format) instead of "6 Déc"."""
    if "M" in fmt and (translation.get_language() or "en").startswith("fr"):
        fmt = fmt.replace("M", "N")
    return formats.date_format(value, fmt)


def people(value: float | None) -> str:
    """'2,025 people', '1 person'."""
    if value is None:
        return "—"
    n = round(value)
    return ngettext("%(n)s person", "%(n)s people", n) % {"n": number(n, 0)}


def whole(value: float | None) -> str:
    if value is None:
        return "∞"
    return number(round(value), 0)


def join(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the active language."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def margin_text(margin: float | None, deadline: str | None = None) -> str:
    """A margin for a table cell: '6 days left', '28 days overdue', 'no means left'."""
    if deadline == "no_means" or (margin is not None and margin == -math.inf):
        return _("no means left")
    if margin is None:
        return _("no deadline")
    if margin < 0:
        return _("%(days)s overdue") % {"days": days(-margin)}
    return _("%(days)s left") % {"days": days(margin)}


def age_text(then: dt.datetime | None, now: dt.datetime) -> str:
    """'just now', '12 minutes ago', '3 hours ago', '2 days ago'."""
    if then is None:
        return _("never")
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(n)s minute ago", "%(n)s minutes ago", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)s hour ago", "%(n)s hours ago", hours) % {"n": hours}
    days_ago = hours // 24
    return ngettext("%(n)s day ago", "%(n)s days ago", days_ago) % {"n": days_ago}


def signed(value: float | None) -> str:
    if value is None:
        return ""
    text = number(abs(value))
    return f"+{text}" if value > 0 else (f"{MINUS}{text}" if value < 0 else text)


def deadline_text(kind: str) -> str:
    return str(DEADLINES.get(kind, kind))


def shipped_short(name: str, limit: int = 24) -> str:
    """A level name for a chart axis: translated if shipped, cut to fit."""
    text = shipped(name)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def verdict_word(verdict: str) -> str:
    return str(VERDICT_WORDS.get(verdict, verdict))


def mode_name(mode: str) -> str:
    try:
        return str(RouteMode(mode).label).lower()
    except ValueError:
        return mode.replace("_", " ")


def status_name(status: str) -> str:
    try:
        return str(RouteStatus(status).label)
    except ValueError:
        return status


def route_label(route: ExitRoute) -> str:
    return _("%(mode)s: %(from)s → %(to)s") % {
        "mode": RouteMode(route.mode).label if route.mode in RouteMode.values else route.mode,
        "from": route.from_place,
        "to": route.to_place,
    }


def parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
