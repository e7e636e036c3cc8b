"""The shipped level-1 trigger compares the threat index with a threshold; it was named
"Threat index rising", which read as a trend even while the index fell. Triggers that
still carry the shipped name get the new one; a name an administrator typed is kept."""

from django.db import migrations

OLD, NEW = "Threat index rising", "Threat index elevated"


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Trigger = apps.get_model("posts", "Trigger")
    Trigger.objects.filter(name=OLD, kind="threat_index").update(name=NEW)


def unrename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Trigger = apps.get_model("posts", "Trigger")
    Trigger.objects.filter(name=NEW, kind="threat_index").update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [("posts", "0005_trigger_with_category")]
    operations = [migrations.RunPython(rename, unrename)]
