"""Each stored result keeps its compact decision instead of the engine's whole answer.

Existing rows get their decision from the answer they kept (each outcome's dates, the day each
claim route was achieved, the evidence each decision cited), so every page reads them at once.
Their digest is blanked: it was taken over the old format, and the new one covers the answer's
explanation too. Earlier runs' fingerprint of what every family is judged by is blanked as well,
so that no run's answers are taken to stand for unchanged families: the next nightly run judges
every family, finds every current result's digest different and writes each family one new row
(with the same decision), after which digests check explanations.
"""

import json

from django.db import migrations

import outcomes.models.results


def _cited(value, found):
    """Every evidence row a step in `value` cites (a step has a threshold and evidence)."""
    if isinstance(value, dict):
        if "threshold" in value and "evidence" in value:
            for ref in value["evidence"]:
                if str(ref["id"]).isdigit():
                    found.setdefault(int(ref["id"]), None)
        for child in value.values():
            _cited(child, found)
    elif isinstance(value, list):
        for child in value:
            _cited(child, found)
    return found


def decision(answer: dict) -> str:
    """outcomes.decisions.Decision, as the JSON its reader takes, from a stored answer."""
    outcomes = [
        [
            o["outcome"],
            True,
            o["met_on"],
            o["sustained_on"],
            o["sustain_due_on"],
            list(_cited(o["explanation"], {})),
        ]
        if o["applies"]
        else [o["outcome"], False]
        for o in answer["outcomes"]
    ]
    return json.dumps(
        {
            "eligible": answer["eligibility"]["eligible"],
            "outcomes": outcomes,
            "routes": [r["achieved_on"] if r["achieved"] else None for r in answer["routes"]],
            "claimed_on": answer["claim"]["claimed_on"],
            "evidence": sorted(_cited(answer, {})),
        },
        separators=(",", ":"),
    )


def forwards(apps, schema_editor):
    apps.get_model("outcomes", "NightlyRun").objects.update(inputs="")
    FamilyResult = apps.get_model("outcomes", "FamilyResult")
    rows = FamilyResult.objects.order_by("pk").values_list("pk", "result")
    batch = []
    with schema_editor.connection.cursor() as cursor:
        for pk, answer in rows.iterator(chunk_size=2000):
            batch.append((decision(answer), pk))
            if len(batch) == 2000:
                _write(cursor, batch)
                batch = []
        _write(cursor, batch)


def _write(cursor, batch):
    if batch:
        cursor.executemany(
            "UPDATE outcomes_familyresult SET decision = %s::json, digest = '' WHERE id = %s",
            batch,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0008_refuse_truncate"),
    ]

    operations = [
        migrations.AddField(
            model_name="familyresult",
            name="decision",
            field=outcomes.models.results.DecisionField(null=True),
        ),
        # Back to whole answers only with no results kept: the explanations are not stored.
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
