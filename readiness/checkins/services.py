"""Writes of staff check-ins: start one for a post, answer through a link.

A link carries a random token (``secrets.token_urlsafe``, 256 bits); only its SHA-256 is
stored, so the database alone never gives a working link. A link is refused once used, once
its check-in expired (``settings.CHECKIN_LINK_HOURS``), and once a newer check-in of the post
replaced its own. docs/security.md, "Staff check-in links".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from readiness.posts.models import Post
from readiness.rosters.models import StaffMember
from readiness.rosters.services import staff_checked_in

from .models import Answer, Channel, Checkin, CheckinAnswer, CheckinRequest, Scope
from .sms import SmsBackend, sms_backend

log = logging.getLogger(__name__)

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_hours() -> int:
    return int(settings.CHECKIN_LINK_HOURS)


def staff_in_scope(*, post: Post, scope: str) -> QuerySet[StaffMember]:
    """The rows a check-in of this scope asks: those still marked present in the country."""
    rows = StaffMember.objects.filter(post=post, present=True)
    if scope == Scope.EXPATRIATE:
        rows = rows.filter(category="expatriate")
    elif scope == Scope.LOCAL:
        rows = rows.filter(category="local")
    elif scope == Scope.ESSENTIAL:
        rows = rows.filter(essential=True)
    return rows.order_by("name")


@dataclass(frozen=True, slots=True)
class _Outgoing:
    request: CheckinRequest
    token: str
    name: str


def checkin_start(
    *,
    post: Post,
    user: Any,
    scope: str,
    note: str = "",
    link: Callable[[str], str],
    now: dt.datetime | None = None,
) -> Checkin:
    """Ask every staff row of ``post`` in ``scope`` (still present) whether they are safe.

    Each row with an e-mail gets a link by e-mail, a row with only a phone by SMS (through
    ``settings.CHECKIN_SMS_BACKEND``), a row with neither is listed as not reachable. A
    group row (head count above 1) is asked once, through its contact, who answers for the
    group. ``link`` makes the absolute URL of a token. An open check-in of the post is
    closed: its unused links are refused from now on. The rows are committed before
    anything is sent; a message that cannot be sent is recorded as such on its row."""
    if scope not in Scope.values:
        raise ValueError(f"unknown scope {scope!r}")
    now = now or timezone.now()
    outgoing: list[_Outgoing] = []
    with transaction.atomic():
        Checkin.objects.filter(post=post, closed_at__isnull=True).update(closed_at=now)
        checkin = Checkin.objects.create(
            post=post,
            scope=scope,
            note=note.strip(),
            started_at=now,
            started_by=user if getattr(user, "pk", None) else None,
            started_by_name=(user.get_full_name() or user.get_username()) if user else "",
            expires_at=now + dt.timedelta(hours=link_hours()),
        )
        requests = []
        for staff in staff_in_scope(post=post, scope=scope):
            # Without mail configured (the dummy backend would swallow the link and call it
            # sent), staff with a phone get an SMS, the others are not reached.
            if staff.email and not settings.EMAIL_BACKEND.endswith("dummy.EmailBackend"):
                channel, address = Channel.EMAIL, staff.email
            elif staff.phone:
                channel, address = Channel.SMS, staff.phone
            else:
                channel, address = Channel.NONE, ""
            token = secrets.token_urlsafe(TOKEN_BYTES) if channel != Channel.NONE else ""
            request = CheckinRequest(
                checkin=checkin,
                staff=staff,
                staff_name=staff.name,
                headcount=staff.headcount,
                channel=channel,
                address=address,
                token_hash=token_hash(token) if token else "",
            )
            requests.append(request)
            if token:
                outgoing.append(_Outgoing(request, token, staff.name))
        CheckinRequest.objects.bulk_create(requests)
    _send(checkin, outgoing, link=link)
    return checkin


def _send(checkin: Checkin, outgoing: list[_Outgoing], *, link: Callable[[str], str]) -> None:
    """Send each link; record on its row when it left, or why it did not."""
    connection = get_connection(fail_silently=False)
    sms = sms_backend()
    changed: list[CheckinRequest] = []
    with timezone.override(zoneinfo.ZoneInfo(checkin.post.timezone)):
        for item in outgoing:
            changed.append(_send_one(checkin, item, link=link, connection=connection, sms=sms))
    if changed:
        CheckinRequest.objects.bulk_update(changed, ["sent_at", "send_error"])


def _send_one(
    checkin: Checkin,
    item: _Outgoing,
    *,
    link: Callable[[str], str],
    connection: Any,
    sms: SmsBackend,
) -> CheckinRequest:
    request = item.request
    context = {
        "post": checkin.post,
        "link": link(item.token),
        "expires_at": checkin.expires_at,
        "hours": link_hours(),
        "note": checkin.note,
        "name": item.name,
        "headcount": request.headcount,
    }
    try:
        if request.channel == Channel.EMAIL:
            message = EmailMessage(
                subject=_("Are you safe? Check-in from %(post)s") % {"post": checkin.post.name},
                body=render_to_string("checkins/message.txt", context),
                to=[request.address],
                connection=connection,
            )
            sent = bool(message.send())
            error = "" if sent else _("The mail server took no message.")
        else:
            body = render_to_string("checkins/message_sms.txt", context)
            sent = sms.send(to=request.address, body=body)
            error = "" if sent else _("No SMS provider is configured.")
    except Exception as exc:  # any failure (SMTP, SmsError, ...) is recorded on the row
        log.warning(
            "check-in %s: the message to row %s failed: %s",
            checkin.pk,
            request.pk,
            type(exc).__name__,
        )
        sent, error = False, _("Sending failed (%(error)s).") % {"error": type(exc).__name__}
    if sent:
        request.sent_at = timezone.now()
    else:
        request.send_error = error[:300]
    return request


class LinkRefused(Exception):
    """The link cannot be used; ``reason`` is one of: unknown, used, expired, replaced."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def request_for_token(token: str, *, now: dt.datetime | None = None) -> CheckinRequest:
    """The request this token was sent for, if the link may still be used; LinkRefused
    otherwise. One query."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise LinkRefused("unknown")
    request = (
        CheckinRequest.objects.select_related("checkin")
        .filter(token_hash=token_hash(token))
        .exclude(token_hash="")
        .first()
    )
    if request is None:
        raise LinkRefused("unknown")
    if request.used_at is not None:
        raise LinkRefused("used")
    if request.checkin.expires_at <= now:
        raise LinkRefused("expired")
    if request.checkin.closed_at is not None:
        raise LinkRefused("replaced")
    return request


def checkin_answer(
    *, token: str, answer: str, note: str = "", now: dt.datetime | None = None
) -> CheckinAnswer:
    """Record the answer given through the link, once: a second use is refused (LinkRefused
    "used") however close the two are. The roster row is updated: still in the country
    unless the answer is "left", confirmed now; the post is re-scored."""
    if answer not in Answer.values:
        raise ValueError(f"unknown answer {answer!r}")
    now = now or timezone.now()
    with transaction.atomic():
        request = request_for_token(token, now=now)
        claimed = CheckinRequest.objects.filter(Q(pk=request.pk) & Q(used_at__isnull=True)).update(
            used_at=now
        )
        if not claimed:
            raise LinkRefused("used")  # another use of the link won the race
        request.used_at = now
        recorded = CheckinAnswer.objects.create(
            request=request, answer=answer, note=note.strip()[:500], answered_at=now
        )
        # The row may have been deleted since (the answer is kept all the same).
        rows = StaffMember.objects.select_for_update().filter(checkin_requests=request)
        staff = rows.first() if request.staff_id is not None else None
        if staff is not None:
            staff_checked_in(staff=staff, present=answer != Answer.LEFT, at=now)
    return recorded
