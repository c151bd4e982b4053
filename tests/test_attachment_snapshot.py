"""Attachment and the nightly job judge a family on the same records: one snapshot builder
(`outcomes.snapshots.family_snapshots`) reads the household and the evidence for both."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outcomes.models import Evidence
from outcomes.programme import attachment_check, attachment_create, candidate_snapshot
from outcomes.snapshots import snapshots_for
from outcomes.tests.test_attachment import attachable
from partners.models import ApiClient

pytestmark = pytest.mark.django_db


def test_a_family_is_judged_on_the_same_records_before_and_after_attachment(users):
    """One builder: the candidate the attachment page judges and the attached family the nightly
    job judges have the same household and evidence, each item naming who recorded it."""
    family, episode = attachable(users)
    person = family.memberships.order_by("pk").first().person
    client = ApiClient.objects.create(
        organisation=episode.lead_practitioner.team.organisation, name="School census feed"
    )
    today = timezone.localdate()
    for by, api_client in ((episode.lead_practitioner, None), (None, client)):
        Evidence.objects.create(
            family=family,
            person=person,
            kind="asb_intervention",
            period_start=today - timedelta(days=20),
            period_end=today - timedelta(days=20),
            values={"intervention": "acceptable behaviour contract"},
            source="Police",
            recorded_on=today - timedelta(days=10),
            recorded_by=by,
            api_client=api_client,
        )
    check = attachment_check(family)
    before = candidate_snapshot(family, episode, check, check.plan_version.plan)
    attachment_create(family=family, by=users["programme"])
    after = snapshots_for([family.pk], as_of=today)[family.pk]
    assert before.attachment is None and after.attachment is not None
    assert len(before.members) == 2 and before.members == after.members
    assert before.evidence == after.evidence
    assert [e.recorded_by for e in before.evidence] == [
        "Police",
        "Early help",
        episode.lead_practitioner.username,
        "School census feed",
    ]
    assert [(p.indicator, p.stage) for p in before.problems_identified] == [
        (p.indicator, p.stage) for p in after.problems_identified
    ]
