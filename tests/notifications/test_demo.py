"""The demo administrator follows every post (make run's `demo_admin`)."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from readiness.notifications.models import Scope, Subscription


def test_the_demo_administrator_follows_every_post_by_email(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    settings.BASE_DIR = tmp_path
    for _ in range(2):  # make run runs it every time
        call_command("demo_admin", "--username", "demo", stdout=io.StringIO())
    user = get_user_model().objects.get(username="demo")
    (subscription,) = Subscription.objects.filter(user=user)
    assert subscription.scope == Scope.ALL
    assert (subscription.on_level, subscription.on_verdict, subscription.on_failure) == (
        True,
        True,
        True,
    )
    assert subscription.by_email and user.email == "demo@localhost"
