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


def date_missing(name: str) -> str:
    """GOV.UK's message for a date left empty: "Enter the date of the review"."""
    if name.startswith("The "):
        return f"Enter {name[0].lower()}{name[1:]}"
    return f"Enter the {name[0].lower()}{name[1:]}"


def date_not_real(name: str) -> str:
    return f"{name} must be a real date"


class DateInputWidget(forms.MultiWidget):
    """Three text boxes named `<name>_day`, `<name>_month`, `<name>_year`."""

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in PARTS}, attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if isinstance(value, date) else [None] * 3


class DateInputField(forms.MultiValueField):
    """A date given as day, month and year. `name` is how a message names it ("Date")."""

    widget = DateInputWidget

    def __init__(self, *, name: str | None = None, **kwargs):
        # How messages name it: the label unless told ("The date it is due by" for "By when").
        self.name = name or str(kwargs.get("label") or "Date")
        kwargs.setdefault("error_messages", {}).setdefault("required", date_missing(self.name))
        parts = tuple(forms.CharField(required=False) for _ in PARTS)
        super().__init__(parts, require_all_fields=False, **kwargs)

    def prepare_value(self, value):
        """What the boxes show: a date (a change page's current value) as its day, month and
        year; what was typed as it was typed."""
        if isinstance(value, str):  # a date kept as text, "2026-05-04"
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return [value, "", ""]
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
        if not all(v.isdigit() and len(v) <= 4 for v in values) or len(values[2]) != 4:
            raise ValidationError(date_not_real(self.name))
        day, month, year = (int(v) for v in values)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(date_not_real(self.name)) from None


def as_typed(name: str, value: date | str | None) -> dict[str, str]:
    """The three boxes a person fills in for `value`, as a form posts them: a date as its day,
    month and year; "2026-02-30" as "30", "02" and "2026" (so an impossible date is typed as
    one); anything else in the day box. The simulation and the tests post dates this way."""
    if value is None or value == "":
        return {f"{name}_{part}": "" for part in PARTS}
    if isinstance(value, date):
        return {
            f"{name}_day": str(value.day),
            f"{name}_month": str(value.month),
            f"{name}_year": str(value.year),
        }
    year, _, rest = str(value).partition("-")
    month, _, day = rest.partition("-")
    if year.isdigit() and month and day:
        return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}
    return {f"{name}_day": str(value), f"{name}_month": "", f"{name}_year": ""}
