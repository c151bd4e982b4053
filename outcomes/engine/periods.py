"""Periods of time as the outcomes plan states them ("6 months", "26 weeks", "3 terms").

The plan is read by people, so periods are stored in the unit the source document uses rather
than converted to days: "6 months" after 31 August is 28 February, which no fixed number of days
gets right. School terms cannot be added to a date (their dates are data in the snapshot), so a
`terms` period is only ever counted, never added.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta

UNITS = ("days", "weeks", "months", "terms")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Period:
    unit: str
    count: int

    @classmethod
    def from_dict(cls, d: object, *, where: str) -> Period:
        if not isinstance(d, dict) or len(d) != 1:
            raise PeriodError(f"{where}: expected one of {{{', '.join(UNITS)}: N}}, got {d!r}")
        ((unit, count),) = d.items()
        if unit not in UNITS:
            raise PeriodError(f"{where}: unknown unit {unit!r}; use one of {', '.join(UNITS)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise PeriodError(f"{where}: {unit} must be a whole number ≥ 0, got {count!r}")
        return cls(unit, count)

    def to_dict(self) -> dict:
        return {self.unit: self.count}

    def after(self, start: date) -> date:
        """The date this period after `start` ends: `start` + 6 months, + 26 weeks, …"""
        unit = self.unit
        if unit == "months":  # the plan's usual unit, so tried first
            return add_months(start, self.count)
        if unit == "days":
            return start + timedelta(days=self.count)
        if unit == "weeks":
            return start + timedelta(weeks=self.count)
        raise PeriodError(f"{self.describe()} cannot be added to a date: terms are counted")

    def before(self, end: date) -> date:
        """The date this period before `end` starts (the start of a look-back window)."""
        unit = self.unit
        if unit == "months":
            return add_months(end, -self.count)
        if unit == "days":
            return end - timedelta(days=self.count)
        if unit == "weeks":
            return end - timedelta(weeks=self.count)
        raise PeriodError(f"{self.describe()} cannot be taken from a date: terms are counted")

    def describe(self) -> str:
        word = self.unit if self.count != 1 else self.unit[:-1]
        return f"{self.count} {word}"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: date, months: int) -> date:
    """Calendar months; the 31st becomes the last day of a shorter month (31 Aug + 6 = 28 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    day = d.day
    if day > 28:  # only the 29th to 31st can overrun a month (calendar.monthrange is slower)
        last = 29 if month == 1 and calendar.isleap(year) else _MONTH_DAYS[month]
        day = min(day, last)
    return date(year, month + 1, day)


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a date (a 29 February birthday turns over on 1 March)."""
    years = on.year - date_of_birth.year
    month, born_in = on.month, date_of_birth.month
    if month < born_in or (month == born_in and on.day < date_of_birth.day):
        years -= 1  # the birthday is still to come that year
    return years


def age_on_31_august_before(date_of_birth: date, on: date) -> int:
    """`age_on(date_of_birth, academic_year_start(on) - ONE_DAY)` without making either date:
    on 31 August only a birthday in September to December is still to come that year."""
    year = on.year if on.month >= 9 else on.year - 1
    if year < 1:
        academic_year_start(on)  # raises, as making that date would
    return year - date_of_birth.year - (date_of_birth.month > 8)


def birthday(date_of_birth: date, years: int) -> date | None:
    """The day a person turns `years` old, as `age_on` counts (a 29 February birthday turns
    over on 1 March); None beyond the calendar."""
    year = date_of_birth.year + years
    if not MINYEAR <= year <= MAXYEAR:
        return None
    if date_of_birth.month == 2 and date_of_birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date_of_birth.replace(year=year)


def academic_year_ahead(on: date, years: int) -> date | None:
    """The 1 September `years` school years after the one under way on `on`: each 1 September
    every pupil's age on 31 August (`age_on_31_august_before`) goes up by one."""
    year = (on.year if on.month >= 9 else on.year - 1) + years
    return date(year, 9, 1) if year <= MAXYEAR else None


def academic_year_start(on: date) -> date:
    """The 1 September on or before `on`: English year groups are fixed by age on 31 August."""
    year = on.year if on.month >= 9 else on.year - 1
    return date(year, 9, 1)


ONE_DAY = timedelta(days=1)


class _IsoDates(dict):
    """date → its ISO text (`ISO[d] == d.isoformat()`), each worked out once.

    Explanations name a date in most notes, and `date.isoformat` formats through printf, some
    fifteen times the cost of a dictionary lookup; the dates a nightly run meets are a few
    thousand days, so their texts are kept (and dropped, should odd input ever pile them up).
    """

    __slots__ = ()

    def __missing__(self, day: date) -> str:
        if len(self) > 50_000:
            self.clear()
        text = self[day] = day.isoformat()
        return text


ISO = _IsoDates()
