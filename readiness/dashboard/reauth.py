"""Re-authentication before a level decision (OWASP ASVS 5.0, level 2): a decision is
recorded only by a session whose sign-in is recent (``settings.DECISION_REAUTH_MINUTES``),
or after the officer types their password again in the decision form. An unattended
signed-in screen therefore cannot change a post's level.

The moment of sign-in is kept in the session (not ``User.last_login``, which a sign-in on
another device would refresh). The password is checked through ``authenticate()``, so
whatever guards the sign-in page (throttling, lockout) counts these attempts too.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest

SESSION_KEY = "readiness_authenticated_at"


def note_sign_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    """Receiver of ``user_logged_in``: the session was authenticated now."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = int(time.time())


def window_minutes() -> int:
    return int(settings.DECISION_REAUTH_MINUTES)


def is_fresh(request: HttpRequest) -> bool:
    """The session's sign-in (or its last password confirmation) is recent enough to decide."""
    stamp = request.session.get(SESSION_KEY)
    if not isinstance(stamp, int | float) or isinstance(stamp, bool):
        return False
    age = time.time() - stamp
    return 0 <= age <= window_minutes() * 60


def confirm_password(request: HttpRequest, password: str) -> bool:
    """The signed-in user's own password: the session counts as freshly authenticated."""
    if not password or not request.user.is_authenticated:
        return False
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is None or user.pk != request.user.pk:
        return False
    request.session[SESSION_KEY] = int(time.time())
    return True
