"""Other governments' travel advisories, read from their published machine formats and
placed on the peer-action scale (docs/feeds.md, "Travel advisories").

Pure Python: the standard library and ``defusedxml``. ``advisories_read`` returns the
advisories of a document or raises AdvisoryError naming what is wrong.

- United States (State Department): the RSS feed of travel advisories, an ``<item>`` per
  country titled "Mali - Level 4: Do Not Travel", its description saying when departure of
  non-emergency staff is authorized or ordered.
- United Kingdom (FCDO): GOV.UK's content API JSON for a travel advice page (one document,
  a list of them, or ``{"results": [...]}``), whose ``details.alert_status`` lists the
  advice ("avoid_all_travel_to_whole_country" ...), or GOV.UK's Atom feed of travel advice
  updates, whose entries say it in words ("advises against all travel to ...").
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from .countries import UnknownCountry, country_code

MAX_BYTES = 5_000_000
US, GB = "US", "GB"

# The peer-action scale (docs/engine.md, "Default ladder": 3 advises against travel, 4
# authorises departure or tells citizens to leave, 5 orders staff out); 1 is normal.
US_LEVEL_STEP = {1: 1, 2: 2, 3: 3, 4: 4}
US_AUTHORIZED_STEP = 4
US_ORDERED_STEP = 5
GB_ALERT_STEP = {
    "avoid_all_but_essential_travel_to_parts": 1,
    "avoid_all_travel_to_parts": 2,
    "avoid_all_but_essential_travel_to_whole_country": 3,
    "avoid_all_travel_to_whole_country": 4,
}

_ATOM = "{http://www.w3.org/2005/Atom}"
_US_TITLE = re.compile(
    r"^\s*(?P<country>.+?)\s+[-\u2013\u2014]\s+Level\s+(?P<level>[1-4])\s*:\s*(?P<label>.+?)\s*$",
    re.IGNORECASE,
)
# A departure order or authorisation that is being lifted is no longer in force.
_LIFTED = r"(?:lift|terminat|end|cancel)\w*\s+(?:the\s+)?"
_ORDERED = re.compile(r"ordered\s+(?:the\s+)?departure", re.IGNORECASE)
_AUTHORIZED = re.compile(r"authori[sz]ed\s+(?:the\s+)?(?:voluntary\s+)?departure", re.IGNORECASE)
_ORDERED_LIFTED = re.compile(_LIFTED + r"ordered\s+departure", re.IGNORECASE)
_AUTHORIZED_LIFTED = re.compile(_LIFTED + r"authori[sz]ed\s+departure", re.IGNORECASE)
_GB_ADVICE = re.compile(
    r"advis\w*\s+against\s+(?P<what>all\s+but\s+essential\s+travel|all\s+travel)\s+to\s+"
    r"(?P<where>[^.]{0,80})",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^>]+>")


class AdvisoryError(ValueError):
    """A document that cannot be read; ``errors`` name the item at fault."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Advisory:
    government: str  # US or GB
    country: str  # ISO alpha-2; "" when the name is not in the table
    country_name: str
    step: int  # 1 normal .. 5 staff ordered out
    label: str  # as published, with the departure notice
    published_at: dt.datetime
    url: str = ""


def advisories_read(document: bytes) -> list[Advisory]:
    """Every advisory of a US RSS, GB Atom or GB JSON document (sniffed from its start)."""
    if not document.strip():
        raise AdvisoryError(["document: empty"])
    if len(document) > MAX_BYTES:
        raise AdvisoryError([f"document: more than {MAX_BYTES} bytes"])
    if document.lstrip()[:1] in (b"{", b"["):
        return _gb_json(document)
    try:
        root: Element = defusedxml.ElementTree.fromstring(document, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise AdvisoryError([f"document: DTDs and entities are refused ({exc})"]) from exc
    except (ParseError, LookupError) as exc:
        raise AdvisoryError([f"document: not well-formed XML: {exc}"]) from exc
    if root.tag == "rss":
        return _us_rss(root)
    if root.tag == _ATOM + "feed":
        return _gb_atom(root)
    raise AdvisoryError(
        [f"document: expected the US advisories' RSS or GOV.UK's Atom or JSON, got <{root.tag}>"]
    )


def _country(name: str, tag: str = "") -> str:
    if re.fullmatch(r"[A-Z]{2}", tag.strip()):
        return tag.strip()
    try:
        return country_code(re.sub(r"\s*\(.*\)\s*$", "", name))
    except UnknownCountry:
        return ""


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", text)).split())


def us_step(level: int, text: str) -> tuple[int, str]:
    """step = 5 if departure is ordered, else max(level, 4) if authorized, else the level;
    a departure the text says is lifted or terminated does not count."""
    if _ORDERED.search(text) and not _ORDERED_LIFTED.search(text):
        return US_ORDERED_STEP, "ordered departure"
    if _AUTHORIZED.search(text) and not _AUTHORIZED_LIFTED.search(text):
        return max(US_LEVEL_STEP[level], US_AUTHORIZED_STEP), "authorized departure"
    return US_LEVEL_STEP[level], ""


def _us_rss(root: Element) -> list[Advisory]:
    out, errors = [], []
    for n, item in enumerate(root.iter("item"), start=1):
        title = (item.findtext("title") or "").strip()
        match = _US_TITLE.match(title)
        if match is None:
            errors.append(f"item {n}: title {title[:80]!r} is not 'Country - Level N: advice'")
            continue
        published = _rfc822(item.findtext("pubDate") or "")
        if published is None:
            errors.append(f"item {n} ({title[:40]}): pubDate missing or not a date")
            continue
        tag = next(
            (c.text or "" for c in item.iter("category") if c.get("domain") == "Country-Tag"), ""
        )
        step, notice = us_step(int(match["level"]), _plain(item.findtext("description") or ""))
        label = title + (f"; {notice}" if notice else "")
        out.append(
            Advisory(
                government=US,
                country=_country(match["country"], tag),
                country_name=match["country"].strip(),
                step=step,
                label=label[:200],
                published_at=published,
                url=(item.findtext("link") or "").strip()[:300],
            )
        )
    if errors:
        raise AdvisoryError(errors)
    return out


def _rfc822(value: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return _iso(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed if 1900 < parsed.year <= 2100 else None


def _iso(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # a time without its offset is ambiguous: refused
    return parsed if 1900 < parsed.year <= 2100 else None


def gb_step_of_text(text: str) -> tuple[int, str] | None:
    """From the FCDO's words: the gravest advice the text gives, whole country or parts
    ("parts of", "part of", "areas", "within ... km" make it partial); None when the text
    states no advice against travel."""
    best: tuple[int, str] | None = None
    for match in _GB_ADVICE.finditer(text):
        every = match["what"].lower().split() == ["all", "travel"]
        where = match["where"].lower()
        parts = bool(re.search(r"\bparts?\b|\bareas?\b|\bwithin\b|\bregions?\b", where))
        status = ("avoid_all_travel" if every else "avoid_all_but_essential_travel") + (
            "_to_parts" if parts else "_to_whole_country"
        )
        candidate = (GB_ALERT_STEP[status], " ".join(match[0].split()))
        if best is None or candidate[0] > best[0]:
            best = candidate
    return best


def _gb_atom(root: Element) -> list[Advisory]:
    out, errors = [], []
    for n, entry in enumerate(root.iter(_ATOM + "entry"), start=1):
        title = (entry.findtext(_ATOM + "title") or "").strip()
        name = re.sub(r"\s+travel advice\s*$", "", title, flags=re.IGNORECASE)
        published = _iso(entry.findtext(_ATOM + "updated") or "")
        if published is None:
            errors.append(f"entry {n} ({title[:40]}): updated missing or not a date with offset")
            continue
        text = _plain(
            " ".join(
                "".join(part.itertext())
                for t in ("summary", "content")
                if (part := entry.find(_ATOM + t)) is not None
            )
        )
        found = gb_step_of_text(text)
        if found is None:
            continue  # an update that states no advice (entry rules, a new phone number)
        step, words = found
        link = entry.find(_ATOM + "link")
        out.append(
            Advisory(
                government=GB,
                country=_country(name),
                country_name=name,
                step=step,
                label=f"{title}: {words}"[:200],
                published_at=published,
                url=(link.get("href", "") if link is not None else "")[:300],
            )
        )
    if errors:
        raise AdvisoryError(errors)
    return out


def _gb_json(document: bytes) -> list[Advisory]:
    try:
        data = json.loads(document)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdvisoryError([f"document: not JSON: {exc}"]) from exc
    items = data.get("results") if isinstance(data, dict) and "results" in data else data
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise AdvisoryError(["document: a GOV.UK travel advice document or a list of them"])
    out, errors = [], []
    for n, item in enumerate(items, start=1):
        details = item.get("details") if isinstance(item, dict) else None
        country = details.get("country") if isinstance(details, dict) else None
        if not isinstance(country, dict) or not isinstance(country.get("name"), str):
            errors.append(f"document {n}: details.country.name missing")
            continue
        statuses = details.get("alert_status", [])  # type: ignore[union-attr]
        if not isinstance(statuses, list) or not all(s in GB_ALERT_STEP for s in statuses):
            errors.append(
                f"document {n} ({country['name']}): details.alert_status must list some of "
                + ", ".join(GB_ALERT_STEP)
            )
            continue
        published = _iso(str(item.get("public_updated_at") or ""))
        if published is None:
            errors.append(f"document {n} ({country['name']}): public_updated_at not a date")
            continue
        step = max((GB_ALERT_STEP[s] for s in statuses), default=1)
        words = max(statuses, key=GB_ALERT_STEP.__getitem__).replace("_", " ") if statuses else ""
        title = str(item.get("title") or f"{country['name']} travel advice")
        out.append(
            Advisory(
                government=GB,
                country=_country(country["name"]),
                country_name=country["name"],
                step=step,
                label=(f"{title}: {words}" if words else title)[:200],
                published_at=published,
                url=("https://www.gov.uk" + str(item.get("base_path") or ""))[:300],
            )
        )
    if errors:
        raise AdvisoryError(errors)
    return out
