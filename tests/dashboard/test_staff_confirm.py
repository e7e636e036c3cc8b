"""staff_confirm() and its view: confirm presence and contact."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from readiness.rosters.models import StaffMember
from readiness.rosters.services import staff_confirm
from tests.dashboard.conftest import htmx
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _personal_data(duty_officer, post_officer):  # type: ignore[no-untyped-def]
    """Confirming people shows and takes their contacts: the officers here hold the
    personal-data permission (readiness/posts/access.py; without it: tests/security/)."""
    permission = Permission.objects.get(codename="view_personal_data")
    for user in (duty_officer, post_officer):
        user.user_permissions.add(permission)


def url(staff) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:staff_confirm", args=[staff.post.code, staff.pk])


def test_a_confirmation_is_dated_now(post_a):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post_a, last_confirmed_at=None)
    staff_confirm(staff=staff, present=True, email="a@post.example", phone="+223 20 00 00 00")
    staff.refresh_from_db()
    assert staff.last_confirmed_at is not None and staff.phone == "+223 20 00 00 00"


def test_someone_present_must_be_reachable(post_a):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post_a)
    with pytest.raises(ValidationError) as error:
        staff_confirm(staff=staff, present=True, email=" ", phone="")
    assert "phone" in error.value.message_dict


def test_someone_gone_needs_no_contact(post_a):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post_a)
    staff_confirm(staff=staff, present=False, email="", phone="", departure_confirmed=True)
    assert StaffMember.objects.get(pk=staff.pk).present is False


def test_a_departure_is_confirmed_before_it_leaves_the_load(post_a):  # type: ignore[no-untyped-def]
    group = StaffMemberFactory(post=post_a, name="Drivers", headcount=20, dependants=7)
    with pytest.raises(ValidationError) as error:
        staff_confirm(staff=group, present=False, email="", phone="")
    assert error.value.error_dict["present"][0].code == "confirm"
    assert "27 people" in error.value.message_dict["present"][0]
    assert StaffMember.objects.get(pk=group.pk).present is True
    # Someone already gone is confirmed gone again without the box.
    staff_confirm(staff=group, present=False, email="", phone="", departure_confirmed=True)
    staff_confirm(staff=group, present=False, email="", phone="")
    assert StaffMember.objects.get(pk=group.pk).present is False


def test_htmx_confirmation_swaps_the_roster(officer_client, post_a):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post_a, name="Aminata D.", last_confirmed_at=None)
    prefix = f"staff-{staff.pk}"
    response = officer_client.post(
        url(staff),
        {f"{prefix}-present": "on", f"{prefix}-phone": "+223 76 00 00 00"},
        **htmx("roster"),
    )
    assert (
        response.status_code == 200 and "rescoreQueued" in response["HX-Trigger"]
    )  # queued: a test transaction never commits
    assert response.content.decode().lstrip().startswith('<section id="roster"')
    staff.refresh_from_db()
    assert staff.last_confirmed_at <= timezone.now() and staff.phone == "+223 76 00 00 00"


def test_an_invalid_confirmation_keeps_what_was_typed(duty_client, post_a):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post_a, last_confirmed_at=None, email="", phone="")
    prefix = f"staff-{staff.pk}"
    response = duty_client.post(
        url(staff), {f"{prefix}-present": "on", f"{prefix}-email": "not-an-email"}, **htmx("roster")
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Enter a valid email address" in html and 'value="not-an-email"' in html
    assert StaffMember.objects.get(pk=staff.pk).last_confirmed_at is None


def test_the_roster_can_be_searched_by_name(duty_client, post_a):  # type: ignore[no-untyped-def]
    StaffMemberFactory(post=post_a, name="Moussa Keita")
    page = duty_client.get(reverse("dashboard:post", args=[post_a.code]), {"staff_q": "keita"})
    assert [s.name for s in page.context["page"].roster.to_confirm] == ["Moussa Keita"]


def test_staff_of_another_post_is_404(officer_client, post_b):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post_b)
    assert officer_client.post(url(staff), {}).status_code == 404
