"""Family and person pages: what they show, what they refuse, what they record."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse
from django.utils import timezone

from cases.gate import break_glass_grant
from cases.models import FamilyMember, Person, SupportRequest
from earlyhelp.models import AuditEntry, BreakGlass
from earlyhelp.tests.factories import UserFactory
from tests.worlds import make_family, open_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner(client_for):
    return client_for("practitioner")


@pytest.mark.parametrize("families", [3, 30])
def test_family_list_runs_a_fixed_number_of_queries(
    practitioner, users, families, django_assert_max_num_queries
):
    for i in range(families):
        make_family(f"Family{i} family", members=2, lead=users["practitioner"])
    make_family("Hidden family")
    with django_assert_max_num_queries(12):
        response = practitioner.get(reverse("family-list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Family{families - 1} family" in page and "Hidden family" not in page
    entry = AuditEntry.objects.filter(action="list").latest("id")
    assert len(entry.listed_family_ids) == min(families, 25)


def test_family_search_finds_only_visible_families(practitioner, users):
    make_family("Okafor family", lead=users["practitioner"])
    make_family("Okafor-Smith family")
    page = practitioner.get(reverse("family-list"), {"q": "Okafor"}).content.decode()
    assert "Okafor family" in page and "Okafor-Smith" not in page
    assert AuditEntry.objects.filter(action="search").exists()


@pytest.mark.parametrize("members", [1, 8])
def test_family_page_shows_members_in_fixed_queries(
    practitioner, users, members, django_assert_max_num_queries
):
    family = make_family("Patel family", members=members, lead=users["practitioner"])
    # The page tells the episode's story too (tests/test_family_story.py counts that part).
    with django_assert_max_num_queries(30):
        response = practitioner.get(reverse("family-detail", args=[family.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Member") >= members
    assert AuditEntry.objects.filter(family_id=family.pk, action="view", outcome="allowed")


def test_another_agencys_family_is_not_found(practitioner):
    family = make_family("Other family", lead=None)
    response = practitioner.get(reverse("family-detail", args=[family.pk]))
    assert response.status_code == 404
    assert "Other family" not in response.content.decode()
    person = family.memberships.first().person
    assert practitioner.get(reverse("person-detail", args=[person.pk])).status_code == 404
    assert AuditEntry.objects.filter(person_id=person.pk, outcome="not_found").exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("nhs_number", "4857773456", "NHS number is not valid"),
        ("nhs_number", "12345", "NHS number must be 10 digits"),
        ("ni_number", "QQ12345", "National Insurance number must be 2 letters"),
        ("ni_number", "DA123456A", "National Insurance number cannot start with DA"),
        ("upn", "A801200005001", "Unique pupil number is not valid"),
        ("first_name", "", "Enter first name"),
        ("date_of_birth", "2024-02-30", "Date of birth must be a real date"),
    ],
)
def test_bad_person_details_are_refused_and_nothing_is_saved(
    practitioner, users, field, value, message
):
    family = make_family("Kaur family", lead=users["practitioner"])
    person = family.memberships.first().person
    data = {
        "first_name": "Jas",
        "last_name": "Kaur",
        "sex": "female",
        "ethnicity": "asian",
        "send": "none",
        field: value,
    }
    response = practitioner.post(reverse("person-edit", args=[person.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and message in page
    person.refresh_from_db()
    assert person.first_name == "Member0"


def test_changing_a_person_keeps_the_field_history_with_who(practitioner, users):
    family = make_family("Kaur family", lead=users["practitioner"])
    person = family.memberships.first().person
    data = {
        "first_name": "Jas",
        "last_name": "Kaur",
        "sex": "female",
        "ethnicity": "asian",
        "send": "none",
        "nhs_number": "485 777 3457",
        "date_of_birth": "2010-01-01",
    }
    response = practitioner.post(reverse("person-edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.nhs_number) == ("Jas", "4857773457")
    history = practitioner.get(reverse("person-history", args=[person.pk])).content.decode()
    assert "Member0" in history and "Jas" in history
    assert str(users["practitioner"]) in history
    assert AuditEntry.objects.filter(person_id=person.pk, action="edit").exists()


def test_adding_a_member_with_no_likely_duplicate_creates_the_person(practitioner, users):
    family = make_family("Nowak family", lead=users["practitioner"])
    data = {
        "member-role": "child",
        "member-relationship": "Daughter",
        "person-first_name": "Zofia",
        "person-last_name": "Nowak",
        "person-sex": "female",
        "person-ethnicity": "white",
        "person-send": "none",
        "person-date_of_birth": "2019-05-06",
    }
    response = practitioner.post(reverse("member-add", args=[family.pk]), data)
    assert response.status_code == 302
    member = FamilyMember.objects.get(family=family, person__first_name="Zofia")
    assert member.relationship == "Daughter"


def test_adding_a_member_with_bad_input_saves_nothing(practitioner, users):
    family = make_family("Nowak family", lead=users["practitioner"])
    before = Person.objects.count()
    response = practitioner.post(
        reverse("member-add", args=[family.pk]), {"person-first_name": "Z"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select role in the household" in page and "Enter last name" in page
    assert Person.objects.count() == before


def test_a_taf_member_cannot_add_members(client_for, users):
    from cases.models import TafMember

    family = make_family("Taf family")
    episode = open_episode(family, users["hub"])
    TafMember.objects.create(episode=episode, user=users["practitioner"], joined_on="2026-09-01")
    response = client_for("practitioner").get(reverse("member-add", args=[family.pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(family_id=family.pk, outcome="forbidden").exists()


def test_managers_see_who_has_seen_a_family(client_for, users):
    users["manager"].managed_teams.add(users["practitioner"].team)
    family = make_family("Seen family", lead=users["practitioner"])
    client_for("practitioner").get(reverse("family-detail", args=[family.pk]))
    page = client_for("manager").get(reverse("family-seen-by", args=[family.pk])).content.decode()
    assert str(users["practitioner"]) in page and "Allowed" in page


def test_break_glass_needs_a_reason_and_is_flagged_to_managers(client_for, users):
    users["manager"].managed_teams.add(users["practitioner"].team)
    family = make_family("Glass family", lead=users["practitioner"])
    admin = client_for("administrator")
    assert admin.get(reverse("family-detail", args=[family.pk])).status_code == 404
    bad = admin.post(reverse("break-glass"), {"reference": family.reference, "reason": "x"})
    assert bad.status_code == 400 and "at least 20 characters" in bad.content.decode()
    unknown = admin.post(
        reverse("break-glass"), {"reference": "F9999999", "reason": "Police request, urgent safety"}
    )
    assert "There is no family with this reference" in unknown.content.decode()
    assert not BreakGlass.objects.exists()
    ok = admin.post(
        reverse("break-glass"),
        {"reference": family.reference.lower(), "reason": "Police request, urgent safety"},
    )
    assert ok.status_code == 302
    page = admin.get(reverse("family-detail", args=[family.pk])).content.decode()
    assert "break-glass access" in page
    flagged = client_for("manager").get(reverse("break-glass")).content.decode()
    assert "Police request, urgent safety" in flagged and family.reference in flagged
    # Each list of grants is a list of families: one audit row naming them.
    admin.get(reverse("break-glass"))
    for role in ("manager", "administrator"):
        entry = AuditEntry.objects.filter(user=users[role], action="break_glass_list").latest("id")
        assert entry.listed_family_ids == [family.pk]


def test_managers_see_only_the_grants_to_their_teams_families(client_for, users):
    users["manager"].managed_teams.add(users["practitioner"].team)
    theirs = make_family("Their family", lead=users["practitioner"])
    other = make_family("Other family", lead=UserFactory(role="practitioner"))
    for family in (theirs, other):
        break_glass_grant(
            user=users["administrator"], family_id=family.pk, reason="Police request, urgent"
        )
    page = client_for("manager").get(reverse("break-glass")).content.decode()
    assert theirs.reference in page and other.reference not in page
    (entry,) = AuditEntry.objects.filter(user=users["manager"], action="break_glass_list")
    assert entry.listed_family_ids == [theirs.pk]
    for role in ("practitioner", "hub", "programme", "auditor"):
        assert client_for(role).get(reverse("break-glass")).status_code == 403


def test_the_audit_table_refuses_update_and_delete():
    """Append-only, enforced by PostgreSQL triggers whoever connects."""
    entry = AuditEntry.objects.create(action="view", outcome="allowed", family_id=1)
    for statement in (
        f"UPDATE earlyhelp_auditentry SET action = 'edited' WHERE id = {entry.pk}",
        f"DELETE FROM earlyhelp_auditentry WHERE id = {entry.pk}",
    ):
        with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with pytest.raises(InternalError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="edited")
    entry.refresh_from_db()
    assert entry.action == "view"


def test_person_search_shows_only_people_the_user_may_see(practitioner, users):
    make_family("Okafor family", lead=users["practitioner"])
    make_family("Okafor-Smith family")
    page = practitioner.get(reverse("person-list"), {"q": "Okafor"}).content.decode()
    assert page.count("Member0 Okafor") == 1 and "Okafor-Smith" not in page
    shown = Person.objects.get(first_name="Member0", last_name="Okafor")
    assert AuditEntry.objects.filter(action="search", listed_person_ids=[shown.pk]).exists()


def test_a_new_address_ends_the_old_one_and_keeps_the_history(practitioner, users):
    from earlyhelp.tests.factories import LocalityFactory

    locality = LocalityFactory(name="Melton")
    family = make_family("Shaw family", lead=users["practitioner"])
    person = family.memberships.first().person
    url = reverse("address-add", args=[person.pk])
    bad = practitioner.post(url, {"line_1": "", "postcode": "ZZZ 999", "moved_in": "2026-02-30"})
    page = bad.content.decode()
    assert bad.status_code == 400
    for message in ("Enter address line 1", "Enter a real postcode", "must be a real date"):
        assert message in page
    assert not person.addresses.exists()
    for line, moved_in in [("1 Old Road", "2020-01-01"), ("2 New Street", "2026-03-01")]:
        data = {
            "line_1": line,
            "postcode": "le13 0aa",
            "locality": locality.pk,
            "moved_in": moved_in,
        }
        assert practitioner.post(url, data).status_code == 302
    old, new = person.addresses.order_by("moved_in")
    assert (str(old.moved_out), new.moved_out) == ("2026-02-28", None)
    person.refresh_from_db()
    assert person.postcode == "LE13 0AA"


def _member_data(**person):
    data = {
        "member-role": "child",
        "person-sex": "male",
        "person-ethnicity": "white",
        "person-send": "none",
    }
    data.update({f"person-{key}": value for key, value in person.items()})
    return data


def test_a_likely_duplicate_is_offered_before_a_new_person_is_made(practitioner, users):
    existing = Person.objects.create(
        first_name="William", last_name="Jones", date_of_birth="2012-04-05", postcode="LE11 3TU"
    )
    # Offered in full because the practitioner may see him: he lives in another of their
    # families (a record they may not see is offered only as "already known").
    elsewhere = make_family("Jones-Hill family", members=0, lead=users["practitioner"])
    FamilyMember.objects.create(family=elsewhere, person=existing, role="child")
    family = make_family("Jones family", members=0, lead=users["practitioner"])
    url = reverse("member-add", args=[family.pk])
    details = _member_data(
        first_name="Bill", last_name="Jones", date_of_birth="2012-04-05", postcode="LE11 3TU"
    )
    offered = practitioner.post(url, details)
    page = offered.content.decode()
    assert offered.status_code == 200 and "We may already know this person" in page
    assert "William Jones" in page and "nickname" in page.lower()
    assert not FamilyMember.objects.filter(family=family, person__last_name="Jones").exists()

    unanswered = practitioner.post(url, {**details, "match": ""})
    assert "Select a record, or that none of these is the person" in unanswered.content.decode()

    before = Person.objects.count()
    assert practitioner.post(url, {**details, "match": existing.pk}).status_code == 302
    assert Person.objects.count() == before
    assert FamilyMember.objects.filter(family=family, person=existing).exists()


def test_none_of_these_creates_a_new_record(practitioner, users):
    Person.objects.create(first_name="William", last_name="Jones", date_of_birth="2012-04-05")
    family = make_family("Jones family", members=0, lead=users["practitioner"])
    details = _member_data(first_name="Bill", last_name="Jones", date_of_birth="2012-04-05")
    response = practitioner.post(
        reverse("member-add", args=[family.pk]), {**details, "match": "new"}
    )
    assert response.status_code == 302
    assert FamilyMember.objects.get(family=family, person__first_name="Bill")


def test_hub_staff_merge_and_unmerge_through_the_pages(client_for, users):
    """The hub merges the people of requests in its queue: it may see both records."""
    hub = client_for("hub")
    family = make_family("Reid family", members=0, lead=users["practitioner"])
    keep = Person.objects.create(
        first_name="Margaret", last_name="Reid", date_of_birth="1980-02-03"
    )
    dupe = Person.objects.create(first_name="Peggy", last_name="Reid", date_of_birth="1980-03-02")
    FamilyMember.objects.create(family=family, person=dupe, role="parent_carer")
    household = make_family("Reid household", members=0)
    FamilyMember.objects.create(family=household, person=keep, role="parent_carer")
    for queued in (family, household):
        SupportRequest.objects.create(family=queued, received_at=timezone.now())

    found = hub.get(reverse("person-duplicates", args=[keep.pk])).content.decode()
    assert "Peggy Reid" in found and "swapped" in found.lower()
    url = reverse("person-merge", args=[keep.pk, dupe.pk])
    short = hub.post(url, {"reason": "same"})
    assert short.status_code == 400 and "at least 10 characters" in short.content.decode()
    assert hub.post(url, {"reason": "Same woman: GP confirmed"}).status_code == 302
    assert FamilyMember.objects.get(family=family).person == keep
    dupe.refresh_from_db()
    assert dupe.merged_into == keep

    practitioner = client_for("practitioner")
    pointer = practitioner.get(reverse("person-detail", args=[dupe.pk]))
    assert pointer.status_code == 302 and pointer.url == reverse("person-detail", args=[keep.pk])

    # The person's page tells the merge in names and dates, never record numbers.
    kept = hub.get(reverse("person-detail", args=[keep.pk])).content.decode()
    assert "A record of Peggy Reid, born 2 March 1980, merged into this one by" in kept
    assert f"Record {dupe.pk}" not in kept

    merge = keep.merges_kept.get()
    assert practitioner.post(reverse("person-unmerge", args=[merge.pk])).status_code == 403
    assert hub.post(reverse("person-unmerge", args=[merge.pk])).status_code == 302
    assert FamilyMember.objects.get(family=family).person == dupe
    dupe.refresh_from_db()
    assert dupe.merged_into is None
