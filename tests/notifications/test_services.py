"""The fan-out of the outbox into notifications and deliveries, sending with backoff,
quiet-hour digests, failures and the sweep (readiness.notifications.services)."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from readiness.notifications import services
from readiness.notifications.models import (
    Channel,
    Delivery,
    Kind,
    Notification,
    NotificationSettings,
    PostFailure,
    Scope,
    Status,
    Subscription,
)
from tests.factories import PostFactory, UserFactory
from tests.notifications.conftest import make_change

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def subscribe(user, **kwargs):  # type: ignore[no-untyped-def]
    return services.subscription_create(
        user=user, **{"scope": Scope.ALL, "on_level": True, **kwargs}
    )


def test_a_level_change_is_told_in_app_and_by_email(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, by_email=True)
    change = make_change(post)
    assert services.change_fan_out(change_id=change.pk, now=NOW) == [duty.pk]
    notification = Notification.objects.get(user=duty)
    assert notification.kind_list() == ["level"]  # the verdict was not asked for
    in_app = notification.deliveries.get(channel=Channel.IN_APP)
    assert (in_app.status, in_app.sent_at) == (Status.SENT, NOW)
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert (email.status, email.next_attempt_at) == (Status.PENDING, NOW)

    assert services.deliveries_send(user_id=duty.pk, now=NOW) == 1
    (message,) = mail.outbox
    assert message.to == ["duty@ministry.example"]
    assert "ML-BKO Bamako: recommended level 0 → 2" in message.subject
    assert "/posts/ML-BKO/" in message.body
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 1, "")


def test_a_change_is_claimed_once(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty)
    change = make_change(post)
    services.change_fan_out(change_id=change.pk, now=NOW)
    assert services.change_fan_out(change_id=change.pk, now=NOW) == []
    assert Notification.objects.count() == 1
    change.refresh_from_db()
    assert change.processed_at == NOW


def test_overlapping_subscriptions_tell_once_with_every_kind_asked(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty)
    subscribe(duty, scope=Scope.POSTS, posts=[post], on_level=False, on_verdict=True)
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    (notification,) = Notification.objects.filter(user=duty)
    assert notification.kind_list() == ["level", "verdict"]
    assert "verdict On time → Late" in services.headline(notification)
    assert not notification.deliveries.filter(channel=Channel.EMAIL).exists()


def test_only_the_kinds_asked_for(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, on_level=False, on_verdict=True)
    same_level = make_change(post, before=(2, "watch"), after=(2, "late"))
    services.change_fan_out(change_id=same_level.pk, now=NOW)
    assert Notification.objects.get().kind_list() == ["verdict"]
    level_only = make_change(post, before=(2, "late"), after=(3, "late"))
    services.change_fan_out(change_id=level_only.pk, now=NOW)
    assert Notification.objects.count() == 1, "a level change is not a verdict change"


def test_a_posts_first_assessment_tells_nobody(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, on_verdict=True)
    first = make_change(post, before=(None, ""))
    assert services.change_fan_out(change_id=first.pk, now=NOW) == []
    assert not Notification.objects.exists()
    first.refresh_from_db()
    assert first.processed_at is not None, "processed all the same"


def test_regions_and_chosen_posts(duty, post, other_post):  # type: ignore[no-untyped-def]
    subscribe(duty, scope=Scope.REGION, region="West coast")
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    assert not Notification.objects.exists()
    services.change_fan_out(change_id=make_change(other_post).pk, now=NOW)
    assert Notification.objects.get().post == other_post


def test_nobody_hears_of_a_post_they_may_not_see(officer, post, other_post):  # type: ignore[no-untyped-def]
    subscribe(officer)  # "every post I may see": their own
    services.change_fan_out(change_id=make_change(other_post).pk, now=NOW)
    assert not Notification.objects.exists()
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    assert Notification.objects.get().post == post
    # Moved off the post, their subscription to it says nothing any more.
    post.security_officers.remove(officer)
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    assert Notification.objects.count() == 1


def test_an_inactive_user_is_not_told(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty)
    duty.is_active = False
    duty.save()
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"scope": Scope.REGION}, "region"),
        ({"scope": Scope.POSTS}, "posts"),
        ({"on_level": False}, "on_level"),
    ],
)
def test_a_subscription_must_say_what(duty, kwargs, field):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        subscribe(duty, **kwargs)
    assert field in caught.value.error_dict
    assert not Subscription.objects.exists()


def test_email_needs_an_address(db):  # type: ignore[no-untyped-def]
    user = UserFactory(is_staff=True, email="")
    with pytest.raises(ValidationError) as caught:
        subscribe(user, by_email=True)
    assert "no e-mail address" in str(caught.value.error_dict["by_email"])


def test_email_needs_mail_configured(duty, settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_ENABLED = False
    with pytest.raises(ValidationError) as caught:
        subscribe(duty, by_email=True)
    assert "by_email" in caught.value.error_dict


def test_a_post_officer_cannot_follow_another_post(officer, other_post):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        subscribe(officer, scope=Scope.POSTS, posts=[other_post])
    assert "posts" in caught.value.error_dict


# --- Sending: retries with backoff, nothing dropped -------------------------------------------


class Refused:
    """An SMTP server that refuses every message (EMAIL_BACKEND points here)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def refusing(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = f"{__name__}.Refused"


def test_a_refused_email_is_kept_and_retried_with_backoff(duty, post, refusing, settings):  # type: ignore[no-untyped-def]
    subscribe(duty, by_email=True)
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    waits = []
    moment = NOW
    for _ in range(3):
        assert services.deliveries_send(user_id=duty.pk, now=moment) == 0
        email.refresh_from_db()
        assert email.status == Status.PENDING
        assert "SMTPServerDisconnected" in email.last_error
        waits.append(email.next_attempt_at - moment)
        assert services.deliveries_send(user_id=duty.pk, now=moment) == 0, "not due yet"
        moment = email.next_attempt_at
    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliveries_send(user_id=duty.pk, now=moment) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 4)
    assert len(mail.outbox) == 1


def test_backoff_is_capped_at_an_hour() -> None:
    assert services.backoff(1) == dt.timedelta(minutes=1)
    assert services.backoff(30) == dt.timedelta(hours=1)


def test_an_address_removed_since_fails_with_its_reason_and_can_be_sent_again(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, by_email=True)
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    duty.email = ""
    duty.save()
    services.deliveries_send(user_id=duty.pk, now=NOW)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert (email.status, email.last_error) == (Status.FAILED, "The user has no e-mail address.")
    duty.email = "duty@ministry.example"
    duty.save()
    assert services.deliveries_retry(delivery_ids=[email.pk], now=NOW) == 1
    assert services.deliveries_send(user_id=duty.pk, now=NOW) == 1


def test_a_send_lost_with_its_worker_is_given_back_by_the_sweep(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, by_email=True)
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    Delivery.objects.filter(channel=Channel.EMAIL).update(status=Status.SENDING, claimed_at=NOW)
    later = NOW + services.SENDING_STALE_AFTER + dt.timedelta(seconds=1)
    done = services.notifications_sweep(now=later)
    assert (done["reclaimed"], done["sent"]) == (1, 1)
    assert Delivery.objects.get(channel=Channel.EMAIL).status == Status.SENT


# --- Quiet hours and the digest -------------------------------------------------------------


def quiet(user, start: str, end: str, tz: str = "Europe/Paris"):  # type: ignore[no-untyped-def]
    return services.notification_settings_update(
        user=user,
        quiet_from=dt.time.fromisoformat(start),
        quiet_until=dt.time.fromisoformat(end),
        timezone_name=tz,
        language="en",
    )


def test_quiet_hours_spanning_midnight() -> None:
    row = NotificationSettings(
        quiet_from=dt.time(22), quiet_until=dt.time(7), timezone="Europe/Paris"
    )
    paris = dt.timezone(dt.timedelta(hours=1))  # March 10th: winter time
    assert row.quiet_end_after(dt.datetime(2026, 3, 10, 23, 30, tzinfo=paris)) == dt.datetime(
        2026, 3, 11, 7, 0, tzinfo=paris
    )
    assert row.quiet_end_after(dt.datetime(2026, 3, 11, 6, 59, tzinfo=paris)) == dt.datetime(
        2026, 3, 11, 7, 0, tzinfo=paris
    )
    assert row.quiet_end_after(dt.datetime(2026, 3, 11, 7, 0, tzinfo=paris)) is None
    assert row.quiet_end_after(dt.datetime(2026, 3, 11, 12, 0, tzinfo=paris)) is None


def test_during_quiet_hours_emails_are_held_and_sent_as_one_digest_after(duty, post, other_post):  # type: ignore[no-untyped-def]
    quiet(duty, "12:00", "14:00", tz="UTC")
    subscribe(duty, by_email=True)
    first, second = make_change(post), make_change(other_post)
    assert services.change_fan_out(change_id=first.pk, now=NOW) == []
    services.change_fan_out(change_id=second.pk, now=NOW + dt.timedelta(minutes=30))
    assert Notification.objects.filter(read_at__isnull=True).count() == 2, "in-app at once"
    held = Delivery.objects.filter(channel=Channel.EMAIL)
    assert {(d.status, d.next_attempt_at) for d in held} == {
        (Status.HELD, NOW + dt.timedelta(hours=2))
    }
    assert services.notifications_sweep(now=NOW + dt.timedelta(hours=1))["sent"] == 0
    assert not mail.outbox
    assert services.notifications_sweep(now=NOW + dt.timedelta(hours=2))["sent"] == 2
    (digest,) = mail.outbox
    assert digest.subject == "[Readiness] 2 changes during your quiet hours"
    assert "ML-BKO Bamako" in digest.body and "SN-DKR Dakar" in digest.body
    assert set(held.values_list("status", "in_digest")) == {(Status.SENT, True)}


def test_quiet_hours_are_whole(duty):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.notification_settings_update(
            user=duty, quiet_from=dt.time(22), quiet_until=None, timezone_name="UTC", language="en"
        )
    with pytest.raises(ValidationError):
        quiet(duty, "22:00", "22:00")
    with pytest.raises(ValidationError):
        quiet(duty, "22:00", "07:00", tz="Mars/Olympus")


def test_the_email_is_in_the_users_language(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, by_email=True)
    services.notification_language_remember(user=duty, language="fr")
    services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    services.deliveries_send(user_id=duty.pk, now=NOW)
    (message,) = mail.outbox
    assert "niveau recommandé 0 → 2" in message.subject


# --- Failures to re-score -------------------------------------------------------------------


def fail(post, error: str = "ValueError: no level of rank 7") -> None:  # type: ignore[no-untyped-def]
    type(post).objects.filter(pk=post.pk).update(rescore_failed_at=NOW, rescore_error=error)


def test_a_failing_post_is_told_once_per_spell(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty, on_level=False, on_failure=True, by_email=True)
    fail(post)
    assert services.failure_record(post_id=post.pk, now=NOW) == [duty.pk]
    notification = Notification.objects.get()
    assert notification.kind_list() == [Kind.FAILURE]
    assert services.headline(notification) == "ML-BKO Bamako: re-scoring failed"
    fail(post)  # the hourly retry fails again
    assert services.failure_record(post_id=post.pk, now=NOW) == []
    assert Notification.objects.count() == 1
    # Scored again: the spell ends; a later failure is told again.
    type(post).objects.filter(pk=post.pk).update(rescore_failed_at=None, rescore_error="")
    services.notifications_sweep(now=NOW)
    assert PostFailure.objects.get().resolved_at == NOW
    fail(post)
    services.notifications_sweep(now=NOW)
    assert Notification.objects.count() == 2
    services.deliveries_send(user_id=duty.pk, now=NOW)
    assert "no level of rank 7" in mail.outbox[-1].body


def test_failures_are_told_only_to_those_who_asked(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty)  # level only
    fail(post)
    services.failure_record(post_id=post.pk, now=NOW)
    assert not Notification.objects.exists()
    assert PostFailure.objects.filter(resolved_at__isnull=True).count() == 1


# --- The sweep: what the tasks missed ---------------------------------------------------------


def test_the_sweep_takes_changes_their_task_missed(duty, post):  # type: ignore[no-untyped-def]
    subscribe(duty)
    change = make_change(post)
    young = services.notifications_sweep(now=change.created_at + dt.timedelta(seconds=1))
    assert young["changes"] == 0, "left to its own task a few seconds"
    done = services.notifications_sweep(now=change.created_at + services.SWEEP_AFTER * 2)
    assert done["changes"] == 1
    assert Notification.objects.filter(user=duty, change=change).exists()


def test_marking_read(duty, post, db):  # type: ignore[no-untyped-def]
    subscribe(duty)
    other = UserFactory(is_staff=True)
    subscribe(other)
    for _ in range(3):
        services.change_fan_out(change_id=make_change(post).pk, now=NOW)
    mine = list(Notification.objects.filter(user=duty).values_list("pk", flat=True))
    theirs = Notification.objects.filter(user=other).first()
    assert theirs is not None
    assert services.notifications_mark_read(user=duty, notification_ids=[mine[0], theirs.pk]) == 1
    assert services.notifications_mark_read(user=duty) == 2
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 3
    assert services.notifications_mark_read(user=duty, now=timezone.now()) == 0


def test_the_outbox_is_fanned_out_after_the_rescore_commits(
    duty, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    """The re-score's own path: a change stored, its task queued on commit (eager here)."""
    from readiness.assessments.services import post_rescore
    from tests.factories import CommunityFactory, ExitRouteFactory, IndicatorFactory

    post = PostFactory()
    CommunityFactory(post=post)
    ExitRouteFactory(post=post)
    subscribe(duty, by_email=True)
    post_rescore(post_id=post.pk)
    IndicatorFactory.create_batch(6, post=post, severity=5, reliability="A", credibility=1)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = post_rescore(post_id=post.pk)
    notification = Notification.objects.get(user=duty)
    assert notification.change is not None and notification.change.assessment == assessment
    assert len(mail.outbox) == 1
    assert f"recommended level 0 → {assessment.recommended_level}" in mail.outbox[0].subject


def test_a_server_down_is_tried_once_per_round_not_once_per_email(duty, post, other_post, refusing):  # type: ignore[no-untyped-def]
    subscribe(duty, by_email=True)
    for changed in (post, other_post):
        services.change_fan_out(change_id=make_change(changed).pk, now=NOW)
    assert services.deliveries_send(user_id=duty.pk, now=NOW) == 0
    emails = Delivery.objects.filter(channel=Channel.EMAIL).order_by("id")
    assert sorted(emails.values_list("attempts", flat=True)) == [0, 1]
    assert set(emails.values_list("status", flat=True)) == {Status.PENDING}
    assert all("SMTPServerDisconnected" in email.last_error for email in emails)
    assert all(email.next_attempt_at > NOW for email in emails)
