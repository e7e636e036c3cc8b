"""Administrators cannot save an impossible trigger, and a post added in the admin starts
with its own copy of the default ladder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from readiness.posts.models import AlertLevel, Post, Trigger
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def trigger_form(level: AlertLevel, **fields: object) -> dict[str, object]:
    return {
        "level": level.pk,
        "name": "Supply strangled",
        "kind": "category_index",
        "enabled": "on",
        "category": "",
        "threshold": "",
        "count": "",
        "min_severity": "",
        "within_days": "",
        "route": "",
        "mode": "",
        "below_seats": "",
        "margin_level": "",
        "below_days": "",
        "reason": "",
        **fields,
    }


@pytest.mark.parametrize(
    "fields, field, message",
    [
        (
            {"category": "supply"},
            "threshold",
            "Required for a trigger of kind “Category index at least”.",
        ),
        ({"category": "supply", "threshold": "150"}, "threshold", "at most 100"),
        ({"kind": "route"}, "route", "either a route or a mode"),
        ({"kind": "manual", "active": "on"}, "reason", "needs a reason"),
        (
            {"kind": "clearance_margin", "margin_level": "9", "below_days": "3"},
            "margin_level",
            "No level of that rank",
        ),
        (
            {"kind": "threat_index", "threshold": "50", "count": "3"},
            "count",
            "Not used by a trigger of kind “Threat index at least”",
        ),
    ],
)
def test_impossible_trigger_is_refused_with_the_field_named(admin_client, fields, field, message):  # type: ignore[no-untyped-def]
    level = PostFactory().levels.get(rank=3)
    before = Trigger.objects.count()
    response = admin_client.post(reverse("admin:posts_trigger_add"), trigger_form(level, **fields))
    assert response.status_code == 200, "the form is shown again"
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert Trigger.objects.count() == before


def test_possible_trigger_is_saved(admin_client):  # type: ignore[no-untyped-def]
    level = PostFactory().levels.get(rank=3)
    form = trigger_form(level, category="supply", threshold="55")
    response = admin_client.post(reverse("admin:posts_trigger_add"), form)
    assert response.status_code == 302
    assert Trigger.objects.filter(level=level, name="Supply strangled", threshold=55).exists()


def test_a_post_added_in_admin_gets_its_own_copy_of_the_template(admin_client):  # type: ignore[no-untyped-def]
    form = {
        "code": "SN-DKR",
        "name": "Dakar",
        "country": "SN",
        "city": "Dakar",
        "region": "West Africa",
        "timezone": "Africa/Dakar",
        "level": "1",
        "community-TOTAL_FORMS": "0",
        "community-INITIAL_FORMS": "0",
        "routes-TOTAL_FORMS": "0",
        "routes-INITIAL_FORMS": "0",
        "schools-TOTAL_FORMS": "0",
        "schools-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:posts_post_add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(code="SN-DKR")
    assert post.level == 1
    template = AlertLevel.objects.filter(post__isnull=True)
    assert post.levels.count() == template.count() == 7
    assert (
        Trigger.objects.filter(level__post=post).count()
        == Trigger.objects.filter(level__post__isnull=True).count()
    )
    # Tuning the post's copy leaves the template alone.
    post.levels.filter(rank=3).update(quorum=2)
    assert template.get(rank=3).quorum == 1


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"level": "9"}, "level"),
        ({"code": "bamako"}, "code"),
    ],
)
def test_a_bad_post_is_refused_with_the_field_named(admin_client, fields, field):  # type: ignore[no-untyped-def]
    form = {
        "code": "XX-ABC",
        "name": "X",
        "country": "XX",
        "city": "X",
        "timezone": "UTC",
        "level": "0",
    }
    response = admin_client.post(reverse("admin:posts_post_add"), {**form, **fields})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Post.objects.exists()


@pytest.mark.parametrize("field", ["within_days", "below_days"])
def test_a_trigger_window_beyond_ten_years_is_refused(admin_client, field):  # type: ignore[no-untyped-def]
    level = PostFactory().levels.get(rank=3)
    form = trigger_form(level, **{field: "1e300"})
    response = admin_client.post(reverse("admin:posts_trigger_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "longer than any trigger's window" in " ".join(errors[field])


def test_the_trigger_form_names_each_kinds_fields_and_levels_by_name(admin_client):  # type: ignore[no-untyped-def]
    """The kind's select carries the fields of each kind (admin.js shows only the chosen
    kind's); the level and the route are chosen by name, not typed as raw ids; no message
    says "a indicator_count trigger"."""
    import json
    import re

    html = admin_client.get(reverse("admin:posts_trigger_add")).content.decode()
    select = re.search(r"<select[^>]*name=\"kind\"[^>]*>", html)
    assert select is not None
    by_kind = json.loads(
        re.search(r'data-fields-by-kind="([^"]+)"', select.group(0))  # type: ignore[union-attr]
        .group(1)
        .replace("&quot;", '"')
    )
    assert by_kind["threat_index"] == ["threshold"]
    assert "with_category" in by_kind["indicator_count"]
    assert 'class="vForeignKeyRawIdAdminField"' not in html
    assert "admin-autocomplete" in html
    assert 'src="/static/readiness/admin.js"' in html or "readiness/admin.js" in html


def test_the_watched_level_is_chosen_by_name(admin_client):  # type: ignore[no-untyped-def]
    import re

    level = PostFactory().levels.get(rank=3)
    trigger = Trigger.objects.create(
        level=level, name="Margin", kind="clearance_margin", margin_level=4, below_days=3
    )
    html = admin_client.get(reverse("admin:posts_trigger_change", args=[trigger.pk])).content
    page = html.decode()
    four = level.post.levels.get(rank=4)
    assert re.search(rf'<option value="4" selected>4 · {re.escape(four.name)}</option>', page)
    response = admin_client.post(
        reverse("admin:posts_trigger_change", args=[trigger.pk]),
        trigger_form(level, kind="clearance_margin", margin_level="5", below_days="3"),
    )
    assert response.status_code == 302
    trigger.refresh_from_db()
    assert trigger.margin_level == 5
