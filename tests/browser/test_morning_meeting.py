"""A duty officer runs the morning meeting on the Bamako demo in a real browser: sign in,
overview, Bamako, record an indicator and watch the gauge change without a reload, record
a decision, open the brief. And the overview updates by itself, keeping filters and scroll.

The live server uses a transactional database, so the scenario is loaded inside each test
(its writes commit, and the re-score runs on commit, in-process)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from readiness.assessments.models import Assessment
from readiness.briefs.models import IssuedBrief
from readiness.indicators.services import indicator_record
from readiness.posts.models import Post
from tests.factories import PostFactory, UserFactory
from tests.saying import sentence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCENARIO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def demo(live_server):  # type: ignore[no-untyped-def]
    call_command("load_scenario", str(SCENARIO), "--as-if-today", "2025-11-19", verbosity=0)
    post = Post.objects.get(code="ML-BKO")
    assert Assessment.objects.filter(post=post).exists(), "scored on commit"
    UserFactory(username="duty", first_name="Claire", last_name="Martin", is_staff=True)
    return post


def sign_in(page: Page, url: str) -> None:
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("duty")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_morning_meeting(page: Page, live_server, demo, artifacts):  # type: ignore[no-untyped-def]
    sign_in(page, live_server.url + "/")
    expect(page.get_by_role("heading", name="Posts by urgency")).to_be_visible()
    row = page.locator("#post-ML-BKO")
    stored = Assessment.objects.filter(post=demo).latest()
    expect(row.locator(".gauge")).to_have_class(re.compile(f"gauge-{stored.verdict}"))
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True, caret="initial")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Bamako"))).to_be_visible()
    threat = page.locator("#threat-index")
    before = threat.inner_text()
    expect(page.locator("#gauge-sentence")).to_have_text(sentence(stored.explanation))
    page.evaluate("window.notReloaded = true")

    form = page.locator("#record-indicator")
    form.get_by_label("Category").select_option("threat_to_foreigners")
    form.get_by_label("Severity").select_option("5")
    form.get_by_label("Source reliability").select_option("A")
    form.get_by_label("Information credibility").select_option("1")
    form.get_by_label(re.compile(r"^Source:?$")).fill("Embassy security officer")
    form.get_by_label("What was observed").fill("Armed group names French nationals as targets")
    form.get_by_role("button", name="Record the indicator").click()
    expect(page.locator("#record-indicator")).to_contain_text("Indicator recorded")
    expect(threat).not_to_have_text(before)  # the gauge panel refreshed itself
    assert page.evaluate("window.notReloaded") is True, "no reload"
    newest = Assessment.objects.filter(post=demo).latest()
    assert newest.pk != stored.pk
    expect(threat).to_have_text(f"{newest.threat_index:.1f}".removesuffix(".0"))
    expect(page.locator("#indicators")).to_contain_text("Armed group names French nationals")
    page.screenshot(path=str(artifacts / "post.png"), full_page=True, caret="initial")

    decision = page.locator("#record-decision")
    target = newest.recommended_level if newest.recommended_level != demo.level else demo.level + 1
    decision.get_by_label("New level").select_option(str(target))
    decision.get_by_label("Rationale").fill("Fuel blockade tightening; two peers have left.")
    if target != newest.recommended_level:
        decision.get_by_label("I confirm").check()
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decisions")).to_contain_text(
        "Fuel blockade tightening; two peers have left."
    )
    expect(page.locator("#gauge dd").first).to_contain_text(f"{target} ·")
    assert Post.objects.get(pk=demo.pk).level == target
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("link", name="Daily brief").click()
    expect(page.get_by_role("heading", name="Daily brief")).to_be_visible()
    expect(page.locator(".brief-decisions")).to_contain_text("Fuel blockade tightening")
    expect(page.locator("#brief-window")).to_contain_text("No brief was issued before")

    # The officer issues the brief: recorded with who and the marking, shown as issued.
    page.get_by_role("button", name="Issue this brief").click()
    expect(page.locator(".messages")).to_contain_text("Brief issued")
    expect(page.locator(".brief .author")).to_contain_text("Issued by Claire Martin")
    expect(page.locator(".marking-top")).to_have_text(settings.BRIEF_CLASSIFICATION)
    expect(page.locator(".marking-bottom")).to_have_text(settings.BRIEF_CLASSIFICATION)
    issued = IssuedBrief.objects.get()
    assert issued.issued_by.username == "duty"
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.screenshot(path=str(artifacts / "brief-print.png"), full_page=True, caret="initial")
    # One printed page per post after the summary.
    pdf = page.pdf(format="A4")
    (artifacts / "brief.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1 + Post.objects.count()
    page.emulate_media(media="screen")

    # Something happens after it; the next brief shows it "since the last brief".
    indicator_record(
        post=demo,
        category="incident",
        severity=5,
        reliability="A",
        credibility=1,
        source="Post security officer",
        text="Shots fired at the main checkpoint",
        observed_at=timezone.now(),
    )
    page.get_by_role("link", name="Daily brief").click()
    expect(page.locator("#brief-window")).to_contain_text("Since the last brief, issued")
    expect(page.locator("#brief-window")).to_contain_text("by Claire Martin")
    section = page.locator("#brief-post-ML-BKO")
    expect(section.locator(".since")).to_contain_text("Shots fired at the main checkpoint")
    expect(section.locator(".since")).not_to_contain_text("Fuel blockade tightening")
    expect(page.locator(".brief-summary")).to_contain_text("ML-BKO")


def test_the_overview_updates_by_itself_keeping_filters_and_scroll(
    page: Page, live_server, demo, artifacts
):  # type: ignore[no-untyped-def]
    Post.objects.filter(pk=demo.pk).update(region="Sahel")
    for i in range(40):
        PostFactory(code=f"ZZ-S{i:03d}", region="Sahel", ladder=None)
    page.set_viewport_size({"width": 1280, "height": 600})
    sign_in(page, live_server.url + "/?region=Sahel")
    expect(page.locator("#post-ML-BKO")).to_be_visible()
    cell = page.locator("#post-ML-BKO .threat-value")
    before = cell.inner_text()
    page.mouse.wheel(0, 400)
    # Polled from here: wait_for_function evaluates a string in the page, which the CSP
    # (no unsafe-eval) refuses.
    for _ in range(50):
        if page.evaluate("window.scrollY") > 100:
            break
        page.wait_for_timeout(100)
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 100

    started = timezone.now()
    indicator_record(
        post=demo,
        category="incident",
        severity=5,
        reliability="A",
        credibility=1,
        source="Post security officer",
        text="Attack on the airport road",
        observed_at=timezone.now(),
    )
    expect(cell).not_to_have_text(before, timeout=5000)
    assert (timezone.now() - started).total_seconds() < 5
    assert page.evaluate("window.scrollY") == scrolled
    expect(page.get_by_label("Region")).to_have_value("Sahel")
    assert "region=Sahel" in page.url
    assert page.locator("#overview-rows tbody tr").count() == 41
