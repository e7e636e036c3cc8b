"""The feeds' API docs page in a real browser: its style sheet applies, nothing is refused by
the Content Security Policy, and nothing is asked of another host."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .test_csp import Problems, problems  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_keeps_to_the_csp(page: Page, live_server, problems: Problems) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(live_server.url + "/api/v1/docs/")
    assert response is not None and response.status == 200
    expect(page.locator("#indicators_post h2")).to_contain_text("/api/v1/indicators")
    expect(page.locator(".api-method").first).to_have_css("color", "rgb(255, 255, 255)")
    assert not problems, problems
    assert all(url.startswith(live_server.url) for url in requested), requested
