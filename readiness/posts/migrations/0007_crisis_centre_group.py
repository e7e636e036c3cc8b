"""The "Crisis centre" group: its members are duty officers (readiness/posts/access.py).
Created empty, so an administrator only has to add people to it. It was created by a
dashboard migration until December 2026; get_or_create keeps an existing one."""

from django.db import migrations

NAME = "Crisis centre"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0006_rename_threat_index_rising"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
