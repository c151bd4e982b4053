"""The manager's caseload dashboard (DOMAIN §9, issue 9): reads only, a fixed number of queries.

Each figure starts from `families_visible_to(manager)`, so a manager never
counts a family outside their service. The cuts narrow it further:

- team and agency: episodes led by that team's workers, or by that agency; a
  request, triage decision, step-up or step-down counts when its family has
  such an episode;
- locality: the family's locality.

Every figure is a `Table`: the page draws it, the chart is drawn from it and
the CSV writes it, so the three cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Aggregate, Avg, Count, DurationField, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.episode.selectors import rereferrals
from cases.gate import families_visible_to
from cases.models import (
    Episode,
    LeadChange,
    StepDecision,
    StepDown,
    StepUp,
    SupportRequest,
)
from cases.models.person import SocialCareStatus
from cases.models.triage import SHORT_NAMES, Priority, TriageDecision
from cases.people.selectors import current_memberships
from earlyhelp.models import Organisation


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass
class Cuts:
    """The dashboard's filters, all from the URL's query string."""

    first_month: date
    last_month: date
    team: object = None
    agency: object = None
    locality: object = None

    @property
    def start(self) -> date:
        return self.first_month

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.last_month + relativedelta(months=1) - timedelta(days=1)

    def months(self) -> list[date]:
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month += relativedelta(months=1)
        return months


def default_cuts(today: date) -> Cuts:
    """The last twelve months, this one included, every team, agency and locality."""
    end = today.replace(day=1)
    return Cuts(first_month=end - relativedelta(months=11), last_month=end)


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # columns to align right
    chart_column: int | None = None  # the column a bar chart is drawn from
    note: str = ""  # how to read it, shown under the heading

    def text_rows(self) -> list[list[str]]:
        return [[_text(cell) for cell in row] for row in self.rows]

    def display_rows(self) -> list[tuple[str, list[tuple[str, bool]]]]:
        """Each row's heading cell, and its other cells with whether each is numeric: the
        page's loop then looks nothing up per cell."""
        return [
            (row[0], [(cell, i in self.numeric) for i, cell in enumerate(row[1:], start=1)])
            for row in self.text_rows()
        ]


def _text(value) -> str:
    if value is None:
        return "No data"
    if isinstance(value, float):
        return f"{value:.1%}"
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, date):
        return f"{value:%B %Y}"
    return str(value)


def _duration(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


# --- scope ------------------------------------------------------------------------------------


def families_in_scope(manager, cuts: Cuts, visible=None):
    families = families_visible_to(manager) if visible is None else visible
    led = Episode.objects.filter(family=OuterRef("pk"))
    if cuts.team is not None:
        families = families.filter(Exists(led.filter(lead_practitioner__team=cuts.team)))
    if cuts.agency is not None:
        families = families.filter(Exists(led.filter(lead_agency=cuts.agency)))
    if cuts.locality is not None:
        families = families.filter(locality=cuts.locality)
    return families


def episodes_in_scope(manager, cuts: Cuts, visible=None):
    visible = families_visible_to(manager) if visible is None else visible
    episodes = Episode.objects.filter(family__in=visible)
    if cuts.team is not None:
        episodes = episodes.filter(lead_practitioner__team=cuts.team)
    if cuts.agency is not None:
        episodes = episodes.filter(lead_agency=cuts.agency)
    if cuts.locality is not None:
        episodes = episodes.filter(family__locality=cuts.locality)
    return episodes


# --- the figures ------------------------------------------------------------------------------


def by_month(manager, cuts: Cuts, *, visible=None) -> Table:
    """Open episodes at each month's end, new requests and closures in the month. 3 queries."""
    months = cuts.months()
    episodes = episodes_in_scope(manager, cuts, visible)
    ends = {m: m + relativedelta(months=1) - timedelta(days=1) for m in months}
    open_at = episodes.aggregate(
        **{
            f"m{i}": Count(
                "pk",
                filter=Q(started_on__lte=ends[m])
                & (Q(ended_on__isnull=True) | Q(ended_on__gt=ends[m])),
            )
            for i, m in enumerate(months)
        }
    )
    requests = dict(
        SupportRequest.objects.filter(
            family__in=families_in_scope(manager, cuts, visible),
            received_at__date__gte=cuts.start,
            received_at__date__lte=cuts.end,
        )
        .annotate(month=TruncMonth("received_at", output_field=_date_field()))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    closures = dict(
        episodes.filter(
            status=Episode.Status.CLOSED, ended_on__gte=cuts.start, ended_on__lte=cuts.end
        )
        .annotate(month=TruncMonth("ended_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return Table(
        "by-month",
        "Open episodes, new requests and closures by month",
        ["Month", "Open episodes at month end", "New requests", "Closures"],
        [
            [m, open_at[f"m{i}"], requests.get(m, 0), closures.get(m, 0)]
            for i, m in enumerate(months)
        ],
        numeric={1, 2, 3},
        chart_column=1,
    )


def _date_field():
    from django.db.models import DateField

    return DateField()


def triage(manager, cuts: Cuts, *, visible=None) -> Table:
    """Triage decisions in the period by priority, with the time from request to decision."""
    decisions = TriageDecision.objects.filter(
        request__family__in=families_in_scope(manager, cuts, visible),
        decided_at__date__gte=cuts.start,
        decided_at__date__lte=cuts.end,
    )
    measures = {
        "n": Count("pk"),
        "median": Median("time_to_decision", output_field=DurationField()),
        "mean": Avg("time_to_decision"),
    }
    rows = {row["priority"]: row for row in decisions.values("priority").annotate(**measures)}
    total = decisions.aggregate(**measures)
    table = Table(
        "triage",
        "Triage decisions and time from request to decision",
        ["Decision", "Decisions", "Median time to decide", "Average time to decide"],
        numeric={1, 2, 3},
        chart_column=1,
    )
    for priority in Priority:
        row = rows.get(priority.value, {"n": 0, "median": None, "mean": None})
        table.rows.append([SHORT_NAMES[priority], row["n"], row["median"], row["mean"]])
    table.rows.append(["All decisions", total["n"], total["median"], total["mean"]])
    return table


def steps(manager, cuts: Cuts, *, visible=None) -> Table:
    """Step-ups and step-downs asked for in the period, and of the step-downs accepted in the
    period, how many came back to social care within 3 and 12 months. 3 queries."""
    families = families_in_scope(manager, cuts, visible)
    in_period = {"requested_at__date__gte": cuts.start, "requested_at__date__lte": cuts.end}
    ups = StepUp.objects.filter(episode__family__in=families, **in_period).aggregate(
        asked=Count("pk"), accepted=Count("pk", filter=Q(status=StepDecision.ACCEPTED))
    )
    downs = list(
        StepDown.objects.filter(family__in=families).filter(
            Q(**in_period)
            | Q(
                status=StepDecision.ACCEPTED,
                decided_at__date__gte=cuts.start,
                decided_at__date__lte=cuts.end,
            )
        )
    )
    asked_down = [d for d in downs if cuts.start <= timezone.localdate(d.requested_at) <= cuts.end]
    accepted = [
        d
        for d in downs
        if d.status == StepDecision.ACCEPTED
        and cuts.start <= timezone.localdate(d.decided_at) <= cuts.end
    ]
    later_ups: dict[int, list] = {}
    ups_after = StepUp.objects.filter(episode__family_id__in={d.family_id for d in accepted})
    for family_id, requested_at in ups_after.values_list("episode__family_id", "requested_at"):
        later_ups.setdefault(family_id, []).append(_Referral(requested_at))
    found = [r for d in accepted for r in rereferrals(later_ups.get(d.family_id, []), [d])]
    within_3 = sum(r.within_3_months for r in found)
    within_12 = sum(r.within_12_months for r in found)
    total = len(accepted)
    return Table(
        "steps",
        "Step-up, step-down and re-referral to social care",
        ["Measure", "Value"],
        [
            ["Step-ups asked for", ups["asked"]],
            ["Step-ups accepted", ups["accepted"]],
            ["Step-downs asked for", len(asked_down)],
            ["Step-downs accepted", total],
            ["Re-referred within 3 months", within_3],
            ["Re-referral rate at 3 months", within_3 / total if total else None],
            ["Re-referred within 12 months", within_12],
            ["Re-referral rate at 12 months", within_12 / total if total else None],
        ],
        numeric={1},
    )


@dataclass(frozen=True)
class _Referral:
    requested_at: object


LEAD_AGENCY_BANDS = ["Within 6 months", "6 to 12 months", "Over 12 months"]
# DOMAIN §9's cohorts: every family, and families with a child of each social care status.
COHORTS = [
    ("Changes, all families", None),
    ("Child in need", SocialCareStatus.CHILD_IN_NEED),
    ("Child protection plan", SocialCareStatus.CHILD_PROTECTION),
    ("Looked after", SocialCareStatus.LOOKED_AFTER),
]


def lead_agency_changes(manager, cuts: Cuts, *, visible=None) -> Table:
    """Changes of lead agency in the period, by how long after the episode began, for all
    families and for each cohort: a family is in a cohort when a member of it now is recorded
    with that social care status (a family may be in more than one). 1 query."""
    members = current_memberships().filter(family=OuterRef("episode__family"))
    flags = {
        f"cohort_{status}": Exists(members.filter(person__social_care_status=status))
        for _, status in COHORTS
        if status
    }
    changes = (
        LeadChange.objects.filter(
            episode__in=episodes_in_scope(manager, cuts, visible),
            status=LeadChange.Status.APPLIED,
            changed_on__gte=cuts.start,
            changed_on__lte=cuts.end,
        )
        .exclude(to_agency=None)
        .annotate(**flags)
        .values_list("episode__started_on", "changed_on", "from_agency_id", "to_agency_id", *flags)
    )
    counts = {band: [0] * len(COHORTS) for band in LEAD_AGENCY_BANDS}
    for started_on, changed_on, from_agency, to_agency, *in_cohort in changes:
        if from_agency == to_agency:
            continue
        row = counts[lead_agency_band(started_on, changed_on)]
        for i, member in enumerate([True, *in_cohort]):
            row[i] += member
    return Table(
        "lead-agency",
        "Changes of lead agency, by time since the intervention began, by cohort",
        ["Time since the start", *(name for name, _ in COHORTS)],
        [[band, *row] for band, row in counts.items()],
        numeric=set(range(1, len(COHORTS) + 1)),
        chart_column=1,
        note=(
            "A family is in a cohort when one of its members is now recorded as a child in "
            "need, on a child protection plan or looked after; a family may be in more than "
            "one. The chart shows all families."
        ),
    )


def lead_agency_band(started_on: date, changed_on: date) -> str:
    if changed_on <= started_on + relativedelta(months=6):
        return LEAD_AGENCY_BANDS[0]
    if changed_on <= started_on + relativedelta(months=12):
        return LEAD_AGENCY_BANDS[1]
    return LEAD_AGENCY_BANDS[2]


def tiers(manager, cuts: Cuts, *, visible=None) -> Table:
    """Interventions begun in the period by their lead agency's tier of need. 1 query."""
    counts = dict(
        episodes_in_scope(manager, cuts, visible)
        .filter(started_on__gte=cuts.start, started_on__lte=cuts.end)
        .values("lead_agency__tier")
        .annotate(n=Count("pk"))
        .values_list("lead_agency__tier", "n")
    )
    rows = [[tier.label, counts.get(tier.value, 0)] for tier in Organisation.Tier]
    rows.append(["No lead agency", counts.get(None, 0)])
    return Table(
        "tiers",
        "Interventions begun, by tier of need",
        ["Tier of need", "Interventions"],
        rows,
        numeric={1},
        chart_column=1,
    )


DIRECTIONS = ["Reducing", "No change", "Increasing"]


def need_direction(earlier_tier: int, later_tier: int) -> str:
    """Tier 1 is the most acute: a lower tier number is more need."""
    if later_tier < earlier_tier:
        return "Increasing"
    if later_tier > earlier_tier:
        return "Reducing"
    return "No change"


def directions(manager, cuts: Cuts, *, visible=None) -> Table:
    """For each intervention begun in the period that follows another of the same family, the
    direction of need from the one before. 1 query."""
    families = families_in_scope(manager, cuts, visible).filter(
        episodes__started_on__gte=cuts.start, episodes__started_on__lte=cuts.end
    )
    rows = (
        Episode.objects.filter(family__in=families)
        .order_by("family_id", "started_on", "pk")
        .values_list("family_id", "started_on", "lead_agency__tier")
    )
    counts = dict.fromkeys(DIRECTIONS, 0)
    previous = None
    for family_id, started_on, tier in rows:
        if (
            previous
            and previous[0] == family_id
            and cuts.start <= started_on <= cuts.end
            and tier is not None
            and previous[2] is not None
        ):
            counts[need_direction(previous[2], tier)] += 1
        previous = (family_id, started_on, tier)
    return Table(
        "need-direction",
        "Direction of need between consecutive interventions of a family",
        ["Direction of need", "Interventions"],
        [[d, n] for d, n in counts.items()],
        numeric={1},
        chart_column=1,
    )


FIGURES = [by_month, triage, steps, lead_agency_changes, tiers, directions]


def caseload_dashboard(manager, cuts: Cuts) -> list[Table]:
    visible = families_visible_to(manager)  # built once: compiling the gate is the cost
    return [figure(manager, cuts, visible=visible) for figure in FIGURES]
