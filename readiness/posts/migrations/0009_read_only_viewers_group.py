"""The "Read-only viewers" group: its members see every post's dashboards and the brief and
change nothing (readiness/posts/access.py). Created empty and without permissions: not
even personal data (rosters.view_personal_data), which an administrator grants apart."""

from django.db import migrations

NAME = "Read-only viewers"


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0008_post_newest_assessment"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
