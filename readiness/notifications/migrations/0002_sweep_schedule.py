"""The beat job "Notify recommendation changes" (seeded by assessments/0003, every minute)
now runs this app's sweep: the old notifier, which e-mailed NOTIFY_EMAILS, is retired."""

from django.db import migrations

NAME = "Notify recommendation changes"
OLD = "readiness.assessments.tasks.notify_changes"
NEW = "readiness.notifications.tasks.sweep_notifications"


def repoint(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).update(task=NEW):
        return
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(name=NAME, task=NEW, interval=interval)


def back(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).update(task=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("assessments", "0003_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(repoint, back)]
