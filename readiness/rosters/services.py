"""Writes on rosters made from the dashboards (imports go through the admin)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import StaffMember


def staff_confirm(
    *,
    staff: StaffMember,
    present: bool,
    email: str,
    phone: str,
    departure_confirmed: bool = False,
    at: dt.datetime | None = None,
) -> StaffMember:
    """The post officer has reached this person (or group row): record whether they are
    still in the country and how to reach them, dated now. A person still present must be
    reachable, or the confirmation confirms nothing. Marking someone present as gone takes
    them (and their dependants) out of the load to move: it is refused unless
    ``departure_confirmed``, so that one click cannot do it; nothing is saved then."""
    email = email.strip()
    phone = phone.strip()
    if staff.present and not present and not departure_confirmed:
        message = ngettext(
            "Marking %(name)s as gone takes %(n)s person out of the load to move. If they "
            "have left the country, tick “Yes, they have left”.",
            "Marking %(name)s as gone takes %(n)s people out of the load to move. If they "
            "have left the country, tick “Yes, they have left”.",
            staff.headcount + staff.dependants,
        ) % {"name": staff.name, "n": staff.headcount + staff.dependants}
        raise ValidationError({"present": ValidationError(message, code="confirm")})
    if present and not (email or phone):
        raise ValidationError(
            {"phone": _("Give a phone number or an email address for someone still present.")}
        )
    staff.present = present
    staff.email = email
    staff.phone = phone
    staff.last_confirmed_at = at or timezone.now()
    staff.full_clean()
    staff.save(update_fields=["present", "email", "phone", "last_confirmed_at"])
    return staff


def staff_checked_in(*, staff: StaffMember, present: bool, at: dt.datetime) -> StaffMember:
    """The person (or a group row's contact, for the row) answered a staff check-in
    (readiness/checkins): still in the country or not, confirmed at ``at``. Their contacts
    are left as they are (the link reached them). Like every save of a roster row, this
    asks for the post's re-score (readiness/assessments/apps.py)."""
    staff.present = present
    staff.last_confirmed_at = at
    staff.save(update_fields=["present", "last_confirmed_at"])
    return staff
