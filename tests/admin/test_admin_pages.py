"""Every admin page of the domain renders for a superuser, and lists cost a fixed number of
queries however many rows they show."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from readiness.assessments.models import Assessment, RecommendationChange
from readiness.indicators.services import feed_create
from tests.factories import (
    AssemblyPointFactory,
    CommunityFactory,
    DecisionFactory,
    ExitRouteFactory,
    IndicatorFactory,
    PostFactory,
    SchoolFactory,
    StaffMemberFactory,
    WardenFactory,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {"posts", "rosters", "indicators", "assessments"}
MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
    key=lambda model: model._meta.label,
)


def populate(posts: int) -> None:
    for _ in range(posts):
        post = PostFactory()
        CommunityFactory(post=post)
        ExitRouteFactory.create_batch(2, post=post)
        StaffMemberFactory.create_batch(3, post=post)
        SchoolFactory.create_batch(2, post=post)
        WardenFactory(post=post)
        AssemblyPointFactory(post=post)
        IndicatorFactory.create_batch(3, post=post)
        feed_create(name=f"Feed of {post.code}", reliability="B", posts=[post])
        DecisionFactory(post=post)
        assessment = Assessment.objects.create(
            post=post,
            evaluated_at="2025-11-07T00:00:00Z",
            current_level=0,
            recommended_level=1,
            verdict="act_now",
            threat_index=30,
            trend_per_day=0.4,
            preparedness=80,
            fingerprint="f",
            explanation={},
        )
        RecommendationChange.objects.create(
            post=post, assessment=assessment, to_level=1, to_verdict="act_now"
        )


def changelist_queries(client, model) -> int:  # type: ignore[no-untyped-def]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_costs_the_same_for_few_and_many_rows(admin_client, model):  # type: ignore[no-untyped-def]
    populate(1)
    few = changelist_queries(admin_client, model)
    populate(4)
    many = changelist_queries(admin_client, model)
    assert many == few, f"{model._meta.label}: {few} queries with 1 post, {many} with 5"
    assert few <= 12


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_change_and_history_pages_render(admin_client, model):  # type: ignore[no-untyped-def]
    populate(1)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    response = admin_client.get(reverse(f"{name}_change", args=[obj.pk]))
    assert response.status_code == 200
    response = admin_client.get(reverse(f"{name}_history", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_add_page_renders_where_adding_is_allowed(admin_client, model):  # type: ignore[no-untyped-def]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = admin_client.get(url)
    expected = 403 if model._meta.app_label == "assessments" else 200
    assert response.status_code == expected


def test_decisions_cannot_be_changed_or_deleted_in_admin(admin_client):  # type: ignore[no-untyped-def]
    decision = DecisionFactory()
    url = reverse("admin:assessments_decision_change", args=[decision.pk])
    response = admin_client.post(url, {"rationale": "rewritten"})
    assert response.status_code == 403
    response = admin_client.post(reverse("admin:assessments_decision_delete", args=[decision.pk]))
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.rationale != "rewritten"


def test_roster_changes_are_in_history_with_who(admin_client, administrator):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory()
    url = reverse("admin:rosters_staffmember_change", args=[staff.pk])
    form = {
        "post": staff.post.pk,
        "name": staff.name,
        "role": "Consul",
        "category": "expatriate",
        "headcount": 1,
        "dependants": 2,
        "email": staff.email,
        "phone": "",
        "present": "on",
        "last_confirmed_at_0": "",
        "last_confirmed_at_1": "",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    newest = staff.history.first()
    assert newest.role == "Consul"
    assert newest.history_user == administrator
    response = admin_client.get(reverse("admin:rosters_staffmember_history", args=[staff.pk]))
    assert "administrator" in response.content.decode()
