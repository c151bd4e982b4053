"""The access table of DOMAIN §1, role by role: a family each role may see, one it may not
(404, absent from lists and counts), an action it may not take (403), and an audit row for
every allowed read and every refusal."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from assessments.models import WorkConversation
from cases.gate import (
    break_glass_grant,
    families_visible_to,
    family_for,
    family_record_for,
    person_for,
    person_offers,
    person_to_link,
    persons_visible_to,
    relations_to,
)
from cases.models import (
    CaseNote,
    Closure,
    Consent,
    DataKind,
    Episode,
    FamilyMember,
    Person,
    PlanAction,
    PossibleDuplicate,
    StepDown,
    StepUp,
    SupportRequest,
    TafMember,
)
from cases.people.matching import Match
from conftest import ROLES
from earlyhelp.access import Action, Relation, may_update_action
from earlyhelp.models import AuditEntry, BreakGlass
from earlyhelp.tests.factories import TeamFactory, UserFactory
from outcomes.models import (
    Attachment,
    AuditSampleItem,
    ClaimBatch,
    Evidence,
    FamilyResult,
    OutcomesPlanVersion,
)
from partners.models import InformationSharingAgreement
from tests.worlds import make_family, open_episode, record_of

pytestmark = pytest.mark.django_db


def audit_for(user, family):
    return list(
        AuditEntry.objects.filter(user=user, family_id=family.pk).values_list("action", "outcome")
    )


# Each case: the role, how to give that role a family it may see, an action that
# relation grants, and one it does not.
def lead_practitioner(users):
    family = make_family("Lead family")
    open_episode(family, users["practitioner"])
    return family


def taf_member(users):
    family = make_family("Taf family")
    episode = open_episode(family, UserFactory(role="practitioner"))
    TafMember.objects.create(
        episode=episode, user=users["practitioner"], joined_on=date(2026, 9, 2)
    )
    return family


def agency_consent(users):
    family = make_family("Consent family")
    organisation = users["practitioner"].team.organisation
    agreement = InformationSharingAgreement.objects.create(
        name="Schools and early help", data_kinds=[DataKind.SUMMARY], starts_on=date(2025, 1, 1)
    )
    agreement.organisations.add(organisation)
    consent = Consent.objects.create(
        person=family.memberships.first().person,
        family=family,
        kind="written",
        given_by="Parent",
        given_on=date(2026, 9, 1),
        covers=[DataKind.SUMMARY, DataKind.CASEWORK],
        recorded_by=users["hub"],
    )
    consent.agencies.add(organisation)
    return family


def hub_queue(users):
    family = make_family("Queue family")
    SupportRequest.objects.create(family=family, received_at=timezone.now())
    return family


def duplicate_to_check(users):
    # A practitioner recorded someone new who may be this family's child, whom they could
    # not see: the hub sees the child's family until it decides.
    family = make_family("Known family")
    new = Person.objects.create(first_name="Member0", last_name="Known")  # no household yet
    PossibleDuplicate.objects.create(
        person=new, known=family.memberships.get().person, raised_by=users["practitioner"]
    )
    return family


def managed_team(users):
    family = make_family("Managed family")
    users["manager"].managed_teams.add(users["practitioner"].team)
    open_episode(family, users["practitioner"])
    return family


def agency_without_lead(users):
    # The hub allocated the family to the agency of a team the manager manages; no lead yet.
    family = make_family("Waiting family")
    team = users["practitioner"].team
    users["manager"].managed_teams.add(team)
    Episode.objects.create(
        family=family, started_on=date(2026, 9, 1), lead_agency=team.organisation
    )
    return family


def attached(users):
    family = make_family("Attached family")
    episode = open_episode(family, UserFactory(role="practitioner"))
    Attachment.objects.create(
        family=family,
        episode=episode,
        attached_on=date(2026, 10, 1),
        lead_agency=episode.lead_agency,
        attached_by=users["programme"],
        plan_version=OutcomesPlanVersion.objects.get(version=9),
    )
    return family


def audit_sample(users):
    family = make_family("Sampled family")
    batch = ClaimBatch.objects.create(
        name="2026 window 1",
        window_opens="2026-09-01",
        window_closes="2026-09-30",
        submitted_on="2026-09-15",
        sample_seed=1,
        sample_percent=10,
    )
    AuditSampleItem.objects.create(batch=batch, family=family)
    return family


def break_glass(users):
    family = make_family("Emergency family")
    break_glass_grant(
        user=users["administrator"], family_id=family.pk, reason="Police request at 2am"
    )
    return family


CASES = [
    # role, setup, allowed action, forbidden action — quoting the access table.
    ("practitioner", lead_practitioner, Action.EDIT, Action.SIGN_OFF),  # "everything but sign-off"
    ("practitioner", taf_member, Action.ADD_CASE_NOTE, Action.EDIT),  # "read, update … add notes"
    ("practitioner", agency_consent, Action.VIEW, Action.VIEW_CASEWORK),  # ISA covers summary only
    ("hub", hub_queue, Action.TRIAGE, Action.SIGN_OFF),  # "read the request…, triage, allocate"
    ("hub", hub_queue, Action.MERGE, Action.SIGN_OFF),  # "duplicates checked" at triage
    ("hub", duplicate_to_check, Action.MERGE, Action.VIEW_CASEWORK),  # sight of both, no more
    ("manager", managed_team, Action.SIGN_OFF, Action.TRIAGE),  # "read; sign off…; reassign"
    ("manager", agency_without_lead, Action.NAME_LEAD, Action.SIGN_OFF),  # "the lead agency names"
    ("manager", agency_without_lead, Action.END_UNLED, Action.CLOSE),  # no lead to ask for closure
    ("programme", attached, Action.VIEW_EVIDENCE, Action.VIEW_CASEWORK),  # "not case notes"
    ("auditor", audit_sample, Action.RECORD_VERDICT, Action.EDIT),  # "record a verdict"
    ("administrator", break_glass, Action.VIEW, Action.EDIT),  # "break-glass access"
]


@pytest.mark.parametrize(
    "role, setup, allowed, forbidden",
    CASES,
    ids=[f"{c[0]}-{c[1].__name__}-{c[2]}" for c in CASES],
)
def test_role_sees_its_family_not_others_and_is_refused_other_actions(
    users, role, setup, allowed, forbidden
):
    user = users[role]
    seen = setup(users)
    unseen = make_family("Unrelated family")

    assert family_for(user, seen.pk, action=Action.VIEW) == seen
    assert family_for(user, seen.pk, action=allowed) == seen
    with pytest.raises(PermissionDenied):
        family_for(user, seen.pk, action=forbidden)
    with pytest.raises(Http404):
        family_for(user, unseen.pk, action=Action.VIEW)

    visible = families_visible_to(user)
    assert seen in visible and unseen not in visible
    assert visible.count() == 1
    member = seen.memberships.first().person
    assert person_for(user, member.pk) == member
    with pytest.raises(Http404):
        person_for(user, unseen.memberships.first().person_id)
    assert list(persons_visible_to(user)) == list(Person.objects.filter(memberships__family=seen))

    assert ("view", "allowed") in audit_for(user, seen)
    assert (str(allowed), "allowed") in audit_for(user, seen)
    assert (str(forbidden), "forbidden") in audit_for(user, seen)
    assert audit_for(user, unseen) == [("view", "not_found")]


def test_hub_staff_read_a_queued_family_but_do_not_change_its_people(users, client_for):
    """DOMAIN §1: hub staff "read the request and linked records, triage, allocate"."""
    from django.urls import reverse

    family = hub_queue(users)
    person = family.memberships.first().person
    hub = users["hub"]
    assert family_for(hub, family.pk) == family and person_for(hub, person.pk) == person
    with pytest.raises(PermissionDenied):
        family_for(hub, family.pk, action=Action.EDIT)
    with pytest.raises(PermissionDenied):
        person_for(hub, person.pk, action=Action.EDIT)
    pages = client_for("hub")
    for name, record in [
        ("member-add", family),
        ("person-edit", person),
        ("address-add", person),
    ]:
        assert pages.get(reverse(name, args=[record.pk])).status_code == 403, name
    posted = pages.post(reverse("person-edit", args=[person.pk]), {"first_name": "Changed"})
    assert posted.status_code == 403
    person.refresh_from_db()
    assert person.first_name == "Member0"
    assert (
        "Add a member" not in pages.get(reverse("family-detail", args=[family.pk])).content.decode()
    )


def test_a_missing_family_answers_like_a_hidden_one(users):
    # "A record the user may not see answers 404 (never confirm it exists)."
    with pytest.raises(Http404):
        family_for(users["practitioner"], 987654321)
    with pytest.raises(Http404):
        family_for(users["practitioner"], "not-a-number")
    entry = AuditEntry.objects.get(user=users["practitioner"], family_id=987654321)
    assert entry.outcome == "not_found"


def test_administrator_sees_no_family_by_default(users):
    family = make_family()
    open_episode(family, users["practitioner"])
    assert families_visible_to(users["administrator"]).count() == 0
    with pytest.raises(Http404):
        family_for(users["administrator"], family.pk)


def test_break_glass_expires(users):
    family = break_glass(users)
    BreakGlass.objects.filter(family=family).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(Http404):
        family_for(users["administrator"], family.pk)


def test_only_administrators_break_glass(users):
    family = make_family()
    with pytest.raises(PermissionDenied):
        break_glass_grant(user=users["manager"], family_id=family.pk, reason="Curious")


def test_administrators_and_managers_read_who_has_seen_a_record(users):
    family = managed_team(users)
    assert family_for(users["manager"], family.pk, action=Action.SEE_AUDIT) == family
    assert family_for(users["administrator"], family.pk, action=Action.SEE_AUDIT) == family
    with pytest.raises(PermissionDenied):
        family_for(users["practitioner"], family.pk, action=Action.SEE_AUDIT)


def test_leaving_the_team_ends_access(users):
    family = taf_member(users)
    TafMember.objects.filter(user=users["practitioner"]).update(left_on=date(2026, 10, 1))
    with pytest.raises(Http404):
        family_for(users["practitioner"], family.pk)


def test_withdrawn_consent_ends_agency_access(users):
    family = agency_consent(users)
    Consent.objects.update(withdrawn_on=date(2026, 10, 1))
    with pytest.raises(Http404):
        family_for(users["practitioner"], family.pk)


def test_consent_without_a_sharing_agreement_gives_no_access(users):
    family = agency_consent(users)
    InformationSharingAgreement.objects.all().delete()
    assert family not in families_visible_to(users["practitioner"])


def test_an_agreement_that_has_ended_gives_no_access(users):
    family = agency_consent(users)
    InformationSharingAgreement.objects.update(starts_on=date(2024, 1, 1), ends_on=date(2025, 1, 1))
    assert family not in families_visible_to(users["practitioner"])


def test_hub_loses_sight_of_a_request_triaged_over_30_days_ago(users):
    family = hub_queue(users)
    SupportRequest.objects.update(status="closed", triaged_at=timezone.now() - timedelta(days=31))
    with pytest.raises(Http404):
        family_for(users["hub"], family.pk)
    SupportRequest.objects.update(triaged_at=timezone.now() - timedelta(days=29))
    assert family_for(users["hub"], family.pk) == family


def test_a_closed_episode_ends_the_lead_practitioners_access(users):
    family = lead_practitioner(users)
    Episode.objects.update(status="closed", ended_on=date(2026, 10, 1))
    with pytest.raises(Http404):
        family_for(users["practitioner"], family.pk)


def test_a_deactivated_user_sees_nothing(users):
    family = lead_practitioner(users)
    users["practitioner"].is_active = False
    assert families_visible_to(users["practitioner"]).count() == 0
    with pytest.raises(Http404):
        family_for(users["practitioner"], family.pk)


def test_another_team_lead_is_not_the_managers(users):
    family = make_family()
    open_episode(family, UserFactory(role="practitioner", team=TeamFactory()))
    users["manager"].managed_teams.add(users["practitioner"].team)
    assert family not in families_visible_to(users["manager"])


# --- records that belong to a family, loaded by id -----------------------------------------

# Each kind of record a page or the API loads by id: its model (the app that owns it passes it
# to the gate) and the path from it to its family.
RECORD_KINDS = [
    ("closure", Closure, "episode__family"),
    ("step-up", StepUp, "episode__family"),
    ("step-down", StepDown, "family"),
    ("plan action", PlanAction, "episode__family"),
    ("team member", TafMember, "episode__family"),
    ("case note", CaseNote, "episode__family"),
    ("evidence item", Evidence, "family"),
    ("nightly result", FamilyResult, "family"),
    ("sample item", AuditSampleItem, "family"),
    ("referral", WorkConversation, "episode__family"),
    ("request", SupportRequest, "family"),
]


def refusal(call):
    """What a refused call raised: its kind and its words (the words must not differ)."""
    try:
        call()
    except (Http404, PermissionDenied) as error:
        return type(error).__name__, str(error)
    raise AssertionError("the call was allowed")


@pytest.mark.parametrize("kind, model, via", RECORD_KINDS, ids=[k[0] for k in RECORD_KINDS])
def test_a_record_is_loaded_through_its_familys_gate(users, kind, model, via):
    lead = users["practitioner"]
    own = make_family("Own family", lead=lead)
    also_led = make_family("Also led family", lead=lead)
    hidden = make_family("Hidden family", lead=UserFactory(role="practitioner"))
    mine, theirs = record_of(kind, own, by=lead), record_of(kind, hidden, by=lead)
    missing = model.objects.order_by("-pk").first().pk + 1000

    def load(record_id, *, action=Action.VIEW, family_id=None):
        return lambda: family_record_for(
            lead, model, record_id, action=action, family_id=family_id, via=via
        )

    found = load(mine.pk)()
    assert found == mine
    assert found.family == own and Action.KEEP_CASE in found.family.allowed_actions
    assert load(mine.pk, family_id=own.pk)() == mine

    # Another family's record, a record that does not exist, an id that is no id, and a record
    # of a family the user sees named under another family's URL: all the same 404.
    not_found = {
        refusal(load(theirs.pk)),
        refusal(load(missing)),
        refusal(load("x")),
        refusal(load(mine.pk, family_id=also_led.pk)),
        refusal(load(theirs.pk, family_id=own.pk)),
    }
    assert not_found == {("Http404", "No such record")}
    # A record of a family they see, an action there they may not take: 403.
    assert refusal(load(mine.pk, action=Action.SIGN_OFF))[0] == "PermissionDenied"

    entries = AuditEntry.objects.filter(user=lead)
    assert entries.filter(family_id=hidden.pk, outcome="not_found").exists()
    assert entries.filter(
        family_id=None, outcome="not_found", detail__endswith=str(missing)
    ).exists()
    assert entries.filter(family_id=also_led.pk, outcome="not_found").exists()
    assert entries.filter(family_id=own.pk, action="sign_off", outcome="forbidden").exists()
    assert entries.filter(family_id=own.pk, action="view", outcome="allowed").count() == 2


def test_a_record_named_by_its_family_alone_is_found_through_the_gate(users):
    """A sample item is named by its batch and family: the one record of that family."""
    auditor = users["auditor"]
    lead = users["practitioner"]
    sampled = make_family("Sampled family", lead=lead)
    item = record_of("sample item", sampled, by=lead)
    other = make_family("Other family", lead=lead)
    in_batch = AuditSampleItem.objects.filter(batch=item.batch)

    def load(user, family_id, action=Action.RECORD_VERDICT):
        return lambda: family_record_for(
            user, in_batch, action=action, family_id=family_id, via="family"
        )

    assert load(auditor, sampled.pk)() == item
    # The lead sees the family but may not give a verdict; another family has no item.
    assert refusal(load(lead, sampled.pk))[0] == "PermissionDenied"
    assert refusal(load(auditor, other.pk)) == ("Http404", "No such record")
    assert refusal(load(lead, other.pk)) == ("Http404", "No such record")


def test_the_lead_updates_any_action_and_a_taf_member_only_their_own(users):
    """DOMAIN §1: lead "everything on the episode"; TAF member "update the actions they own"."""
    member = users["practitioner"]
    family = taf_member(users)
    lead = family.episodes.get().lead_practitioner
    owners = {"the member": member.pk, "the lead": lead.pk, "the family": None}
    for user, may in [
        (member, {"the member"}),
        (lead, {"the member", "the lead", "the family"}),
    ]:
        allowed = family_for(user, family.pk).allowed_actions
        assert {
            name
            for name, owner_id in owners.items()
            if may_update_action(allowed, owner_id=owner_id, user=user)
        } == may


# --- pages about no one family ----------------------------------------------------------------


def test_a_page_is_open_to_the_roles_the_table_gives_its_action(client_for, users, monkeypatch):
    """`page_for` reads the table each time: change the table and the page follows."""
    from django.urls import reverse

    from earlyhelp.access import ROLE_PAGES
    from earlyhelp.models import Role

    runs = reverse("nightly-run-list")
    assert client_for("auditor").get(runs).status_code == 403
    assert client_for("programme").get(runs).status_code == 200
    monkeypatch.setitem(ROLE_PAGES, Role.AUDITOR, frozenset({Action.RUN_NIGHTLY}))
    monkeypatch.setitem(ROLE_PAGES, Role.PROGRAMME, frozenset())
    assert client_for("auditor").get(runs).status_code == 200
    assert client_for("programme").get(runs).status_code == 403


def test_no_page_checks_a_role_by_name():
    """Role checks come from the access table (`page_for`, `role_may`), never `user.role ==`."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    asks_a_role = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|role_required")
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for app in ("earlyhelp", "cases", "assessments", "outcomes", "partners", "workspace")
        for path in (root / app).rglob("*view*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if asks_a_role.search(line)
    ]
    templates = [
        f"{path.relative_to(root)}: {match[0]}"
        for path in (root / "templates").rglob("*.html")
        for match in re.finditer(
            r"user\.role\b[^%]*|\"[^\"]*\" in [\w.]*relations", path.read_text()
        )
    ]
    assert found == [] and templates == []


# --- Persons: duplicate offers, linking by id, merging (issue 15) -----------------------------


def test_duplicate_offers_show_in_full_only_people_the_user_may_see(users):
    family = lead_practitioner(users)
    seen = family.memberships.get().person
    hidden = make_family("Other agency family").memberships.get().person
    matches = [Match(person=hidden, score=0.9), Match(person=seen, score=0.8)]

    offers = person_offers(users["practitioner"], matches, family_id=family.pk)

    assert [match.person for match in offers.shown] == [seen]
    assert offers.hidden == (hidden.pk,) and offers.known_elsewhere
    entry = AuditEntry.objects.get(action="duplicate_check")
    assert entry.user == users["practitioner"] and entry.family_id == family.pk
    assert entry.listed_person_ids == [hidden.pk, seen.pk]
    assert entry.detail == f"shown: {seen.pk}; known but not shown: {hidden.pk}"
    nothing = person_offers(users["practitioner"], [])
    assert not nothing and not nothing.known_elsewhere


def test_linking_by_id_answers_alike_for_hidden_merged_and_missing_people(users):
    family = lead_practitioner(users)
    mine = family.memberships.get().person
    hidden = make_family("Other agency family").memberships.get().person
    pointer = Person.objects.create(first_name="Old", last_name="Record", merged_into=mine)
    FamilyMember.objects.create(family=family, person=pointer, role="child")
    practitioner = users["practitioner"]

    assert person_to_link(practitioner, mine.pk) == mine
    for target in (hidden.pk, pointer.pk, 987654321, "5; DROP TABLE"):
        with pytest.raises(Http404):
            person_to_link(practitioner, target)
    assert AuditEntry.objects.filter(
        user=practitioner, person_id=hidden.pk, outcome="not_found"
    ).exists()
    assert AuditEntry.objects.filter(
        user=practitioner, person_id=987654321, outcome="not_found"
    ).exists()


@pytest.mark.parametrize("role", ROLES)
def test_no_role_merges_a_person_it_may_not_see(users, role):
    """Nothing but reading the audit trail is role-wide: merging needs sight of the record."""
    person = make_family("Unrelated family").memberships.get().person
    with pytest.raises(Http404):
        person_for(users[role], person.pk, action=Action.MERGE)
    assert AuditEntry.objects.filter(
        user=users[role], person_id=person.pk, action="merge", outcome="not_found"
    ).exists()


def test_a_possible_duplicate_shows_the_hub_both_records_until_it_is_decided(users):
    hub = users["hub"]
    own = lead_practitioner(users)
    new = Person.objects.create(first_name="Niamh", last_name="Bennett")
    FamilyMember.objects.create(family=own, person=new, role="child")
    elsewhere = make_family("Bennett family")
    known = elsewhere.memberships.get().person
    for person in (new, known):
        with pytest.raises(Http404):
            person_for(hub, person.pk, action=Action.MERGE)

    check = PossibleDuplicate.objects.create(
        person=new, known=known, family=own, raised_by=users["practitioner"]
    )
    assert person_for(hub, known.pk, action=Action.MERGE) == known
    assert person_for(hub, new.pk, action=Action.MERGE) == new
    assert relations_to(hub, elsewhere.pk) == {Relation.DUPLICATE_TO_CHECK}
    with pytest.raises(PermissionDenied):  # sight to compare and merge, not the casework
        family_for(hub, elsewhere.pk, action=Action.VIEW_CASEWORK)
    # Only the hub: the practitioner who raised it still may not see the other record.
    with pytest.raises(Http404):
        person_for(users["practitioner"], known.pk)

    PossibleDuplicate.objects.filter(pk=check.pk).update(
        decided_by=hub, decided_at=timezone.now(), decision="different"
    )
    for person in (new, known):
        with pytest.raises(Http404):
            person_for(hub, person.pk, action=Action.MERGE)
    assert families_visible_to(hub).count() == 0
