"""The column layout of each national return, as data (DOMAIN §10: "files in a fixed layout").

A layout is never edited in place: a change is a new version, with who made it and why, so the
layout a file was built with (its version is in the file's name) can always be read again. The
history of every row is kept by pghistory as well, like the other records people change.
"""

import pghistory
from django.db import models

from earlyhelp.models import User


class ReturnKind(models.TextChoices):
    NIS = "nis", "National Impact Study"
    FPD = "fpd", "Family Progress Data"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="ReturnLayoutEvent")
class ReturnLayout(models.Model):
    kind = models.CharField(max_length=3, choices=ReturnKind.choices)
    version = models.PositiveIntegerField()
    # [{"header": "NHS number", "source": "person.nhs_number", "format": "identifier",
    #   "required": "always"}, …] — the vocabulary is `returns.layouts` (SOURCES, FORMATS).
    columns = models.JSONField()
    note = models.TextField(help_text="What changed and why.")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="return_layout_version_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} layout, version {self.version}"
