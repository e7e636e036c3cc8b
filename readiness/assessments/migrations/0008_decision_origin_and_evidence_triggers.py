"""Decisions carry an origin and, when recorded in this system, an assessment of their own
post; decisions and assessments become immutable on PostgreSQL (readiness/evidence.py).

Existing decisions without an assessment are not given one: attaching the assessment an
officer *might* have seen would forge evidence. They are classified instead:
- no user (``decided_by`` NULL): written by a scenario load (the only writer that records
  no user) -> origin "scenario";
- with a user: recorded from the dashboard before the assessment was required -> origin
  "legacy", which the daily brief flags. No new legacy row can be inserted afterwards
  (the trigger below refuses it on PostgreSQL; no code writes one).
Decisions with an assessment are "officer" (the default).
"""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def classify(apps, schema_editor):  # type: ignore[no-untyped-def]
    Decision = apps.get_model("assessments", "Decision")
    without = Decision.objects.filter(assessment__isnull=True)
    without.filter(decided_by__isnull=True).update(origin="scenario")
    without.filter(decided_by__isnull=False).update(origin="legacy")


GUARDS = r"""
CREATE OR REPLACE FUNCTION readiness_evidence_path() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('readiness.evidence_path', true), '')
$$;

CREATE OR REPLACE FUNCTION readiness_decision_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  path text := readiness_evidence_path();
  owner bigint;
BEGIN
  IF path = 'migration' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.origin = 'legacy' THEN
      RAISE EXCEPTION 'a decision is taken against an assessment: no new legacy decision'
        USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.assessment_id IS NOT NULL THEN
      SELECT post_id INTO owner FROM assessments_assessment WHERE id = NEW.assessment_id;
      IF owner IS DISTINCT FROM NEW.post_id THEN
        RAISE EXCEPTION 'the assessment of a decision must be of its own post'
          USING ERRCODE = 'restrict_violation';
      END IF;
    END IF;
    RETURN NEW;
  END IF;
  -- A scenario load rewrites (re-dates) and removes the decisions it loaded, only those.
  IF path = 'scenario' AND OLD.origin = 'scenario' THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    IF NEW.origin = 'scenario' AND NEW.post_id = OLD.post_id AND NEW.decided_by_id IS NULL
       AND NEW.assessment_id IS NULL THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'decision % is evidence: it is never %d', OLD.id, lower(TG_OP)
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE OR REPLACE FUNCTION readiness_assessment_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  path text := readiness_evidence_path();
BEGIN
  IF path = 'migration' OR (TG_OP = 'DELETE' AND path = 'prune') THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION 'assessment % is evidence: it is never %d', OLD.id, lower(TG_OP)
    USING ERRCODE = 'restrict_violation';
END
$$;

DROP TRIGGER IF EXISTS decision_is_evidence ON assessments_decision;
CREATE TRIGGER decision_is_evidence BEFORE INSERT OR UPDATE OR DELETE ON assessments_decision
  FOR EACH ROW EXECUTE FUNCTION readiness_decision_guard();
DROP TRIGGER IF EXISTS assessment_is_evidence ON assessments_assessment;
CREATE TRIGGER assessment_is_evidence BEFORE UPDATE OR DELETE ON assessments_assessment
  FOR EACH ROW EXECUTE FUNCTION readiness_assessment_guard();
"""

UNGUARDS = """
DROP TRIGGER IF EXISTS decision_is_evidence ON assessments_decision;
DROP TRIGGER IF EXISTS assessment_is_evidence ON assessments_assessment;
DROP FUNCTION IF EXISTS readiness_decision_guard();
DROP FUNCTION IF EXISTS readiness_assessment_guard();
"""


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Triggers on PostgreSQL only: SQLite (development, fast tests) has none.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS, params=None)


def unguard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARDS, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0007_assessment_summary'),
        ('posts', '0008_post_newest_assessment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='origin',
            field=models.CharField(choices=[('officer', 'Recorded by an officer'), ('scenario', 'Loaded from a scenario file'), ('legacy', 'Recorded without an assessment (before it was required)')], default='officer', max_length=10),
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='assessment',
            name='post',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='posts.post'),
        ),
        migrations.AddConstraint(
            model_name='decision',
            constraint=models.CheckConstraint(condition=models.Q(('origin__in', ['officer', 'scenario', 'legacy'])), name='decision_origin_valid'),
        ),
        migrations.AddConstraint(
            model_name='decision',
            constraint=models.CheckConstraint(condition=models.Q(('assessment__isnull', False), ('origin__in', ['scenario', 'legacy']), _connector='OR'), name='decision_assessment_required'),
        ),
        migrations.AddConstraint(
            model_name='decision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('origin', 'scenario'), _negated=True), ('decided_by__isnull', True), _connector='OR'), name='decision_scenario_has_no_user'),
        ),
        migrations.RunPython(guard, unguard),
    ]
