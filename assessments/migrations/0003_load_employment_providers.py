"""The employment providers the seed's triage panel allocates to (002, §3.4.5, Table 4)."""

from django.db import migrations

PROVIDERS = ["DWP employment advisor", "GREAT project"]


def load(apps, schema_editor):
    provider = apps.get_model("assessments", "EmploymentProvider")
    for name in PROVIDERS:
        provider.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_work_conversations_and_triage_panel")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
