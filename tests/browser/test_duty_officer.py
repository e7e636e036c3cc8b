"""The duty officer's review (issue 11) in a real browser: one refresh of the panels per
write, and the trigger admin showing only the chosen kind's fields."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.test_layout import demo, sign_in  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_write_refreshes_each_panel_once(page: Page, live_server, demo):  # type: ignore[no-untyped-def]  # noqa: F811
    # The event stream open (its news of the new assessment would be a second refresh).
    with page.expect_request(lambda r: "/events/" in r.url):
        sign_in(page, f"{live_server.url}/posts/{demo.code}/")
    expect(page.locator("#charts svg").first).to_be_visible()
    panels: list[str] = []

    def seen(request: Request) -> None:
        target = request.headers.get("hx-target")
        if request.method == "GET" and target and "/poll/" not in request.url:
            panels.append(target)

    page.on("request", seen)
    form = page.locator("#record-indicator")
    form.get_by_label("Category").select_option("threat_to_foreigners")
    form.get_by_label("Severity").select_option("4")
    form.get_by_label("Source reliability").select_option("B")
    form.get_by_label("Information credibility").select_option("2")
    form.get_by_label(re.compile(r"^Source:?$")).fill("Embassy security officer")
    form.get_by_label("What was observed").fill("Checkpoint on the airport road")
    form.get_by_role("button", name="Record the indicator").click()
    expect(form).to_contain_text("The post has been re-scored.")
    expect(page.locator("#indicators")).to_contain_text("Checkpoint on the airport road")
    page.wait_for_timeout(3000)  # the stream's news and a poll or two
    counts = Counter(panels)
    assert counts["gauge"] == 1 and counts["indicators"] == 1, counts
    assert all(n == 1 for n in counts.values()), counts


def test_the_trigger_form_shows_only_the_chosen_kinds_fields(page: Page, live_server, demo):  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(f"{live_server.url}/admin/login/?next=/admin/posts/trigger/add/")
    page.get_by_label("Username").fill("duty")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    kind = page.locator("select[name=kind]")
    expect(kind).to_be_visible()
    kind.select_option("threat_index")
    expect(page.locator(".form-row.field-threshold")).to_be_visible()
    for hidden in ("count", "route", "margin_level", "reason", "with_category"):
        expect(page.locator(f".form-row.field-{hidden}")).to_be_hidden()
    kind.select_option("indicator_count")
    for shown in ("count", "min_severity", "within_days", "with_category"):
        expect(page.locator(f".form-row.field-{shown}")).to_be_visible()
    expect(page.locator(".form-row.field-threshold")).to_be_hidden()
    # A field holding a value stays in sight, so nothing hidden is refused.
    page.locator("input[name=count]").fill("3")
    kind.select_option("threat_index")
    expect(page.locator(".form-row.field-count")).to_be_visible()
