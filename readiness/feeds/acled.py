"""ACLED event rows: read, checked and mapped to an indicator's category and severity.

Pure: no database. The services (``services.acled_import``) decide which posts a row
concerns and write. The mapping, with its reasons, is in docs/feeds.md.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from readiness.engine.vocabulary import Category

from .countries import UnknownCountry, country_code, same_place

# The columns an import needs; ACLED files carry more (actor1, actor2, notes, source,
# latitude, longitude, civilian_targeting, admin2, admin3, ...), read when present.
REQUIRED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "country",
    "admin1",
    "location",
    "fatalities",
    "timestamp",
)


@dataclass(frozen=True, slots=True)
class Mapping_:
    category: Category
    severity: int  # before the fatality and civilian-targeting steps
    de_escalation: bool = False


_I, _P = Category.INCIDENT, Category.POLITICAL

# sub_event_type -> (its event_type, what it becomes). ACLED's codebook (2023): every
# sub-event type belongs to one event type. Reasons in docs/feeds.md, "ACLED: the mapping".
SUB_EVENTS: dict[str, tuple[str, Mapping_]] = {
    "Armed clash": ("Battles", Mapping_(_I, 3)),
    "Government regains territory": ("Battles", Mapping_(_I, 3)),
    "Non-state actor overtakes territory": ("Battles", Mapping_(_I, 4)),
    "Chemical weapon": ("Explosions/Remote violence", Mapping_(_I, 5)),
    "Air/drone strike": ("Explosions/Remote violence", Mapping_(_I, 4)),
    "Suicide bomb": ("Explosions/Remote violence", Mapping_(_I, 5)),
    "Shelling/artillery/missile attack": ("Explosions/Remote violence", Mapping_(_I, 4)),
    "Remote explosive/landmine/IED": ("Explosions/Remote violence", Mapping_(_I, 3)),
    "Grenade": ("Explosions/Remote violence", Mapping_(_I, 3)),
    "Sexual violence": ("Violence against civilians", Mapping_(_I, 3)),
    "Attack": ("Violence against civilians", Mapping_(_I, 3)),
    "Abduction/forced disappearance": ("Violence against civilians", Mapping_(_I, 3)),
    "Peaceful protest": ("Protests", Mapping_(_P, 1)),
    "Protest with intervention": ("Protests", Mapping_(_P, 2)),
    "Excessive force against protesters": ("Protests", Mapping_(_I, 3)),
    "Violent demonstration": ("Riots", Mapping_(_I, 2)),
    "Mob violence": ("Riots", Mapping_(_I, 2)),
    "Agreement": ("Strategic developments", Mapping_(_I, 2, de_escalation=True)),
    "Arrests": ("Strategic developments", Mapping_(_P, 2)),
    "Change to group/activity": ("Strategic developments", Mapping_(_P, 1)),
    "Disrupted weapons use": ("Strategic developments", Mapping_(_I, 1)),
    "Headquarters or base established": ("Strategic developments", Mapping_(_P, 2)),
    "Looting/property destruction": ("Strategic developments", Mapping_(_I, 2)),
    "Non-violent transfer of territory": ("Strategic developments", Mapping_(_P, 2)),
    "Other": ("Strategic developments", Mapping_(_P, 1)),
}

# Fatalities reported for the event: one step graver at 10, two at 50 (at most 5).
FATALITY_STEPS = (10, 50)
# Outside the post's city (by name, or beyond the radius around the post's coordinates)
# only grave events are kept, at this severity: a country's war far from the capital is
# context, not a threat to the post.
ELSEWHERE_MIN_SEVERITY = 4
ELSEWHERE_SEVERITY = 2
# ACLED codes events from reports it checks: probably true, not confirmed.
CREDIBILITY = 2
# The radius around a post's coordinates that counts as its city (the default of the
# ACLED_CITY_RADIUS_KM setting): a capital and its outskirts, not the next town.
CITY_RADIUS_KM = 50.0
EARTH_RADIUS_KM = 6371.0

_EVENT_ID = re.compile(r"^[A-Za-z0-9]{1,40}\Z")
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y")


class RowError(ValueError):
    """A row that cannot be read; the message names the column."""


@dataclass(frozen=True, slots=True)
class AcledEvent:
    """One ACLED row, read and checked."""

    event_id: str
    version: int  # ACLED's ``timestamp``: a newer one is a corrected version of the event
    date: dt.date
    event_type: str
    sub_event_type: str
    country: str  # ISO alpha-2
    country_name: str
    places: tuple[str, ...]  # location, admin3, admin2, admin1: where it happened
    fatalities: int
    civilian_targeting: bool
    actor1: str = ""
    actor2: str = ""
    notes: str = ""
    source: str = ""
    latitude: float | None = None  # where ACLED places it (both or neither)
    longitude: float | None = None

    @property
    def observed_at(self) -> dt.datetime:
        # ACLED gives a day, no time: the start of that day in UTC.
        return dt.datetime.combine(self.date, dt.time(0), tzinfo=dt.UTC)

    @property
    def external_id(self) -> str:
        """One indicator per version of an event at a post (Indicator.external_id)."""
        return f"acled:{self.event_id}:{self.version}"

    @property
    def key(self) -> str:
        """The engine's ``event``: every version and post of one ACLED event."""
        return f"acled-{self.event_id}"


@dataclass(frozen=True, slots=True)
class Mapped:
    category: Category
    severity: int
    de_escalation: bool
    local: bool = True  # in the post's city; False: context from elsewhere in the country


def severity_of(event: AcledEvent) -> Mapped:
    """category and severity = table[sub_event_type], raised one step at 10 and at 50
    fatalities and one step when civilians were targeted outside "Violence against
    civilians" (already graded as such), at most 5. A de-escalation keeps its severity."""
    _type, base = SUB_EVENTS[event.sub_event_type]
    if base.de_escalation:
        return Mapped(base.category, base.severity, True)
    severity = base.severity + sum(event.fatalities >= step for step in FATALITY_STEPS)
    if event.civilian_targeting and event.event_type != "Violence against civilians":
        severity += 1
    return Mapped(base.category, min(severity, 5), False)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def in_city(
    event: AcledEvent,
    *,
    city: str,
    centre: tuple[float, float] | None = None,
    radius_km: float = CITY_RADIUS_KM,
) -> bool:
    """In the post's city: a place of the event (its location or an administrative area)
    bears the city's name, or, where the post has coordinates (``centre``, latitude and
    longitude) and ACLED gives the event's, it lies within ``radius_km`` of them."""
    if any(same_place(place, city) for place in event.places):
        return True
    if centre is None or event.latitude is None or event.longitude is None:
        return False
    return distance_km(centre, (event.latitude, event.longitude)) <= radius_km


def at_post(
    event: AcledEvent,
    *,
    city: str,
    centre: tuple[float, float] | None = None,
    radius_km: float = CITY_RADIUS_KM,
) -> Mapped | None:
    """What the event is for a post in ``city`` of its country: the full mapping when it
    happened in the city (``in_city``: by name, or by distance from the post's
    coordinates), else a grave event (severity >= 4) as context at severity 2, else
    nothing."""
    mapped = severity_of(event)
    if in_city(event, city=city, centre=centre, radius_km=radius_km):
        return mapped
    if mapped.de_escalation or mapped.severity < ELSEWHERE_MIN_SEVERITY:
        return None
    return Mapped(mapped.category, ELSEWHERE_SEVERITY, False, local=False)


def missing_columns(header: Sequence[str] | None) -> list[str]:
    present = {(name or "").strip() for name in header or []}
    return [name for name in REQUIRED_COLUMNS if name not in present]


def _text(row: Mapping[str, str | None], name: str) -> str:
    return (row.get(name) or "").strip()


def _date(value: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(f"event_date: {value!r} is not a date (2025-10-28 or 28 October 2025)")


def _whole(value: str, name: str, *, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise RowError(f"{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise RowError(f"{name}: {number} is out of range ({low} to {high})")
    return number


def _coordinate(value: str, name: str, limit: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise RowError(f"{name}: {value!r} is not a number") from None
    if not -limit <= number <= limit:  # NaN too
        raise RowError(f"{name}: {number} is out of range (-{limit:g} to {limit:g})")
    return number


def event_read(row: Mapping[str, str | None]) -> AcledEvent:
    """One CSV row (a dict by column) as an AcledEvent; RowError names the column at fault."""
    if None in row:
        raise RowError("the row has more fields than the header")
    event_id = _text(row, "event_id_cnty")
    if not _EVENT_ID.match(event_id):
        raise RowError(f"event_id_cnty: {event_id!r} is not an ACLED event id (e.g. MLI34567)")
    sub = _text(row, "sub_event_type")
    event_type = _text(row, "event_type")
    if sub not in SUB_EVENTS:
        raise RowError(f"sub_event_type: unknown {sub!r} (ACLED's codebook lists its types)")
    if SUB_EVENTS[sub][0] != event_type:
        raise RowError(
            f"event_type: {event_type!r} does not hold sub-event {sub!r} "
            f"(it belongs to {SUB_EVENTS[sub][0]!r})"
        )
    name = _text(row, "country")
    try:
        country = country_code(name)
    except UnknownCountry as exc:
        raise RowError(f"country: {exc}") from None
    latitude = _coordinate(_text(row, "latitude"), "latitude", 90)
    longitude = _coordinate(_text(row, "longitude"), "longitude", 180)
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise RowError(f"{missing}: empty, while the other coordinate is given (both or neither)")
    return AcledEvent(
        event_id=event_id,
        # A Unix time, as ACLED writes it; 0 .. the year 2100 (limits.LATEST_EXPIRY).
        version=_whole(_text(row, "timestamp"), "timestamp", low=0, high=4_102_444_800),
        date=_date(_text(row, "event_date")),
        event_type=event_type,
        sub_event_type=sub,
        country=country,
        country_name=name,
        places=tuple(
            p for p in (_text(row, c) for c in ("location", "admin3", "admin2", "admin1")) if p
        ),
        fatalities=_whole(_text(row, "fatalities") or "0", "fatalities", low=0, high=100_000),
        civilian_targeting=bool(_text(row, "civilian_targeting")),
        actor1=_text(row, "actor1"),
        actor2=_text(row, "actor2"),
        notes=_text(row, "notes"),
        source=_text(row, "source"),
        latitude=latitude,
        longitude=longitude,
    )


def describe(event: AcledEvent, *, elsewhere: bool) -> str:
    """The indicator's text: what, where, how many dead, who, and ACLED's notes."""
    place = ", ".join(dict.fromkeys((event.places[0], event.places[-1])))
    what = f"{event.sub_event_type} in {place}"
    if elsewhere:
        what = f"Elsewhere in {event.country_name}: {what}"
    parts = [what]
    if event.fatalities:
        parts.append(f"{event.fatalities} killed")
    actors = " vs ".join(a for a in (event.actor1, event.actor2) if a)
    if actors:
        parts.append(actors)
    text = "; ".join(parts) + "."
    if event.notes:
        notes = event.notes if len(event.notes) <= 600 else event.notes[:599] + "…"
        text += f" {notes}"
    return text
