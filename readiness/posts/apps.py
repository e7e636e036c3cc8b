from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_template_ladder(sender: AppConfig, **kwargs: object) -> None:
    # After every migrate (and test-database flush), so a fresh install always has the
    # shipped ladder for new posts to copy. Idempotent: an edited template is kept.
    from .services import template_ladder_ensure

    template_ladder_ensure()


def _ensure_groups(sender: AppConfig, **kwargs: object) -> None:
    # The roles' groups are created by migrations (posts 0007 and 0009); after a test
    # database's flush, which empties them, they are made again, empty, as there.
    from django.contrib.auth.models import Group

    from .access import CRISIS_CENTRE_GROUP, VIEWERS_GROUP

    for name in (CRISIS_CENTRE_GROUP, VIEWERS_GROUP):
        Group.objects.get_or_create(name=name)


class PostsConfig(AppConfig):
    name = "readiness.posts"
    label = "posts"
    verbose_name = "Posts and ladders"

    def ready(self) -> None:
        from readiness import labels

        labels.apply()  # the admin's names of apps, models and fields, translated
        post_migrate.connect(_ensure_template_ladder, sender=self)
        post_migrate.connect(_ensure_groups, sender=self)
