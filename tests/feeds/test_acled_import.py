"""Importing ACLED files: which posts, idempotency, corrections, all or nothing, memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from readiness.evidence import evidence_path
from readiness.feeds.models import AcledVersion, FeedImport
from readiness.feeds.services import ImportRefused, acled_import
from readiness.indicators.models import Indicator
from tests.feeds.conftest import acled_text, write

pytestmark = pytest.mark.django_db


def run(feed, text: str, **kwargs):  # type: ignore[no-untyped-def]
    return acled_import(feed=feed, file=io.StringIO(text), file_name="acled.csv", **kwargs)


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Indicator.objects.order_by("pk").values_list(
            "pk", "post_id", "external_id", "severity", "expires_at", "event", "text"
        )
    )


def test_events_reach_the_posts_whose_area_covers_them(acled_feed, mali, elsewhere):  # type: ignore[no-untyped-def]
    result = run(acled_feed, acled_text())
    at_bamako = {i.external_id: i for i in Indicator.objects.filter(post=mali)}
    assert set(at_bamako) == {
        "acled:MLI40101:1764200000",  # IED in Bamako (its two actor rows: one indicator)
        "acled:MLI40102:1764300000",  # abduction in Bamako
        "acled:MLI40103:1764250000",  # drone strike near Konna: grave, elsewhere
    }
    ied = at_bamako["acled:MLI40101:1764200000"]
    assert (ied.category, ied.severity, ied.reliability, ied.credibility) == ("incident", 3, "B", 2)
    assert ied.event == "acled-MLI40101" and ied.feed == acled_feed
    assert ied.source == "ACLED MLI40101 (reported by Studio Tamani; AFP)"
    assert "Senou airport road" in ied.text and "2 killed" in ied.text
    konna = at_bamako["acled:MLI40103:1764250000"]
    assert (konna.severity, konna.event) == (2, "")
    assert konna.text.startswith("Elsewhere in Mali: Air/drone strike in Konna, Mopti")
    assert not Indicator.objects.filter(post=elsewhere).exists()  # Dakar: none in Senegal
    assert (result.rows, result.created, result.unchanged, result.skipped) == (6, 3, 1, 2)
    assert result.posts == {mali.pk}


def test_reimporting_the_same_file_changes_nothing(acled_feed, mali):  # type: ignore[no-untyped-def]
    text = acled_text()
    run(acled_feed, text)
    before = snapshot()
    with mock.patch("readiness.feeds.services.post_rescore_enqueue") as enqueue:
        again = run(acled_feed, text)
    assert snapshot() == before
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 4)
    enqueue.assert_not_called()
    assert FeedImport.objects.filter(ok=True).count() == 2


def test_a_newer_version_of_an_event_withdraws_the_old_and_records_the_new(acled_feed, mali):  # type: ignore[no-untyped-def]
    text = acled_text()
    run(acled_feed, text)
    old = Indicator.objects.get(external_id="acled:MLI40101:1764200000")
    corrected = text.replace(",2,,1764200000", ",12,,1764900000")  # 12 dead, a later version
    result = run(acled_feed, corrected)
    old.refresh_from_db()
    assert old.expires_at is not None and old.expires_at <= timezone.now()  # withdrawn
    new = Indicator.objects.get(external_id="acled:MLI40101:1764900000")
    assert (new.severity, new.event) == (4, "acled-MLI40101")
    assert (result.created, result.corrected) == (1, 1)
    assert AcledVersion.objects.get(event_id="MLI40101").version == 1764900000
    # The older file again: an older version changes nothing.
    before = snapshot()
    assert run(acled_feed, text).created == 0
    assert snapshot() == before


def test_within_a_file_the_newest_version_of_an_event_wins(acled_feed, mali):  # type: ignore[no-untyped-def]
    lines = acled_text().splitlines()
    newer = lines[1].replace(",2,,1764200000", ",12,,1764900000")
    run(acled_feed, "\n".join([lines[0], newer, lines[1]]) + "\n")
    assert list(
        Indicator.objects.filter(event="acled-MLI40101").values_list("external_id", flat=True)
    ) == ["acled:MLI40101:1764900000"]


def test_a_malformed_row_refuses_the_file_naming_its_line(acled_feed, mali):  # type: ignore[no-untyped-def]
    lines = acled_text().splitlines()
    lines[4] = lines[4].replace("Air/drone strike", "Drone attack")  # line 5 of the file
    with pytest.raises(ImportRefused) as refused:
        run(acled_feed, "\n".join(lines) + "\n", batch_size=2)
    assert refused.value.errors == [
        (5, "sub_event_type: unknown 'Drone attack' (ACLED's codebook lists its types)")
    ]
    assert not Indicator.objects.exists() and not AcledVersion.objects.exists()
    log = FeedImport.objects.get()
    assert not log.ok and "line 5" in log.summary


def test_line_numbers_count_the_lines_of_a_quoted_note(acled_feed, mali):  # type: ignore[no-untyped-def]
    lines = acled_text().splitlines()
    lines[1] = lines[1].replace("On 24 November 2026,", "On 24 November 2026,\nin the night,")
    lines[3] = lines[3].replace("Civilians (International)", "Civilians (International)", 1)
    lines[3] = lines[3].replace(",0,,1764300000", ",none,,1764300000")
    with pytest.raises(ImportRefused) as refused:
        run(acled_feed, "\n".join(lines) + "\n")
    assert [line for line, _m in refused.value.errors] == [5]  # row 3 starts on line 5


def test_missing_columns_are_named(acled_feed, mali):  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused, match="line 1: missing columns: fatalities, timestamp"):
        run(acled_feed, "event_id_cnty,event_date,event_type,sub_event_type,country,admin1,"
            "location\n")  # fmt: skip


def test_an_event_dated_in_the_future_is_refused(acled_feed, mali):  # type: ignore[no-untyped-def]
    text = acled_text(newest_days_ago=-3)
    with pytest.raises(ImportRefused, match=r"event_date: .* is in the future"):
        run(acled_feed, text)
    assert not Indicator.objects.exists()


def test_events_older_than_five_years_are_skipped(acled_feed, mali):  # type: ignore[no-untyped-def]
    result = run(acled_feed, acled_text(newest_days_ago=6 * 366))
    assert result.created == 0 and not Indicator.objects.exists()


def test_a_post_the_feed_does_not_list_gets_nothing(acled_feed, mali):  # type: ignore[no-untyped-def]
    acled_feed.posts.remove(mali)
    assert run(acled_feed, acled_text()).created == 0
    assert not Indicator.objects.exists()


def test_each_written_post_is_rescored_once_after_all_batches(acled_feed, mali):  # type: ignore[no-untyped-def]
    with mock.patch("readiness.feeds.services.post_rescore_enqueue") as enqueue:
        run(acled_feed, acled_text(), batch_size=2)
    enqueue.assert_called_once_with(post_id=mali.pk)


def test_the_command_prints_progress_and_a_summary(acled_feed, mali, tmp_path: Path, capsys):  # type: ignore[no-untyped-def]
    call_command("import_acled", str(write(tmp_path, acled_text())))
    out = capsys.readouterr().out
    assert "6/6 rows (100%)" in out
    assert "6 rows: 3 indicators recorded, 0 corrected, 1 unchanged, 2 skipped" in out


def test_the_command_creates_its_feed_on_first_use_for_every_post(mali, tmp_path: Path, capsys):  # type: ignore[no-untyped-def]
    call_command("import_acled", str(write(tmp_path, acled_text())), "--feed", "ACLED Sahel")
    assert "Created feed 'ACLED Sahel' (reliability B) for all 1 posts" in capsys.readouterr().out
    assert Indicator.objects.filter(feed__name="ACLED Sahel", post=mali).count() == 3


def test_the_command_refuses_a_malformed_file_naming_the_line(acled_feed, tmp_path: Path):  # type: ignore[no-untyped-def]
    text = acled_text().replace("Mali,Mopti", "Malli,Mopti")
    with pytest.raises(CommandError, match=r"nothing imported: line 5: country: unknown country"):
        call_command("import_acled", str(write(tmp_path, text)))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_acled", str(tmp_path / "missing.csv"))


def generated(rows: int) -> str:
    """An ACLED file of ``rows`` events in Bamako and elsewhere in Mali, all distinct."""
    out = io.StringIO()
    fields = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1",
              "actor2", "civilian_targeting", "country", "admin1", "location", "latitude",
              "longitude", "fatalities", "notes", "timestamp"]  # fmt: skip
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    today = timezone.now().date()
    for n in range(rows):
        writer.writerow(
            {
                "event_id_cnty": f"MLI{n}",
                "event_date": (today - dt.timedelta(days=1 + n % 300)).isoformat(),
                "event_type": "Battles",
                "sub_event_type": "Armed clash",
                "actor1": "JNIM: Group for Support of Islam and Muslims",
                "actor2": "Military Forces of Mali (2021-)",
                "civilian_targeting": "",
                "country": "Mali",
                "admin1": "Bamako" if n % 2 else "Mopti",
                "location": "Bamako" if n % 2 else "Konna",
                "latitude": "12.6",
                "longitude": "-8.0",
                "fatalities": str(n % 60),
                "notes": "Soldiers and militants clashed on the road out of town. " * 3,
                "timestamp": "1764200000",
            }
        )
    return out.getvalue()


def peak_bytes(feed, text: str, tmp_path: Path) -> int:  # type: ignore[no-untyped-def]
    path = write(tmp_path, text, f"gen-{len(text)}.csv")
    tracemalloc.start()
    try:
        with path.open(encoding="utf-8", newline="") as file:
            acled_import(feed=feed, file=file, file_name=path.name, batch_size=250)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_file_imports_in_bounded_memory(acled_feed, mali, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The peak does not grow with the file: 2,000 rows peak like 500 (batches of 250),
    under a fixed bound. bench/bench_acled.py measures 100,000."""
    small = peak_bytes(acled_feed, generated(500), tmp_path)
    with evidence_path("migration"):  # the test starts over; evidence is never deleted else
        Indicator.objects.all().delete()
    acled_feed.imports.all().delete()
    AcledVersion.objects.all().delete()
    large = peak_bytes(acled_feed, generated(2000), tmp_path)
    # Bamako's rows (odd), and Mopti's grave enough to be context (10 dead or more).
    assert Indicator.objects.count() == sum(1 for n in range(2000) if n % 2 or n % 60 >= 10)
    print(f"\npeak: 500 rows {small / 1e6:.1f} MB, 2,000 rows {large / 1e6:.1f} MB")
    assert large < 6_000_000
    assert large < small * 1.5
