"""The read-only viewer role: members of the "Read-only viewers" group (created by
migration posts/0009) see every post's dashboards and the brief, and write nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Decision
from readiness.briefs.models import IssuedBrief
from readiness.indicators.models import Indicator
from readiness.posts import access
from readiness.posts.models import ActionItem
from tests.factories import (
    ExitRouteFactory,
    IndicatorFactory,
    PostFactory,
    StaffMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(db):  # type: ignore[no-untyped-def]
    user = UserFactory(username="viewer")
    user.groups.add(Group.objects.get(name=access.VIEWERS_GROUP))  # from the migration
    return user


@pytest.fixture
def client_of(viewer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    post = PostFactory(code="ML-BKO")
    ExitRouteFactory(post=post, key="air")
    StaffMemberFactory(post=post)
    return post


def test_the_group_exists_after_migrations_without_permissions():  # type: ignore[no-untyped-def]
    group = Group.objects.get(name=access.VIEWERS_GROUP)
    assert group.permissions.count() == 0


def test_a_viewer_sees_every_post_and_the_brief(client_of, post):  # type: ignore[no-untyped-def]
    other = PostFactory(code="NE-NIM")
    html = client_of.get("/").content.decode()
    assert "ML-BKO" in html and "NE-NIM" in html
    assert client_of.get(f"/posts/{other.code}/").status_code == 200
    assert client_of.get("/brief/").status_code == 200


def test_a_viewer_gets_no_form_on_the_post_page(client_of, post):  # type: ignore[no-untyped-def]
    html = client_of.get(f"/posts/{post.code}/").content.decode()
    assert "You have read-only access" in html
    for action in ("indicators/new/", "decisions/new/", "/check/", "/confirm/", "/tick/"):
        assert f'action="/posts/{post.code}/' not in html or action not in html, action
    assert 'method="post" action="/posts/' not in html


def test_a_viewer_cannot_write_anything(client_of, post, viewer):  # type: ignore[no-untyped-def]
    route = post.routes.get()
    staff = post.staff.get()
    item = ActionItem.objects.filter(level__post=post).first()
    assert item is not None
    evidence = IndicatorFactory(post=post, recorded_by=viewer)
    writes = {
        reverse("dashboard:indicator_withdraw", args=[post.code, evidence.pk]): {
            f"withdraw-{evidence.pk}-reason": "x",
        },
        reverse("dashboard:indicator_create", args=[post.code]): {
            "category": "incident", "severity": "3", "reliability": "B", "credibility": "2",
            "source": "x", "text": "x", "observed_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
        },
        reverse("dashboard:decision_create", args=[post.code]): {
            "to_level": "1", "rationale": "x", "assessment": "",
        },
        reverse("dashboard:route_check", args=[post.code, route.pk]): {
            f"route-{route.pk}-status": "closed",
        },
        reverse("dashboard:staff_confirm", args=[post.code, staff.pk]): {
            f"staff-{staff.pk}-present": "on", f"staff-{staff.pk}-phone": "+223 20 00 00 00",
        },
        reverse("dashboard:action_tick", args=[post.code, item.pk]): {"ready": "on"},
        reverse("dashboard:brief_issue"): {"last": ""},
    }  # fmt: skip
    for url, data in writes.items():
        assert client_of.post(url, data).status_code == 403, url
    assert list(Indicator.objects.filter(post=post)) == [evidence]
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
    assert not Decision.objects.filter(post=post).exists()
    route.refresh_from_db()
    assert route.status != "closed"
    item.refresh_from_db()
    assert item.ready_at is None
    assert not IssuedBrief.objects.exists()


def test_the_viewer_group_wins_over_staff(viewer):  # type: ignore[no-untyped-def]
    viewer.is_staff = True
    viewer.save()
    fresh = type(viewer).objects.get(pk=viewer.pk)
    assert not access.can_write(fresh) and not access.can_decide(fresh)


def test_others_keep_their_rights(db):  # type: ignore[no-untyped-def]
    duty = UserFactory(username="duty", is_staff=True)
    assert access.can_write(duty) and access.can_decide(duty)
