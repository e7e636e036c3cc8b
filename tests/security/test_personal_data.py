"""Names and contacts of staff and wardens are a permission of their own
(rosters.view_personal_data, readiness/posts/access.py): without it a duty officer sees
counts, not people, on the post page, the brief, the exports and the admin's roster lists.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from readiness.posts.access import sees_personal_data
from tests.factories import PostFactory, StaffMemberFactory, UserFactory, WardenFactory

pytestmark = pytest.mark.django_db

NAME = "Aminata Diallo-Secret"
PHONE = "+223 76 12 34 56"
EMAIL = "aminata@post.example"
WARDEN = "Moussa Warden-Secret"
WARDEN_PHONE = "+223 66 99 88 77"


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    post = PostFactory(code="ML-BKO")
    StaffMemberFactory(post=post, name=NAME, phone=PHONE, email=EMAIL, role="Consul")
    WardenFactory(post=post, name=WARDEN, phone=WARDEN_PHONE, zone="ACI 2000")
    return post


def grant(user, *codenames: str):  # type: ignore[no-untyped-def]
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


# A staff duty officer who keeps the admin's rosters but has no personal-data permission.
ROSTER_KEEPER = ("view_staffmember", "change_staffmember", "view_warden", "change_warden")


@pytest.fixture
def duty(db):  # type: ignore[no-untyped-def]
    return grant(UserFactory(username="duty", is_staff=True), *ROSTER_KEEPER)


@pytest.fixture
def trusted(db):  # type: ignore[no-untyped-def]
    return grant(
        UserFactory(username="trusted", is_staff=True), *ROSTER_KEEPER, "view_personal_data"
    )


def secrets_in(html: str) -> list[str]:
    return [s for s in (NAME, PHONE, EMAIL, WARDEN, WARDEN_PHONE) if s in html]


def test_only_the_permission_or_a_superuser_sees_personal_data(duty, trusted, administrator):  # type: ignore[no-untyped-def]
    assert not sees_personal_data(duty)
    assert sees_personal_data(trusted)
    assert sees_personal_data(administrator)


def test_post_page_without_the_permission_shows_counts_not_people(duty, post):  # type: ignore[no-untyped-def]
    response = signed_in(duty).get(f"/posts/{post.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert secrets_in(html) == []
    assert "1 people on the staff roster" in html
    assert "Names and contacts are shown only to those allowed to see personal data" in html


def test_post_page_with_the_permission_shows_the_people(trusted, post):  # type: ignore[no-untyped-def]
    html = signed_in(trusted).get(f"/posts/{post.code}/").content.decode()
    assert NAME in html and PHONE in html


def test_a_search_by_name_tells_nothing_without_the_permission(duty, post):  # type: ignore[no-untyped-def]
    client = signed_in(duty)
    html = client.get(f"/posts/{post.code}/?staff_q=Aminata", HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="roster").content.decode()  # fmt: skip
    assert secrets_in(html) == []


def test_confirming_a_person_needs_the_permission(duty, post):  # type: ignore[no-untyped-def]
    staff = post.staff.get()
    prefix = f"staff-{staff.pk}"
    response = signed_in(duty).post(
        reverse("dashboard:staff_confirm", args=[post.code, staff.pk]),
        {f"{prefix}-present": "on", f"{prefix}-phone": "+223 20 00 00 00"},
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.phone == PHONE


def test_the_brief_names_nobody_without_the_permission(duty, post):  # type: ignore[no-untyped-def]
    html = signed_in(duty).get("/brief/").content.decode()
    assert secrets_in(html) == []


@pytest.mark.parametrize("model", ["staffmember", "warden"])
def test_admin_roster_list_without_the_permission_shows_no_person(duty, post, model):  # type: ignore[no-untyped-def]
    response = signed_in(duty).get(f"/admin/rosters/{model}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert secrets_in(html) == []
    assert "1 " in html  # the count of rows stays
    assert "Delete selected" not in html  # its confirmation lists names


@pytest.mark.parametrize("model", ["staffmember", "warden"])
def test_admin_roster_list_search_by_name_finds_nothing(duty, post, model):  # type: ignore[no-untyped-def]
    html = signed_in(duty).get(f"/admin/rosters/{model}/?q=Secret").content.decode()
    assert secrets_in(html) == []
    assert "0 results" in html or "0 " in html


@pytest.mark.parametrize("model", ["staffmember", "warden"])
@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_admin_row_pages_are_refused_without_the_permission(duty, post, model, page):  # type: ignore[no-untyped-def]
    row = (post.staff if model == "staffmember" else post.wardens).get()
    response = signed_in(duty).get(f"/admin/rosters/{model}/{row.pk}/{page}/")
    assert response.status_code in (302, 403)
    assert secrets_in(response.content.decode()) == []


@pytest.mark.parametrize("model", ["staffmember", "warden"])
def test_admin_roster_list_with_the_permission_shows_the_people(trusted, post, model):  # type: ignore[no-untyped-def]
    html = signed_in(trusted).get(f"/admin/rosters/{model}/").content.decode()
    assert (NAME if model == "staffmember" else WARDEN) in html
    row = (post.staff if model == "staffmember" else post.wardens).get()
    assert signed_in(trusted).get(f"/admin/rosters/{model}/{row.pk}/change/").status_code == 200


def test_import_needs_the_permission(duty, trusted, post):  # type: ignore[no-untyped-def]
    grant(duty, "add_staffmember")
    grant(trusted, "add_staffmember")
    assert signed_in(duty).get("/admin/rosters/staffmember/import/").status_code == 403
    assert signed_in(trusted).get("/admin/rosters/staffmember/import/").status_code == 200
