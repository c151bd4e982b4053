"""Claim windows and amounts from the programme years (DOMAIN §12).

A snapshot built by the service carries the programme years: each year's claim windows, its
attachment fee and its results payment. A claim is paid at the rate of the year it is made in,
an attachment at the rate of the year the family is attached in; a family not yet attached or
not yet claimed is quoted the rate of the year of the as-of date. A snapshot without programme
years (the command line's, the plan's own examples) takes the plan's own windows and amounts.
"""

from __future__ import annotations

from datetime import date

from .plan import Plan
from .snapshot import FamilySnapshot, ProgrammeYear


def year_of(years: tuple[ProgrammeYear, ...], on: date) -> ProgrammeYear | None:
    for year in years:
        if year.starts_on <= on <= year.ends_on:
            return year
    return None


def attachment_fee(snapshot: FamilySnapshot, plan: Plan, on: date) -> int:
    """The fee counted for a family attached on `on` (0 in a date no programme year covers)."""
    if not snapshot.programme_years:
        return plan.payments["attachment_fee"]
    year = year_of(snapshot.programme_years, on)
    return year.attachment_fee if year is not None else 0


def results_payment(snapshot: FamilySnapshot, plan: Plan, on: date) -> int:
    """The payment for a results claim made on `on` (0 in a date no programme year covers)."""
    if not snapshot.programme_years:
        return plan.payments["results_payment"]
    year = year_of(snapshot.programme_years, on)
    return year.results_payment if year is not None else 0


def claim_windows(snapshot: FamilySnapshot, plan: Plan) -> tuple:
    """Every claim window in date order: the programme years' where the snapshot has them."""
    years = snapshot.programme_years
    if not years:
        return plan.claim_windows
    cached = plan.cache.get("years.windows")
    if cached is not None and cached[0] is years:  # one shared tuple for a whole run
        return cached[1]
    windows = tuple(sorted((w for y in years for w in y.claim_windows), key=lambda w: w.opens))
    plan.cache["years.windows"] = (years, windows)
    return windows
