"""French as French writes it: "1,8 jour" (the singular below 2), "6 déc." (lowercase month
abbreviations with their point), a narrow no-break space before ; ! ? and a no-break space
before a colon in the catalogue."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

from readiness.wording import numbers

PO = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_days_take_the_french_singular_below_two_and_the_english_plural() -> None:
    with translation.override("fr"):
        assert numbers.days(1.8) == "1,8 jour"
        assert numbers.days(0.5) == "0,5 jour"
        assert numbers.days(1) == "1 jour"
        assert numbers.days(2.5) == "2,5 jours"
    with translation.override("en"):
        assert numbers.days(1.8) == "1.8 days"
        assert numbers.days(1) == "1 day"
        assert numbers.days(0.5) == "0.5 days"


def test_french_month_abbreviations_are_lowercase_with_their_point() -> None:
    december = dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)
    with translation.override("fr"):
        assert numbers.date_format(december, "j M") == "6 déc."
        assert numbers.date_format(december.replace(month=3), "j M") == "6 mars"
        html = Template('{% load dashboard %}{{ at|shortdate:"j M Y H:i" }}').render(
            Context({"at": december})
        )
        assert html == "6 déc. 2026 14:05"
    with translation.override("en"):
        assert numbers.date_format(december, "j M") == "6 Dec"


def test_the_french_catalogue_spaces_its_high_punctuation() -> None:
    """No "mot;" or "mot :" with an ordinary space: U+202F before ; ! ?, U+00A0 before :."""
    text = PO.read_text(encoding="utf-8")
    wrong = []
    for msgstr in re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', text, re.M):
        cleaned = re.sub(r"&\w+;|%\(\w+\)[sd]|https?://\S+|\d:\d", "", msgstr)
        if re.search(r"[\w)»”\u2019] ?[;!?]|[\w)»”\u2019] ?:(?=\s|$)", cleaned):
            wrong.append(msgstr)
    assert wrong == []
