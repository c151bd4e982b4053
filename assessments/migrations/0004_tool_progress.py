"""The outcome tool scores as numbers the cohort reports add up (`ToolProgress`, with the names
of the headings or areas each holds in `ToolLayout`), kept by triggers on the scores (every way
a score is written keeps it), the episodes (a family or start that changes) and the programme
attachments (the delivery partner), and filled from the scores already held."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# The places as the model has them when this migration was written (a later change of
# `ToolProgress.PLACES` comes with its own migration).
PLACES = 12


def _columns(*names):
    return ", ".join(f"{n}_{i}" for i in range(1, PLACES + 1) for n in names)


def _values(*names):
    return ", ".join(f"k.{n}[{i}]" for i in range(1, PLACES + 1) for n in names)


KEEP = (
    r"""
CREATE FUNCTION assessments_tool_layout(names text[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE found bigint;
BEGIN
    IF cardinality(names) > {places} THEN
        RAISE EXCEPTION 'Outcome tool scores name more than {places} headings or areas';
    END IF;
    SELECT id INTO found FROM assessments_toollayout WHERE keys = names;
    IF found IS NULL THEN
        INSERT INTO assessments_toollayout (keys) VALUES (names)
            ON CONFLICT (keys) DO NOTHING RETURNING id INTO found;
        IF found IS NULL THEN
            SELECT id INTO found FROM assessments_toollayout WHERE keys = names;
        END IF;
    END IF;
    RETURN found;
END $$;

CREATE FUNCTION assessments_tool_star_latest(fam bigint, st varchar)
RETURNS void LANGUAGE sql AS $$
    -- Marks the family's latest Family Star scores at a stage (of all its episodes), changing
    -- only the rows whose mark changes.
    UPDATE assessments_toolprogress p SET family_latest = (p.score_id = w.score_id)
      FROM (SELECT score_id FROM assessments_toolprogress
             WHERE tool = 'family_star' AND family_id = fam AND stage = st
             ORDER BY scored_on DESC, score_id DESC LIMIT 1) w
     WHERE p.tool = 'family_star' AND p.family_id = fam AND p.stage = st
       AND p.family_latest IS DISTINCT FROM (p.score_id = w.score_id);
$$;

CREATE FUNCTION assessments_tool_lifeboard(ep bigint, who bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- A Lifeboard: the person's baseline and desired scores beside their latest review.
    DELETE FROM assessments_toolprogress
     WHERE episode_id = ep AND tool = 'rickter' AND person_id = who;
    INSERT INTO assessments_toolprogress (episode_id, family_id, started_on, partner_id, tool,
                stage, person_id, score_id, scored_on, layout_id, family_latest,
                {rickter_columns})
    SELECT s.episode_id, e.family_id, e.started_on, a.lead_agency_id, s.tool, l.stage,
           s.person_id, l.id, l.scored_on, assessments_tool_layout(k.keys), true,
           {rickter_values}
      FROM assessments_toolscore s
      JOIN cases_episode e ON e.id = s.episode_id
      LEFT JOIN outcomes_attachment a ON a.episode_id = s.episode_id
      JOIN LATERAL (SELECT r.id, r.stage, r.scored_on, r.scores
                      FROM assessments_toolscore r
                     WHERE r.episode_id = s.episode_id AND r.tool = s.tool
                       AND r.person_id = s.person_id AND r.stage IN ('close', 'mid')
                     ORDER BY r.stage = 'close' DESC LIMIT 1) l ON true
     CROSS JOIN LATERAL (
            SELECT array_agg(h.key ORDER BY h.key) AS keys,
                   array_agg(CASE WHEN h.given THEN h.b END ORDER BY h.key) AS first,
                   array_agg(CASE WHEN h.given THEN h.d END ORDER BY h.key) AS desired,
                   array_agg(CASE WHEN h.given THEN h.l END ORDER BY h.key) AS latest
              FROM (SELECT v.key, v.b, v.d, v.l,
                           v.b IS NOT NULL AND v.d IS NOT NULL AND v.l IS NOT NULL AS given
                      FROM (SELECT key, (s.scores ->> key)::float8 AS b,
                                   (s.desired ->> key)::float8 AS d,
                                   (l.scores ->> key)::float8 AS l
                              FROM jsonb_object_keys(s.scores) AS key) v) h) k
     WHERE s.episode_id = ep AND s.tool = 'rickter' AND s.stage = 'start'
       AND s.person_id = who AND k.keys IS NOT NULL;
END $$;

CREATE FUNCTION assessments_tool_star(score bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The Family Star: a score at assessment or at closure, marked if it is its family's
    -- latest at its stage (and an earlier latest unmarked).
    INSERT INTO assessments_toolprogress (episode_id, family_id, started_on, partner_id, tool,
                stage, person_id, score_id, scored_on, layout_id, family_latest, {star_columns})
    SELECT s.episode_id, e.family_id, e.started_on, a.lead_agency_id, s.tool, s.stage, NULL,
           s.id, s.scored_on, assessments_tool_layout(k.keys),
           NOT EXISTS (SELECT 1 FROM assessments_toolprogress o
                        WHERE o.tool = 'family_star' AND o.family_id = e.family_id
                          AND o.stage = s.stage
                          AND (o.scored_on, o.score_id) > (s.scored_on, s.id)),
           {star_values}
      FROM assessments_toolscore s
      JOIN cases_episode e ON e.id = s.episode_id
      LEFT JOIN outcomes_attachment a ON a.episode_id = s.episode_id
     CROSS JOIN LATERAL (
            SELECT array_agg(key ORDER BY key) AS keys,
                   array_agg((s.scores ->> key)::float8 ORDER BY key) AS first
              FROM jsonb_object_keys(s.scores) AS key) k
     WHERE s.id = score AND s.tool = 'family_star' AND s.stage IN ('start', 'close')
       AND k.keys IS NOT NULL;
END $$;

CREATE FUNCTION assessments_tool_progress_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE fam bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.tool = 'rickter' THEN
            PERFORM assessments_tool_lifeboard(OLD.episode_id, OLD.person_id);
        ELSE
            DELETE FROM assessments_toolprogress
             WHERE tool = 'family_star' AND score_id = OLD.id RETURNING family_id INTO fam;
            IF fam IS NOT NULL THEN
                PERFORM assessments_tool_star_latest(fam, OLD.stage);
            END IF;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.tool = 'rickter' THEN
            PERFORM assessments_tool_lifeboard(NEW.episode_id, NEW.person_id);
        ELSE
            PERFORM assessments_tool_star(NEW.id);
            SELECT family_id INTO fam FROM cases_episode WHERE id = NEW.episode_id;
            PERFORM assessments_tool_star_latest(fam, NEW.stage);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER assessments_tool_progress_keep
AFTER INSERT OR UPDATE OR DELETE ON assessments_toolscore
FOR EACH ROW EXECUTE FUNCTION assessments_tool_progress_keep();

CREATE FUNCTION assessments_tool_progress_episode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assessments_toolprogress SET family_id = NEW.family_id, started_on = NEW.started_on
     WHERE episode_id = NEW.id;
    IF OLD.family_id IS DISTINCT FROM NEW.family_id THEN
        PERFORM assessments_tool_star_latest(OLD.family_id, stage),
                assessments_tool_star_latest(NEW.family_id, stage)
           FROM (VALUES ('start'), ('close')) AS stages(stage);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER assessments_tool_progress_episode
AFTER UPDATE OF family_id, started_on ON cases_episode
FOR EACH ROW WHEN (OLD.family_id IS DISTINCT FROM NEW.family_id
                   OR OLD.started_on IS DISTINCT FROM NEW.started_on)
EXECUTE FUNCTION assessments_tool_progress_episode();

CREATE FUNCTION assessments_tool_progress_partner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE assessments_toolprogress SET partner_id = NULL WHERE episode_id = OLD.episode_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE assessments_toolprogress SET partner_id = NEW.lead_agency_id
         WHERE episode_id = NEW.episode_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER assessments_tool_progress_partner
AFTER INSERT OR UPDATE OF episode_id, lead_agency_id OR DELETE ON outcomes_attachment
FOR EACH ROW EXECUTE FUNCTION assessments_tool_progress_partner();

SELECT assessments_tool_lifeboard(episode_id, person_id)
  FROM assessments_toolscore WHERE tool = 'rickter' AND stage = 'start';
SELECT assessments_tool_star(id) FROM assessments_toolscore WHERE tool = 'family_star';
SELECT assessments_tool_star_latest(family_id, stage)
  FROM (SELECT DISTINCT family_id, stage FROM assessments_toolprogress
         WHERE tool = 'family_star') f;
""".replace("{rickter_columns}", _columns("first", "desired", "latest"))
    .replace("{rickter_values}", _values("first", "desired", "latest"))
    .replace("{star_columns}", _columns("first"))
    .replace("{star_values}", _values("first"))
    .replace("{places}", str(PLACES))
)

FORGET = r"""
DROP TRIGGER IF EXISTS assessments_tool_progress_partner ON outcomes_attachment;
DROP FUNCTION IF EXISTS assessments_tool_progress_partner();
DROP TRIGGER IF EXISTS assessments_tool_progress_episode ON cases_episode;
DROP TRIGGER IF EXISTS assessments_tool_progress_keep ON assessments_toolscore;
DROP FUNCTION IF EXISTS assessments_tool_progress_episode();
DROP FUNCTION IF EXISTS assessments_tool_progress_keep();
DROP FUNCTION IF EXISTS assessments_tool_star(bigint);
DROP FUNCTION IF EXISTS assessments_tool_lifeboard(bigint, bigint);
DROP FUNCTION IF EXISTS assessments_tool_star_latest(bigint, varchar);
DROP FUNCTION IF EXISTS assessments_tool_layout(text[]);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_load_employment_providers"),
        ("cases", "0014_claim_withdrawn_notification"),
        ("earlyhelp", "0005_refuse_truncate"),
        (
            "outcomes",
            "0017_results_count_cases_triggered_and_processed",
        ),  # the attachments the delivery partner is read from
    ]

    operations = [
        migrations.CreateModel(
            name="ToolLayout",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "keys",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None, unique=True
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ToolProgress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "started_on",
                    models.DateField(
                        help_text="The episode's start: the year a report counts it in."
                    ),
                ),
                (
                    "tool",
                    models.CharField(
                        choices=[
                            ("rickter", "Rickter Scale Lifeboard"),
                            ("family_star", "Family Star"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[("start", "Start"), ("mid", "Mid-way review"), ("close", "Close")],
                        max_length=6,
                    ),
                ),
                ("scored_on", models.DateField()),
                (
                    "family_latest",
                    models.BooleanField(
                        default=True,
                        help_text="Family Star: whether these are the family's latest scores at this stage, of all its episodes (only those are counted, so a family counts once, in the year and with the delivery partner of the episode they were made in). A Lifeboard's: always.",
                    ),
                ),
                ("first_1", models.FloatField(null=True)),
                ("desired_1", models.FloatField(null=True)),
                ("latest_1", models.FloatField(null=True)),
                ("first_2", models.FloatField(null=True)),
                ("desired_2", models.FloatField(null=True)),
                ("latest_2", models.FloatField(null=True)),
                ("first_3", models.FloatField(null=True)),
                ("desired_3", models.FloatField(null=True)),
                ("latest_3", models.FloatField(null=True)),
                ("first_4", models.FloatField(null=True)),
                ("desired_4", models.FloatField(null=True)),
                ("latest_4", models.FloatField(null=True)),
                ("first_5", models.FloatField(null=True)),
                ("desired_5", models.FloatField(null=True)),
                ("latest_5", models.FloatField(null=True)),
                ("first_6", models.FloatField(null=True)),
                ("desired_6", models.FloatField(null=True)),
                ("latest_6", models.FloatField(null=True)),
                ("first_7", models.FloatField(null=True)),
                ("desired_7", models.FloatField(null=True)),
                ("latest_7", models.FloatField(null=True)),
                ("first_8", models.FloatField(null=True)),
                ("desired_8", models.FloatField(null=True)),
                ("latest_8", models.FloatField(null=True)),
                ("first_9", models.FloatField(null=True)),
                ("desired_9", models.FloatField(null=True)),
                ("latest_9", models.FloatField(null=True)),
                ("first_10", models.FloatField(null=True)),
                ("desired_10", models.FloatField(null=True)),
                ("latest_10", models.FloatField(null=True)),
                ("first_11", models.FloatField(null=True)),
                ("desired_11", models.FloatField(null=True)),
                ("latest_11", models.FloatField(null=True)),
                ("first_12", models.FloatField(null=True)),
                ("desired_12", models.FloatField(null=True)),
                ("latest_12", models.FloatField(null=True)),
                (
                    "episode",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.episode",
                    ),
                ),
                (
                    "family",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.family",
                    ),
                ),
                (
                    "layout",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="assessments.toollayout",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The delivery partner: the lead agency of the episode's programme attachment.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="earlyhelp.organisation",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.person",
                    ),
                ),
                (
                    "score",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The Lifeboard's latest review, or the Family Star's score.",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="assessments.toolscore",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["tool", "family", "stage"], name="tool_progress_by_family")
                ],
            },
        ),
        migrations.RunSQL(KEEP, FORGET),
    ]
