"""Typing a date into the GOV.UK date input as a person does: day, month, year."""

from datetime import date


def fill_date(page, legend: str, day: date | str) -> None:
    """The three boxes of the date input whose fieldset's legend is `legend`."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
