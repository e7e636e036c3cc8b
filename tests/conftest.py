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


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request, settings):  # type: ignore[no-untyped-def]
    """Tasks run eagerly in tests, except those proving the real worker path."""
    from readiness.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def bamako(db):  # type: ignore[no-untyped-def]
    """The Bamako post as the scenario leaves it at the end of its timeline."""
    from pathlib import Path

    from readiness.scenarios.schema import load_scenario_file
    from readiness.scenarios.services import scenario_load

    path = Path(__file__).resolve().parents[1] / "seeds" / "bamako-2025.yaml"
    return scenario_load(load_scenario_file(path)).post


@pytest.fixture(autouse=True)
def _language_reset():  # type: ignore[no-untyped-def]
    """A French page leaves French active in the test thread; every test starts and ends
    in the default language, so no test depends on the one before it."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _cache_cleared():  # type: ignore[no-untyped-def]
    """Ids are reused after a test's rollback: no test sees what another put in the cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
