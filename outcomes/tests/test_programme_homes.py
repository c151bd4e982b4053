"""The programme team's and auditors' home pages: their work lists from the nightly results,
each list a fixed number of queries whatever its length."""

from datetime import date

import pytest
from django.urls import reverse

from earlyhelp.models import AuditEntry
from outcomes import nightly
from outcomes.claim_batches import audit_verdict_record
from outcomes.models import AuditSampleItem
from outcomes.tests.records import records_from
from outcomes.tests.test_attachment import attachable
from outcomes.tests.test_claim_batches import builder_terms, submit  # noqa: F401 (autouse)
from outcomes.tests.test_claims import good

pytestmark = pytest.mark.django_db

NIGHT = date(2019, 8, 15)


def families(users, n, **kw):
    return [records_from(good(as_of=NIGHT, **kw), by=users["programme"]).family for _ in range(n)]


def test_the_programme_home_lists_its_work(users, client_for):
    claimable = families(users, 2)
    ruled_out = families(users, 1, working={"whole_family_assessment": False})
    candidate, _ = attachable(users)
    nightly.nightly_run(as_of=NIGHT)
    submit(users, claimable[:1], seed=1)
    html = client_for("programme").get(reverse("home")).content.decode()
    claimable_list = html.split('id="claimable"')[1].split("</table>")[0]
    assert claimable[1].name in claimable_list and "New" in claimable_list
    assert html.count(f'href="/families/{claimable[0].pk}/"') == 0  # claimed: off the list
    not_claimable = html.split('id="not-claimable"')[1].split("</ul>")[0]
    assert f"/families/{ruled_out[0].pk}/" in not_claimable
    assert "No assessment or action plan" in not_claimable
    awaiting = html.split('id="attachments-awaiting"')[1].split("</ul>")[0]
    assert reverse("programme-attach", args=[candidate.pk]) in awaiting
    assert "1 verdict to come" in html.split('id="open-batches"')[1]
    # One audit row names exactly the families the lists show.
    home = AuditEntry.objects.filter(user=users["programme"], action="home")
    assert home.count() == 1
    assert set(home.get().listed_family_ids) == {claimable[1].pk, ruled_out[0].pk, candidate.pk}


def test_the_auditor_home_lists_the_sample_awaiting_a_verdict(users, client_for):
    claimable = families(users, 2)
    nightly.nightly_run(as_of=NIGHT)
    batch = submit(users, claimable, seed=1)
    item = AuditSampleItem.objects.get(batch=batch)
    auditor = client_for("auditor")
    html = auditor.get(reverse("home")).content.decode()
    assert reverse("audit-verdict", args=[batch.pk, item.family_id]) in html
    home = AuditEntry.objects.filter(user=users["auditor"], action="home")
    assert list(home.values_list("listed_family_ids", flat=True)) == [[item.family_id]]
    audit_verdict_record(item=item, verdict="agree", reason="", by=users["auditor"])
    html = auditor.get(reverse("home")).content.decode()
    assert "No sampled family awaits a verdict" in html


def _count(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_work_lists_run_a_fixed_number_of_queries(
    users, client_for, django_assert_max_num_queries
):
    programme, auditor = client_for("programme"), client_for("auditor")
    counts = {"programme": [], "auditor": []}
    for n in (1, 4):
        made = families(users, n) + families(users, n, working={"named_lead_worker": False})
        attachable(users)
        nightly.nightly_run(as_of=NIGHT)
        submit(users, made[:n], seed=n, percent=100)
        counts["programme"].append(_count(programme, django_assert_max_num_queries))
        counts["auditor"].append(_count(auditor, django_assert_max_num_queries))
    assert counts["programme"][0] == counts["programme"][1], counts
    assert counts["auditor"][0] == counts["auditor"][1], counts
