"""Forms for evidence, built from the engine's vocabulary of kinds, and for plan versions."""

import json
from datetime import date

from django import forms

from earlyhelp import json_input
from earlyhelp.date_input import DateInputField, date_missing
from earlyhelp.manage_forms import GovukMessagesMixin
from outcomes.engine.kinds import EVIDENCE_KINDS

from . import evidence_rows
from .models import SchoolTerm
from .wording import choice_words, key_words


def kind_choices(plan) -> list[tuple[str, str]]:
    """Every kind, labelled with the headline problem whose rules read it first."""
    problem_of: dict[str, str] = {}
    for problem in plan.headline_problems if plan else ():
        for rule in (*problem.indicators, *problem.outcomes):
            for kind in rule.evidence_kinds:
                problem_of.setdefault(kind, problem.name)
    labelled = [
        (name, f"{problem_of.get(name, 'Any problem')}: {kind.description.rstrip('.')}")
        for name, kind in EVIDENCE_KINDS.items()
        if name != "retraction"
    ]
    return sorted(labelled, key=lambda choice: choice[1])


class EvidenceKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of evidence is it?",
        error_messages={"required": "Select what kind of evidence it is"},
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Select a kind"), *kind_choices(plan)]


class EvidenceForm(GovukMessagesMixin, forms.Form):
    """The fields one kind of evidence needs: who, when, its values, and where it came from.

    The form checks their shape; the rules of a row (a date not in the future, an end not
    before the start, a member of the family) are `evidence_import`'s, which the page shows
    on these fields, in the same words as a file's report and the API.
    """

    def __init__(self, *args, kind: str, members, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = EVIDENCE_KINDS[kind]
        self.fields["person"] = forms.ChoiceField(
            label="Who is it about?",
            choices=[("", "The whole family"), *((str(p.pk), str(p)) for p in members)],
            required=False,
        )
        if self.kind.dated == "term":
            terms = SchoolTerm.objects.filter(starts_on__lte=date.today()).order_by("-starts_on")
            self.fields["value_term"] = forms.ChoiceField(
                label="School term", choices=[(t.engine_name, str(t)) for t in terms[:15]]
            )
        else:
            spell = self.kind.dated == "spell"
            self.fields["period_start"] = DateInputField(
                name="The date it started" if spell else "The date it happened",
                label="When did it start?" if spell else "When did it happen?",
            )
            if spell:
                self.fields["period_end"] = DateInputField(
                    name="The date it ended",
                    label="When did it end?",
                    required=False,
                    help_text="Leave empty while it continues.",
                )
        types = [(key, t, True) for key, t in self.kind.required]
        types += [(key, t, False) for key, t in self.kind.optional]
        for key, value_type, required in types:
            if key == "term" and self.kind.dated == "term":
                continue
            self.fields[f"value_{key}"] = _value_field(key, value_type, required)
        self.fields["source"] = forms.CharField(
            label="Where did it come from?",
            max_length=evidence_rows.SOURCE_MAX,
            help_text="For example: your own assessment, the school, police, DWP.",
        )
        for name, value in (initial_values or {}).items():
            if f"value_{name}" in self.fields:
                self.initial.setdefault(f"value_{name}", value)
        self._set_messages()

    def _set_messages(self):
        for field in self.fields.values():
            label = str(field.label).rstrip("?").lower()
            field.error_messages["invalid"] = f"Enter a real {label}"
            if isinstance(field, DateInputField):
                field.error_messages["required"] = date_missing(field.name)
                continue
            if isinstance(field, forms.ChoiceField | forms.TypedChoiceField):
                field.error_messages["required"] = f"Select {label}"
            else:
                field.error_messages["required"] = f"Enter {label}"
        self.fields["source"].error_messages.update(
            required=evidence_rows.SOURCE_MISSING, max_length=evidence_rows.SOURCE_TOO_LONG
        )

    def show_problems(self, problems) -> None:
        """`evidence_import`'s problems with the row, each on the field it names."""
        for problem in problems:
            name = problem.field
            if name.startswith("values."):
                name = "value_" + name.removeprefix("values.")
            if name in self.fields:
                self.add_error(name, problem.message)
            else:
                self.add_error(None, f"{problem.field}: {problem.message}")

    def as_row(self, *, family) -> dict:
        data = self.cleaned_data
        values = {}
        for name, value in data.items():
            if name.startswith("value_") and value not in (None, ""):
                values[name.removeprefix("value_")] = (
                    value.isoformat() if isinstance(value, date) else value
                )
        row = {
            "family": family.pk,
            "person": data.get("person") or None,
            "kind": self.kind.name,
            "values": values,
            "source": data["source"],
        }
        if self.kind.dated == "term":
            year, name = values["term"].split()
            term = SchoolTerm.objects.get(starts_on__year=int(year), name=name)  # engine_name
            row["period_start"], row["period_end"] = term.starts_on, term.ends_on
        else:
            row["period_start"] = data["period_start"]
            row["period_end"] = data.get("period_end")
        return row


def _value_field(key: str, value_type, required: bool) -> forms.Field:
    label = key_words(key)
    if isinstance(value_type, tuple):
        return forms.ChoiceField(
            label=label,
            choices=[(v, choice_words(v)) for v in value_type],
            widget=forms.RadioSelect,
            required=required,
        )
    if value_type == "bool":
        return forms.TypedChoiceField(
            label=label,
            choices=[("true", "Yes"), ("false", "No")],
            coerce=lambda v: v == "true",
            widget=forms.RadioSelect,
            required=required,
        )
    if value_type == "count":
        return forms.IntegerField(label=label, min_value=0, required=required)
    if value_type == "number":
        return forms.FloatField(label=label, min_value=0, required=required)
    if value_type == "date":
        return DateInputField(name=label, label=label, required=required)
    return forms.CharField(label=label, max_length=200, required=required)


class PlanDefinitionForm(forms.Form):
    definition = forms.CharField(
        label="The plan, as JSON",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        max_length=1_000_000,
        help_text="Headline problems, indicators, outcomes, thresholds, windows, payments and "
        "claim windows. The format is described in outcomes/engine/FORMAT.md.",
        error_messages={
            "required": "Enter the plan",
            "max_length": "The plan must be 1,000,000 characters or fewer",
        },
    )

    def clean_definition(self):
        try:
            value = json_input.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The plan is not valid JSON: {error.msg} at line {error.lineno}"
            ) from error
        except ValueError as error:  # nested too deep, NaN or Infinity
            raise forms.ValidationError(f"The plan is not valid JSON: {error}") from error
        if not isinstance(value, dict):
            raise forms.ValidationError("The plan must be a JSON object")
        return value


class PublishForm(GovukMessagesMixin, forms.Form):
    effective_from = DateInputField(name="Date it takes effect", label="Date it takes effect")
