"""Each level's load traced group by group and route by route, with sums that add up as
shown; and the levels table's "cannot leave" taken from the figures it shows."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from readiness.dashboard import explanation as explained
from readiness.dashboard import loads
from readiness.engine import assess
from readiness.engine.vocabulary import Category, RouteMode, RouteStatus
from readiness.wording import numbers
from tests.engine.builders import BAMAKO, indicator, inputs, route

ROUTES = (
    route("air", seats=55, closes_at_threat=85),
    route(
        "charter",
        mode=RouteMode.CHARTER_AIR,
        status=RouteStatus.UNKNOWN,
        seats=60,
        closes_at_threat=90,
        lead_time_hours=48,
    ),
    route("road", mode=RouteMode.ROAD, status=RouteStatus.DEGRADED, seats=150),
    route("mil", mode=RouteMode.MILITARY_AIR, status=RouteStatus.UNKNOWN, seats=100),
)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def explanation(**kwargs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "indicators": (indicator("1", category=Category.SUPPLY, severity=5, ongoing=True),),
        "routes": ROUTES,
        "population": BAMAKO,
        "current_level": 3,
    }
    base.update(kwargs)
    return assess(inputs(**base)).to_dict()


def traces(exp: dict[str, Any], focus: int | None = None) -> dict[int, loads.LevelTrace]:
    with translation.override("en"):
        found = loads.level_traces(exp, level_names={}, route_names={}, focus_rank=focus)
    return {t.rank: t for t in found}


def whole(text: str) -> int:
    return int(text.replace(",", ""))


@given(st.lists(st.floats(min_value=0, max_value=1e5), max_size=12))
def test_apportioned_rows_add_up_to_the_rounded_total(values):  # type: ignore[no-untyped-def]
    shares = loads.apportion(values)
    assert sum(shares) == round(sum(values))
    assert all(abs(s - v) < 1 for s, v in zip(shares, values, strict=True))


def test_the_levels_that_move_people_each_have_a_trace():
    exp = explanation()
    assert set(traces(exp)) == {3, 4, 6}  # not Shelter and regroup: it calls nobody new


def test_each_rows_expected_departures_add_up_to_the_load_shown():
    exp = explanation()
    for rank, trace in traces(exp).items():
        level = exp["levels"][rank]
        assert trace.load == round(level["load"])
        assert sum(whole(r.expected) for r in trace.rows) == trace.load
        assert whole(trace.expected_total) == trace.load
        assert numbers.number(level["load"], 0) == trace.expected_total  # the levels table


def test_citizens_are_split_into_single_dual_and_unregistered():
    trace = traces(explanation())[3]
    by_label = {r.label: r for r in trace.rows}
    single = by_label["Single nationals (registered − dual)"]  # noqa: RUF001
    assert (single.people, single.propensity, single.expected) == ("1,200", "80\xa0%", "960")
    dual = by_label["Dual nationals"]
    assert (dual.people, dual.propensity, dual.expected) == ("2,800", "30\xa0%", "840")
    unregistered = by_label["Unregistered (estimate)"]
    # (1 - 0.7) * 0.8 + 0.7 * 0.3 = 0.45 of 300
    assert (unregistered.people, unregistered.propensity) == ("300", "45\xa0%")
    assert unregistered.expected == "135"
    assert "(70\xa0%)" in trace.note and "45\xa0%" in trace.note
    assert all(r.called_at == "3 · Citizens advised to leave" for r in trace.rows)


def test_a_level_counts_the_groups_called_at_it_and_below():
    found = traces(explanation())
    assert len(found[4].rows) == len(found[3].rows) + 3  # non-essential, dependants, schools
    assert len(found[6].rows) == len(found[4].rows) + 1  # essential staff
    assert found[6].rows[-1].called_at == "6 · Evacuation"


def test_routes_say_why_an_unverified_or_degraded_route_counts_at_half():
    trace = traces(explanation())[3]
    routes = {r.name: r for r in trace.routes}
    assert set(routes) == {"air", "charter", "road"}  # military air from evacuation only
    assert routes["charter"].why == "not verified: trusted for half its seats"
    assert (routes["charter"].factor, routes["charter"].counted) == ("× 0.5", "30")  # noqa: RUF001
    assert routes["road"].why == "degraded: half"
    assert routes["air"].why == "open: all its seats count"
    assert sum(int(r.share.rstrip("\xa0%")) for r in trace.routes) == 100
    assert "mil" in {r.name for r in traces(explanation())[6].routes}


def test_seats_before_the_routes_close_add_up_and_the_shortfall_is_their_difference():
    exp = explanation(population=replace(BAMAKO, citizens_registered=40000, dual_nationals=2800))
    for rank, trace in traces(exp).items():
        level = exp["levels"][rank]
        if level["seats_before_close"] is None:
            assert trace.seats_total == "∞"
            continue
        seats = sum(whole(r.seats_before_close) for r in trace.routes)
        assert seats == whole(trace.seats_total) == round(level["seats_before_close"])
        assert trace.short == max(0, trace.load - seats) == explained.shown_shortfall(level)
        if trace.short:
            assert trace.arithmetic.startswith(
                f"{numbers.number(trace.load, 0)} to move − {trace.seats_total} seats"  # noqa: RUF001
            )


def test_the_focus_level_is_open():
    found = traces(explanation(), focus=4)
    assert [r for r, t in found.items() if t.is_focus] == [4]


def test_an_explanation_without_load_rows_shows_expected_departures_only():
    exp = explanation()
    del exp["load_rows"]
    trace = traces(exp)[4]
    assert not trace.detailed and "stored before head counts" in trace.note
    assert {r.label for r in trace.rows} == {
        "Citizens",
        "Non-essential staff",
        "Dependants",
        "School staff",
    }
    assert all(r.people == "—" for r in trace.rows)
    assert trace.load == round(exp["levels"][4]["load"])


def test_the_levels_table_says_who_cannot_leave_from_the_figures_it_shows():
    exp = copy.deepcopy(explanation())
    level = exp["levels"][4]
    # Unrounded, 1,911.6 - 1,755.4 = 156.2; shown, 1,912 - 1,755 = 157.
    level["load"], level["seats_before_close"], level["shortfall"] = 1911.6, 1755.4, 156.2
    with translation.override("en"):
        rows = explained.explanation(
            exp=exp, level_names={}, route_names={}, indicators={}, category_labels={}
        ).levels
    row = next(r for r in rows if r.rank == 4)
    assert row.load_number == "1,912" and row.shortfall_text == "157 cannot leave"


@pytest.mark.django_db
def test_the_post_page_traces_the_load(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    html = duty_client.get(reverse("dashboard:post", args=[bamako_today.code])).content.decode()
    assert "Each level&#x27;s load, and the seats against it" in html or (
        "Each level's load, and the seats against it" in html
    )
    assert "head count × propensity = expected departures" in html  # noqa: RUF001
    assert "not verified: trusted for half its seats" in html
    html = duty_client.get(
        reverse("dashboard:post", args=[bamako_today.code]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "effectif × propension = départs attendus" in html  # noqa: RUF001
    assert "Binationaux" in html
