"""The choice of return and its as-of date, entered with the GOV.UK date input (day, month,
year: the pattern's own error messages), and a layout's new version."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from earlyhelp.date_input import DateInputField
from earlyhelp.limits import TEXT_MAX, too_long

from .layouts import layout_problems
from .models import ReturnKind


class ReturnForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which return",
        choices=ReturnKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which return to make"},
    )
    as_of = DateInputField(
        label="As of",
        name="The date the return is as of",
        help_text="The last day of the six months the return covers, for example 30 9 2025",
    )

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("The date the return is as of must be today or in the past")
        return as_of


class LayoutForm(forms.Form):
    columns = forms.CharField(
        label="Columns",
        widget=forms.Textarea(attrs={"rows": 20, "class": "govuk-!-font-family-monospace"}),
        help_text="One object a column, in the file's order: header, source, format, required.",
        max_length=100_000,
        error_messages={
            "required": "Enter the layout's columns",
            "max_length": "The columns must be 100,000 characters or fewer",
        },
    )
    note = forms.CharField(
        label="What changed and why",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        error_messages={
            "required": "Say what changed and why",
            "max_length": too_long("What changed and why"),
        },
    )

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def clean_columns(self):
        try:
            columns = json.loads(self.cleaned_data["columns"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The columns are not valid JSON (line {error.lineno}): {error.msg}"
            ) from None
        problems = layout_problems(self.kind, columns)
        if problems:
            raise forms.ValidationError(problems)
        return columns
