"""ACLED files dated near today, and the posts and feeds the feed tests write to."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone

from readiness.indicators.services import feed_create
from tests.factories import PostFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def redated(text: str, *, newest_days_ago: int = 1) -> str:
    """The CSV with its event dates moved so the newest is ``newest_days_ago`` days before
    today, the gaps kept (an indicator older than five years is refused)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    dates = [dt.date.fromisoformat(r["event_date"]) for r in rows]
    shift = timezone.now().date() - dt.timedelta(days=newest_days_ago) - max(dates)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row, date in zip(rows, dates, strict=True):
        writer.writerow({**row, "event_date": (date + shift).isoformat()})
    return out.getvalue()


def acled_text(name: str = "acled_mali.csv", **kwargs: int) -> str:
    return redated((FIXTURES / name).read_text(encoding="utf-8"), **kwargs)


def write(tmp_path: Path, text: str, name: str = "acled.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def mali(db):  # type: ignore[no-untyped-def]
    """A post in Bamako, Mali."""
    return PostFactory(code="ML-BKO", name="Bamako", country="ML", city="Bamako")


@pytest.fixture
def elsewhere(db):  # type: ignore[no-untyped-def]
    """A post in another country."""
    return PostFactory(code="SN-DKR", name="Dakar", country="SN", city="Dakar")


@pytest.fixture
def acled_feed(mali, elsewhere):  # type: ignore[no-untyped-def]
    return feed_create(name="ACLED", reliability="B", posts=[mali, elsewhere])[0]
