"""The programme's finance reports (DOMAIN §8 "Finance view", §12; seed 002 §3.1.9 Table 1 and
§4 Tables 5 and 6): funding by year and stream with the projection of results claims, attachments
and claims by delivery partner, families not claimable by reason, and attachments against the
year's target month by month.

Each report counts in SQL, grouped by programme year, partner or month, so it runs the same few
queries whatever the number of families. Every attachment counts: a family attached again in a
later episode is a new attachment, with its own fee and its own results claim (DOMAIN §8: "one
results claim per attachment").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.dashboards.selectors import Table
from outcomes.engine.results import REASON_TEXT
from outcomes.models import (
    ClaimStatus,
    FamilyResult,
    FundingLine,
    FundingStream,
    ProgrammeYear,
)

from .registry import report
from .scope import Scope, programme_year_of

# The reasons a family is not claimable, in DOMAIN §8's order.
NOT_CLAIMABLE_REASONS = [
    "outcomes_not_met",
    "work_outcome_not_met",
    "moved_out_of_area",
    "disengaged",
    "no_assessment_or_action_plan",
    "ineligible",
    "other",
]


class Pounds(int):
    """A sum of money in whole pounds: a number to the chart, "£1,234" to the page and CSV."""

    def __str__(self) -> str:
        return f"£{int(self):,}"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _today(scope: Scope) -> date:
    return scope.today or timezone.localdate()


# --- Funding by year and stream (seed 002 Table 1) -------------------------------------------


@report(
    "funding",
    "Funding by year and stream",
    "Income by programme year: the service transformation grant, attachment fees, payment by "
    "results and other contributions, and the results claims projected to the end of the "
    "current programme year at the claim rate so far (the programme evaluation's Table 1).",
)
def funding(scope: Scope) -> list[Table]:
    today = _today(scope)
    years = {y.starts_in: y for y in ProgrammeYear.objects.all()}
    lines: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in FundingLine.objects.values("year__starts_in", "stream").annotate(
        amount=Sum("amount")
    ):
        lines[line["year__starts_in"]][line["stream"]] = line["amount"]
    # Every year's, not only the chosen year's: the projection needs the whole cohort so far.
    # One pass over the attachments and their claims, grouped by the year of each, so the
    # reader's families are found once (the gate is most of the cost at 50,000 families).
    attached: dict[int, int] = defaultdict(int)
    claims: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    claimed = Q(claim__claimed_on__lte=today)
    for attached_in, claimed_in, n, claimed_n, paid in (
        scope.attachments()
        .filter(attached_on__lte=today)
        .values_list(programme_year_of("attached_on"), programme_year_of("claim__claimed_on"))
        .annotate(
            n=Count("pk"),
            claims=Count("claim", filter=claimed),
            paid=Sum("claim__results_payment", filter=claimed),
        )
        .order_by()
    ):
        attached[attached_in] += n
        if claimed_n:
            claims[claimed_in][0] += claimed_n
            claims[claimed_in][1] += paid
    return [
        _funding_table(scope, years, lines, attached, claims),
        _projection_table(scope, today, years, lines, attached, claims),
    ]


def _funding_table(scope, years, lines, attached, claims) -> Table:
    table = Table(
        key="funding",
        caption="Funding by programme year and stream",
        headers=[
            "Programme year",
            "Service transformation grant",
            "Attachment fees (families attached)",
            "Attachment fees against the target",
            "Payment by results",
            "Other contributions",
            "Total",
        ],
        numeric={1, 2, 3, 4, 5, 6},
        chart_column=6,
        note=(
            "Income to date. Attachment fees (families attached) are the year's fee for each "
            "family attached in the year, and are what the total counts; attachment fees "
            "against the target are the year's fee times its attachment target, the annual "
            "payment the programme evaluation's Table 1 records, shown beside them and not "
            "added to the total. "
            "Payment by results is the results payments of the claims made in the year. The "
            "grant, other contributions and the target are the council's whole amounts for the "
            "year: they are shown only for the whole programme (no partner or locality chosen, "
            "read by the programme team), and the total is then theirs too; otherwise the total "
            "is the fees for the families attached and the results payments, which are cut by "
            "delivery partner, locality and the families you may see."
        ),
    )
    shown = [scope.year.starts_in] if scope.year else sorted(years)
    for starts_in in shown:
        year, line = years[starts_in], lines[starts_in]
        grant = line[FundingStream.TRANSFORMATION_GRANT]
        fees = line[FundingStream.ATTACHMENT_FEE] * attached.get(starts_in, 0)
        fees_target = line[FundingStream.ATTACHMENT_FEE] * year.attachment_target
        results = claims.get(starts_in, (0, 0))[1]
        other = line[FundingStream.OTHER]
        if scope.year is None and not (grant or fees or fees_target or results or other):
            continue  # a year not yet set up, with nothing in it
        if scope.whole_programme:
            cells = [grant, fees, fees_target, results, other, grant + fees + results + other]
        else:  # the council-wide amounts are not a partner's, a locality's or a team's
            cells = [None, fees, None, results, None, fees + results]
        table.rows.append(
            [year.label, *(Pounds(cell) if cell is not None else None for cell in cells)]
        )
    return table


def _projection_table(scope, today, years, lines, attached, claims) -> Table:
    """The seed's projection: "a claim rate of 35% which equates to 1,379 PBR claims totalling
    £1.1m", 35% of the 3,940 families attached (or due to be) by the end of 2019-20."""
    starts_in = ProgrammeYear.starting_in_year_of(today)
    year = years.get(starts_in)
    # The target is the council's: with a partner, a locality or a team's families, the families
    # attached by the year's end are those attached so far.
    target = year.attachment_target if year and scope.whole_programme else None
    payment = lines[starts_in][FundingStream.RESULTS_PAYMENT]
    attached_so_far = sum(attached.values())
    attached_this_year = attached.get(starts_in, 0)
    by_year_end = attached_so_far - attached_this_year + max(attached_this_year, target or 0)
    claims_so_far = sum(n for n, _ in claims.values())
    rate = _rate(claims_so_far, attached_so_far)
    projected = round(rate * by_year_end) if rate is not None else None
    ends_on = f"{date(starts_in + 1, 3, 31):%-d %B %Y}"
    table = Table(
        key="projection",
        caption=f"Results claims projected to {ends_on}",
        headers=["Figure", "Value"],
        numeric={1},
        note=(
            f"The current programme year ({starts_in} to {starts_in + 1}), whatever year is "
            "chosen above, at the claim rate so far: every results claim made to date divided "
            "by every attachment to date, in the partner and locality chosen. The families "
            "attached by the end of the year are those attached before it and, for this year, "
            "the larger of those attached so far and the year's attachment target (the "
            "programme's evaluation projects 35% of the 3,940 families its targets add up to); "
            "the target is the council's, so with a partner or locality chosen, or a team's "
            "families, only the families attached so far count. Projected claims are "
            "the claim rate times those families, for the whole cohort since the programme "
            "began; projected results income is those claims times this year's results "
            "payment, and what is still to claim is the projection less the claims made."
        ),
    )
    rows = [
        ("Attachments so far", attached_so_far),
        ("Results claims so far", claims_so_far),
        ("Claim rate so far (claims ÷ attachments)", rate),
        (f"Attachments in {starts_in} to {starts_in + 1} so far", attached_this_year),
        (f"Attachment target for {starts_in} to {starts_in + 1}", target),
        (f"Families attached by {ends_on}", by_year_end),
        (f"Projected results claims by {ends_on}", projected),
        (
            "Projected results income",
            Pounds(projected * payment) if projected is not None else None,
        ),
        (
            f"Claims still to make by {ends_on}",
            max(projected - claims_so_far, 0) if projected is not None else None,
        ),
    ]
    table.rows = [list(row) for row in rows]
    return table


# --- Attachments and claims by delivery partner and year (seed 002 Table 5) ------------------


@report(
    "partners",
    "Attachments and claims by delivery partner",
    "Families attached and results claims by delivery partner (the attachment's lead agency) "
    "and programme year, with the claim rate and each partner's share of the cohort (the "
    "programme evaluation's Table 5).",
)
def partners(scope: Scope) -> list[Table]:
    rows = (
        scope.in_year(scope.attachments(), "attached_on")
        .values_list("lead_agency__name", programme_year_of("attached_on"))
        .annotate(attached=Count("pk"), claimed=Count("claim"))
        .order_by("lead_agency__name", "lead_agency_id", programme_year_of("attached_on"))
    )
    rows = list(rows)
    cohort = sum(row[2] for row in rows)
    table = Table(
        key="partners",
        caption="Attachments and results claims by delivery partner and programme year",
        headers=[
            "Delivery partner and year",
            "Families attached",
            "Results claims",
            "Claim rate",
            "Share of the cohort",
        ],
        numeric={1, 2, 3, 4},
        chart_column=1,
        note=(
            "Each attachment counts under its lead agency and the programme year it was made "
            "in; its results claim counts in the same row whenever it was made, so the claim "
            "rate (claims ÷ attachments) is the share of that year's attached families who "
            "have been claimed for so far. The share of the cohort is the row's attachments "
            "divided by every attachment counted here (all partners and years shown, in the "
            "filters chosen: one partner chosen is all of its cohort)."
        ),
    )
    for partner, starts_in, attached, claimed in rows:
        table.rows.append(
            [
                f"{partner}, {starts_in} to {starts_in + 1}",
                attached,
                claimed,
                _rate(claimed, attached),
                _rate(attached, cohort),
            ]
        )
    return [table]


# --- Families not claimable by reason and partner (seed 002 Table 6) ---------------------------


@report(
    "not-claimable",
    "Families not claimable by reason and partner",
    "Attached families the nightly results find not claimable, by reason and delivery partner "
    "(the programme evaluation's Table 6).",
)
def not_claimable(scope: Scope) -> list[Table]:
    attachments = scope.in_year(scope.attachments(), "attached_on")
    counts = list(
        FamilyResult.objects.filter(
            is_current=True,
            claim_status=ClaimStatus.NOT_CLAIMABLE,
            attachment__in=attachments,
        )
        .values("attachment__lead_agency__name")
        .annotate(
            families=Count("pk"),
            **{r: Count("pk", filter=Q(reasons__contains=[r])) for r in NOT_CLAIMABLE_REASONS},
        )
        .order_by("attachment__lead_agency__name")
    )
    names = [row["attachment__lead_agency__name"] for row in counts]
    table = Table(
        key="not-claimable",
        caption="Families not claimable by reason and delivery partner",
        headers=["Reason", *names, "Total"],
        numeric=set(range(1, len(names) + 2)),
        chart_column=len(names) + 1,
        note=(
            "From the nightly results as they stand now, for the families attached in the "
            "year chosen; each under its attachment's lead agency. A family can be not "
            "claimable for several reasons and counts under each, so the reasons add up to "
            "more than the families not claimable (the last row)."
        ),
    )
    for reason in NOT_CLAIMABLE_REASONS:
        cells = [row[reason] for row in counts]
        table.rows.append([REASON_TEXT[reason], *cells, sum(cells)])
    families = [row["families"] for row in counts]
    table.rows.append(["Families not claimable", *families, sum(families)])
    return [table]


# --- Attachments against the year's target, month by month ----------------------------------


@report(
    "attachments",
    "Attachments against the target",
    "Families attached each month of the programme year, cumulative, against the year's "
    "attachment target.",
)
def attachments(scope: Scope) -> list[Table]:
    year = scope.year
    if year is None:
        starts_in = ProgrammeYear.starting_in_year_of(_today(scope))
        year = ProgrammeYear.objects.filter(starts_in=starts_in).first() or ProgrammeYear(
            starts_in=starts_in
        )
    by_month = dict(
        scope.attachments()
        .filter(attached_on__gte=year.starts_on, attached_on__lte=year.ends_on)
        .values_list(TruncMonth("attached_on"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    target = year.attachment_target
    table = Table(
        key="attachments",
        caption=f"Attachments against the target, {year.label}",
        headers=[
            "Month",
            "Attached in the month",
            "Attached in the year so far",
            "Year's target",
            "Year so far as % of the target",
        ],
        numeric={1, 2, 3, 4},
        chart_column=2,
        note=(
            "Each attachment counts in the month it was made. The target is the council's for "
            "the whole year, not cut by delivery partner, locality or the families you may "
            "see. With no year chosen, the current programme year."
        ),
    )
    so_far = 0
    for i in range(12):
        month = year.starts_on + relativedelta(months=i)
        n = by_month.get(month, 0)
        so_far += n
        table.rows.append([month, n, so_far, target, _rate(so_far, target)])
    return [table]
