"""Correcting and withdrawing an indicator. An indicator is evidence: it is never edited
or deleted (the admin shows it read-only; on PostgreSQL the database refuses it,
migration indicators/0005). A mistake is put right by a *correction*, a new indicator
that points at the one it corrects and withdraws it; a report that should not count is
*withdrawn*, with who, when and why.

A withdrawal is modelled as a feed's CAP Cancel is (services.indicators_withdraw): the
indicator's expiry is brought forward to the moment of withdrawal, so the engine stops
counting it from then, with no change to the engine or its inputs, and a replay of the
days before still sees what the crisis centre saw then. The withdrawal fields say that it
was withdrawn rather than expired.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readiness.posts.limits import indicator_observed_recently

from .models import Indicator

# What a correction may change: what was observed, its grading and its dates. The post,
# the feed, the external id and who recorded it are the original's record and stay.
CORRECTABLE = (
    "category",
    "severity",
    "reliability",
    "credibility",
    "source",
    "text",
    "observed_at",
    "expires_at",
    "ongoing",
    "ended_at",
    "event",
    "de_escalation",
)
REASON_MAX_LENGTH = 1000


def _author(user: User | AnonymousUser | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the reason is part of the record.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": REASON_MAX_LENGTH}})
    return reason


def _not_withdrawn(indicator: Indicator) -> None:
    if indicator.withdrawn_at is None:
        return
    correction = Indicator.objects.filter(corrects=indicator).values_list("pk", flat=True).first()
    if correction is not None:
        message = _(
            "This indicator was corrected by indicator #%(id)s: correct or withdraw that one."
        ) % {"id": correction}
    else:
        message = _("This indicator was withdrawn on %(when)s; a withdrawal is final.") % {
            "when": timezone.localtime(indicator.withdrawn_at).strftime("%Y-%m-%d %H:%M")
        }
    raise ValidationError(message, code="withdrawn")


@transaction.atomic
def indicator_withdraw(
    *,
    indicator: Indicator,
    reason: str,
    user: User | AnonymousUser | None,
    at: dt.datetime | None = None,
) -> Indicator:
    """Withdraw an indicator: it stops weighing from ``at`` (now), and says who withdrew
    it and why. Raises ValidationError (nothing written) without a reason or when it was
    withdrawn already."""
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    reason = _reason(reason)
    _not_withdrawn(locked)
    _withdraw(locked, reason=reason, user=user, at=at or timezone.now())
    return locked


def _withdraw(
    indicator: Indicator, *, reason: str, user: User | AnonymousUser | None, at: dt.datetime
) -> None:
    indicator.withdrawn_at = at
    indicator.withdrawn_by = _author(user)
    indicator.withdrawal_reason = reason
    fields = ["withdrawn_at", "withdrawn_by", "withdrawal_reason"]
    if indicator.expires_at is None or indicator.expires_at > at:
        # Expiry must follow the observation (a constraint): at least a second after.
        indicator.expires_at = max(at, indicator.observed_at + dt.timedelta(seconds=1))
        fields.append("expires_at")
    indicator.save(update_fields=fields)  # queues a re-score of the post


@transaction.atomic
def indicator_correct(
    *,
    indicator: Indicator,
    reason: str,
    user: User | AnonymousUser | None,
    **changes: Any,
) -> Indicator:
    """Record the corrected indicator as a new row that ``corrects`` the original, and
    withdraw the original ("corrected by #n: reason"). ``changes`` are values of
    CORRECTABLE fields. Raises ValidationError naming the field at fault (nothing written):
    no reason, nothing changed, an unknown field, a date refused as for any new indicator,
    or an original already withdrawn or corrected."""
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ValidationError(
            _("These fields are not corrected: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    errors: dict[str, list[ValidationError]] = {}
    try:
        reason = _reason(reason)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    _not_withdrawn(locked)
    values = {name: getattr(locked, name) for name in CORRECTABLE}
    for name in ("source", "text", "event"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    for name in ("observed_at", "expires_at", "ended_at"):
        # A date typed again (a form shows no microseconds) is the original's date.
        original = getattr(locked, name)
        if original is not None and changes.get(name) == original.replace(microsecond=0):
            changes[name] = original
    values.update(changes)
    if all(values[name] == getattr(locked, name) for name in CORRECTABLE):
        errors.setdefault("__all__", []).append(
            ValidationError(_("The correction changes nothing: change what was wrong."))
        )
    now = timezone.now()
    corrected = Indicator(post_id=locked.post_id, **values)
    corrected.recorded_at = now
    corrected.recorded_by = _author(user)
    corrected.corrects = locked
    if values["observed_at"] != locked.observed_at:
        # A typed date, checked as any new one is (a report of an old crisis keeps its date).
        try:
            indicator_observed_recently(values["observed_at"], now)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    try:
        corrected.full_clean(exclude=["post"])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    corrected.save()
    _withdraw(
        locked,
        reason=_("Corrected by indicator #%(id)s: %(reason)s")
        % {"id": corrected.pk, "reason": reason},
        user=user,
        at=now,
    )
    return corrected
