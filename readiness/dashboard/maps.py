"""Maps drawn on the server as SVG: a post's city and region (exit routes by status,
airports, assembly points, warden zones) and the overview's world (posts by verdict).

No JavaScript, no tiles, nothing from outside (closed networks): the basemap is Natural
Earth's country boundaries, shipped in ``basemap/`` (its README says where from) and read
once per process. The projection is equirectangular, with the region's middle latitude as
its standard parallel (distances east-west are true there); at a city's or a region's
scale the distortion is below what a reader sees. This module makes plain numbers and
words; ``templates/dashboard/maps/*.html`` writes the SVG, and the pages cache it by its
inputs (``map_key``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from readiness.posts.models import AIR_MODES, RouteMode, RouteStatus
from readiness.wording import numbers
from readiness.wording.vocabulary import VERDICT_MARKS

BASEMAP_DIR = Path(__file__).with_name("basemap")
WORLD_SCALE = "110m"  # the overview: a world at 960 px needs no more
REGION_SCALE = "50m"  # a post's region, some hundreds of km across
# Points within this distance of the post's city are drawn on the city map.
CITY_RADIUS_KM = 40.0
EARTH_RADIUS_KM = 6371.0
# Pixels: a basemap vertex closer than this to the previous one kept is dropped.
SIMPLIFY_PX = 0.8

Point = tuple[float, float]  # (longitude, latitude), as GeoJSON orders them


# --- the basemap ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    bbox: tuple[float, float, float, float]  # west, south, east, north
    rings: tuple[tuple[Point, ...], ...]


@functools.cache
def countries(scale: str) -> tuple[Country, ...]:
    """Natural Earth's countries at ``scale`` ("110m" or "50m"), decoded once per process
    from world-atlas's TopoJSON (quantized, delta-encoded arcs shared between
    neighbours)."""
    with open(BASEMAP_DIR / f"countries-{scale}.json", encoding="utf-8") as fh:
        topo = json.load(fh)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        xs, ys = zip(*arc, strict=True)  # delta-encoded: positions are running sums
        arcs.append(
            [
                (x * sx + tx, y * sy + ty)
                for x, y in zip(accumulate(xs), accumulate(ys), strict=True)
            ]
        )

    def ring(indices: list[int]) -> tuple[Point, ...]:
        out: list[Point] = []
        for i in indices:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points[1:] if out else points)
        # A ring crossing the antimeridian (Russia, Fiji) jumps from 180 to -180: unwrap
        # it past 180 (land_path draws such a ring a second time, 360 degrees west).
        shift, previous, unwrapped = 0.0, None, []
        for lon, lat in out:
            if previous is not None and abs(lon + shift - previous) > 180:
                shift += 360.0 if lon + shift < previous else -360.0
            previous = lon + shift
            unwrapped.append((previous, lat))
        return tuple(unwrapped)

    found = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = tuple(ring(r) for polygon in polygons for r in polygon)
        lons, lats = zip(*(p for r in rings for p in r), strict=True)
        found.append(
            Country(
                name=(geometry.get("properties") or {}).get("name", ""),
                bbox=(min(lons), min(lats), max(lons), max(lats)),
                rings=rings,
            )
        )
    return tuple(found)


# --- projection -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """The part of the world a map shows, and its size in pixels."""

    west: float
    south: float
    east: float
    north: float
    width: int
    height: int

    def x(self, lon: float) -> float:
        return (lon - self.west) / (self.east - self.west) * self.width

    def y(self, lat: float) -> float:
        return (self.north - lat) / (self.north - self.south) * self.height

    def xy(self, point: Point) -> tuple[float, float]:
        return self.x(point[0]), self.y(point[1])

    def contains(self, point: Point) -> bool:
        return self.west <= point[0] <= self.east and self.south <= point[1] <= self.north

    @property
    def km_per_px(self) -> float:
        middle = math.radians((self.north + self.south) / 2)
        degrees = (self.east - self.west) / self.width
        return degrees * math.pi / 180 * EARTH_RADIUS_KM * math.cos(middle)


WORLD = Frame(west=-180, south=-58, east=180, north=84, width=960, height=379)


def frame_around(
    points: Sequence[Point], *, width: int, min_span_km: float, pad: float = 0.12
) -> Frame:
    """The smallest frame holding every point, with a margin, at least ``min_span_km``
    across, at a height/width ratio of 0.5 to 0.9 (a wider or taller box is grown)."""
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    middle = (south + north) / 2
    k = max(math.cos(math.radians(middle)), 0.05)  # degrees of longitude to "true" degrees
    min_deg = min_span_km / (math.pi / 180 * EARTH_RADIUS_KM)
    lat_span = max(north - south, min_deg) * (1 + 2 * pad)
    lon_span = max((east - west) * k, min_deg) * (1 + 2 * pad)
    ratio = lat_span / lon_span
    if ratio < 0.5:
        lat_span = lon_span * 0.5
    elif ratio > 0.9:
        lon_span = lat_span / 0.9
    lat_mid, lon_mid = (south + north) / 2, (west + east) / 2
    south, north = max(lat_mid - lat_span / 2, -89.0), min(lat_mid + lat_span / 2, 89.0)
    west, east = lon_mid - lon_span / k / 2, lon_mid + lon_span / k / 2
    height = round(width * (north - south) / ((east - west) * k))
    return Frame(west=west, south=south, east=east, north=north, width=width, height=height)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine) between two (longitude, latitude) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _clip_ring(
    ring: list[tuple[float, float]], box: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a polygon ring inside the box (pixels)."""
    out = ring
    # Each edge of the box: (axis, limit, keep the side below the limit).
    for axis, limit, below in (
        (0, box[0], False),
        (0, box[2], True),
        (1, box[1], False),
        (1, box[3], True),
    ):
        if not out:
            break
        points, out = out, []
        previous = points[-1]
        for current in points:
            now_in = current[axis] <= limit if below else current[axis] >= limit
            was_in = previous[axis] <= limit if below else previous[axis] >= limit
            if now_in != was_in:
                t = (limit - previous[axis]) / (current[axis] - previous[axis])
                out.append(
                    (
                        previous[0] + t * (current[0] - previous[0]),
                        previous[1] + t * (current[1] - previous[1]),
                    )
                )
            if now_in:
                out.append(current)
            previous = current
    return out


@functools.lru_cache(maxsize=64)
def land_path(frame: Frame, scale: str, tolerance: float = SIMPLIFY_PX, digits: int = 1) -> str:
    """The countries inside the frame as one SVG path (pixels, ``digits`` decimals),
    clipped to the frame and thinned to what the eye can tell apart (a vertex closer than
    ``tolerance`` pixels to the previous one kept is dropped)."""
    box = (-2.0, -2.0, frame.width + 2.0, frame.height + 2.0)
    parts = []
    for country in countries(scale):
        w, s, e, n = country.bbox
        if e < frame.west or w > frame.east or n < frame.south or s > frame.north:
            continue
        for ring in country.rings:
            shifts = [0.0]
            if max(p[0] for p in ring) > 180:
                shifts.append(-360.0)
            elif min(p[0] for p in ring) < -180:
                shifts.append(360.0)
            for shift in shifts:
                projected = _clip_ring([frame.xy((lon + shift, lat)) for lon, lat in ring], box)
                kept: list[tuple[float, float]] = []
                for x, y in projected:
                    if kept and abs(x - kept[-1][0]) + abs(y - kept[-1][1]) < tolerance:
                        continue
                    kept.append((x, y))
                if len(kept) >= 3:
                    parts.append(
                        "M" + "L".join(f"{x:.{digits}f} {y:.{digits}f}" for x, y in kept) + "Z"
                    )
    return "".join(parts)


def clip_line(
    frame: Frame, a: tuple[float, float], b: tuple[float, float]
) -> tuple[float, float, float, float, bool] | None:
    """Liang-Barsky: the segment a-b (pixels) inside the frame, and whether its far end
    was cut by the frame's edge; None when none of it is inside."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, frame.width - x0), (-dy, y0), (dy, frame.height - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy, t1 < 1.0


# --- what a post's maps show ----------------------------------------------------------------


@dataclass(slots=True)
class Mark:
    kind: str  # post, airport, assembly, warden
    label: str
    x: float
    y: float
    number: str = ""  # what the marker holds (assembly points are numbered in the list)
    title: str = ""
    dy: int = -8  # the label's offset: above right, an airport's below (clear of the city)
    anchor: str = "start"  # "end" near the right edge: the label runs leftwards
    dx: int = 12


@dataclass(slots=True)
class Line:
    status: str
    title: str
    x1: float
    y1: float
    x2: float
    y2: float
    cut: bool  # the destination is beyond the frame: an arrow at the edge
    end_label: str
    label_x: float
    label_y: float
    anchor: str


@dataclass(slots=True)
class ScaleBar:
    x1: float
    x2: float
    y: float
    label: str


@dataclass(slots=True)
class MapView:
    id: str
    title: str
    description: str
    frame: Frame
    land: str
    lines: list[Line] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    scale: ScaleBar | None = None


@dataclass(slots=True)
class ListItem:
    kind: str
    text: str
    status: str = ""
    placed: bool = True


@dataclass(slots=True)
class PostMap:
    views: list[MapView]
    items: list[ListItem]

    @property
    def unplaced(self) -> list[ListItem]:
        return [item for item in self.items if not item.placed]


def _point(lat: float | None, lon: float | None) -> Point | None:
    return None if lat is None or lon is None else (lon, lat)


def post_map_inputs(
    post: Any, routes: Iterable[Any], points: Iterable[dict[str, Any]], zones: Iterable[Any]
) -> tuple[Any, ...]:
    """Everything the post's maps show, as plain values: their cache key is made from it."""
    return (
        get_language(),
        post.city,
        _point(post.latitude, post.longitude),
        tuple(
            (
                r.key, r.mode, r.status, r.from_place, r.to_place,
                _point(r.from_latitude, r.from_longitude), _point(r.to_latitude, r.to_longitude),
            )
            for r in routes
        ),
        tuple(
            (p["name"], p["capacity"], p["zone"], _point(p["latitude"], p["longitude"]))
            for p in points
        ),
        tuple((z["zone"], z["n"], _point(z["latitude"], z["longitude"])) for z in zones),
    )  # fmt: skip


def map_key(inputs: tuple[Any, ...]) -> str:
    return hashlib.blake2b(repr(inputs).encode(), digest_size=12).hexdigest()


def _nice_km(target: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if step >= target:
            return step
    return 5000.0


def _scale_bar(frame: Frame) -> ScaleBar:
    km = _nice_km(frame.km_per_px * frame.width / 6)
    length = km / frame.km_per_px
    x1 = 12.0
    return ScaleBar(
        x1=x1, x2=x1 + length, y=frame.height - 12.0, label=f"{numbers.number(km, 1)} km"
    )


def _status_word(status: str) -> str:
    return str(RouteStatus(status).label) if status in RouteStatus.values else status


def _mode_word(mode: str) -> str:
    return str(RouteMode(mode).label) if mode in RouteMode.values else mode


def post_map(inputs: tuple[Any, ...]) -> PostMap | None:
    """The post's region and city maps and their list in words; None when nothing has
    coordinates (the panel then says how to add them)."""
    _language, city, centre, routes, points, zones = inputs
    items: list[ListItem] = []
    if centre is not None:
        items.append(
            ListItem("post", _("%(city)s: %(where)s") % {"city": city, "where": _where(centre)})
        )
    else:
        items.append(ListItem("post", _("%(city)s (no coordinates)") % {"city": city}, "", False))
    airports: dict[str, Point] = {}
    for _key, mode, status, from_place, to_place, start, end in routes:
        label = _("%(mode)s: %(from)s → %(to)s") % {
            "mode": _mode_word(mode),
            "from": from_place,
            "to": to_place,
        }
        items.append(
            ListItem(
                "route",
                f"{label} — {_status_word(status)}",
                status,
                start is not None and (end is not None or mode in AIR_MODES),
            )
        )
        if mode in AIR_MODES and start is not None:
            airports.setdefault(from_place, start)
    for name, where in airports.items():
        items.append(
            ListItem("airport", _("%(name)s: %(where)s") % {"name": name, "where": _where(where)})
        )
    for i, (name, capacity, zone, where) in enumerate(points, start=1):
        text = _("%(n)s. %(name)s, room for %(capacity)s") % {
            "n": i,
            "name": name,
            "capacity": numbers.number(capacity, 0),
        }
        if zone:
            text += f" ({zone})"
        items.append(ListItem("assembly", text, "", where is not None))
    for zone, n, where in zones:
        text = _("Warden zone %(zone)s: %(n)s warden(s)") % {"zone": zone, "n": n}
        items.append(ListItem("warden", text, "", where is not None))

    placed = [
        p
        for p in (
            centre,
            *(r[5] for r in routes),
            *(p[3] for p in points),
            *(z[2] for z in zones),
        )
        if p is not None
    ]
    if not placed:
        return None
    views = []
    # The region: the city, the routes' starts, and where roads and boats go (an air
    # route's destination may be a continent away: its line leaves the frame).
    region_points = list(placed if centre is None else [centre])
    for _key, mode, _status, _f, _t, start, end in routes:
        region_points.extend(p for p in (start, None if mode in AIR_MODES else end) if p)
    region = frame_around(region_points, width=640, min_span_km=300)
    views.append(_view("region", region, REGION_SCALE, routes, airports, (), (), centre, city))
    # The city: what lies within CITY_RADIUS_KM of the post (all of it without a centre).
    near = [p for p in placed if centre is None or distance_km(centre, p) <= CITY_RADIUS_KM]
    local = [p for p in (*(p[3] for p in points), *(z[2] for z in zones)) if p is not None]
    if local:
        city_frame = frame_around(near, width=640, min_span_km=8, pad=0.15)
        views.append(
            _view("city", city_frame, REGION_SCALE, routes, airports, points, zones, centre, city)
        )
    return PostMap(views=views, items=items)


def _where(point: Point) -> str:
    lon, lat = point
    return "{lat}° {ns}, {lon}° {ew}".format(
        lat=numbers.number(abs(lat), 3),
        ns=pgettext("compass point", "N") if lat >= 0 else pgettext("compass point", "S"),
        lon=numbers.number(abs(lon), 3),
        ew=pgettext("compass point", "E") if lon >= 0 else pgettext("compass point", "W"),
    )


def _view(
    name: str,
    frame: Frame,
    scale: str,
    routes: Sequence[Any],
    airports: dict[str, Point],
    points: Sequence[Any],
    zones: Sequence[Any],
    centre: Point | None,
    city: str,
) -> MapView:
    if name == "region":
        title = _("Region of %(city)s: exit routes and airports") % {"city": city}
    else:
        title = _("%(city)s: assembly points, warden zones and the routes' starts") % {"city": city}
    view = MapView(
        id=f"map-{name}",
        title=title,
        description="",
        frame=frame,
        land=land_path(frame, scale),
        scale=_scale_bar(frame),
    )
    ends: dict[tuple[int, int], tuple[str, list[str]]] = {}
    line_ends: list[tuple[int, int]] = []
    for _key, mode, status, from_place, to_place, start, end in routes:
        if start is None or end is None:
            continue
        a, b = frame.xy(start), frame.xy(end)
        clipped = clip_line(frame, a, b)
        if clipped is None:
            continue
        x1, y1, x2, y2, cut = clipped
        end_key = (round(x2), round(y2))
        twins = line_ends.count(end_key)
        if twins:  # routes along the same line (two flights to Paris): side by side
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            ox, oy = -(y2 - y1) / length * 6 * twins, (x2 - x1) / length * 6 * twins
            x1, y1, x2, y2 = x1 + ox, y1 + oy, x2 + ox, y2 + oy
        label = _("%(mode)s: %(from)s → %(to)s") % {
            "mode": _mode_word(mode),
            "from": from_place,
            "to": to_place,
        }
        anchor = "end" if x2 > frame.width * 0.7 else "start"
        if end_key in ends:  # another route to the same place: one label for both
            ends[end_key][1].append(_status_word(status).lower())
            end_label = ""
        else:
            ends[end_key] = (to_place, [_status_word(status).lower()])
            end_label = to_place
        line_ends.append(end_key)
        view.lines.append(
            Line(
                status=status if status in RouteStatus.values else RouteStatus.UNKNOWN,
                title=f"{label} — {_status_word(status)}",
                x1=round(x1, 1), y1=round(y1, 1), x2=round(x2, 1), y2=round(y2, 1),
                cut=cut,
                end_label=end_label,
                label_x=round(x2 + (-6 if anchor == "end" else 6), 1),
                label_y=round(min(max(y2 + (14 if y2 < 20 else -6), 12), frame.height - 4), 1),
                anchor=anchor,
            )
        )  # fmt: skip
    for line, end_key in zip(view.lines, line_ends, strict=True):
        if line.end_label:
            place, words = ends[end_key]
            line.end_label = f"{place} ({' / '.join(dict.fromkeys(words))})"
    for zone, n, where in zones:
        if where is not None and frame.contains(where):
            x, y = frame.xy(where)
            view.marks.append(
                Mark("warden", zone, round(x, 1), round(y, 1), "",
                     _("Warden zone %(zone)s: %(n)s warden(s)") % {"zone": zone, "n": n})
            )  # fmt: skip
    for i, (name_, capacity, _zone, where) in enumerate(points, start=1):
        if where is not None and frame.contains(where):
            x, y = frame.xy(where)
            cap = numbers.number(capacity, 0)
            view.marks.append(
                Mark("assembly", f"{name_} · {cap}", round(x, 1), round(y, 1), str(i),
                     _("%(name)s, room for %(capacity)s") % {"name": name_, "capacity": cap})
            )  # fmt: skip
    for name_, where in airports.items():
        if frame.contains(where):
            x, y = frame.xy(where)
            view.marks.append(
                Mark("airport", name_, round(x, 1), round(y, 1), "✈",
                     _("Airport: %(name)s") % {"name": name_}, dy=18)
            )  # fmt: skip
    if centre is not None and frame.contains(centre):
        x, y = frame.xy(centre)
        view.marks.append(Mark("post", city, round(x, 1), round(y, 1), "", city))
    for mark in view.marks:
        if mark.x > frame.width * 0.75:
            mark.anchor, mark.dx = "end", -12
    n_routes = len(view.lines)
    view.description = _(
        "%(routes)s route(s) drawn, coloured and dashed by status; %(marks)s place(s) marked. "
        "The list below the map says the same in words."
    ) % {"routes": n_routes, "marks": len(view.marks)}
    return view


# --- the overview's world map ---------------------------------------------------------------


@dataclass(slots=True)
class WorldMark:
    code: str
    name: str
    verdict: str
    word: str
    mark: str
    href: str
    x: float
    y: float


@dataclass(slots=True)
class WorldMap:
    frame: Frame
    land: str  # the static file of the world's countries
    marks: list[WorldMark]
    unplaced: list[str]
    description: str


# The world's land is the same on every overview: a static file the browser keeps
# (static/readiness/world-110m.svg, written by world_land_svg(); a test checks it is
# current), so the overview's HTML carries only the dots.
WORLD_LAND_STATIC = "readiness/world-110m.svg"


def world_land_svg() -> str:
    """The world map's countries as a standalone SVG, the size of the WORLD frame."""
    frame = WORLD
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}">'
        "<!-- Country borders: Natural Earth 1:110m (public domain), via world-atlas 2.0.2; "
        "written by readiness.dashboard.maps.world_land_svg() -->"
        f'<rect width="{frame.width}" height="{frame.height}" fill="#dde9f3"/>'
        '<path fill="#f4f1ea" stroke="#9a9184" stroke-width="0.7" stroke-linejoin="round" '
        f'd="{land_path(frame, WORLD_SCALE, tolerance=1.6, digits=0)}"/></svg>\n'
    )


def world_inputs(rows: Iterable[Any]) -> tuple[Any, ...]:
    """(language, (code, name, verdict, point) for each post shown): the world map's key."""
    return (
        get_language(),
        tuple(
            (
                row.post.code,
                row.post.name,
                row.verdict,
                _point(row.post.latitude, row.post.longitude),
            )
            for row in rows
        ),
    )


def world_map(inputs: tuple[Any, ...], href: Any) -> WorldMap:
    """Every post shown on the overview as a dot coloured (and marked) by its verdict, the
    most urgent drawn last (on top). ``href(code)`` is a post's page."""
    _language, posts = inputs
    frame = WORLD
    marks = []
    unplaced = []
    for code, name, verdict, where in posts:
        if where is None:
            unplaced.append(code)
            continue
        x, y = frame.xy(where)
        marks.append(
            WorldMark(
                code=code,
                name=name,
                verdict=verdict,
                word=numbers.verdict_word(verdict),
                mark=VERDICT_MARKS.get(verdict, ""),
                href=href(code),
                x=round(x, 1),
                y=round(y, 1),
            )
        )
    marks.reverse()  # the rows come most urgent first: draw those last, on top
    description = _(
        "%(n)s post(s) on the map, each a dot coloured and marked by its verdict; "
        "%(m)s without coordinates."
    ) % {"n": len(marks), "m": len(unplaced)}
    return WorldMap(
        frame=frame,
        land=WORLD_LAND_STATIC,
        marks=marks,
        unplaced=unplaced,
        description=description,
    )
