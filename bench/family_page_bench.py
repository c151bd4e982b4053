"""How fast is the family page of a family with a long story, in a database of many families?

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/family_page_bench.py [--families 50000] [--requests 200]

Standalone: it sets Django up itself and works in a database of its own,
`earlyhelp_bench_family_page`, on the server DATABASE_URL names (never in the database the URL
names), creating and migrating it if needed; it loads its data once (a re-run reuses them,
topping up the other families if asked for more). It makes one family with 500 chronology
entries — case notes, actions and their updates, meetings, reviews, the team, the assessment's
history, tool scores — and up to `--families` other families with a member, an open episode,
two case notes and an action each, all by bulk insert. Then it asks for that family's page as
its lead practitioner through Django's test client, in turn with `/healthz`, and prints the
p50, p95 and worst times of each, the page's p95 as a multiple of /healthz's (issue 16's aim:
at most 4×) and the number of queries. Without DATABASE_URL it uses `make test`'s server (or
the embedded one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "earlyhelp_bench_family_page"
AIM_RATIO = 4
BENCH_REFERENCE = "B0000000"
ENTRIES = 500
BATCH = 5_000


def database_url(name: str = BENCH_DATABASE) -> str:
    """The bench's own database on the server DATABASE_URL (or `make test`) names."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        from earlyhelp.devtools import database_for_test

        url = database_for_test()[0]
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(url: str) -> None:
    from earlyhelp.devtools import ensure_database

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    ensure_database(urlunsplit(parts._replace(path="/postgres")), name)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- data -------------------------------------------------------------------------------------


def bench_people():
    from earlyhelp.models import Organisation, Role, Team, User

    def agency(name, kind):
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "tier": Organisation.default_tier(kind)}
        )
        team, _ = Team.objects.get_or_create(organisation=organisation, name=f"{name} team")
        return team

    def user(username, team, role=Role.PRACTITIONER):
        found, _ = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "team": team, "first_name": username.title(), "email": ""},
        )
        return found

    support = agency("Bench Family Support", "family_support")
    lead = user("bench-lead", support)
    partners = [
        user("bench-school", agency("Bench School", "education")),
        user("bench-health", agency("Bench Health Visiting", "health")),
        user("bench-police", agency("Bench Police", "police")),
    ]
    leads = [user(f"bench-practitioner-{i}", support) for i in range(200)]
    return lead, partners, leads


def make_bench_family(lead, partners):
    """One family whose chronology holds exactly ENTRIES entries."""
    from assessments.models import AssessmentStatusChange, ToolScore
    from cases.models import (
        CaseNote,
        Consent,
        Episode,
        Family,
        FamilyMember,
        Person,
        PlanAction,
        PlanActionUpdate,
        PlanReview,
        TafMeeting,
        TafMember,
    )
    from outcomes.models import OutcomesPlanVersion
    from tests.episode_worlds import write_assessment

    today = date.today()
    family = Family.objects.create(reference=BENCH_REFERENCE, name="Benchmark family")
    for i, role in enumerate(["parent_carer", "parent_carer", "child", "child"]):
        person = Person.objects.create(
            first_name=f"Bench{i}", last_name="Family", date_of_birth=date(1985 + 8 * i, 1, 1)
        )
        FamilyMember.objects.create(family=family, person=person, role=role)
    started = today - timedelta(days=400)
    episode = Episode.objects.create(
        family=family,
        started_on=started,
        lead_practitioner=lead,
        lead_agency=lead.team.organisation,
    )
    Consent.objects.create(
        person=family.memberships.first().person,
        family=family,
        kind="written",
        given_by="Bench0 Family",
        given_on=started,
        covers=["summary", "casework"],
        recorded_by=lead,
    ).agencies.add(lead.team.organisation)
    assessment = write_assessment(episode, status="signed_off")
    for status in ("submitted", "returned", "submitted", "signed_off"):  # 4 entries
        AssessmentStatusChange.objects.create(assessment=assessment, status=status, by=lead)
    for partner in partners:  # 3 entries
        TafMember.objects.create(episode=episode, user=partner, joined_on=started)
    version = OutcomesPlanVersion.objects.get(version=9)
    ToolScore.objects.create(  # 1 entry
        episode=episode,
        tool="family_star",
        stage="start",
        scored_on=started,
        plan_version=version,
        scores={area: 4 for area in version.plan.family_star_areas},
        recorded_by=lead,
    )
    actions = PlanAction.objects.bulk_create(  # 75 entries
        PlanAction(
            episode=episode,
            what=f"Action {i}",
            owner=partners[i % 3],
            due_on=today + timedelta(days=i),
            need="1.1",
            created_by=lead,
        )
        for i in range(75)
    )
    PlanActionUpdate.objects.bulk_create(  # 75 entries
        PlanActionUpdate(action=a, status="in_progress", note="Under way", by=a.owner)
        for a in actions
    )
    TafMeeting.objects.bulk_create(  # 40 entries
        TafMeeting(
            episode=episode,
            held_on=started + timedelta(days=10 * i),
            decisions="Decisions",
            recorded_by=lead,
        )
        for i in range(40)
    )
    PlanReview.objects.bulk_create(  # 30 entries
        PlanReview(
            episode=episode,
            held_on=started + timedelta(days=13 * i),
            progress="Progress",
            recorded_by=lead,
        )
        for i in range(30)
    )
    made = 1 + 4 + 3 + 1 + 75 + 75 + 40 + 30  # with the episode's opening
    CaseNote.objects.bulk_create(
        CaseNote(
            episode=episode,
            kind=["visit", "call", "contact"][i % 3],
            happened_on=started + timedelta(days=i % 400),
            text=f"Case note {i}: " + "what happened, who was there, what was agreed. " * 4,
            written_by=[lead, *partners][i % 4],
        )
        for i in range(ENTRIES - made)
    )
    return family


def top_up_families(wanted: int, leads) -> int:
    """Other families, by bulk insert, until there are `wanted` besides the bench family."""
    from cases.models import CaseNote, Episode, Family, FamilyMember, Person, PlanAction

    have = Family.objects.exclude(reference=BENCH_REFERENCE).count()
    today = date.today()
    made = 0
    for start in range(have, wanted, BATCH):
        size = min(BATCH, wanted - start)
        families = Family.objects.bulk_create(
            Family(reference=f"B{start + i + 1:07d}", name=f"Family {start + i + 1}")
            for i in range(size)
        )
        people = Person.objects.bulk_create(
            Person(first_name="Other", last_name=f"Person{f.pk}", date_of_birth=date(2012, 1, 1))
            for f in families
        )
        FamilyMember.objects.bulk_create(
            FamilyMember(family=f, person=p, role="child")
            for f, p in zip(families, people, strict=True)
        )
        episodes = Episode.objects.bulk_create(
            Episode(
                family=f,
                started_on=today - timedelta(days=(f.pk % 300)),
                lead_practitioner=leads[f.pk % len(leads)],
                lead_agency_id=leads[0].team.organisation_id,
            )
            for f in families
        )
        CaseNote.objects.bulk_create(
            CaseNote(
                episode=e,
                kind="visit",
                happened_on=e.started_on,
                text="A visit",
                written_by=e.lead_practitioner,
            )
            for e in episodes
            for _ in range(2)
        )
        PlanAction.objects.bulk_create(
            PlanAction(
                episode=e,
                what="An action",
                due_on=today,
                created_by=e.lead_practitioner,
            )
            for e in episodes
        )
        made += size
        print(f"  {start + size:,} other families", flush=True)
    return made


# --- the measurement ---------------------------------------------------------------------------


def _summary(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, int(round(0.95 * len(times))) - 1)],
        "worst": times[-1],
    }


def measure(family, lead, requests: int) -> dict:
    """The family page and /healthz, one request to each in turn (so that a busy moment of a
    shared machine falls on both alike): their times, and the page's queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    setup_test_environment()  # the test client's host, and no emails sent
    client = Client()
    client.force_login(lead)
    health = Client()
    url = reverse("family-detail", args=[family.pk])
    for _ in range(5):  # warm up: templates, the plan's parse, connections
        assert client.get(url).status_code == 200
        assert health.get("/healthz").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # read now: the log is reset at each later request
    times, health_times = [], []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        started = time.perf_counter()
        assert health.get("/healthz").status_code == 200
        health_times.append((time.perf_counter() - started) * 1000)
    return {**_summary(times), "queries": query_count, "healthz": _summary(health_times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=50_000, help="other families to hold")
    parser.add_argument("--requests", type=int, default=200, help="page requests to time")
    parser.add_argument("--database", default=BENCH_DATABASE)
    args = parser.parse_args()

    url = database_url(args.database)
    create_database(url)
    started = time.perf_counter()
    setup_django(url)

    from django.db import transaction

    from cases.models import Family
    from workspace.chronology import chronology

    lead, partners, leads = bench_people()
    family = Family.objects.filter(reference=BENCH_REFERENCE).first()
    if family is None:
        with transaction.atomic():
            family = make_bench_family(lead, partners)
        print("Made the benchmark family.")
    made = top_up_families(args.families, leads)
    if made:
        from django.db import connection

        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
            cursor.execute("ANALYZE")
    others = Family.objects.exclude(reference=BENCH_REFERENCE).count()
    entries = chronology(family.pk).count()
    print(
        f"Data: the benchmark family with {entries} chronology entries, and {others:,} other "
        f"families ({made:,} made now), each with a member, an open episode, two case notes "
        f"and an action; set up in {time.perf_counter() - started:.0f}s."
    )
    result = measure(family, lead, args.requests)
    health = result["healthz"]
    ratio = result["p95"] / health["p95"]
    print(
        f"/healthz, {args.requests} requests: p50 {health['p50']:.1f} ms, "
        f"p95 {health['p95']:.1f} ms, worst {health['worst']:.1f} ms.\n"
        f"Family page for its lead practitioner, {args.requests} requests: "
        f"p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, worst {result['worst']:.1f} ms, "
        f"x{ratio:.1f} of /healthz's p95, {result['queries']} queries."
        + ("" if ratio <= AIM_RATIO else f"  <-- over {AIM_RATIO}x")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
