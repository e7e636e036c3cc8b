"""The maps: the shipped basemap, the projection and clipping, what a post's maps and the
overview's world map show (routes by status, places, verdicts), their list in words, the
pages that include them and their cache."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from readiness.dashboard import maps
from readiness.posts.models import Post
from tests.dashboard.conftest import populate_post
from tests.factories import AssemblyPointFactory, ExitRouteFactory, PostFactory, WardenFactory

BAMAKO = (-8.0029, 12.6392)  # (longitude, latitude), as the maps take points


def test_the_basemap_is_natural_earths_countries_decoded() -> None:
    world = maps.countries("110m")
    assert len(world) == 177
    mali = next(c for c in world if c.name == "Mali")
    west, south, east, north = mali.bbox
    assert -12.5 < west < -11.5 and 4 < east < 4.5 and 10 < south < 10.5 and 24.5 < north < 25.5
    region = {c.name for c in maps.countries("50m")}
    assert {"Mali", "Senegal", "Guinea", "Côte d'Ivoire"} <= region


def test_a_ring_across_the_antimeridian_is_unwrapped() -> None:
    fiji = next(c for c in maps.countries("110m") if c.name == "Fiji")
    for ring in fiji.rings:
        assert all(abs(a[0] - b[0]) < 180 for a, b in itertools.pairwise(ring))


def test_frame_around_holds_every_point_within_bounds_of_shape() -> None:
    dakar = (-17.4677, 14.7167)
    frame = maps.frame_around([BAMAKO, dakar], width=640, min_span_km=300)
    assert frame.contains(BAMAKO) and frame.contains(dakar)
    assert 0.5 * 640 - 1 <= frame.height <= 0.9 * 640 + 1
    x, y = frame.xy(BAMAKO)
    assert 0 < x < frame.width and 0 < y < frame.height
    # A single point gets the minimum span.
    alone = maps.frame_around([BAMAKO], width=640, min_span_km=8)
    assert 8 <= alone.km_per_px * alone.width < 12


def test_clip_line_cuts_at_the_frame_and_says_so() -> None:
    frame = maps.Frame(west=0, south=0, east=10, north=10, width=100, height=100)
    assert maps.clip_line(frame, (50, 50), (150, 50)) == (50, 50, 100, 50, True)
    assert maps.clip_line(frame, (10, 10), (20, 20)) == (10, 10, 20, 20, False)
    assert maps.clip_line(frame, (150, 150), (200, 200)) is None


def test_land_path_draws_only_whats_in_the_frame() -> None:
    region = maps.frame_around([BAMAKO], width=640, min_span_km=600)
    path = maps.land_path(region, "50m")
    assert path.startswith("M") and path.count("Z") >= 2  # Mali and Guinea at least
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    assert min(numbers) >= -2.0 and max(numbers) <= region.width + 2.0  # clipped


def test_the_world_basemap_static_file_is_current() -> None:
    # static/readiness/world-110m.svg is written by maps.world_land_svg(): rewrite it when
    # the basemap or the world frame changes.
    committed = (Path(settings.BASE_DIR) / "static" / maps.WORLD_LAND_STATIC).read_text()
    assert committed == maps.world_land_svg()
    assert committed.count("Z") > 150  # the world's countries, one ring at least each


def bamako_inputs() -> tuple[object, ...]:
    post = Post(city="Bamako", latitude=12.6392, longitude=-8.0029)
    routes = [
        ExitRouteFactory.build(key="air", mode="commercial_air", status="open",
            from_place="Bamako-Senou", to_place="Paris", from_latitude=12.5335,
            from_longitude=-7.9499, to_latitude=49.0097, to_longitude=2.5479),
        ExitRouteFactory.build(key="road", mode="road", status="closed", from_place="Bamako",
            to_place="Dakar", from_latitude=12.6392, from_longitude=-8.0029, to_latitude=14.7167,
            to_longitude=-17.4677),
        ExitRouteFactory.build(key="mil", mode="military_air", status="degraded",
            from_place="Bamako-Senou", to_place="a staging base", from_latitude=12.5335,
            from_longitude=-7.9499),
        ExitRouteFactory.build(key="boat", mode="road", status="unknown", from_place="Bamako",
            to_place="Conakry"),
    ]  # fmt: skip
    points = [
        {"name": "Embassy", "capacity": 600, "zone": "", "latitude": 12.6455, "longitude": -7.999},
        {"name": "Stadium", "capacity": 1200, "zone": "", "latitude": None, "longitude": None},
    ]
    zones = [{"zone": "ACI 2000", "n": 2, "latitude": 12.6235, "longitude": -8.03}]
    return maps.post_map_inputs(post, routes, points, zones)


def test_the_post_map_draws_routes_by_status_and_the_places() -> None:
    result = maps.post_map(bamako_inputs())
    assert result is not None
    region, city = result.views
    assert [line.status for line in region.lines] == ["open", "closed"]
    paris, dakar = region.lines
    assert paris.cut and paris.end_label == "Paris (open)"  # Paris is far off the frame
    assert not dakar.cut and dakar.end_label == "Dakar (closed)"
    assert {m.kind for m in region.marks} == {"post", "airport"}
    kinds = [(m.kind, m.label) for m in city.marks]
    assert ("assembly", "Embassy · 600") in kinds and ("warden", "ACI 2000") in kinds
    assert ("airport", "Bamako-Senou") in kinds and ("post", "Bamako") in kinds
    assert all(0 <= m.x <= city.frame.width and 0 <= m.y <= city.frame.height for m in city.marks)


def test_the_list_in_words_names_everything_and_what_is_not_on_the_map() -> None:
    result = maps.post_map(bamako_inputs())
    assert result is not None
    texts = {item.text: item for item in result.items}
    assert texts["Road: Bamako → Dakar — Closed"].status == "closed"
    assert texts["Military air: Bamako-Senou → a staging base — Degraded"].placed  # its airport
    assert not texts["Road: Bamako → Conakry — Unknown"].placed
    assert "1. Embassy, room for 600" in texts
    assert not texts["2. Stadium, room for 1,200"].placed
    assert texts["Warden zone ACI 2000: 2 warden(s)"].placed
    assert [i.text for i in result.unplaced] == [
        "Road: Bamako → Conakry — Unknown",
        "2. Stadium, room for 1,200",
    ]


def test_two_routes_along_one_line_are_drawn_side_by_side_under_one_label() -> None:
    post = Post(city="Bamako", latitude=12.6392, longitude=-8.0029)
    routes = [
        ExitRouteFactory.build(key=key, mode=mode, status=status, from_place="Senou",
            to_place="Paris", from_latitude=12.53, from_longitude=-7.95, to_latitude=49.0,
            to_longitude=2.55)
        for key, mode, status in (("a", "commercial_air", "open"), ("b", "charter_air", "unknown"))
    ]  # fmt: skip
    result = maps.post_map(maps.post_map_inputs(post, routes, [], []))
    assert result is not None
    first, second = result.views[0].lines
    assert first.end_label == "Paris (open / unknown)" and second.end_label == ""
    assert (first.x1, first.y1) != (second.x1, second.y1)


def test_nothing_placed_means_no_map() -> None:
    post = Post(city="Nowhere")
    assert maps.post_map(maps.post_map_inputs(post, [], [], [])) is None


# --- the pages ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def post_url(post: Post) -> str:
    return reverse("dashboard:post", args=[post.code])


def map_section(html: str) -> str:
    return html.split('<section id="map"')[1].split("</section>")[0]


def test_the_post_page_shows_the_bamako_map(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    html = map_section(duty_client.get(post_url(bamako_today)).content.decode())
    assert html.count('<svg class="map-svg"') == 2  # the region and the city
    assert 'role="img"' in html and '<title id="map-region-title">' in html
    assert 'class="map-route route-closed"' in html  # the Dakar road
    assert 'class="map-route route-open"' in html  # commercial air
    assert 'class="map-mark mark-airport"' in html and "Bamako-Senou airport" in html
    assert html.count('class="map-mark mark-assembly"') == 3
    assert "Lycée Liberté sports ground · 1,200" in html
    assert html.count('class="map-mark mark-warden"') == 5
    assert "Dakar, Senegal (closed)" in html
    assert "What the map shows, in words" in html
    assert "style=" not in html  # the CSP: styles come from static/readiness/maps.css


def test_a_post_without_coordinates_says_how_to_add_them(duty_client):  # type: ignore[no-untyped-def]
    post = populate_post()
    html = map_section(duty_client.get(post_url(post)).content.decode())
    assert "<svg" not in html
    assert "No coordinates recorded for this post" in html


def test_a_route_check_changes_the_maps_colour(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    before = map_section(duty_client.get(post_url(bamako_today)).content.decode())
    assert before.count('class="map-route route-closed"') == 2  # on the region and city maps
    bamako_today.routes.filter(key="road-dakar").update(status="open")
    after = map_section(duty_client.get(post_url(bamako_today)).content.decode())
    assert 'class="map-route route-closed"' not in after
    assert "Dakar, Senegal (open)" in after


def test_the_map_is_drawn_once_then_served_from_the_cache(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    with mock.patch.object(maps, "post_map", wraps=maps.post_map) as drawn:
        first = map_section(duty_client.get(post_url(bamako_today)).content.decode())
        second = map_section(duty_client.get(post_url(bamako_today)).content.decode())
    assert first == second
    assert drawn.call_count == 1
    AssemblyPointFactory(post=bamako_today, name="New point", latitude=12.64, longitude=-8.0)
    with mock.patch.object(maps, "post_map", wraps=maps.post_map) as drawn:
        third = map_section(duty_client.get(post_url(bamako_today)).content.decode())
    assert drawn.call_count == 1 and "New point" in third


def test_warden_names_stay_off_the_map(duty_client):  # type: ignore[no-untyped-def]
    post = PostFactory(latitude=5.35, longitude=-4.0)
    WardenFactory(post=post, zone="Cocody", name="Aminata Secret", latitude=5.36, longitude=-3.98)
    html = map_section(duty_client.get(post_url(post)).content.decode())
    assert "Cocody" in html and "Aminata Secret" not in html


OVERVIEW = "/"


def test_the_overview_shows_every_post_on_the_world_map_by_verdict(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    PostFactory(code="ZZ-NOPE", name="Unplaced")
    html = duty_client.get(reverse("dashboard:overview")).content.decode()
    world = html.split('<figure class="map world-map"')[1].split("</figure>")[0]
    bamako_today.refresh_from_db()
    verdict = bamako_today.newest_assessment.verdict
    assert verdict == "act_now"  # the demo's day: a higher level is recommended
    assert f'class="map-post verdict-{verdict}" data-code="ML-BKO"' in world
    assert f'href="{post_url(bamako_today)}"' in world
    assert 'data-code="ZZ-NOPE"' not in world and "Not on the map: ZZ-NOPE." in world
    # Another verdict, another colour: a post never assessed is grey.
    PostFactory(code="ZZ-PLACED", name="Placed", latitude=5.35, longitude=-4.0)
    html = duty_client.get(reverse("dashboard:overview")).content.decode()
    assert 'class="map-post verdict-not_assessed" data-code="ZZ-PLACED"' in html
    assert (
        '<title id="world-map-title">' in world and 'role="group"' in world
    )  # its dots are links: a group, not an image
    assert '<image class="map-basemap" href="/static/readiness/world-110m.svg"' in world
    assert "<path" not in world  # the countries come from the static file, not the page


def test_the_maps_in_french_keep_their_numbers_readable(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    html = duty_client.get(post_url(bamako_today), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    section = map_section(html)
    assert "Carte\u00a0: ville et région" in section
    assert "Zone ACI 2000 : 1 îlotier(s)" in section
    assert "Bamako : 12,639° N, 8,003° O" in section  # words in French figures
    # The drawing's coordinates stay machine numbers (a decimal comma would break the SVG).
    coordinates = re.findall(r' c[xy]="([^"]+)"', section)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in coordinates)
    # The English map is cached apart: the same post in English is in English.
    english = map_section(duty_client.get(post_url(bamako_today)).content.decode())
    assert "Map: city and region" in english
