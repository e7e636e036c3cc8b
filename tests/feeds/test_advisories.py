"""Travel advisories: reading the US RSS and the UK's Atom and JSON, and importing a change
of level (not a re-publication) as a peer action, a lowered one as a de-escalation."""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from readiness.feeds.advisories import AdvisoryError, advisories_read, gb_step_of_text, us_step
from readiness.feeds.models import AdvisoryLevel, FeedImport
from readiness.feeds.services import ImportRefused, advisories_import
from readiness.indicators.models import Indicator
from readiness.indicators.services import feed_create
from tests.feeds.conftest import FIXTURES

LEVEL3, ORDERED, LIFTED = "us_advisories_level3.xml", "us_advisories_ordered.xml", "us_advisories_lifted.xml"  # fmt: skip


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def steps(name: str) -> dict[str, int]:
    return {a.country: a.step for a in advisories_read(fixture(name))}


# --- reading ---------------------------------------------------------------------------


def test_the_us_feed_is_read_level_by_country() -> None:
    assert steps(LEVEL3) == {"ML": 3, "NE": 4, "FR": 2}
    (mali, *_rest) = advisories_read(fixture(LEVEL3))
    assert mali.government == "US" and mali.label == "Mali - Level 3: Reconsider Travel"
    assert mali.published_at == dt.datetime(2026, 10, 5, 4, 0, tzinfo=dt.UTC)
    assert mali.url.endswith("mali-travel-advisory.html")


def test_an_ordered_departure_is_step_5_and_its_end_no_longer_counts() -> None:
    assert steps(ORDERED)["ML"] == 5
    assert advisories_read(fixture(ORDERED))[0].label.endswith("; ordered departure")
    assert steps(LIFTED)["ML"] == 3  # "terminated the ordered departure"


@pytest.mark.parametrize(
    ("level", "text", "step"),
    [
        (1, "Exercise normal precautions.", 1),
        (3, "The Department authorized the departure of non-emergency staff.", 4),
        (4, "On authorized departure since March.", 4),
        (3, "The Department lifted the authorized departure.", 3),
        (4, "The Department ordered the departure of non-emergency employees.", 5),
        (4, "The ordered departure was ended; staff return.", 5),  # said loosely: still read
    ],
)
def test_us_step(level: int, text: str, step: int) -> None:
    assert us_step(level, text)[0] == step


def test_the_uk_json_and_atom_are_read() -> None:
    (mali,) = advisories_read(fixture("gb_mali.json"))
    assert (mali.government, mali.country, mali.step) == ("GB", "ML", 4)
    assert mali.url == "https://www.gov.uk/foreign-travel-advice/mali"
    atom = {a.country: a.step for a in advisories_read(fixture("gb_travel_advice.atom"))}
    assert atom == {"ML": 4, "KE": 1}  # France's update states no advice: not read as a level


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("The FCDO advises against all travel to Mali.", 4),
        ("The FCDO advises against all but essential travel to Mali.", 3),
        ("FCDO advise against all travel to parts of Mali.", 2),
        ("We advise against all but essential travel to areas within 60km of the border.", 1),
        (
            "The FCDO advises against all but essential travel to Chad. "
            "The FCDO advises against all travel to parts of Chad.",
            3,
        ),
    ],
)
def test_the_fcdo_words_on_the_scale(text: str, step: int) -> None:
    found = gb_step_of_text(text)
    assert found is not None and found[0] == step


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "empty"),
        (b"<rss><channel><item><title>Mali</title></item></channel></rss>", "item 1: title"),
        (
            b"<rss><channel><item><title>Mali - Level 4: Do Not Travel</title>"
            b"<pubDate>someday</pubDate></item></channel></rss>",
            "pubDate",
        ),
        (b"<html/>", "expected the US advisories"),
        (b"<rss", "not well-formed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>',
            "DTDs and entities are refused",
        ),
        (b'{"details": {"country": {"name": "Mali"}, "alert_status": ["leave"]}}', "alert_status"),
        (b'{"details": {}}', "details.country.name"),
        (b"[1", "not JSON"),
    ],
)
def test_an_unreadable_document_is_refused_saying_why(document: bytes, message: str) -> None:
    with pytest.raises(AdvisoryError, match=message):
        advisories_read(document)


# --- importing -------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def us_feed(mali, elsewhere):  # type: ignore[no-untyped-def]
    return feed_create(name="US travel advisories", reliability="A", posts=[mali, elsewhere])[0]


def run(feed, name: str):  # type: ignore[no-untyped-def]
    return advisories_import(feed=feed, document=fixture(name), file_name=name)


def peer(post):  # type: ignore[no-untyped-def]
    return list(Indicator.objects.filter(post=post, category="peer_action").order_by("pk"))


def snapshot() -> list[tuple[object, ...]]:
    return list(Indicator.objects.order_by("pk").values_list("pk", "ended_at", "expires_at"))


def test_the_first_level_seen_is_standing_advice(us_feed, mali, elsewhere):  # type: ignore[no-untyped-def]
    result = run(us_feed, LEVEL3)
    (advice,) = peer(mali)
    assert (advice.severity, advice.ongoing, advice.de_escalation) == (3, True, False)
    assert (advice.reliability, advice.credibility) == ("A", 1)
    assert advice.event == "advisory-us-ml"
    assert advice.text == "United States: Mali - Level 3: Reconsider Travel"
    assert advice.source.startswith("US travel advisories, United States (https://travel.state")
    assert not peer(elsewhere)  # no Senegal item
    assert AdvisoryLevel.objects.get(government="US", country="ML").step == 3
    assert AdvisoryLevel.objects.count() == 3  # Niger and France remembered for later posts
    assert (result.changed, result.created) == (3, 1)


def test_a_republication_changes_nothing(us_feed, mali):  # type: ignore[no-untyped-def]
    run(us_feed, LEVEL3)
    before = snapshot()
    again = run(us_feed, LEVEL3)
    assert snapshot() == before
    assert (again.changed, again.created, again.unchanged) == (0, 0, 3)


def test_a_raised_level_ends_the_standing_advice_and_records_the_new(us_feed, mali):  # type: ignore[no-untyped-def]
    run(us_feed, LEVEL3)
    result = run(us_feed, ORDERED)
    level3, ordered = peer(mali)
    assert level3.ended_at == dt.datetime(2026, 10, 28, 4, 0, tzinfo=dt.UTC)
    assert (ordered.severity, ordered.ongoing, ordered.ended_at) == (5, True, None)
    assert ordered.text.endswith("Level 4: Do Not Travel; ordered departure")
    assert (result.changed, result.created, result.ended) == (1, 1, 1)
    before = snapshot()
    run(us_feed, ORDERED)
    run(us_feed, LEVEL3)  # an older publication: not a lowering
    assert snapshot() == before


def test_a_lowered_level_is_a_de_escalation_then_the_new_standing_advice(us_feed, mali):  # type: ignore[no-untyped-def]
    run(us_feed, ORDERED)
    run(us_feed, LIFTED)
    ordered, lowered, level3 = peer(mali)
    assert ordered.ended_at is not None
    assert (lowered.de_escalation, lowered.severity, lowered.event) == (True, 5, "advisory-us-ml")
    assert (level3.severity, level3.ongoing, level3.de_escalation) == (3, True, False)
    assert level3.observed_at > lowered.observed_at  # known after it: not ended by it


def dated(name: str, when: dt.datetime) -> bytes:
    """The fixture with Mali's item published at ``when``."""
    document = fixture(name).decode()
    mali = document.index("<title>Mali")
    start = document.index("<pubDate>", mali) + len("<pubDate>")
    end = document.index("</pubDate>", start)
    return (document[:start] + email.utils.format_datetime(when) + document[end:]).encode()


def test_after_a_lowering_only_the_new_level_weighs(us_feed, mali):  # type: ignore[no-untyped-def]
    """Ordered departure two days ago, lifted to level 3 yesterday: the peer-action weight
    is at most the level-3 advice's (3 at A1), not the order's decaying tail added to it."""
    from django.utils import timezone

    from readiness.assessments.services import post_rescore
    from readiness.engine import contributions_from_dict

    now = timezone.now()
    advisories_import(
        feed=us_feed, document=dated(ORDERED, now - dt.timedelta(days=2)), file_name="o"
    )
    high = post_rescore(post_id=mali.pk)
    advisories_import(
        feed=us_feed, document=dated(LIFTED, now - dt.timedelta(days=1)), file_name="l"
    )
    low = post_rescore(post_id=mali.pk)
    assert high is not None and low is not None
    peer_weight = sum(
        row["weight"]
        for row in contributions_from_dict(low.explanation)
        if row["category"] == "peer_action"
    )
    # The order's ended tail is cancelled; the level-3 advice weighs 3 at most (the engine
    # halves a second peer action within a week of another).
    assert 0 < peer_weight <= 3
    assert low.threat_index < high.threat_index


def test_the_uk_advice_is_its_own_government(mali):  # type: ignore[no-untyped-def]
    feed = feed_create(name="UK travel advice", reliability="A", posts=[mali])[0]
    advisories_import(feed=feed, document=fixture("gb_mali.json"), file_name="gb_mali.json")
    advisories_import(
        feed=feed, document=fixture("gb_travel_advice.atom"), file_name="gb.atom"
    )  # the same advice, same publication: nothing new
    (advice,) = peer(mali)
    assert (advice.severity, advice.event) == (4, "advisory-gb-ml")


def test_a_malformed_document_imports_nothing(us_feed, mali):  # type: ignore[no-untyped-def]
    broken = fixture(ORDERED).replace(b"<title>Niger - Level 4", b"<title>Niger, level four")
    with pytest.raises(ImportRefused, match="item 2: title"):
        advisories_import(feed=us_feed, document=broken, file_name="broken.xml")
    assert not Indicator.objects.exists() and not AdvisoryLevel.objects.exists()
    assert not FeedImport.objects.get().ok


def test_a_country_missing_from_the_table_is_skipped_and_named(us_feed, mali):  # type: ignore[no-untyped-def]
    odd = (
        fixture(LEVEL3)
        .replace(b"France - Level 2", b"Freedonia - Level 2")
        .replace(b'<category domain="Country-Tag">FR</category>', b"")
    )
    result = advisories_import(feed=us_feed, document=odd, file_name="odd.xml")
    assert result.unknown_countries == ["Freedonia"]
    assert "not in the country table (skipped): Freedonia" in result.summary()
    assert len(peer(mali)) == 1


def test_the_command_picks_the_feed_by_government(mali, tmp_path: Path, capsys):  # type: ignore[no-untyped-def]
    call_command("import_advisories", str(FIXTURES / ORDERED))
    out = capsys.readouterr().out
    assert "Created feed 'US travel advisories' (reliability A)" in out
    assert "3 advisories: 3 changes of level, 1 indicators recorded" in out
    call_command("import_advisories", str(FIXTURES / "gb_mali.json"))
    assert Indicator.objects.filter(feed__name="UK travel advice", post=mali).count() == 1
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<rss")
    with pytest.raises(CommandError, match=r"nothing imported: .*not well-formed"):
        call_command("import_advisories", str(bad))
