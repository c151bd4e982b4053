# A separate migration: PostgreSQL refuses to alter a table with the row updates of the previous
# step still pending in the same transaction.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0004_nightly_results")]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="plan_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="outcomes.outcomesplanversion",
            ),
        ),
    ]
