"""What a duty officer found wrong with the dashboards (issue 11), each fixed and held here:
long texts, the scroll regions' names, the departed staff groups, truthful messages after a
write, the decision panel after another officer's decision, the overview's claim to update
by itself. Layout is proved in a browser (tests/browser/test_layout.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

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
