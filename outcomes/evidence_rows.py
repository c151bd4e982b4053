"""Reading evidence rows (from a form, a bulk file or the API) into checked values.

Each problem names its row and field, so a person correcting a file of
thousands of rows knows exactly where to look.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from cases.models import Family, FamilyMember, Person
from outcomes.engine.kinds import EVIDENCE_KINDS, check_values

from .models import Evidence

# PostgreSQL stores no NUL in text or jsonb: refused here, for the form, files and the API alike.
NUL_MESSAGE = "must not contain a null character (\\x00)"
# The words of the rules a row's form on the evidence page can break too: that page shows
# them on its fields, and uses them for its own checks of the same answers.
DATE_MISSING = "Enter a date, like 2026-09-01"
DATE_NOT_REAL = "This is not a real date: enter one like 2026-09-01"
DATE_IN_THE_FUTURE = "The date cannot be in the future"
END_BEFORE_START = "The end must be on or after the start"
SOURCE_MISSING = "Say where the evidence came from"
SOURCE_MAX = 100
SOURCE_TOO_LONG = f"Where it came from must be {SOURCE_MAX} characters or fewer"
# The fields of an evidence row, in the order an evidence file's columns come.
FIELDS = (
    "family",
    "person",
    "kind",
    "period_start",
    "period_end",
    "values",
    "source",
    "external_id",
    "supersedes",
)


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self):
        return f"Row {self.row}, {self.field}: {self.message}"


@dataclass(frozen=True)
class UnreadableRow:
    """A line of a file that could not be read as a row at all; `reason` says why."""

    reason: str


@dataclass(frozen=True)
class EvidenceRow:
    family_id: int
    person_id: int | None
    kind: str
    period_start: date
    period_end: date | None
    values_json: dict
    source: str
    external_id: str
    supersedes_id: int | None

    @property
    def key(self) -> tuple[str, str] | None:
        return (self.source, self.external_id) if self.external_id else None


def read_rows(
    rows: Iterable[dict],
    *,
    families,
    today: date,
    first_row: int = 1,
    require_external_id: bool = False,
) -> Iterator[tuple[int, EvidenceRow | None, list[RowProblem]]]:
    rows = list(rows)
    # A NUL anywhere refuses the row before anything reaches the database with it.
    with_nul = {i: _fields_with_nul(raw) for i, raw in enumerate(rows) if isinstance(raw, dict)}
    lookups = _Lookups([raw for i, raw in enumerate(rows) if not with_nul.get(i)], families)
    for index, raw in enumerate(rows):
        number = first_row + index
        problems: list[RowProblem] = []

        def problem(field: str, message: str, number=number, problems=problems):
            problems.append(RowProblem(number, field, message))

        if isinstance(raw, UnreadableRow):
            problem("row", raw.reason)
            yield number, None, problems
            continue
        if not isinstance(raw, dict):
            problem("row", "expected an object with the evidence's fields")
            yield number, None, problems
            continue
        if with_nul[index]:
            for field in with_nul[index]:
                problem(field, NUL_MESSAGE)
            yield number, None, problems
            continue
        for unknown in sorted(set(raw) - set(FIELDS)):
            problem(unknown, "is not a field of evidence")
        family = lookups.family(raw.get("family"))
        if not _is_name(raw.get("family")):
            problem("family", "give the family's reference, like F0000123, or its id")
        elif family is None:
            problem("family", f"no family {raw.get('family')!r} that you may add evidence to")
        person_id = None
        # A person is judged against the family the row names: with no such family, the
        # family's problem is the whole story.
        if family is not None and raw.get("person") not in (None, ""):
            person_id = lookups.member(family, raw.get("person"))
            if person_id is None:
                problem("person", f"{raw.get('person')!r} is not a member of this family")
        kind_name = raw.get("kind")
        kind = EVIDENCE_KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            problem("kind", f"unknown evidence kind {kind_name!r}")
        start = _date(raw.get("period_start"), "period_start", problem, required=True)
        end = _date(raw.get("period_end"), "period_end", problem, required=False)
        if start and start > today:
            problem("period_start", DATE_IN_THE_FUTURE)
        if start and end and end < start:
            problem("period_end", END_BEFORE_START)
        if kind is not None and kind.dated == "event" and start and end is None:
            end = start  # a point event covers its own day
        values = raw.get("values") or {}
        values_json = {}
        if isinstance(values, str):  # a file's cell that was not JSON
            problem("values", f'{values!r} is not a JSON object, like {{"proven": true}}')
        elif kind is not None:
            typed, values_json = _typed_values(kind, values)
            for message in check_values(kind.name, typed):
                field, _, text = message.partition(": ")
                problem(field, text)
        source = _text(raw.get("source"), "source", problem)
        if source == "":
            problem("source", SOURCE_MISSING)
        elif source is not None and len(source) > SOURCE_MAX:
            problem("source", SOURCE_TOO_LONG)
        external_id = _text(raw.get("external_id"), "external_id", problem)
        if external_id is not None and len(external_id) > 100:
            problem("external_id", "must be 100 characters or fewer")
        elif require_external_id and external_id == "":
            problem("external_id", "give each row its own id, so that a resent file adds nothing")
        supersedes_id = None
        if family is not None and raw.get("supersedes") not in (None, ""):
            supersedes_id, message = lookups.correctable(raw.get("supersedes"), family)
            if message:
                problem("supersedes", message)
        if problems:
            yield number, None, problems
            continue
        yield (
            number,
            EvidenceRow(
                family_id=family.pk,
                person_id=person_id,
                kind=kind.name,
                period_start=start,
                period_end=end,
                values_json=values_json,
                source=source,
                external_id=external_id,
                supersedes_id=supersedes_id,
            ),
            [],
        )


def _text(value, field, problem) -> str | None:
    """The field's text, stripped; None (and a problem) for a list or an object."""
    if isinstance(value, dict | list):
        problem(field, "must be text, not a list or an object")
        return None
    return str(value or "").strip()


def _fields_with_nul(raw: dict) -> list[str]:
    """The fields of a row holding a NUL character anywhere (in a value's keys and text too)."""
    if "\\x00" not in repr(raw):
        # A NUL anywhere in the row shows in its repr as \x00 (as does a backslash written
        # before x00, which the walk below then tells apart): most rows are passed at C speed.
        return []
    return sorted(
        _printable(name) for name, value in raw.items() if _holds_nul(name) or _holds_nul(value)
    )


def _holds_nul(value) -> bool:
    stack = [value]
    while stack:  # a loop, not recursion: values may nest
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _printable(name) -> str:
    """A field's name fit for the report, which is stored (PostgreSQL refuses a NUL)."""
    return str(name).replace("\x00", "\\x00")


def _date(value, field, problem, *, required):
    if value in (None, ""):
        if required:
            problem(field, DATE_MISSING)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problem(field, DATE_NOT_REAL)
        return None


def _typed_values(kind, values) -> tuple[dict, dict]:
    """The values as the engine checks them (dates as dates) and as they are stored (JSON)."""
    if not isinstance(values, dict):
        return values, {}
    typed, stored = {}, {}
    types = dict(kind.required) | dict(kind.optional)
    for key, value in values.items():
        if types.get(key) == "date" and isinstance(value, str):
            try:
                typed[key] = date.fromisoformat(value)
            except ValueError:
                typed[key] = value
        else:
            typed[key] = value
        stored[key] = value.isoformat() if isinstance(value, date) else value
    return typed, stored


class _Lookups:
    """Every family, member and corrected item the rows name, fetched in a few queries."""

    def __init__(self, rows: list, families):
        dicts = [r for r in rows if isinstance(r, dict)]
        names = {r.get("family") for r in dicts if _is_name(r.get("family"))}
        refs = {str(n).upper() for n in names if not _is_int(n)}
        ids = {int(n) for n in names if _is_int(n)}
        base = families if families is not None else Family.objects.all()
        found = list(base.filter(reference__in=refs)) + list(base.filter(pk__in=ids))
        self.families = {f.reference: f for f in found} | {f.pk: f for f in found}
        person_ids = {int(r["person"]) for r in dicts if _is_int(r.get("person"))}
        self.members = set(
            FamilyMember.objects.filter(person_id__in=person_ids).values_list(
                "family_id", "person_id"
            )
        )
        self.survivors = dict(
            Person.objects.filter(pk__in=person_ids, merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        corrected = {int(r["supersedes"]) for r in dicts if _is_int(r.get("supersedes"))}
        self.corrected = {
            e.pk: e
            for e in Evidence.objects.filter(pk__in=corrected).select_related("superseded_by")
        }

    def family(self, name):
        if not _is_name(name):
            return None
        return self.families.get(int(name) if _is_int(name) else str(name).upper())

    def member(self, family, person):
        if family is None or not _is_int(person):
            return None
        person_id = self.survivors.get(int(person), int(person))
        if (family.pk, person_id) in self.members or (family.pk, int(person)) in self.members:
            return person_id
        return None

    def correctable(self, value, family) -> tuple[int | None, str]:
        item = self.corrected.get(int(value)) if _is_int(value) else None
        if item is None or family is None or item.family_id != family.pk:
            # Another family's item answers as a missing one: nothing about it leaks.
            return None, f"no evidence item {value!r} of this family to correct"
        if hasattr(item, "superseded_by"):
            return (
                None,
                f"item {item.pk} has already been corrected by item {item.superseded_by.pk}",
            )
        return item.pk, ""


def _is_int(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.isascii() and value.isdecimal()


def _is_name(value) -> bool:
    """A family named as a reference or an id (not a list, an object or a true/false)."""
    return _is_int(value) or (isinstance(value, str) and value != "")
