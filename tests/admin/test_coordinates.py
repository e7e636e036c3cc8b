"""Coordinates on posts, exit routes, warden zones and assembly points: optional, in range,
both or neither; refused by the admin's forms with the field named and by the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from readiness.posts.models import ExitRoute, Post
from readiness.rosters.models import AssemblyPoint, Warden
from tests.admin.test_plausibility import refused, route_form
from tests.factories import AssemblyPointFactory, ExitRouteFactory, PostFactory, WardenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    return PostFactory(code="ML-BKO")


@pytest.mark.parametrize(
    ("factory", "fields"),
    [
        (PostFactory, {"latitude": 12.6}),  # half a point
        (PostFactory, {"latitude": 91, "longitude": 0}),
        (PostFactory, {"latitude": 0, "longitude": -181}),
        (ExitRouteFactory, {"from_latitude": 12.5, "from_longitude": None}),
        (ExitRouteFactory, {"to_latitude": -90.5, "to_longitude": 2.5}),
        (ExitRouteFactory, {"to_latitude": 49, "to_longitude": 180.5}),
        (WardenFactory, {"longitude": -8.0}),
        (WardenFactory, {"latitude": 100, "longitude": -8.0}),
        (AssemblyPointFactory, {"latitude": 12.6}),
        (AssemblyPointFactory, {"latitude": 12.6, "longitude": 200}),
    ],
)
def test_the_database_refuses_half_a_point_or_one_out_of_range(factory, fields):  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


def test_points_in_range_and_no_point_at_all_are_stored(post):  # type: ignore[no-untyped-def]
    post.latitude, post.longitude = -90, 180
    post.full_clean()
    post.save()
    route = ExitRouteFactory(
        post=post, from_latitude=12.53, from_longitude=-7.95, to_latitude=49.0, to_longitude=2.55
    )
    route.full_clean()
    WardenFactory(post=post, latitude=12.62, longitude=-8.03).full_clean()
    AssemblyPointFactory(post=post).full_clean()  # none: optional
    assert Post.objects.get(pk=post.pk).longitude == 180


def test_clean_names_the_missing_coordinate(post):  # type: ignore[no-untyped-def]
    post.latitude = 12.6
    with pytest.raises(ValidationError) as caught:
        post.full_clean()
    assert "longitude" in caught.value.message_dict
    assert "both the latitude and the longitude" in caught.value.message_dict["longitude"][0]


def test_the_admin_refuses_a_route_end_out_of_range(admin_client, post):  # type: ignore[no-untyped-def]
    url = reverse("admin:posts_exitroute_add")
    response = admin_client.post(url, route_form(post, to_latitude="95", to_longitude="2.5"))
    refused(response, "to_latitude", "less than or equal to 90")
    assert not ExitRoute.objects.exists()


def test_the_admin_refuses_half_a_point(admin_client, post):  # type: ignore[no-untyped-def]
    url = reverse("admin:posts_exitroute_add")
    response = admin_client.post(url, route_form(post, from_latitude="12.53"))
    refused(response, "from_longitude", "Give both the latitude and the longitude")
    assert not ExitRoute.objects.exists()


def test_the_admin_saves_a_route_with_its_airport_and_destination(admin_client, post):  # type: ignore[no-untyped-def]
    url = reverse("admin:posts_exitroute_add")
    form = route_form(
        post, from_latitude="12.5335", from_longitude="-7.9499", to_latitude="49.0097",
        to_longitude="2.5479",
    )  # fmt: skip
    assert admin_client.post(url, form).status_code == 302
    route = ExitRoute.objects.get()
    assert (route.from_latitude, route.to_longitude) == (12.5335, 2.5479)


def test_the_admin_edits_an_assembly_points_and_a_wardens_place(admin_client, post):  # type: ignore[no-untyped-def]
    point = AssemblyPointFactory(post=post, name="Embassy compound", capacity=600)
    page = admin_client.get(reverse("admin:rosters_assemblypoint_change", args=[point.pk]))
    assert b'name="latitude"' in page.content and b'name="longitude"' in page.content
    response = admin_client.post(
        reverse("admin:rosters_assemblypoint_change", args=[point.pk]),
        {"post": post.pk, "name": point.name, "zone": "", "capacity": "600", "address": "",
         "latitude": "12.6455", "longitude": "-181"},
    )  # fmt: skip
    refused(response, "longitude", "greater than or equal to -180")
    warden = WardenFactory(post=post)
    page = admin_client.get(reverse("admin:rosters_warden_change", args=[warden.pk]))
    assert b'name="latitude"' in page.content
    assert AssemblyPoint.objects.get().longitude is None
    assert Warden.objects.get().latitude is None
