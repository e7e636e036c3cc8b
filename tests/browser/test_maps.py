"""The maps in a real browser: the overview's world map shows the Bamako post coloured by
its verdict and leads to its page, whose city and region maps draw the routes by status
(colour and dash from static/readiness/maps.css) with no CSP complaint."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from readiness.assessments.models import Assessment
from tests.browser.test_csp import problems  # noqa: F401  (a fixture)
from tests.browser.test_morning_meeting import demo, sign_in  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The gauge's colours (static/readiness/dashboard.css), as the browser computes them.
COLOURS = {"late": "rgb(143, 16, 16)", "act_now": "rgb(168, 67, 0)", "watch": "rgb(242, 194, 48)",
           "on_time": "rgb(29, 107, 53)", "too_early": "rgb(57, 73, 163)"}  # fmt: skip


def test_the_world_map_leads_to_the_posts_maps(page: Page, live_server, demo, problems, artifacts):  # type: ignore[no-untyped-def]  # noqa: F811
    with page.expect_response(lambda r: r.url.endswith("/world-110m.svg")) as basemap:
        sign_in(page, live_server.url + "/")
    assert basemap.value.ok  # the world's countries, a static file
    world = page.locator("#world-map svg")
    expect(world).to_be_visible()
    expect(world).to_have_attribute("role", "group")  # its dots are links (axe: nested-interactive)
    dot = world.locator('a[data-code="ML-BKO"]')
    verdict = Assessment.objects.filter(post=demo).latest().verdict
    expect(dot).to_have_class(re.compile(f"verdict-{verdict}"))
    expect(dot.locator("circle")).to_have_css("fill", COLOURS[verdict])
    page.screenshot(path=str(artifacts / "overview-map.png"), full_page=True, caret="initial")

    dot.click()
    expect(page).to_have_url(re.compile(r"/posts/ML-BKO/$"))
    panel = page.locator("#map")
    expect(panel.get_by_role("heading", name="Map: city and region")).to_be_visible()
    region = panel.locator('svg[data-map="map-region"]')
    city = panel.locator('svg[data-map="map-city"]')
    expect(region).to_be_visible()
    expect(city).to_be_visible()
    closed = region.locator(".map-route.route-closed .route-line")
    expect(closed).to_have_count(1)  # the Dakar road
    expect(closed).to_have_css("stroke", COLOURS["late"])
    expect(closed).to_have_css("stroke-dasharray", "3px, 6px")
    expect(region.locator(".map-route.route-open .route-line").first).to_have_css(
        "stroke", COLOURS["on_time"]
    )
    expect(city.locator(".mark-assembly")).to_have_count(3)
    expect(city.locator(".mark-warden")).to_have_count(5)
    expect(
        panel.locator(".map-list li", has_text="3. Lycée Liberté sports ground, room for 1,200")
    ).to_be_visible()
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(artifacts / "post-map.png"), caret="initial")
    assert not problems, "\n".join(problems)
