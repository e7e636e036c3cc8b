"""The optional coordinate keys of scenario files (docs/scenarios.md): read, checked, loaded;
a file without them reads as before."""

from __future__ import annotations

import pytest

from readiness.posts.models import Post
from readiness.scenarios.schema import load_scenario_file, parse_scenario
from readiness.scenarios.services import scenario_load
from tests.scenarios.builders import line_of, problems_of, scenario_text, the_problem

POST_POINT = ("  level: 0\n", "  level: 0\n  latitude: 12.6392\n  longitude: -8.0029\n")
ROUTE_POINTS = (
    "    closes_at_threat: 85\n",
    "    closes_at_threat: 85\n"
    "    from_latitude: 12.5335\n    from_longitude: -7.9499\n"
    "    to_latitude: 49.0097\n    to_longitude: 2.5479\n",
)
PLACES = """
    wardens:
      - {zone: ACI 2000, name: Warden 1, latitude: 12.6235, longitude: -8.0300}
      - {zone: Hippodrome, name: Warden 2}
    assembly_points:
      - {name: Embassy, capacity: 800, latitude: 12.6455, longitude: -7.999}
    """


def placed() -> str:
    text = scenario_text(extra=PLACES)
    return text.replace(*POST_POINT, 1).replace(*ROUTE_POINTS, 1)


def test_the_coordinate_keys_are_read() -> None:
    scenario = parse_scenario(placed())
    assert (scenario.post.latitude, scenario.post.longitude) == (12.6392, -8.0029)
    route = scenario.routes[0]
    assert (route.from_latitude, route.from_longitude) == (12.5335, -7.9499)
    assert (route.to_latitude, route.to_longitude) == (49.0097, 2.5479)
    assert (scenario.wardens[0].latitude, scenario.wardens[1].latitude) == (12.6235, None)
    assert scenario.assembly_points[0].longitude == -7.999


def test_a_file_without_them_reads_as_before() -> None:
    scenario = parse_scenario(scenario_text())
    assert scenario.post.latitude is None and scenario.routes[0].to_longitude is None


@pytest.mark.parametrize(
    ("new", "path", "words", "line_needle"),
    [
        ("  latitude: 91\n  longitude: 0\n", "post.latitude", "90", "latitude: 91"),
        ("  latitude: 12\n", "post.longitude", "together", "post:"),
        ("  latitude: 12\n  longitude: east\n", "post.longitude", "", "longitude: east"),
    ],
)
def test_a_bad_post_point_is_a_problem_with_its_line(
    new: str, path: str, words: str, line_needle: str
) -> None:
    text = scenario_text().replace("  level: 0\n", "  level: 0\n" + new, 1)
    problem = the_problem(text)
    assert (problem.path, problem.line) == (path, line_of(text, line_needle))
    assert words in problem.message


def test_half_a_route_point_names_the_missing_key() -> None:
    text = scenario_text().replace(
        "    closes_at_threat: 85\n", "    closes_at_threat: 85\n    to_latitude: 49.0\n"
    )
    problem = the_problem(text)
    assert problem.path == "routes[0].to_longitude"
    assert "to_latitude and to_longitude together" in problem.message


def test_an_assembly_point_out_of_range_is_a_problem() -> None:
    text = scenario_text(
        extra="assembly_points:\n  - {name: A, capacity: 1, latitude: 12, longitude: 190}\n"
    )
    assert [p.path for p in problems_of(text)] == ["assembly_points[0].longitude"]


@pytest.mark.django_db
def test_loading_stores_them_and_fills_a_post_that_has_none() -> None:
    scenario_load(parse_scenario(scenario_text()))
    post = Post.objects.get(code="ML-BKO")
    assert post.latitude is None
    scenario_load(parse_scenario(placed()))  # again, now with places
    post.refresh_from_db()
    assert (post.latitude, post.longitude) == (12.6392, -8.0029)
    route = post.routes.get()
    assert (route.from_latitude, route.to_latitude) == (12.5335, 49.0097)
    assert post.wardens.get(zone="ACI 2000").longitude == -8.03
    assert post.assembly_points.get().latitude == 12.6455
    # A post placed by people is not moved by a file.
    Post.objects.filter(pk=post.pk).update(latitude=12.0, longitude=-8.5)
    scenario_load(parse_scenario(placed()))
    post.refresh_from_db()
    assert (post.latitude, post.longitude) == (12.0, -8.5)


def test_the_bamako_seed_places_its_post_routes_and_points() -> None:
    scenario = load_scenario_file("seeds/bamako-2025.yaml")
    assert scenario.post.latitude is not None
    by_key = {route.key: route for route in scenario.routes}
    assert by_key["air-commercial"].from_latitude == by_key["air-charter"].from_latitude
    assert by_key["road-dakar"].to_longitude is not None
    assert all(w.latitude is not None for w in scenario.wardens)
    assert all(a.latitude is not None for a in scenario.assembly_points)
