"""Indicators are evidence: corrections (a new row that ``corrects`` an earlier one) and
withdrawals (who, when, why) instead of edits; simple-history keeps every change; and on
PostgreSQL a trigger refuses any UPDATE or DELETE but the changes the domain makes
(readiness/evidence.py):

- ``expires_at`` brought forward (a withdrawal, a feed's CAP Cancel/Update), never pushed
  back or cleared;
- ``ended_at`` set or moved (an ongoing condition ends), never cleared;
- ``event`` given once to a row that had none (a CAP message referencing it);
- the withdrawal fields set once;
- ``recorded_by`` cleared (the user is deleted: SET_NULL);
- anything on a row loaded from a scenario file (no feed, no author, an external id, not
  withdrawn), inside a scenario load (evidence path "scenario"); and DELETE of such a row.
"""


import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


GUARD = r"""
CREATE OR REPLACE FUNCTION readiness_indicator_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  path text := coalesce(current_setting('readiness.evidence_path', true), '');
  from_file boolean;
BEGIN
  IF path = 'migration' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  from_file := OLD.feed_id IS NULL AND OLD.recorded_by_id IS NULL AND OLD.external_id <> ''
    AND OLD.withdrawn_at IS NULL AND OLD.corrects_id IS NULL;
  IF TG_OP = 'DELETE' THEN
    IF path = 'scenario' AND from_file THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'indicator % is evidence: withdraw or correct it, it is never deleted', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF path = 'scenario' AND from_file AND NEW.feed_id IS NULL AND NEW.recorded_by_id IS NULL
     AND NEW.withdrawn_at IS NULL AND NEW.corrects_id IS NULL AND NEW.post_id = OLD.post_id
     AND NEW.external_id = OLD.external_id THEN
    RETURN NEW;
  END IF;
  IF (NEW.id, NEW.post_id, NEW.category, NEW.severity, NEW.reliability, NEW.credibility,
      NEW.source, NEW.text, NEW.observed_at, NEW.ongoing, NEW.external_id, NEW.de_escalation,
      NEW.recorded_at, NEW.feed_id, NEW.corrects_id)
     IS DISTINCT FROM
     (OLD.id, OLD.post_id, OLD.category, OLD.severity, OLD.reliability, OLD.credibility,
      OLD.source, OLD.text, OLD.observed_at, OLD.ongoing, OLD.external_id, OLD.de_escalation,
      OLD.recorded_at, OLD.feed_id, OLD.corrects_id) THEN
    RAISE EXCEPTION 'indicator % is evidence: correct it with a new indicator instead', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.recorded_by_id IS DISTINCT FROM OLD.recorded_by_id AND NEW.recorded_by_id IS NOT NULL THEN
    RAISE EXCEPTION 'indicator %: who recorded it does not change', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.event IS DISTINCT FROM OLD.event AND OLD.event <> '' THEN
    RAISE EXCEPTION 'indicator %: its event does not change once given', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.expires_at IS DISTINCT FROM OLD.expires_at
     AND (NEW.expires_at IS NULL OR NEW.expires_at > OLD.expires_at) THEN
    RAISE EXCEPTION 'indicator %: its expiry may only be brought forward (a withdrawal)', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.ended_at IS DISTINCT FROM OLD.ended_at AND NEW.ended_at IS NULL THEN
    RAISE EXCEPTION 'indicator %: an end is not undone', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF (NEW.withdrawn_at, NEW.withdrawn_by_id, NEW.withdrawal_reason)
     IS DISTINCT FROM (OLD.withdrawn_at, OLD.withdrawn_by_id, OLD.withdrawal_reason)
     AND OLD.withdrawn_at IS NOT NULL THEN
    RAISE EXCEPTION 'indicator %: a withdrawal is final', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS indicator_is_evidence ON indicators_indicator;
CREATE TRIGGER indicator_is_evidence BEFORE UPDATE OR DELETE ON indicators_indicator
  FOR EACH ROW EXECUTE FUNCTION readiness_indicator_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS indicator_is_evidence ON indicators_indicator;
DROP FUNCTION IF EXISTS readiness_indicator_guard();
"""


def guard(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Triggers on PostgreSQL only: SQLite (development, fast tests) has none.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0004_indicator_dates_in_range'),
        ('posts', '0008_post_newest_assessment'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalIndicator',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('category', models.CharField(choices=[('incident', 'Security incident'), ('threat_to_foreigners', 'Threat against foreigners'), ('supply', 'Supply (fuel, food)'), ('transport', 'Transport (airlines, roads, borders)'), ('political', 'Political'), ('peer_action', 'Peer action (other embassies)'), ('health', 'Health'), ('hazard', 'Natural hazard')], max_length=24)),
                ('severity', models.PositiveSmallIntegerField(help_text='1 minor … 5 extreme', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                ('reliability', models.CharField(choices=[('A', 'A — completely reliable'), ('B', 'B — usually reliable'), ('C', 'C — fairly reliable'), ('D', 'D — not usually reliable'), ('E', 'E — unreliable'), ('F', 'F — cannot be judged')], max_length=1)),
                ('credibility', models.PositiveSmallIntegerField(choices=[(1, '1 — confirmed'), (2, '2 — probably true'), (3, '3 — possibly true'), (4, '4 — doubtful'), (5, '5 — improbable'), (6, '6 — cannot be judged')])),
                ('source', models.CharField(max_length=200)),
                ('text', models.TextField()),
                ('observed_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('ongoing', models.BooleanField(default=False, help_text='A condition rather than an event')),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('external_id', models.CharField(blank=True, help_text="Feed's own id, or a scenario key: de-duplicates", max_length=200)),
                ('event', models.CharField(blank=True, help_text='The event this report is about, as a short key (e.g. kayes-road-blockade). Reports sharing it are one piece of evidence, and a later one re-confirms an ongoing condition. Empty: an event of its own.', max_length=100, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._:-]*\\Z', code='event_key', message='An event is a short key of letters, digits and . _ : - without spaces, e.g. kayes-road-blockade.')])),
                ('de_escalation', models.BooleanField(default=False, help_text='It lowers the threat: a route reopened, a ceasefire, a curfew lifted')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('withdrawn_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('withdrawal_reason', models.TextField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical indicator',
                'verbose_name_plural': 'historical indicators',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='indicator',
            name='corrects',
            field=models.OneToOneField(blank=True, editable=False, help_text='The indicator this one corrects (and supersedes)', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='correction', to='indicators.indicator'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='withdrawal_reason',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='indicator',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='indicator',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='indicator',
            name='post',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='indicators', to='posts.post'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('withdrawal_reason', ''), ('withdrawn_at__isnull', True)), models.Q(('withdrawn_at__isnull', False), models.Q(('withdrawal_reason', ''), _negated=True)), _connector='OR'), name='indicator_withdrawal_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('corrects', models.F('id')), _negated=True), name='indicator_does_not_correct_itself'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='corrects',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, help_text='The indicator this one corrects (and supersedes)', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.indicator'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='feed',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The feed that delivered it, if one did', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='indicators.feed'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='post',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='posts.post'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(guard, unguard),
    ]
