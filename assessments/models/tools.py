"""Outcome tool scores of an episode: the Rickter Scale Lifeboard and the Family Star (§7).

Headings and areas are the plan version's (`plan.rickter_headings`,
`plan.family_star_areas`); the calculations are the engine's
(`outcomes.engine.tools`), so the family page and the dashboards agree.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from cases.models import Episode, Person
from earlyhelp.models import User
from outcomes.engine.plan import TOOL_PLACES
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


class ToolLayout(models.Model):
    """The headings or areas (sorted) a `ToolProgress` row's columns hold, once for every row
    that names the same ones: the rows carry a number, not the names."""

    keys = ArrayField(models.TextField(), unique=True)

    def __str__(self):
        return ", ".join(self.keys)


class ToolProgress(models.Model):
    """The outcome tool scores as the cohort reports add them up: numbers in columns, not
    documents.

    One row per person whose Lifeboard has a baseline (with desired scores) and a later review
    in an episode (`latest` is the closing review, or the mid-way review until there is one;
    `stage`, `score` and `scored_on` are that review's), and one row per Family Star score at
    assessment or closure. The headings or areas the scores name are the `layout`'s keys
    (sorted); the number at each key's place is in the column of that place (`first_1` for the
    first key):
    `first_N` the baseline or the Family Star's score, `desired_N` and `latest_N`. A Lifeboard
    heading not given in all three is NULL in all three, so it is counted only where it can be.

    Kept by triggers on the scores and episodes (migration 0004), never written by Python:
    every way a score is written (the service, the demo, an import, the benchmark's SQL) keeps
    it. It carries the episode's family, start and delivery partner, so a report asks the gate
    of each row's family and cuts the year and the partner without reading the episodes or
    attachments. Why columns: at 50,000 families,
    reading the scores' JSON cost the outcome tools report 12 to 17 times /healthz, and adding
    up numbers held in arrays cost six times what adding up columns does
    (bench/reports_bench.py)."""

    PLACES = TOOL_PLACES

    episode = models.ForeignKey(
        Episode, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    family = models.ForeignKey(
        "cases.Family", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    started_on = models.DateField(help_text="The episode's start: the year a report counts it in.")
    partner = models.ForeignKey(
        "earlyhelp.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The delivery partner: the lead agency of the episode's programme attachment.",
    )
    tool = models.CharField(max_length=12, choices=ToolScore.Tool.choices)
    stage = models.CharField(max_length=6, choices=ToolScore.Stage.choices)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    score = models.ForeignKey(
        ToolScore,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The Lifeboard's latest review, or the Family Star's score.",
    )
    scored_on = models.DateField()
    layout = models.ForeignKey(ToolLayout, on_delete=models.PROTECT, related_name="+")
    family_latest = models.BooleanField(
        default=True,
        help_text=(
            "Family Star: whether these are the family's latest scores at this stage, of all "
            "its episodes (only those are counted, so a family counts once, in the year and "
            "with the delivery partner of the episode they were made in). A Lifeboard's: always."
        ),
    )

    class Meta:
        indexes = [models.Index(fields=["tool", "family", "stage"], name="tool_progress_by_family")]

    def __str__(self):
        return f"{self.tool} {self.stage} of {self.episode_id}"

    @classmethod
    def place(cls, name: str, place: int) -> str:
        """The column holding `name` ("first", "desired" or "latest") at `place` (from 1)."""
        return f"{name}_{place}"


for _place in range(1, ToolProgress.PLACES + 1):
    for _name in ("first", "desired", "latest"):
        ToolProgress.add_to_class(ToolProgress.place(_name, _place), models.FloatField(null=True))
