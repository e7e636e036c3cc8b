"""Post.newest_assessment: a pointer to the post's newest assessment, written when one is
stored; set here for the posts assessed before it existed."""

import django.db.models.deletion
from django.db import migrations, models


def point(apps, schema_editor):  # type: ignore[no-untyped-def]
    Post = apps.get_model("posts", "Post")
    Assessment = apps.get_model("assessments", "Assessment")
    newest = (
        Assessment.objects.filter(post=models.OuterRef("pk"))
        .order_by("-evaluated_at", "-id")
        .values("id")[:1]
    )
    Post.objects.update(newest_assessment=models.Subquery(newest))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_assessment_summary"),
        ("posts", "0007_crisis_centre_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="newest_assessment",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="assessments.assessment",
            ),
        ),
        migrations.RunPython(point, migrations.RunPython.noop),
    ]
