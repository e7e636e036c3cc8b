"""Sections that other apps add to the brief's "since the last brief", without the brief
importing them.

HOOK FOR THE STAFF CHECK-IN APP (and any later one): the brief shows one more section per
registered ``BriefSection``, and nothing at all while none is registered. An app registers
its section once, from its ``AppConfig.ready()``::

    from readiness.briefs import hooks

    hooks.register(hooks.BriefSection(
        key="checkins",
        title=_("Check-in results"),
        template="checkins/brief_rows.html",   # gets ``rows``: that post's list
        read=checkin_results_since,            # (*, posts, since, until) -> {post id: [row]}
    ))

``read`` runs once per brief, over every visible post (one query, please: the brief's
query count is pinned); each post's rows go to its section of the brief (one printed page
per post), and the summary counts them. A row must be something ``repr`` describes fully
(a tuple, a dict of plain values): a post's section is cached under the ``repr`` of what
it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Reader = Callable[..., dict[int, list[Any]]]


@dataclass(frozen=True, slots=True)
class BriefSection:
    key: str
    title: Any  # a (lazy) translated string
    template: str
    read: Reader


_SECTIONS: dict[str, BriefSection] = {}


def register(section: BriefSection) -> None:
    """Add a section to every brief (again under the same key: replaced)."""
    _SECTIONS[section.key] = section


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections() -> list[BriefSection]:
    return list(_SECTIONS.values())
