"""Celery tasks: thin, take ids, retry transient database errors with backoff. The work
is in services.py; the sweep (beat, every minute) is the safety net behind every task."""

from __future__ import annotations

from celery import shared_task

from readiness.assessments.services import TRANSIENT_ERRORS

from . import services

# Each hard time limit plus its longest retry countdown stays under the broker's
# visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS, 300 s).
_RETRIES = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(soft_time_limit=60, time_limit=90, **_RETRIES)
def fan_out_change(change_id: int) -> int:
    """Tell a recommendation change's subscribers, then send the e-mails due now."""
    users = services.change_fan_out(change_id=change_id)
    for user_id in sorted(set(users)):
        send_deliveries.delay(user_id)
    return len(users)


@shared_task(soft_time_limit=60, time_limit=90, **_RETRIES)
def record_failure(post_id: int) -> int:
    """Tell a failing post's subscribers (once per spell of failures)."""
    users = services.failure_record(post_id=post_id)
    for user_id in sorted(set(users)):
        send_deliveries.delay(user_id)
    return len(users)


@shared_task(soft_time_limit=90, time_limit=120, **_RETRIES)
def send_deliveries(user_id: int) -> int:
    """Send a user's due e-mails. A refused or failed send is kept on its row with a later
    try (services.backoff); the sweep sends it then."""
    return services.deliveries_send(user_id=user_id)


@shared_task(soft_time_limit=150, time_limit=180)
def sweep_notifications() -> dict[str, int]:
    """Periodic (beat, every minute): what the tasks above missed, retries and digests."""
    return services.notifications_sweep()
