from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _post_id_of(instance: object) -> int | None:
    from readiness.posts.models import ActionItem, Post, Trigger

    if isinstance(instance, Post):
        return instance.pk
    if isinstance(instance, Trigger | ActionItem):
        return instance.level.post_id if instance.level_id else None
    return getattr(instance, "post_id", None)


def _request_rescore(sender: type, instance: object, **kwargs: object) -> None:
    from .services import post_rescore_enqueue

    if kwargs.get("raw"):
        return  # loading fixtures
    post_id = _post_id_of(instance)
    if post_id is not None:
        post_rescore_enqueue(post_id=post_id)


class AssessmentsConfig(AppConfig):
    name = "readiness.assessments"
    label = "assessments"

    def ready(self) -> None:
        # The Celery app, configured from the settings, before any task is sent: web
        # processes, management commands and tests all pass through here.
        from readiness import celery  # noqa: F401

        # Every write path (admin, roster import, scenario load, views, feeds) changes the
        # engine's inputs through these models, so the re-score request hangs on their
        # saves rather than on each path, where one would be forgotten. Queryset
        # update()/bulk writes bypass this and must call post_rescore_enqueue themselves.
        from .selectors import SCORING_INPUTS

        for model in SCORING_INPUTS:
            post_save.connect(
                _request_rescore, sender=model, dispatch_uid=f"rescore-save-{model.__name__}"
            )
            post_delete.connect(
                _request_rescore, sender=model, dispatch_uid=f"rescore-del-{model.__name__}"
            )
