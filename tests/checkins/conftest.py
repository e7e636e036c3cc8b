"""Fixtures of the check-in tests: the dashboards' personas and posts, a fresh rate-limit
counter per test, and a helper that starts a check-in and hands back the links sent."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from readiness.checkins.models import Checkin
from readiness.checkins.services import checkin_start
from tests.dashboard.conftest import (  # noqa: F401  (fixtures)
    duty_client,
    duty_officer,
    officer_client,
    outsider,
    outsider_client,
    post_a,
    post_b,
    post_officer,
)

LINK = re.compile(r"https?://\S+/checkin/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):  # type: ignore[no-untyped-def]
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"ratelimit-{uuid.uuid4()}",
        },
    }


def personal(*users: Any) -> None:
    permission = Permission.objects.get(codename="view_personal_data")
    for user in users:
        user.user_permissions.add(permission)


def link(token: str) -> str:
    return f"http://testserver/checkin/{token}/"


def tokens_in_outbox() -> dict[str, str]:
    """The links sent by e-mail: address -> token."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(message.body)
        assert match, message.body
        found[message.to[0]] = match.group(1)
    return found


def start(
    post: Any, user: Any, scope: str = "all", **kwargs: Any
) -> tuple[Checkin, dict[str, str]]:
    """Start a check-in; the check-in and the tokens it e-mailed (address -> token)."""
    mail.outbox.clear()
    checkin = checkin_start(post=post, user=user, scope=scope, link=link, **kwargs)
    return checkin, tokens_in_outbox()
