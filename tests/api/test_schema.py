"""The feeds' API's OpenAPI document (readiness/indicators/openapi.py): generated from the
models the views validate with, committed as docs/openapi.json, served, and read out on a
page without scripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from readiness.indicators import openapi
from readiness.indicators.openapi import COMMITTED, openapi_document, openapi_text
from readiness.indicators.schema import ObservationIn


def test_the_committed_document_is_the_generated_one() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is out of date: run `make openapi` "
        "(python manage.py openapi_schema) and commit it"
    )


def test_the_check_command_fails_on_a_stale_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "openapi.json"
    monkeypatch.setattr("readiness.indicators.management.commands.openapi_schema.COMMITTED", stale)
    call_command("openapi_schema")
    assert stale.read_text(encoding="utf-8") == openapi_text()
    call_command("openapi_schema", "--check")
    stale.write_text(openapi_text().replace('"Post"', '"Posted"'), encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("openapi_schema", "--check")


def test_the_document_is_served_as_generated(client: Client) -> None:
    response = client.get(reverse("api:openapi"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == json.loads(openapi_text())


def test_every_path_of_the_document_is_a_route_of_the_api() -> None:
    routes = {
        reverse("api:indicators"),
        reverse("api:cap"),
        reverse("api:overview"),
        reverse("api:post-assessment", kwargs={"code": "{code}"})
        .replace("%7B", "{")
        .replace("%7D", "}"),
    }
    assert set(openapi_document()["paths"]) == routes


def test_the_observation_schema_is_the_validating_model() -> None:
    schema = openapi_document()["components"]["schemas"]["ObservationIn"]
    assert set(schema["properties"]) == set(ObservationIn.model_fields)
    assert schema["additionalProperties"] is False, "unknown fields are refused"
    assert set(schema["required"]) == {
        "post", "category", "severity", "credibility", "observed_at", "text", "external_id"
    }  # fmt: skip
    assert schema["properties"]["severity"]["minimum"] == 1
    assert schema["properties"]["severity"]["maximum"] == 5
    assert schema["properties"]["observed_at"]["format"] == "date-time"


def test_every_operation_documents_its_refusals() -> None:
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            statuses = set(operation["responses"])
            assert {"200", "401", "403", "429", "503"} <= statuses, (method, path)
            if method == "post":
                assert {"201", "400", "409", "413", "415"} <= statuses, path
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_the_docs_page_reads_out_every_operation_without_a_script(client: Client) -> None:
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    for path, methods in openapi_document()["paths"].items():
        for method in methods:
            assert f"<code>{path}</code>" in page
            assert f'<code class="api-method">{method.upper()}</code>' in page
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert "https://" not in page and "http://" not in page, "nothing from outside"
    assert "unknown field" not in page  # the schema's words, not the errors'
    assert "Any other field is refused by name." in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_docs_page_is_translated(client: Client) -> None:
    page = client.get(reverse("api:docs"), headers={"Accept-Language": "fr"})
    text = page.content.decode()
    assert "Réponses" in text and "au plus 16 caractères" in text
    assert 'liste de <a href="#schema-Recorded">Recorded</a>' in text


def test_the_docs_page_links_each_schema_it_names(client: Client) -> None:
    page = client.get(reverse("api:docs")).content.decode()
    for name in openapi_document()["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert '<a href="#schema-Refusal">Refusal</a>' in page
    assert '<a href="#schema-ObservationIn">ObservationIn</a>' in page


def test_type_words_say_a_field_s_limits() -> None:
    assert openapi.type_words({"type": "integer", "minimum": 1, "maximum": 5}) == (
        "integer (1 to 5)"
    )
    assert openapi.type_words({"type": "string", "minLength": 1, "maxLength": 16}) == (
        "string (not empty, at most 16 characters)"
    )
    assert openapi.type_words({"$ref": "#/components/schemas/Refusal"}) == "Refusal"
