from django.db import migrations, models


class Migration(migrations.Migration):
    """The hub's relation reads requests waiting or triaged lately: an index for each half."""

    dependencies = [("cases", "0007_possible_duplicate")]

    operations = [
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(fields=["triaged_at"], name="request_triaged"),
        ),
    ]
