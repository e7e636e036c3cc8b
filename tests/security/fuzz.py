"""What the fuzzing tests share: modest hypothesis settings, and the rows a refusal must leave
as they were."""

from __future__ import annotations

from django.apps import apps
from hypothesis import HealthCheck, settings

# Enough to find a crash class, few enough for the suite to stay fast.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the post and the feed serve every example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def row_counts() -> dict[str, int]:
    """The number of rows of every model of the project (readiness.*)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("readiness.")
    }
