"""route_check() and its view: mark a route verified with its status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from readiness.posts.models import ExitRoute
from readiness.posts.services import route_check
from tests.dashboard.conftest import htmx

pytestmark = pytest.mark.django_db


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
    assert "assessmentChanged" in response["HX-Trigger"]
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
