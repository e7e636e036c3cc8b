"""The pages as a duty officer meets them on a phone, in French, and through a screen reader's
eyes: at 390 px the post page does not scroll sideways and its charts' text stays inside
the charts; in French neither; axe-core (shipped by the axe-playwright-python package, run
from the local file, never a CDN) finds no serious or critical violation on the app's pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from readiness.assessments.models import Assessment
from readiness.indicators.models import Indicator
from readiness.posts.models import Post
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCENARIO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"
PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}

# Evaluated as a function expression (a string run by wait_for_function is refused by the
# Content Security Policy; page.evaluate is not).
OVERFLOW = """() => ({
  scroll: document.documentElement.scrollWidth,
  inner: window.innerWidth,
  wide: [...document.querySelectorAll("main *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((e) => !e.closest(".table-wrap, .chart-frame, .visually-hidden"))
    .slice(0, 5)
    .map((e) => e.tagName + "." + e.getAttribute("class") + "#" + e.id),
})"""

# Every text of every chart inside its SVG (the drawn box, rotations included: the client
# rectangles), and drawn at least 10 px tall.
CHART_TEXT = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart-svg")) {
    const s = svg.getBoundingClientRect();
    const scale = s.width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll("text")) {
      const b = t.getBoundingClientRect();
      const clipped = b.left < s.left - 1 || b.top < s.top - 1 ||
        b.right > s.right + 1 || b.bottom > s.bottom + 1;
      out.push({text: t.textContent, clipped: clipped,
                px: parseFloat(getComputedStyle(t).fontSize) * scale,
                box: [b.left - s.left, b.top - s.top, b.width, b.height].map(Math.round)});
    }
  }
  return out;
}"""

# Pairs of texts of one chart whose boxes overlap.
CHART_OVERLAPS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll("svg.chart-svg")) {
    const boxes = [...svg.querySelectorAll("text")]
      .map((t) => [t.textContent, t.getBoundingClientRect()])
      .map(([text, r]) => [text, {x: r.left, y: r.top, width: r.width, height: r.height}]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [ta, a] = boxes[i], [tb, b] = boxes[j];
        if (a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 &&
            a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1) {
          out.push(ta + " / " + tb);
        }
      }
    }
  }
  return out;
}"""


@pytest.fixture
def demo(live_server):  # type: ignore[no-untyped-def]
    call_command("load_scenario", str(SCENARIO), "--as-if-today", "2025-11-19", verbosity=0)
    post = Post.objects.get(code="ML-BKO")
    assert Assessment.objects.filter(post=post).exists()
    UserFactory(username="duty", is_staff=True, is_superuser=True)
    return post


def sign_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label(re.compile("Username|Nom d.utilisateur")).fill("duty")
    page.get_by_label(re.compile("Password|Mot de passe")).fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def assert_fits(page: Page) -> None:
    found: dict[str, Any] = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["inner"], found
    texts = page.evaluate(CHART_TEXT)
    assert texts, "the page has charts"
    clipped = [t for t in texts if t["clipped"]]
    assert clipped == [], clipped
    small = [t for t in texts if t["px"] < 10]
    assert small == [], small
    assert page.evaluate(CHART_OVERLAPS) == []


def test_the_post_page_on_a_phone(page: Page, live_server, demo, artifacts):  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    sign_in(page, f"{live_server.url}/posts/{demo.code}/")
    expect(page.locator("#charts svg").first).to_be_visible()
    page.screenshot(path=str(artifacts / "post-390.png"), full_page=True, caret="initial")
    assert_fits(page)
    # The route checks and staff confirmations read one block per row: their regions do not
    # scroll, and every input is inside the screen (they were clipped).
    clipped = page.evaluate(
        """() => [...document.querySelectorAll(
            ".table-wrap:has(> table.routes), .table-wrap:has(> table.staff-confirm)")]
          .filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.parentElement.id)
          .concat([...document.querySelectorAll("#routes form input, #roster form input")]
            .filter((i) => i.type !== "hidden" && i.getBoundingClientRect().right > innerWidth)
            .map((i) => i.name))"""
    )
    assert page.locator("#roster .staff-confirm form").count() > 0
    assert clipped == []


def test_the_post_page_in_french_on_a_phone_and_wide(page: Page, live_server, demo, artifacts):  # type: ignore[no-untyped-def]
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    sign_in(page, f"{live_server.url}/posts/{demo.code}/")
    expect(page.get_by_role("heading", name="Graphiques")).to_be_visible()
    assert_fits(page)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("heading", name="Graphiques")).to_be_visible()
    page.screenshot(path=str(artifacts / "post-390-fr.png"), full_page=True, caret="initial")
    assert_fits(page)


def test_long_texts_do_not_widen_the_post_page(page: Page, live_server, demo):  # type: ignore[no-untyped-def]
    latest = Indicator.objects.filter(post=demo).order_by("-observed_at").first()
    assert latest is not None
    from readiness.evidence import evidence_path

    with evidence_path("migration"):
        Indicator.objects.filter(pk=latest.pk).update(text="word " * 2000, source="x" * 200)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, f"{live_server.url}/posts/{demo.code}/")
    row = page.locator(f"#indicator-{latest.pk}")
    expect(row).to_be_visible()
    assert row.bounding_box()["height"] < 300  # type: ignore[index]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    timeline = page.locator("#indicators .table-wrap")
    assert timeline.bounding_box()["width"] <= 1440  # type: ignore[index]
    # The whole text is one click away.
    row.get_by_text(re.compile("Read all|Lire tout")).click()
    expect(row).to_contain_text(("word " * 2000).strip()[:3000])


AXE = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations of the page as it is now."""
    page.evaluate(AXE.read_text())  # the engine, from the installed package's own file
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious(page: Page, live_server, demo):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    found = {"/accounts/login/": axe_violations(page)}
    sign_in(page, f"{live_server.url}/")
    for url in ("/", f"/posts/{demo.code}/", "/brief/"):
        page.goto(live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        found[url] = axe_violations(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/posts/{demo.code}/")
    found["post page, 390 px"] = axe_violations(page)
    assert found == {key: [] for key in found}
