"""Shared fixtures: personas and the demo post."""

from __future__ import annotations

import os

import pytest

from tests.factories import UserFactory

# Browser tests drive a live server from Playwright's (async-capable) thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def administrator(db):  # type: ignore[no-untyped-def]
    """Keeps rosters, routes and the ladder in Django admin."""
    return UserFactory(username="administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, administrator):  # type: ignore[no-untyped-def]
    client.force_login(administrator)
    return client
