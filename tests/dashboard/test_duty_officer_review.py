"""What a duty officer found wrong with the dashboards (issue 11), each fixed and held here:
long texts, the scroll regions' names, the departed staff groups, truthful messages after a
write, the decision panel after another officer's decision, the overview's claim to update
by itself. Layout is proved in a browser (tests/browser/test_layout.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.dashboard.conftest import populate_post
from tests.factories import IndicatorFactory

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
