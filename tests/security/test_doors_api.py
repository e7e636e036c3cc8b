"""The feeds' API refuses what would break the system with a 400 naming the field (issue 9,
"Data that breaks the system"): never a 500, and nothing is written."""

from __future__ import annotations

import pytest

from readiness.indicators.models import Indicator

from .conftest import Send
from .doors import cap_alert, observation

pytestmark = pytest.mark.django_db

FAR_FUTURE_WEST = "9999-12-31T23:59:59-14:00"  # year 10000 in UTC
FAR_PAST_EAST = "0001-01-01T00:00:00+14:00"  # year 0 in UTC


def field_errors(response: object, field: str, index: str = "0") -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return body["errors"][index][field]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("observed_at", FAR_PAST_EAST),
        ("observed_at", "1899-12-31T23:00:00+00:00"),
        ("expires_at", FAR_FUTURE_WEST),
        ("ended_at", FAR_FUTURE_WEST),
        ("ended_at", "2101-01-01T00:00:00+00:00"),
    ],
)
def test_an_out_of_range_date_is_refused_naming_the_field(
    send_json: Send, field: str, value: str
) -> None:
    changes = {field: value}
    if field == "ended_at":
        changes["ongoing"] = True  # type: ignore[assignment]
    response = send_json(observation(**changes))
    assert response.status_code == 400, response.content
    assert field_errors(response, field)
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("value", [1, True, [3], {"a": 1}, 2.5])
@pytest.mark.parametrize("field", ["observed_at", "expires_at", "ended_at"])
def test_a_date_that_is_not_a_string_is_refused_naming_the_field(
    send_json: Send, field: str, value: object
) -> None:
    response = send_json(observation(**{field: value}))
    assert response.status_code == 400, response.content
    assert field_errors(response, field)
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", [3]),
        ("text", 12),
        ("post", ["ML-BKO"]),
        ("external_id", {"id": 1}),
        ("source", True),
        ("category", ["supply"]),
        ("severity", "4"),
        ("severity", True),
        ("severity", [4]),
        ("credibility", 2.5),
        ("ongoing", "yes"),
        ("event", 7),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_naming_the_field(
    send_json: Send, field: str, value: object
) -> None:
    response = send_json(observation(**{field: value}))
    assert response.status_code == 400, response.content
    assert field_errors(response, field)
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("field", ["text", "external_id", "source", "post", "event", "category"])
def test_a_lone_surrogate_is_refused_naming_the_field(send_json: Send, field: str) -> None:
    body = '{"' + field + '": "a\\ud800b", '  # json.dumps would not write one: hand-made
    rest = {k: v for k, v in observation().items() if k != field}
    import json

    body += json.dumps(rest)[1:]
    response = send_json(body)
    assert response.status_code == 400, response.content
    assert field_errors(response, field)
    assert not Indicator.objects.exists()


def test_a_lone_surrogate_in_a_key_is_refused(send_json: Send) -> None:
    import json

    body = '{"\\udfff": 1, ' + json.dumps(observation())[1:]
    response = send_json(body)
    assert response.status_code == 400, response.content
    assert not Indicator.objects.exists()


def test_json_nested_fifty_thousand_deep_is_refused_naming_where(send_json: Send) -> None:
    import json

    depth = 50_000
    head = json.dumps(observation())[:-1] + ', "text": '
    response = send_json(head + "[" * depth + "]" * depth + "}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert "deep" in body["error"]
    assert body["errors"]["0"]["text"]
    assert not Indicator.objects.exists()


def test_json_nested_deep_in_a_list_of_observations_names_the_observation(
    send_json: Send,
) -> None:
    import json

    depth = 50_000
    first = json.dumps(observation(external_id="a"))
    second = json.dumps(observation(external_id="b"))[:-1] + ', "source": '
    response = send_json("[" + first + ", " + second + "[" * depth + "]" * depth + "}]")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["1"]["source"]


def test_an_integral_float_is_still_read_as_a_whole_number(send_json: Send) -> None:
    response = send_json(observation(severity=4.0))
    assert response.status_code == 201, response.content
    assert Indicator.objects.get().severity == 4


def test_nesting_under_the_parser_s_limit_is_refused_by_type(send_json: Send) -> None:
    response = send_json(observation(text=[[[["x"]]]]))
    assert response.status_code == 400
    assert field_errors(response, "text")


@pytest.mark.parametrize("digits", [25, 5_000, 100_000])
def test_a_number_with_thousands_of_digits_is_refused_naming_the_field(
    send_json: Send, digits: int
) -> None:
    import json

    rest = json.dumps({k: v for k, v in observation().items() if k != "severity"})
    response = send_json('{"severity": ' + "9" * digits + ", " + rest[1:])
    assert response.status_code == 400, response.content
    assert field_errors(response, "severity")
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "Infinity", "1" + "0" * 400 + ".5"])
def test_huge_or_non_finite_numbers_are_refused_naming_the_field(
    send_json: Send, value: str
) -> None:
    import json

    rest = json.dumps({k: v for k, v in observation().items() if k != "credibility"})
    response = send_json('{"credibility": ' + value + ", " + rest[1:])
    assert response.status_code == 400, response.content
    assert field_errors(response, "credibility")


def test_a_huge_number_in_a_batch_names_the_observation(send_json: Send) -> None:
    import json

    first = json.dumps(observation(external_id="a"))
    second = json.dumps(observation(external_id="b"))[:-1] + ', "severity": ' + "9" * 5000 + "}"
    second = second.replace('"severity": 4, ', "")
    response = send_json('{"indicators": [' + first + ", " + second + "]}")
    assert response.status_code == 400, response.content
    assert field_errors(response, "severity", index="1")
    assert not Indicator.objects.exists()


# --- CAP ----------------------------------------------------------------------------------


def cap_errors(response: object) -> str:
    return " ".join(response.json()["errors"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("where", "changes"),
    [
        ("alert/sent", {"sent": FAR_PAST_EAST}),
        ("alert/sent", {"sent": FAR_FUTURE_WEST}),
        ("alert/info[1]/onset", {"onset": FAR_PAST_EAST}),
        ("alert/info[1]/onset", {"onset": "1850-06-01T00:00:00+00:00"}),
        ("alert/info[1]/expires", {"expires": FAR_FUTURE_WEST}),
        ("alert/info[1]/effective", {"effective": FAR_PAST_EAST}),
    ],
)
def test_cap_dates_out_of_range_are_refused_naming_the_element(
    send_cap: Send, where: str, changes: dict[str, str]
) -> None:
    response = send_cap(cap_alert(**changes))
    assert response.status_code == 400, response.content
    assert where in cap_errors(response)
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("encoding", ["UTF-7", "UTF-16", "ISO-8859-1", "x-no-such-encoding"])
def test_cap_in_an_encoding_other_than_utf_8_is_refused(send_cap: Send, encoding: str) -> None:
    document = cap_alert(declaration=f'<?xml version="1.0" encoding="{encoding}"?>')
    response = send_cap(document)
    assert response.status_code == 400, response.content
    assert "encoding" in cap_errors(response)
    assert not Indicator.objects.exists()


def test_cap_in_utf_16_with_a_byte_order_mark_is_refused(send_cap: Send) -> None:
    document = cap_alert(declaration='<?xml version="1.0"?>').decode().encode("utf-16")
    response = send_cap(document)
    assert response.status_code == 400, response.content
    assert not Indicator.objects.exists()


def test_cap_declared_utf_8_in_any_case_or_undeclared_is_read(send_cap: Send) -> None:
    assert (
        send_cap(cap_alert(declaration='<?xml version="1.0" encoding="utf-8"?>')).status_code == 201
    )
    assert send_cap(cap_alert(identifier="SW-2", declaration="")).status_code == 201


@pytest.mark.parametrize("digits", [30, 5_000])
def test_cap_huge_integer_parameter_is_refused_naming_it(send_cap: Send, digits: int) -> None:
    response = send_cap(cap_alert(severity_parameter="9" * digits))
    assert response.status_code == 400, response.content
    assert "readiness:severity" in cap_errors(response)


def test_cap_with_thousands_of_info_blocks_is_refused_before_any_work(send_cap: Send) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = send_cap(cap_alert(infos=2_000))  # 720 kB: under the byte limit
    assert response.status_code == 413, response.content
    assert "info" in response.json()["error"]
    # The feed's token is looked up; no indicator is read or written.
    assert not any("indicators_indicator" in q["sql"] for q in queries.captured_queries)
    assert not Indicator.objects.exists()


def test_cap_over_a_megabyte_is_refused_as_too_large(send_cap: Send) -> None:
    response = send_cap(cap_alert(infos=3_501))
    assert response.status_code == 413, response.content
    assert "bytes" in response.json()["error"]


def test_cap_with_the_largest_accepted_number_of_info_blocks_is_recorded(send_cap: Send) -> None:
    from readiness.indicators.cap import MAX_INFO_BLOCKS

    response = send_cap(cap_alert(infos=MAX_INFO_BLOCKS))
    assert response.status_code == 201, response.content
    assert Indicator.objects.count() == MAX_INFO_BLOCKS


def test_cap_with_thousands_of_references_is_refused(send_cap: Send) -> None:
    references = " ".join(f"sahel-watch,SW-{n},2025-11-07T09:30:00+00:00" for n in range(3_000))
    response = send_cap(cap_alert(identifier="SW-X", msg_type="Cancel", references=references))
    assert response.status_code == 413, response.content
    assert "references" in response.json()["error"]
