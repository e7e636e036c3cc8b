"""How figures read in the sentences (readiness.wording.numbers), in English."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from readiness.wording import numbers


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_days() -> None:
    assert numbers.days(6.04) == "6 days"
    assert numbers.days(1.43) == "1.4 days"
    assert numbers.days(1.0) == "1 day"
    assert numbers.days(24.19) == "24 days"
    assert numbers.days(math.inf) == "never"


def test_people_and_numbers() -> None:
    assert numbers.people(1935.4) == "1,935 people"
    assert numbers.people(1) == "1 person"
    assert numbers.number(55.0) == "55" and numbers.number(47.26) == "47.3"


def test_join_and_mode() -> None:
    assert numbers.join(["a", "b", "c"]) == "a, b and c"
    assert numbers.join(["a"]) == "a"
    assert numbers.mode_name("commercial_air") == "commercial air"
