"""The choice of return and its as-of date, entered with the GOV.UK date input (day, month,
year: the pattern's own error messages), and a layout's new version."""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.utils import timezone

from .layouts import layout_problems
from .models import ReturnKind


class DateParts(forms.MultiWidget):
    """Three boxes named `<field>_day`, `<field>_month`, `<field>_year`."""

    # Rendered by templates/returns/_date_input.html, the GOV.UK component, not by Django.

    def __init__(self):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()])
        self.widgets_names = ["_day", "_month", "_year"]

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]


class GovukDateField(forms.Field):
    widget = DateParts
    parts = ("day", "month", "year")

    def __init__(self, *, subject: str, **kwargs):
        self.subject = subject
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, date):
            return value
        given = [str(v or "").strip() for v in (value or ["", "", ""])]
        if not any(given):
            raise forms.ValidationError(f"Enter {self.subject}", code="required")
        missing = [name for name, v in zip(self.parts, given, strict=True) if not v]
        if missing:
            raise forms.ValidationError(
                f"{self.subject.capitalize()} must include a {' and '.join(missing)}",
                code="incomplete",
            )
        try:
            day, month, year = (int(v) for v in given)
            if year < 1000:
                raise ValueError
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                f"{self.subject.capitalize()} must be a real date", code="invalid"
            ) from None


class ReturnForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which return",
        choices=ReturnKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which return to make"},
    )
    as_of = GovukDateField(
        label="As of",
        subject="the date the return is as of",
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
        error_messages={"required": "Enter the layout's columns"},
    )
    note = forms.CharField(
        label="What changed and why",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what changed and why"},
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
