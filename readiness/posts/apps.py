from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_template_ladder(sender: AppConfig, **kwargs: object) -> None:
    # After every migrate (and test-database flush), so a fresh install always has the
    # shipped ladder for new posts to copy. Idempotent: an edited template is kept.
    from .services import template_ladder_ensure

    template_ladder_ensure()


class PostsConfig(AppConfig):
    name = "readiness.posts"
    label = "posts"
    verbose_name = "Posts and ladders"

    def ready(self) -> None:
        post_migrate.connect(_ensure_template_ladder, sender=self)
