"""The admin speaks the officer's language: apps, models and fields are named through
gettext (readiness/labels.py), and naming them makes no migration."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from readiness.posts.models import Post, Trigger
from readiness.rosters.models import StaffMember

pytestmark = pytest.mark.django_db


def test_models_and_fields_are_named_in_french() -> None:
    with translation.override("fr"):
        assert str(Post._meta.verbose_name_plural) == "postes"
        assert str(StaffMember._meta.get_field("headcount").verbose_name) == "effectif"
        assert str(Trigger._meta.get_field("min_severity").verbose_name) == "gravité minimale"
    with translation.override("en"):
        assert str(StaffMember._meta.get_field("headcount").verbose_name) == "head count"


def test_the_french_admin_index_names_apps_and_models_in_french(admin_client) -> None:  # type: ignore[no-untyped-def]
    admin_client.cookies["django_language"] = "fr"
    html = admin_client.get(reverse("admin:index")).content.decode()
    for french in ("Postes et échelons", "Effectifs", "Membres du personnel", "Déclencheurs"):
        assert french in html
    for english in ("Staff members", "Posts and ladders", "Assembly points"):
        assert english not in html


def test_naming_makes_no_migration() -> None:
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
