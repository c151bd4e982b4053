from django.db import migrations, models


class Migration(migrations.Migration):
    """The triage queue, oldest first: a page reads the waiting requests in order and stops."""

    dependencies = [("cases", "0008_request_triaged")]

    operations = [
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(status__in=["awaiting_triage", "awaiting_allocation"]),
                fields=["received_at", "id"],
                name="request_waiting_oldest",
            ),
        ),
    ]
