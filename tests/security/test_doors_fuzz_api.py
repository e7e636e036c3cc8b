"""Property-based fuzzing of the feeds' JSON and CAP endpoints (issue 9): whatever arrives,
the answer is never a 5xx, and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import Send
from .doors import cap_alert, observation
from .fuzz import FUZZ, row_counts

pytestmark = pytest.mark.django_db

# Every character, lone surrogates included (JSON can carry them escaped).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 5, 6, -1, 10**19, 2**63, 4.0, 1e308]),
)
DATES = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-14))]
        ),
    ).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "2025-13-45T99:99:99+00:00",
            "2025-11-07T09:30:00",
            "",
        ]
    ),
)
JSON_LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, ANY_TEXT, DATES)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = list(observation())
EXTRA_FIELDS = ["expires_at", "ended_at", "ongoing", "source", "event", "de_escalation"]


@st.composite
def observations(draw: st.DrawFn) -> dict[str, Any]:
    """A valid observation with some fields dropped, changed or added, arbitrarily."""
    item: dict[str, Any] = observation(external_id=draw(st.text(min_size=1, max_size=12)))
    for name in draw(st.lists(st.sampled_from(FIELDS + EXTRA_FIELDS), max_size=4)):
        if draw(st.booleans()):
            item[name] = draw(st.one_of(JSON_VALUES, DATES))
        else:
            item.pop(name, None)
    if draw(st.booleans()):
        item[draw(ANY_TEXT)] = draw(JSON_LEAVES)
    return item


def _refusal_wrote_nothing(send: Send, body: Any) -> None:
    before = row_counts()
    response = send(body)
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert row_counts() == before, response.content[:500]
        assert response.json()["error"]


@FUZZ
@given(
    body=st.one_of(
        observations(), st.lists(observations(), max_size=3).map(lambda i: {"indicators": i})
    )
)
def test_json_observations_never_5xx_and_refusals_write_nothing(send_json: Send, body: Any) -> None:
    _refusal_wrote_nothing(send_json, json.dumps(body))


@FUZZ
@given(body=st.one_of(JSON_VALUES.map(json.dumps), st.binary(max_size=200)))
def test_any_json_or_bytes_never_5xx(send_json: Send, body: str | bytes) -> None:
    _refusal_wrote_nothing(send_json, body)


# --- CAP ----------------------------------------------------------------------------------

CAP_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
CAP_DATES = st.one_of(DATES, CAP_TEXT)
DECLARATIONS = st.sampled_from(
    [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-7"?>',
        '<?xml version="1.0" encoding="UTF-16"?>',
        '<?xml version="1.0" encoding="latin-1"?>',
        '<?xml version="1.0" encoding="no-such"?>',
        '<?xml version="1.0"?>',
        "",
    ]
)


@st.composite
def cap_documents(draw: st.DrawFn) -> bytes:
    """A CAP alert with arbitrary dates, identifiers, kinds, parameters and encodings."""
    now = dt.datetime.now(dt.UTC)
    document = cap_alert(
        identifier=draw(st.one_of(st.just("SW-1"), CAP_TEXT.map(escape))),
        msg_type=draw(st.sampled_from(["Alert", "Update", "Cancel", "Ack", "Bogus"])),
        sent=draw(
            st.one_of(st.just((now - dt.timedelta(minutes=5)).isoformat()), CAP_DATES.map(escape))
        ),
        onset=draw(
            st.one_of(st.just((now - dt.timedelta(hours=1)).isoformat()), CAP_DATES.map(escape))
        ),
        expires=draw(st.one_of(st.just(""), CAP_DATES.map(escape))),
        effective=draw(st.one_of(st.just(""), CAP_DATES.map(escape))),
        references=draw(st.one_of(st.just(""), CAP_TEXT.map(escape))),
        severity_parameter=draw(
            st.one_of(st.just(""), st.integers(-10, 10**40).map(str), CAP_TEXT.map(escape))
        ),
        infos=draw(st.integers(0, 3)),
        declaration=draw(DECLARATIONS),
    )
    cut = draw(st.one_of(st.none(), st.integers(0, len(document))))
    return document if cut is None else document[:cut]


@FUZZ
@given(document=cap_documents())
def test_cap_alerts_never_5xx_and_refusals_write_nothing(send_cap: Send, document: bytes) -> None:
    _refusal_wrote_nothing(send_cap, document)


@FUZZ
@given(document=st.one_of(st.binary(max_size=300), CAP_TEXT.map(lambda t: t.encode())))
def test_any_bytes_as_cap_never_5xx(send_cap: Send, document: bytes) -> None:
    _refusal_wrote_nothing(send_cap, document)
