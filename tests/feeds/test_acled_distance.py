"""ACLED events matched to a post by distance from its coordinates (docs/feeds.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import override_settings
from django.utils import timezone

from readiness.feeds.acled import RowError, at_post, distance_km, event_read, in_city
from readiness.feeds.services import ImportRefused, acled_import
from readiness.indicators.models import Indicator
from tests.feeds.test_acled_mapping import event, row

BAMAKO = (12.6392, -8.0029)
# Kati: 15 km north-west of Bamako, its own name and admin area (Koulikoro region).
KATI = {"location": "Kati", "admin2": "Kati", "admin1": "Koulikoro",
        "latitude": "12.7441", "longitude": "-8.0726"}  # fmt: skip
# Segou: about 200 km north-east.
SEGOU = {"location": "Segou", "admin1": "Segou", "latitude": "13.4317", "longitude": "-6.2157"}


def test_distance_is_the_great_circle_distance() -> None:
    assert distance_km(BAMAKO, BAMAKO) == 0
    # Bamako to Dakar: about 1,050 km as the crow flies.
    assert 1000 < distance_km(BAMAKO, (14.7167, -17.4677)) < 1100
    assert 13 < distance_km(BAMAKO, (12.7441, -8.0726)) < 16


def test_an_event_near_the_post_is_in_its_city_though_it_names_another_place() -> None:
    kati = event(**KATI)
    assert not in_city(kati, city="Bamako")  # by name alone: another place
    assert in_city(kati, city="Bamako", centre=BAMAKO, radius_km=50)
    assert not in_city(kati, city="Bamako", centre=BAMAKO, radius_km=10)  # the radius rules
    mapped = at_post(kati, city="Bamako", centre=BAMAKO, radius_km=50)
    assert mapped is not None and mapped.local and mapped.severity == 3


def test_a_far_event_stays_context_and_the_city_name_still_counts() -> None:
    segou = at_post(event(**SEGOU, fatalities="12"), city="Bamako", centre=BAMAKO, radius_km=50)
    assert segou is not None and not segou.local and segou.severity == 2
    # Named Bamako but placed far away (ACLED's admin1 is the district): still the city.
    named = event(latitude="13.4317", longitude="-6.2157")
    assert in_city(named, city="Bamako", centre=BAMAKO, radius_km=50)


def test_an_event_without_coordinates_is_matched_by_name() -> None:
    kati = event(**{**KATI, "latitude": "", "longitude": ""})
    assert kati.latitude is None
    assert not in_city(kati, city="Bamako", centre=BAMAKO, radius_km=50)


def test_coordinates_are_read_and_half_a_point_is_refused() -> None:
    read = event_read(row(**KATI))
    assert (read.latitude, read.longitude) == (12.7441, -8.0726)
    with pytest.raises(RowError, match="longitude"):
        event_read(row(latitude="12.7", longitude=""))


def csv_text(*rows: dict[str, str | None]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return out.getvalue()


def recent(**values: str) -> dict[str, str | None]:
    day = (timezone.now() - dt.timedelta(days=2)).date().isoformat()
    return row(event_date=day, **values)


def imported(feed, text: str):  # type: ignore[no-untyped-def]
    return acled_import(feed=feed, file=io.StringIO(text), file_name="acled.csv")


@pytest.mark.django_db
@override_settings(ACLED_CITY_RADIUS_KM=50)
def test_a_post_with_coordinates_gets_nearby_events_at_full_weight(acled_feed, mali):  # type: ignore[no-untyped-def]
    mali.latitude, mali.longitude = BAMAKO
    mali.save()
    imported(acled_feed, csv_text(recent(event_id_cnty="MLI9002", **KATI)))
    kati = Indicator.objects.get(post=mali, external_id__startswith="acled:MLI9002:")
    assert (kati.severity, kati.event) == (3, "acled-MLI9002")
    assert not kati.text.startswith("Elsewhere")


@pytest.mark.django_db
@override_settings(ACLED_CITY_RADIUS_KM=10)
def test_a_smaller_radius_leaves_the_same_event_outside(acled_feed, mali):  # type: ignore[no-untyped-def]
    mali.latitude, mali.longitude = BAMAKO
    mali.save()
    result = imported(acled_feed, csv_text(recent(event_id_cnty="MLI9003", **KATI)))
    # An IED (severity 3) outside the city is below the context threshold: nothing.
    assert not Indicator.objects.filter(post=mali).exists()
    assert result.skipped == 1


@pytest.mark.django_db
def test_without_coordinates_the_same_event_is_not_in_the_city(acled_feed, mali):  # type: ignore[no-untyped-def]
    assert mali.latitude is None
    result = imported(acled_feed, csv_text(recent(event_id_cnty="MLI9004", **KATI)))
    assert not Indicator.objects.filter(post=mali).exists()
    assert result.skipped == 1


@pytest.mark.django_db
def test_a_row_with_half_a_point_refuses_the_file(acled_feed, mali):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match="longitude"):
        imported(
            acled_feed, csv_text(recent(event_id_cnty="MLI9005", latitude="12.7", longitude=""))
        )
