"""Recording an indicator from the post page."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Assessment
from readiness.indicators.models import Indicator
from tests.dashboard.conftest import htmx

pytestmark = pytest.mark.django_db


def url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:indicator_create", args=[post.code])


def data(**changes):  # type: ignore[no-untyped-def]
    local = timezone.now().astimezone(dt.UTC) - dt.timedelta(hours=2)  # the posts are UTC+0
    values = {
        "category": "threat_to_foreigners",
        "severity": "5",
        "reliability": "A",
        "credibility": "1",
        "source": "Embassy security officer",
        "text": "Armed group names French nationals as targets",
        "observed_at": local.strftime("%Y-%m-%dT%H:%M"),
    }
    values.update(changes)
    return values


def test_htmx_success_records_rescores_and_announces(
    duty_client, bamako_today, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    before = Assessment.objects.filter(post=bamako_today).latest()
    with django_capture_on_commit_callbacks(execute=True):
        response = duty_client.post(url(bamako_today), data(), **htmx("record-indicator"))
    assert response.status_code == 200
    assert "rescoreQueued" in response["HX-Trigger"]  # queued: a test transaction never commits
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="record-indicator"')
    assert "Indicator recorded" in html
    indicator = Indicator.objects.get(text="Armed group names French nationals as targets")
    assert indicator.recorded_by.username == "duty"
    after = Assessment.objects.filter(post=bamako_today).latest()
    assert after.pk != before.pk
    assert after.threat_index > before.threat_index


def test_a_datetime_is_read_in_the_posts_time_zone(duty_client, post_a):  # type: ignore[no-untyped-def]
    post_a.timezone = "Asia/Beirut"
    post_a.save()
    local = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=2))).replace(tzinfo=None)
    observed = (local - dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    duty_client.post(url(post_a), data(observed_at=observed.strftime("%Y-%m-%dT%H:%M")))
    indicator = Indicator.objects.get(post=post_a, category="threat_to_foreigners")
    assert (
        indicator.observed_at.astimezone(zoneinfo.ZoneInfo("Asia/Beirut")).replace(tzinfo=None)
        == observed
    )


def test_without_javascript_success_redirects(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.post(url(post_a), data())
    assert response.status_code == 302
    assert response["Location"].endswith(f"/posts/{post_a.code}/#indicators")
    follow = duty_client.get(response["Location"].split("#")[0])
    assert "Indicator recorded" in follow.content.decode()


def test_a_future_observation_shows_the_error_in_place_and_keeps_the_input(duty_client, post_a):  # type: ignore[no-untyped-def]
    future = (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = duty_client.post(url(post_a), data(observed_at=future), **htmx("record-indicator"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "cannot be observed in the future" in html
    assert "Armed group names French nationals as targets" in html
    assert 'value="Embassy security officer"' in html
    assert '<option value="A" selected>' in html
    assert f'value="{future}"' in html
    assert not Indicator.objects.filter(post=post_a, category="threat_to_foreigners").exists()


def test_missing_fields_are_named(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.post(url(post_a), data(severity="", text=""), **htmx("record-indicator"))
    html = response.content.decode()
    assert response.status_code == 422
    assert html.count("This field is required") == 2
    assert 'aria-invalid="true"' in html


def test_without_javascript_an_error_renders_the_whole_page(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.post(url(post_a), data(severity="9"))
    assert response.status_code == 422
    assert "<html" in response.content.decode()


def test_a_post_officer_feeds_their_post(officer_client, post_a):  # type: ignore[no-untyped-def]
    assert officer_client.post(url(post_a), data()).status_code == 302
    assert Indicator.objects.filter(post=post_a, recorded_by__username="officer").exists()


def test_a_post_officer_cannot_feed_another_post(officer_client, post_b):  # type: ignore[no-untyped-def]
    assert officer_client.post(url(post_b), data()).status_code == 404
    assert not Indicator.objects.filter(post=post_b, category="threat_to_foreigners").exists()


def test_an_outsider_cannot_feed_a_post(outsider_client, post_a):  # type: ignore[no-untyped-def]
    assert outsider_client.post(url(post_a), data()).status_code == 404


def test_the_form_offers_event_and_de_escalation_with_their_help(duty_client, post_a):  # type: ignore[no-untyped-def]
    html = duty_client.get(reverse("dashboard:post", args=[post_a.code])).content.decode()
    assert 'name="event"' in html and 'name="de_escalation"' in html
    assert "kayes-road-blockade" in html, "the event's help gives an example key"
    assert "A route reopened, a ceasefire, a curfew lifted." in html


def test_event_and_de_escalation_are_recorded(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.post(url(post_a), data(event="kayes-road-blockade", de_escalation="on"))
    assert response.status_code == 302
    indicator = Indicator.objects.get(post=post_a, category="threat_to_foreigners")
    assert (indicator.event, indicator.de_escalation) == ("kayes-road-blockade", True)


def test_without_them_an_indicator_is_an_event_of_its_own_that_raises_the_threat(
    duty_client, post_a
):  # type: ignore[no-untyped-def]
    duty_client.post(url(post_a), data())
    indicator = Indicator.objects.get(post=post_a, category="threat_to_foreigners")
    assert (indicator.event, indicator.de_escalation) == ("", False)


def test_an_event_with_spaces_is_refused_in_place(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.post(
        url(post_a), data(event="kayes road blockade"), **htmx("record-indicator")
    )
    assert response.status_code == 422
    assert "without spaces" in response.content.decode()
    assert not Indicator.objects.filter(post=post_a, category="threat_to_foreigners").exists()


def test_an_observation_more_than_five_years_old_is_refused_in_place(duty_client, post_a):  # type: ignore[no-untyped-def]
    old = (timezone.now() - dt.timedelta(days=6 * 365)).strftime("%Y-%m-%dT%H:%M")
    response = duty_client.post(url(post_a), data(observed_at=old), **htmx("record-indicator"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "more than five years ago" in html
    assert f'value="{old}"' in html
    assert not Indicator.objects.filter(post=post_a, category="threat_to_foreigners").exists()


def test_an_expiry_after_2100_is_refused_in_place(duty_client, post_a):  # type: ignore[no-untyped-def]
    response = duty_client.post(
        url(post_a), data(expires_at="2205-01-01T00:00"), **htmx("record-indicator")
    )
    assert response.status_code == 422
    assert "after the year 2100" in response.content.decode()
    assert not Indicator.objects.filter(post=post_a, category="threat_to_foreigners").exists()
