"""Evidence pages through the access gate, and administrators' plan versions."""

import json
from datetime import date

import pytest
from django.db import transaction
from django.db.utils import InternalError
from django.urls import reverse

from cases.models import TafMember
from earlyhelp.tests.factories import UserFactory
from outcomes.engine.kinds import BENEFITS
from outcomes.forms import _value_field
from outcomes.models import Evidence, OutcomesPlanVersion
from tests.worlds import make_family, open_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(users):
    return make_family("Evans family", members=2, lead=users["practitioner"])


def offence_form(family, **overrides):
    return {
        "person": family.memberships.first().person_id,
        "period_start": "2026-05-04",
        "value_proven": "true",
        "source": "Youth Offending Service",
        **overrides,
    }


def test_lead_practitioner_records_evidence_in_a_form(client_for, family):
    client = client_for("practitioner")
    chosen = client.get(reverse("evidence-add", args=[family.pk]), {"kind": "offence"})
    assert chosen.status_code == 302
    url = reverse("evidence-add-kind", args=[family.pk, "offence"])
    assert "When did it happen?" in client.get(url).content.decode()
    assert client.post(url, offence_form(family)).status_code == 302
    item = Evidence.objects.get()
    assert (item.kind, item.values, item.period_start) == (
        "offence",
        {"proven": True},
        date(2026, 5, 4),
    )
    listing = client.get(reverse("evidence-list", args=[family.pk])).content.decode()
    assert "Youth Offending Service" in listing and "Proven: Yes" in listing
    assert "proven: True" not in listing and "4 May 2026" in listing  # words, not keys and codes


def test_benefits_are_named_as_people_write_them(client_for, family):
    page = client_for("practitioner").get(
        reverse("evidence-add-kind", args=[family.pk, "benefit_claim"])
    )
    html = page.content.decode()
    assert "Income Support" in html and "Universal Credit" in html
    assert "Work-related conditions" in html
    assert _value_field("benefit", BENEFITS, True).choices == [
        ("JSA", "JSA"),
        ("ESA", "ESA"),
        ("IS", "Income Support"),
        ("UC", "Universal Credit"),
    ]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"period_start": "2099-01-01"}, "The date cannot be in the future"),
        ({"period_start": "2026-02-31"}, "The date it happened must be a real date"),
        ({"value_proven": ""}, "Select proven"),
        ({"source": ""}, "Say where the evidence came from"),
        ({"person": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_evidence_gets_an_error_summary_and_saves_nothing(
    client_for, family, overrides, message
):
    url = reverse("evidence-add-kind", args=[family.pk, "offence"])
    response = client_for("practitioner").post(url, offence_form(family, **overrides))
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page and message in page
    assert not Evidence.objects.exists()


def test_an_unknown_kind_is_not_a_page(client_for, family):
    response = client_for("practitioner").get(
        reverse("evidence-add", args=[family.pk]), {"kind": "burglary"}
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_a_correction_keeps_the_original(client_for, family):
    client = client_for("practitioner")
    client.post(reverse("evidence-add-kind", args=[family.pk, "offence"]), offence_form(family))
    original = Evidence.objects.get()
    url = reverse("evidence-correct", args=[original.pk])
    shown = client.get(url).content.decode()
    assert all(f'value="{part}"' in shown for part in ("4", "5", "2026"))
    assert client.post(url, offence_form(family, value_proven="false")).status_code == 302
    original.refresh_from_db()
    assert original.superseded_by.values == {"proven": False}
    assert "Corrected" in client.get(reverse("evidence-list", args=[family.pk])).content.decode()


def test_a_school_on_the_team_adds_attendance_for_a_term(client_for, users):
    family = make_family("Ali family", members=1)
    episode = open_episode(family, UserFactory(role="practitioner"))
    TafMember.objects.create(episode=episode, user=users["practitioner"], joined_on="2026-09-01")
    url = reverse("evidence-add-kind", args=[family.pk, "school_attendance"])
    data = {
        "person": family.memberships.first().person_id,
        "value_term": "2026 summer",
        "value_possible_sessions": "120",
        "value_sessions_attended": "100",
        "value_authorised_absence": "8",
        "value_unexplained_absence": "12",
        "source": "Loughborough school census",
    }
    assert client_for("practitioner").post(url, data).status_code == 302
    item = Evidence.objects.get()
    assert item.values["term"] == "2026 summer" and item.period_start == date(2026, 4, 15)


def test_who_may_not_add_or_see_evidence(client_for, users, family):
    from outcomes.models import Attachment

    Attachment.objects.create(
        family=family,
        episode=family.episodes.get(),
        attached_on="2026-10-01",
        lead_agency=users["practitioner"].team.organisation,
        attached_by=users["programme"],
        plan_version=OutcomesPlanVersion.objects.get(version=9),
    )
    programme = client_for("programme")
    assert programme.get(reverse("evidence-list", args=[family.pk])).status_code == 200
    # The programme team brings in evidence for attached families (issue 10's evidence files)…
    assert programme.get(reverse("evidence-add", args=[family.pk])).status_code == 200
    # …and for no other family.
    other = make_family("Unattached family", lead=users["practitioner"])
    assert programme.get(reverse("evidence-add", args=[other.pk])).status_code == 404
    manager = client_for("manager")
    users["manager"].managed_teams.add(users["practitioner"].team)
    assert manager.get(reverse("evidence-list", args=[family.pk])).status_code == 200
    assert manager.get(reverse("evidence-add", args=[family.pk])).status_code == 403
    assert client_for("hub").get(reverse("evidence-list", args=[family.pk])).status_code == 404


def test_a_published_version_never_changes_in_the_database():
    version = OutcomesPlanVersion.objects.get(version=9)
    with pytest.raises(InternalError), transaction.atomic():
        OutcomesPlanVersion.objects.filter(pk=version.pk).update(title="Changed")
    with pytest.raises(InternalError), transaction.atomic():
        OutcomesPlanVersion.objects.filter(pk=version.pk).delete()


def test_administrator_copies_edits_and_publishes_a_version(client_for):
    admin = client_for("administrator")
    assert admin.post(reverse("plan-copy", args=[9])).status_code == 302
    draft = OutcomesPlanVersion.objects.get(version=10)
    assert draft.status == "draft" and draft.copied_from.version == 9
    edit = reverse("plan-edit", args=[10])

    bad_json = admin.post(edit, {"definition": "{not json"})
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.content.decode()
    too_deep = admin.post(edit, {"definition": '{"a": ' + "[" * 100_000})
    assert too_deep.status_code == 400 and "nested more than 32 levels" in too_deep.content.decode()
    broken = dict(draft.definition)
    del broken["headline_problems"]
    bad_plan = admin.post(edit, {"definition": json.dumps(broken)})
    assert bad_plan.status_code == 400 and "headline_problems" in bad_plan.content.decode()

    changed = dict(draft.definition, title="Leicester's Family Outcomes Plan, local changes")
    assert admin.post(edit, {"definition": json.dumps(changed)}).status_code == 302
    publish = reverse("plan-publish", args=[10])
    too_early = admin.post(publish, {"effective_from": "2018-01-01"})
    assert "must take effect after it" in too_early.content.decode()
    assert admin.post(publish, {"effective_from": "2019-03-01"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.title) == ("published", changed["title"])
    assert admin.get(edit).status_code == 302  # published: never edited again


def test_only_administrators_change_the_plan(client_for):
    assert client_for("programme").post(reverse("plan-copy", args=[9])).status_code == 403
    page = client_for("programme").get(reverse("plan-detail", args=[9])).content.decode()
    assert "1.1" in page and "Copy to a new draft" not in page
