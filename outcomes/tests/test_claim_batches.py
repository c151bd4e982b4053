"""Claim batches (DOMAIN §8): claimable families claimed once, each re-checked on the date the
batch is submitted; the internal-audit sample's size and reproducibility; auditors' verdicts."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Family, Notification
from outcomes import claim_batches, nightly
from outcomes.claim_batches import audit_sample, claim_batch_submit
from outcomes.engine.plan import ClaimWindow
from outcomes.models import (
    AuditSampleItem,
    Claim,
    ClaimBatch,
    Evidence,
    FamilyChange,
    FamilyResult,
    ProgrammeYear,
)
from outcomes.selectors import run_changes
from outcomes.tests.builders import event
from outcomes.tests.records import records_from, school_terms_as_the_builders_name_them
from outcomes.tests.test_claims import good

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def builder_terms(db):
    """The engine builders' school terms (named as the evidence names them), in the records."""
    school_terms_as_the_builders_name_them()


WINDOW = ClaimWindow(date(2019, 9, 1), date(2019, 9, 30))
NIGHT = date(2019, 8, 15)  # the "good" family is claimable since 20 July 2019
SUBMITTED = date(2019, 9, 16)


def claimable_families(users, n):
    made = [records_from(good(as_of=NIGHT), by=users["programme"]) for _ in range(n)]
    nightly.nightly_run(as_of=NIGHT)
    return [m.family for m in made]


def submit(users, families, **kw):
    kw.setdefault("submitted_on", SUBMITTED)
    return claim_batch_submit(
        window=WINDOW, family_ids=[f.pk for f in families], by=users["programme"], **kw
    )


# --- the sample's size and reproducibility --------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "percent", "size"),
    [
        (1, 10, 1),  # at least one family
        (5, 10, 1),
        (10, 10, 1),
        (11, 10, 2),  # 1.1 rounds up: never below the percentage
        (20, 10, 2),
        (21, 10, 3),
        (100, 10, 10),
        (10, 25, 3),  # configurable: 2.5 rounds up
        (4, 100, 4),
        (0, 10, 0),  # an empty batch has no sample
    ],
)
def test_sample_size_is_the_percentage_rounded_up_and_at_least_one(claims, percent, size):
    ids = list(range(1000, 1000 + claims))
    sample = audit_sample(ids, seed=7, percent=percent)
    assert len(sample) == size
    assert set(sample) <= set(ids)


def test_the_same_seed_gives_the_same_sample_and_another_seed_another():
    ids = list(range(1, 51))
    first = audit_sample(ids, seed=20190916, percent=10)
    assert audit_sample(list(reversed(ids)), seed=20190916, percent=10) == first
    assert audit_sample(ids, seed=20190917, percent=10) != first


def test_a_batch_claims_every_claimable_family_and_samples_them_reproducibly(users):
    families = claimable_families(users, 11)
    batch = submit(users, families, seed=42)
    claims = Claim.objects.filter(batch=batch)
    assert claims.count() == 11
    assert {c.claimed_on for c in claims} == {SUBMITTED}
    assert {(c.route, c.results_payment) for c in claims} == {(1, 800)}
    assert batch.sample_percent == 10 and batch.refused == []
    sampled = sorted(
        AuditSampleItem.objects.filter(batch=batch).values_list("family_id", flat=True)
    )
    assert len(sampled) == 2  # 10% of 11, rounded up
    # The same batch always gives the same sample: re-drawn from its claims and seed.
    redrawn = audit_sample(
        claims.values_list("family_id", flat=True), seed=batch.sample_seed, percent=10
    )
    assert redrawn == sampled


def test_a_batch_marks_its_families_and_the_pages_say_claimed_until_the_night_does(
    users, client_for
):
    claimed, unclaimed = claimable_families(users, 2)
    submit(users, [claimed])
    # The claim marked its family to be judged again (the trigger on outcomes_claim)…
    assert set(FamilyChange.objects.values_list("family_id", flat=True)) == {claimed.pk}
    # …and until the night does, the pages that show the result say what the batch says.
    programme = client_for("programme")
    pack = programme.get(reverse("evidence-pack", args=[claimed.pk])).content.decode()
    assert 'id="decision">Claimed on 16 September 2019' in pack
    family_page = programme.get(reverse("family-detail", args=[claimed.pk])).content.decode()
    assert 'govuk-tag--grey">Claimed</strong>' in family_page
    other = programme.get(reverse("evidence-pack", args=[unclaimed.pk])).content.decode()
    assert 'id="decision">Claimable since' in other

    run = nightly.nightly_run(as_of=SUBMITTED)
    assert run.results_written >= 1
    current = dict(
        FamilyResult.objects.filter(is_current=True).values_list("family_id", "claim_status")
    )
    assert current[claimed.pk] == "claimed"
    # The night's changes list it as claimed, not as "no longer claimable".
    changes = run_changes(run, user=users["programme"])
    assert [row.family_id for row, _ in changes.claimed] == [claimed.pk]
    assert claimed.pk not in [row.family_id for row, _ in changes.no_longer_claimable]
    pack = programme.get(reverse("evidence-pack", args=[claimed.pk])).content.decode()
    assert 'id="decision">Claimed on 16 September 2019' in pack


def test_the_sample_percentage_is_the_programme_years(users):
    families = claimable_families(users, 3)
    # The batch is submitted on 16 September 2019, in the programme year 2019 to 2020.
    ProgrammeYear.objects.filter(starts_in=2019).update(audit_sample_percent=50)
    ProgrammeYear.objects.filter(starts_in=2018).update(audit_sample_percent=20)
    batch = submit(users, families)
    assert batch.sample_percent == 50
    assert AuditSampleItem.objects.filter(batch=batch).count() == 2  # 1.5 rounded up


# --- valid on the date submitted; never claimed twice -------------------------------------------


def test_a_family_no_longer_claimable_on_the_submission_date_is_refused(users):
    still, slipped = claimable_families(users, 2)
    # After last night's run: an anti-social behaviour warning on 20 September breaks outcome 2.2.
    late = event("asb_intervention", "P1", "2019-09-20", intervention="warning")
    Evidence.objects.create(
        family=slipped,
        person=None,
        kind=late.kind,
        period_start=late.period_start,
        period_end=late.period_end,
        values=late.values,
        source="Police",
        recorded_on=late.recorded_on,
    )
    batch = submit(users, [still, slipped], submitted_on=date(2019, 9, 25))
    assert list(Claim.objects.filter(batch=batch).values_list("family_id", flat=True)) == [still.pk]
    (refusal,) = batch.refused
    assert refusal["family_id"] == slipped.pk
    assert "Outcome 2.2" in refusal["reasons"][0]
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", refusal["reasons"][0])  # dates in words
    # Submitted the day before the warning, it would still have been claimable.
    earlier = submit(users, [slipped], submitted_on=date(2019, 9, 19))
    assert Claim.objects.get(batch=earlier).family == slipped


def test_a_claimed_family_is_never_claimed_twice(users):
    (family,) = claimable_families(users, 1)
    submit(users, [family])
    with pytest.raises(ValidationError, match="Not a claimable family you may claim for"):
        submit(users, [family])
    assert Claim.objects.filter(family=family).count() == 1
    assert ClaimBatch.objects.count() == 1  # the refused batch left nothing behind


def test_two_batches_racing_for_one_family_claim_it_once(users, monkeypatch):
    raced, other = claimable_families(users, 2)
    fresh = claim_batches._fresh_results

    def another_batch_claims_first(family_ids, submitted_on):
        answers = fresh(family_ids, submitted_on)
        rival = ClaimBatch.objects.create(
            name="Rival",
            window_opens=WINDOW.opens,
            window_closes=WINDOW.closes,
            submitted_on=submitted_on,
            sample_seed=1,
            sample_percent=10,
        )
        Claim.objects.create(
            batch=rival,
            family=raced,
            attachment=raced.attachments.get(),
            route=1,
            claimed_on=submitted_on,
            results_payment=800,
        )
        return answers

    monkeypatch.setattr(claim_batches, "_fresh_results", another_batch_claims_first)
    batch = submit(users, [raced, other])
    assert list(Claim.objects.filter(batch=batch).values_list("family_id", flat=True)) == [other.pk]
    assert batch.refused[0]["family_id"] == raced.pk
    assert "already been made" in batch.refused[0]["reasons"][0]
    assert Claim.objects.filter(family=raced).count() == 1


@pytest.mark.parametrize(
    ("submitted_on", "accepted"),
    [
        (date(2019, 8, 31), False),  # the day before the window opens
        (date(2019, 9, 1), True),  # the day it opens
        (date(2019, 9, 30), True),  # the day it closes
        (date(2019, 10, 1), False),  # the day after
    ],
)
def test_the_submission_date_must_be_in_the_window(users, submitted_on, accepted):
    families = claimable_families(users, 1)
    if accepted:
        assert submit(users, families, submitted_on=submitted_on).claims.count() == 1
    else:
        with pytest.raises(ValidationError, match="within the claim window"):
            submit(users, families, submitted_on=submitted_on)
        assert not Claim.objects.exists()


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def on_20_september_2019(monkeypatch):
    """Today is 20 September 2019: the form offers the windows of 2018 to 2019 and 2019 to 2020."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2019, 9, 20))


def test_building_a_batch_in_pages(users, client_for, on_20_september_2019):
    families = claimable_families(users, 2)
    programme = client_for("programme")
    preview = programme.get(
        reverse("claim-batch-build"),
        {
            "window": "2019-09-01",
            "submitted_on_day": "16",
            "submitted_on_month": "9",
            "submitted_on_year": "2019",
        },
    )
    assert preview.status_code == 200
    for family in families:
        assert family.reference in preview.content.decode()
    response = programme.post(
        reverse("claim-batch-build"),
        {
            "window": "2019-09-01",
            "submitted_on_day": "16",
            "submitted_on_month": "9",
            "submitted_on_year": "2019",
            "families": [str(f.pk) for f in families],
        },
    )
    batch = ClaimBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claim-batch-detail", args=[batch.pk])
    detail = programme.get(response["Location"]).content.decode()
    assert "2 claims, £1,600" in detail
    assert programme.get(reverse("claim-batch-list")).content.decode().count(batch.name) == 1


def test_a_submission_date_outside_the_window_is_a_form_error(
    users, client_for, on_20_september_2019
):
    claimable_families(users, 1)
    response = client_for("programme").get(
        reverse("claim-batch-build"),
        {
            "window": "2019-09-01",
            "submitted_on_day": "2",
            "submitted_on_month": "10",
            "submitted_on_year": "2019",
        },
    )
    assert response.status_code == 400
    assert "The submission date must be within the window" in response.content.decode()


def test_the_form_offers_the_windows_of_this_programme_year_and_the_last(client_for):
    """Issue 17: "The claim batch form offers the windows of the current and previous programme
    year" (the real today: the demo is dated now, not in 2019), those open or closed by today:
    a claim cannot be submitted in the future."""
    today = timezone.localdate()
    starts_in = today.year if today.month >= 4 else today.year - 1
    page = client_for("programme").get(reverse("claim-batch-build")).content.decode()
    offered = set(re.findall(r'name="window" type="radio" value="(\d{4}-\d\d-\d\d)"', page))
    offered |= set(re.findall(r'type="radio" name="window" value="(\d{4}-\d\d-\d\d)"', page))
    expected = {
        f"{year + later}-{month:02d}-01"
        for year in (starts_in - 1, starts_in)
        for later, month in ((0, 6), (0, 9), (1, 1), (1, 3))
        if date(year + later, month, 1) <= today  # not a window that has not opened yet
    }
    assert offered == expected


def test_auditors_do_not_build_batches(client_for):
    assert client_for("auditor").get(reverse("claim-batch-build")).status_code == 403


# --- verdicts -------------------------------------------------------------------------------------


def _sampled(users):
    families = claimable_families(users, 11)
    batch = submit(users, families, seed=3)
    sampled = set(batch.sample.values_list("family_id", flat=True))
    inside = Family.objects.get(pk=min(sampled))
    outside = Family.objects.exclude(pk__in=sampled).filter(pk__in=[f.pk for f in families])[0]
    return batch, inside, outside


def test_an_auditor_agrees_or_disagrees_with_a_reason(users, client_for):
    batch, inside, _ = _sampled(users)
    auditor = client_for("auditor")
    url = reverse("audit-verdict", args=[batch.pk, inside.pk])
    missing = auditor.post(url, {"verdict": "disagree", "reason": " "})
    assert missing.status_code == 400
    assert "Enter why the evidence does not support the claim" in missing.content.decode()
    assert AuditSampleItem.objects.get(batch=batch, family=inside).verdict == ""
    done = auditor.post(url, {"verdict": "disagree", "reason": "Attendance feed is for 2018"})
    assert done.status_code == 302
    item = AuditSampleItem.objects.get(batch=batch, family=inside)
    assert (item.verdict, item.verdict_reason, item.verdict_by) == (
        "disagree",
        "Attendance feed is for 2018",
        users["auditor"],
    )
    again = auditor.post(url, {"verdict": "agree"})
    assert again.status_code == 400 and "already recorded" in again.content.decode()
    assert AuditSampleItem.objects.get(pk=item.pk).verdict == "disagree"


def test_a_claim_audit_disagrees_with_is_withdrawn_from_the_batch(users, client_for):
    """DOMAIN §8: "Internal audit verifies a representative sample … before submission": a
    claim the auditor finds unsupported leaves the batch, its total and the reports; the batch
    says why, whoever built it is told, and the attachment may be claimed again."""
    batch, inside, _ = _sampled(users)
    before = Claim.objects.filter(batch=batch).count()
    client_for("auditor").post(
        reverse("audit-verdict", args=[batch.pk, inside.pk]),
        {"verdict": "disagree", "reason": "Attendance feed is for 2018"},
    )
    assert Claim.objects.filter(batch=batch).count() == before - 1
    assert not Claim.objects.filter(family=inside).exists()
    batch.refresh_from_db()
    assert {
        "family_id": inside.pk,
        "family": inside.name,
        "reasons": ["Withdrawn after internal audit: Attendance feed is for 2018"],
    } in batch.refused
    told = Notification.objects.get(user=users["programme"], kind="claim_withdrawn")
    assert inside.name in told.message and "Attendance feed is for 2018" in told.message
    page = client_for("programme").get(reverse("claim-batch-detail", args=[batch.pk]))
    figures = f"{before - 1} claims, £{(before - 1) * 800:,}"
    assert figures in page.content.decode()
    # The auditor sees the whole batch's figures, and that they see only their part of it.
    audited = client_for("auditor").get(reverse("claim-batch-detail", args=[batch.pk]))
    assert figures in audited.content.decode()
    # The verdict stays on the sample; the family may be claimed again (it is still judged
    # claimable by its records, so the next batch's audit will see it again if sampled).
    assert AuditSampleItem.objects.get(batch=batch, family=inside).verdict == "disagree"
    nightly.nightly_run(as_of=SUBMITTED)
    assert FamilyResult.objects.get(family=inside, is_current=True).claim_status == "claimable"


def test_verdicts_only_by_auditors_on_sampled_families(users, client_for):
    batch, inside, outside = _sampled(users)
    # The programme team sees the family (attached) but may not give a verdict.
    url = reverse("audit-verdict", args=[batch.pk, inside.pk])
    assert client_for("programme").post(url, {"verdict": "agree"}).status_code == 403
    # An auditor cannot reach a family outside the sample at all.
    outside_url = reverse("audit-verdict", args=[batch.pk, outside.pk])
    assert client_for("auditor").post(outside_url, {"verdict": "agree"}).status_code == 404
    assert client_for("practitioner").post(url, {"verdict": "agree"}).status_code == 404
    assert not AuditSampleItem.objects.exclude(verdict="").exists()
