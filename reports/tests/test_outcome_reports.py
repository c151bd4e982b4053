"""The outcome reports (reports/outcome_reports.py): Table 7, the Rickter cohort table and the
Family Star, and worklessness per year.

Each expected figure is counted here, in Python, from the list of cases the test made (what
each case is and what it achieved is written down by hand, from the plan), for every filter and
on both sides of each date boundary; the reports are asked through `Scope` as the page asks."""

import csv
import dataclasses
import io
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ToolScore
from cases.models import Episode, Family, Person
from cases.tests.factories import FamilyFactory, PersonFactory
from earlyhelp.tests.factories import (
    LocalityFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
)
from outcomes import nightly
from outcomes.decisions import Decision, OutcomeDecision
from outcomes.models import (
    Attachment,
    Claim,
    ClaimBatch,
    FamilyResult,
    NightlyRun,
    OutcomesPlanVersion,
    ProblemIdentified,
    ProgrammeYear,
)
from outcomes.tests.builders import AS_OF, problem, run
from outcomes.tests.records import records_from
from outcomes.tests.test_claims import GOOD_PROBLEMS, good
from reports.registry import REPORTS
from reports.scope import Scope

pytestmark = pytest.mark.django_db

TODAY = date(2020, 6, 1)
LAST_OF_2018 = date(2019, 3, 31)  # the last day of programme year 2018 to 2019
FIRST_OF_2019 = date(2019, 4, 1)
ENDED = "2019-09-01"  # families the nightly job judges as of AS_OF, 30 September 2019


@dataclass
class Case:
    """One attached family, as the test means it to be."""

    attached_on: date
    partner: str = "a"  # the attachment's lead agency: "a" or "b"
    locality: str = "north"
    lead: str = "ours"  # led by a member of the manager's team ("ours") or not ("theirs")
    indicators: tuple = ()
    closed: bool = False
    claimed: bool = False
    # The current result's outcomes: outcome id -> "sustained", "met" or "applies" (not met);
    # any other outcome does not apply. None: no nightly result yet.
    outcomes: dict | None = field(default_factory=dict)
    achieved: frozenset = frozenset()  # problems whose outcomes are met and sustained
    made: object = None  # the Attachment


@pytest.fixture
def world(users):
    team = TeamFactory()
    users["manager"].managed_teams.add(team)
    return SimpleNamespace(
        programme=users["programme"],
        manager=users["manager"],
        leads={"ours": UserFactory(team=team), "theirs": UserFactory(team=TeamFactory())},
        partners={"a": OrganisationFactory(name="Agency A"), "b": OrganisationFactory(name="B")},
        localities={"north": LocalityFactory(name="North"), "south": LocalityFactory(name="S")},
        version=OutcomesPlanVersion.objects.get(version=9),
        run=NightlyRun.objects.create(as_of=TODAY, trigger="command", started_at=timezone.now()),
        batch=ClaimBatch.objects.create(
            name="Batch",
            window_opens=date(2020, 5, 1),
            window_closes=date(2020, 5, 31),
            submitted_on=date(2020, 5, 15),
            sample_seed=1,
            sample_percent=10,
        ),
    )


def _decision(outcomes: dict) -> Decision:
    on = date(2019, 9, 1)
    made = []
    for oid, status in outcomes.items():
        made.append(
            OutcomeDecision(
                oid,
                True,
                on if status in ("met", "sustained") else None,
                on if status == "sustained" else None,
            )
        )
    return Decision(eligible=True, outcomes=tuple(made))


def make(world, case: Case, *, started_on: date | None = None) -> Case:
    family = FamilyFactory(locality=world.localities[case.locality])
    episode = Episode.objects.create(
        family=family,
        started_on=started_on or case.attached_on,
        status="closed" if case.closed else "open",
        ended_on=date(2020, 1, 1) if case.closed else None,
        lead_practitioner=world.leads[case.lead],
        lead_agency=world.partners[case.partner],
    )
    attachment = Attachment.objects.create(
        family=family,
        episode=episode,
        attached_on=case.attached_on,
        lead_agency=world.partners[case.partner],
        attached_by=world.programme,
        plan_version=world.version,
    )
    for indicator in case.indicators:
        ProblemIdentified.objects.create(
            attachment=attachment,
            problem=indicator.split(".")[0],
            indicator=indicator,
            identified_on=case.attached_on,
            stage="engagement",
        )
    if case.claimed:
        Claim.objects.create(
            batch=world.batch,
            family=family,
            attachment=attachment,
            route=1,
            claimed_on=date(2020, 5, 15),
            results_payment=800,
        )
    if case.outcomes is not None:
        FamilyResult.objects.create(
            family=family,
            attachment=attachment,
            run=world.run,
            as_of=TODAY,
            plan_version=9,
            digest="x",
            claim_status="in_progress",
            decision=_decision(case.outcomes),
            # What the nightly job keeps beside the decision for the reports to count.
            sustained_outcomes=[o for o, status in case.outcomes.items() if status == "sustained"],
            problems_achieved=sorted(case.achieved),
            problems_identified=sorted({i.split(".")[0] for i in case.indicators}),
            processed=case.closed or case.claimed,
        )
    case.made = attachment
    return case


# --- which cases a scope counts, worked out here --------------------------------------------------

SCOPES = ["every year", "2018", "2019", "partner a", "partner b", "north", "manager"]


def scope_for(world, name: str) -> Scope:
    user = world.manager if name == "manager" else world.programme
    scope = Scope(user, today=TODAY)
    if name in ("2018", "2019"):
        scope.year = ProgrammeYear.objects.get(starts_in=int(name))
    if name.startswith("partner"):
        scope.partner = world.partners[name[-1]]
    if name == "north":
        scope.locality = world.localities["north"]
    return scope


def counted(name: str, case: Case, day: date | None = None) -> bool:
    """Whether the scope `name` counts the case, `day` being the date it is cut by."""
    day = day or case.attached_on
    if name == "2018":
        return date(2018, 4, 1) <= day <= date(2019, 3, 31)
    if name == "2019":
        return date(2019, 4, 1) <= day <= date(2020, 3, 31)
    if name.startswith("partner"):
        return case.partner == name[-1]
    if name == "north":
        return case.locality == "north"
    if name == "manager":
        return case.lead == "ours"
    return True


def percent(part, whole) -> str:
    return f"{part / whole:.1%}" if whole else "No data"


def build(slug, scope):
    return {t.key: t for t in REPORTS[slug].build(scope)}


# --- Table 7: achievement of outcomes by headline problem ---------------------------------------

# What each case achieves, by the plan's requirements (outcomes/plans/fop_v9.json):
TABLE_7_CASES = [
    # 1.1 and 2.2 identified, each problem's outcome sustained; the episode closed.
    Case(
        LAST_OF_2018,
        indicators=("1.1", "2.2"),
        closed=True,
        outcomes={"1.1": "sustained", "2.2": "sustained"},
        achieved=frozenset({"1", "2"}),
    ),
    # Claimed while open: 3.1 needs 3.1 or 3.2 (3.2 sustained will do); 5.1 needs each of 5.1,
    # 5.2, 5.3 that applies sustained, and 5.2 is only met.
    Case(
        FIRST_OF_2019,
        partner="b",
        indicators=("3.1", "5.1"),
        claimed=True,
        outcomes={"3.1": "applies", "3.2": "sustained", "5.1": "sustained", "5.2": "met"},
        achieved=frozenset({"3"}),
    ),
    # Open and not claimed: triggered, not processed, whatever its outcomes.
    Case(
        LAST_OF_2018,
        locality="south",
        lead="theirs",
        indicators=("3.1", "4.1"),
        outcomes={"3.1": "sustained", "4.1": "sustained"},
    ),
    # Closed with no nightly result yet: processed, nothing achieved.
    Case(FIRST_OF_2019, lead="theirs", indicators=("6.1", "2.1"), closed=True, outcomes=None),
    # Closed: 6.3 needs 6.2 (only met); 4.2 needs 4.3, which does not apply.
    Case(
        date(2018, 4, 1),
        partner="b",
        locality="south",
        indicators=("6.3", "4.2"),
        closed=True,
        outcomes={"6.2": "met", "6.4": "sustained", "4.1": "sustained"},
    ),
    # Closed and claimed: 1.2 needs 1.4 and one of 1.1/1.2/1.5; 3.1 by continuous employment.
    Case(
        date(2020, 3, 31),
        indicators=("1.2", "3.1"),
        closed=True,
        claimed=True,
        outcomes={"1.4": "sustained", "1.1": "sustained", "3.1": "sustained"},
        achieved=frozenset({"1", "3"}),
    ),
    # Attached just before programme year 2018: counted only across every year.
    Case(
        date(2018, 3, 31),
        indicators=("2.1", "5.7"),
        closed=True,
        outcomes={"2.1": "sustained", "5.1": "sustained", "5.3": "sustained"},
        achieved=frozenset({"2", "5"}),
    ),
]


def expected_table_7(cases, name):
    plan = OutcomesPlanVersion.objects.get(version=9).plan
    rows = []
    for p in plan.headline_problems:
        # Table 7 counts from the nightly results: a case with none yet is not counted.
        mine = [c for c in cases if counted(name, c) and c.outcomes is not None]
        triggered = [c for c in mine if any(i.split(".")[0] == p.id for i in c.indicators)]
        processed = [c for c in triggered if c.closed or c.claimed]
        achieved = [c for c in processed if p.id in c.achieved]
        rows.append(
            [
                f"{p.id} {p.name}",
                str(len(triggered)),
                str(len(processed)),
                str(len(achieved)),
                percent(len(achieved), len(processed)),
            ]
        )
    return rows


@pytest.mark.parametrize("name", SCOPES)
def test_table_7_counts_each_headline_problem(world, name):
    cases = [make(world, Case(**{**c.__dict__})) for c in TABLE_7_CASES]
    table = build("outcomes", scope_for(world, name))["outcomes-by-problem"]
    assert table.text_rows() == expected_table_7(cases, name)
    assert [r[0].split(" ")[0] for r in table.rows] == ["1", "2", "3", "4", "5", "6"]


def test_table_7_reads_a_problem_as_the_engine_judges_it(world):
    """Families the real nightly job judged: a problem counts as achieved exactly when the
    engine's own answer says the problem is sustained."""
    snapshots = [
        good(ended=ENDED),
        good(ended=ENDED, problems=[*GOOD_PROBLEMS, problem("3.1", "P1")]),
        good(ended=ENDED, problems=[problem("1.1", "P2"), problem("5.7", "P1")]),
    ]
    for s in snapshots:
        records_from(s, by=world.programme)
    nightly.nightly_run(as_of=AS_OF)
    expected: dict = {}
    for s in snapshots:
        answer = run(dataclasses.replace(s, as_of=AS_OF))
        for p in answer.problems:
            expected.setdefault(p.problem, [0, 0])
            expected[p.problem][0] += 1
            expected[p.problem][1] += p.sustained
    table = build("outcomes", scope_for(world, "every year"))["outcomes-by-problem"]
    got = {r[0].split(" ")[0]: [r[1], r[3]] for r in table.rows if r[1]}
    assert got == expected
    assert expected["1"] == [3, 3] and expected["3"] == [1, 0]  # the fixture means what it says


# --- worklessness per programme year -------------------------------------------------------------

WORK_CASES = [
    Case(LAST_OF_2018, indicators=("3.1", "1.1"), outcomes={"3.2": "sustained", "3.1": "met"}),
    Case(FIRST_OF_2019, indicators=("3.1",), outcomes={"3.1": "sustained", "3.2": "sustained"}),
    Case(FIRST_OF_2019, partner="b", lead="theirs", indicators=("3.1",), outcomes={"3.2": "met"}),
    Case(date(2018, 4, 1), locality="south", indicators=("3.1",), outcomes={"3.1": "sustained"}),
    Case(date(2020, 3, 31), partner="b", indicators=("3.1",), outcomes=None),
    # Not workless: 3.3 (NEET) only, though its outcomes look like work outcomes.
    Case(LAST_OF_2018, indicators=("3.3", "2.1"), outcomes={"3.1": "sustained", "3.2": "met"}),
    Case(date(2017, 6, 1), lead="theirs", indicators=("3.1",), outcomes={"3.2": "sustained"}),
]


@pytest.mark.parametrize("name", SCOPES)
def test_worklessness_per_programme_year(world, name):
    cases = [make(world, Case(**{**c.__dict__})) for c in WORK_CASES]
    scope = scope_for(world, name)
    table = build("worklessness", scope)["worklessness"]
    if scope.year is not None:
        years = [scope.year.starts_in]
    else:  # every year set up and started by today, and any year with an attachment
        years = [y.starts_in for y in ProgrammeYear.objects.all() if y.starts_on <= TODAY]
    expected = []
    for y in years:
        workless = [
            c
            for c in cases
            if "3.1" in c.indicators
            and counted(name, c)
            and date(y, 4, 1) <= c.attached_on <= date(y + 1, 3, 31)
        ]
        progress = [c for c in workless if (c.outcomes or {}).get("3.2") == "sustained"]
        employed = [c for c in workless if (c.outcomes or {}).get("3.1") == "sustained"]
        expected.append(
            [
                f"{y} to {y + 1}",
                str(len(workless)),
                str(len(progress)),
                percent(len(progress), len(workless)),
                str(len(employed)),
                percent(len(employed), len(workless)),
            ]
        )
    assert table.text_rows() == expected


# --- Rickter Lifeboard and Family Star -----------------------------------------------------------

# Seed 002 §3.4.6: each heading's average raw baseline, desired and latest review score.
SEED = {
    "employment_training_education": (4.3, 8.3, 6.0),
    "accommodation": (4.6, 9.0, 6.3),
    "money": (5.4, 8.5, 6.3),
    "relationships": (6.5, 8.6, 7.4),
    "influence": (3.6, 3.1, 2.8),
    "stress": (6.9, 3.3, 5.2),
    "alcohol": (1.4, 1.2, 0.9),
    "drugs": (4.2, 2.2, 3.0),
    "health": (5.6, 8.5, 6.8),
    "happiness": (5.6, 9.2, 7.1),
}
REVERSED = {"influence", "stress", "alcohol", "drugs"}


def spread(average: float, people: int = 10) -> list[int]:
    """Whole scores for `people` whose average is `average` (to one decimal place)."""
    q, r = divmod(round(average * people), people)
    return [q + 1] * r + [q] * (people - r)


def score(world, episode, person, stage, scores, desired=None, tool="rickter", on=None):
    return ToolScore.objects.create(
        episode=episode,
        tool=tool,
        stage=stage,
        person=person if tool == "rickter" else None,
        scored_on=on or episode.started_on,
        plan_version=world.version,
        scores=scores,
        desired=desired or {},
        recorded_by=world.programme,
    )


def test_the_rickter_table_reproduces_seed_002s_cohort(world):
    """Ten people whose average scores are the seed's: 45.83% movement over all headings."""
    episodes = [make(world, Case(LAST_OF_2018)).made.episode for _ in range(2)]
    columns = {h: [spread(v) for v in values] for h, values in SEED.items()}
    for i in range(10):
        person = PersonFactory()
        episode = episodes[i % 2]
        score(
            world,
            episode,
            person,
            "start",
            {h: c[0][i] for h, c in columns.items()},
            {h: c[1][i] for h, c in columns.items()},
        )
        score(world, episode, person, "close", {h: c[2][i] for h, c in columns.items()})
    table = build("outcome-tools", scope_for(world, "every year"))["rickter-cohort"]
    rows = table.text_rows()
    assert rows[-1] == ["Average for all headings", "10", "5.59", "8.23", "6.80", "1.21", "45.83%"]
    plan = world.version.plan
    expected = []
    for h in plan.rickter_headings:
        b, d, latest = (10 - v if h.id in REVERSED else v for v in SEED[h.id])
        move = min((latest - b) / (d - b), 1)
        expected.append(
            [h.name, "10", f"{b:.2f}", f"{d:.2f}", f"{latest:.2f}", f"{latest - b:.2f}"]
            + [f"{move:.2%}"]
        )
    assert rows[:-1] == expected
    assert rows[4][0] == "Influence (R)" and rows[4][-1] == "100.00%"  # capped, as the seed


TOOL_CASES = [
    # (case, episode start): the year cut is by the episode's start
    (Case(LAST_OF_2018), LAST_OF_2018),
    (Case(FIRST_OF_2019, partner="b"), FIRST_OF_2019),
    (Case(FIRST_OF_2019, locality="south", lead="theirs"), date(2019, 3, 31)),
    (Case(date(2019, 6, 1), lead="theirs"), date(2019, 4, 1)),
]


@pytest.mark.parametrize("name", SCOPES)
def test_rickter_and_family_star_by_scope(world, name):
    plan = world.version.plan
    headings = [h.id for h in plan.rickter_headings]
    areas = list(plan.family_star_areas)
    people = []  # (case, start day, baseline, desired, latest or None)
    stars = []  # (case, start day, stage, scores)
    for n, (meant, started) in enumerate(TOOL_CASES):
        case = make(world, Case(**{**meant.__dict__}), started_on=started)
        episode = case.made.episode
        for k in range(2):
            person = PersonFactory()
            base = {h: (n + k + j) % 11 for j, h in enumerate(headings)}
            want = {h: 10 - (j % 3) for j, h in enumerate(headings)}
            mid = {h: (n * 3 + j + k) % 11 for j, h in enumerate(headings)}
            close = {h: (n + 2 * j + k) % 11 for j, h in enumerate(headings)}
            score(world, episode, person, "start", base, want)
            latest = None
            if k == 0 or n % 2:  # some have a mid-way review
                score(world, episode, person, "mid", mid)
                latest = mid
            if n != 1:  # the second case's people are not yet at the close
                score(world, episode, person, "close", close)
                latest = close
            people.append((case, started, base, want, latest))
        start_star = {a: 1 + (n * 2 + j) % 10 for j, a in enumerate(areas)}
        close_star = {a: 1 + (n + j * 3) % 10 for j, a in enumerate(areas)}
        score(world, episode, None, "start", start_star, tool="family_star")
        stars.append((case, started, "start", start_star))
        if n != 2:
            score(world, episode, None, "close", close_star, tool="family_star")
            stars.append((case, started, "close", close_star))
        if n == 0:  # someone with a baseline only is left out
            score(world, episode, PersonFactory(), "start", base, want)

    tables = build("outcome-tools", scope_for(world, name))
    mine = [p for p in people if counted(name, p[0], p[1]) and p[4] is not None]
    rows = []
    sums = []
    for h in plan.rickter_headings:
        norm = (lambda v: 10 - v) if h.reversed else (lambda v: v)
        if not mine:
            continue
        b = sum(norm(p[2][h.id]) for p in mine) / len(mine)
        d = sum(norm(p[3][h.id]) for p in mine) / len(mine)
        latest = sum(norm(p[4][h.id]) for p in mine) / len(mine)
        sums.append((b, d, latest))
        rows.append([h.name, str(len(mine)), *_cells(b, d, latest)])
    if sums:
        k = len(sums)
        b, d, latest = (sum(s[i] for s in sums) / k for i in range(3))
        rows.append(["Average for all headings", str(len(mine)), *_cells(b, d, latest)])
    assert tables["rickter-cohort"].text_rows() == rows

    expected = []
    for a in areas:
        cells = [a]
        low_at = {}
        for stage in ("start", "close"):
            scored = [s[a] for c, day, st, s in stars if st == stage and counted(name, c, day)]
            low = [v for v in scored if v < 6]
            cells += [
                str(len(scored)),
                f"{100 * len(low) / len(scored):.1f}" if scored else "No data",
            ]
            low_at[stage] = 100 * len(low) / len(scored) if scored else None
        change = (
            f"{low_at['close'] - low_at['start']:.1f}" if None not in low_at.values() else "No data"
        )
        expected.append([*cells, change])
    assert tables["family-star"].text_rows() == expected


def _cells(b, d, latest):
    move = None if d == b else min((latest - b) / (d - b), 1)
    return [
        f"{b:.2f}",
        f"{d:.2f}",
        f"{latest:.2f}",
        f"{latest - b:.2f}",
        "No data" if move is None else f"{move:.2%}",
    ]


# --- the manager, the CSVs, the queries ----------------------------------------------------------


def test_a_manager_counts_only_their_teams_families(world):
    for c in TABLE_7_CASES:
        make(world, Case(**{**c.__dict__}))
    judged = [c for c in TABLE_7_CASES if c.outcomes is not None]  # Table 7 reads results

    def problems(cases):
        return sum(len({i.split(".")[0] for i in c.indicators}) for c in cases)

    mine = [c for c in judged if c.lead == "ours"]
    table = build("outcomes", Scope(world.manager, today=TODAY))["outcomes-by-problem"]
    assert sum(int(r[1]) for r in table.text_rows()) == problems(mine)
    everyone = build("outcomes", Scope(world.programme, today=TODAY))["outcomes-by-problem"]
    assert sum(int(r[1]) for r in everyone.text_rows()) == problems(judged)
    assert problems(mine) < problems(judged)


@pytest.mark.parametrize("slug", ["outcomes", "outcome-tools", "worklessness"])
@pytest.mark.parametrize("query", [{}, {"year": "2018"}])
def test_each_csv_is_its_table(world, client_for, slug, query):
    for c in [*TABLE_7_CASES, *WORK_CASES]:
        make(world, Case(**{**c.__dict__}))
    episode = Attachment.objects.order_by("id").first().episode
    person = PersonFactory()
    score(world, episode, person, "start", dict.fromkeys(SEED, 3), dict.fromkeys(SEED, 8))
    score(world, episode, person, "close", dict.fromkeys(SEED, 5))
    areas = world.version.plan.family_star_areas
    score(world, episode, None, "start", dict.fromkeys(areas, 4), tool="family_star")
    scope = Scope(world.programme, today=timezone.localdate())
    if query:
        scope.year = ProgrammeYear.objects.get(starts_in=2018)
    client = client_for("programme")
    for key, table in build(slug, scope).items():
        response = client.get(
            reverse("report-detail", args=[slug]), {**query, "format": "csv", "table": key}
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == table.headers
        assert rows[1:] == table.text_rows()
        assert table.rows, key
    page = client.get(reverse("report-detail", args=[slug]), query)
    assert page.status_code == 200
    assert page.content.decode().count('class="app-chart"') == len(build(slug, scope))


@pytest.mark.parametrize("slug", ["outcomes", "outcome-tools", "worklessness"])
def test_a_fixed_number_of_queries_whatever_the_number_of_families(
    world, slug, django_assert_num_queries
):
    def grow(n):
        for _ in range(n):
            for c in [*TABLE_7_CASES[:2], *WORK_CASES[:2]]:
                case = make(world, Case(**{**c.__dict__}))
                p = PersonFactory()
                episode = case.made.episode
                score(world, episode, p, "start", dict.fromkeys(SEED, 2), dict.fromkeys(SEED, 9))
                score(world, episode, p, "mid", dict.fromkeys(SEED, 4))
                star = dict.fromkeys(world.version.plan.family_star_areas, 5)
                score(world, episode, None, "start", star, tool="family_star")

    # outcome-tools: the plan, and the Rickter sums with the Family Star counts.
    expected = {"outcomes": 2, "outcome-tools": 2, "worklessness": 2}[slug]
    grow(1)
    with django_assert_num_queries(expected):
        build(slug, scope_for(world, "every year"))
    grow(5)
    with django_assert_num_queries(expected):
        build(slug, scope_for(world, "every year"))
    assert Family.objects.count() >= 24 and Person.objects.exists()


def test_a_family_scored_in_two_episodes_counts_once_by_its_latest_family_star(world):
    """The Family Star counts families: a family scored at assessment in an earlier and a later
    episode counts once, by the later scores, in the year of the episode they were made in (so
    the years add up to every year)."""
    first = make(world, Case(LAST_OF_2018, closed=True), started_on=date(2018, 5, 1))
    family = first.made.episode.family
    later = Episode.objects.create(
        family=family,
        started_on=date(2019, 6, 10),
        lead_practitioner=world.leads["ours"],
        lead_agency=world.partners["a"],
    )
    areas = list(world.version.plan.family_star_areas)
    score(world, first.made.episode, None, "start", {a: 2 for a in areas}, tool="family_star")
    score(world, later, None, "start", {a: 8 for a in areas}, tool="family_star")

    def assessed(name):
        rows = build("outcome-tools", scope_for(world, name))["family-star"].text_rows()
        return [r[:3] for r in rows]

    assert assessed("every year") == [[a, "1", "0.0"] for a in areas]
    assert assessed("2019") == [[a, "1", "0.0"] for a in areas]
    assert assessed("2018") == [[a, "0", "No data"] for a in areas]
    # Its later scores removed, the earlier ones are its latest again.
    ToolScore.objects.filter(episode=later).delete()
    assert assessed("2018") == [[a, "1", "100.0"] for a in areas]
    assert assessed("every year") == [[a, "1", "100.0"] for a in areas]


def test_scores_naming_different_headings_are_each_counted_under_their_own(world):
    """Scores made under plan versions naming different headings or areas (two layouts in
    scope) are added up heading by heading, each where it was given."""
    plan = world.version.plan
    headings = [h.id for h in plan.rickter_headings]
    areas = list(plan.family_star_areas)
    episode = make(world, Case(LAST_OF_2018)).made.episode
    other = make(world, Case(LAST_OF_2018)).made.episode
    everyone, fewer = PersonFactory(), PersonFactory()
    score(world, episode, everyone, "start", {h: 2 for h in headings}, {h: 8 for h in headings})
    score(world, episode, everyone, "close", {h: 4 for h in headings})
    some = headings[:3]  # an earlier plan's headings: three of them
    score(world, episode, fewer, "start", {h: 6 for h in some}, {h: 8 for h in some})
    score(world, episode, fewer, "close", {h: 7 for h in some})
    score(world, episode, None, "start", {a: 3 for a in areas}, tool="family_star")
    score(world, other, None, "start", {a: 9 for a in areas[:2]}, tool="family_star")

    tables = build("outcome-tools", scope_for(world, "every year"))
    people = {row[0]: row[1] for row in tables["rickter-cohort"].text_rows()}
    for h in plan.rickter_headings:
        assert people[h.name] == ("2" if h.id in some else "1")
    stars = {row[0]: row[1:3] for row in tables["family-star"].text_rows()}
    assert stars[areas[0]] == ["2", "50.0"] and stars[areas[1]] == ["2", "50.0"]
    assert all(stars[a] == ["1", "100.0"] for a in areas[2:])
