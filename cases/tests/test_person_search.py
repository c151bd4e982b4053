"""Finding people by date of birth, postcode, identifiers and previous names, and filtering the
families list (issue 18): only what the gate lets the user see, with an audit entry."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Episode, SupportRequest
from cases.people.search import read_query
from cases.people.selectors import family_list, person_search
from cases.tests.factories import (
    FamilyFactory,
    FamilyMemberFactory,
    PersonFactory,
    PersonNameFactory,
)
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import LocalityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/4/2015", {"date_of_birth": date(2015, 4, 3)}),
        ("03-04-2015", {"date_of_birth": date(2015, 4, 3)}),
        ("2015-04-03", {"date_of_birth": date(2015, 4, 3)}),
        ("3 April 2015", {"date_of_birth": date(2015, 4, 3)}),
        ("Nowak 3/4/15", {"names": ["NOWAK"], "date_of_birth": date(2015, 4, 3)}),
        ("le11  3tu", {"postcode": "LE11 3TU"}),
        ("LE113TU", {"postcode": "LE11 3TU"}),
        ("smith LE11", {"names": ["SMITH"], "postcode": "LE11"}),
        ("943 476 5919", {"nhs_number": "9434765919"}),
        ("qq 12 34 56 c", {"ni_number": "QQ123456C"}),
        ("A123456789012", {"upn": "A123456789012"}),
        ("Mary-Jane O'Brien", {"names": ["MARY-JANE", "O'BRIEN"]}),
    ],
)
def test_the_search_box_is_read_apart(text, expected):
    query = read_query(text)
    got = {key: getattr(query, key) for key in expected}
    assert got == expected
    for other in {"names", "date_of_birth", "postcode", "nhs_number", "ni_number", "upn"} - set(
        expected
    ):
        assert not getattr(query, other), other


def test_a_date_that_is_not_one_is_refused():
    assert read_query("31/2/2015").bad_date


def in_hub_queue(person, *, family=None):
    family = family or FamilyFactory()
    FamilyMemberFactory(family=family, person=person)
    SupportRequest.objects.create(family=family, received_at=timezone.now())
    return family


def hidden(person):
    """In a family the hub may not see (no request in its queue)."""
    FamilyMemberFactory(person=person)
    return person


@pytest.fixture
def world():
    amara = PersonFactory(
        first_name="Amara",
        last_name="Nowak",
        date_of_birth=date(2015, 4, 3),
        postcode="LE11 3TU",
        with_identifiers=True,
    )
    in_hub_queue(amara)
    PersonNameFactory(person=amara, last_name="Kowalczyk", first_name="")
    twin = PersonFactory(
        first_name="Zofia", last_name="Nowak", date_of_birth=date(2015, 4, 3), postcode="LE2 1AA"
    )
    in_hub_queue(twin)
    secret = hidden(
        PersonFactory(
            first_name="Amara",
            last_name="Nowak",
            date_of_birth=date(2015, 4, 3),
            postcode="LE11 3TU",
            with_identifiers=True,
        )
    )
    return {"amara": amara, "twin": twin, "secret": secret}


def found(user, text):
    rows, _ = person_search(user=user, query=text)
    return rows


def test_people_are_found_by_each_way_in_and_never_past_the_gate(users, world):
    hub, amara, twin, secret = users["hub"], world["amara"], world["twin"], world["secret"]
    nhs = f"{amara.nhs_number[:3]} {amara.nhs_number[3:6]} {amara.nhs_number[6:]}"
    ni = " ".join([amara.ni_number[:2], amara.ni_number[2:8], amara.ni_number[8]]).lower()

    assert set(found(hub, "3/4/2015")) == {amara, twin}
    assert found(hub, "le113tu") == [amara]
    assert set(found(hub, "LE11")) == {amara}
    assert found(hub, nhs) == [amara]
    assert found(hub, ni) == [amara]
    assert found(hub, amara.upn.lower()) == [amara]
    assert found(hub, "Kowalczyk") == [amara]  # her previous name
    assert found(hub, "Kowalcyk") == [amara]  # misspelt
    assert found(hub, "Amara Kowalczyk") == [amara]
    assert found(hub, "Zofia 03/04/2015") == [twin]
    assert found(hub, "Nowak 3 April 2015") == [amara, twin]
    assert found(hub, "Nowak 3/4/2014") == []
    for text in ["3/4/2015", "le113tu", nhs, ni, amara.upn, "Amara Nowak", "Kowalczyk"]:
        assert secret not in found(hub, text), text
    # The hidden record is there to find, for someone who may see it.
    assert found(users["administrator"], "3/4/2015") == []


def test_the_page_searches_and_records_what_it_showed(client_for, users, world):
    client = client_for("hub")

    response = client.get(reverse("person-list"), {"q": "Nowak 3/4/2015"})

    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [
        world["amara"].pk,
        world["twin"].pk,
    ]
    assert "by name and date of birth" in response.content.decode()
    assert "Previous name: Amara Kowalczyk" in response.content.decode()
    entry = AuditEntry.objects.filter(user=users["hub"], action="search").latest("at")
    assert set(entry.listed_person_ids) == {world["amara"].pk, world["twin"].pk}
    assert world["secret"].pk not in entry.listed_person_ids


def test_a_date_that_is_not_one_gets_a_message_for_the_field(client_for, world):
    response = client_for("hub").get(reverse("person-list"), {"q": "Nowak 31/2/2015"})

    html = response.content.decode()
    assert "<title>Error: Find a person" in html
    assert html.count("Date of birth must be a real date, like 27/3/2015") == 2
    assert response.context["page"] is None


# The families list's filters.


@pytest.fixture
def families(users):
    north, south = LocalityFactory(name="North"), LocalityFactory(name="South")
    team = TeamFactory(name="Loughborough early help")
    priya = UserFactory(first_name="Priya", last_name="Shah", team=team)
    tom = UserFactory(first_name="Tom", last_name="Hale")
    made = {}
    for key, locality, lead, status in [
        ("priya_open", north, priya, "open"),
        ("tom_open", south, tom, "open"),
        ("unallocated", north, None, "open"),
        ("closed", south, priya, "closed"),
        ("none", north, None, None),
    ]:
        family = FamilyFactory(locality=locality, name=f"{key} family")
        FamilyMemberFactory(family=family)
        SupportRequest.objects.create(family=family, received_at=timezone.now())
        if status:
            Episode.objects.create(
                family=family,
                started_on=date(2026, 1, 5),
                status=status,
                lead_practitioner=lead,
                ended_on=date(2026, 6, 1) if status == "closed" else None,
            )
        made[key] = family
    made["forbidden"] = FamilyFactory(locality=north, name="forbidden family")
    Episode.objects.create(
        family=made["forbidden"], started_on=date(2026, 1, 5), lead_practitioner=priya
    )
    return {"priya": priya, "tom": tom, "team": team, "north": north, **made}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"lead": "priya"}, {"priya_open"}),
        ({"team": "team"}, {"priya_open"}),
        ({"locality": "north"}, {"priya_open", "unallocated", "none"}),
        ({"status": "open"}, {"priya_open", "tom_open", "unallocated"}),
        ({"status": "unallocated"}, {"unallocated"}),
        ({"status": "closed"}, {"closed"}),
        ({"status": "none"}, {"none"}),
        ({"locality": "north", "status": "open"}, {"priya_open", "unallocated"}),
    ],
)
def test_the_families_list_filters(
    client_for, users, families, filters, expected, django_assert_max_num_queries
):
    params = {k: (v if k == "status" else families[v].pk) for k, v in filters.items()}
    client = client_for("hub")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("family-list"), params)

    assert response.status_code == 200
    shown = {f.pk for f in response.context["page"].object_list}
    assert shown == {families[key].pk for key in expected}
    assert families["forbidden"].pk not in shown
    html = response.content.decode()
    assert "Families you can see matching the filters" in html
    entry = AuditEntry.objects.filter(user=users["hub"], action="search").latest("at")
    assert set(entry.listed_family_ids) == shown


def test_a_filtered_list_pages_with_its_filters(users, families):
    rows, more = family_list(
        user=users["hub"], page_size=1, page=1, filters={"locality": families["north"]}
    )
    second, _ = family_list(
        user=users["hub"], page_size=1, page=2, filters={"locality": families["north"]}
    )
    assert more and rows != second
    assert len(rows) == len(second) == 1


def test_the_filter_options_name_people_and_the_address_carries_the_filters(client_for, families):
    response = client_for("hub").get(
        reverse("family-list"), {"locality": families["north"].pk, "page": 1}
    )
    html = response.content.decode()
    assert "Priya Shah" in html and "Loughborough early help" in html
    assert response.context["query"] == f"locality={families['north'].pk}"


def test_an_unknown_filter_value_shows_the_unfiltered_list(client_for, families):
    response = client_for("hub").get(reverse("family-list"), {"lead": "999999"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 5
