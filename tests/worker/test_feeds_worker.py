"""Issue 12's "done when": an ACLED file for Mali and a United States advisory change for
Mali reach Bamako's assessment through the real worker; a re-import changes nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.management import call_command

from readiness.assessments.models import Assessment
from readiness.engine import contributions_from_dict
from readiness.indicators.models import Indicator
from readiness.scenarios.schema import load_scenario_file
from readiness.scenarios.services import scenario_load
from tests.feeds.conftest import FIXTURES, acled_text
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def newest(post):  # type: ignore[no-untyped-def]
    return Assessment.objects.filter(post=post).order_by("-evaluated_at", "-id").first()


def counted(assessment) -> dict[str, dict]:  # type: ignore[no-untyped-def, type-arg]
    return {str(row["id"]): row for row in contributions_from_dict(assessment.explanation)}


def test_acled_and_a_us_advisory_change_reach_bamako_through_the_worker(worker, tmp_path):  # type: ignore[no-untyped-def]
    bamako = scenario_load(load_scenario_file(ROOT / "seeds" / "bamako-2025.yaml")).post
    loaded = wait_for(lambda: newest(bamako), 30, "the assessment after loading the scenario")

    acled_file = tmp_path / "acled_mali.csv"
    acled_file.write_text(acled_text(), encoding="utf-8")
    call_command("import_acled", str(acled_file))
    call_command("import_advisories", str(FIXTURES / "us_advisories_level3.xml"))
    call_command("import_advisories", str(FIXTURES / "us_advisories_ordered.xml"))

    imported = list(Indicator.objects.filter(post=bamako, feed__isnull=False))
    acled = {i for i in imported if i.feed.name == "ACLED"}
    advice = {i for i in imported if i.feed.name == "US travel advisories"}
    assert len(acled) == 3  # the IED and the abduction in Bamako, the drone strike near Konna
    assert {(i.severity, i.ended_at is None) for i in advice} == {(3, False), (5, True)}
    ordered = next(i for i in advice if i.severity == 5)

    def scored():  # type: ignore[no-untyped-def]
        assessment = newest(bamako)
        ids = counted(assessment)
        return assessment if all(str(i.pk) in ids for i in imported) else None

    assessment = wait_for(scored, 60, "Bamako's assessment counting the imported indicators")
    assert assessment.pk != loaded.pk
    rows = counted(assessment)
    assert rows[str(ordered.pk)]["category"] == "peer_action"
    assert rows[str(ordered.pk)]["weight"] > 0  # the standing departure order weighs
    ied = next(i for i in acled if i.event == "acled-MLI40101")
    assert rows[str(ied.pk)]["weight"] > 0
    assert assessment.threat_index > loaded.threat_index

    # A re-import of both changes nothing: no indicator, no re-score.
    before = list(Indicator.objects.order_by("pk").values_list("pk", "ended_at", "expires_at"))
    assessments = Assessment.objects.filter(post=bamako).count()
    call_command("import_acled", str(acled_file))
    call_command("import_advisories", str(FIXTURES / "us_advisories_ordered.xml"))
    time.sleep(4)  # past the re-score's 2-second countdown
    after = list(Indicator.objects.order_by("pk").values_list("pk", "ended_at", "expires_at"))
    assert after == before
    assert Assessment.objects.filter(post=bamako).count() == assessments
