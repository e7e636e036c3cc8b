"""The "Crisis centre" group: its members are duty officers (see selectors.is_duty_officer).
Created empty, so an administrator only has to add people to it."""

from django.db import migrations

NAME = "Crisis centre"


def create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create, remove)]
