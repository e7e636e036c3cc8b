"""scenario_load(): what a scenario's rows become in the database, and the figures it refuses
(readiness/posts/limits.py) with the row named and nothing loaded."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from readiness.indicators.models import Indicator
from readiness.posts.models import Post
from readiness.scenarios.schema import parse_scenario
from readiness.scenarios.services import scenario_load
from tests.scenarios.builders import SECTIONS, scenario_text, timeline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():  # type: ignore[no-untyped-def]
    # The messages are read in English; a French page rendered by an earlier test leaves
    # French active in this thread (LocaleMiddleware activates, nothing deactivates).
    with translation.override("en"):
        yield


REOPENED = """
    - at: 2025-01-09
      indicator:
        key: reopened
        event: kayes-road
        de_escalation: true
        category: transport
        severity: 2
        reliability: B
        credibility: 2
        source: Press
        text: The Kayes road has reopened to traffic.
    """
CLOSED = """
    - at: 2025-01-06
      indicator:
        key: closed
        event: kayes-road
        category: transport
        severity: 4
        reliability: B
        credibility: 2
        ongoing: true
        source: Press
        text: The Kayes road is closed by the armed group.
    """


def test_event_and_de_escalation_are_stored():  # type: ignore[no-untyped-def]
    scenario = parse_scenario(scenario_text(timeline=timeline(CLOSED, REOPENED)))
    post = scenario_load(scenario).post
    closed = Indicator.objects.get(post=post, external_id="demo:closed")
    reopened = Indicator.objects.get(post=post, external_id="demo:reopened")
    assert (closed.event, closed.de_escalation) == ("kayes-road", False)
    assert (reopened.event, reopened.de_escalation) == ("kayes-road", True)


def test_without_them_an_indicator_has_no_event_and_raises_the_threat():  # type: ignore[no-untyped-def]
    post = scenario_load(parse_scenario(scenario_text())).post
    blockade = Indicator.objects.get(post=post, external_id="demo:blockade")
    assert (blockade.event, blockade.de_escalation) == ("", False)


def test_a_changed_event_is_updated_on_reload():  # type: ignore[no-untyped-def]
    scenario_load(parse_scenario(scenario_text(timeline=timeline(CLOSED))))
    renamed = CLOSED.replace("event: kayes-road", "event: kayes-road-closure")
    report = scenario_load(parse_scenario(scenario_text(timeline=timeline(renamed))))
    assert report.updated == {"indicators": 1}
    assert Indicator.objects.get(external_id="demo:closed").event == "kayes-road-closure"


def test_seats_above_the_ceiling_are_refused_with_the_route_named():  # type: ignore[no-untyped-def]
    routes = SECTIONS["routes"].replace("seats_per_day: 80", "seats_per_day: 80000")
    with pytest.raises(ValueError) as caught:
        scenario_load(parse_scenario(scenario_text(routes=routes)))
    message = str(caught.value)
    assert message.startswith("routes air: seats_per_day:")
    assert "more than any route carries" in message
    assert not Post.objects.exists(), "the load is all or nothing"


def test_a_route_change_above_the_ceiling_is_refused_too():  # type: ignore[no-untyped-def]
    change = """
        - at: 2025-01-06
          route: {key: air, seats_per_day: 25000}
        """
    with pytest.raises(ValueError, match="routes air: seats_per_day: 25000 seats a day"):
        scenario_load(parse_scenario(scenario_text(timeline=timeline(change))))


def test_a_staff_group_above_the_ceiling_is_refused_with_the_row_named():  # type: ignore[no-untyped-def]
    staff = SECTIONS["staff"].replace("count: 10,", "count: 10000,")
    with pytest.raises(ValueError) as caught:
        scenario_load(parse_scenario(scenario_text(staff=staff)))
    assert "staff Expatriate staff, essential (group 1): headcount: 10000 people" in str(
        caught.value
    )
    assert not Post.objects.exists()


def test_the_command_reports_the_refusal_without_a_traceback(tmp_path):  # type: ignore[no-untyped-def]
    routes = SECTIONS["routes"].replace("seats_per_day: 80", "seats_per_day: 80000")
    path = tmp_path / "demo.yaml"
    path.write_text(scenario_text(routes=routes))
    with pytest.raises(CommandError, match="not loaded: routes air: seats_per_day"):
        call_command("load_scenario", str(path), stdout=io.StringIO())
