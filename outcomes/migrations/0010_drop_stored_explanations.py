"""The whole answer is no longer kept (its explanation is worked out again when read), the digest
is half as long, and the second index on `run` (the foreign key has one) goes."""

from django.db import migrations, models

import outcomes.models.results


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0009_store_decisions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="familyresult",
            name="decision",
            field=outcomes.models.results.DecisionField(),
        ),
        migrations.RemoveField(model_name="familyresult", name="result"),
        migrations.AlterField(
            model_name="familyresult",
            name="digest",
            field=models.CharField(max_length=32),
        ),
        migrations.RemoveIndex(model_name="familyresult", name="family_result_run"),
    ]
