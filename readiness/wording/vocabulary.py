"""Words the dashboards show that come from elsewhere: the gauge, the engine's keys, and
the names of the shipped ladder.

The shipped ladder is data (a post's copy may be renamed in the admin), so its names are
translated by lookup: a name still equal to the shipped English one gets the translation,
a name an administrator typed is shown as typed.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

# The gauge: a word and a mark for each verdict, so it never relies on colour alone.
VERDICT_WORDS = {
    "late": _("Late"),
    "act_now": _("Act now"),
    "watch": _("Watch"),
    "on_time": _("On time"),
    "too_early": _("Too early"),
    "not_assessed": _("Not assessed"),
}
VERDICT_MARKS = {
    "late": "▲▲",
    "act_now": "▲",
    "watch": "●",
    "on_time": "✓",
    "too_early": "▽",
    "not_assessed": "?",
}
VERDICT_HINTS = {
    "late": _("the people who should leave can no longer all leave before the routes close"),
    "act_now": _("a higher level is recommended and there is still time"),
    "watch": _("at the right level, but the next deadline is near"),
    "on_time": _("at the right level with room to spare"),
    "too_early": _("above what the situation calls for"),
    "not_assessed": _("the engine has not scored this post yet"),
}

PREPAREDNESS_CHECKS = {
    "staff_confirmed": _("Staff confirmed in the last 30 days"),
    "staff_contactable": _("Staff contactable"),
    "warden_coverage": _("Zones covered by a warden"),
    "assembly_points": _("Assembly points"),
    "routes_verified": _("Routes verified in the last 72 hours"),
    "checklist": _("Next level's checklist pre-positioned"),
}

GROUPS = {
    "citizens": _("citizens"),
    "non_essential_staff": _("non-essential staff"),
    "dependants": _("dependants"),
    "school_staff": _("school staff"),
    "essential_staff": _("essential staff"),
}

HORIZON_SOURCES = {
    "closed": _("closed"),
    "past_threshold": _("threat already past its closure threshold"),
    "trend": _("from the threat trend"),
    "level": _("from the threat level"),
    "none": _("not expected to close"),
}

DEADLINES = {
    "nobody": _("nobody to move"),
    "no_route": _("no usable route recorded"),
    "no_deadline": _("no deadline: a usable route stays open"),
    "deadline": _("deadline"),
    "no_means": _("no means left"),
}

REASON_KINDS = {
    "trigger": _("Triggers"),
    "time": _("Time"),
    "means": _("Means"),
    "hold": _("Hold"),
    "baseline": _("Baseline"),
}

# The default ladder as shipped (readiness/engine/defaults.py): level names, trigger names
# and checklist lines. gettext_noop marks them for makemessages; shipped() looks them up.
SHIPPED_NAMES = (
    gettext_noop("Normal"),
    gettext_noop("Heightened vigilance"),
    gettext_noop("Travel advised against"),
    gettext_noop("Citizens advised to leave"),
    gettext_noop("Reduced presence"),
    gettext_noop("Shelter and regroup"),
    gettext_noop("Evacuation"),
    # Triggers.
    gettext_noop("Threat index elevated"),
    gettext_noop("Threat index rising"),  # its name until December 2026, kept for old explanations
    gettext_noop("Serious incidents this fortnight"),
    gettext_noop("Threat index high"),
    gettext_noop("Security incidents frequent"),
    gettext_noop("Threat index severe"),
    gettext_noop("Supply of the capital strangled"),
    gettext_noop("Another country orders departure"),
    gettext_noop("Threats against foreigners"),
    gettext_noop("Threat index critical"),
    gettext_noop("Several countries draw down"),
    gettext_noop("Commercial seats scarce"),
    gettext_noop("Foreigners targeted"),
    gettext_noop("Fighting in the city"),
    gettext_noop("Threat index extreme"),
    gettext_noop("Grave incident as governments leave"),
    gettext_noop("Threat index at its limit"),
    gettext_noop("No commercial flight left"),
    # Checklists.
    gettext_noop("Keep staff, school and community rosters current"),
    gettext_noop("Verify exit routes once a month"),
    gettext_noop("Confirm every staff member's presence and contact details"),
    gettext_noop("Test the warden network zone by zone"),
    gettext_noop("Verify each exit route and its seats per day"),
    gettext_noop("Publish advice against travel to the country"),
    gettext_noop("Pre-position the crisis cell and its duty roster"),
    gettext_noop("Ask airlines for their seat availability"),
    gettext_noop("Advise citizens to leave temporarily by commercial means"),
    gettext_noop("Negotiate extra commercial seats"),
    gettext_noop("Send the advice through the warden network and confirm receipt"),
    gettext_noop("Name the non-essential staff and dependants to recall"),
    gettext_noop("Book their seats on commercial flights"),
    gettext_noop("Close the schools and tell the families"),
    gettext_noop("Regroup people at the assembly points"),
    gettext_noop("Order confinement and check in every zone"),
    gettext_noop("Request assisted or military evacuation"),
    gettext_noop("Move everyone still in place, essential staff last"),
)
_SHIPPED = frozenset(SHIPPED_NAMES)


def shipped(name: str) -> str:
    """The translation of a shipped ladder name; any other name unchanged."""
    return gettext(name) if name in _SHIPPED else name
