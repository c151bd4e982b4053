"""The demo's results and claim batch never contradict each other (issue 17): every family in a
batch was claimable by the engine on the batch's submission date, every attachment's four
principles hold, and the batch page, the evidence pack, the programme home and the current
nightly result say the same of every attached family."""

import dataclasses
import re

import pytest
from django.test import Client

from conftest import sign_in
from demo.families import TODAY, seed_families
from demo.organisations import seed_demo
from earlyhelp.models import User
from outcomes.engine import evaluate
from outcomes.engine.plan import PRINCIPLES
from outcomes.engine.results import CLAIMABLE
from outcomes.models import (
    Attachment,
    AuditSampleItem,
    Claim,
    ClaimBatch,
    ClaimStatus,
    FamilyResult,
    OutcomesPlanVersion,
)
from outcomes.programme import attachment_check
from outcomes.snapshots import snapshots_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """The demo as `make run` loads it: 300 families, seed 1."""
    seed_demo(password="demo-password-1")
    return seed_families(families=300, seed=1)


def _family_ids(html: str, section_id: str, url: str) -> set[int]:
    """The families a page lists in the element with `section_id`, by their links."""
    match = re.search(rf'id="{section_id}".*?</(table|ul)>', html, re.S)
    return (
        {int(i) for i in re.findall(rf'href="/families/(\d+)/{url}"', match[0])} if match else set()
    )


def test_every_claimed_family_was_claimable_on_its_batchs_submission_date(demo):
    claims = list(Claim.objects.select_related("batch"))
    assert demo["claim_batch"] is not None and claims, "the demo's batch claims families"
    plan = OutcomesPlanVersion.objects.get(version=9).plan
    for claim in claims:
        on = claim.batch.submitted_on
        snapshot = snapshots_for([claim.family_id], as_of=on)[claim.family_id]
        # As the batch judged it: before its own claim was made.
        before = dataclasses.replace(
            snapshot,
            previous_claims=tuple(c for c in snapshot.previous_claims if c.claimed_on < on),
        )
        answer = evaluate(before, plan)
        assert answer.claim.status == CLAIMABLE, (claim.family, answer.missing)
    sampled = set(AuditSampleItem.objects.values_list("family_id", flat=True))
    assert sampled and sampled <= {c.family_id for c in claims}  # the sample is of claims


def test_every_attachment_holds_the_four_principles(demo):
    plan = OutcomesPlanVersion.objects.get(version=9).plan
    attachments = list(
        Attachment.objects.select_related("family", "episode__assessment").prefetch_related(
            "problems_identified"
        )
    )
    assert attachments
    for attachment in attachments:
        assert attachment.principles == dict.fromkeys(PRINCIPLES, True), attachment
        # …as the records show them: a signed-off assessment ticking what it is attached for…
        assessment = attachment.episode.assessment
        assert assessment.status == "signed_off", attachment
        assert assessment.signed_off_at.date() <= attachment.attached_on
        identified = {p.indicator for p in attachment.problems_identified.all()}
        assert len(identified) >= 2 and identified <= set(assessment.indicators), attachment
        # …and, for an open episode, the attachment page's own reading of them.
        if attachment.episode.status == "open":
            check = attachment_check(attachment.family, on=TODAY)
            assert [p.lacking for p in check.principles] == [()] * 4, attachment.family
    snapshots = snapshots_for([a.family_id for a in attachments], as_of=TODAY)
    for family_id, snapshot in snapshots.items():
        check = evaluate(snapshot, plan).attachment
        assert all(step.result for step in check.explanation), family_id


def test_the_batch_page_evidence_pack_programme_home_and_results_agree(demo):
    client = sign_in(Client(), User.objects.get(username="programme"))
    current = dict(
        FamilyResult.objects.filter(is_current=True).values_list("family_id", "claim_status")
    )
    assert set(current) == set(Attachment.objects.values_list("family_id", flat=True))
    claimed = set(Claim.objects.values_list("family_id", flat=True))

    on_batch_pages = set()
    for batch in ClaimBatch.objects.all():
        page = client.get(f"/claims/{batch.pk}/").content.decode()
        on_batch_pages |= _family_ids(page, "claims", "evidence-pack/")
    home = client.get("/").content.decode()
    home_claimable = _family_ids(home, "claimable", "")
    home_not_claimable = _family_ids(home, "not-claimable", "")

    status_of = {s: {f for f, c in current.items() if c == s} for s in ClaimStatus.values}
    assert on_batch_pages == claimed == status_of[ClaimStatus.CLAIMED]
    assert home_claimable == status_of[ClaimStatus.CLAIMABLE]
    assert home_not_claimable == status_of[ClaimStatus.NOT_CLAIMABLE]
    assert status_of[ClaimStatus.CLAIMABLE], "some are left for the demo's programme team"

    headline = {
        ClaimStatus.CLAIMED: "Claimed on",
        ClaimStatus.CLAIMABLE: "Claimable since",
        ClaimStatus.IN_PROGRESS: "In progress",
        ClaimStatus.NOT_CLAIMABLE: "Not claimable",
    }
    for family_id, status in current.items():
        pack = client.get(f"/families/{family_id}/evidence-pack/").content.decode()
        decision = re.search(r'id="decision">([^<]*)<', pack)[1]
        assert decision.startswith(headline[status]), (family_id, status, decision)
