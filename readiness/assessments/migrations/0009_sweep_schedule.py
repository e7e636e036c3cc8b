"""Schedule the sweeper that re-queues lost re-scores (editable in admin afterwards)."""

from django.conf import settings
from django.db import migrations

NAME = "Re-queue lost re-scores"


def seed(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=settings.RESCORE_SWEEP_SECONDS, period="seconds"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "readiness.assessments.tasks.sweep_rescores", "interval": interval}
    )


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_decision_origin_and_evidence_triggers"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
