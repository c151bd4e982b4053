"""Name search over 50,000 demo families: how long a search page's queries take, p50/p95/max.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x python bench/search_bench.py \\
        [--families 50000] [--queries 200] [--seed 1] [--database earlyhelp_bench]

Uses its own database on DATABASE_URL's server (`earlyhelp_bench`), migrated and
seeded once with demo.families; a later run with the same seed, size and generator
code reuses it, anything else starts it afresh. Searches run through cases.people.selectors
exactly as the pages will, for a hub user (the access gate narrows the rows)
and unrestricted (the same ranking over everyone) as a baseline, with queries
a practitioner types: surnames drawn from the data (common ones more often),
the same misspelt, and first and last names together.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from earlyhelp.devtools import ensure_database  # noqa: E402  (needs ROOT on the path)

TARGET_P95_MS = 150


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(with_database(url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The test settings: DEBUG off, so Django neither keeps every query's SQL
    # during the bulk load nor times queries through its debug cursor.
    os.environ["DJANGO_SETTINGS_MODULE"] = "earlyhelp.settings.test"
    import django

    django.setup()


def generator_version() -> str:
    """A fingerprint of the demo generator's code: data from older code is not reused."""
    sources = sorted((ROOT / "cases").glob("demo*.py"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]


def loaded_with() -> tuple | None:
    """(seed, families, generator version, seconds) of the load in this database, if any."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed"
            " (seed int, families int, generator text, seconds float)"
        )
        cur.execute("SELECT seed, families, generator, seconds FROM bench_seed")
        return cur.fetchone()


def load(families: int, seed: int) -> float:
    from django.db import connection
    from tqdm import tqdm

    from demo.families import seed_families
    from demo.organisations import seed_demo

    seed_demo(password="bench-password")
    started = time.monotonic()
    with tqdm(total=families, desc="Seeding", unit=" families", file=sys.stderr) as bar:
        seed_families(families=families, seed=seed, progress=bar.update)
    seconds = time.monotonic() - started
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would soon give
        cur.execute(
            "INSERT INTO bench_seed VALUES (%s, %s, %s, %s)",
            [seed, families, generator_version(), seconds],
        )
    return seconds


def prepare(url: str, name: str, *, families: int, seed: int) -> tuple[float, bool]:
    """Migrate and seed the benchmark database; returns (seeding seconds, freshly seeded)."""
    from django.core.management import call_command
    from django.db import connection

    ensure_database(with_database(url, "postgres"), name)
    setup_django(with_database(url, name))
    call_command("migrate", verbosity=0)
    previous = loaded_with()
    if previous and previous[:3] == (seed, families, generator_version()):
        return previous[3], False
    if previous or _has_families():
        print(f"{name} holds another seed, size or generator; loading afresh", file=sys.stderr)
        connection.close()
        drop_database(url, name)
        ensure_database(with_database(url, "postgres"), name)
        call_command("migrate", verbosity=0)
        loaded_with()
    return load(families, seed), True


def _has_families() -> bool:
    from cases.models import Family

    return Family.objects.exists()


def realistic_queries(rng: random.Random, count: int, user) -> dict[str, list[str]]:
    """Searches for people `user` may see, drawn from the data so that common surnames come up
    as often as in life: names (whole, misspelt, with a first name), dates of birth, postcodes
    and NHS numbers. Also returns the people sought, in the same order."""
    from cases.gate import persons_visible_to
    from demo.people import typo

    visible = persons_visible_to(user).filter(date_of_birth__isnull=False)
    ids = list(visible.filter(merged_into__isnull=True).values_list("pk", flat=True))
    chosen = visible.in_bulk(rng.sample(ids, min(count, len(ids))))
    people = [chosen[pk] for pk in sorted(chosen)]
    return people, {
        "surname": [p.last_name for p in people],
        "misspelt surname": [typo(rng, p.last_name) for p in people],
        "first and last name": [f"{p.first_name} {p.last_name}" for p in people],
        "surname and birth date": [f"{p.last_name} {p.date_of_birth:%d/%m/%Y}" for p in people],
        "date of birth": [f"{p.date_of_birth:%d/%m/%Y}" for p in people],
        "postcode": [p.postcode.replace(" ", "").lower() for p in people if p.postcode],
        "NHS number": [p.nhs_number for p in people if p.nhs_number],
    }


def timed(search, queries: list[str]) -> tuple[list[float], list]:
    times, results = [], []
    for query in queries:
        started = time.perf_counter()
        rows, _ = search(query)
        times.append((time.perf_counter() - started) * 1000)
        results.append(rows)
    return times, results


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def summary(times: list[float]) -> str:
    flag = "" if p95(times) <= TARGET_P95_MS else f"  <-- p95 over {TARGET_P95_MS} ms"
    return (
        f"p50 {statistics.median(times):6.1f}  p95 {p95(times):6.1f}  max {max(times):6.1f} ms"
        f"{flag}"
    )


def run(queries_per_kind: int, seed: int, families: int) -> None:
    from cases.models import Episode
    from cases.people import selectors
    from earlyhelp.models import Locality, User

    hub = User.objects.get(username="hub")
    manager = User.objects.filter(role="manager").first()
    rng = random.Random(seed)  # noqa: S311 (sampling)
    sought, queries = realistic_queries(rng, queries_per_kind, hub)

    def persons(q):
        return selectors.person_search(user=hub, query=q)

    def families_named(q):
        return selectors.family_search(user=hub, query=q)

    leads = list(
        Episode.objects.filter(status="open", lead_practitioner__isnull=False)
        .values_list("lead_practitioner", flat=True)
        .distinct()[:50]
    )
    localities = list(Locality.objects.values_list("pk", flat=True))
    filters = [
        {"lead": rng.choice(leads)} if leads and i % 3 == 0 else {} for i in range(queries_per_kind)
    ]
    for i, chosen in enumerate(filters):
        if i % 3 == 1 and localities:
            chosen["locality"] = rng.choice(localities)
        if i % 3 == 2:
            chosen["status"] = rng.choice(["open", "unallocated", "closed", "none"])

    def filtered(index):
        return selectors.family_list(user=manager or hub, filters=filters[int(index)])

    for search in (persons, families_named):  # warm the caches, as a running service's are
        timed(search, queries["surname"][:20])
    print(f"\n{queries_per_kind} queries of each kind, one page of 25 (ms), as the hub:")
    every = []
    for query_kind, texts in queries.items():
        times, results = timed(persons, texts)
        every += times
        line = f"  person search  {query_kind:<24} {summary(times)}"
        if query_kind == "misspelt surname":
            wanted = queries["surname"]
            found = sum(
                any(r.last_name == w for r in rows) for rows, w in zip(results, wanted, strict=True)
            )
            line += f"  (right surname on page 1: {found / len(wanted):.0%})"
        if query_kind in ("first and last name", "surname and birth date"):
            found = sum(p in rows for rows, p in zip(results, sought, strict=True))
            line += f"  (the person sought on page 1: {found / len(sought):.0%})"
        print(line)
    for query_kind in ("surname", "misspelt surname"):
        times, _ = timed(families_named, queries[query_kind])
        every += times
        print(f"  family search  {query_kind:<24} {summary(times)}")
    times, _ = timed(filtered, [str(i) for i in range(len(filters))])
    print(f"  families list  {'filtered':<24} {summary(times)}  (as {manager or hub})")
    print(f"\nSearch p95 at {families:,} families: {p95(every):.1f} ms (every search above)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind of query")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="earlyhelp_bench")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to a PostgreSQL server (make bench does).", file=sys.stderr)
        return 2
    seconds, fresh = prepare(url, args.database, families=args.families, seed=args.seed)
    how = "seeded now" if fresh else "seeded earlier, reused"
    print(f"{args.families:,} demo families (seed {args.seed}, {how}) in {seconds:.0f}s")
    run(args.queries, args.seed, args.families)
    return 0


if __name__ == "__main__":
    sys.exit(main())
