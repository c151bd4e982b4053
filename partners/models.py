"""Partner agency systems that will call the REST API (issue: partner REST API).

Here is only the room for them: which agency a client acts for and which
scopes it holds. Tokens and the API itself arrive with that issue.
"""

from django.db import models

from earlyhelp.models import Organisation


class ApiClient(models.Model):
    class Scope(models.TextChoices):
        REQUESTS_WRITE = "requests:write", "Send requests for support"
        EVIDENCE_WRITE = "evidence:write", "Send evidence"
        FAMILIES_READ = "families:read", "Read families the agency may see"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField(max_length=200)
    scopes = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="api_client_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})"
