"""The GOV.UK date input: day, month and year in three boxes, one field, and the error messages
the GOV.UK pattern words ("Date must be a real date", "Date must include a month").

Rendered by `templates/includes/date_input.html`; the day box carries the field's own id, so
the error summary's link (`#id_<name>`) lands on it, as the pattern asks.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Three text boxes named `<name>_day`, `<name>_month`, `<name>_year`."""

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in PARTS}, attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if isinstance(value, date) else [None] * 3


class DateInputField(forms.MultiValueField):
    """A date given as day, month and year. `name` is how a message names it ("Date")."""

    widget = DateInputWidget

    def __init__(self, *, name: str = "Date", **kwargs):
        self.name = name
        required = (
            f"Enter {name[0].lower()}{name[1:]}"
            if name.startswith("The ")
            else f"Enter the {name.lower()}"
        )
        kwargs.setdefault("error_messages", {}).setdefault("required", required)
        parts = tuple(forms.CharField(required=False, max_length=4) for _ in PARTS)
        super().__init__(parts, require_all_fields=False, **kwargs)

    def prepare_value(self, value):
        """What the boxes show: a date (a change page's current value) as its day, month and
        year; what was typed as it was typed."""
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return value

    def compress(self, data_list):
        values = [(v or "").strip() for v in (data_list or [""] * 3)]
        if not any(values):
            return None
        missing = [part for part, value in zip(PARTS, values, strict=True) if not value]
        if missing:
            raise ValidationError(f"{self.name} must include a {' and a '.join(missing)}")
        if not all(v.isdigit() for v in values) or len(values[2]) != 4:
            raise ValidationError(f"{self.name} must be a real date")
        day, month, year = (int(v) for v in values)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.name} must be a real date") from None
