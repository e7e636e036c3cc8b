"""The Content Security Policy (no inline script or style, no eval) breaks nothing: a real
browser visits the overview, a post page, the brief and the admin's roster pages, performs
every HTMX swap the pages have (forms, with and without errors, filters, searches, the
pager, the polls and the panels' refresh after a write) and finds no CSP violation and no
console error.

Violations are collected twice: the `securitypolicyviolation` event (reported to the test
through an exposed function) and Chromium's console errors ("Refused to ...")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Request, Route, expect

from readiness.assessments.models import Assessment
from readiness.posts.models import Post
from readiness.rosters.models import StaffMember, Warden
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCENARIO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"
PASSWORD = "correct-horse-battery"

WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
                        `at ${e.sourceFile}:${e.lineNumber} ${e.sample || ""}`);
});
"""


class Problems(list[str]):
    """What the browser refused or complained about, with the page it happened on."""


@pytest.fixture
def problems(page: Page) -> Iterator[Problems]:
    found = Problems()
    page.expose_function("__cspViolation", lambda text: found.append(f"{page.url}: {text}"))
    page.add_init_script(WATCH)

    def console(msg) -> None:  # type: ignore[no-untyped-def]
        # A form with errors answers 422 on purpose (swapped in place); Chromium logs it.
        if msg.type == "error" and "status of 422" not in msg.text:
            found.append(f"{page.url}: console {msg.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: found.append(f"{page.url}: page error {exc}"))
    yield found


@pytest.fixture
def demo(live_server):  # type: ignore[no-untyped-def]
    call_command("load_scenario", str(SCENARIO), "--as-if-today", "2025-11-19", verbosity=0)
    post = Post.objects.get(code="ML-BKO")
    assert Assessment.objects.filter(post=post).exists()
    UserFactory(username="duty", is_staff=True, is_superuser=True)
    # A second page of posts, for the pager.
    for i in range(55):
        PostFactory(code=f"ZZ-C{i:03d}", ladder=None)
    return post


def sign_in(page: Page, url: str, button: str = "Sign in") -> None:
    page.goto(url)
    page.get_by_label("Username").fill("duty")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def stream_ends(route: Route) -> None:
    """An event stream that closes straight away and asks the browser to wait ten minutes
    before it reconnects."""
    route.fulfill(status=200, content_type="text/event-stream", body="retry: 600000\n\n")


def swapped(page: Page, target: str, action) -> None:  # type: ignore[no-untyped-def]
    """Run ``action`` and wait until htmx has swapped ``target``."""
    page.evaluate("window.__swapped = []")
    page.evaluate(
        "document.body.addEventListener('htmx:afterSwap', "
        "(e) => window.__swapped.push(e.detail.target.id), {once: false})"
    )
    action()
    # Polled from here: wait_for_function would evaluate a string, which the policy forbids.
    for _ in range(100):
        if target in page.evaluate("window.__swapped || []"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"#{target} was not swapped")


def test_no_csp_violation_on_the_dashboards_and_every_swap(page: Page, live_server, demo, problems):  # type: ignore[no-untyped-def]
    background: list[Request] = []
    page.on(
        "request",
        lambda r: background.append(r) if "/poll/" in r.url or "since=" in r.url else None,
    )
    # The event streams end at once, so the pages poll (as they do whenever their stream is
    # down): whether the stream would tell them of something within the test is a race.
    page.route("**/events/", stream_ends)
    sign_in(page, live_server.url + "/")
    expect(page.get_by_role("heading", name="Posts by urgency")).to_be_visible()

    # Overview: the filters, the search box, the pager, the poll.
    swapped(page, "overview-rows", lambda: page.get_by_label("Gauge").select_option("late"))
    swapped(page, "overview-rows", lambda: page.get_by_label("Gauge").select_option(""))
    swapped(page, "overview-rows", lambda: page.get_by_label("Search").fill("ZZ-C"))
    swapped(page, "overview-rows", lambda: page.get_by_label("Search").fill(""))
    swapped(page, "overview-rows", lambda: page.get_by_role("link", name="Less urgent").click())
    swapped(page, "overview-rows", lambda: page.get_by_role("link", name="More urgent").click())
    with page.expect_request(lambda r: "since=" in r.url):  # the overview's poll
        pass

    # The post page: every form, with errors (422 swapped in place) and without.
    page.goto(f"{live_server.url}/posts/{demo.code}/")
    expect(page.get_by_role("heading", name=re.compile("Bamako"))).to_be_visible()
    expect(page.locator(".bars svg.bar").first).to_be_visible()

    form = page.locator("#record-indicator")
    swapped(
        page,
        "record-indicator",
        lambda: form.get_by_role("button", name="Record the indicator").click(),
    )
    expect(form.locator(".form-errors")).to_be_visible()
    form.get_by_label("Category").select_option("threat_to_foreigners")
    form.get_by_label("Severity").select_option("4")
    form.get_by_label("Source reliability").select_option("B")
    form.get_by_label("Information credibility").select_option("2")
    form.get_by_label(re.compile(r"^Source:?$")).fill("Embassy security officer")
    form.get_by_label("What was observed").fill("Checkpoint on the airport road")
    swapped(page, "gauge", lambda: form.get_by_role("button", name="Record the indicator").click())
    expect(page.locator("#indicators")).to_contain_text("Checkpoint on the airport road")

    decision = page.locator("#record-decision")
    swapped(
        page,
        "record-decision",
        lambda: decision.get_by_role("button", name="Record the decision").click(),
    )
    expect(decision.locator(".form-errors")).to_be_visible()

    swapped(
        page,
        "checklists",
        lambda: page.locator("#checklists").get_by_role("button").first.click(),
    )

    routes = page.locator("#routes")
    swapped(page, "routes", lambda: routes.get_by_role("button").first.click())

    indicators = page.locator("#indicators")
    swapped(
        page,
        "indicators",
        lambda: indicators.locator("select[name=category]").select_option(index=1),
    )

    roster = page.locator("#roster")
    roster.get_by_label("Find a staff member").fill("a")
    swapped(page, "roster", lambda: page.get_by_role("button", name="Find").click())
    staff_form = page.locator("#roster .staff-confirm form").first
    staff_form.get_by_label("Email").fill("not an address")
    swapped(page, "roster", lambda: staff_form.get_by_role("button").click())
    expect(page.locator("#roster .form-errors").first).to_be_visible()
    staff_form = page.locator("#roster .staff-confirm form").first
    staff_form.get_by_label("Email").fill("someone@post.example")
    swapped(page, "roster", lambda: staff_form.get_by_role("button").click())
    with page.expect_request(lambda r: "/poll/" in r.url):  # the post page's poll
        pass

    # The brief.
    page.get_by_role("link", name="Daily brief").click()
    expect(page.get_by_role("heading", name="Daily brief")).to_be_visible()

    assert background, "the pages polled"
    for request in background:
        assert request.headers.get("x-readiness-background") == "1", request.url
    assert problems == []


ADMIN_PAGES = [
    "/admin/",
    "/admin/rosters/staffmember/",
    "/admin/rosters/staffmember/add/",
    "/admin/rosters/staffmember/{staff}/change/",
    "/admin/rosters/staffmember/{staff}/history/",
    "/admin/rosters/staffmember/import/",
    "/admin/rosters/staffmember/export/",
    "/admin/rosters/warden/",
    "/admin/rosters/warden/{warden}/change/",
    "/admin/rosters/school/",
    "/admin/rosters/community/",
    "/admin/rosters/assemblypoint/",
    "/admin/posts/post/",
    "/admin/posts/post/{post}/change/",
]


def test_no_csp_violation_on_the_admin_roster_pages(page: Page, live_server, demo, problems):  # type: ignore[no-untyped-def]
    sign_in(page, live_server.url + "/admin/login/?next=/admin/", button="Log in")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    ids = {
        "staff": StaffMember.objects.filter(post=demo).first().pk,  # type: ignore[union-attr]
        "warden": Warden.objects.filter(post=demo).first().pk,  # type: ignore[union-attr]
        "post": demo.pk,
    }
    for path in ADMIN_PAGES:
        response = page.goto(live_server.url + path.format(**ids))
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
    # The export page's "select all" box, wired without an inline handler.
    page.goto(live_server.url + "/admin/rosters/staffmember/export/")
    toggle = page.locator("input.select-toggle")
    if toggle.count():
        toggle.uncheck()
        assert page.locator(".selectable-field-export-row input:checked").count() == 0
    # An action, the changelist's search and a filter.
    page.goto(live_server.url + "/admin/rosters/staffmember/?q=a")
    page.locator("#action-toggle").check()
    assert problems == []


def test_the_collector_sees_a_violation(page: Page, live_server, demo, problems):  # type: ignore[no-untyped-def]
    """The policy is enforced, and this test's collector would see a breach."""
    sign_in(page, live_server.url + "/")
    expect(page.get_by_role("heading", name="Posts by urgency")).to_be_visible()
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">inline</p>')"
    )
    page.wait_for_timeout(300)
    assert any("style-src" in p for p in problems), problems
