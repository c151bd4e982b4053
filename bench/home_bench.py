"""Each role's home page, the families list, the searches and the caseload dashboard on demo
data: p95 beside /healthz's p95.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x python bench/home_bench.py \\
        [--families 50000] [--requests 100] [--seed 1] [--database earlyhelp_bench_home] \\
        [--only "families list"]

Uses its own database on DATABASE_URL's server (`earlyhelp_bench_home`), migrated and
seeded once with `seed_demo` and `demo.families.seed_families`, as bench/search_bench.py
does (a later run with the same seed, size and generator code reuses it). Each page is
requested through Django's test client as its role's demo user would (the manager with
their second factor), one request to each page in turn with `/healthz` among them, and
each page's p95 is printed with its ratio to /healthz's (issues 9 and 16: no page above
four times it) and its queries. The families list is asked for by every role, with and
without a search; person and family searches cycle through names drawn from the data
(common surnames come up as often as in life), misspelt too; the hub's queue with each of
its filters. `--only` times the pages whose label holds the text (and /healthz).
The dashboard serves its stored figures (cases/dashboards/stored.py); the "computed
live" rows time it computing them on every request, as it does when they are stale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import prepare  # noqa: E402  (the same database making, not copied)

AIM_RATIO = 4
DASHBOARD = "/dashboards/caseload/"


def client_for(username):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from earlyhelp.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    if user.needs_two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def busiest_lead() -> str:
    """The practitioner who leads the most open episodes: the heaviest practitioner home."""
    from django.db.models import Count, Q

    from earlyhelp.models import Role, User

    return (
        User.objects.filter(role=Role.PRACTITIONER)
        .annotate(n=Count("led_episodes", filter=Q(led_episodes__status="open")))
        .order_by("-n")
        .values_list("username", flat=True)
        .first()
    )


def manager_of_everyone() -> str:
    """A manager of every team that has practitioners: the widest manager pages (the demo
    manager keeps the teams seed_demo gave them)."""
    from django.db import connection

    from earlyhelp.models import Role, Team, User

    manager, _ = User.objects.get_or_create(
        username="bench-manager-all", defaults={"role": Role.MANAGER, "first_name": "Bench"}
    )
    manager.managed_teams.set(Team.objects.filter(members__isnull=False).distinct())
    with connection.cursor() as cursor:  # the statistics autovacuum would soon give
        cursor.execute(f"ANALYZE {User.managed_teams.through._meta.db_table}")
    return manager.username


@dataclass
class Page:
    label: str
    client: object
    url: str | list  # a list is asked for in turn, one URL a request
    live: bool = False  # the dashboard computes its figures on every request
    times: list = field(default_factory=list)
    queries: int = 0
    asked: int = 0

    def get(self):
        from django.test import override_settings

        urls = self.url if isinstance(self.url, list) else [self.url]
        url = urls[self.asked % len(urls)]
        self.asked += 1
        if self.live:
            with override_settings(DASHBOARD_FIGURES_MAX_AGE_MINUTES=0):
                return self.client.get(url)
        return self.client.get(url)


def timed(pages: list[Page], requests: int, live_requests: int) -> None:
    """Round robin: one request to each page in turn, so that a busy moment of a shared
    machine falls on every page alike, not on whichever page was being timed then."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        for _ in range(3):  # warm up: templates, connections, the dashboard's stored figures
            assert page.get().status_code == 200, page.url
        page.asked = 0
        with CaptureQueriesContext(connection) as queries:
            page.get()
        page.queries = len(queries)
    for i in range(requests):
        for page in pages:
            if page.live and i >= live_requests:
                continue
            started = time.perf_counter()
            response = page.get()
            page.times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, page.url


def search_urls(path: str, names: list[str]) -> list[str]:
    from urllib.parse import urlencode

    return [f"{path}?{urlencode({'q': name})}" for name in names]


def pages_to_time(seed: int) -> list[Page]:
    import random

    from django.test import Client
    from search_bench import realistic_queries

    from earlyhelp.models import Locality

    lead = busiest_lead()
    everyone = manager_of_everyone()
    clients = {
        name: client_for(name)
        for name in ("practitioner", "hub", "manager", "programme", "auditor", "admin")
    }
    clients[lead], clients[everyone] = client_for(lead), client_for(everyone)
    readers = [
        ("demo practitioner", "practitioner"),
        (lead, lead),
        ("hub", "hub"),
        ("demo manager", "manager"),
        ("every team", everyone),
        ("programme", "programme"),
        ("auditor", "auditor"),
    ]
    names = realistic_queries(random.Random(seed), 20)  # noqa: S311 (sampling)
    surnames = names["surname"] + names["misspelt surname"]
    locality = Locality.objects.order_by("pk").values_list("pk", flat=True).first()
    pages = [
        Page("/healthz", Client(), "/healthz"),
        Page(f"practitioner home ({lead})", clients[lead], "/"),
        Page("practitioner home (demo practitioner)", clients["practitioner"], "/"),
        Page("hub home", clients["hub"], "/"),
        Page("manager home (demo manager)", clients["manager"], "/"),
        Page("manager home (every team)", clients[everyone], "/"),
        Page("programme home", clients["programme"], "/"),
        Page("auditor home", clients["auditor"], "/"),
        Page("administrator home", clients["admin"], "/"),
    ]
    for label, name in readers:
        pages.append(Page(f"families list ({label})", clients[name], "/families/"))
        pages.append(Page(f"families list page 3 ({label})", clients[name], "/families/?page=3"))
    for label, name in [readers[0], readers[2], readers[4], readers[5]]:
        pages.append(
            Page(f"family search ({label})", clients[name], search_urls("/families/", surnames))
        )
        pages.append(
            Page(f"person search ({label})", clients[name], search_urls("/people/", surnames))
        )
        pages.append(
            Page(
                f"person search, full name ({label})",
                clients[name],
                search_urls("/people/", names["first and last name"]),
            )
        )
    for label, query in [
        ("", ""),
        (", allocated", "?status=allocated"),
        (", a locality", f"?locality={locality}"),
        (", the family's own", "?source=family"),
    ]:
        pages.append(Page(f"hub queue{label}", clients["hub"], f"/triage/{query}"))
    pages += [
        Page("dashboard (demo manager), 12 months", client_for("manager"), DASHBOARD),
        Page("dashboard (every team), 12 months", client_for(everyone), DASHBOARD),
        Page(
            "dashboard (every team), 36 months",
            client_for(everyone),
            DASHBOARD + "?start=2023-12&end=2026-11",
        ),
        # The figures as a page computes them when none are stored or they are stale (what
        # beat does every 10 minutes for each manager's default view): fewer requests.
        Page("dashboard (demo manager), computed live", client_for("manager"), DASHBOARD, True),
        Page("dashboard (every team), computed live", client_for(everyone), DASHBOARD, True),
    ]
    return pages


def run(requests: int, *, seed: int, only: str = "") -> None:
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and no emails sent
    pages = [
        page
        for page in pages_to_time(seed)
        if page.label == "/healthz" or only.lower() in page.label.lower()
    ]
    timed(pages, requests, live_requests=max(20, requests // 5))
    print_results(pages, requests)


def print_results(pages: list[Page], requests: int) -> None:
    """Each page's p50 and p95 and its p95 as a multiple of /healthz's, flagged over the aim."""
    results = {
        page.label: {
            "p50": statistics.median(page.times),
            "p95": statistics.quantiles(page.times, n=20, method="inclusive")[-1],
            "queries": page.queries,
            "n": len(page.times),
        }
        for page in pages
    }
    base = results["/healthz"]["p95"]
    print(f"\n{requests} requests each unless said (ms):")
    for label, result in results.items():
        ratio = result["p95"] / base
        flag = "" if ratio <= AIM_RATIO or label == "/healthz" else f"  <-- over {AIM_RATIO}x"
        print(
            f"  {label:<44} p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f}  "
            f"x{ratio:5.1f} of /healthz  {result['queries']:3d} queries"
            + (f", {result['n']} requests" if result["n"] != requests else "")
            + flag
        )


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
    run(args.requests, seed=args.seed, only=args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
