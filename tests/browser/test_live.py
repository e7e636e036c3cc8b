"""Open pages are told, not left to poll: with the pages' poll slowed to a minute, a new
assessment still reaches an open overview and an open post page within seconds, through
their event streams (static/readiness/dashboard.js)."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from readiness.dashboard import pages, views
from readiness.indicators.services import indicator_record
from tests.browser.test_morning_meeting import demo, sign_in  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_poll(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pages, "POLL_SECONDS", 60)
    monkeypatch.setattr(views, "STREAM_SECONDS", 20)
    monkeypatch.setattr(views, "QUIET_CHECK_SECONDS", 1)


def attack(post) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    indicator_record(
        post=post, category="incident", severity=5, reliability="A", credibility=1,
        source="Post security officer", text="Attack on the airport road",
        observed_at=timezone.now(),
    )  # fmt: skip
    return started


def test_an_open_overview_is_told(page: Page, live_server, demo, no_poll):  # type: ignore[no-untyped-def]  # noqa: F811
    with page.expect_request(lambda r: "/events/" in r.url):  # the page's event stream
        sign_in(page, live_server.url + "/")
    cell = page.locator("#post-ML-BKO .threat-value")
    before = cell.inner_text()
    started = attack(demo)
    expect(cell).not_to_have_text(before, timeout=5000)
    assert time.monotonic() - started < 5  # and the poll would have taken a minute


def test_an_open_post_page_is_told(page: Page, live_server, demo, no_poll):  # type: ignore[no-untyped-def]  # noqa: F811
    with page.expect_request(lambda r: "/events/" in r.url):
        sign_in(page, live_server.url + f"/posts/{demo.code}/")
    threat = page.locator("#threat-index")
    before = threat.inner_text()
    attack(demo)
    expect(threat).not_to_have_text(before, timeout=5000)
    expect(page.locator("#indicators")).to_contain_text("Attack on the airport road")
