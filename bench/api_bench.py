"""How fast do bulk evidence files go in? Rows per second through the import service and the
partner API, beside a plain PostgreSQL COPY of the same rows into the same table, in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/api_bench.py

It makes its own database, `earlyhelp_bench_api` (dropped and made again each run), migrates
it, adds an agency whose consent covers 1,000 families, and sends 10,000 evidence rows three
ways, each with its own external ids so none is a resend: through `evidence_import` (what
the pages and the API call), through POST /api/v1/evidence/ with a client's token (JSON in,
per-row report out), and with COPY, which checks nothing the service checks (the gate,
members, kinds and values, resends) and writes no audit rows. The ratio is what those checks,
the audit and the change feed's triggers cost.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "earlyhelp_bench_api"
FAMILIES = 1_000


def bench_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + BENCH_DATABASE


def make_database(url: str) -> None:
    """Drop and make the bench database again, so every run starts from the same data."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    server = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    server.close()


def fill():
    """An agency with a client, and families whose consent shares their evidence with it."""
    from django.db import transaction

    from cases.models import Consent, Family, FamilyMember, Person
    from earlyhelp.models import Organisation, Team, User
    from partners.models import InformationSharingAgreement
    from partners.services import api_client_create

    with transaction.atomic():
        school = Organisation.objects.create(name="Bench Academy", kind="education", tier=3)
        team = Team.objects.create(organisation=school, name="Office")
        recorder = User.objects.create(username="bench-recorder", role="practitioner", team=team)
        new = api_client_create(
            organisation=school,
            name="Bench MIS",
            scopes=["evidence:write"],
            requests_per_minute=1_000_000,
        )
        InformationSharingAgreement.objects.create(
            name="Bench agreement", data_kinds=["summary", "evidence"], starts_on="2025-01-01"
        ).organisations.add(school)
        families = Family.objects.bulk_create(
            Family(reference=f"B{i:07d}", name=f"Bench{i} family") for i in range(FAMILIES)
        )
        people = Person.objects.bulk_create(
            Person(first_name=f"Child{i}", last_name=f"Bench{i}", date_of_birth=date(2012, 1, 1))
            for i in range(FAMILIES)
        )
        FamilyMember.objects.bulk_create(
            FamilyMember(family=f, person=p, role="child")
            for f, p in zip(families, people, strict=True)
        )
        consents = Consent.objects.bulk_create(
            Consent(
                person=p,
                family=f,
                kind="written",
                given_by="Parent",
                given_on=date(2026, 1, 5),
                covers=["summary", "evidence"],
                recorded_by=recorder,
            )
            for f, p in zip(families, people, strict=True)
        )
        Consent.agencies.through.objects.bulk_create(
            Consent.agencies.through(consent=c, organisation=school) for c in consents
        )
    return new, list(zip(families, people, strict=True))


def rows_for(households, count: int, prefix: str) -> list[dict]:
    return [
        {
            "family": family.reference,
            "person": person.pk,
            "kind": "fixed_term_exclusion",
            "period_start": f"2026-0{1 + i % 6}-{1 + i % 28:02d}",
            "values": {"days": 1 + i % 3},
            "source": "Bench Academy",
            "external_id": f"{prefix}-{i}",
        }
        for i, (family, person) in enumerate(households[j % len(households)] for j in range(count))
    ]


def copy_rows(rows: list[dict], households, client) -> None:
    """The same rows, already resolved to ids, straight into outcomes_evidence."""
    from django.db import connection

    ids = {family.reference: family.pk for family, _ in households}
    buffer = io.StringIO()
    for row in rows:
        buffer.write(
            "\t".join(
                [
                    str(ids[row["family"]]),
                    str(row["person"]),
                    row["kind"],
                    row["period_start"],
                    json.dumps(row["values"]),
                    row["source"],
                    row["external_id"],
                    "2026-11-01",
                    str(client.pk),
                    "now",
                ]
            )
            + "\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            'COPY outcomes_evidence (family_id, person_id, kind, period_start, "values",'
            " source, external_id, recorded_on, api_client_id, created_at) FROM STDIN",
            buffer,
        )


def timed(label: str, count: int, work) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    rate = count / seconds
    print(f"{label:46} {count:>7,} rows {seconds:>7.2f} s {rate:>10,.0f} rows/s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows per file")
    parser.add_argument("--turns", type=int, default=3, help="rounds of the three ways")
    parser.add_argument(
        "--profile", action="store_true", help="print where the import service's time goes"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to a PostgreSQL server (any database on it).", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = bench_url(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "earlyhelp.settings.test"  # ALLOWED_HOSTS for the client
    make_database(url)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from cases.gate import families_allowing
    from earlyhelp.access import Action
    from outcomes.models import Evidence
    from outcomes.services import evidence_import
    from partners.tests.clients import token_for

    call_command("migrate", verbosity=0)
    new, households = fill()
    cache.clear()
    user = new.client.user
    print(f"Bulk evidence benchmark: {args.rows:,} rows per file, {FAMILIES:,} families")

    def through_service(prefix="svc"):
        report = evidence_import(
            rows_for(households, args.rows, prefix),
            api_client=new.client,
            families=families_allowing(user, Action.ADD_EVIDENCE),
        )
        assert report.saved and len(report.created) == args.rows, report.problems[:3]

    token = token_for(new).json()["access_token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def through_api(prefix):
        body = json.dumps(rows_for(households, args.rows, prefix))
        return lambda: _post(body)

    def _post(body):
        response = api.post("/api/v1/evidence/", body, content_type="application/json")
        assert response.status_code == 201, response.content[:500]

    def through_copy(prefix):
        copied = rows_for(households, args.rows, prefix)

        def work():
            with transaction.atomic():
                copy_rows(copied, households, new.client)

        return work

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(through_service)
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(30)
        return 0
    # In turns, so that other work on a shared machine weighs on each way alike; the median
    # of each.
    rates = {"service": [], "api": [], "copy": []}
    for turn in range(args.turns):
        rates["service"].append(
            timed(
                "evidence_import (the service)", args.rows, lambda t=turn: through_service(f"s{t}")
            )
        )
        rates["api"].append(
            timed("POST /api/v1/evidence/ (JSON, token)", args.rows, through_api(f"a{turn}"))
        )
        rates["copy"].append(
            timed("PostgreSQL COPY (no checks, no audit)", args.rows, through_copy(f"c{turn}"))
        )
    assert Evidence.objects.count() == 3 * args.turns * args.rows
    service, endpoint, plain = (statistics.median(rates[k]) for k in ("service", "api", "copy"))
    print(
        f"Medians over {args.turns} turns: service {service:,.0f}, API {endpoint:,.0f},"
        f" COPY {plain:,.0f} rows/s"
    )
    print(f"COPY is {plain / service:.1f}x the import service, {plain / endpoint:.1f}x the API")
    print(
        f"The API writes {endpoint / plain:.0%} of COPY's rows per second (aim: at least 30%),"
        f" the service {service / plain:.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
