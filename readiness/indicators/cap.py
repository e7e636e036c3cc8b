"""Read one OASIS CAP 1.2 ``<alert>`` into plain data for an indicator.

Pure Python: the standard library, ``defusedxml`` and the plausibility limits
(``readiness.posts.limits``, whose date bounds it applies). ``parse_cap`` either returns a
``CapMessage`` or raises one ``CapError`` that lists every problem it found, each as
"where: what is wrong" with an element path such as ``alert/info[1]/severity``.

What is refused before anything is looked at (issue 9): a document that is not UTF-8 (CAP
1.2 is UTF-8; Python's XML parser fails on UTF-7 and other multi-byte encodings), more than
MAX_INFO_BLOCKS ``<info>`` blocks or MAX_REFERENCES references (``CapTooLarge``: each block
is an indicator to check and write, and 3,501 of them held a web worker 44 s), an integer
parameter of more than three digits, and a date outside 1900..2100 (UTC).

How CAP words become ours, for each ``<info>`` block used:

- Post: a ``<parameter>`` named ``readiness:post``, else an ``<area><geocode>`` of that name.
  CAP has no notion of our posts, so one of the two must say which post it is about.
- Category: a ``readiness:category`` parameter (one of our values) wins. Otherwise the first
  CAP ``<category>`` decides: the natural and environmental ones (Geo, Met, Fire, Env) are a
  hazard; Safety, Security, Rescue and CBRNE are an incident; Health is health; Transport is
  transport; Infra is supply. Other says nothing, so it needs the parameter.
- Severity 1..5: a ``readiness:severity`` parameter wins. Otherwise Extreme 5, Severe 4,
  Moderate 3, Minor 2 (CAP has nothing as weak as our 1). Unknown needs the parameter.
- Credibility 1..6 (Admiralty grading), from how sure the sender is, ``<certainty>``:
  Observed 1 (confirmed), Likely 2 (and the older "Very Likely"), Possible 3, Unlikely 5,
  Unknown 6 (cannot be judged). A ``readiness:credibility`` parameter wins. CAP has no word
  for our 4 (doubtful); only the parameter gives it.
- Reliability is not read at all: it belongs to the feed, which the administrator grades.
- Observed at: ``<onset>``, else ``<effective>``, else the alert's ``<sent>``. Expires:
  ``<expires>``, which must come after that.
- Ongoing (a condition rather than an event): a ``readiness:ongoing`` parameter of true, 1 or
  yes.
- Text: headline and description, else the event name.
- De-escalation (the indicator lowers the threat): a ``<responseType>`` of AllClear, CAP's
  "the hazard is no longer a threat".
- Event (reports of one event are one piece of evidence): not read here. A message that
  ``<references>`` earlier ones is about the same event; the service looks up the event of
  the referenced indicators, or derives one from the reference (``reference_event``).

An alert often repeats itself in several languages, one ``<info>`` per language: only the
blocks in the first block's language are used, each giving one observation. A Cancel, Ack or
Error message carries no observations; it only refers to earlier messages.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from readiness.engine.vocabulary import Category
from readiness.posts.limits import date_out_of_range

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
_NS = "{" + CAP_NAMESPACE + "}"

MAX_BYTES = 1_000_000
# Observations one alert may carry: a real alert has a few blocks (one per language and
# area); more is a flood, refused before any is read (a JSON delivery takes at most 500).
MAX_INFO_BLOCKS = 100
MAX_REFERENCES = 100  # messages one Update or Cancel may refer to
ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})  # what a document may declare
MAX_TEXT = 5000
MAX_EXTERNAL_ID = 200  # Indicator.external_id's column
MAX_EVENT = 100  # Indicator.event's column
ALL_CLEAR = "AllClear"  # the <responseType> that ends a threat

STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
_WITHOUT_INFO = frozenset({"Cancel", "Ack", "Error"})
_NEED_INFO = frozenset({"Alert", "Update"})
DEFAULT_LANGUAGE = "en-US"

CATEGORY_MAP: dict[str, Category | None] = {
    "Geo": Category.HAZARD,
    "Met": Category.HAZARD,
    "Fire": Category.HAZARD,
    "Env": Category.HAZARD,
    "Safety": Category.INCIDENT,
    "Security": Category.INCIDENT,
    "Rescue": Category.INCIDENT,
    "CBRNE": Category.INCIDENT,
    "Health": Category.HEALTH,
    "Transport": Category.TRANSPORT,
    "Infra": Category.SUPPLY,
    "Other": None,  # says nothing: a readiness:category parameter must
}
SEVERITY_MAP: dict[str, int | None] = {
    "Extreme": 5,
    "Severe": 4,
    "Moderate": 3,
    "Minor": 2,
    "Unknown": None,  # a readiness:severity parameter must say
}
CERTAINTY_MAP: dict[str, int] = {
    "Observed": 1,
    "Likely": 2,
    "Very Likely": 2,  # CAP 1.0's word, deprecated since 1.1
    "Possible": 3,
    "Unlikely": 5,
    "Unknown": 6,
}

PARAM_POST = "readiness:post"
PARAM_CATEGORY = "readiness:category"
PARAM_SEVERITY = "readiness:severity"
PARAM_CREDIBILITY = "readiness:credibility"
PARAM_ONGOING = "readiness:ongoing"
_TRUE_WORDS = frozenset({"true", "1", "yes"})
_OUR_CATEGORIES = frozenset(category.value for category in Category)

# CAP's dateTime: 2025-11-07T09:30:00+00:00. "Z" and fractions of a second are tolerated.
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?P<offset>Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_INTEGER = re.compile(r"[0-9]{1,3}", re.ASCII)  # our parameters are 1..6: no more digits
_DECLARED_ENCODING = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']"""
)
# CAP forbids spaces and commas in sender and identifier: they separate references.
_FORBIDDEN_IN_ID = re.compile(r"[\s,]")
# What an event key may not hold (Indicator.event: letters, digits and . _ : -).
_NOT_IN_EVENT = re.compile(r"[^A-Za-z0-9._:-]+", re.ASCII)


class CapError(ValueError):
    """The document is not a usable CAP 1.2 alert. ``errors`` lists every problem found, each
    "where: what is wrong" (where is an element path such as "alert/info[1]/severity")."""

    errors: list[str]

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class CapTooLarge(CapError):
    """More blocks or references than one alert may carry: refused before any is read."""


@dataclass(frozen=True, slots=True)
class CapObservation:
    post_code: str
    category: str  # one of our category values
    severity: int  # 1..5
    credibility: int  # 1..6
    observed_at: datetime  # aware
    expires_at: datetime | None
    ongoing: bool
    text: str
    external_id: str
    de_escalation: bool = False  # a <responseType> of AllClear


@dataclass(frozen=True, slots=True)
class CapMessage:
    external_id: str  # "<sender>,<identifier>", CAP's own way of referring to a message
    sender: str
    identifier: str
    sent: datetime  # aware
    status: str  # Actual | Exercise | System | Test | Draft
    msg_type: str  # Alert | Update | Cancel | Ack | Error
    references: tuple[str, ...]  # each "<sender>,<identifier>"
    observations: tuple[CapObservation, ...]


def parse_cap(document: bytes) -> CapMessage:
    """Read one CAP 1.2 alert. Raises ``CapError`` listing every problem found."""
    root = _parse_xml(document)
    errors: list[str] = []

    identifier = _required_id(root, "identifier", errors)
    sender = _required_id(root, "sender", errors)
    sent = _required_datetime(root, "sent", errors)
    status = _required_choice(root, "status", STATUSES, errors)
    msg_type = _required_choice(root, "msgType", MSG_TYPES, errors)
    _required_text(root, "scope", errors)
    references = _references(root, errors)
    external_id = f"{sender},{identifier}"

    observations: tuple[CapObservation, ...] = ()
    if msg_type not in _WITHOUT_INFO:
        observations = _observations(root, msg_type, sent, external_id, errors)

    if errors or sent is None:
        raise CapError(errors)
    return CapMessage(
        external_id=external_id,
        sender=sender,
        identifier=identifier,
        sent=sent,
        status=status,
        msg_type=msg_type,
        references=references,
        observations=observations,
    )


# --- the document --------------------------------------------------------------------------


def _parse_xml(document: bytes) -> Element:
    if not document.strip():
        raise CapError(["document: empty"])
    if len(document) > MAX_BYTES:
        raise CapTooLarge([f"document: {len(document)} bytes, more than the {MAX_BYTES} accepted"])
    _check_encoding(document)
    try:
        root: Element = defusedxml.ElementTree.fromstring(document, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise CapError([f"document: DTDs and entities are refused ({exc})"]) from exc
    except (ParseError, LookupError) as exc:  # LookupError: an unknown encoding declared
        raise CapError([f"document: not well-formed XML: {exc}"]) from exc
    if root.tag != _NS + "alert":
        raise CapError(
            [
                f"document: CAP 1.2 is expected, an <alert> in namespace {CAP_NAMESPACE}; "
                f"the root element is {root.tag}"
            ]
        )
    blocks = len(_children(root, "info"))
    if blocks > MAX_INFO_BLOCKS:
        raise CapTooLarge(
            [f"alert/info: {blocks} <info> blocks, more than the {MAX_INFO_BLOCKS} accepted"]
        )
    references = len(_text(root, "references").split())
    if references > MAX_REFERENCES:
        raise CapTooLarge(
            [f"alert/references: {references} references, more than the {MAX_REFERENCES} accepted"]
        )
    return root


def _check_encoding(document: bytes) -> None:
    """CAP 1.2 is UTF-8 (US-ASCII, a part of it, too): any other encoding is refused, declared
    or not. The XML parser would fail on some (UTF-7) and guess others."""
    declared = _DECLARED_ENCODING.match(document)
    if declared is not None:
        name = declared.group(1).decode("ascii", "replace")
        if name.casefold() not in ENCODINGS:
            raise CapError([f"document: encoding {name!r} is refused: CAP 1.2 is UTF-8"])
    try:
        document.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CapError(
            [f"document: the encoding is not UTF-8 (byte {exc.start}): CAP 1.2 is UTF-8"]
        ) from None


# --- small helpers: CAP elements by local name ---------------------------------------------


def _child(parent: Element, name: str) -> Element | None:
    return parent.find(_NS + name)


def _children(parent: Element, name: str) -> list[Element]:
    return parent.findall(_NS + name)


def _text(parent: Element, name: str) -> str:
    """The stripped text of the first CAP child called ``name``; "" if there is none."""
    element = _child(parent, name)
    if element is None:
        return ""
    return (element.text or "").strip()


def _parse_datetime(value: str) -> tuple[datetime | None, str]:
    """A CAP date-time, aware; or None and what is wrong with it."""
    match = _DATETIME.fullmatch(value)
    if match is None:
        return None, f"{value!r} is not a date-time like 2025-11-07T09:30:00+00:00"
    if match["offset"] is None:
        return None, f"{value!r} must include a time zone offset"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        return None, f"{value!r} is not a valid date-time ({exc})"
    problem = date_out_of_range(parsed)
    if problem:
        return None, f"{problem}: dates run from 1900 to 2100"
    return parsed, ""


def _optional_datetime(parent: Element, name: str, path: str, errors: list[str]) -> datetime | None:
    value = _text(parent, name)
    if not value:
        return None
    parsed, problem = _parse_datetime(value)
    if parsed is None:
        errors.append(f"{path}/{name}: {problem}")
    return parsed


# --- the alert's own elements --------------------------------------------------------------


def _required_text(root: Element, name: str, errors: list[str]) -> str:
    element = _child(root, name)
    if element is None:
        errors.append(f"alert/{name}: missing")
        return ""
    value = (element.text or "").strip()
    if not value:
        errors.append(f"alert/{name}: empty")
    return value


def _required_id(root: Element, name: str, errors: list[str]) -> str:
    value = _required_text(root, name, errors)
    if _FORBIDDEN_IN_ID.search(value):
        errors.append(f"alert/{name}: {value!r} must not contain spaces or commas")
    return value


def _required_choice(root: Element, name: str, allowed: tuple[str, ...], errors: list[str]) -> str:
    value = _required_text(root, name, errors)
    if value and value not in allowed:
        errors.append(f"alert/{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _required_datetime(root: Element, name: str, errors: list[str]) -> datetime | None:
    value = _required_text(root, name, errors)
    if not value:
        return None
    parsed, problem = _parse_datetime(value)
    if parsed is None:
        errors.append(f"alert/{name}: {problem}")
    return parsed


def _references(root: Element, errors: list[str]) -> tuple[str, ...]:
    """CAP's references: triples "sender,identifier,sent" apart by whitespace. The sent part
    is dropped: sender and identifier name a message."""
    kept: list[str] = []
    for triple in _text(root, "references").split():
        parts = triple.split(",")
        if len(parts) != 3 or not all(parts):
            errors.append(f"alert/references: {triple!r} is not sender,identifier,sent")
            continue
        kept.append(f"{parts[0]},{parts[1]}")
    return tuple(kept)


# --- the info blocks -----------------------------------------------------------------------


def _language(info: Element) -> str:
    return _text(info, "language") or DEFAULT_LANGUAGE


def _observations(
    root: Element, msg_type: str, sent: datetime | None, external_id: str, errors: list[str]
) -> tuple[CapObservation, ...]:
    infos = _children(root, "info")
    if not infos:
        if msg_type in _NEED_INFO:
            errors.append(f"alert: an {msg_type} needs at least one <info>")
        return ()
    # Language tags are case-insensitive (BCP 47): en-us is en-US.
    language = _language(infos[0]).casefold()
    # (position in the document, for error paths; the block)
    used = [
        (position, info)
        for position, info in enumerate(infos, start=1)
        if _language(info).casefold() == language
    ]
    observations: list[CapObservation] = []
    for number, (position, info) in enumerate(used, start=1):
        own_id = external_id if len(used) == 1 else f"{external_id}#{number}"
        observation = _observation(info, f"alert/info[{position}]", sent, own_id, errors)
        if observation is not None:
            observations.append(observation)
    return tuple(observations)


def _parameters(info: Element) -> dict[str, str]:
    """The block's parameters by name; the first of a name counts, empty values do not."""
    parameters: dict[str, str] = {}
    for parameter in _children(info, "parameter"):
        name = _text(parameter, "valueName")
        value = _text(parameter, "value")
        if name and value:
            parameters.setdefault(name, value)
    return parameters


def _post_code(info: Element, parameters: dict[str, str]) -> str:
    if PARAM_POST in parameters:
        return parameters[PARAM_POST]
    for area in _children(info, "area"):
        for geocode in _children(area, "geocode"):
            value = _text(geocode, "value")
            if _text(geocode, "valueName") == PARAM_POST and value:
                return value
    return ""


def _category(info: Element, parameters: dict[str, str], path: str, errors: list[str]) -> str:
    if PARAM_CATEGORY in parameters:
        value = parameters[PARAM_CATEGORY]
        if value in _OUR_CATEGORIES:
            return value
        allowed = ", ".join(category.value for category in Category)
        errors.append(f"{path}/parameter[{PARAM_CATEGORY}]: {value!r} is not one of {allowed}")
        return ""
    cap_category = _text(info, "category")
    if not cap_category:
        errors.append(f"{path}/category: missing")
        return ""
    if cap_category not in CATEGORY_MAP:
        allowed = ", ".join(CATEGORY_MAP)
        errors.append(f"{path}/category: {cap_category!r} is not one of {allowed}")
        return ""
    category = CATEGORY_MAP[cap_category]
    if category is None:
        errors.append(f"{path}/category: category Other: give a {PARAM_CATEGORY} parameter")
        return ""
    return category.value


def _integer_parameter(
    parameters: dict[str, str], name: str, allowed: range, path: str, errors: list[str]
) -> int | None:
    value = parameters[name]
    if _INTEGER.fullmatch(value) and int(value) in allowed:
        return int(value)
    shown = value if len(value) <= 20 else f"{value[:20]}… ({len(value)} characters)"
    errors.append(
        f"{path}/parameter[{name}]: {shown!r} is not an integer from {allowed[0]} to {allowed[-1]}"
    )
    return None


def _severity(
    info: Element, parameters: dict[str, str], path: str, errors: list[str]
) -> int | None:
    if PARAM_SEVERITY in parameters:
        return _integer_parameter(parameters, PARAM_SEVERITY, range(1, 6), path, errors)
    value = _text(info, "severity")
    if not value:
        errors.append(f"{path}/severity: missing")
        return None
    if value not in SEVERITY_MAP:
        errors.append(f"{path}/severity: {value!r} is not one of {', '.join(SEVERITY_MAP)}")
        return None
    severity = SEVERITY_MAP[value]
    if severity is None:
        errors.append(f"{path}/severity: severity Unknown: give a {PARAM_SEVERITY} parameter")
    return severity


def _credibility(
    info: Element, parameters: dict[str, str], path: str, errors: list[str]
) -> int | None:
    if PARAM_CREDIBILITY in parameters:
        return _integer_parameter(parameters, PARAM_CREDIBILITY, range(1, 7), path, errors)
    value = _text(info, "certainty")
    if not value:
        errors.append(f"{path}/certainty: missing (or give a {PARAM_CREDIBILITY} parameter)")
        return None
    if value not in CERTAINTY_MAP:
        errors.append(f"{path}/certainty: {value!r} is not one of {', '.join(CERTAINTY_MAP)}")
        return None
    return CERTAINTY_MAP[value]


def _observation_text(info: Element) -> str:
    parts = [part for part in (_text(info, "headline"), _text(info, "description")) if part]
    text = " — ".join(parts) or _text(info, "event")
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1].rstrip() + "…"
    return text


def _observation(
    info: Element, path: str, sent: datetime | None, external_id: str, errors: list[str]
) -> CapObservation | None:
    """One observation from one info block, or None after noting what is wrong."""
    first_error = len(errors)
    parameters = _parameters(info)

    post_code = _post_code(info, parameters)
    if not post_code:
        errors.append(f"{path}: no {PARAM_POST} parameter or geocode names the post")
    category = _category(info, parameters, path, errors)
    severity = _severity(info, parameters, path, errors)
    credibility = _credibility(info, parameters, path, errors)

    errors_before_dates = len(errors)
    onset = _optional_datetime(info, "onset", path, errors)
    effective = _optional_datetime(info, "effective", path, errors)
    expires_at = _optional_datetime(info, "expires", path, errors)
    observed_at = onset or effective or sent
    dates_valid = len(errors) == errors_before_dates
    if (
        dates_valid
        and observed_at is not None
        and expires_at is not None
        and expires_at <= observed_at
    ):
        since = "onset" if onset else ("effective" if effective else "sent")
        errors.append(f"{path}/expires: must come after {since} ({observed_at.isoformat()})")

    text = _observation_text(info)
    if not text:
        errors.append(f"{path}: no headline, description or event gives the text")

    if len(external_id) > MAX_EXTERNAL_ID:
        errors.append(
            f"{path}: the external id {external_id!r} is longer than {MAX_EXTERNAL_ID} characters"
        )

    if len(errors) > first_error:
        return None
    # Never true here (observed_at is None only when the alert's sent, reported, is missing).
    if severity is None or credibility is None or observed_at is None:
        return None
    return CapObservation(
        post_code=post_code,
        category=category,
        severity=severity,
        credibility=credibility,
        observed_at=observed_at,
        expires_at=expires_at,
        ongoing=parameters.get(PARAM_ONGOING, "").casefold() in _TRUE_WORDS,
        text=text,
        external_id=external_id,
        de_escalation=any(
            (element.text or "").strip() == ALL_CLEAR for element in _children(info, "responseType")
        ),
    )


def reference_event(reference: str) -> str:
    """The event key of a referenced message ("sender,identifier") whose indicators have
    none: "cap:" and the reference with what an event key cannot hold replaced by "-"
    (a digest when that is longer than an event key may be)."""
    sender, _comma, identifier = reference.partition(",")
    readable = "cap:" + _NOT_IN_EVENT.sub("-", f"{sender}:{identifier}")
    if len(readable) <= MAX_EVENT:
        return readable
    return "cap:" + hashlib.sha256(reference.encode()).hexdigest()[:40]
