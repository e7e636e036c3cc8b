"""A check-in answer is evidence: on PostgreSQL a trigger refuses to UPDATE or DELETE one
(outside the "migration" evidence path, readiness/evidence.py), and a used link is never made
usable again (its ``used_at`` and token hash stay as they are)."""

from django.db import migrations

GUARDS = r"""
CREATE OR REPLACE FUNCTION readiness_checkin_answer_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('readiness.evidence_path', true), '') = 'migration' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION 'check-in answer % is evidence: it is never %d', OLD.id, lower(TG_OP)
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE OR REPLACE FUNCTION readiness_checkin_request_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('readiness.evidence_path', true), '') = 'migration' THEN
    RETURN NEW;
  END IF;
  IF OLD.used_at IS NOT NULL AND (NEW.used_at IS DISTINCT FROM OLD.used_at
      OR NEW.token_hash IS DISTINCT FROM OLD.token_hash) THEN
    RAISE EXCEPTION 'check-in link % was used: it is never made usable again', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS checkin_answer_is_evidence ON checkins_checkinanswer;
CREATE TRIGGER checkin_answer_is_evidence BEFORE UPDATE OR DELETE ON checkins_checkinanswer
  FOR EACH ROW EXECUTE FUNCTION readiness_checkin_answer_guard();
DROP TRIGGER IF EXISTS checkin_link_used_once ON checkins_checkinrequest;
CREATE TRIGGER checkin_link_used_once BEFORE UPDATE ON checkins_checkinrequest
  FOR EACH ROW EXECUTE FUNCTION readiness_checkin_request_guard();
"""

UNGUARDS = """
DROP TRIGGER IF EXISTS checkin_answer_is_evidence ON checkins_checkinanswer;
DROP TRIGGER IF EXISTS checkin_link_used_once ON checkins_checkinrequest;
DROP FUNCTION IF EXISTS readiness_checkin_answer_guard();
DROP FUNCTION IF EXISTS readiness_checkin_request_guard();
"""


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS, params=None)


def unguard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARDS, params=None)


class Migration(migrations.Migration):
    dependencies = [("checkins", "0001_initial")]

    operations = [migrations.RunPython(guard, unguard)]
