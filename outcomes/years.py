"""Programme years: what the engine, the claim batches and the reports read of them, and the one
way pages change them (DOMAIN §12, issue 17).

Every change goes through a function here, so its rules hold wherever it is made: a claim window
lies inside its programme year and overlaps no other; a funding line is one per stream (other
contributions one per contributor); a school term follows the one before it. The history of each
change (who, when, what) is kept by django-pghistory; the request's user is its context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.models import User

from .models import (
    ClaimBatch,
    FundingLine,
    FundingStream,
    ProgrammeClaimWindow,
    ProgrammeYear,
    SchoolTerm,
)


def year_of(day: date) -> ProgrammeYear | None:
    return ProgrammeYear.objects.filter(starts_in=ProgrammeYear.starting_in_year_of(day)).first()


def claim_windows(on: date) -> list[ProgrammeClaimWindow]:
    """The windows a batch may be built in on `on`: those of the current programme year and the
    previous one (issue 17) that have opened by then (a claim is never submitted in the
    future), earliest first."""
    starts_in = ProgrammeYear.starting_in_year_of(on)
    return list(
        ProgrammeClaimWindow.objects.filter(
            year__starts_in__in=[starts_in - 1, starts_in], opens__lte=on
        )
        .select_related("year")
        .order_by("opens")
    )


def audit_sample_percent(on: date) -> int:
    """The internal-audit sample percentage of the programme year of `on` (DOMAIN §8: "at
    least 10%, configurable"); 10 in a year the council has not set up."""
    year = year_of(on)
    return year.audit_sample_percent if year is not None else 10


# DOMAIN §8: "Internal audit verifies a representative sample (at least 10%, configurable)".
MINIMUM_AUDIT_SAMPLE = 10

# --- changes --------------------------------------------------------------------------------


@transaction.atomic
def year_create(*, starts_in: int) -> ProgrammeYear:
    """A new programme year, with the amounts of the year before it (or the seed's)."""
    if ProgrammeYear.objects.filter(starts_in=starts_in).exists():
        raise ValidationError({"starts_in": f"The year {starts_in} to {starts_in + 1} is set up"})
    before = ProgrammeYear.objects.filter(starts_in__lt=starts_in).order_by("-starts_in").first()
    year = ProgrammeYear.objects.create(
        starts_in=starts_in,
        audit_sample_percent=before.audit_sample_percent if before else 10,
    )
    amounts = {FundingStream.ATTACHMENT_FEE: 1000, FundingStream.RESULTS_PAYMENT: 800}
    if before is not None:
        for line in before.funding.filter(stream__in=list(amounts)):
            amounts[line.stream] = line.amount
    FundingLine.objects.bulk_create(
        FundingLine(year=year, stream=stream, amount=amount) for stream, amount in amounts.items()
    )
    return year


@transaction.atomic
def year_update(year: ProgrammeYear, *, attachment_target: int, audit_sample_percent: int):
    errors = {}
    if attachment_target < 0:
        errors["attachment_target"] = "The attachment target must be 0 or more"
    if not MINIMUM_AUDIT_SAMPLE <= audit_sample_percent <= 100:
        errors["audit_sample_percent"] = (
            f"The audit sample must be between {MINIMUM_AUDIT_SAMPLE}% and 100%"
        )
    if errors:
        raise ValidationError(errors)
    year.attachment_target = attachment_target
    year.audit_sample_percent = audit_sample_percent
    year.save(update_fields=["attachment_target", "audit_sample_percent"])
    return year


@transaction.atomic
def window_save(
    year: ProgrammeYear, *, opens: date, closes: date, window: ProgrammeClaimWindow | None = None
) -> ProgrammeClaimWindow:
    """Add a claim window to `year`, or change `window`."""
    errors = {}
    if closes < opens:
        errors["closes"] = "The date the window closes must be the same as or after it opens"
    for field, day in (("opens", opens), ("closes", closes)):
        if field not in errors and not year.starts_on <= day <= year.ends_on:
            errors[field] = (
                f"The date must be in the programme year, from {year.starts_on:%-d %B %Y} "
                f"to {year.ends_on:%-d %B %Y}"
            )
    if window is not None and not errors:
        _refuse_if_claimed_in(window, "changed")
    if not errors:
        others = ProgrammeClaimWindow.objects.select_for_update().filter(
            opens__lte=closes, closes__gte=opens
        )
        if window is not None:
            others = others.exclude(pk=window.pk)
        clash = others.first()
        if clash is not None:
            errors["opens"] = f"The window overlaps the window from {clash}"
    if errors:
        raise ValidationError(errors)
    if window is None:
        window = ProgrammeClaimWindow(year=year)
    window.opens, window.closes = opens, closes
    window.save()
    return window


def _refuse_if_claimed_in(window: ProgrammeClaimWindow, done: str) -> None:
    """A window a batch was submitted in stays as it was: the batch names it."""
    batch = (
        ClaimBatch.objects.filter(window_opens=window.opens, window_closes=window.closes)
        .order_by("submitted_on")
        .first()
    )
    if batch is not None:
        raise ValidationError(
            f"Claims were submitted in this window on {batch.submitted_on:%-d %B %Y} "
            f"(batch “{batch.name}”), so it cannot be {done}"
        )


@transaction.atomic
def window_remove(window: ProgrammeClaimWindow) -> None:
    _refuse_if_claimed_in(window, "removed")
    window.delete()


@transaction.atomic
def funding_save(
    year: ProgrammeYear,
    *,
    stream: str,
    name: str,
    amount: int,
    line: FundingLine | None = None,
) -> FundingLine:
    """Add a funding line to `year`, or change `line`."""
    name = name.strip()
    errors = {}
    if stream not in FundingStream.values:
        errors["stream"] = "Select the funding stream"
    elif stream == FundingStream.OTHER and not name:
        errors["name"] = "Enter who the contribution comes from"
    elif stream != FundingStream.OTHER:
        name = ""
    if amount is None or amount < 0:
        errors["amount"] = "The amount must be £0 or more"
    if not errors:
        same = FundingLine.objects.filter(year=year, stream=stream, name=name)
        if line is not None:
            same = same.exclude(pk=line.pk)
        if same.exists():
            what = name or FundingStream(stream).label.lower()
            errors["stream"] = f"The year already has a line for {what}: change that one"
    if errors:
        raise ValidationError(errors)
    if line is None:
        line = FundingLine(year=year)
    line.stream, line.name, line.amount = stream, name, amount
    line.save()
    return line


def funding_remove(line: FundingLine) -> None:
    line.delete()


@transaction.atomic
def school_term_save(
    *, academic_year: int, name: str, starts_on: date, ends_on: date, term=None
) -> SchoolTerm:
    """Add a school term, or correct one's dates. "The last three consecutive terms" counts
    these, so terms may not overlap."""
    errors = {}
    if name not in SchoolTerm.Name.values:
        errors["name"] = "Select the term"
    if ends_on <= starts_on:
        errors["ends_on"] = "The date the term ends must be after the date it starts"
    if not errors:
        same = SchoolTerm.objects.filter(academic_year=academic_year, name=name)
        overlapping = SchoolTerm.objects.select_for_update().filter(
            starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if term is not None:
            same, overlapping = same.exclude(pk=term.pk), overlapping.exclude(pk=term.pk)
        if same.exists():
            errors["name"] = "That term is already set up: change its dates instead"
        elif (clash := overlapping.first()) is not None:
            errors["starts_on"] = f"The term overlaps the {clash} term"
    if errors:
        raise ValidationError(errors)
    if term is None:
        term = SchoolTerm()
    term.academic_year, term.name = academic_year, name
    term.starts_on, term.ends_on = starts_on, ends_on
    term.save()
    return term


# --- history --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    at: object  # datetime
    by: object  # User or None (a migration, a command)
    what: str


def _described(events, name_of, fields) -> list[tuple]:
    """(event, sentence) for each event, comparing each with the one before it of the same
    object: "added", "removed", or what changed from what to what."""
    before: dict = {}
    out = []
    for e in events:
        label = name_of(e)
        if e.pgh_label == "insert":
            text = f"{label} added"
        elif e.pgh_label == "delete":
            text = f"{label} removed"
        else:
            old = before.get(e.pgh_obj_id)
            parts = [
                f"{title} changed from {show(getattr(old, f))} to {show(getattr(e, f))}"
                for f, title, show in fields
                if old is not None and getattr(old, f) != getattr(e, f)
            ]
            if old is None:  # set before its history was kept: say what it is now
                parts = [f"{title} now {show(getattr(e, f))}" for f, title, show in fields]
            text = f"{label}: " + ("; ".join(parts) if parts else "saved with no change")
        before[e.pgh_obj_id] = e
        out.append((e, text))
    return out


def _pounds(amount) -> str:
    return f"£{amount:,}"


def _day(day) -> str:
    return f"{day:%-d %B %Y}"


def year_history(year: ProgrammeYear) -> list[Change]:
    """Every change to a programme year, its windows and its funding, newest first, with who
    made it (kept by pghistory, so deleted windows and lines are still in it)."""
    year_events = ProgrammeYear.pgh_event_model.objects.filter(pgh_obj_id=year.pk)
    window_events = ProgrammeClaimWindow.pgh_event_model.objects.filter(year_id=year.pk)
    line_events = FundingLine.pgh_event_model.objects.filter(year_id=year.pk)
    described = _described(
        year_events.select_related("pgh_context").order_by("pgh_id"),
        lambda e: f"Programme year {e.starts_in} to {e.starts_in + 1}",
        [
            ("attachment_target", "attachment target", str),
            ("audit_sample_percent", "audit sample", lambda v: f"{v}%"),
        ],
    )
    described += _described(
        window_events.select_related("pgh_context").order_by("pgh_id"),
        lambda e: f"Claim window {_day(e.opens)} to {_day(e.closes)}",
        [("opens", "opening date", _day), ("closes", "closing date", _day)],
    )
    described += _described(
        line_events.select_related("pgh_context").order_by("pgh_id"),
        lambda e: e.name or FundingStream(e.stream).label,
        [("amount", "amount", _pounds), ("name", "name", str)],
    )
    return _with_people(described)


def terms_history() -> list[Change]:
    events = SchoolTerm.pgh_event_model.objects.select_related("pgh_context").order_by("pgh_id")
    described = _described(
        events,
        lambda e: (
            f"{SchoolTerm.Name(e.name).label} term {e.academic_year} to {e.academic_year + 1}"
        ),
        [("starts_on", "start", _day), ("ends_on", "end", _day)],
    )
    return _with_people(described)


def _with_people(described) -> list[Change]:
    ids = {(e.pgh_context.metadata or {}).get("user") for e, _ in described if e.pgh_context_id} - {
        None
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    # Newest first; changes made in one transaction share its time, so the order made breaks ties.
    described.sort(key=lambda pair: (pair[0].pgh_created_at, pair[0].pgh_id), reverse=True)
    return [
        Change(
            e.pgh_created_at,
            users.get((e.pgh_context.metadata or {}).get("user")) if e.pgh_context_id else None,
            text,
        )
        for e, text in described
    ]
