"""The ACLED mapping on plain rows: category and severity, the post's area, row checks."""

from __future__ import annotations

import pytest

from readiness.engine.vocabulary import Category
from readiness.feeds.acled import (
    SUB_EVENTS,
    AcledEvent,
    RowError,
    at_post,
    event_read,
    severity_of,
)


def row(**values: str) -> dict[str, str | None]:
    base = {
        "event_id_cnty": "MLI1",
        "event_date": "2026-11-24",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED",
        "country": "Mali",
        "admin1": "Bamako",
        "location": "Bamako",
        "fatalities": "0",
        "timestamp": "1764200000",
        "civilian_targeting": "",
        "latitude": "12.6",
        "longitude": "-8.0",
    }
    return {**base, **values}


def event(**values: str) -> AcledEvent:
    return event_read(row(**values))


def test_every_acled_sub_event_type_has_a_category_and_severity_in_range() -> None:
    assert len(SUB_EVENTS) == 25  # ACLED's codebook: 25 sub-event types in 6 event types
    assert {t for t, _m in SUB_EVENTS.values()} == {
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    }
    for _type, mapping in SUB_EVENTS.values():
        assert 1 <= mapping.severity <= 5
        assert mapping.category in (Category.INCIDENT, Category.POLITICAL)


@pytest.mark.parametrize(
    ("values", "category", "severity"),
    [
        ({}, Category.INCIDENT, 3),  # an IED, nobody killed
        ({"fatalities": "10"}, Category.INCIDENT, 4),  # one step at 10 dead
        ({"fatalities": "50"}, Category.INCIDENT, 5),  # two at 50
        ({"civilian_targeting": "Civilian targeting"}, Category.INCIDENT, 4),
        ({"civilian_targeting": "Civilian targeting", "fatalities": "60"}, Category.INCIDENT, 5),
        (
            {"event_type": "Explosions/Remote violence", "sub_event_type": "Suicide bomb"},
            Category.INCIDENT,
            5,
        ),
        (
            {  # violence against civilians is graded as such: targeting adds nothing
                "event_type": "Violence against civilians",
                "sub_event_type": "Abduction/forced disappearance",
                "civilian_targeting": "Civilian targeting",
            },
            Category.INCIDENT,
            3,
        ),
        ({"event_type": "Protests", "sub_event_type": "Peaceful protest"}, Category.POLITICAL, 1),
        ({"event_type": "Riots", "sub_event_type": "Mob violence"}, Category.INCIDENT, 2),
        (
            {"event_type": "Strategic developments", "sub_event_type": "Arrests"},
            Category.POLITICAL,
            2,
        ),
    ],
)
def test_severity_of(values: dict[str, str], category: Category, severity: int) -> None:
    mapped = severity_of(event(**values))
    assert (mapped.category, mapped.severity, mapped.de_escalation) == (category, severity, False)


def test_an_agreement_is_a_de_escalation_of_incidents() -> None:
    mapped = severity_of(
        event(event_type="Strategic developments", sub_event_type="Agreement", fatalities="12")
    )
    assert (mapped.category, mapped.severity, mapped.de_escalation) == (Category.INCIDENT, 2, True)


def test_in_the_posts_city_the_event_weighs_in_full() -> None:
    mapped = at_post(event(location="Senou", admin1="BAMAKO", fatalities="12"), city="Bamako")
    assert mapped is not None and (mapped.severity, mapped.local) == (4, True)


def test_a_city_name_matches_whatever_its_accents_and_case() -> None:
    mapped = at_post(event(location="Ségou", admin1="Segou"), city="segou")
    assert mapped is not None and mapped.local


def test_a_grave_event_elsewhere_in_the_country_is_context_at_severity_2() -> None:
    grave = event(
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        location="Konna",
        admin1="Mopti",
    )
    mapped = at_post(grave, city="Bamako")
    assert mapped is not None and (mapped.severity, mapped.local) == (2, False)


def test_a_lesser_event_elsewhere_concerns_the_post_not() -> None:
    assert at_post(event(location="Konna", admin1="Mopti"), city="Bamako") is None
    agreement = event(
        event_type="Strategic developments",
        sub_event_type="Agreement",
        location="Kidal",
        admin1="Kidal",
    )
    assert at_post(agreement, city="Bamako") is None


def test_a_row_is_read_with_its_version_and_keys() -> None:
    read = event(event_date="24 November 2026", country="Côte d'Ivoire", event_id_cnty="CIV7")
    assert read.country == "CI"
    assert read.date.isoformat() == "2026-11-24"
    assert read.external_id == "acled:CIV7:1764200000"
    assert read.key == "acled-CIV7"
    assert read.observed_at.isoformat() == "2026-11-24T00:00:00+00:00"


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"event_id_cnty": ""}, "event_id_cnty"),
        ({"event_id_cnty": "MLI 1"}, "event_id_cnty"),
        ({"sub_event_type": "Attack on a convoy"}, "sub_event_type"),
        ({"event_type": "Battles"}, "event_type"),  # an IED is not a battle
        ({"country": "Atlantis"}, "country"),
        ({"event_date": "2026-13-01"}, "event_date"),
        ({"fatalities": "many"}, "fatalities"),
        ({"fatalities": "-1"}, "fatalities"),
        ({"timestamp": ""}, "timestamp"),
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "east"}, "longitude"),
    ],
)
def test_a_malformed_row_is_refused_naming_its_column(values: dict[str, str], column: str) -> None:
    with pytest.raises(RowError, match=f"^{column}:"):
        event(**values)


def test_an_unknown_country_is_named() -> None:
    with pytest.raises(RowError, match=r"unknown country 'Atlantis'.*countries.py"):
        event(country="Atlantis")


def test_a_row_with_more_fields_than_the_header_is_refused() -> None:
    with pytest.raises(RowError, match="more fields"):
        event_read({**row(), None: ["extra"]})  # type: ignore[dict-item]
