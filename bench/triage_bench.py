"""How fast is the hub's triage queue with 5,000 requests waiting? Prints p50 and p95 in ms.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/triage_bench.py

It makes its own database, `earlyhelp_bench_triage`, on the server DATABASE_URL names
(dropped and made again each run, so the figures always come from the same data; pass
`--reuse` to keep the data of the last run), migrates it, fills it in bulk, and then asks
for the queue as a hub user through Django's test client: the whole request, from the
middleware and the access gate to the rendered page, without a network in the way.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "earlyhelp_bench_triage"
WAITING = 5_000  # requests in the queue
DONE = 5_000  # older requests, decided long ago: the gate must see past them
TIMED = 60  # timed requests per page


def bench_url(url: str) -> str:
    import dj_database_url

    config = dj_database_url.parse(url)
    return url.rsplit("/", 1)[0] + "/" + BENCH_DATABASE if config["NAME"] else url


def make_database(url: str, *, reuse: bool) -> bool:
    """(Re)create the bench database; True when it must be filled."""
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
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
        exists = cursor.fetchone() is not None
        if exists and reuse:
            return False
        if exists:
            cursor.execute(f'DROP DATABASE "{BENCH_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    server.close()
    return True


def fill() -> None:
    """Localities, agencies, 10,000 families with a member each, their episodes and consent,
    5,000 requests waiting and 5,000 decided long ago, all in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from cases.models import Consent, Episode, Family, FamilyMember, Person, SupportRequest
    from demo.organisations import DISTRICTS
    from earlyhelp.models import Locality, Organisation, Team, User

    rng = random.Random(7)  # noqa: S311 -- the same bench data every run, not a secret
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        localities = [Locality.objects.create(name=name) for name in DISTRICTS]
        agencies = [
            Organisation.objects.create(name=name, kind=kind, tier=tier)
            for name, kind, tier in [
                ("Hall Primary", "education", 3),
                ("Leicestershire Partnership Trust", "health", 3),
                ("Leicestershire Police", "police", 3),
                ("Children's Social Care", "social_care", 1),
                ("Children and Family Wellbeing Service", "family_support", 2),
            ]
        ]
        team = Team.objects.create(organisation=agencies[-1], name="Family support")
        leads = [
            User.objects.create(username=f"lead{i}", role="practitioner", team=team)
            for i in range(40)
        ]
        User.objects.create(username="bench-hub", role="hub", first_name="Bench")
        recorder = leads[0]

        total = WAITING + DONE
        families = Family.objects.bulk_create(
            Family(
                reference=f"B{i:07d}",
                name=f"Bench{i} family",
                postcode="LE11 2AB",
                locality=localities[i % len(localities)],
            )
            for i in range(total)
        )
        people = Person.objects.bulk_create(
            Person(first_name=f"Child{i}", last_name=f"Bench{i}") for i in range(total)
        )
        FamilyMember.objects.bulk_create(
            FamilyMember(family=f, person=p, role="child")
            for f, p in zip(families, people, strict=True)
        )
        Episode.objects.bulk_create(
            [
                Episode(family=f, started_on=today, lead_practitioner=leads[i % len(leads)])
                for i, f in enumerate(families[:WAITING])
                if i % 10 == 0
            ]
            + [
                Episode(
                    family=f,
                    status="closed",
                    started_on=today - timedelta(days=300),
                    ended_on=today - timedelta(days=60),
                )
                for i, f in enumerate(families[:WAITING])
                if i % 10 == 5
            ]
        )
        Consent.objects.bulk_create(
            Consent(
                person=p,
                family=f,
                kind="verbal",
                given_by="Parent",
                given_on=today,
                chase_on=today + timedelta(days=14),
                covers=["summary"],
                recorded_by=recorder,
            )
            for i, (f, p) in enumerate(zip(families, people, strict=True))
            if i % 4 == 0
        )
        kinds = ["multi_agency"] * 8 + ["family", "step_down"]
        waiting = []
        for i, family in enumerate(families[:WAITING]):
            kind = rng.choice(kinds)
            allocating = i % 5 == 0
            waiting.append(
                SupportRequest(
                    family=family,
                    kind=kind,
                    status="awaiting_allocation" if allocating else "awaiting_triage",
                    received_at=now - timedelta(minutes=rng.randint(5, 30 * 24 * 60)),
                    triaged_at=now - timedelta(hours=1) if allocating else None,
                    source_agency=None if kind == "family" else rng.choice(agencies[:4]),
                    locality=family.locality,
                    referrer_name="A referrer",
                    reason="Bench request",
                )
            )
        done = [
            SupportRequest(
                family=family,
                status="closed",
                received_at=now - timedelta(days=90),
                triaged_at=now - timedelta(days=89),
                locality=family.locality,
                reason="Decided long ago",
            )
            for family in families[WAITING:]
        ]
        SupportRequest.objects.bulk_create(waiting + done, batch_size=2_000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client, path: str, params: dict) -> tuple[list[float], int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm the caches and the connection
        assert client.get(path, params).status_code == 200
    reset_queries()  # the log is a bounded deque: full, it would count nothing new
    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    queries = len(captured)  # now: the next request clears the log it reads from
    times = []
    for _ in range(TIMED):
        started = time.perf_counter()
        response = client.get(path, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the last run's data")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to a PostgreSQL server (any database on it).", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = bench_url(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "earlyhelp.settings.test"  # ALLOWED_HOSTS for the client
    started = time.perf_counter()
    fresh = make_database(url, reuse=args.reuse)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from cases.models import SupportRequest
    from earlyhelp.models import Locality, User

    if fresh:
        call_command("migrate", verbosity=0)
        fill()
    waiting = SupportRequest.objects.filter(status__in=SupportRequest.WAITING).count()
    print(
        f"Triage queue benchmark: {waiting:,} requests waiting, "
        f"{SupportRequest.objects.count() - waiting:,} decided, in {BENCH_DATABASE} "
        f"(set up in {time.perf_counter() - started:.0f} s)"
    )
    client = Client()
    client.force_login(User.objects.get(username="bench-hub"))
    queue = reverse("triage-queue")
    melton = Locality.objects.get(name="Melton").pk
    pages = [
        ("triage queue, first page", queue, {}),
        ("triage queue, one locality", queue, {"locality": melton}),
        (
            "triage queue, schools in one locality",
            queue,
            {"locality": melton, "source": "education"},
        ),
        ("triage queue, page 150", queue, {"page": 150}),
        ("hub home (counts by age)", reverse("home"), {}),
    ]
    print(f"{'page':40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    headline = None
    for label, path, params in pages:
        times, queries = timed(client, path, params)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18]
        headline = headline or p95
        print(f"{label:40} {len(times):>4} {p50:>8.1f} {p95:>8.1f} {max(times):>8.1f} {queries:>8}")
    print(f"p95 of the triage queue's first page with {waiting:,} waiting: {headline:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
