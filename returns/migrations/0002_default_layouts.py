"""The default layouts of the National Impact Study and Family Progress Data (version 1 of each),
as data: `returns/defaults/*.json`, described in returns/LAYOUTS.md. Later versions are made
on the layouts page; these files are not read again."""

import json
from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"
NOTE = "The documented default (returns/LAYOUTS.md)."


def load(apps, schema_editor):
    Layout = apps.get_model("returns", "ReturnLayout")
    for kind in ("nis", "fpd"):
        if not Layout.objects.filter(kind=kind).exists():
            columns = json.loads((DEFAULTS / f"{kind}.json").read_text())
            Layout.objects.create(kind=kind, version=1, columns=columns, note=NOTE)


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
