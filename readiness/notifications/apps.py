import logging

from django.apps import AppConfig
from django.db import transaction

log = logging.getLogger(__name__)


def _queue(task: object, *args: object) -> None:
    """Queue after the re-score commits; a broker that cannot be reached is logged and the
    sweep (beat, every minute) finds the row instead."""
    try:
        task.delay(*args)  # type: ignore[attr-defined]
    except Exception:
        log.exception("could not queue %s%r; the notification sweep will take it", task, args)


def _changes_stored(sender: type, change_ids: list[int], **kwargs: object) -> None:
    from .tasks import fan_out_change

    def queue_all() -> None:
        for change_id in change_ids:
            _queue(fan_out_change, change_id)

    transaction.on_commit(queue_all, robust=True)


def _rescore_failed(sender: type, post_id: int, **kwargs: object) -> None:
    from .tasks import record_failure

    transaction.on_commit(lambda: _queue(record_failure, post_id), robust=True)


class NotificationsConfig(AppConfig):
    name = "readiness.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from readiness.assessments import signals

        signals.recommendation_changed.connect(_changes_stored, dispatch_uid="notify-changes")
        signals.rescore_failed.connect(_rescore_failed, dispatch_uid="notify-failures")
