"""The assessment's form, built from its parts, and the outcome tool score forms."""

from __future__ import annotations

from django import forms

from cases.episode.forms import EpisodeForm
from earlyhelp.date_input import DateInputField

from .models import ToolScore
from .sections import INDICATORS, Part, digest


class AssessmentForm(forms.Form):
    """One field per part (`section-<name>`), with the version and fingerprint it started from.

    Everything is optional here: a draft may be incomplete. What a submission
    needs is checked by `services.assessment_missing`.
    """

    def __init__(self, *args, parts: list[Part], plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.parts = parts
        for part in parts:
            if part.key == INDICATORS:
                field = forms.MultipleChoiceField(
                    label=part.label,
                    required=False,
                    choices=[(i.id, i.text) for p in plan.headline_problems for i in p.indicators],
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"invalid_choice": "Select indicators of the outcomes plan"},
                )
            else:
                field = forms.CharField(
                    label=part.label,
                    required=False,
                    strip=False,
                    widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "true"}),
                    help_text=part.hint,
                )
            self.fields[f"section-{part.name}"] = field
            self.fields[f"version-{part.name}"] = forms.IntegerField(
                required=False, min_value=0, widget=forms.HiddenInput
            )
            self.fields[f"digest-{part.name}"] = forms.CharField(
                required=False, widget=forms.HiddenInput
            )

    @classmethod
    def initial_for(cls, parts, values: dict, versions: dict) -> dict:
        initial = {}
        for part in parts:
            value = values.get(part.name, [] if part.key == INDICATORS else "")
            initial[f"section-{part.name}"] = value
            initial[f"version-{part.name}"] = versions.get(part.name, 0)
            initial[f"digest-{part.name}"] = digest(value)
        return initial

    def changed_parts(self) -> list[tuple[Part, int, object]]:
        """The parts whose text differs from what the page was drawn with."""
        changed = []
        for part in self.parts:
            if f"section-{part.name}" not in self.data and f"digest-{part.name}" not in self.data:
                continue  # not on the page that posted: nothing to change
            value = self.cleaned_data.get(f"section-{part.name}")
            if value is None:
                continue
            if part.key != INDICATORS:
                value = value.replace("\r\n", "\n")
            if digest(value) == self.cleaned_data.get(f"digest-{part.name}"):
                continue
            changed.append((part, self.cleaned_data.get(f"version-{part.name}") or 0, value))
        return changed

    def rows(self, conflicts: dict):
        """(part, field, version, digest, conflict) in the page's order, for the template."""
        return [
            (
                part,
                self[f"section-{part.name}"],
                self[f"version-{part.name}"],
                self[f"digest-{part.name}"],
                conflicts.get(part.name),
            )
            for part in self.parts
        ]


class ToolScoreForm(EpisodeForm):
    stage = forms.ChoiceField(
        label="When are these scores from?",
        error_messages={"required": "Select when these scores are from"},
        choices=ToolScore.Stage.choices,
        widget=forms.RadioSelect,
    )
    scored_on = DateInputField(name="Date scored", label="Date scored")

    low, high = 0, 10

    def _score_field(self, label, required=True):
        return forms.IntegerField(
            label=label,
            required=required,
            min_value=self.low,
            max_value=self.high,
            widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
            error_messages={
                "required": f"Enter a score for {label}",
                "invalid": f"{label} must be a whole number from {self.low} to {self.high}",
                "min_value": f"{label} must be {self.low} or more",
                "max_value": f"{label} must be {self.high} or less",
            },
        )

    def clean_scored_on(self):
        return self._past_date("scored_on")


class FamilyStarForm(ToolScoreForm):
    low, high = 1, 10

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(plan.family_star_areas)
        for i, area in enumerate(self.areas):
            self.fields[f"area_{i}"] = self._score_field(area)
        self.fields["stage"].choices = [
            (ToolScore.Stage.START, "At assessment"),
            (ToolScore.Stage.CLOSE, "At closure"),
        ]

    def scores(self) -> dict:
        return {area: self.cleaned_data[f"area_{i}"] for i, area in enumerate(self.areas)}


class RickterForm(ToolScoreForm):
    person = forms.ChoiceField(
        label="Whose scores are these?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose scores these are"},
    )

    def __init__(self, *args, plan, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.person_id): m.person for m in members}
        self.fields["person"].choices = [(pk, p.full_name) for pk, p in self.members.items()]
        self.headings = list(plan.rickter_headings)
        for heading in self.headings:
            self.fields[f"score_{heading.id}"] = self._score_field(heading.name)
            self.fields[f"desired_{heading.id}"] = self._score_field(
                f"{heading.name}, desired", required=False
            )
        self.order_fields(["person", "stage", "scored_on"])

    def clean_person(self):
        return self.members[self.cleaned_data["person"]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stage") == ToolScore.Stage.START:
            for heading in self.headings:
                if cleaned.get(f"desired_{heading.id}") is None and not self.has_error(
                    f"desired_{heading.id}"
                ):
                    self.add_error(
                        f"desired_{heading.id}",
                        f"Enter the desired score for {heading.name} (the start needs one)",
                    )
        return cleaned

    def scores(self) -> dict:
        return {h.id: self.cleaned_data[f"score_{h.id}"] for h in self.headings}

    def desired(self) -> dict:
        if self.cleaned_data["stage"] != ToolScore.Stage.START:
            return {}
        return {h.id: self.cleaned_data[f"desired_{h.id}"] for h in self.headings}
