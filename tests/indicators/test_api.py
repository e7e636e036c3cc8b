"""The feeds' HTTP API (readiness/indicators/api.py): JSON and CAP 1.2 deliveries, refusals
with their reasons, idempotent retries, and the re-score that follows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from readiness.assessments.models import Assessment
from readiness.evidence import evidence_path
from readiness.indicators.models import Indicator
from readiness.indicators.services import feed_create, feed_token_issue
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
URL = reverse("api:indicators")
CAP_URL = reverse("api:cap")


@pytest.fixture
def post(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # Its creation's own re-score runs now, so a test sees the one its delivery queues.
    with django_capture_on_commit_callbacks(execute=True):
        return PostFactory(code="ML-BKO")


@pytest.fixture
def feed_and_token(post):  # type: ignore[no-untyped-def]
    return feed_create(name="Sahel watch", reliability="B", posts=[post])


@pytest.fixture
def deliver(client, feed_and_token):  # type: ignore[no-untyped-def]
    _feed, token = feed_and_token

    def send(payload, *, token=token, content_type="application/json", url=URL):  # type: ignore[no-untyped-def]
        body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post(url, body, content_type=content_type, headers=headers)

    return send


def observation(**changes):  # type: ignore[no-untyped-def]
    data = {
        "post": "ML-BKO",
        "category": "supply",
        "severity": 4,
        "credibility": 2,
        "observed_at": (NOW - dt.timedelta(hours=3)).isoformat(),
        "text": "Fuel tankers halted on the Kayes road",
        "external_id": "sw-0001",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db(transaction=True)  # real commits: the re-score follows the delivery's
def test_a_delivered_observation_is_recorded_with_the_feed_s_grade_and_scored(
    deliver, feed_and_token, post
):  # type: ignore[no-untyped-def]
    feed, _token = feed_and_token
    before = Assessment.objects.filter(post=post).latest()
    assert before.threat_index == 0
    response = deliver(observation())
    assert response.status_code == 201, response.content
    (created,) = response.json()["created"]
    indicator = Indicator.objects.get(pk=created["id"])
    assert (created["post"], created["external_id"]) == ("ML-BKO", "sw-0001")
    assert (indicator.reliability, indicator.credibility, indicator.severity) == ("B", 2, 4)
    assert indicator.feed == feed and indicator.source == "Sahel watch"
    assert indicator.observed_at == NOW - dt.timedelta(hours=3)
    assessment = Assessment.objects.filter(post=post).latest()
    assert assessment.pk != before.pk and assessment.threat_index > 0, "the delivery re-scored"
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_a_retry_changes_nothing(deliver):  # type: ignore[no-untyped-def]
    assert deliver(observation()).status_code == 201
    again = deliver(observation())
    assert again.status_code == 200
    assert again.json()["created"] == [] and len(again.json()["unchanged"]) == 1
    assert Indicator.objects.count() == 1


def test_another_content_under_a_delivered_id_is_refused(deliver):  # type: ignore[no-untyped-def]
    deliver(observation())
    response = deliver(observation(severity=5))
    assert response.status_code == 409
    assert "not rewritten" in response.json()["errors"]["0"]["external_id"][0]
    assert Indicator.objects.get().severity == 4


def test_an_external_id_used_by_another_source_is_refused_not_taken_over(deliver, post):  # type: ignore[no-untyped-def]
    other, _token = feed_create(name="Other desk", reliability="E", posts=[post])
    deliver(observation())
    first = Indicator.objects.get()
    with evidence_path("migration"):  # as if the other desk had sent it
        Indicator.objects.filter(pk=first.pk).update(feed=other)
    response = deliver(observation())
    assert response.status_code == 409
    assert "another source" in response.json()["errors"]["0"]["external_id"][0]


def test_an_ongoing_condition_is_ended_by_delivering_it_with_its_end(deliver):  # type: ignore[no-untyped-def]
    deliver(observation(ongoing=True))
    end = (NOW - dt.timedelta(hours=1)).isoformat()
    response = deliver(observation(ongoing=True, ended_at=end))
    assert response.status_code == 200, response.content
    assert len(response.json()["ended"]) == 1
    assert Indicator.objects.get().ended_at == NOW - dt.timedelta(hours=1)


def test_a_batch_is_all_or_nothing_and_names_each_fault(deliver):  # type: ignore[no-untyped-def]
    batch = {
        "indicators": [
            observation(external_id="a"),
            observation(external_id="b", severity=9, observed_at="2025-11-07T09:30:00"),
            observation(external_id="c", category="gossip"),
        ]
    }
    response = deliver(batch)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"1", "2"}
    assert "severity" in errors["1"] and "UTC offset" in errors["1"]["observed_at"][0]
    assert "category" in errors["2"]
    assert Indicator.objects.count() == 0, "nothing of a refused delivery is saved"


def test_a_batch_records_every_observation_in_one_go(deliver):  # type: ignore[no-untyped-def]
    batch = {"indicators": [observation(external_id=f"n{i}") for i in range(20)]}
    response = deliver(batch)
    assert response.status_code == 201
    assert len(response.json()["created"]) == 20 == Indicator.objects.count()


def test_a_model_rule_refuses_the_delivery_with_its_reason(deliver):  # type: ignore[no-untyped-def]
    future = (NOW + dt.timedelta(days=2)).isoformat()
    response = deliver(
        {"indicators": [observation(external_id="ok"), observation(observed_at=future)]}
    )
    assert response.status_code == 400
    assert "future" in response.json()["errors"]["1"]["observed_at"][0]
    assert Indicator.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reliability": "A"}, "reliability", "feed's configuration"),
        ({"severty": 3}, "severty", "unknown field"),
        ({"ongoing": "no"}, "ongoing", "true or false"),
        ({"external_id": None}, "external_id", "required"),
    ],
)
def test_a_field_a_feed_may_not_or_need_not_send_is_named(deliver, changes, field, words):  # type: ignore[no-untyped-def]
    response = deliver(observation(**changes))
    assert response.status_code == 400
    assert words in response.json()["errors"]["0"][field][0]


def test_the_same_observation_twice_in_a_delivery_is_refused(deliver):  # type: ignore[no-untyped-def]
    response = deliver({"indicators": [observation(), observation()]})
    assert response.status_code == 400
    assert "repeats observation 0" in response.json()["errors"]["1"]["external_id"][0]


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_without_a_valid_token_the_answer_is_401(deliver, token):  # type: ignore[no-untyped-def]
    response = deliver(observation(), token=token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["error"]


def test_a_deactivated_feed_or_a_replaced_token_is_refused(deliver, feed_and_token):  # type: ignore[no-untyped-def]
    feed, token = feed_and_token
    new = feed_token_issue(feed=feed)
    assert deliver(observation(), token=token).status_code == 401
    assert deliver(observation(), token=new).status_code == 201
    feed.is_active = False
    feed.save()
    assert deliver(observation(external_id="x2"), token=new).status_code == 401


def test_a_post_the_feed_may_not_write_to_is_refused(deliver):  # type: ignore[no-untyped-def]
    PostFactory(code="NE-NIM")
    for code in ("NE-NIM", "XX-NONE"):
        response = deliver(observation(post=code))
        assert response.status_code == 403
        assert "may not write to post" in response.json()["errors"]["0"]["post"][0]
    assert Indicator.objects.count() == 0


def test_wrong_method_type_and_body_are_refused_with_reasons(client, deliver):  # type: ignore[no-untyped-def]
    assert client.get(URL).status_code == 405
    assert deliver("severity=4", content_type="text/plain").status_code == 415
    response = deliver("{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]
    assert deliver([]).status_code == 400
    assert (
        deliver({"indicators": [observation(external_id=f"n{i}") for i in range(501)]}).status_code
        == 413
    )


# --- CAP 1.2 ----------------------------------------------------------------------------


def cap(
    identifier="SW-2025-0042",
    msg_type="Alert",
    status="Actual",
    references="",
    info=True,
    severity="Severe",
    certainty="Observed",
    response_type="",
):  # type: ignore[no-untyped-def]
    sent = (NOW - dt.timedelta(minutes=30)).isoformat()
    onset = (NOW - dt.timedelta(hours=2)).isoformat()
    block = f"""
  <info>
    <category>Security</category>
    <event>Attack</event>{f"<responseType>{response_type}</responseType>" if response_type else ""}
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>{certainty}</certainty>
    <onset>{onset}</onset>
    <headline>Checkpoint attacked on the Senou road</headline>
    <parameter><valueName>readiness:post</valueName><value>ML-BKO</value></parameter>
  </info>"""
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>watch@sahel.example</sender>
  <sent>{sent}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Restricted</scope>
  {refs}{block if info else ""}
</alert>"""


def test_a_cap_alert_is_recorded(deliver):  # type: ignore[no-untyped-def]
    response = deliver(cap(), content_type="application/cap+xml", url=CAP_URL)
    assert response.status_code == 201, response.content
    indicator = Indicator.objects.get()
    assert (indicator.category, indicator.severity, indicator.credibility) == ("incident", 4, 1)
    assert indicator.reliability == "B"
    assert indicator.external_id == "watch@sahel.example,SW-2025-0042"
    assert indicator.text == "Checkpoint attacked on the Senou road"
    assert indicator.source == "Sahel watch (watch@sahel.example)"
    again = deliver(cap(), content_type="application/cap+xml", url=CAP_URL)
    assert again.status_code == 200 and Indicator.objects.count() == 1


def test_an_exercise_or_test_alert_records_nothing(deliver):  # type: ignore[no-untyped-def]
    for status in ("Exercise", "Test"):
        response = deliver(cap(status=status), content_type="application/cap+xml", url=CAP_URL)
        assert response.status_code == 200 and "only Actual" in response.json()["ignored"]
    assert Indicator.objects.count() == 0


def test_a_cap_cancel_withdraws_and_an_update_supersedes(deliver):  # type: ignore[no-untyped-def]
    deliver(cap(), content_type="application/cap+xml", url=CAP_URL)
    first = Indicator.objects.get()
    reference = f"watch@sahel.example,SW-2025-0042,{first.observed_at.isoformat()}"
    update = cap(
        identifier="SW-2025-0043", msg_type="Update", references=reference, severity="Extreme"
    )
    response = deliver(update, content_type="application/cap+xml", url=CAP_URL)
    assert response.status_code == 201, response.content
    assert [w["id"] for w in response.json()["withdrawn"]] == [first.pk]
    first.refresh_from_db()
    assert first.expires_at is not None and first.expires_at <= timezone.now()
    newer = Indicator.objects.get(external_id="watch@sahel.example,SW-2025-0043")
    assert newer.severity == 5 and newer.expires_at is None

    cancel = cap(
        identifier="SW-2025-0044",
        msg_type="Cancel",
        references=f"watch@sahel.example,SW-2025-0043,{NOW.isoformat()}",
        info=False,
    )
    response = deliver(cancel, content_type="application/cap+xml", url=CAP_URL)
    assert response.status_code == 200, response.content
    newer.refresh_from_db()
    assert newer.expires_at is not None


def test_a_bad_cap_document_is_refused_with_its_faults(deliver):  # type: ignore[no-untyped-def]
    response = deliver(cap(severity="Unknown"), content_type="application/xml", url=CAP_URL)
    assert response.status_code == 400
    assert any("severity" in e for e in response.json()["errors"])
    hostile = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    assert deliver(hostile, content_type="application/xml", url=CAP_URL).status_code == 400
    assert deliver(cap(), content_type="application/json", url=CAP_URL).status_code == 415
    assert Indicator.objects.count() == 0


SENDER = "watch@sahel.example"


def cap_reference(identifier: str) -> str:
    return f"{SENDER},{identifier},{NOW.isoformat()}"


def test_a_cap_all_clear_is_recorded_as_a_de_escalation(deliver):  # type: ignore[no-untyped-def]
    deliver(cap(identifier="SW-1"), content_type="application/cap+xml", url=CAP_URL)
    response = deliver(
        cap(identifier="SW-2", response_type="AllClear", severity="Minor"),
        content_type="application/cap+xml",
        url=CAP_URL,
    )
    assert response.status_code == 201, response.content
    assert Indicator.objects.get(external_id=f"{SENDER},SW-2").de_escalation is True
    assert Indicator.objects.get(external_id=f"{SENDER},SW-1").de_escalation is False


def test_a_cap_alert_referencing_an_earlier_one_takes_its_event(deliver):  # type: ignore[no-untyped-def]
    deliver(cap(identifier="SW-1"), content_type="application/cap+xml", url=CAP_URL)
    Indicator.objects.filter(external_id=f"{SENDER},SW-1").update(event="senou-checkpoint")
    follow_up = cap(identifier="SW-2", references=cap_reference("SW-1"))
    response = deliver(follow_up, content_type="application/cap+xml", url=CAP_URL)
    assert response.status_code == 201, response.content
    assert Indicator.objects.get(external_id=f"{SENDER},SW-2").event == "senou-checkpoint"
    assert response.json()["withdrawn"] == [], "an Alert adds to what it references"


def test_a_cap_reference_without_an_event_gives_both_one_from_the_identifier(deliver):  # type: ignore[no-untyped-def]
    deliver(cap(identifier="SW-1"), content_type="application/cap+xml", url=CAP_URL)
    follow_up = cap(identifier="SW-2", references=cap_reference("SW-1"))
    assert deliver(follow_up, content_type="application/cap+xml", url=CAP_URL).status_code == 201
    first = Indicator.objects.get(external_id=f"{SENDER},SW-1")
    second = Indicator.objects.get(external_id=f"{SENDER},SW-2")
    assert second.event == first.event == "cap:watch-sahel.example:SW-1"
    # A retry of either is still recognised as delivered, not as another content.
    for document in (cap(identifier="SW-1"), follow_up):
        again = deliver(document, content_type="application/cap+xml", url=CAP_URL)
        assert again.status_code == 200, again.content
    # A third report referencing the second joins the same event.
    third = cap(identifier="SW-3", references=cap_reference("SW-2"))
    deliver(third, content_type="application/cap+xml", url=CAP_URL)
    assert Indicator.objects.get(external_id=f"{SENDER},SW-3").event == first.event


def test_a_cap_reference_does_not_reach_another_feed_s_indicators(deliver, post):  # type: ignore[no-untyped-def]
    deliver(cap(identifier="SW-1"), content_type="application/cap+xml", url=CAP_URL)
    other, _token = feed_create(name="Other desk", reliability="E", posts=[post])
    with evidence_path("migration"):  # as if the other desk had sent it
        Indicator.objects.filter(external_id=f"{SENDER},SW-1").update(
            feed=other, event="someone-else-s"
        )
    follow_up = cap(identifier="SW-2", references=cap_reference("SW-1"))
    deliver(follow_up, content_type="application/cap+xml", url=CAP_URL)
    assert Indicator.objects.get(external_id=f"{SENDER},SW-2").event == (
        "cap:watch-sahel.example:SW-1"
    )
    assert Indicator.objects.get(external_id=f"{SENDER},SW-1").event == "someone-else-s"


# --- Event and de-escalation (JSON) ------------------------------------------------------


def test_event_and_de_escalation_are_accepted_and_stored(deliver):  # type: ignore[no-untyped-def]
    response = deliver(observation(event="kayes-road-blockade", de_escalation=True))
    assert response.status_code == 201, response.content
    indicator = Indicator.objects.get()
    assert (indicator.event, indicator.de_escalation) == ("kayes-road-blockade", True)
    assert deliver(observation(external_id="sw-0002")).status_code == 201
    plain = Indicator.objects.get(external_id="sw-0002")
    assert (plain.event, plain.de_escalation) == ("", False), "both are optional"


def test_a_retry_with_another_event_or_direction_is_another_content(deliver):  # type: ignore[no-untyped-def]
    deliver(observation(event="kayes-road-blockade"))
    assert deliver(observation(event="kayes-road-blockade")).status_code == 200
    assert deliver(observation(event="bamako-curfew")).status_code == 409
    assert deliver(observation(event="kayes-road-blockade", de_escalation=True)).status_code == 409


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"event": "kayes road blockade"}, "event", "without spaces"),
        ({"event": "x" * 101}, "event", "at most 100"),
        ({"de_escalation": "yes"}, "de_escalation", "true or false"),
        ({"de_escalaton": True}, "de_escalaton", "unknown field"),
    ],
)
def test_a_bad_event_or_de_escalation_is_refused_by_name(deliver, changes, field, words):  # type: ignore[no-untyped-def]
    response = deliver(observation(**changes))
    assert response.status_code == 400
    assert words in response.json()["errors"]["0"][field][0]
    assert Indicator.objects.count() == 0


# --- Dates a feed cannot mean ------------------------------------------------------------


def test_an_observation_more_than_five_years_old_is_refused(deliver):  # type: ignore[no-untyped-def]
    old = (NOW - dt.timedelta(days=5 * 366)).isoformat()
    response = deliver(
        {"indicators": [observation(external_id="ok"), observation(observed_at=old)]}
    )
    assert response.status_code == 400
    assert "more than five years ago" in response.json()["errors"]["1"]["observed_at"][0]
    assert Indicator.objects.count() == 0
    recent = (NOW - dt.timedelta(days=4 * 365)).isoformat()
    assert deliver(observation(observed_at=recent)).status_code == 201


def test_an_expiry_after_2100_is_refused(deliver):  # type: ignore[no-untyped-def]
    response = deliver(observation(expires_at="2205-11-08T09:30:00+00:00"))
    assert response.status_code == 400
    assert "after the year 2100" in response.json()["errors"]["0"]["expires_at"][0]
    assert deliver(observation(expires_at="2100-12-31T23:00:00+00:00")).status_code == 201


def test_a_cap_alert_dated_more_than_five_years_ago_is_refused(deliver):  # type: ignore[no-untyped-def]
    old = cap().replace(
        f"<onset>{(NOW - dt.timedelta(hours=2)).isoformat()}</onset>",
        "<onset>2015-11-07T08:15:00+00:00</onset>",
    )
    response = deliver(old, content_type="application/cap+xml", url=CAP_URL)
    assert response.status_code == 400
    assert "five years" in response.json()["errors"]["0"]["observed_at"][0]
    assert Indicator.objects.count() == 0


# --- Admin --------------------------------------------------------------------------------


def test_the_admin_shows_a_new_feed_s_token_once_and_it_works(admin_client, client, post):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("admin:indicators_feed_add"),
        {"name": "Peer embassies", "reliability": "C", "posts": [post.pk], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    (message,) = [str(m) for m in response.context["messages"] if "Token of feed" in str(m)]
    token = message.split("Token of feed “Peer embassies”: ")[1].split(" — ")[0]
    answer = client.post(
        URL,
        json.dumps(observation(category="peer_action")),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.content
    assert Indicator.objects.get().reliability == "C"
    assert (
        token not in admin_client.get(reverse("admin:indicators_feed_changelist")).content.decode()
    )


def test_a_body_over_the_upload_limit_is_refused_as_too_large(deliver, settings):  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    response = deliver(observation(text="x" * 500))
    assert response.status_code == 413 and "too large" in response.json()["error"]
    assert Indicator.objects.count() == 0
