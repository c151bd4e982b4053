"""The team around the family's plan: its actions, their updates, and reviews (DOMAIN §4 step 5)."""

import pghistory
from django.db import models

from earlyhelp.models import User

from .episode import Episode
from .person import Person


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), model_name="PlanActionEvent")
class PlanAction(models.Model):
    """One thing the plan says will happen: what, who, by when, which need or outcome it serves."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped: no longer needed or not possible"

    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField()
    # A practitioner on the team (the lead or a TAF member), or nobody: the family itself.
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_actions"
    )
    due_on = models.DateField()
    # The household member the action is for, or nobody: the whole family. The programme's
    # "action plan covering all relevant members" is read from this (DOMAIN §8).
    for_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An indicator id of the assessment's plan version ("1.1": a need), or an outcome id.
    need = models.CharField(max_length=10, blank=True)
    outcome = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(need="") | models.Q(outcome=""),
                name="action_links_one_need_or_outcome",
                violation_error_message="Link an action to one need or one outcome, not both",
            )
        ]

    def __str__(self):
        return self.what[:60]

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else "The family"

    @property
    def status_short(self) -> str:
        return "Stopped" if self.status == self.Status.STOPPED else self.get_status_display()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_linked(self) -> bool:
        return bool(self.need or self.outcome)


class PlanActionUpdate(models.Model):
    """What its owner said when they updated an action: the action's own story."""

    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=PlanAction.Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action_id} {self.status} at {self.at:%Y-%m-%d}"


class PlanReview(models.Model):
    """A review of the plan; the next is due the review interval (a service setting,
    earlyhelp.policy) after the latest."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField(help_text="What has changed for the family since the last review.")
    changes_to_plan = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["episode", "-held_on"], name="review_latest")]

    def __str__(self):
        return f"Review of {self.episode_id} on {self.held_on}"
