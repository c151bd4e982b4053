"""The vocabulary a return's layout is written in, and the check of a layout before it is saved.

A layout (`ReturnLayout.columns`) is a list of columns, each
``{"header": …, "source": …, "format": …, "required": …}``:

- `source`: what the column reads (SOURCES for each kind: a family's, an attachment's, a
  person's field, or one FPD indicator before or during the intervention);
- `format`: how the value is written (FORMATS);
- `required`: who must have a value (REQUIRED), else the row is reported, never dropped.

The defaults are `returns/defaults/*.json`, loaded by migration 0002 and described in
returns/LAYOUTS.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .indicators import INDICATORS
from .models import ReturnKind

DEFAULTS = Path(__file__).resolve().parent / "defaults"

_PERSON = {
    "person.first_name": "first name",
    "person.middle_names": "middle names",
    "person.last_name": "last name",
    "person.date_of_birth": "date of birth",
    "person.sex": "sex",
    "person.postcode": "postcode on the as-of date",
    "person.nhs_number": "NHS number",
    "person.upn": "unique pupil number",
    "person.ni_number": "National Insurance number",
    "person.role": "role in the household (child or adult)",
}
_FAMILY = {
    "family.reference": "the family's reference in this service",
    "attachment.attached_on": "the date the family was attached to the programme",
    "attachment.lead_agency": "the lead agency named at attachment",
    "period.starts_on": "the first day of the return's six months",
    "period.ends_on": "the as-of date, the last day of the return's six months",
}
_INDICATORS = {
    f"indicator.{i.key}.{when}": f"{i.label}, {words}"
    for i in INDICATORS
    for when, words in (
        ("before", "in the six months before attachment"),
        ("during", "from attachment (or the period's start) to the as-of date"),
    )
}

# What each kind of return may read: the NIS is a row per person, FPD a row per family.
SOURCES: dict[str, dict[str, str]] = {
    ReturnKind.NIS: {**_FAMILY, **_PERSON},
    ReturnKind.FPD: {**_FAMILY, **_INDICATORS},
}

FORMATS = {
    "text": "as recorded",
    "identifier": "capitals, no spaces (943 476 5919 as 9434765919)",
    "postcode": "capitals, one space before the last three characters (LE1 6ZG)",
    "date_iso": "year-month-day (2025-09-30)",
    "date_uk": "day/month/year (30/09/2025)",
    "sex_code": "F, M or U (not known)",
    "yes_no": "Y or N",
    "count": "a whole number",
}

REQUIRED = {
    "always": "every row",
    "school_age": "children aged 4 to 17 on the as-of date",
    "aged_16_plus": "people aged 16 or over on the as-of date",
    "optional": "no one: blank is fine",
}


@dataclass(frozen=True)
class Column:
    header: str
    source: str
    format: str
    required: str = "optional"


def columns_of(raw: list[dict]) -> list[Column]:
    return [
        Column(c["header"], c["source"], c["format"], c.get("required", "optional")) for c in raw
    ]


def layout_problems(kind: str, raw) -> list[str]:
    """What is wrong with a layout's columns, in plain words (empty: it may be saved)."""
    if not isinstance(raw, list) or not raw:
        return ["The layout must be a list of at least one column"]
    problems = []
    headers = set()
    for number, column in enumerate(raw, 1):
        where = f"Column {number}"
        if not isinstance(column, dict):
            problems.append(f"{where} must be an object with a header, source and format")
            continue
        unknown = set(column) - {"header", "source", "format", "required"}
        if unknown:
            problems.append(
                f"{where} has fields the layout does not use: {', '.join(sorted(unknown))}"
            )
        header = column.get("header")
        if not isinstance(header, str) or not header.strip():
            problems.append(f"{where} needs a header")
        elif header in headers:
            problems.append(f"{where} repeats the header {header!r}")
        else:
            headers.add(header)
        if column.get("source") not in SOURCES[kind]:
            problems.append(
                f"{where} reads {column.get('source')!r}, which this return cannot read"
            )
        if column.get("format") not in FORMATS:
            problems.append(f"{where} has the format {column.get('format')!r}, which is not known")
        if column.get("required", "optional") not in REQUIRED:
            problems.append(f"{where} says required {column.get('required')!r}, which is not known")
    return problems


def default_columns(kind: str) -> list[dict]:
    return json.loads((DEFAULTS / f"{kind}.json").read_text())
