"""Personas and posts for the dashboard tests.

- duty officer: a staff user of the crisis centre; sees and feeds every post;
- crisis-centre member: not staff, but in the "Crisis centre" group; the same rights;
- post officer: the security officer of one post; sees and feeds that post only;
- outsider: signed in, secures no post, not in the crisis centre: sees nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from readiness.assessments.services import post_rescore
from readiness.posts.access import CRISIS_CENTRE_GROUP
from readiness.posts.models import Post
from tests.factories import (
    AssemblyPointFactory,
    CommunityFactory,
    ExitRouteFactory,
    IndicatorFactory,
    PostFactory,
    SchoolFactory,
    StaffMemberFactory,
    UserFactory,
    WardenFactory,
)

SCENARIO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"


def scored(post: Post) -> Post:
    """Score a post now, as the on-commit re-score would have. In a test transaction the
    queued requests never run, and a pending one would swallow the next (requests are
    de-duplicated per transaction), so they are dropped once the post is scored."""
    post_rescore(post_id=post.pk)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        connection.run_on_commit.clear()
    return post


def load_bamako_as_if_today(day: str = "2025-11-19") -> Post:
    """The demo: the Bamako scenario up to `day`, every date moved so that `day` is today,
    then scored (in a test transaction the on-commit re-score does not run by itself)."""
    from django.core.management import call_command

    call_command("load_scenario", str(SCENARIO), "--as-if-today", day, verbosity=0)
    return scored(Post.objects.get(code="ML-BKO"))


@pytest.fixture
def bamako_today(db):  # type: ignore[no-untyped-def]
    return load_bamako_as_if_today()


def populate_post(*, indicators: int = 3, staff: int = 3, **kwargs: object) -> Post:
    """A post with routes, rosters and indicators, scored."""
    post = PostFactory(**kwargs)
    CommunityFactory(post=post)
    ExitRouteFactory(post=post, key=f"air-{post.pk}", closes_at_threat=60)
    ExitRouteFactory(post=post, key=f"road-{post.pk}", mode="road", seats_per_day=40)
    StaffMemberFactory.create_batch(staff, post=post)
    SchoolFactory(post=post)
    WardenFactory(post=post)
    AssemblyPointFactory(post=post)
    now = timezone.now()
    for i in range(indicators):
        IndicatorFactory(
            post=post,
            severity=1 + i % 5,
            observed_at=now - dt.timedelta(days=i % 20, hours=1),
            category=("incident", "supply", "peer_action", "political")[i % 4],
        )
    return scored(post)


@pytest.fixture
def post_a(db):  # type: ignore[no-untyped-def]
    return populate_post(code="ZZ-AAA", name="Alpha", region="Sahel")


@pytest.fixture
def post_b(db):  # type: ignore[no-untyped-def]
    return populate_post(code="ZZ-BBB", name="Bravo", region="Levant", indicators=12)


@pytest.fixture
def duty_officer(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="duty", first_name="Claire", last_name="Martin", is_staff=True)


@pytest.fixture
def crisis_member(db):  # type: ignore[no-untyped-def]
    user = UserFactory(username="member")
    group, _ = Group.objects.get_or_create(name=CRISIS_CENTRE_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def post_officer(db, post_a):  # type: ignore[no-untyped-def]
    user = UserFactory(username="officer")
    post_a.security_officers.add(user)
    return user


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="outsider")


@pytest.fixture
def duty_client(client, duty_officer):  # type: ignore[no-untyped-def]
    client.force_login(duty_officer)
    return client


@pytest.fixture
def officer_client(client, post_officer):  # type: ignore[no-untyped-def]
    client.force_login(post_officer)
    return client


@pytest.fixture
def outsider_client(client, outsider):  # type: ignore[no-untyped-def]
    client.force_login(outsider)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx(target: str | None = None) -> dict[str, str]:
    headers = dict(HTMX)
    if target:
        headers["HTTP_HX_TARGET"] = target
    return headers
