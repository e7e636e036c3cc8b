"""French and English: the shipped level names and the gauge words are translated, the
gauge sentence is said in French, and the language switch works."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from readiness.assessments.models import Assessment
from readiness.engine.defaults import DEFAULT_LADDER
from readiness.wording import numbers
from readiness.wording.verdict import verdict
from readiness.wording.vocabulary import SHIPPED_NAMES, VERDICT_WORDS, shipped

pytestmark = pytest.mark.django_db


def test_every_shipped_level_name_and_gauge_word_has_a_french_translation():  # type: ignore[no-untyped-def]
    same_in_french = {"Normal"}
    with translation.override("fr"):
        for level in DEFAULT_LADDER:
            assert level.name in SHIPPED_NAMES, f"add {level.name!r} to SHIPPED_NAMES"
            assert shipped(level.name) != level.name or level.name in same_in_french, level.name
        for verdict, word in VERDICT_WORDS.items():
            with translation.override("en"):
                english = str(word)
            assert str(word) != english, verdict


def test_a_name_typed_by_an_administrator_is_left_as_typed():  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        assert shipped("Crisis cell on standby") == "Crisis cell on standby"


def test_the_post_page_in_french(client, duty_officer, bamako_today):  # type: ignore[no-untyped-def]
    client.force_login(duty_officer)
    stored = Assessment.objects.filter(post=bamako_today).latest()
    html = client.get(
        reverse("dashboard:post", args=["ML-BKO"]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<html lang="fr">' in html
    with translation.override("fr"):
        word = str(VERDICT_WORDS[stored.verdict])
        sentence = verdict(
            stored.explanation,
            route_names={r.key: numbers.route_label(r) for r in bamako_today.routes.all()},
            level_names={lv.rank: lv.name for lv in bamako_today.levels.all()},
        )
    with translation.override("en"):
        english = verdict(stored.explanation)
    assert word in html
    assert "Départ des ressortissants conseillé" in html or "Présence réduite" in html
    assert escape(sentence) in html and sentence != english
    assert "Le niveau « " in sentence
    assert "Enregistrer un indicateur" in html


def test_the_overview_and_brief_in_french(client, duty_officer, bamako_today):  # type: ignore[no-untyped-def]
    client.force_login(duty_officer)
    html = client.get(reverse("dashboard:overview"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Postes par urgence" in html
    html = client.get(reverse("dashboard:brief"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Point quotidien" in html and "Le niveau « " in html


def test_the_language_switch(client, duty_officer, post_a):  # type: ignore[no-untyped-def]
    client.force_login(duty_officer)
    overview = client.get(reverse("dashboard:overview")).content.decode()
    assert 'action="/i18n/setlang/"' in overview and 'name="language"' in overview
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert "Postes par urgence" in client.get("/").content.decode()


def test_figures_follow_the_locale():  # type: ignore[no-untyped-def]
    with translation.override("fr"):
        assert numbers.number(76.74) == "76,7"
        assert numbers.days(1.5) == "1,5 jour"  # the French singular below 2
        assert numbers.days(1) == "1 jour"
    with translation.override("en"):
        assert numbers.number(1912.0, 0) == "1,912"
        assert numbers.days(0) == "0 days"
        assert numbers.people(1) == "1 person"


def test_chart_coordinates_are_not_localised(client, duty_officer, bamako_today):  # type: ignore[no-untyped-def]
    """A French decimal comma in an SVG coordinate would scatter the glyphs of a label."""
    import re

    client.force_login(duty_officer)
    html = client.get(
        reverse("dashboard:post", args=["ML-BKO"]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    svg = "".join(re.findall(r"<svg.*?</svg>", html, flags=re.S))
    assert svg
    assert not re.search(r'\b(?:x|y|x1|x2|y1|y2|cx|cy)="[^"]*,', svg)
