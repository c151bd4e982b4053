"""Outcome tool scores of an episode: the Rickter Scale Lifeboard and the Family Star (§7).

Headings and areas are the plan version's (`plan.rickter_headings`,
`plan.family_star_areas`); the calculations are the engine's
(`outcomes.engine.tools`), so the family page and the dashboards agree.
"""

from django.db import models

from cases.models import Episode, Person
from earlyhelp.models import User
from outcomes.models import OutcomesPlanVersion


class ToolScore(models.Model):
    class Tool(models.TextChoices):
        RICKTER = "rickter", "Rickter Scale Lifeboard"
        FAMILY_STAR = "family_star", "Family Star"

    class Stage(models.TextChoices):
        START = "start", "Start"
        MID = "mid", "Mid-way review"
        CLOSE = "close", "Close"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="tool_scores")
    tool = models.CharField(max_length=12, choices=Tool.choices)
    stage = models.CharField(max_length=6, choices=Stage.choices)
    # Rickter scores one person; the Family Star the family (parents with the worker).
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scored_on = models.DateField()
    plan_version = models.ForeignKey(
        OutcomesPlanVersion, on_delete=models.PROTECT, related_name="+"
    )
    scores = models.JSONField(help_text="Heading id (Rickter) or area name (Family Star) → score.")
    desired = models.JSONField(
        default=dict, blank=True, help_text="Rickter at the start: heading id → desired score."
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "tool", "person", "scored_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "tool", "stage", "person"],
                nulls_distinct=False,
                name="tool_score_once_per_stage",
                violation_error_message="These scores are already recorded for this stage",
            ),
            models.CheckConstraint(
                condition=models.Q(tool="rickter", person__isnull=False)
                | models.Q(tool="family_star", person__isnull=True),
                name="tool_score_rickter_scores_a_person",
            ),
        ]

    def __str__(self):
        return f"{self.tool} {self.stage} of {self.episode_id}"
