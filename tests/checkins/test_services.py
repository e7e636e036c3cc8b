"""checkin_start and checkin_answer: who is asked, what is sent, what an answer changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from readiness.checkins import selectors, services
from readiness.checkins.models import CheckinAnswer, CheckinRequest
from readiness.checkins.services import (
    LinkRefused,
    checkin_answer,
    request_for_token,
    token_hash,
)
from readiness.checkins.sms import MemorySmsBackend
from readiness.rosters.models import StaffMember
from tests.factories import PostFactory, StaffMemberFactory, UserFactory

from .conftest import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    post = PostFactory(code="ZZ-CHK", name="Checkpoint", timezone="Africa/Bamako")
    StaffMemberFactory(post=post, name="Awa", email="awa@post.example")
    StaffMemberFactory(
        post=post, name="Bakary", category="local", email="", phone="+223 70 00 00 01"
    )
    StaffMemberFactory(
        post=post, name="Guards", category="local", headcount=12, essential=True,
        email="guards@post.example",
    )  # fmt: skip
    StaffMemberFactory(post=post, name="No contact", email="", phone="")
    StaffMemberFactory(post=post, name="Already gone", email="gone@post.example", present=False)
    return post


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="cso", first_name="Moussa", last_name="K.")


@pytest.fixture
def sms_outbox(settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_SMS_BACKEND = "readiness.checkins.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def test_each_present_row_with_an_email_gets_its_own_link(post, officer, sms_outbox):  # type: ignore[no-untyped-def]
    checkin, tokens = start(post, officer)
    assert set(tokens) == {"awa@post.example", "guards@post.example"}  # not the one gone
    assert len(set(tokens.values())) == 2
    rows = {r.staff_name: r for r in checkin.requests.all()}
    assert set(rows) == {"Awa", "Bakary", "Guards", "No contact"}
    # Only the hash of each token is stored, never the token.
    for address, token in tokens.items():
        request = CheckinRequest.objects.get(address=address)
        assert request.token_hash == token_hash(token) != token
        assert not CheckinRequest.objects.filter(token_hash=token).exists()
    assert rows["Guards"].headcount == 12 and rows["Guards"].sent_at is not None
    assert rows["No contact"].channel == "none" and rows["No contact"].sent_at is None
    # Phone only: by SMS, through the configured backend.
    assert rows["Bakary"].channel == "sms" and rows["Bakary"].sent_at is not None
    assert sms_outbox[0][0] == "+223 70 00 00 01" and "/checkin/" in sms_outbox[0][1]
    assert checkin.started_by_name == "Moussa K."


def test_without_mail_configured_no_link_is_sent_into_the_void(post, officer, settings, sms_outbox):  # type: ignore[no-untyped-def]
    # Production without EMAIL_URL/EMAIL_HOST uses the dummy backend, which would call a
    # mailed link sent: e-mail rows are not reached instead, phones still get an SMS.
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    checkin, _tokens = start(post, officer)
    rows = {r.staff_name: r for r in checkin.requests.all()}
    assert rows["Awa"].channel == "none" and rows["Awa"].sent_at is None
    assert rows["Bakary"].channel == "sms" and rows["Bakary"].sent_at is not None
    assert not mail.outbox


def test_the_mail_names_the_group_and_the_expiry_in_the_posts_time(post, officer):  # type: ignore[no-untyped-def]
    start(post, officer, note="Assemble at the residence")
    body = next(m.body for m in mail.outbox if m.to == ["guards@post.example"])
    assert "“Guards” (12 people)" in body and "Assemble at the residence" in body
    assert "Checkpoint" in mail.outbox[0].subject
    assert "GMT" in body  # Africa/Bamako's name for its time


def test_the_default_sms_backend_sends_nothing_and_says_so(post, officer):  # type: ignore[no-untyped-def]
    checkin, _tokens = start(post, officer)
    bakary = checkin.requests.get(staff_name="Bakary")
    assert bakary.sent_at is None and "No SMS provider" in bakary.send_error
    board = selectors.board(post=post)
    assert board is not None
    assert [r.name for r in board.unreachable] == ["Bakary", "No contact"]


def test_a_mail_that_fails_is_recorded_and_the_others_still_go(
    post, officer, settings, monkeypatch
):  # type: ignore[no-untyped-def]
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def send(self, fail_silently=False):  # type: ignore[no-untyped-def]
        if self.to == ["awa@post.example"]:
            raise ConnectionRefusedError("smtp down")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", send)
    checkin, tokens = start(post, officer)
    assert set(tokens) == {"guards@post.example"}
    awa = checkin.requests.get(staff_name="Awa")
    assert awa.sent_at is None and "ConnectionRefusedError" in awa.send_error


@pytest.mark.parametrize(
    ("scope", "asked"),
    [
        ("expatriate", {"Awa", "No contact"}),
        ("local", {"Bakary", "Guards"}),
        ("essential", {"Guards"}),
    ],
)
def test_a_scope_asks_a_group_of_the_staff(post, officer, scope, asked):  # type: ignore[no-untyped-def]
    checkin, _tokens = start(post, officer, scope=scope)
    assert {r.staff_name for r in checkin.requests.all()} == asked


@pytest.mark.parametrize(
    ("answer", "present"), [("safe", True), ("need_help", True), ("left", False)]
)
def test_an_answer_updates_presence_and_confirmation_and_is_kept(post, officer, answer, present):  # type: ignore[no-untyped-def]
    StaffMember.objects.filter(post=post).update(last_confirmed_at=None)
    _checkin, tokens = start(post, officer)
    at = timezone.now()
    recorded = checkin_answer(
        token=tokens["awa@post.example"], answer=answer, note=" at home ", now=at
    )
    awa = StaffMember.objects.get(post=post, name="Awa")
    assert awa.present is present and awa.last_confirmed_at == at
    assert recorded.answer == answer and recorded.note == "at home" and recorded.answered_at == at
    assert recorded.request.used_at == at


def test_an_answer_asks_for_the_posts_rescore(post, officer, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post, officer)
    # The fixture's own writes asked first; in a test transaction they never commit, and a
    # pending request would swallow the answer's (requests are de-duplicated).
    transaction.get_connection().run_on_commit.clear()
    assert post.newest_assessment_id is None
    with django_capture_on_commit_callbacks(execute=True):
        checkin_answer(token=tokens["guards@post.example"], answer="left")
    post.refresh_from_db()
    # With tasks in-process the re-score ran: the post has an assessment counting the load.
    assert post.newest_assessment_id is not None
    assert StaffMember.objects.get(post=post, name="Guards").present is False


def test_a_second_use_is_refused_and_changes_nothing(post, officer):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post, officer)
    token = tokens["awa@post.example"]
    checkin_answer(token=token, answer="safe")
    with pytest.raises(LinkRefused) as refused:
        checkin_answer(token=token, answer="left")
    assert refused.value.reason == "used"
    assert StaffMember.objects.get(post=post, name="Awa").present is True
    assert CheckinAnswer.objects.count() == 1


def test_a_link_expires(post, officer, settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_LINK_HOURS = 72
    started = timezone.now() - dt.timedelta(hours=72, seconds=1)
    _checkin, tokens = start(post, officer, now=started)
    with pytest.raises(LinkRefused) as refused:
        checkin_answer(token=tokens["awa@post.example"], answer="safe")
    assert refused.value.reason == "expired"
    # Just inside the window it works.
    _checkin, tokens = start(post, officer, now=timezone.now() - dt.timedelta(hours=71))
    checkin_answer(token=tokens["awa@post.example"], answer="safe")


def test_a_newer_checkin_replaces_the_open_one(post, officer):  # type: ignore[no-untyped-def]
    first, old = start(post, officer)
    second, new = start(post, officer)
    first.refresh_from_db()
    assert first.closed_at is not None and second.closed_at is None
    with pytest.raises(LinkRefused) as refused:
        checkin_answer(token=old["awa@post.example"], answer="safe")
    assert refused.value.reason == "replaced"
    checkin_answer(token=new["awa@post.example"], answer="safe")


def test_a_tampered_or_made_up_token_is_unknown(post, officer):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post, officer)
    token = tokens["awa@post.example"]
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:20], "", "x" * 200):
        with pytest.raises(LinkRefused) as refused:
            request_for_token(wrong)
        assert refused.value.reason == "unknown"
    # The stored hash itself is no link.
    with pytest.raises(LinkRefused):
        request_for_token(token_hash(token))


def test_another_posts_token_answers_only_for_its_own_row(post, officer):  # type: ignore[no-untyped-def]
    other = PostFactory(code="ZZ-OTH")
    StaffMemberFactory(post=other, name="Awa", email="awa@other.example")
    _c, ours = start(post, officer)
    _c, theirs = start(other, officer)
    checkin_answer(token=theirs["awa@other.example"], answer="left")
    assert StaffMember.objects.get(post=other, name="Awa").present is False
    assert StaffMember.objects.get(post=post, name="Awa").present is True
    checkin_answer(token=ours["awa@post.example"], answer="safe")  # ours still unused


def test_an_answer_is_never_changed_or_deleted_by_the_model(post, officer):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post, officer)
    recorded = checkin_answer(token=tokens["awa@post.example"], answer="safe")
    recorded.answer = "left"
    with pytest.raises(ValueError, match="evidence"):
        recorded.save()
    with pytest.raises(ValueError, match="evidence"):
        recorded.delete()
    assert CheckinAnswer.objects.get(pk=recorded.pk).answer == "safe"


def test_two_uses_racing_record_one_answer(post, officer, monkeypatch):  # type: ignore[no-untyped-def]
    # The second use read the link as unused before the first one claimed it: the
    # conditional claim still refuses it.
    _checkin, tokens = start(post, officer)
    token = tokens["awa@post.example"]
    read_before = request_for_token(token)
    checkin_answer(token=token, answer="safe")
    monkeypatch.setattr(services, "request_for_token", lambda token, now=None: read_before)
    with pytest.raises(LinkRefused) as refused:
        checkin_answer(token=token, answer="need_help")
    assert refused.value.reason == "used"
    assert list(CheckinAnswer.objects.values_list("answer", flat=True)) == ["safe"]


def test_the_board_orders_need_help_first_and_flags_the_late(post, officer, settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_OVERDUE_HOURS = 4
    extra = StaffMemberFactory(post=post, name="Zoe", email="zoe@post.example")
    _checkin, tokens = start(post, officer, now=timezone.now() - dt.timedelta(hours=5))
    CheckinRequest.objects.filter(staff=extra).update(sent_at=timezone.now())  # sent late
    checkin_answer(token=tokens["guards@post.example"], answer="need_help", note="road blocked")
    checkin_answer(token=tokens["awa@post.example"], answer="safe")
    board = selectors.board(post=post)
    assert board is not None and board.open
    assert [r.name for r in board.need_help] == ["Guards"] and board.need_help[
        0
    ].note == "road blocked"
    assert board.need_help_people == 12 and board.safe_people == 1
    assert [r.name for r in board.answered] == ["Awa"]
    assert [r.name for r in board.waiting] == ["Zoe"]
    assert board.overdue == []  # the others were not reached by a link at all
    assert {r.name for r in board.unreachable} == {"Bakary", "No contact"}
    assert board.asked_people == 1 + 1 + 12 + 1 + 1


def test_the_late_are_those_sent_longer_ago_than_the_setting(post, officer, settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_OVERDUE_HOURS = 2
    _checkin, _tokens = start(post, officer)
    CheckinRequest.objects.filter(staff_name="Awa").update(
        sent_at=timezone.now() - dt.timedelta(hours=2, minutes=1)
    )
    board = selectors.board(post=post)
    assert board is not None
    assert [r.name for r in board.overdue] == ["Awa"] and [r.name for r in board.waiting] == [
        "Guards"
    ]


def test_no_checkin_no_board(post):  # type: ignore[no-untyped-def]
    assert selectors.board(post=post) is None


def test_an_answer_for_a_row_deleted_since_is_kept(post, officer):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post, officer)
    StaffMember.objects.filter(post=post, name="Awa").delete()
    recorded = checkin_answer(token=tokens["awa@post.example"], answer="safe")
    assert recorded.request.staff_name == "Awa" and recorded.request.staff_id is None
