"""A family's outcomes and claim status through the API: what the nightly job left, behind the
same gate as the family's evidence."""

from datetime import date

import pytest

from cases.models import Episode
from earlyhelp.models import AuditEntry
from outcomes import nightly
from outcomes.tests.records import records_from
from outcomes.tests.test_nightly import _example
from partners.services import api_client_create
from tests.worlds import make_family

from .clients import api, share_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(school):
    return api_client_create(organisation=school, name="Outcomes reader", scopes=["outcomes:read"])


def test_a_client_reads_the_outcomes_of_a_family_it_shares_evidence_with(school, reader, users):
    made = records_from(_example(), by=users["programme"])
    share_with(school, made.family)
    client = api(reader)
    path = f"/api/v1/families/{made.family.pk}/outcomes/"
    before = client.get(path).json()
    assert (before["judged"], before["claim_status"], before["outcomes"]) == (False, None, [])

    nightly.nightly_run(as_of=date(2019, 9, 30))
    body = client.get(path).json()
    assert body["judged"] and body["family"] == made.family.reference
    assert (body["claim_status"], body["claimable_since"], body["claim_route"]) == (
        "claimable",
        "2019-07-15",
        2,
    )
    assert "3.1" in {o["outcome"] for o in body["outcomes"]}
    assert body["explanation"].startswith(f"Family {made.family.pk}, as of 30 September 2019")
    assert (body["explanation_matches"], body["notice"]) == (True, "")

    # Records changed since the night (the family had moved away before it): the decision
    # stays as taken, and the explanation says it is worked out from today's records.
    Episode.objects.filter(family=made.family).update(
        ended_on=date(2019, 6, 1), status="closed", closure_reason="moved_out_of_area"
    )
    later = client.get(path).json()
    assert (later["claim_status"], later["explanation_matches"]) == ("claimable", False)
    assert later["notice"].startswith("The records have changed since this result was worked out")
    assert "Not claimable" in later["explanation"]
    assert AuditEntry.objects.filter(
        family_id=made.family.pk, api_client=reader.client, outcome="allowed"
    ).exists()


def test_outcomes_of_a_family_not_shared_read_as_missing(school, reader, users):
    made = records_from(_example(), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 9, 30))
    client = api(reader)
    hidden = client.get(f"/api/v1/families/{made.family.pk}/outcomes/")
    missing = client.get("/api/v1/families/987654321/outcomes/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"]
    assert "claim" not in hidden.content.decode()


def test_outcomes_need_their_scope(school):
    family = make_family("Scoped")
    share_with(school, family)
    narrow = api_client_create(organisation=school, name="Narrow", scopes=["evidence:read"])
    assert api(narrow).get(f"/api/v1/families/{family.pk}/outcomes/").status_code == 403
