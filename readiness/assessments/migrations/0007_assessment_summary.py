"""An assessment's summary (readiness/assessments/summary.py), stored beside its
explanation; written here for the assessments stored before it existed."""

from django.db import migrations, models


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Assessment = apps.get_model("assessments", "Assessment")
    batch = []
    for a in Assessment.objects.only("id", "explanation").iterator(chunk_size=200):
        exp = a.explanation or {}
        points = (exp.get("trend") or {}).get("points") or ()
        a.summary = {
            "format": 1,
            "trend": [p["threat_index"] for p in points if p.get("threat_index") is not None],
            "margin_rank": exp.get("next_level_margin_rank"),
            "reasons": [
                [r.get("kind"), r.get("level"), r.get("detail_code")]
                for r in exp.get("reasons") or ()
            ],
        }
        batch.append(a)
        if len(batch) == 200:
            Assessment.objects.bulk_update(batch, ["summary"])
            batch = []
    Assessment.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_explanation_lz4")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="summary",
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
