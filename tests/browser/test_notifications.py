"""A duty officer follows a post in a real browser; an indicator makes the real worker
change the post's recommendation; the officer sees the unread count in the header and the
line in the notification list, and receives the e-mail the worker wrote to a folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from readiness.assessments.models import Assessment
from readiness.notifications.models import Notification, Subscription
from tests.browser.test_csp import problems  # noqa: F401  (a fixture)
from tests.factories import UserFactory
from tests.worker.conftest import celery_on, redis_server, wait_for  # noqa: F401  (fixtures)
from tests.worker.test_notifications_worker import (  # noqa: F401  (fixtures)
    attack,
    mail_folder,
    mail_worker,
    mails,
    scored_post,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def test_a_subscriber_is_told_in_the_header_the_list_and_by_email(  # type: ignore[no-untyped-def]
    page: Page,
    live_server,
    mail_worker,  # noqa: F811
    mail_folder: Path,  # noqa: F811
    problems,  # noqa: F811
    artifacts,
) -> None:
    post = scored_post()
    wait_for(lambda: Assessment.objects.filter(post=post).exists(), 30, "the first assessment")
    duty = UserFactory(username="duty", is_staff=True, email="duty@ministry.example")

    page.goto(live_server.url + "/notifications/settings/")
    page.get_by_label("Username").fill("duty")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()

    form = page.locator("#subscription-form")
    form.get_by_label("Chosen posts").check()
    form.get_by_role("button", name="Follow").click()
    expect(page.locator("#subscription-form")).to_contain_text("Choose at least one post.")
    form = page.locator("#subscription-form")
    form.get_by_label("Posts", exact=True).select_option(label=str(post))
    form.get_by_label("Its recommended level changes").check()
    form.get_by_label("Also send me an e-mail").check()
    form.get_by_role("button", name="Follow").click()
    expect(page.locator("#subscriptions table")).to_contain_text("ML-BKO")
    assert Subscription.objects.get(user=duty).by_email
    page.screenshot(
        path=str(artifacts / "notification-settings.png"), full_page=True, caret="initial"
    )
    expect(page.locator("#notifications-link")).to_have_text("Notifications")  # none unread

    attack(post)  # committed here; the worker re-scores, fans out and sends
    wait_for(lambda: Notification.objects.filter(user=duty).exists(), 60, "the notification")
    (message,) = wait_for(lambda: mails(mail_folder), 30, "the worker's e-mail")
    assert "To: duty@ministry.example" in message

    page.goto(live_server.url + "/")
    expect(page.locator("#notifications-link .unread-count")).to_have_text("1")
    page.screenshot(path=str(artifacts / "notifications-header.png"), caret="initial")
    page.locator("#notifications-link").click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    line = page.locator("table.notifications tbody tr").first
    expect(line).to_contain_text(re.compile(r"ML-BKO .*: recommended level \d → \d"))
    line_text = line.inner_text()
    assert line_text.split(": ", 1)[1].split("\n")[0].split("\t")[0].strip() in message
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notifications-link .unread-count")).to_have_count(0)
    assert not Notification.objects.filter(user=duty, read_at__isnull=True).exists()
    assert problems == []
