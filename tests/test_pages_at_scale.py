"""Every page issue 16 times runs a fixed number of queries, whatever the data holds.

Each page is asked for by each demo role on generated demo data, then again after more than
twice as many families were added: the number of queries must be the one written here both
times (a query per row would show as a different number). The pages are those
`bench/home_bench.py` and `bench/family_page_bench.py` time against /healthz: every role's home
page (a manager of every team too), the families list for every role, family and person
search, the hub's queue with its filters, the caseload dashboard as served, and a family's
page (tests/test_family_story.py counts it again as its chronology grows from 5 to 100).
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Episode
from conftest import sign_in
from demo.families import seed_families
from demo.organisations import seed_demo
from earlyhelp.models import Role, Team, User

pytestmark = pytest.mark.django_db

# (who, page, queries). Who is a demo username; "everyone" is a manager of every team.
# /families/ reads its filters' options (one query); a person search reads the known names
# like the words typed before their bearers, and the other names of those it shows (two).
PAGES = [
    # Issue 18: + the service settings (the caseload target, the review interval), read once;
    # + verbal consents awaiting their written form; + the families a social worker holds.
    ("practitioner", "/", 13),
    # The hub's home counts step-ups and step-downs beside requests (issue 18: one queue).
    ("hub", "/", 12),
    # Issue 18: + the service settings; + families waiting for the manager to name their lead;
    # + single-service responses with no named lead.
    ("manager", "/", 13),
    ("everyone", "/", 13),
    ("programme", "/", 8),
    ("auditor", "/", 5),
    ("admin", "/", 6),
    ("practitioner", "/families/", 8),
    ("hub", "/families/", 6),
    ("manager", "/families/", 7),
    ("everyone", "/families/", 7),
    ("programme", "/families/", 6),
    ("auditor", "/families/", 6),
    ("practitioner", "/families/?q={surname}", 10),
    ("everyone", "/families/?status=open", 7),
    ("practitioner", "/families/?status=closed", 8),
    ("hub", "/families/?q={surname}", 8),
    ("everyone", "/people/?q={surname}", 9),
    ("hub", "/people/?q={surname}", 8),
    ("practitioner", "/people/?q={first}+{surname}", 10),
    # The queue is a UNION of requests, step-ups and step-downs: counted, then paged.
    ("hub", "/triage/", 7),
    ("hub", "/triage/?status=allocated", 7),
    ("hub", "/triage/?status=awaiting_triage", 7),
    ("manager", "/dashboards/caseload/", 8),
    ("everyone", "/dashboards/caseload/", 8),
    # The demo practitioner's first case: attached, so the page shows its signed-off
    # assessment and explains its nightly result (its snapshot reads steps up and down too);
    # its outcome tool scores bring their plan version with them, and with none no plan is read;
    # the explanation in words names the family's people (`outcomes.wording`, issue 18).
    ("practitioner", "/families/{family}/", 35),
]


def clients() -> dict:
    everyone, _ = User.objects.get_or_create(
        username="everyone", defaults={"role": Role.MANAGER, "first_name": "Every"}
    )
    everyone.managed_teams.set(Team.objects.all())
    names = {who for who, _, _ in PAGES}
    return {name: sign_in(Client(), User.objects.get(username=name)) for name in names}


def words() -> dict:
    """Names to search for: each searcher's must match someone they may see, at both sizes
    (a search that finds nobody skips the queries for what it would show)."""
    from cases.gate import persons_visible_to

    found = {}
    for who in ("practitioner", "hub", "everyone"):
        person = persons_visible_to(User.objects.get(username=who)).order_by("pk").first()
        found[who] = (person.first_name, person.last_name)
    family = (
        Episode.objects.filter(lead_practitioner__username="practitioner", status="open")
        .order_by("pk")
        .values_list("family_id", flat=True)
        .first()
    )
    return {"names": found, "family": family}


def queries_of(clients_by_name, fill: dict) -> dict:
    """Each page's number of queries, each page asked for once before it is counted (so the
    dashboard serves its stored figures, as it does but for one request in 15 minutes)."""
    counted = {}
    for who, page, _expected in PAGES:
        first, surname = fill["names"].get(who, ("", ""))
        url = page.format(first=first, surname=surname, family=fill["family"])
        client = clients_by_name[who]
        assert client.get(url).status_code == 200, (who, url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (who, url)
        counted[(who, page)] = len(queries)
    return counted


def test_every_page_runs_the_same_queries_with_more_than_twice_the_families():
    seed_demo(password="demo-password-1")
    seed_families(families=60, seed=21)
    by_name = clients()
    fill = words()
    small = queries_of(by_name, fill)

    seed_families(families=140, seed=22)
    large = queries_of(by_name, fill)

    assert small == large
    assert small == {(who, page): n for who, page, n in PAGES}
