# Step-ups and step-downs recorded in the service are read into every family's snapshot as
# evidence for outcome 6.2 (outcomes.snapshots._STEPS), so a write to either marks the family
# for the nightly job, as every other table a snapshot reads does (migration 0011).

from importlib import import_module

from django.db import migrations

_family_changes = import_module("outcomes.migrations.0011_family_changes")

MARKS = {
    "cases_stepup": "SELECT e.family_id FROM {rows} r JOIN cases_episode e ON e.id = r.episode_id",
    "cases_stepdown": "SELECT family_id FROM {rows}",
}


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0013_programme_years"),
        ("cases", "0003_episode_work"),
    ]

    operations = [
        migrations.RunSQL(
            "\n".join(_family_changes._marks(table, select) for table, select in MARKS.items()),
            "\n".join(f"DROP FUNCTION outcomes_marks_{table}() CASCADE;" for table in MARKS),
        )
    ]
