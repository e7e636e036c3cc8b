"""A staff check-in end to end in a real browser: the officer starts it on the post page,
two staff members open the links from the mails (the locmem outbox) in a browser without an
account and answer, and the officer's open page shows the answers by itself."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from readiness.rosters.models import StaffMember
from tests.browser.test_morning_meeting import demo, sign_in  # noqa: F401  (a fixture)
from tests.factories import StaffMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"(https?://\S+/checkin/[A-Za-z0-9_-]+/)")


def console_errors(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if msg.type == "error" else None)
    return found


def link_for(address: str) -> str:
    message = next(m for m in mail.outbox if m.to == [address])
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_an_officer_starts_a_checkin_and_the_board_shows_the_answers(  # type: ignore[no-untyped-def]
    page: Page,
    browser: Browser,
    live_server,
    demo,  # noqa: F811
    artifacts,
):
    duty = User.objects.get(username="duty")
    duty.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    StaffMemberFactory(post=demo, name="Awa Traoré", email="awa@bamako.example")
    StaffMemberFactory(
        post=demo, name="Drivers", category="local", headcount=6, email="drivers@bamako.example"
    )
    mail.outbox.clear()
    errors = console_errors(page)

    sign_in(page, live_server.url + f"/posts/{demo.code}/")
    panel = page.locator("#checkins")
    expect(panel).to_contain_text("No check-in has been started")
    panel.get_by_label("A line for the message (optional)").fill("Stay home, keep your phone on")
    panel.get_by_role("button", name="Start a check-in").click()
    board = page.locator("#checkin-board")
    expect(board.locator('[data-count="waiting"]')).to_have_text("7")
    assert {m.to[0] for m in mail.outbox} == {"awa@bamako.example", "drivers@bamako.example"}

    # Each answers from a browser with no session: the link is the key.
    staff_side = browser.new_context()
    try:
        answer = staff_side.new_page()
        answer_errors = console_errors(answer)
        answer.goto(link_for("awa@bamako.example"))
        expect(answer.get_by_role("heading", name="Are you safe?")).to_be_visible()
        expect(answer.locator("main")).not_to_contain_text("Bamako")
        answer.get_by_label(re.compile("If you need help")).fill("Car broken down near the river")
        answer.get_by_role("button", name="I need help").click()
        expect(answer.get_by_role("status")).to_contain_text("Your answer was recorded: Needs help")
        answer.screenshot(
            path=str(artifacts / "checkin-answer.png"), full_page=True, caret="initial"
        )

        answer.goto(link_for("drivers@bamako.example"))
        expect(answer.locator("main")).to_contain_text("6 people")
        answer.get_by_role("button", name="I have already left the country").click()
        expect(answer.get_by_role("status")).to_contain_text("Has left the country")

        answer.goto(link_for("awa@bamako.example"))  # a second use
        expect(answer.locator("[data-reason]")).to_contain_text("already been used")
        # Only the refusal's own status (410) is reported, and no CSP violation.
        assert [e for e in answer_errors if "status of 410" not in e] == []
    finally:
        staff_side.close()

    # The officer's page was left open: the board refreshes by itself, need help first.
    expect(board.locator('[data-count="need_help"]')).to_have_text("1", timeout=40_000)
    expect(board.locator('[data-count="left"]')).to_have_text("6")
    expect(board.locator(".checkin-need-help")).to_contain_text("Car broken down near the river")
    expect(board.locator(".checkin-answered")).to_contain_text("Drivers")
    assert StaffMember.objects.get(post=demo, name="Drivers").present is False
    page.locator("#checkins").screenshot(path=str(artifacts / "checkin-board.png"), caret="initial")
    assert errors == []
