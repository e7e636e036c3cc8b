"""Issued briefs, evidence like decisions: on PostgreSQL a trigger refuses to UPDATE or
DELETE one outside the "migration" evidence path (readiness/evidence.py; its function
readiness_evidence_path() comes from assessments/0008)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


GUARD = r"""
CREATE OR REPLACE FUNCTION readiness_issued_brief_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF readiness_evidence_path() = 'migration' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION 'issued brief % is evidence: it is never %d', OLD.id, lower(TG_OP)
    USING ERRCODE = 'restrict_violation';
END
$$;
DROP TRIGGER IF EXISTS issued_brief_is_evidence ON briefs_issuedbrief;
CREATE TRIGGER issued_brief_is_evidence BEFORE UPDATE OR DELETE ON briefs_issuedbrief
  FOR EACH ROW EXECUTE FUNCTION readiness_issued_brief_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS issued_brief_is_evidence ON briefs_issuedbrief;
DROP FUNCTION IF EXISTS readiness_issued_brief_guard();
"""


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('assessments', '0008_decision_origin_and_evidence_triggers'),
    ]

    operations = [
        migrations.CreateModel(
            name='IssuedBrief',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('issued_by_name', models.CharField(editable=False, max_length=150)),
                ('classification', models.CharField(editable=False, max_length=100)),
                ('covers_since', models.DateTimeField(editable=False)),
                ('posts', models.PositiveIntegerField(editable=False, help_text='How many posts the brief covered')),
                ('issued_by', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-issued_at', '-id'],
                'get_latest_by': 'issued_at',
                'indexes': [models.Index(fields=['-issued_at'], name='issued_brief_newest')],
                'constraints': [models.CheckConstraint(condition=models.Q(('covers_since__lte', models.F('issued_at'))), name='issued_brief_window_ordered'), models.CheckConstraint(condition=models.Q(('classification', ''), _negated=True), name='issued_brief_has_classification')],
            },
        ),
        migrations.RunPython(guard, unguard),
    ]
