"""A national return built as of a date (DOMAIN §10), with its per-row report of what is missing
or invalid.

- Who is in it: each programme family (an `Attachment` on or before the as-of date) whose episode
  was open at some time in the six months ending on that date, and which the maker may see
  through the gate (`families_allowing`). A family attached twice is there once, for its latest
  attachment. The NIS has a row for each member of the household from the start of the episode
  to the as-of date (a child not yet born on that date is not a member yet).
- Nothing is dropped for a missing or invalid value: the row is written with the cell blank, and
  the report says which family, which person, which column and what is wrong.
- Reproducible: rows are sorted by what they say, evidence counts only if it was recorded on or
  before the as-of date (evidence is append-only, so later records cannot change an earlier
  return), and the file carries no time of making. The same as-of date and layout give the same
  bytes for as long as the records they read are not corrected.
- A fixed number of queries, however many families: the layout, the attachments, then either
  the members and their addresses (NIS) or the evidence (FPD).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from cases.gate import families_allowing
from cases.models import Address, FamilyMember
from cases.people.identifiers import (
    normalise_identifier,
    validate_nhs_number,
    validate_ni_number,
    validate_upn,
)
from earlyhelp.access import Action
from outcomes.engine.explain import long_date
from outcomes.engine.kinds import EVIDENCE_KINDS
from outcomes.engine.periods import add_months, age_on
from outcomes.models import Attachment, Evidence

from .indicators import BY_KEY, KINDS
from .layouts import Column, columns_of
from .models import ReturnKind, ReturnLayout

ONE_DAY = timedelta(days=1)
PERIOD_MONTHS = 6
# Who the maker must be able to do this for, for each family in a return: the NIS shows the
# family's members and their identifiers, FPD what the evidence says.
ACTION = {ReturnKind.NIS: Action.VIEW, ReturnKind.FPD: Action.VIEW_EVIDENCE}
SLUG = {ReturnKind.NIS: "national-impact-study", ReturnKind.FPD: "family-progress-data"}

# The shape of a UK postcode, spaces aside (the Royal Mail's outward and inward codes).
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")
_IDENTIFIER_CHECKS = {
    "person.nhs_number": validate_nhs_number,
    "person.ni_number": validate_ni_number,
    "person.upn": validate_upn,
}
_SEX = {"female": "F", "male": "M", "unknown": "U"}
_MISSING_WORDS = {
    "person.first_name": "no first name recorded",
    "person.middle_names": "no middle names recorded",
    "person.last_name": "no last name recorded",
    "person.date_of_birth": "no date of birth recorded",
    "person.sex": "sex recorded as not known",
    "person.postcode": "no postcode recorded",
    "person.nhs_number": "no NHS number recorded",
    "person.upn": "no unique pupil number recorded",
    "person.ni_number": "no National Insurance number recorded",
}


@dataclass(frozen=True)
class Period:
    """The six months a return covers, ending on (and including) its as-of date."""

    starts_on: date
    ends_on: date

    @classmethod
    def ending_on(cls, as_of: date) -> Period:
        # 30 September gives 1 April: six calendar months back from the day after.
        return cls(add_months(as_of + ONE_DAY, -PERIOD_MONTHS), as_of)

    def __str__(self):
        return f"{long_date(self.starts_on)} to {long_date(self.ends_on)}"


@dataclass(frozen=True, order=True)
class Problem:
    """One line of the report: which family, which person (blank for the family), which column,
    and what is wrong in plain words. Ordered as the report lists them."""

    family: str
    person: str
    column_number: int
    column: str
    problem: str
    family_id: int = field(default=0, compare=False)
    person_id: int | None = field(default=None, compare=False)


@dataclass
class NationalReturn:
    kind: str
    period: Period
    layout: ReturnLayout
    header: list[str]
    rows: list[list[str]]
    problems: list[Problem]
    family_ids: list[int]
    # (family, person) of each NIS row
    people: list[tuple[int, int]] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return ReturnKind(self.kind).label

    @property
    def filename(self) -> str:
        p = self.period
        return f"{SLUG[self.kind]}-v{self.layout.version}-{p.starts_on}-to-{p.ends_on}.csv"

    @property
    def families_with_problems(self) -> int:
        return len({p.family for p in self.problems})

    def csv_bytes(self) -> bytes:
        """The file: UTF-8, CRLF line endings (RFC 4180), the header row then the sorted rows."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buffer.getvalue().encode("utf-8")


class NoLayout(Exception):
    pass


def layout_in_use(kind: str) -> ReturnLayout:
    layout = ReturnLayout.objects.filter(kind=kind).order_by("-version").first()
    if layout is None:
        raise NoLayout(f"No {ReturnKind(kind).label} layout has been set up")
    return layout


def national_return(user, *, kind: str, as_of: date) -> NationalReturn:
    """The return of `kind` as of `as_of`, for the families `user` may see, with its report."""
    kind = ReturnKind(kind)
    period = Period.ending_on(as_of)
    layout = layout_in_use(kind)
    columns = columns_of(layout.columns)
    attachments = _attachments(user, kind=kind, period=period)
    build = _nis if kind == ReturnKind.NIS else _fpd
    rows, problems, people = build(attachments, columns, period)
    return NationalReturn(
        kind=kind,
        period=period,
        layout=layout,
        header=[c.header for c in columns],
        rows=sorted(rows),
        problems=sorted(problems),
        family_ids=sorted(a.family_id for a in attachments),
        people=sorted(people),
    )


def _attachments(user, *, kind: str, period: Period) -> list[Attachment]:
    """Each family's latest attachment on or before the as-of date, if its episode was open at
    some time in the period, for the families the user may see."""
    found = (
        Attachment.objects.filter(
            attached_on__lte=period.ends_on,
            family__in=families_allowing(user, ACTION[kind]),
        )
        .filter(Q(episode__ended_on__isnull=True) | Q(episode__ended_on__gte=period.starts_on))
        .select_related("family", "episode", "lead_agency")
        .order_by("family_id", "attached_on", "id")
    )
    if kind == ReturnKind.FPD:
        # Whether anything at all was known of the family before it was attached: without it,
        # every "before" indicator reads No, which the report questions.
        found = found.annotate(
            has_baseline=Exists(
                Evidence.objects.filter(
                    family=OuterRef("family_id"),
                    period_start__lt=OuterRef("attached_on"),
                    recorded_on__lte=period.ends_on,
                )
            )
        )
    latest = {a.family_id: a for a in found}  # in date order, so the latest wins
    return list(latest.values())


def _family_label(family) -> str:
    return f"{family.name} ({family.reference})"


def _common_value(source: str, attachment: Attachment, period: Period):
    if source == "family.reference":
        return attachment.family.reference
    if source == "attachment.attached_on":
        return attachment.attached_on
    if source == "attachment.lead_agency":
        return attachment.lead_agency.name
    if source == "period.starts_on":
        return period.starts_on
    if source == "period.ends_on":
        return period.ends_on
    raise KeyError(source)


def formatted(value, fmt: str) -> str:
    """`value` written in the format `fmt` (layouts.FORMATS); None and "" are blank."""
    if value is None or value == "":
        return "0" if fmt == "count" else ("N" if fmt == "yes_no" else "")
    if fmt == "identifier":
        return normalise_identifier(str(value))
    if fmt == "postcode":
        code = normalise_identifier(str(value))
        return f"{code[:-3]} {code[-3:]}" if len(code) > 3 else code
    if fmt in ("date_iso", "date_uk") and isinstance(value, date):
        return value.isoformat() if fmt == "date_iso" else value.strftime("%d/%m/%Y")
    if fmt == "sex_code":
        return _SEX.get(value, str(value))
    if fmt == "yes_no":
        return "Y" if value else "N"
    if fmt == "count":
        return str(int(value))
    return str(value)


# --- National Impact Study: a row per person ------------------------------------------------


def _members(attachments: list[Attachment], period: Period) -> dict[int, list[FamilyMember]]:
    """Each family's members from the start of its episode to the as-of date, once each."""
    started = {a.family_id: a.episode.started_on for a in attachments}
    memberships = (
        FamilyMember.objects.filter(family_id__in=list(started), person__merged_into__isnull=True)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=period.ends_on))
        .select_related("person")
        .order_by("family_id", "person_id", "-joined_on", "id")
    )
    members: dict[int, dict[int, FamilyMember]] = defaultdict(dict)
    for m in memberships:
        person = m.person
        if m.left_on is not None and m.left_on < started[m.family_id]:
            continue
        if person.date_of_birth is None and (person.expected_date_of_birth or date.max) > (
            period.ends_on
        ):
            continue  # not born on the as-of date
        members[m.family_id].setdefault(m.person_id, m)
    return {family_id: list(by_person.values()) for family_id, by_person in members.items()}


def _postcodes(person_ids: list[int], on: date) -> dict[int, str]:
    """Where each person lived on the date, from their address history."""
    found: dict[int, str] = {}
    addresses = (
        Address.objects.filter(person_id__in=person_ids)
        .filter(Q(moved_in__isnull=True) | Q(moved_in__lte=on))
        .filter(Q(moved_out__isnull=True) | Q(moved_out__gt=on))
        .order_by("person_id", "-moved_in", "-id")
        .values_list("person_id", "postcode")
    )
    for person_id, postcode in addresses:  # the latest move in first
        found.setdefault(person_id, postcode)
    return found


def _applies(required: str, date_of_birth: date | None, on: date) -> bool:
    if required == "always":
        return True
    if required == "optional" or date_of_birth is None:
        return False  # an unknown age is reported under the date of birth
    age = age_on(date_of_birth, on)
    return 4 <= age <= 17 if required == "school_age" else age >= 16


def _invalid(source: str, value: str) -> str | None:
    """Why a recorded value cannot go in the file, or None."""
    check = _IDENTIFIER_CHECKS.get(source)
    if check is not None:
        try:
            check(value)
        except ValidationError as error:
            return error.messages[0]
        return None
    if source == "person.postcode" and not _POSTCODE.fullmatch(normalise_identifier(value)):
        return f"{value} is not a UK postcode"
    return None


def _nis(attachments, columns: list[Column], period: Period):
    members = _members(attachments, period)
    person_ids = [m.person_id for family in members.values() for m in family]
    postcodes = _postcodes(person_ids, period.ends_on)
    rows, problems = [], []
    for attachment in attachments:
        family = attachment.family
        label = _family_label(family)
        if not members.get(family.pk):
            problems.append(
                Problem(
                    label,
                    "",
                    0,
                    "Household",
                    "no member of the household is recorded from the start of the episode to "
                    "the as-of date, so the family has no rows in the file",
                    family.pk,
                )
            )
            continue
        for member in members[family.pk]:
            person = member.person
            postcode = postcodes.get(person.pk) or person.postcode or family.postcode
            row = []
            for number, column in enumerate(columns, 1):
                value = _person_value(column.source, person, member, postcode, attachment, period)
                cell = formatted(value, column.format)
                if column.source.startswith("person."):
                    problem = _person_problem(column, person, value, period)
                    if problem:
                        problems.append(
                            Problem(
                                label,
                                person.full_name,
                                number,
                                column.header,
                                problem,
                                family.pk,
                                person.pk,
                            )
                        )
                        if problem.startswith("not valid"):
                            cell = ""
                row.append(cell)
            rows.append(row)
    people = [(m.family_id, m.person_id) for family in members.values() for m in family]
    return rows, problems, people


def _person_value(source, person, member, postcode, attachment, period):
    if source == "person.postcode":
        return postcode
    if source == "person.role":
        return "child" if member.role == FamilyMember.Role.CHILD else "adult"
    if source.startswith("person."):
        return getattr(person, source.removeprefix("person."))
    return _common_value(source, attachment, period)


def _person_problem(column: Column, person, value, period: Period) -> str | None:
    blank = value in (None, "") or (column.source == "person.sex" and value == "unknown")
    if blank:
        if not _applies(column.required, person.date_of_birth, period.ends_on):
            return None
        words = _MISSING_WORDS.get(column.source, "nothing recorded")
        if column.source == "person.date_of_birth" and person.expected_date_of_birth:
            words += f" (the child was expected on {long_date(person.expected_date_of_birth)})"
        return f"missing: {words}"
    if isinstance(value, str):
        reason = _invalid(column.source, value)
        if reason:
            return f"not valid, so left blank in the file: {reason}"
    return None


# --- Family Progress Data: a row per family -------------------------------------------------


def _windows(attachment: Attachment, period: Period) -> dict[str, tuple[date, date]]:
    attached = attachment.attached_on
    return {
        "before": (add_months(attached, -PERIOD_MONTHS), attached - ONE_DAY),
        "during": (max(attached, period.starts_on), period.ends_on),
    }


def _falls_in(item: dict, starts: date, ends: date) -> bool:
    if EVIDENCE_KINDS[item["kind"]].dated == "spell":
        return item["period_start"] <= ends and (
            item["period_end"] is None or item["period_end"] >= starts
        )
    return starts <= item["period_start"] <= ends


def _evidence(family_ids: list[int], period: Period) -> dict[int, list[dict]]:
    """Each family's indicator evidence as known on the as-of date: recorded by then, and not
    corrected or withdrawn by then (a correction counts in place of what it corrects)."""
    replaced = Evidence.objects.filter(supersedes=OuterRef("pk"), recorded_on__lte=period.ends_on)
    items = (
        Evidence.objects.filter(
            family_id__in=family_ids,
            kind__in=sorted(KINDS),
            recorded_on__lte=period.ends_on,
            period_start__lte=period.ends_on,
        )
        .exclude(Exists(replaced))
        .order_by()
        .values("family_id", "kind", "period_start", "period_end", "values")
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for item in items:
        found[item["family_id"]].append(item)
    return found


def _indicator_count(source: str, items: list[dict], windows) -> int:
    _, key, when = source.split(".")
    indicator = BY_KEY[key]
    starts, ends = windows[when]
    return sum(
        1
        for item in items
        if indicator.matches(item["kind"], item["values"]) and _falls_in(item, starts, ends)
    )


def _fpd(attachments, columns: list[Column], period: Period):
    evidence = _evidence([a.family_id for a in attachments], period)
    wants_baseline = any(c.source.endswith(".before") for c in columns)
    rows, problems = [], []
    for attachment in attachments:
        windows = _windows(attachment, period)
        items = evidence.get(attachment.family_id, [])
        row = []
        for column in columns:
            if column.source.startswith("indicator."):
                value = _indicator_count(column.source, items, windows)
            else:
                value = _common_value(column.source, attachment, period)
            row.append(formatted(value, column.format))
        rows.append(row)
        if wants_baseline and not attachment.has_baseline:
            problems.append(
                Problem(
                    _family_label(attachment.family),
                    "",
                    0,
                    "Before intervention",
                    "nothing was recorded about the family before it was attached on "
                    f"{long_date(attachment.attached_on)}, so every 'before' indicator reads N: "
                    "check its baseline evidence was recorded",
                    attachment.family_id,
                )
            )
    return rows, problems, []
