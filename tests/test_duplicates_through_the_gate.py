"""Duplicate offers, linking a person by id, merging and "who has seen this" through the gate.

What a security probe found (issue 15): hub staff and administrators read and merged any
person; a lead practitioner who was offered another family's child could link them and then
read their whole record ("join to see"); the duplicate check told anyone signed in who is known
and where they live. Each page here shows a person only to those who may see them, says no more
than "already known" otherwise, and sends the linking to the hub, which may see both.
"""

import html
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import (
    Address,
    Family,
    FamilyMember,
    Person,
    PersonMerge,
    PersonName,
    PossibleDuplicate,
    SupportRequest,
)
from cases.people.merging import person_merge
from cases.tests.requesting import CHILD, REASON, fill_until, post_ok, referrer_answers, world
from conftest import sign_in
from earlyhelp.models import AuditEntry, Organisation
from earlyhelp.tests.factories import TeamFactory, UserFactory
from tests.worlds import make_family

pytestmark = pytest.mark.django_db

# What another agency's record of Niamh holds, none of which may reach anyone outside it.
NIAMH_SECRETS = (
    "Niamh",
    "16 Dec 2015",
    "16 December 2015",
    "2015-12-16",
    "LE2 7QQ",
    "12 Refuge Road",
    "Walsh",
    "4857773457",
    "Bennett family",
)


@pytest.fixture
def niamh():
    """A child of a family another agency's practitioner leads, with an address history, an
    NHS number and a previous name: the record a stranger must not learn of."""
    other_lead = UserFactory(role="practitioner", team=TeamFactory())
    family = make_family("Bennett family", members=0, lead=other_lead)
    niamh = Person.objects.create(
        first_name="Niamh",
        last_name="Bennett",
        date_of_birth=date(2015, 12, 16),
        postcode="LE2 7QQ",
        nhs_number="4857773457",
    )
    FamilyMember.objects.create(family=family, person=niamh, role="child")
    Address.objects.create(
        person=niamh, line_1="12 Refuge Road", town="Leicester", postcode="LE2 7QQ"
    )
    PersonName.objects.create(person=niamh, kind="previous", first_name="Niamh", last_name="Walsh")
    return niamh


def niamh_again(**person):
    """The add-member answers for Niamh, typed again by someone who cannot see her record."""
    data = {
        "member-role": "child",
        "person-first_name": "Niamh",
        "person-last_name": "Bennett",
        "person-date_of_birth": "2015-12-16",
        "person-sex": "female",
        "person-ethnicity": "white",
        "person-send": "none",
    }
    data.update({f"person-{key}": value for key, value in person.items()})
    return data


def text_of(response):
    return html.unescape(response.content.decode())


def leaks(page, person):
    """Any detail of `person`'s record found in `page`, beyond the name the user typed."""
    body = page.split("<main", 1)[1]
    # The form echoes what the user typed themselves; what matters is everything else.
    body = body.split('<h2 class="govuk-heading-m">Their details</h2>', 1)[0]
    found = [secret for secret in NIAMH_SECRETS if secret in body]
    for marker in (
        f"record {person.pk}",
        f'type="radio" value="{person.pk}"',
        f"/people/{person.pk}/",
    ):
        if marker in body:
            found.append(marker)
    return found


# --- A practitioner adding a member whose duplicate lives in another agency's family ---------


@pytest.fixture
def lead(users):
    return users["practitioner"]


@pytest.fixture
def own_family(lead):
    return make_family("Kelly family", members=0, lead=lead)


def test_adding_a_member_known_elsewhere_shows_no_record_of_them_and_is_audited(
    client_for, lead, own_family, niamh
):
    url = reverse("member-add", args=[own_family.pk])
    offered = client_for("practitioner").post(url, niamh_again(postcode="LE2 7QQ"))
    page = text_of(offered)
    assert offered.status_code == 200
    assert "This person may already be known to the service — ask the hub to link them" in page
    assert leaks(page, niamh) == []
    assert "We may already know this person" not in page  # no records to choose from
    entry = AuditEntry.objects.filter(user=lead, action="duplicate_check").latest("id")
    assert entry.listed_person_ids == [niamh.pk] and entry.family_id == own_family.pk
    assert entry.detail == f"shown: none; known but not shown: {niamh.pk}"


def test_a_person_the_lead_may_see_is_still_offered_in_full(client_for, lead, own_family):
    sister_family = make_family("Sister family", members=0, lead=lead)
    seen = Person.objects.create(
        first_name="Niamh", last_name="Bennett", date_of_birth="2015-12-16", postcode="LE2 7QQ"
    )
    FamilyMember.objects.create(family=sister_family, person=seen, role="child")
    url = reverse("member-add", args=[own_family.pk])
    page = text_of(client_for("practitioner").post(url, niamh_again()))
    assert "We may already know this person" in page
    assert f"Niamh Bennett, born 16 Dec 2015, LE2 7QQ (record {seen.pk})" in page
    assert "already be known to the service" not in page
    entry = AuditEntry.objects.filter(action="duplicate_check").latest("id")
    assert entry.detail == f"shown: {seen.pk}; known but not shown: none"


def test_linking_a_hidden_person_by_id_answers_as_for_one_that_does_not_exist(
    client_for, own_family, niamh
):
    """ "Join to see": posting match=<their id> must not add them, nor open their record."""
    practitioner = client_for("practitioner")
    url = reverse("member-add", args=[own_family.pk])
    for target in (niamh.pk, 987654321):
        response = practitioner.post(url, {**niamh_again(), "match": target})
        page = text_of(response)
        assert response.status_code == 400
        assert "Select one of the records offered, or that none of these is the person" in page
        assert leaks(page, niamh) == []
    assert not FamilyMember.objects.filter(family=own_family).exists()
    assert practitioner.get(reverse("person-detail", args=[niamh.pk])).status_code == 404
    assert practitioner.get(reverse("person-edit", args=[niamh.pk])).status_code == 404


def test_recording_them_as_new_asks_the_hub_to_check(client_for, lead, own_family, niamh):
    practitioner = client_for("practitioner")
    url = reverse("member-add", args=[own_family.pk])
    response = practitioner.post(url, {**niamh_again(), "matches_offered": "1", "match": "new"})
    assert response.status_code == 302
    new = FamilyMember.objects.get(family=own_family).person
    assert new != niamh
    check = PossibleDuplicate.objects.get()
    assert (check.person, check.known, check.family, check.raised_by) == (
        new,
        niamh,
        own_family,
        lead,
    )
    assert check.decided_at is None
    followed = text_of(practitioner.get(response.url))
    assert "The hub will check whether they are already known to the service" in followed
    person_page = text_of(practitioner.get(reverse("person-detail", args=[new.pk])))
    assert "The hub is checking whether Niamh is already known to the service" in person_page
    for secret in ("12 Refuge Road", "Walsh", "4857773457", f"/people/{niamh.pk}/"):
        assert secret not in person_page, secret
    # Still outside the lead's sight: only the hub links them.
    assert practitioner.get(reverse("person-detail", args=[niamh.pk])).status_code == 404
    raised = AuditEntry.objects.get(action="possible_duplicate")
    assert raised.person_id == new.pk and raised.listed_person_ids == [new.pk, niamh.pk]


# --- Merging needs sight of both --------------------------------------------------------------


def raise_check(client_for, family, niamh):
    url = reverse("member-add", args=[family.pk])
    client_for("practitioner").post(url, {**niamh_again(), "matches_offered": "1", "match": "new"})
    return PossibleDuplicate.objects.get(decided_at__isnull=True)


@pytest.mark.parametrize("role", ["hub", "administrator", "manager", "practitioner"])
def test_nobody_opens_duplicates_or_merges_records_they_may_not_see(client_for, role, niamh):
    other = Person.objects.create(
        first_name="Niamh", last_name="Bennet", date_of_birth="2015-12-16"
    )
    FamilyMember.objects.create(
        family=make_family("Bennet family", members=0), person=other, role="child"
    )
    client = client_for(role)
    for url in (
        reverse("person-duplicates", args=[niamh.pk]),
        reverse("person-merge", args=[niamh.pk, other.pk]),
    ):
        assert client.get(url).status_code == 404, (role, url)
        assert client.post(url, {"reason": "Same girl, same school"}).status_code == 404
    assert not PersonMerge.objects.exists()
    refused = AuditEntry.objects.filter(person_id=niamh.pk, outcome="not_found", action="merge")
    assert refused.exists()


def test_the_hub_checks_a_possible_duplicate_and_merges_then_loses_sight(
    client_for, lead, own_family, niamh
):
    check = raise_check(client_for, own_family, niamh)
    hub = client_for("hub")
    home = text_of(hub.get(reverse("home")))
    assert "Possible duplicates to check" in home and "1 person was recorded as new" in home
    merge_url = reverse("person-merge", args=[niamh.pk, check.person_id])
    assert merge_url in home
    assert hub.get(reverse("person-duplicates", args=[niamh.pk])).status_code == 200
    page = text_of(hub.get(merge_url))
    assert "They are not the same person" in page and str(lead) in page
    merged = hub.post(merge_url, {"reason": "Same girl: same NHS number"})
    assert merged.status_code == 302 and merged.url == reverse("possible-duplicate-list")
    check.refresh_from_db()
    assert check.decision == "same" and check.decided_by.username == "hub"
    # Decided: the hub's sight of both families ends with it.
    assert hub.get(reverse("person-duplicates", args=[niamh.pk])).status_code == 404
    assert hub.get(reverse("family-detail", args=[own_family.pk])).status_code == 404
    assert "no possible duplicates to check" in text_of(hub.get(reverse("home")))
    # The lead now has Niamh's one record in their household: the hub linked them.
    assert FamilyMember.objects.get(family=own_family).person == niamh
    assert (
        client_for("practitioner").get(reverse("person-detail", args=[niamh.pk])).status_code == 200
    )


def test_the_hub_records_that_they_are_not_the_same_person(client_for, lead, own_family, niamh):
    check = raise_check(client_for, own_family, niamh)
    hub = client_for("hub")
    response = hub.post(reverse("possible-duplicate-not-same", args=[check.pk]))
    assert response.status_code == 302 and response.url == reverse("possible-duplicate-list")
    check.refresh_from_db()
    assert check.decision == "different" and not PersonMerge.objects.exists()
    assert hub.get(reverse("person-detail", args=[niamh.pk])).status_code == 404
    again = hub.post(reverse("possible-duplicate-not-same", args=[check.pk]))
    assert again.status_code == 302  # sent twice: already done
    # Nobody else decides the hub's checks, and a missing check answers like a hidden one.
    third = make_family("Third family", members=0, lead=lead)
    other = raise_check(client_for, third, niamh)
    for role in ("practitioner", "manager", "administrator"):
        url = reverse("possible-duplicate-not-same", args=[other.pk])
        assert client_for(role).post(url).status_code == 404, role
    missing = reverse("possible-duplicate-not-same", args=[987654321])
    assert hub.post(missing).status_code == 404
    other.refresh_from_db()
    assert other.decided_at is None


def test_hub_staff_who_raise_a_check_do_not_see_through_it(users, niamh):
    """Four eyes: recording a person cannot open another family's records to the recorder."""
    from cases.gate import families_visible_to
    from cases.people.services import possible_duplicates_raise

    new = Person.objects.create(
        first_name="Niamh", last_name="Bennett", date_of_birth=date(2015, 12, 16)
    )
    possible_duplicates_raise(person=new, family=None, by=users["hub"])
    assert PossibleDuplicate.objects.filter(raised_by=users["hub"]).exists()
    bennetts = Family.objects.get(name="Bennett family")
    assert bennetts not in families_visible_to(users["hub"])
    assert bennetts in families_visible_to(UserFactory(role="hub"))


def test_unmerging_needs_the_right_to_merge_both_records(client_for, users, niamh):
    other = Person.objects.create(
        first_name="Niamh", last_name="Bennet", date_of_birth="2015-12-16"
    )
    FamilyMember.objects.create(
        family=make_family("Bennet family", members=0), person=other, role="child"
    )
    merge = person_merge(
        survivor=niamh, duplicate=other, reason="Same girl, twice", by=users["hub"]
    )
    url = reverse("person-unmerge", args=[merge.pk])
    for role in ("hub", "administrator", "practitioner"):
        assert client_for(role).post(url).status_code == 404, role
    assert client_for("hub").post(reverse("person-unmerge", args=[987654321])).status_code == 404
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    assert AuditEntry.objects.filter(detail="merge 987654321", outcome="not_found").exists()


# --- The request's duplicate check ---------------------------------------------------------


@pytest.fixture
def social_worker():
    social_care = Organisation.objects.create(
        name="Children's Social Care", kind="social_care", tier=1
    )
    return UserFactory(role="practitioner", team=TeamFactory(organisation=social_care))


NIAMH_CHILD = {
    **CHILD,
    "person-first_name": "Niamh",
    "person-last_name": "Bennett",
    "person-date_of_birth": "2015-12-16",
    "person-sex": "female",
    "person-postcode": "",
}


def test_a_social_workers_duplicate_check_tells_them_only_that_she_is_known(social_worker, niamh):
    client = sign_in(Client(), social_worker)
    world()
    fill_until(client, "person")
    response = client.post(reverse("request-person-add"), NIAMH_CHILD)
    page = text_of(response)
    assert response.status_code == 200
    assert "This person may already be known to the service — ask the hub to link them" in page
    assert leaks(page, niamh) == []
    entry = AuditEntry.objects.filter(user=social_worker, action="duplicate_check").latest("id")
    assert entry.listed_person_ids == [niamh.pk]
    assert entry.detail == f"shown: none; known but not shown: {niamh.pk}"
    # Choosing her by id is refused with the words for a record never offered.
    refused = client.post(reverse("request-person-add"), {**NIAMH_CHILD, "match": niamh.pk})
    assert refused.status_code == 400
    assert "Select one of the records offered" in text_of(refused)


def test_a_request_naming_someone_known_elsewhere_goes_to_the_hub_to_check(
    social_worker, niamh, client_for
):
    from cases.tests.requesting import address_answers, consent_answers

    client = sign_in(Client(), social_worker)
    locality, school, _ = world()
    post_ok(client, "request-start", {"kind": "multi_agency"})
    post_ok(client, "request-referrer", referrer_answers(school))
    post_ok(client, "request-reason", REASON)
    post_ok(client, "request-person-add", {**NIAMH_CHILD, "matches_offered": "1", "match": "new"})
    post_ok(client, "request-people", {"add_another": "no"})
    post_ok(client, "request-address", address_answers(locality))
    post_ok(client, "request-consent", consent_answers([school]))
    post_ok(client, "request-check", {})
    sent = SupportRequest.objects.get()
    new = sent.members.get().person
    check = PossibleDuplicate.objects.get()
    assert (check.person, check.known, check.family) == (new, niamh, sent.family)
    assert sent.family != niamh.memberships.get().family
    home = text_of(client_for("hub").get(reverse("home")))
    assert reverse("person-merge", args=[niamh.pk, new.pk]) in home


def test_a_chosen_record_that_is_no_longer_visible_is_refused_like_a_missing_one(client_for, users):
    """The request's draft keeps the chosen id until it is sent: it is asked of the gate then."""
    from cases.front_door.draft import SESSION_KEY
    from cases.tests.requesting import fill_request

    family = make_family("Nowak family", members=0, lead=users["practitioner"])
    tomasz = Person.objects.create(
        first_name="Tomasz", last_name="Nowak", date_of_birth="2014-03-02", postcode="LE11 2AB"
    )
    FamilyMember.objects.create(family=family, person=tomasz, role="child")
    hidden = make_family("Hidden family").memberships.get().person
    practitioner = client_for("practitioner")
    fill_request(practitioner, people=(CHILD,), matches=[tomasz.pk])
    problems = {}
    for target in (hidden.pk, 987654321):
        session = practitioner.session
        session[SESSION_KEY]["people_list"][0]["match"] = str(target)
        session.save()
        response = practitioner.post(reverse("request-check"))
        assert response.status_code == 400
        page = text_of(response)
        problems[target] = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert problems[hidden.pk] == problems[987654321]
    assert "is no longer there, or was merged: change that person" in problems[hidden.pk]
    assert not SupportRequest.objects.exists()


# --- Who has seen this family ----------------------------------------------------------------


def test_the_seen_by_page_names_the_family_only_to_those_who_may_see_it(client_for, users):
    users["manager"].managed_teams.add(users["practitioner"].team)
    family = make_family("Osei family", lead=users["practitioner"])
    member = family.memberships.get().person
    practitioner = client_for("practitioner")
    practitioner.get(reverse("person-detail", args=[member.pk]))
    url = reverse("family-seen-by", args=[family.pk])

    admin_page = text_of(client_for("administrator").get(url))
    assert f"Family record {family.pk}: a family you cannot see" in admin_page
    assert str(users["practitioner"]) in admin_page  # who looked: the point of the page
    for secret in ("Osei", family.reference, reverse("family-detail", args=[family.pk])):
        assert secret not in admin_page, secret
    assert f"person record {member.pk}" in admin_page

    manager_page = text_of(client_for("manager").get(url))
    assert "Osei family" in manager_page and family.reference in manager_page
    assert f"view {member}" in manager_page


def test_a_request_does_not_ask_the_hub_about_its_own_people(client_for):
    """Two of a request's people alike (a typo, or twins) are the household being recorded,
    not someone known elsewhere: the hub is not asked to check them against each other."""
    from cases.tests.requesting import send_request

    again = {**NIAMH_CHILD, "person-last_name": "Bennet", "member-concerns": ""}
    send_request(client_for("practitioner"), people=(NIAMH_CHILD, again))
    assert SupportRequest.objects.get().members.count() == 2
    assert not PossibleDuplicate.objects.exists()
