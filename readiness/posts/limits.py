"""Plausibility limits on what people and feeds type: every ceiling in one place.

A typo must never silently flip a verdict. 20000 typed for 200 seats a day makes a closing
route look able to clear a whole city; a group row of 3,000 staff for 30 makes the
evacuation look impossible; an observation dated 2015 for 2025 weighs nothing. Each limit
below is well above anything real, so that what it refuses is a mistake, not a rare case;
the message says which figure and why. docs/operations.md lists what is refused where.

The figures are checked by the models' validators (admin forms, roster imports, scenario
loads: every path runs ``full_clean()``) and repeated as database check constraints where
they are plain comparisons. The few rules that depend on the moment or on a previous value
(an observation's age, a jump in a route's seats) are checked where they are typed: the
dashboard forms, the admin and the feeds' API.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --- exit routes ----------------------------------------------------------------------------

# Seats a day one route can give one post's people. A wide-body airliner shuttling all day,
# or a large ferry, stays well below; above it the figure is a typo.
ROUTE_SEATS_MAX = 20_000
# A route-check figure this many times the route's previous seats a day must be confirmed
# (a slipped zero turns 80 into 800); for a route with no seats yet, one above
# ROUTE_SEATS_CONFIRM_NEW does.
ROUTE_SEATS_JUMP_FACTOR = 10
ROUTE_SEATS_CONFIRM_NEW = 5_000

# Hours from activation to a route's first departure: a year is beyond any plan. Larger
# figures overflow the engine's date arithmetic (1e300 hours is no date).
ROUTE_LEAD_TIME_HOURS_MAX = 24 * 365
# A trigger's window (within_days, below_days): ten years. Scenario files, the admin's
# route and trigger forms, and check constraints apply both.
TRIGGER_DAYS_MAX = 3650

# --- rosters --------------------------------------------------------------------------------

STAFF_GROUP_MAX = 2_000  # people in one staff row (a group row): larger than any embassy
STAFF_DEPENDANTS_MAX = 5_000  # dependants of one staff row
SCHOOL_PUPILS_MAX = 10_000  # the largest schools abroad have about 4,000 pupils
SCHOOL_STAFF_MAX = 1_000  # expatriate staff of one school
COMMUNITY_MAX = 2_000_000  # registered citizens, or estimated unregistered, at one post

# --- dates ----------------------------------------------------------------------------------

# An observation older than this is refused where people and feeds type it: it would weigh
# nothing, and it is far likelier a mistyped year than news. Scenario files are exempt (a
# hindcast replays crises of years ago).
INDICATOR_MAX_AGE = dt.timedelta(days=5 * 365 + 1)  # five years, leap day included
# Nothing expires after the year 2100: such a date is a typo (2205 for 2025).
LATEST_EXPIRY = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)
# Every date the system stores lies in [EARLIEST_DATE, LATEST_DATE): in UTC, from 1900 to
# the end of 2100. Beyond the typo, this keeps dates far from Python's limits (years 1 and
# 9999): "9999-12-31T23:59:59-14:00" is year 10000 in UTC and "0001-01-01T00:00+14:00"
# year 0; PostgreSQL stores both but Python cannot read them back, so one such row made a
# post's re-score and the admin's indicator list fail for good (issue 9). Scenario files,
# the feeds' JSON and CAP, the dashboard and the admin all refuse a date outside; database
# check constraints repeat it on indicators.
EARLIEST_DATE = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_DATE = LATEST_EXPIRY


def ceiling(limit: int, message: StrOrPromise) -> MaxValueValidator:
    """A model field's ceiling with a message that says what is wrong. ``message`` may use
    %(value)s (what was typed) and %(limit_value)s."""
    return _Ceiling(limit, message=message)


@deconstructible(path="django.core.validators.MaxValueValidator")
class _Ceiling(MaxValueValidator):
    """MaxValueValidator (and so written in migrations), but built without testing the lazy
    message's truth, which would translate it and so need settings: the pure parsers
    (scenario files, CAP) import this module without them, for its date limits."""

    def __init__(self, limit_value: int, message: StrOrPromise) -> None:
        self.limit_value = limit_value
        self.message = message


ROUTE_SEATS_CEILING = ceiling(
    ROUTE_SEATS_MAX,
    _(
        "%(value)s seats a day is more than any route carries (at most %(limit_value)s): "
        "check the figure."
    ),
)
ROUTE_LEAD_TIME_CEILING = ceiling(
    ROUTE_LEAD_TIME_HOURS_MAX,
    _(
        "%(value)s hours before the first departure is more than any plan (at most %(limit_value)s)."
    ),
)
TRIGGER_DAYS_CEILING = ceiling(
    TRIGGER_DAYS_MAX,
    _("%(value)s days is longer than any trigger's window (at most %(limit_value)s)."),
)
STAFF_GROUP_CEILING = ceiling(
    STAFF_GROUP_MAX,
    _(
        "%(value)s people in one staff row is more than any post has (at most "
        "%(limit_value)s): check the figure."
    ),
)
STAFF_DEPENDANTS_CEILING = ceiling(
    STAFF_DEPENDANTS_MAX,
    _("%(value)s dependants for one staff row is implausible (at most %(limit_value)s)."),
)
SCHOOL_PUPILS_CEILING = ceiling(
    SCHOOL_PUPILS_MAX,
    _("%(value)s pupils in one school is implausible (at most %(limit_value)s)."),
)
SCHOOL_STAFF_CEILING = ceiling(
    SCHOOL_STAFF_MAX,
    _("%(value)s expatriate staff in one school is implausible (at most %(limit_value)s)."),
)
COMMUNITY_CEILING = ceiling(
    COMMUNITY_MAX,
    _("%(value)s citizens at one post is implausible (at most %(limit_value)s): check the figure."),
)


def route_seats_need_confirmation(previous: int | None, seats: int) -> bool:
    """True when a route-check figure is more than ROUTE_SEATS_JUMP_FACTOR times the previous
    one (with no previous figure, 0: more than ROUTE_SEATS_CONFIRM_NEW)."""
    if not previous:
        return seats > ROUTE_SEATS_CONFIRM_NEW
    return seats > ROUTE_SEATS_JUMP_FACTOR * previous


def indicator_observed_recently(observed_at: dt.datetime | None, now: dt.datetime) -> None:
    """Refuse an observation older than INDICATOR_MAX_AGE (a ValidationError on
    ``observed_at``): what people and feeds type now is about now."""
    if observed_at is not None and now - observed_at > INDICATOR_MAX_AGE:
        raise ValidationError(
            {
                "observed_at": ValidationError(
                    _(
                        "Observed more than five years ago (%(date)s): check the year. "
                        "Past crises are replayed from scenario files."
                    ),
                    code="too_old",
                    params={"date": observed_at.date().isoformat()},
                )
            }
        )


def _date_side(value: dt.datetime) -> int:
    """-1 before EARLIEST_DATE, 1 from LATEST_DATE on, 0 between (a naive date read as UTC).
    Safe on any date: comparing aware dates does not convert them to UTC, which overflows
    near the years 1 and 9999."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    if value < EARLIEST_DATE:
        return -1
    return 1 if value >= LATEST_DATE else 0


def date_out_of_range(value: dt.datetime) -> str | None:
    """What is wrong with a date outside [EARLIEST_DATE, LATEST_DATE), in plain words for the
    parsers' messages (CAP, scenario files); None when it is inside."""
    side = _date_side(value)
    if side == 0:
        return None
    year = "before the year 1900" if side < 0 else "after the year 2100"
    return f"{value.isoformat()} is {year} (UTC): check the year"


def dates_within_limits(**dates: dt.datetime | None) -> None:
    """Refuse any of these dates (by field name) outside [EARLIEST_DATE, LATEST_DATE), a
    ValidationError naming each field at fault."""
    errors = {}
    for name, value in dates.items():
        side = 0 if value is None else _date_side(value)
        if value is None or side == 0:
            continue
        if side < 0:
            message = _(
                "%(date)s is before the year 1900: check the year (dates run from 1900 "
                "to 2100, UTC)."
            )
        else:
            message = _(
                "%(date)s is after the year 2100: check the year (dates run from 1900 "
                "to 2100, UTC)."
            )
        errors[name] = ValidationError(
            message, code="date_out_of_range", params={"date": value.isoformat()}
        )
    if errors:
        raise ValidationError(errors)
