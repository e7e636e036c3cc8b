"""How figures read in the engine's sentences."""

from __future__ import annotations

import math

from readiness.engine import wording


def test_days() -> None:
    assert wording.days(6.04) == "6 days"
    assert wording.days(1.43) == "1.4 days"
    assert wording.days(1.0) == "1 day"
    assert wording.days(24.19) == "24 days"
    assert wording.days(math.inf) == "never"


def test_people_and_numbers() -> None:
    assert wording.people(1935.4) == "1,935 people"
    assert wording.people(1) == "1 person"
    assert wording.number(55.0) == "55" and wording.number(47.26) == "47.3"
    assert wording.seats(80) == "80 seats/day"


def test_join_and_mode() -> None:
    assert wording.join(["a", "b", "c"]) == "a, b and c"
    assert wording.join(["a"]) == "a"
    assert wording.mode("commercial_air") == "commercial air"
