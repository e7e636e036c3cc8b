"""`manage.py load_scenario`: fills the database from a scenario file, idempotently, whole
or not at all."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from readiness.assessments.models import Decision
from readiness.indicators.models import Indicator
from readiness.posts.models import Post

pytestmark = pytest.mark.django_db

BAMAKO = Path(__file__).resolve().parents[2] / "seeds" / "bamako-2025.yaml"
OUR_APPS = ("posts", "rosters", "indicators", "assessments")


def snapshot() -> dict[str, list[dict[str, object]]]:
    """Every row of the domain tables, history included."""
    state = {}
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label == "assessments.Assessment":
                continue  # re-scoring may store a newer assessment; the data is what counts
            rows = model._default_manager.order_by("pk")
            state[model._meta.label] = [model_to_dict(row) for row in rows]
    return state


def load(*args: str) -> None:
    call_command("load_scenario", *args, stdout=io.StringIO())


def test_bamako_loads_the_post_its_rosters_and_timeline():  # type: ignore[no-untyped-def]
    load(str(BAMAKO))
    post = Post.objects.get(code="ML-BKO")
    assert post.levels.count() == 7
    assert post.schools.count() == 7
    assert post.community.registered > 0
    assert post.routes.filter(mode="road", status="closed").exists()
    assert not post.routes.filter(mode="sea").exists()
    assert list(post.decisions.order_by("decided_at").values_list("to_level", flat=True)) == [3, 4]
    assert post.level == 4
    assert post.indicators.filter(ongoing=True, category="supply").exists()


def test_loading_twice_changes_nothing():  # type: ignore[no-untyped-def]
    load(str(BAMAKO))
    before = snapshot()
    load(str(BAMAKO))
    assert snapshot() == before


def test_malformed_file_is_refused_with_its_location_and_nothing_is_loaded(tmp_path):  # type: ignore[no-untyped-def]
    text = BAMAKO.read_text().replace("severity: 4", "severity: 9", 1)
    assert text != BAMAKO.read_text()
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "severity: 9" in row)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(CommandError) as error:
        load(str(bad))
    message = str(error.value)
    assert f"bad.yaml:{line}:" in message
    assert "severity" in message
    assert not Post.objects.exists()
    assert not Indicator.objects.exists()


def test_a_bad_reload_leaves_the_loaded_post_as_it_was(tmp_path):  # type: ignore[no-untyped-def]
    load(str(BAMAKO))
    before = snapshot()
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAMAKO.read_text().replace("registered: 4000", "registered: -4"))
    with pytest.raises(CommandError):
        load(str(bad))
    assert snapshot() == before


def test_as_of_loads_the_timeline_up_to_that_day():  # type: ignore[no-untyped-def]
    load(str(BAMAKO), "--as-of", "2025-11-10")
    post = Post.objects.get(code="ML-BKO")
    assert post.level == 3
    assert not post.indicators.filter(observed_at__date__gt=dt.date(2025, 11, 10)).exists()
    assert list(Decision.objects.values_list("to_level", flat=True)) == [3]


def test_as_if_today_moves_the_crisis_to_now_without_future_indicators():  # type: ignore[no-untyped-def]
    load(str(BAMAKO), "--as-if-today", "2025-11-10")
    post = Post.objects.get(code="ML-BKO")
    assert post.level == 3
    newest = post.indicators.order_by("-observed_at").first()
    assert newest.observed_at <= timezone.now()
    assert newest.observed_at > timezone.now() - dt.timedelta(days=10)
    # Decided on 2025-11-07, three days before the chosen day: three days before today.
    zone = post.timezone
    decided = post.decisions.get().decided_at.astimezone(ZoneInfo(zone)).date()
    assert (timezone.now().astimezone(ZoneInfo(zone)).date() - decided).days == 3


def test_unknown_file_is_a_clear_error():  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="cannot read"):
        load("no/such/file.yaml")
