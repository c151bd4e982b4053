"""Each invariant of the simulated year fires when its rule is broken on purpose: the data is
broken by hand (never through a service, which would refuse), then the invariant is asked."""

from datetime import date, timedelta

import pgtrigger
import pytest
from django.db import connection

from cases.gate import family_for
from cases.models import Episode, LeadChange, StepDown, StepUp, SupportRequest, TafMember
from cases.tests.requesting import waiting_request
from earlyhelp.access import Relation
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import TeamFactory, UserFactory
from outcomes import nightly
from outcomes.models import Attachment, Claim, ClaimBatch, FamilyResult
from outcomes.tests.records import records_from
from outcomes.tests.test_nightly import AS_OF, _example
from simulation import invariants
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 1)


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", role="practitioner", team=TeamFactory())


def names(broken):
    return [b.family_id for b in broken]


def test_step_ups_and_step_downs_waiting_must_be_in_the_hubs_queue(users, lead):
    family = make_family("Nowak family", lead=lead)
    episode = Episode.objects.get(family=family)
    StepUp.objects.create(episode=episode, reason="Disclosure at school", requested_by=lead)
    stepped = make_family("Reid family")
    StepDown.objects.create(
        family=stepped, reason="CIN plan ended", handover="Mum engaging", requested_by=lead
    )
    assert invariants.requests_reach_a_decision(DAY, hub=users["hub"]) == []
    # Broken on purpose: a "hub" whose queue holds nothing, so neither is in it.
    broken = invariants.requests_reach_a_decision(DAY, hub=lead)
    assert sorted(names(broken)) == sorted([family.pk, stepped.pk])
    assert {b.message for b in broken} == {
        "a step-up waits but is not in the queue",
        "a step-down waits but is not in the queue",
    }


def test_a_request_left_awaiting_allocation_for_an_open_family_has_no_way_forward(users, lead):
    family = make_family("Nowak family", lead=lead)
    waiting_request(family=make_family("Reid family"))  # in the queue, triage available
    assert invariants.requests_reach_a_decision(DAY, hub=users["hub"]) == []
    waiting_request(family=family, status=SupportRequest.Status.AWAITING_ALLOCATION)
    assert names(invariants.requests_reach_a_decision(DAY, hub=users["hub"])) == [family.pk]


def test_a_second_open_episode_fires(lead):
    with connection.cursor() as cursor:  # the constraint stands behind the services: drop it
        cursor.execute(
            "ALTER TABLE cases_episode DROP CONSTRAINT IF EXISTS episode_one_open_per_family"
        )
        cursor.execute("DROP INDEX IF EXISTS episode_one_open_per_family")
    family = make_family("Nowak family", lead=lead)
    assert invariants.one_open_episode(DAY) == []
    Episode.objects.create(family=family, started_on=DAY, lead_practitioner=lead)
    assert names(invariants.one_open_episode(DAY)) == [family.pk]


def _lead_change(episode, on, to, by):
    return LeadChange.objects.create(
        episode=episode,
        changed_on=on,
        from_practitioner=episode.lead_practitioner,
        to_practitioner=to,
        reason="Moved",
        recorded_by=by,
    )


def test_a_back_dated_lead_change_overlaps(users, lead):
    family = make_family("Nowak family", lead=lead)  # its episode began on 1 September 2026
    episode = family.episodes.get()
    other = UserFactory(username="other", role="practitioner", team=lead.team)
    _lead_change(episode, date(2026, 9, 20), other, users["manager"])
    periods = invariants.lead_periods()
    assert invariants.lead_history_kept(DAY, periods=periods, yesterday={}) == []
    _lead_change(episode, date(2025, 1, 1), lead, users["manager"])  # before the episode began
    broken = invariants.lead_history_kept(DAY, periods=invariants.lead_periods(), yesterday={})
    assert family.pk in names(broken)


def test_a_past_lead_interval_rewritten_fires(users, lead):
    family = make_family("Nowak family", lead=lead)
    episode = family.episodes.get()
    other = UserFactory(username="other", role="practitioner", team=lead.team)
    change = _lead_change(episode, date(2026, 9, 20), other, users["manager"])
    yesterday = invariants.past_periods(DAY, invariants.lead_periods())
    assert yesterday[family.pk]  # Lead led 1 to 20 September: past
    periods = invariants.lead_periods()
    assert invariants.lead_history_kept(DAY, periods=periods, yesterday=yesterday) == []
    # The database refuses to change a past change (trigger `lead_change_past_kept`): pass it.
    with pgtrigger.ignore("cases.LeadChange:lead_change_past_kept"):
        LeadChange.objects.filter(pk=change.pk).update(changed_on=date(2026, 9, 10))
    broken = invariants.lead_history_kept(
        DAY, periods=invariants.lead_periods(), yesterday=yesterday
    )
    assert names(broken) == [family.pk]
    assert "rewritten" in broken[0].message


def test_a_read_without_its_audit_row_fires(lead):
    family = make_family("Nowak family", lead=lead)
    after = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    read = invariants.Read(lead.pk, family.pk, None, after)
    assert names(invariants.reads_audited(DAY, reads=[read])) == [family.pk]
    family_for(lead, family.pk)  # through the gate: audited
    assert invariants.reads_audited(DAY, reads=[read]) == []


def test_a_team_member_who_left_but_still_sees_the_family_fires(lead, monkeypatch):
    family = make_family("Nowak family", lead=lead)
    partner = UserFactory(username="partner", role="practitioner", team=TeamFactory())
    member = TafMember.objects.create(
        episode=family.episodes.get(), user=partner, joined_on=date(2026, 9, 2)
    )
    TafMember.objects.filter(pk=member.pk).update(left_on=DAY)
    assert invariants.access_ended(DAY) == []
    # A gate that forgot the date they left:
    monkeypatch.setattr(invariants, "relations_to", lambda user, family_id: {Relation.TAF})
    assert names(invariants.access_ended(DAY)) == [family.pk]


@pytest.fixture
def judged(users):
    made = records_from(_example(), by=users["programme"])
    nightly.nightly_run(as_of=AS_OF)
    return made


def test_a_stored_result_unlike_the_engines_fires(judged):
    assert invariants.nightly_matches_engine(AS_OF) == []
    FamilyResult.objects.filter(family=judged.family).update(digest="0" * 32)
    assert names(invariants.nightly_matches_engine(AS_OF)) == [judged.family.pk]


def _claim(made, attachment, on, by):
    batch = ClaimBatch.objects.create(
        name=f"Batch {on} {attachment.pk}",
        created_by=by,
        window_opens=on - timedelta(days=10),
        window_closes=on + timedelta(days=10),
        submitted_on=on,
        sample_seed=1,
        sample_percent=10,
    )
    return Claim.objects.create(
        batch=batch,
        family=made.family,
        attachment=attachment,
        route=2,
        claimed_on=on,
        results_payment=800,
    )


def test_a_claim_before_the_family_was_claimable_fires(judged, users):
    _claim(judged, judged.attachment, AS_OF, users["programme"])  # judged claimable that night
    assert invariants.claims_once_and_claimable(AS_OF) == []
    result = FamilyResult.objects.get(family=judged.family, is_current=True)
    early = result.claimable_since - timedelta(days=1)
    Claim.objects.filter(family=judged.family).update(claimed_on=early)
    assert names(invariants.claims_once_and_claimable(early)) == [judged.family.pk]


def test_a_family_claimed_twice_fires(judged, users):
    on = AS_OF
    _claim(judged, judged.attachment, on, users["programme"])
    episode = Episode.objects.create(
        family=judged.family, started_on=AS_OF, ended_on=AS_OF, status="closed"
    )
    again = Attachment.objects.create(
        family=judged.family,
        episode=episode,
        attached_on=AS_OF,
        lead_agency=judged.attachment.lead_agency,
        attached_by=users["programme"],
        plan_version=judged.attachment.plan_version,
    )
    _claim(judged, again, on, users["programme"])
    assert judged.family.pk in names(invariants.claims_once_and_claimable(on))


def test_a_report_that_does_not_reconcile_with_the_records_fires(judged, users):
    day = judged.attachment.attached_on
    assert invariants.reports_reconcile(day, reader=users["programme"]) == []
    # A reader the report counts none for, while the records hold the attachment:
    assert invariants.reports_reconcile(day, reader=users["practitioner"]) != []
