"""A feed's delivery is stored set-based (issue 12): its cost in statements does not grow
with the number of observations, and every rule still holds on that path: the model's
rules by field, the history of each row, the re-score of each post after commit, 409 on a
delivered id, all or nothing, and the database's constraints behind the checks, whose
refusals name the row and the field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.indicators import services
from readiness.indicators.models import Feed, Indicator
from readiness.indicators.services import CONSTRAINT_FIELDS, feed_create
from readiness.posts.models import Category, Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
URL = reverse("api:indicators")
# Statements of one delivery however many observations it holds (authentication, the
# feed's posts, the delivered ids, one INSERT of the rows, one of their history...).
MOST_STATEMENTS = 12


@pytest.fixture
def posts(db: None) -> list[Post]:
    return [PostFactory(code="ML-BKO"), PostFactory(code="NE-NIM")]


@pytest.fixture
def feed_and_token(posts: list[Post]) -> tuple[Feed, str]:
    return feed_create(name="Sahel watch", reliability="B", posts=posts)


Send = Callable[[list[dict[str, Any]]], Any]


@pytest.fixture
def deliver(client: Client, feed_and_token: tuple[Feed, str]) -> Send:
    token = feed_and_token[1]

    def send(observations: list[dict[str, Any]]) -> Any:
        return client.post(
            URL,
            json.dumps({"indicators": observations}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return send


def observation(n: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "post": "ML-BKO" if n % 2 else "NE-NIM",
        "category": "supply",
        "severity": 1 + n % 5,
        "credibility": 2,
        "observed_at": (NOW - dt.timedelta(hours=3, minutes=n)).isoformat(),
        "text": f"Fuel tankers halted on the Kayes road ({n})",
        "external_id": f"sw-{n:04d}",
    }
    data.update(changes)
    return data


def statements(send: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code in (200, 201), response.content
    return len(captured.captured_queries)


def most_in_one_insert() -> int:
    """A whole delivery on PostgreSQL; SQLite splits an INSERT at 999 parameters."""
    return 500 if connection.vendor == "postgresql" else 30


def test_a_delivery_costs_the_same_statements_for_2_or_500_observations(deliver: Send) -> None:
    size = most_in_one_insert()
    few = statements(lambda: deliver([observation(n) for n in range(2)]))
    many = statements(lambda: deliver([observation(n) for n in range(100, 100 + size)]))
    assert many == few, "no statement per observation"
    assert many <= MOST_STATEMENTS
    assert Indicator.objects.count() == 2 + size


def test_ending_many_conditions_costs_the_same_statements_as_ending_two(deliver: Send) -> None:
    ongoing = [observation(n, ongoing=True) for n in range(most_in_one_insert())]
    assert deliver(ongoing).status_code == 201
    end = (NOW - dt.timedelta(hours=1)).isoformat()
    few = statements(lambda: deliver([{**o, "ended_at": end} for o in ongoing[:2]]))
    many = statements(lambda: deliver([{**o, "ended_at": end} for o in ongoing[2:]]))
    assert many == few
    assert Indicator.objects.filter(ended_at=NOW - dt.timedelta(hours=1)).count() == len(ongoing)


def test_each_stored_row_has_its_history_as_a_save_would_write_it(deliver: Send) -> None:
    ongoing = [observation(n, ongoing=True) for n in range(3)]
    response = deliver(ongoing)
    assert response.status_code == 201, response.content
    saved = services.indicator_record(
        post=Indicator.objects.get(pk=response.json()["created"][0]["id"]).post,
        category="supply", severity=3, reliability="B", credibility=2, source="Desk",
        text="typed by an officer", observed_at=NOW - dt.timedelta(hours=2),
    )  # fmt: skip
    (as_saved,) = saved.history.all()
    tracked = Indicator.history.model.tracked_fields
    for row in response.json()["created"]:
        indicator = Indicator.objects.get(pk=row["id"])
        (record,) = indicator.history.all()
        assert record.history_type == "+"
        assert {f.attname: getattr(record, f.attname) for f in tracked} == {
            f.attname: getattr(indicator, f.attname) for f in tracked
        }
        assert (record.history_user_id, record.history_change_reason) == (
            as_saved.history_user_id,
            as_saved.history_change_reason,
        )
        assert abs(record.history_date - timezone.now()) < dt.timedelta(minutes=1)
    end = (NOW - dt.timedelta(hours=1)).isoformat()
    response = deliver([{**o, "ended_at": end} for o in ongoing])
    assert response.status_code == 200 and len(response.json()["ended"]) == 3
    for indicator in Indicator.objects.filter(feed__isnull=False):
        types = [r.history_type for r in indicator.history.order_by("history_date")]
        assert types == ["+", "~"]
        latest = indicator.history.latest("history_date")
        assert latest.ended_at == indicator.ended_at and latest.history_user_id is None


@pytest.mark.django_db(transaction=True)  # real commits: the re-score request follows one
def test_each_post_written_is_re_scored_once_after_commit(
    deliver: Send, posts: list[Post], monkeypatch: pytest.MonkeyPatch
) -> None:
    from readiness.assessments import services as assessments

    asked: list[int] = []
    monkeypatch.setattr(assessments, "_claim_and_queue", asked.append)
    monkeypatch.setattr(assessments, "_claims_and_queue", asked.extend)  # several at once
    response = deliver([observation(n) for n in range(40)])
    assert response.status_code == 201
    assert sorted(asked) == sorted(p.pk for p in posts), "once per post, not per row"
    asked.clear()
    refused = deliver([observation(n) for n in range(40, 50)] + [observation(0, severity=5)])
    assert refused.status_code == 409
    assert asked == [], "nothing asked for a refused delivery"


def test_the_rules_by_field_hold_in_the_batch_and_nothing_is_kept(deliver: Send) -> None:
    batch = [observation(n) for n in range(10)]
    batch[3]["expires_at"] = batch[3]["observed_at"]  # no later than observed
    batch[6]["ended_at"] = batch[6]["observed_at"]  # ended, yet not ongoing
    batch[8]["observed_at"] = (NOW - dt.timedelta(days=6 * 365)).isoformat()  # too old
    response = deliver(batch)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"3", "6", "8"}
    assert "expires_at" in errors["3"] and "ended_at" in errors["6"]
    assert "observed_at" in errors["8"]
    assert not Indicator.objects.exists()


def test_a_delivered_id_is_still_409_in_a_large_batch(deliver: Send) -> None:
    assert deliver([observation(7)]).status_code == 201
    response = deliver(
        [observation(n, severity=5) if n == 7 else observation(n) for n in range(50)]
    )
    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"7"}
    assert Indicator.objects.count() == 1


@contextmanager
def stored_meanwhile(feed: Feed, post: Post, external_id: str) -> Iterator[None]:
    """As if another delivery stored this id between the batch's read of the delivered ids
    and its write: the row is inserted right after that read."""
    done = False

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal done
        result = execute(sql, params, many, context)
        if not done and sql.startswith("SELECT") and "indicators_indicator" in sql:
            done = True
            Indicator.objects.create(
                post=post, feed=feed, category="incident", severity=2, reliability="B",
                credibility=3, source="other", text="the other delivery",
                observed_at=NOW - dt.timedelta(hours=1), external_id=external_id,
            )  # fmt: skip
        return result

    with connection.execute_wrapper(wrapper):
        yield
    assert done


def test_an_id_stored_concurrently_is_409_naming_the_row(
    deliver: Send, feed_and_token: tuple[Feed, str], posts: list[Post]
) -> None:
    feed = feed_and_token[0]
    batch = [observation(n) for n in range(20)]
    with stored_meanwhile(feed, posts[0], batch[5]["external_id"]):  # observation 5: ML-BKO
        response = deliver(batch)
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body["errors"]) == {"5"}
    assert "same moment" in body["errors"]["5"]["external_id"][0]
    assert not Indicator.objects.filter(text__startswith="Fuel").exists(), "all or nothing"
    # Sent again (here the other row went with the refused transaction), it is stored.
    assert deliver(batch).status_code == 201


@pytest.mark.django_db(transaction=True)  # two connections, real commits
def test_two_deliveries_of_one_id_at_the_same_moment_one_is_kept_the_other_told_409(
    deliver: Send, feed_and_token: tuple[Feed, str], posts: list[Post]
) -> None:
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run this on PostgreSQL (DATABASE_URL)", pytrace=False)
        pytest.skip("SQLite locks the whole database: no two writers at once")
    feed = feed_and_token[0]
    batch = [observation(n) for n in range(20)]
    holding, release = threading.Event(), threading.Event()

    def other_delivery() -> None:  # holds observation 5's id, uncommitted, for a moment
        try:
            with transaction.atomic():
                Indicator.objects.create(
                    post=posts[0], feed=feed, category="incident", severity=2, reliability="B",
                    credibility=3, source="other", text="the other delivery",
                    observed_at=NOW - dt.timedelta(hours=1), external_id=batch[5]["external_id"],
                )  # fmt: skip
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=other_delivery)
    other.start()
    assert holding.wait(10)
    timer = threading.Timer(1.0, release.set)  # commits while this delivery waits on it
    timer.start()
    response = deliver(batch)
    other.join(10)
    assert response.status_code == 409, response.content
    assert set(response.json()["errors"]) == {"5"}
    assert list(Indicator.objects.values_list("text", flat=True)) == ["the other delivery"]


def test_the_database_constraints_stand_behind_the_checks_naming_row_and_field(
    deliver: Send, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were a rule of clean() lost, the database's check constraint still refuses the row,
    # and the answer names it and its field instead of a 500.
    monkeypatch.setattr(Indicator, "clean", lambda self: None)
    batch = [observation(n) for n in range(6)]
    batch[4]["expires_at"] = (NOW - dt.timedelta(hours=5)).isoformat()  # before observed
    response = deliver(batch)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"4"}
    assert "indicator_expires_after_observed" in errors["4"]["expires_at"][0]
    assert not Indicator.objects.exists()


def test_every_constraint_of_an_indicator_names_its_field() -> None:
    names = {c.name for c in Indicator._meta.constraints}
    assert names == set(CONSTRAINT_FIELDS)
    fields = {f.name for f in Indicator._meta.get_fields()}
    assert set(CONSTRAINT_FIELDS.values()) <= fields


def test_the_checks_of_a_batch_read_nothing_row_by_row(feed_and_token: tuple[Feed, str]) -> None:
    feed = feed_and_token[0]
    post = feed.posts.get(code="ML-BKO")
    indicator = services._delivered(
        feed,
        post,
        services.Observation(
            post_code=post.code,
            category="supply",
            severity=3,
            credibility=2,
            observed_at=NOW - dt.timedelta(hours=1),
            text="x",
            external_id="x-1",
            ongoing=True,
            ended_at=NOW,
            event="kayes-road",
        ),
        NOW,
    )
    with CaptureQueriesContext(connection) as captured:
        services._fields_validate(
            indicator, NOW, exclude=services._READ_WITH_THE_BATCH, validate_unique=False
        )
    assert captured.captured_queries == []


# Each field a batch checks row by row: valid values, values at and past each bound, and
# values of other types (which clean_fields() may convert, or refuse).
_DATES = st.one_of(
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))])),
    st.datetimes(),  # naive
    st.sampled_from([None, "2025-01-01T00:00:00+00:00", "not a date", dt.date(2025, 1, 1), 7]),
)
_STRINGS = st.one_of(
    st.text(max_size=4),
    st.sampled_from(["a" * 100, "a" * 101, "a" * 200, "a" * 201, "", None, 5]),
    st.sampled_from([" ", b"x", ["x"]]),
)
_FLAGS = st.sampled_from([True, False, None, 0, 1, "true", "", "False"])
_SHORTCUT_FIELDS = {
    "category": st.one_of(
        st.sampled_from(Category.values), st.sampled_from(["", "Supply", "x" * 30, 3, None])
    ),
    "severity": st.sampled_from([-1, 0, 1, 2, 5, 6, 32768, True, 3.0, 3.5, "3", None]),
    "credibility": st.sampled_from([-1, 0, 1, 6, 7, False, 2.0, "2", None]),
    "source": _STRINGS,
    "text": _STRINGS,
    "observed_at": _DATES,
    "expires_at": _DATES,
    "ended_at": _DATES,
    "ongoing": _FLAGS,
    "de_escalation": _FLAGS,
    "external_id": _STRINGS,
    "event": st.one_of(
        _STRINGS,
        st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,110}\Z"),
        st.sampled_from(["kayes-road", "-x", "a b", "a\n", "é"]),
    ),
}


@settings(max_examples=1000, deadline=None)
@given(
    changed=st.lists(
        st.sampled_from(sorted(_SHORTCUT_FIELDS)), min_size=1, max_size=2, unique=True
    ),
    data=st.data(),
)
def test_the_batch_shortcut_passes_only_what_clean_fields_passes(
    changed: list[str], data: st.DataObject
) -> None:
    """A row the batch's shortcut finds plainly valid is one the model's field rules pass:
    skipping clean_fields() for it loses no rule. Rows are a valid one with one or two
    fields changed to any value of those above."""
    values: dict[str, Any] = {
        "category": "supply", "severity": 3, "credibility": 2, "source": "Sahel watch",
        "text": "Fuel tankers halted", "observed_at": NOW, "expires_at": None,
        "ended_at": None, "ongoing": False, "de_escalation": False, "external_id": "sw-1",
        "event": "",
    }  # fmt: skip
    for name in changed:
        values[name] = data.draw(_SHORTCUT_FIELDS[name], label=name)
    indicator = Indicator(**values)
    if services._plainly_valid_fields(indicator):
        indicator.clean_fields(exclude=services._READ_WITH_THE_BATCH)  # raises nothing
        assert {name: getattr(indicator, name) for name in values} == values, "nor converts"


def test_a_delivered_row_takes_the_shortcut_and_keeps_the_models_rules(
    feed_and_token: tuple[Feed, str],
) -> None:
    feed = feed_and_token[0]
    post = feed.posts.get(code="ML-BKO")

    def delivered(**changes: Any) -> Indicator:
        o = services.Observation(
            post_code=post.code, category="supply", severity=3, credibility=2,
            observed_at=NOW - dt.timedelta(hours=1), text="Fuel tankers halted",
            external_id="x-1", event="kayes-road",
        )  # fmt: skip
        return services._delivered(feed, post, dataclasses.replace(o, **changes), NOW)

    def errors(indicator: Indicator) -> dict[str, list[str]]:
        try:
            services._fields_validate(
                indicator, NOW, exclude=services._READ_WITH_THE_BATCH, validate_unique=False
            )
        except ValidationError as exc:
            return exc.message_dict
        return {}

    assert services._plainly_valid_fields(delivered()) and errors(delivered()) == {}
    # The model's clean() and the age still apply to a row that took the shortcut.
    cases = {
        "ended_at": delivered(ended_at=NOW),  # ended, yet not ongoing
        "expires_at": delivered(expires_at=NOW - dt.timedelta(hours=2)),
        "observed_at": delivered(observed_at=NOW - dt.timedelta(days=6 * 365)),
    }
    for name, indicator in cases.items():
        assert services._plainly_valid_fields(indicator)
        assert set(errors(indicator)) == {name}
    # A row it does not recognise gets clean_fields()'s own words.
    wrong = delivered(severity=9, event="a b")
    assert not services._plainly_valid_fields(wrong)
    assert set(errors(wrong)) == {"severity", "event"}
    with pytest.raises(ValidationError) as full:
        wrong.full_clean(exclude=services._READ_WITH_THE_BATCH, validate_unique=False)
    assert errors(wrong) == full.value.message_dict


def test_a_batchs_faults_are_named_by_position_whatever_their_kind(deliver: Send) -> None:
    """The JSON types are checked item by item and the fields in one validation of the
    list: each fault still lands on its observation and field, with the same words."""
    batch: list[Any] = [observation(n) for n in range(8)]
    batch[1]["text"] = "Route de Kayès bloquée 🚧"  # non-ASCII (an escaped pair): valid
    batch[2]["severity"] = "3"  # a string for a number
    batch[3] = ["not", "an", "object"]
    batch[4]["category"] = "weather"  # no such category
    batch[5]["severity"] = True  # and a field missing
    del batch[5]["text"]
    batch[6]["reliability"] = "A"  # the feed's, not the observation's
    response = deliver(batch)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["2", "3", "4", "5", "6"]
    assert errors["2"] == {"severity": ["send a whole number, not a string"]}
    assert errors["3"] == {"__all__": ["an observation is a JSON object"]}
    assert errors["4"]["category"][0].startswith("Select a valid choice. weather")
    assert errors["5"] == {
        "text": ["This field is required."],
        "severity": ["send a whole number, not true or false"],
    }
    assert errors["6"] == {"reliability": ["set by the feed's configuration (B)"]}
    assert not Indicator.objects.exists()
    del batch[2:7]
    assert deliver(batch).status_code == 201
    assert Indicator.objects.get(external_id="sw-0001").text == "Route de Kayès bloquée 🚧"
