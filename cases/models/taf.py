"""The team around the family at work: its meetings and its case notes (DOMAIN §4 step 5)."""

from django.db import models

from earlyhelp.models import User

from .episode import Episode
from .family import FamilyMember


class TafMeeting(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    attendees = models.ManyToManyField(User, blank=True, related_name="taf_meetings")
    family_present = models.ManyToManyField(FamilyMember, blank=True, related_name="+")
    others_present = models.CharField(max_length=300, blank=True)
    decisions = models.TextField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"TAF meeting of {self.episode_id} on {self.held_on}"


class CaseNote(models.Model):
    """A contact, visit or call, recorded within the episode. Notes are never edited."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact"
        VISIT = "visit", "Visit"
        CALL = "call", "Phone call"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="case_notes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    happened_on = models.DateField()
    about = models.ManyToManyField(FamilyMember, blank=True, related_name="+")
    text = models.TextField()
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on}"
