"""What a duty officer found wrong with the dashboards (issue 11), each fixed and held here:
long texts, the scroll regions' names, the departed staff groups, truthful messages after a
write, the decision panel after another officer's decision, the overview's claim to update
by itself. Layout is proved in a browser (tests/browser/test_layout.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from readiness.assessments.services import post_rescore
from readiness.posts.models import Post
from readiness.rosters.models import StaffMember
from tests.dashboard.conftest import htmx, populate_post
from tests.factories import IndicatorFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def post_url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:post", args=[post.code])


def test_a_long_indicator_text_shows_its_start_and_the_whole_a_click_away(duty_client, db):  # type: ignore[no-untyped-def]
    post = populate_post(code="ZZ-LNG", indicators=1)
    text = "Convoy sighted " + "x" * 10_000
    IndicatorFactory(post=post, text=text, source="s" * 200)
    html = duty_client.get(post_url(post)).content.decode()
    row = html[html.index("Convoy sighted") - 400 :]
    assert '<details class="read-all">' in row
    assert re.search(r"Read all \(10.?015 characters\)", row)
    start = re.search(r'<span class="text-start">(.*?)</span>', row, re.S)
    assert start is not None and len(start.group(1)) < 400
    assert text in html  # the whole, inside the details
    short = IndicatorFactory(post=post, text="A short report")
    html = duty_client.get(post_url(post)).content.decode()
    assert f'<td class="what">{escape(short.text)} ' in html


def test_the_timeline_is_a_named_focusable_scroll_region(duty_client, db):  # type: ignore[no-untyped-def]
    post = populate_post(code="ZZ-SCR")
    html = duty_client.get(post_url(post)).content.decode()
    assert (
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="indicators-title">'
        in html
    )
    # Every scroll region on the page is focusable and named by an element that exists.
    for tag in re.findall(r'<div class="(?:table-wrap|chart-frame)"[^>]*>', html):
        assert 'tabindex="0"' in tag and 'role="region"' in tag, tag
        label = re.search(r'aria-labelledby="([^"]+)"', tag)
        assert label is not None and f'id="{label.group(1)}"' in html, tag


@pytest.fixture
def personal(duty_officer):  # type: ignore[no-untyped-def]
    duty_officer.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    return duty_officer


def test_unticking_a_group_asks_first_and_keeps_it_listed(duty_client, personal, db):  # type: ignore[no-untyped-def]

    # Ten people confirmed today: more than the eight the list shows; the group never was,
    # so it comes first.
    post = populate_post(code="ZZ-DEP", staff=10)
    StaffMember.objects.filter(post=post).update(last_confirmed_at=timezone.now())
    group = StaffMemberFactory(
        post=post,
        name="Drivers",
        headcount=20,
        dependants=7,
        phone="+223 70 00 00 00",
        last_confirmed_at=None,
    )
    url = reverse("dashboard:staff_confirm", args=[post.code, group.pk])
    prefix = f"staff-{group.pk}"
    untick = {f"{prefix}-phone": "+223 70 00 00 00"}

    # One click: refused, the box to confirm shown, nothing saved.
    response = duty_client.post(url, untick, **htmx("roster"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "takes 27 people out of the load" in html
    assert f'name="{prefix}-departure_confirmed"' in html
    assert StaffMember.objects.get(pk=group.pk).present is True

    # Confirmed: saved, and the group is still on the page, greyed, to tick again.
    response = duty_client.post(url, {**untick, f"{prefix}-departure_confirmed": "on"})
    assert response.status_code == 302
    assert StaffMember.objects.get(pk=group.pk).present is False
    html = duty_client.get(post_url(post)).content.decode()
    row = re.search(rf'<tr id="staff-{group.pk}" class="departed">.*?</tr>', html, re.S)
    assert row is not None and "left the country" in row.group(0)
    assert f'name="{prefix}-present"' in row.group(0)

    # Ticked again: present, back in the load.
    response = duty_client.post(url, {**untick, f"{prefix}-present": "on"})
    assert response.status_code == 302
    assert StaffMember.objects.get(pk=group.pk).present is True


def indicator_data() -> dict[str, str]:
    observed = timezone.now() - dt.timedelta(hours=2)  # the test posts are UTC
    return {
        "category": "threat_to_foreigners",
        "severity": "5",
        "reliability": "A",
        "credibility": "1",
        "source": "Embassy security officer",
        "text": "Armed group names French nationals as targets",
        "observed_at": observed.strftime("%Y-%m-%dT%H:%M"),
    }


def test_a_write_whose_rescore_is_queued_says_re_scoring_and_refreshes_nothing_yet(
    duty_client, post_a
):  # type: ignore[no-untyped-def]
    """In a test transaction the re-score waits for a commit that never comes: as with the
    real worker, it is queued when the answer is made."""
    url = reverse("dashboard:indicator_create", args=[post_a.code])
    response = duty_client.post(url, indicator_data(), **htmx("record-indicator"))
    assert response.status_code == 200
    assert "rescoreQueued" in response["HX-Trigger"]
    assert "assessmentChanged" not in response["HX-Trigger"]  # no refresh before it exists
    html = response.content.decode()
    assert "Indicator recorded. Re-scoring the post…" in html
    assert "has been re-scored" not in html
    # Without JavaScript, the message says the same.
    response = duty_client.post(url, indicator_data(), follow=True)
    assert "Indicator recorded; the post is being re-scored." in response.content.decode()
    # The poller, told at once, says "Re-scoring…" until the new assessment is in (the
    # commit would have claimed the re-score: done here by hand).
    page = duty_client.get(post_url(post_a)).content.decode()
    assert "rescoreQueued from:body" in page
    Post.objects.filter(pk=post_a.pk).update(rescore_requested_at=timezone.now())
    newest = Post.objects.get(pk=post_a.pk).newest_assessment_id
    poll = reverse("dashboard:post_poll", args=[post_a.code])
    answer = duty_client.get(f"{poll}?since={newest}&pending=0", **htmx("post-poll"))
    assert answer.status_code == 200 and "Re-scoring…" in answer.content.decode()
    assert "HX-Trigger" not in answer


@pytest.mark.django_db(transaction=True)
def test_a_write_rescored_in_process_refreshes_the_panels_once(client, duty_officer):  # type: ignore[no-untyped-def]
    """Tasks in-process: the re-score has run when the answer is made. The panels are told
    once, and the poller comes along at the new assessment, so the stream's news of that
    same assessment does not refresh them a second time."""
    post = populate_post(code="ZZ-ONE")
    client.force_login(duty_officer)
    before = Post.objects.get(pk=post.pk).newest_assessment_id
    url = reverse("dashboard:indicator_create", args=[post.code])
    response = client.post(url, indicator_data(), **htmx("record-indicator"))
    newest = Post.objects.get(pk=post.pk).newest_assessment_id
    assert newest != before
    assert "assessmentChanged" in response["HX-Trigger"]
    html = response.content.decode()
    assert "Indicator recorded. The post has been re-scored." in html
    poller = re.search(r'<p id="post-poll"[^>]*>', html)
    assert poller is not None
    assert 'hx-swap-oob="true"' in poller.group(0)
    assert f'data-version="{newest}"' in poller.group(0)


def test_the_decision_panel_refreshes_its_assessment_and_level_on_the_news(duty_client, post_a):  # type: ignore[no-untyped-def]
    page = duty_client.get(post_url(post_a)).content.decode()
    against = re.search(r'<div class="against" id="decision-against"[^>]*>', page)
    assert against is not None and "assessmentChanged from:body" in against.group(0)
    # Another officer decided: the level moved and a new assessment was made.
    Post.objects.filter(pk=post_a.pk).update(level=3)
    post_rescore(post_id=post_a.pk)
    newest = Post.objects.get(pk=post_a.pk).newest_assessment_id
    response = duty_client.get(post_url(post_a), **htmx("decision-against"))
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="against" id="decision-against"')
    assert "<textarea" not in html  # what the officer is typing is left alone
    assert "The post is at 3 ·" in html
    assert f'name="assessment" value="{newest}"' in html
    assert "Updated: the post's newest assessment and level are now shown" in html


def test_the_overview_says_it_updates_by_itself_only_where_a_script_shows_it(duty_client, post_a):  # type: ignore[no-untyped-def]
    html = duty_client.get(reverse("dashboard:overview")).content.decode()
    claim = "The table updates by itself when a post is re-scored."
    assert f'<span class="when-live" hidden>{claim}</span>' in html
    assert html.count("updates by itself") == 1
    assert "<noscript>Reload the page to see the newest assessments.</noscript>" in html
