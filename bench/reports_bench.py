"""Every registered report's page on demo data: p95 beside /healthz's p95.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x python bench/reports_bench.py \\
        [--families 50000] [--requests 100] [--seed 1] [--database earlyhelp_bench_home] \\
        [--only "funding"]

Uses the database bench/home_bench.py uses (`earlyhelp_bench_home`, made and seeded once by
bench/search_bench.py's `prepare`), and its clients, pages and round robin: one request to each
page in turn with `/healthz` among them, each page's p95 printed with its ratio to /healthz's (the
aim, as for every page: no more than four times it) and its queries. Every report in
`reports.registry.REPORTS` is timed, so a report added later is measured too: as the programme
team reads it (every year; the current year; the busiest delivery partner; a locality), as the
demo manager reads it and as a manager of every team does.

The demo generator's 50,000 families here have no results claims, nightly results or outcome
tool scores, so, when the database has none, the bench adds a results claim for about a third of
the attachments, a current nightly result for every attached family (a mix of claim statuses,
not-claimable reasons, outcomes and problems) and Rickter and Family Star scores at the start and
close of every attached episode, inside a transaction it rolls back at the end: the reports count as
many rows as a programme at that size would, and the database is left as it was found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from home_bench import Page, client_for, manager_of_everyone, print_results, timed  # noqa: E402
from search_bench import prepare  # noqa: E402  (the same database making, not copied)


class RolledBack(Exception):
    """Raised to leave the claims and results the bench added out of the database."""


# A decision of the size the nightly job stores: six outcomes judged (some met, sustained or
# awaiting), the routes and the evidence cited, so the reports that read decisions read as much.
DECISION = (
    '{"eligible": true, "outcomes": [["1.1", true, "2026-01-05", "2026-07-05", null, [1, 2]],'
    ' ["2.2", true, "2026-02-01", null, "2026-08-01", [3]], ["3.1", false],'
    ' ["3.2", true, "2026-03-01", "2026-09-01", null, [4]], ["4.1", false],'
    ' ["6.1", true, null, null, null, []]], "routes": [null, null], "evidence": [1, 2, 3, 4]}'
)


RICKTER_HEADINGS = (
    "employment_training_education accommodation money relationships influence stress alcohol"
    " drugs health happiness"
).split()
RICKTER = json.dumps({h: 4 + i % 4 for i, h in enumerate(RICKTER_HEADINGS)})
RICKTER_DESIRED = json.dumps({h: 8 for h in RICKTER_HEADINGS})
FAMILY_STAR = json.dumps(
    {
        area: 3 + i % 6
        for i, area in enumerate(
            [
                "Physical health",
                "Your well-being",
                "Meeting emotional needs",
                "Keeping your children safe",
                "Social networks",
                "Education and learning",
                "Boundaries and behaviour",
                "Family routine",
                "Home and money",
                "Progress to work",
            ]
        )
    }
)


def add_claims_and_results() -> list[str]:
    """Claims and current nightly results like a running programme's, if the data has none, and
    outcome tool scores, if it has none. Returns what it added (the caller's transaction is
    rolled back at the end).

    Each is looked for on its own: the demo generator builds a claim batch and its nightly
    results, but no tool scores, and a run that found claims and so added no scores once timed
    the outcome tools report over nothing."""
    from assessments.models import ToolScore
    from outcomes.models import Claim, FamilyResult

    added = []
    if not (Claim.objects.exists() or FamilyResult.objects.exists()):
        _add_claims_and_results()
        added.append("claims and nightly results")
    if not ToolScore.objects.exists():
        _add_tool_scores()
        added.append("outcome tool scores")
    return added


def _add_claims_and_results() -> None:
    from django.db import connection
    from django.utils import timezone

    from outcomes.models import NightlyRun
    from outcomes.rules_version import RULES_VERSION

    today = timezone.localdate()
    run = NightlyRun.objects.create(
        as_of=today, trigger=NightlyRun.Trigger.COMMAND, started_at=timezone.now()
    )
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO outcomes_claimbatch (name, created_at, refused, sample_percent,"
            " sample_seed, submitted_on, window_closes, window_opens)"
            " VALUES ('Bench claims', now(), '[]', 10, 1, %s, %s, %s) RETURNING id",
            [today, today, today],
        )
        batch = cur.fetchone()[0]
        # A third of the attachments claimed, 300 days after attachment where that has come.
        cur.execute(
            "INSERT INTO outcomes_claim"
            " (batch_id, family_id, attachment_id, route, claimed_on, results_payment)"
            " SELECT %s, family_id, id, 1 + id %% 2, attached_on + 300, 800"
            " FROM outcomes_attachment WHERE id %% 3 = 0 AND attached_on + 300 <= %s",
            [batch, today],
        )
        # Each attached family's latest attachment judged: claimed, claimable, in progress, or
        # not claimable for one or two reasons.
        cur.execute(
            "INSERT INTO outcomes_familyresult (family_id, attachment_id, run_id, is_current,"
            " as_of, plan_version, digest, claim_status, reasons, problems,"
            " outcomes_sustained, outcomes_applying, decision, written_at, rules_version,"
            " sustained_outcomes, problems_achieved, problems_identified, processed)"
            " SELECT DISTINCT ON (a.family_id) a.family_id, a.id, %s, true, %s, 9, '',"
            "  CASE WHEN c.id IS NOT NULL THEN 'claimed'"
            "       WHEN a.id %% 4 = 1 THEN 'not_claimable'"
            "       WHEN a.id %% 4 = 2 THEN 'claimable' ELSE 'in_progress' END,"
            "  CASE WHEN c.id IS NOT NULL OR a.id %% 4 <> 1 THEN '{}'::varchar[]"
            "       WHEN a.id %% 16 < 4 THEN '{outcomes_not_met,moved_out_of_area}'"
            "       WHEN a.id %% 16 < 8 THEN '{work_outcome_not_met,disengaged}'"
            "       WHEN a.id %% 16 < 12 THEN '{no_assessment_or_action_plan,ineligible}'"
            "       ELSE '{other,outcomes_not_met}' END,"
            "  '{}', 0, 0, %s, now(), %s,"
            "  CASE a.id %% 3 WHEN 0 THEN '{1.1,3.2}'::varchar[] WHEN 1 THEN '{3.1}'"
            "       ELSE '{}' END,"
            "  CASE WHEN a.id %% 2 = 0 THEN '{1,2}'::varchar[] ELSE '{}' END,"
            "  CASE a.id %% 3 WHEN 0 THEN '{1,2,3}'::varchar[] WHEN 1 THEN '{2,4,6}'"
            "       ELSE '{3,5}' END,"
            "  c.id IS NOT NULL OR a.id %% 5 = 0"
            " FROM outcomes_attachment a LEFT JOIN outcomes_claim c ON c.attachment_id = a.id"
            " ORDER BY a.family_id, a.attached_on DESC, a.id DESC",
            [run.pk, today, DECISION, RULES_VERSION],
        )
        cur.execute("ANALYZE outcomes_claim")
        cur.execute("ANALYZE outcomes_familyresult")


def _add_tool_scores() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        # Outcome tool scores, as a service would hold them: for each attached episode, one
        # member's Rickter Lifeboard at the start (with desired scores) and at close, and the
        # family's Family Star at the start and at close.
        cur.execute(
            "INSERT INTO assessments_toolscore (tool, stage, scored_on, scores, desired,"
            " recorded_at, episode_id, person_id, plan_version_id, recorded_by_id)"
            " SELECT t.tool, t.stage, e.started_on + t.days,"
            "  CASE WHEN t.tool = 'rickter' THEN %s::jsonb ELSE %s::jsonb END,"
            "  CASE WHEN t.tool = 'rickter' AND t.stage = 'start' THEN %s::jsonb"
            "       ELSE '{}'::jsonb END,"
            "  now(), e.id, CASE WHEN t.tool = 'rickter' THEN m.person_id END, v.id, u.id"
            " FROM outcomes_attachment a JOIN cases_episode e ON e.id = a.episode_id"
            " JOIN LATERAL (SELECT person_id FROM cases_familymember fm"
            "               WHERE fm.family_id = e.family_id ORDER BY fm.id LIMIT 1) m ON true"
            " CROSS JOIN (VALUES ('rickter', 'start', 0), ('rickter', 'close', 200),"
            "                    ('family_star', 'start', 0), ('family_star', 'close', 200))"
            "            AS t(tool, stage, days)"
            " CROSS JOIN (SELECT id FROM outcomes_outcomesplanversion WHERE version = 9) v"
            " CROSS JOIN (SELECT id FROM earlyhelp_user WHERE username = 'programme') u"
            " ON CONFLICT DO NOTHING",
            [RICKTER, FAMILY_STAR, RICKTER_DESIRED],
        )
        cur.execute("ANALYZE assessments_toolscore")
        cur.execute("ANALYZE assessments_toolprogress")


def pages_to_time() -> list[Page]:
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from earlyhelp.models import Locality
    from outcomes.models import Attachment, ProgrammeYear
    from reports.registry import REPORTS

    everyone = manager_of_everyone()
    clients = {name: client_for(name) for name in ("programme", "manager", everyone)}
    year = ProgrammeYear.starting_in_year_of(timezone.localdate())
    partner = (
        Attachment.objects.values_list("lead_agency", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    locality = Locality.objects.order_by("pk").values_list("pk", flat=True).first()
    views = [
        ("programme", "programme", ""),
        ("programme, this year", "programme", f"?year={year}"),
        ("programme, busiest partner", "programme", f"?partner={partner}"),
        ("programme, a locality", "programme", f"?locality={locality}"),
        ("demo manager", "manager", ""),
        ("every team", everyone, ""),
    ]
    pages = [Page("/healthz", Client(), "/healthz")]
    for slug in REPORTS:
        for label, reader, query in views:
            pages.append(Page(f"{slug} ({label})", clients[reader], f"/reports/{slug}/{query}"))
    return pages


def run(requests: int, *, only: str = "") -> None:
    from django.db import transaction
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and no emails sent
    _vacuum()
    try:
        with transaction.atomic():
            added = add_claims_and_results()
            if added:
                print(f"Added for the run (rolled back after): {' and '.join(added)}")
            _time(requests, only)
            raise RolledBack
    except RolledBack:
        pass


def _vacuum() -> None:
    """Clear the dead rows earlier runs left in the tables a run writes to (each run's rows are
    rolled back, but stay in the tables and their indexes until vacuumed), so one run is timed
    as the next: at 50,000 families, ten runs' dead rows made the outcome tools report read
    five times the pages of its live rows."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in (
            "outcomes_claimbatch",
            "outcomes_claim",
            "outcomes_nightlyrun",
            "outcomes_familyresult",
            "assessments_toolscore",
            "assessments_toolprogress",
            "assessments_toollayout",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")


def _time(requests: int, only: str) -> None:
    pages = [
        page
        for page in pages_to_time()
        if page.label == "/healthz" or only.lower() in page.label.lower()
    ]
    timed(pages, requests, live_requests=requests)
    print_results(pages, requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=100, help="per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="earlyhelp_bench_home")
    parser.add_argument("--only", default="", help="time only pages whose label holds this")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to a PostgreSQL server (make bench does).", file=sys.stderr)
        return 2
    seconds, fresh = prepare(url, args.database, families=args.families, seed=args.seed)
    how = "seeded now" if fresh else "seeded earlier, reused"
    print(f"{args.families:,} demo families (seed {args.seed}, {how}) in {seconds:.0f}s")
    run(args.requests, only=args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
