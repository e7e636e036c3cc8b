"""The post page's "what changed since the last assessment" panel, through the test
client: the biggest changes first with their figures, in English and French."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation

from readiness.assessments.models import Assessment
from readiness.dashboard import changes
from readiness.indicators.services import indicator_record
from readiness.posts.models import Post
from tests.dashboard.conftest import htmx, scored
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

GERMANY = "Germany orders the departure of its non-essential staff"


def url(post: Post) -> str:
    return reverse("dashboard:post", args=[post.code])


def with_peer_action(post: Post) -> Post:
    """A peer action recorded after the demo's newest assessment, and the re-score."""
    indicator_record(
        post=post,
        category="peer_action",
        severity=5,
        reliability="A",
        credibility=1,
        source="Embassy of Germany",
        text=GERMANY + " and advises its citizens to leave by commercial flights.",
        observed_at=timezone.now() - dt.timedelta(hours=2),
    )
    return scored(post)


def test_the_panel_lists_the_new_indicator_and_what_it_moved(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    previous = Assessment.objects.filter(post=bamako_today).latest()
    post = with_peer_action(bamako_today)
    newest = Assessment.objects.filter(post=post).latest()
    assert newest.pk != previous.pk
    html = duty_client.get(url(post)).content.decode()
    with translation.override("en"):
        local = timezone.localtime(previous.evaluated_at, zoneinfo.ZoneInfo(post.timezone))
        when = formats.date_format(local, "j M H:i")
    assert f"What changed since the last assessment ({when})" in html
    panel = html[html.index('id="changes"') : html.index('id="charts"')]
    assert "New indicator" in panel and GERMANY in panel
    assert "Threat index" in panel
    threat_before = f"{round(previous.threat_index, 1):g}"
    threat_after = f"{round(newest.threat_index, 1):g}"
    assert threat_before in panel and threat_after in panel
    difference = round(round(newest.threat_index, 1) - round(previous.threat_index, 1), 1)
    assert f"+{difference:g}" in panel


def test_the_biggest_changes_come_first_and_the_rest_are_one_click_away(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    post = with_peer_action(bamako_today)
    page = duty_client.get(url(post)).context["page"]
    sizes = [c.size for c in page.changes]
    assert sizes == sorted(sizes, reverse=True)
    panel = page.changes_panel
    assert [r.code for r in panel.rows] == [c.code for c in page.changes if c.code != "clock"]
    codes = [r.code for r in panel.rows]
    # What was entered comes before the figures it moved.
    assert codes.index("indicator_new") < codes.index("threat_index")
    assert len(panel.first_rows) <= changes.SHOWN
    assert panel.first_rows + panel.more_rows == panel.rows
    html = duty_client.get(url(post)).content.decode()
    if panel.more_rows:
        assert "smaller change" in html


def test_the_panel_says_the_first_assessment_has_nothing_to_compare(duty_client):  # type: ignore[no-untyped-def]
    post = scored(PostFactory())
    assert Assessment.objects.filter(post=post).count() == 1
    html = duty_client.get(url(post)).content.decode()
    assert "first assessment: there is nothing to compare it with yet" in html


def test_a_re_score_with_nothing_entered_says_it_is_the_clock(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    post = scored(bamako_today)  # a second re-score: only the clock moved
    assert Assessment.objects.filter(post=post).count() >= 2
    html = duty_client.get(url(post)).content.decode()
    assert "Nothing that weighs was entered in between" in html


def test_the_panel_refreshes_alone(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    post = with_peer_action(bamako_today)
    response = duty_client.get(url(post), **htmx("changes"))
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="changes"')
    assert 'hx-trigger="assessmentChanged from:body"' in html
    assert 'id="charts"' not in html


def test_the_previous_explanation_is_kept_in_the_cache_cut_to_what_is_compared(
    duty_client, bamako_today
):  # type: ignore[no-untyped-def]
    post = with_peer_action(bamako_today)
    post.refresh_from_db()
    newest = Assessment.objects.get(pk=post.newest_assessment_id)
    previous = (
        Assessment.objects.filter(post=post, evaluated_at__lte=newest.evaluated_at)
        .exclude(pk=newest.pk)
        .order_by("-evaluated_at", "-id")
        .first()
    )
    assert previous is not None
    duty_client.get(url(post))
    parts = cache.get(f"previous-parts:{previous.pk}:{previous.evaluated_at.isoformat()}")
    assert parts is not None
    assert "trend" not in parts and "categories" not in parts  # only what is compared
    assert "text" not in parts["indicators"]["columns"]


@pytest.fixture
def back_to_english():  # type: ignore[no-untyped-def]
    """A request in French leaves French active in the test's thread: not for the next."""
    with translation.override("en"):
        yield


def test_the_panel_in_french(client, duty_officer, bamako_today, back_to_english):  # type: ignore[no-untyped-def]
    client.force_login(duty_officer)
    post = with_peer_action(bamako_today)
    html = client.get(url(post), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce qui a changé depuis l'évaluation précédente (" in html
    assert "Nouvel indicateur" in html and "Indice de menace" in html
    with translation.override("fr"):
        assert changes.elapsed(1440) == "1 jour"
        assert changes.elapsed(0) == "moins d'une minute"
