"""Step-ups and step-downs recorded in the service are evidence for outcome 6.2, with no feed.

Seed 002, Appendix One, version 9, outcome 6.2: "CIN or CP cases closed or stepped down to Early
Help Services with no subsequent re-referrals to Social Care for 3 months". An accepted
step-down closes the family's social care cases; an accepted step-up is a re-referral.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.models import StepDecision, StepDown, StepUp
from earlyhelp.tests.factories import UserFactory
from outcomes.snapshots import snapshots_for

from .builders import check_outcome, family
from .records import records_from

LONDON = ZoneInfo("Europe/London")
AS_OF = date(2019, 9, 30)


@pytest.fixture
def social_worker(db):
    return UserFactory(username="sw", role="practitioner")


def _decided(on: str) -> datetime:
    # Half past midnight in London is the day before in UTC: the snapshot reads the local day.
    return datetime.fromisoformat(on).replace(hour=0, minute=30, tzinfo=LONDON)


def _stepped(made, by, *, down: str, up: str | None):
    StepDown.objects.create(
        family=made.family,
        reason="Needs can be met by early help",
        handover="Handover",
        requested_by=by,
        status=StepDecision.ACCEPTED,
        decided_by=by,
        decided_at=_decided(down),
    )
    if up is not None:
        StepUp.objects.create(
            episode=made.attachment.episode,
            reason="Risk rose again",
            requested_by=by,
            status=StepDecision.ACCEPTED,
            decided_by=by,
            decided_at=_decided(up),
        )
    # Asked for and never accepted: no evidence of anything.
    StepUp.objects.create(
        episode=made.attachment.episode,
        reason="Asked, not decided",
        requested_by=by,
        status=StepDecision.PENDING,
    )


@pytest.mark.parametrize(
    ("up", "sustained"),
    [
        pytest.param(
            "2019-07-01",
            False,
            id="6.2 a step-up within 3 months after the step-down blocks 'no subsequent "
            "re-referrals to Social Care for 3 months'",
        ),
        pytest.param("2019-08-15", True, id="6.2 a step-up after the 3 months does not"),
    ],
)
def test_step_ups_and_downs_judge_outcome_6_2(social_worker, up, sustained):
    made = records_from(family(), by=social_worker)
    _stepped(made, social_worker, down="2019-05-01", up=up)
    snapshot = snapshots_for([made.family.pk], as_of=AS_OF)[made.family.pk]
    steps = [e for e in snapshot.evidence if e.kind == "social_care_event"]
    assert [(e.values["event"], e.period_start, e.person_id) for e in steps] == [
        ("step_down", date(2019, 5, 1), None),
        ("step_up", date.fromisoformat(up), None),
    ]
    assert {e.recorded_by for e in steps} == {"early help service"}
    result = check_outcome(snapshot, "6.2")
    assert result.applies
    assert result.sustained is sustained
