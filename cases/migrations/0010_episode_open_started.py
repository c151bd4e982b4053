from django.db import migrations, models


class Migration(migrations.Migration):
    """Open episodes by start: a manager's overdue reviews and long-open cases, oldest first."""

    dependencies = [("cases", "0009_request_waiting_oldest")]

    operations = [
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(
                condition=models.Q(status="open"),
                fields=["started_on", "id"],
                name="episode_open_started",
            ),
        ),
    ]
