"""Version 9 of the Family Outcomes Plan (seed 002, Appendix One) and school term dates, as data.

Loaded once from the files beside the engine; afterwards they live in the
database, where administrators copy, edit and publish versions and correct
term dates. Version 9 is published, so nothing can change it afterwards.
"""

import json
from pathlib import Path

from django.db import migrations

PLANS = Path(__file__).resolve().parent.parent / "plans"


def load(apps, schema_editor):
    Version = apps.get_model("outcomes", "OutcomesPlanVersion")
    Term = apps.get_model("outcomes", "SchoolTerm")
    definition = json.loads((PLANS / "fop_v9.json").read_text())
    if not Version.objects.filter(version=definition["version"]).exists():
        Version.objects.create(
            version=definition["version"],
            title=definition["title"],
            status="published",
            effective_from=definition["effective_from"],
            definition=definition,
        )
    for term in json.loads((PLANS / "school_terms.json").read_text())["terms"]:
        Term.objects.get_or_create(
            academic_year=term["academic_year"],
            name=term["name"],
            defaults={"starts_on": term["starts_on"], "ends_on": term["ends_on"]},
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_outcomesplanversion_schoolterm_evidence_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
