"""The family as the case sees it: a household whose members change over time."""

import pghistory
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper

from earlyhelp.models import Locality

from .person import Person


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="FamilyEvent")
class Family(models.Model):
    reference = models.CharField(max_length=12, unique=True)
    name = models.CharField(
        max_length=200, help_text="How the service refers to the household, like 'Smith family'."
    )
    address_line = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="families"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "families"
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="family_name_trgm"),
            models.Index(fields=["postcode"], name="family_postcode"),
        ]

    def __str__(self):
        return f"{self.name} ({self.reference})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="FamilyMemberEvent")
class FamilyMember(models.Model):
    """A person in a household from one date to another: people move between families."""

    class Role(models.TextChoices):
        CHILD = "child", "Child or young person"
        PARENT_CARER = "parent_carer", "Parent or carer"
        OTHER_ADULT = "other_adult", "Other adult"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    relationship = models.CharField(
        max_length=100, blank=True, help_text="To the head of household, like 'Son' or 'Partner'."
    )
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family", "role", "person__date_of_birth"]
        indexes = [models.Index(fields=["person", "family"], name="member_person_family")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(joined_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="member_left_after_joined",
                violation_error_message=(
                    "The date they left must be on or after the date they joined"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.person_id} in {self.family_id} as {self.role}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None
