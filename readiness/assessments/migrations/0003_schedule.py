"""Seed the periodic jobs into django-celery-beat (editable in admin afterwards)."""

from django.conf import settings
from django.db import migrations

JOBS = [
    ("Re-evaluate every post", "readiness.assessments.tasks.reevaluate_all_posts", None),
    ("Notify recommendation changes", "readiness.assessments.tasks.notify_changes", 1),
]


def seed(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in JOBS:
        every = minutes or settings.REEVALUATE_EVERY_MINUTES
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": interval})


def unseed(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _, _ in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_recommendationchange"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
