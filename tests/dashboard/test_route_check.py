"""route_check() and its view: mark a route verified with its status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from readiness.posts.models import ExitRoute
from readiness.posts.services import route_check
from tests.dashboard.conftest import htmx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():  # type: ignore[no-untyped-def]
    # The messages are read in English; a French page rendered by an earlier test leaves
    # French active in this thread (LocaleMiddleware activates, nothing deactivates).
    with translation.override("en"):
        yield


def url(route) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:route_check", args=[route.post.code, route.pk])


def test_a_check_sets_status_and_verification_time(post_a, duty_officer):  # type: ignore[no-untyped-def]
    route = post_a.routes.first()
    at = timezone.now()
    route_check(
        route=route,
        status="degraded",
        seats_per_day=30,
        note="Two flights cancelled",
        user=duty_officer,
        at=at,
    )
    route.refresh_from_db()
    assert (route.status, route.seats_per_day, route.verified_at) == ("degraded", 30, at)
    assert route.notes.endswith("duty: Two flights cancelled")


def test_notes_accumulate(post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.first()
    route_check(route=route, status="open", note="first")
    route_check(route=route, status="open", note="second")
    route.refresh_from_db()
    assert route.notes.index("first") < route.notes.index("second")


def test_a_bad_status_is_refused(post_a):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        route_check(route=post_a.routes.first(), status="teleport")


def test_htmx_check_swaps_the_routes_panel_and_announces(
    officer_client, post_a, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    route = post_a.routes.first()
    prefix = f"route-{route.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            url(route),
            {f"{prefix}-status": "closed", f"{prefix}-seats_per_day": "0"},
            **htmx("routes"),
        )
    assert response.status_code == 200
    assert "rescoreQueued" in response["HX-Trigger"]  # queued: a test transaction never commits
    assert response.content.decode().lstrip().startswith('<section id="routes"')
    route.refresh_from_db()
    assert route.status == "closed" and route.verified_at > timezone.now() - dt.timedelta(minutes=1)


def test_an_invalid_check_shows_the_error_on_its_row(duty_client, post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.first()
    prefix = f"route-{route.pk}"
    response = duty_client.post(
        url(route),
        {f"{prefix}-status": "open", f"{prefix}-seats_per_day": "-5", f"{prefix}-note": "keep me"},
        **htmx("routes"),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "greater than or equal to 0" in html
    assert 'value="keep me"' in html
    assert ExitRoute.objects.get(pk=route.pk).verified_at is None


def test_without_javascript_a_check_redirects(duty_client, post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.first()
    response = duty_client.post(url(route), {f"route-{route.pk}-status": "open"})
    assert response.status_code == 302 and response["Location"].endswith("#routes")


def test_a_route_of_another_post_is_404(officer_client, post_a, post_b):  # type: ignore[no-untyped-def]
    route = post_b.routes.first()
    assert officer_client.post(url(route), {f"route-{route.pk}-status": "open"}).status_code == 404
    other = reverse("dashboard:route_check", args=[post_a.code, route.pk])
    assert officer_client.post(other, {f"route-{route.pk}-status": "open"}).status_code == 404


# --- Plausibility of seats a day (readiness/posts/limits.py) ------------------------------


def check(client, route, **fields):  # type: ignore[no-untyped-def]
    prefix = f"route-{route.pk}"
    payload = {f"{prefix}-{name}": value for name, value in {"status": "open", **fields}.items()}
    return client.post(url(route), payload, **htmx("routes"))


def test_seats_above_the_physical_ceiling_are_refused(duty_client, post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.get(seats_per_day=80)
    response = check(duty_client, route, seats_per_day="25000", seats_confirmed="on")
    assert response.status_code == 422
    assert "More seats a day than any route carries" in response.content.decode()
    route.refresh_from_db()
    assert (route.seats_per_day, route.verified_at) == (80, None)


def test_the_service_refuses_seats_above_the_ceiling_too(post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.get(seats_per_day=80)
    for confirmed in (True, False):  # the ceiling is said first: a tick cannot lift it
        route.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            route_check(route=route, status="open", seats_per_day=25_000, seats_confirmed=confirmed)
        assert "more than any route carries" in str(caught.value)
        assert ExitRoute.objects.get(pk=route.pk).seats_per_day == 80


def test_a_tenfold_jump_asks_for_confirmation_and_saves_nothing(duty_client, post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.get(seats_per_day=80)
    response = check(duty_client, route, seats_per_day="900", note="keep me")
    html = response.content.decode()
    assert response.status_code == 422
    assert "more than 10 times the 80 recorded" in html
    assert f'name="route-{route.pk}-seats_confirmed"' in html, "the box is shown with the message"
    assert 'value="keep me"' in html
    route.refresh_from_db()
    assert (route.seats_per_day, route.verified_at, route.notes) == (80, None, "")


def test_a_confirmed_jump_is_saved(duty_client, post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.get(seats_per_day=80)
    response = check(duty_client, route, seats_per_day="900", seats_confirmed="on")
    assert response.status_code == 200
    route.refresh_from_db()
    assert route.seats_per_day == 900 and route.verified_at is not None


def test_the_confirmation_box_is_not_shown_before_it_is_needed(duty_client, post_a):  # type: ignore[no-untyped-def]
    route = post_a.routes.get(seats_per_day=80)
    html = duty_client.get(reverse("dashboard:post", args=[post_a.code])).content.decode()
    assert f'name="route-{route.pk}-seats_confirmed"' not in html
    response = check(duty_client, route, seats_per_day="-5")
    assert f'name="route-{route.pk}-seats_confirmed"' not in response.content.decode()


@pytest.mark.parametrize(
    ("previous", "seats", "asks"),
    [
        (80, 800, False),  # ten times: a real doubling of flights is possible
        (80, 801, True),
        (80, 20, False),  # a fall is never a slipped zero that empties a city
        (0, 5_000, False),
        (0, 5_001, True),  # a route with no seats yet
        (4_000, 4_000, False),
    ],
)
def test_which_figures_ask_for_confirmation(post_a, previous, seats, asks):  # type: ignore[no-untyped-def]
    route = post_a.routes.first()
    ExitRoute.objects.filter(pk=route.pk).update(seats_per_day=previous)
    route.refresh_from_db()
    if asks:
        with pytest.raises(ValidationError) as caught:
            route_check(route=route, status="open", seats_per_day=seats)
        assert caught.value.error_dict["seats_per_day"][0].code == "confirm"
        assert ExitRoute.objects.get(pk=route.pk).seats_per_day == previous
    else:
        route_check(route=route, status="open", seats_per_day=seats)
        assert ExitRoute.objects.get(pk=route.pk).seats_per_day == seats
