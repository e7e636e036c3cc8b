"""CAP 1.2 alerts read into plain data (readiness.indicators.cap): pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import escape

import pytest

from readiness.indicators.cap import (
    MAX_BYTES,
    MAX_TEXT,
    CapError,
    CapMessage,
    CapObservation,
    parse_cap,
    reference_event,
)

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11 = "urn:oasis:names:tc:emergency:cap:1.1"
SENT = "2025-11-07T09:30:00+00:00"
ONSET = "2025-11-07T08:15:00+00:00"
EXPIRES = "2025-11-08T08:15:00+00:00"


def element(name: str, value: str | None) -> str:
    """``<name>value</name>``, or nothing when the value is None."""
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


def info(
    *,
    language: str | None = "en-US",
    category: str | None = "Security",
    event: str | None = "Armed clash",
    severity: str | None = "Severe",
    certainty: str | None = "Observed",
    effective: str | None = None,
    onset: str | None = ONSET,
    expires: str | None = EXPIRES,
    headline: str | None = "Gunfire near the airport road",
    description: str | None = "Exchanges of fire reported since dawn.",
    parameters: dict[str, str] | None = None,
    geocodes: dict[str, str] | None = None,
) -> str:
    """One <info> block; every keyword overrides an element, None leaves it out. The post is
    given by a readiness:post parameter unless ``parameters`` says otherwise."""
    if parameters is None:
        parameters = {"readiness:post": "ML-BKO"}
    params = "".join(
        f"<parameter>{element('valueName', name)}{element('value', value)}</parameter>"
        for name, value in parameters.items()
    )
    area = ""
    if geocodes is not None:
        codes = "".join(
            f"<geocode>{element('valueName', name)}{element('value', value)}</geocode>"
            for name, value in geocodes.items()
        )
        area = f"<area><areaDesc>Bamako</areaDesc>{codes}</area>"
    return (
        "<info>"
        + element("language", language)
        + element("category", category)
        + element("event", event)
        + "<urgency>Immediate</urgency>"
        + element("severity", severity)
        + element("certainty", certainty)
        + element("effective", effective)
        + element("onset", onset)
        + element("expires", expires)
        + element("headline", headline)
        + element("description", description)
        + params
        + area
        + "</info>"
    )


def alert(
    *,
    identifier: str | None = "ML-2025-0042",
    sender: str | None = "alerts@feed.example.org",
    sent: str | None = SENT,
    status: str | None = "Actual",
    msg_type: str | None = "Alert",
    scope: str | None = "Public",
    references: str | None = None,
    infos: list[str] | None = None,
    namespace: str = CAP12,
) -> bytes:
    """A CAP alert document; every keyword overrides an element, None leaves it out. One
    default <info> unless ``infos`` is given."""
    if infos is None:
        infos = [info()]
    body = (
        element("identifier", identifier)
        + element("sender", sender)
        + element("sent", sent)
        + element("status", status)
        + element("msgType", msg_type)
        + element("scope", scope)
        + element("references", references)
        + "".join(infos)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="{namespace}">{body}</alert>'.encode()


def only(message: CapMessage) -> CapObservation:
    assert len(message.observations) == 1
    return message.observations[0]


def errors_of(document: bytes) -> list[str]:
    with pytest.raises(CapError) as caught:
        parse_cap(document)
    return caught.value.errors


# --- a valid alert -------------------------------------------------------------------------


def test_full_alert():
    message = parse_cap(alert())

    assert message.external_id == "alerts@feed.example.org,ML-2025-0042"
    assert message.sender == "alerts@feed.example.org"
    assert message.identifier == "ML-2025-0042"
    assert message.sent == datetime(2025, 11, 7, 9, 30, tzinfo=UTC)
    assert message.sent.tzinfo is not None
    assert message.status == "Actual"
    assert message.msg_type == "Alert"
    assert message.references == ()
    assert only(message) == CapObservation(
        post_code="ML-BKO",
        category="incident",
        severity=4,
        credibility=1,
        observed_at=datetime(2025, 11, 7, 8, 15, tzinfo=UTC),
        expires_at=datetime(2025, 11, 8, 8, 15, tzinfo=UTC),
        ongoing=False,
        text="Gunfire near the airport road — Exchanges of fire reported since dawn.",
        external_id="alerts@feed.example.org,ML-2025-0042",
    )
    assert only(message).observed_at.utcoffset() == timedelta(0)


def test_offsets_are_kept_and_z_is_accepted():
    message = parse_cap(
        alert(sent="2025-11-07T09:30:00Z", infos=[info(onset="2025-11-07T10:15:00+01:00")])
    )
    assert message.sent == datetime(2025, 11, 7, 9, 30, tzinfo=UTC)
    observed_at = only(message).observed_at
    assert observed_at.utcoffset() == timedelta(hours=1)
    assert observed_at == datetime(2025, 11, 7, 9, 15, tzinfo=UTC)


def test_element_text_is_stripped():
    document = alert(
        identifier="  ML-2025-0042\n",
        infos=[info(severity=" Severe ", parameters={"readiness:post": "  ml-bko  "})],
    )
    message = parse_cap(document)
    assert message.identifier == "ML-2025-0042"
    assert only(message).post_code == "ml-bko"  # stripped, case kept
    assert only(message).severity == 4


def test_observed_at_falls_back_to_effective_then_sent():
    effective = parse_cap(alert(infos=[info(onset=None, effective="2025-11-07T07:00:00+00:00")]))
    assert only(effective).observed_at == datetime(2025, 11, 7, 7, 0, tzinfo=UTC)

    sent = parse_cap(alert(infos=[info(onset=None, effective=None, expires=None)]))
    assert only(sent).observed_at == datetime(2025, 11, 7, 9, 30, tzinfo=UTC)
    assert only(sent).expires_at is None


def test_text_falls_back_to_event_and_is_capped():
    assert only(parse_cap(alert(infos=[info(description=None)]))).text == (
        "Gunfire near the airport road"
    )
    assert only(parse_cap(alert(infos=[info(headline=None)]))).text == (
        "Exchanges of fire reported since dawn."
    )
    assert only(parse_cap(alert(infos=[info(headline="", description=None)]))).text == (
        "Armed clash"
    )
    long = parse_cap(alert(infos=[info(description="x" * (MAX_TEXT * 2))]))
    assert len(only(long).text) == MAX_TEXT


def test_no_text_at_all():
    document = alert(infos=[info(headline=None, description=None, event=None)])
    assert errors_of(document) == [
        "alert/info[1]: no headline, description or event gives the text"
    ]


# --- languages -----------------------------------------------------------------------------


def test_only_the_first_language_is_used():
    document = alert(
        infos=[info(), info(language="fr-FR", headline="Tirs près de la route de l'aéroport")]
    )
    observation = only(parse_cap(document))
    assert observation.text.startswith("Gunfire")
    assert observation.external_id == "alerts@feed.example.org,ML-2025-0042"


def test_blocks_in_the_same_language_give_one_observation_each():
    document = alert(
        infos=[
            info(),
            info(language="fr-FR"),
            info(parameters={"readiness:post": "NE-NIM"}, category="Health"),
        ]
    )
    first, second = parse_cap(document).observations
    assert (first.post_code, first.category) == ("ML-BKO", "incident")
    assert (second.post_code, second.category) == ("NE-NIM", "health")
    assert first.external_id == "alerts@feed.example.org,ML-2025-0042#1"
    assert second.external_id == "alerts@feed.example.org,ML-2025-0042#2"


def test_language_defaults_to_en_us():
    document = alert(infos=[info(language=None), info(language="en-US"), info(language="fr")])
    assert len(parse_cap(document).observations) == 2


def test_error_paths_name_the_block_in_the_document():
    document = alert(infos=[info(), info(language="fr-FR"), info(severity="Unknown")])
    assert errors_of(document) == [
        "alert/info[3]/severity: severity Unknown: give a readiness:severity parameter"
    ]


def test_blocks_in_other_languages_are_not_checked():
    document = alert(infos=[info(), info(language="fr-FR", severity="Unknown")])
    assert len(parse_cap(document).observations) == 1


# --- parameters and the post ---------------------------------------------------------------


def test_parameters_override_the_cap_values():
    parameters = {
        "readiness:post": "NE-NIM",
        "readiness:category": "threat_to_foreigners",
        "readiness:severity": "1",
        "readiness:credibility": "4",
        "readiness:ongoing": "true",
        "someone:else": "ignored",
    }
    document = alert(
        infos=[info(parameters=parameters, geocodes={"readiness:post": "ML-BKO"}, category="Other")]
    )
    observation = only(parse_cap(document))
    assert observation.post_code == "NE-NIM"
    assert observation.category == "threat_to_foreigners"
    assert observation.severity == 1
    assert observation.credibility == 4
    assert observation.ongoing is True


def test_severity_and_credibility_parameters_replace_unknown():
    parameters = {
        "readiness:post": "ML-BKO",
        "readiness:severity": "5",
        "readiness:credibility": "6",
    }
    document = alert(infos=[info(parameters=parameters, severity="Unknown", certainty=None)])
    observation = only(parse_cap(document))
    assert (observation.severity, observation.credibility) == (5, 6)


@pytest.mark.parametrize(
    ("value", "ongoing"),
    [
        *[("true", True), ("1", True), ("yes", True), ("YES", True), ("True", True)],
        *[("false", False), ("0", False), ("no", False), ("maybe", False)],
    ],
)
def test_ongoing_parameter(value, ongoing):
    parameters = {"readiness:post": "ML-BKO", "readiness:ongoing": value}
    assert only(parse_cap(alert(infos=[info(parameters=parameters)]))).ongoing is ongoing


def test_post_from_an_area_geocode():
    document = alert(
        infos=[info(parameters={}, geocodes={"ISO3166-2": "ML-BKO", "readiness:post": " ML-BKO "})]
    )
    assert only(parse_cap(document)).post_code == "ML-BKO"


def test_no_post():
    document = alert(infos=[info(parameters={"other": "x"}, geocodes={"ISO3166-2": "ML-BKO"})])
    assert errors_of(document) == [
        "alert/info[1]: no readiness:post parameter or geocode names the post"
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("readiness:category", "weather"),
        ("readiness:category", "Supply"),
        ("readiness:severity", "0"),
        ("readiness:severity", "6"),
        ("readiness:severity", "high"),
        ("readiness:severity", "3.0"),
        ("readiness:credibility", "7"),
        ("readiness:credibility", "-1"),
    ],
)
def test_bad_parameter_values(name, value):
    document = alert(infos=[info(parameters={"readiness:post": "ML-BKO", name: value})])
    (error,) = errors_of(document)
    assert error.startswith(f"alert/info[1]/parameter[{name}]: {value!r} is not ")


def test_bad_category_parameter_lists_our_values():
    document = alert(
        infos=[info(parameters={"readiness:post": "ML-BKO", "readiness:category": "weather"})]
    )
    (error,) = errors_of(document)
    for value in ("incident", "threat_to_foreigners", "supply", "peer_action", "hazard"):
        assert value in error


# --- the mapping tables --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cap", "ours"),
    [
        ("Geo", "hazard"),
        ("Met", "hazard"),
        ("Fire", "hazard"),
        ("Env", "hazard"),
        ("Safety", "incident"),
        ("Security", "incident"),
        ("Rescue", "incident"),
        ("CBRNE", "incident"),
        ("Health", "health"),
        ("Transport", "transport"),
        ("Infra", "supply"),
    ],
)
def test_category_mapping(cap, ours):
    assert only(parse_cap(alert(infos=[info(category=cap)]))).category == ours


def test_first_cap_category_decides():
    block = info(category="Infra").replace("<event>", "<category>Health</category><event>")
    assert only(parse_cap(alert(infos=[block]))).category == "supply"


@pytest.mark.parametrize(
    ("category", "error"),
    [
        ("Other", "alert/info[1]/category: category Other: give a readiness:category parameter"),
        ("Weather", "alert/info[1]/category: 'Weather' is not one of Geo, Met,"),
        (None, "alert/info[1]/category: missing"),
    ],
)
def test_category_errors(category, error):
    (found,) = errors_of(alert(infos=[info(category=category)]))
    assert found.startswith(error)


@pytest.mark.parametrize(
    ("cap", "ours"), [("Extreme", 5), ("Severe", 4), ("Moderate", 3), ("Minor", 2)]
)
def test_severity_mapping(cap, ours):
    assert only(parse_cap(alert(infos=[info(severity=cap)]))).severity == ours


@pytest.mark.parametrize(
    ("severity", "error"),
    [
        (
            "Unknown",
            "alert/info[1]/severity: severity Unknown: give a readiness:severity parameter",
        ),
        ("Catastrophic", "alert/info[1]/severity: 'Catastrophic' is not one of Extreme,"),
        (None, "alert/info[1]/severity: missing"),
    ],
)
def test_severity_errors(severity, error):
    (found,) = errors_of(alert(infos=[info(severity=severity)]))
    assert found.startswith(error)


@pytest.mark.parametrize(
    ("cap", "ours"),
    [
        ("Observed", 1),
        ("Likely", 2),
        ("Very Likely", 2),
        ("Possible", 3),
        ("Unlikely", 5),
        ("Unknown", 6),
    ],
)
def test_certainty_mapping(cap, ours):
    assert only(parse_cap(alert(infos=[info(certainty=cap)]))).credibility == ours


@pytest.mark.parametrize(
    ("certainty", "error"),
    [
        ("Sure", "alert/info[1]/certainty: 'Sure' is not one of Observed,"),
        (None, "alert/info[1]/certainty: missing"),
    ],
)
def test_certainty_errors(certainty, error):
    (found,) = errors_of(alert(infos=[info(certainty=certainty)]))
    assert found.startswith(error)


# --- message types and references ----------------------------------------------------------


def test_update_with_references():
    references = (
        "alerts@feed.example.org,ML-2025-0041,2025-11-07T08:00:00+00:00\n"
        "  alerts@feed.example.org,ML-2025-0040,2025-11-06T08:00:00-05:00"
    )
    message = parse_cap(
        alert(identifier="ML-2025-0042-U1", msg_type="Update", references=references)
    )
    assert message.msg_type == "Update"
    assert message.references == (
        "alerts@feed.example.org,ML-2025-0041",
        "alerts@feed.example.org,ML-2025-0040",
    )
    assert only(message).external_id == "alerts@feed.example.org,ML-2025-0042-U1"


def with_response_types(*kinds: str) -> str:
    """The default <info> with these <responseType>s (CAP puts them after <event>)."""
    types = "".join(element("responseType", kind) for kind in kinds)
    return info().replace("<urgency>", types + "<urgency>")


@pytest.mark.parametrize(
    ("kinds", "de_escalation"),
    [
        ((), False),
        (("AllClear",), True),
        (("Monitor", "AllClear"), True),
        (("Shelter", "Evacuate"), False),
    ],
)
def test_an_all_clear_response_type_makes_a_de_escalation(kinds, de_escalation):
    observation = only(parse_cap(alert(infos=[with_response_types(*kinds)])))
    assert observation.de_escalation is de_escalation


def test_reference_event_is_a_readable_key_from_the_reference():
    assert reference_event("alerts@feed.example.org,ML-2025-0041") == (
        "cap:alerts-feed.example.org:ML-2025-0041"
    )


def test_reference_event_of_a_long_reference_is_a_digest_that_fits_the_column():
    long = "alerts@feed.example.org," + "urn:oid:2.49.0.1.250." * 10
    event = reference_event(long)
    assert event.startswith("cap:") and len(event) <= 100
    assert event == reference_event(long) != reference_event(long + "1")


@pytest.mark.parametrize(
    "triple",
    [
        "alerts@feed.example.org,ML-2025-0041",
        "alerts@feed.example.org,ML-2025-0041,2025-11-07T08:00:00+00:00,extra",
        ",ML-2025-0041,2025-11-07T08:00:00+00:00",
    ],
)
def test_malformed_reference(triple):
    assert errors_of(alert(msg_type="Update", references=triple)) == [
        f"alert/references: {triple!r} is not sender,identifier,sent"
    ]


@pytest.mark.parametrize("msg_type", ["Cancel", "Ack", "Error"])
def test_cancel_ack_error_carry_no_observations(msg_type):
    references = "alerts@feed.example.org,ML-2025-0041,2025-11-07T08:00:00+00:00"
    message = parse_cap(alert(msg_type=msg_type, references=references, infos=[]))
    assert message.msg_type == msg_type
    assert message.references == ("alerts@feed.example.org,ML-2025-0041",)
    assert message.observations == ()


def test_cancel_ignores_its_info_blocks():
    message = parse_cap(alert(msg_type="Cancel", infos=[info(severity="Unknown")]))
    assert message.observations == ()


@pytest.mark.parametrize("msg_type", ["Alert", "Update"])
def test_alert_and_update_need_an_info(msg_type):
    assert errors_of(alert(msg_type=msg_type, infos=[])) == [
        f"alert: an {msg_type} needs at least one <info>"
    ]


@pytest.mark.parametrize("status", ["Actual", "Exercise", "System", "Test", "Draft"])
def test_statuses(status):
    assert parse_cap(alert(status=status)).status == status


def test_bad_status_and_msg_type():
    assert errors_of(alert(status="Real", msg_type="Notice")) == [
        "alert/status: 'Real' is not one of Actual, Exercise, System, Test, Draft",
        "alert/msgType: 'Notice' is not one of Alert, Update, Cancel, Ack, Error",
    ]


# --- errors --------------------------------------------------------------------------------


def test_errors_are_collected_together():
    document = alert(sender=None, scope="", infos=[info(severity="Unknown", parameters={})])
    with pytest.raises(CapError) as caught:
        parse_cap(document)
    assert caught.value.errors == [
        "alert/sender: missing",
        "alert/scope: empty",
        "alert/info[1]: no readiness:post parameter or geocode names the post",
        "alert/info[1]/severity: severity Unknown: give a readiness:severity parameter",
    ]
    assert isinstance(caught.value, ValueError)
    assert "alert/sender: missing" in str(caught.value)


def test_every_required_alert_element_is_reported():
    document = alert(
        identifier=None, sender=None, sent=None, status=None, msg_type=None, scope=None, infos=[]
    )
    assert errors_of(document) == [
        "alert/identifier: missing",
        "alert/sender: missing",
        "alert/sent: missing",
        "alert/status: missing",
        "alert/msgType: missing",
        "alert/scope: missing",
    ]


@pytest.mark.parametrize("name", ["sender", "identifier"])
@pytest.mark.parametrize("value", ["a,b", "a b"])
def test_sender_and_identifier_cannot_hold_separators(name, value):
    assert errors_of(alert(**{name: value})) == [
        f"alert/{name}: {value!r} must not contain spaces or commas"
    ]


def test_external_id_too_long_for_the_column():
    (error,) = errors_of(alert(identifier="x" * 200))
    assert error.startswith("alert/info[1]: the external id ")


@pytest.mark.parametrize(
    "document",
    [b"not xml at all", b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>"],
)
def test_not_xml(document):
    (error,) = errors_of(document)
    assert error.startswith("document: not well-formed XML: ")


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (b"\xff\xfe<a", "the encoding is not UTF-8"),
        (alert().replace(b'encoding="UTF-8"', b'encoding="UTF-7"'), "encoding 'UTF-7' is refused"),
        (alert().replace(b"Gunfire", "Tir \u00e0".encode("latin-1")), "not UTF-8"),
    ],
)
def test_a_document_not_in_utf_8_is_refused(document, words):
    (error,) = errors_of(document)
    assert error.startswith("document: ") and words in error


def test_empty_document():
    assert errors_of(b"") == ["document: empty"]
    assert errors_of(b"  \n") == ["document: empty"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE alert [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&secret;</identifier></alert>"""


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, XXE, b"<!DOCTYPE alert>" + alert().split(b"\n", 1)[1]],
    ids=["billion-laughs", "xxe", "plain-doctype"],
)
def test_dtds_and_entities_are_refused(document):
    (error,) = errors_of(document)
    assert error.startswith("document: DTDs and entities are refused")


@pytest.mark.parametrize("namespace", [CAP11, "", "urn:example:not-cap"])
def test_only_cap_1_2(namespace):
    document = (
        alert(namespace=namespace)
        if namespace
        else alert().replace(b' xmlns="' + CAP12.encode() + b'"', b"")
    )
    (error,) = errors_of(document)
    assert "CAP 1.2 is expected" in error


def test_root_must_be_alert():
    (error,) = errors_of(f'<info xmlns="{CAP12}"/>'.encode())
    assert "CAP 1.2 is expected" in error


@pytest.mark.parametrize(
    ("sent", "onset", "error"),
    [
        (
            "2025-11-07T09:30:00",
            ONSET,
            "alert/sent: '2025-11-07T09:30:00' must include a time zone offset",
        ),
        (
            SENT,
            "2025-11-07T08:15:00",
            "alert/info[1]/onset: '2025-11-07T08:15:00' must include a time zone offset",
        ),
        (
            "2025-11-07",
            ONSET,
            "alert/sent: '2025-11-07' is not a date-time like 2025-11-07T09:30:00+00:00",
        ),
        (
            "yesterday",
            ONSET,
            "alert/sent: 'yesterday' is not a date-time like 2025-11-07T09:30:00+00:00",
        ),
        (
            "2025-13-07T09:30:00+00:00",
            ONSET,
            "alert/sent: '2025-13-07T09:30:00+00:00' is not a valid date-time",
        ),
    ],
)
def test_bad_datetimes(sent, onset, error):
    (found,) = errors_of(alert(sent=sent, infos=[info(onset=onset)]))
    assert found.startswith(error)


@pytest.mark.parametrize(
    "expires", ["2025-11-07T08:00:00+00:00", ONSET, "2025-11-07T09:15:00+01:00"]
)
def test_expires_must_come_after_onset(expires):
    assert errors_of(alert(infos=[info(expires=expires)])) == [
        "alert/info[1]/expires: must come after onset (2025-11-07T08:15:00+00:00)"
    ]


def test_expires_must_come_after_sent_when_nothing_else_dates_the_block():
    (error,) = errors_of(alert(infos=[info(onset=None, expires="2025-11-07T09:00:00+00:00")]))
    assert error.startswith("alert/info[1]/expires: must come after sent")


def test_oversized_input_is_refused():
    document = alert().replace(b"</alert>", b"<!--" + b" " * MAX_BYTES + b"--></alert>")
    (error,) = errors_of(document)
    assert error.startswith("document: ") and f"more than the {MAX_BYTES}" in error


def test_a_time_zone_other_than_utc_survives():
    message = parse_cap(alert(sent="2025-11-07T10:30:00+01:00"))
    assert message.sent.utcoffset() == timedelta(hours=1)
    assert message.sent == datetime(2025, 11, 7, 10, 30, tzinfo=timezone(timedelta(hours=1)))
