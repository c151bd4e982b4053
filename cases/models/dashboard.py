"""The caseload dashboard's figures as computed for one manager and one set of filters (issue 9).

The live figures of a large service take most of a second to compute, so the
page serves the last computation while it is fresh (DASHBOARD_FIGURES_MAX_AGE_MINUTES)
and says when it was made; Celery beat recomputes each manager's default view.
"""

from django.db import models

from earlyhelp.models import User


class DashboardFigures(models.Model):
    manager = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The filters, the manager's teams (whose change changes what they may see) and the
    # figures' code, hashed: any change of these is another key, so never a stale hit.
    key = models.CharField(max_length=64)
    tables = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manager", "key"], name="dashboard_figures_once")
        ]

    def __str__(self):
        return f"Dashboard figures of {self.manager_id} at {self.computed_at}"
