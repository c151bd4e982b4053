"""Name search: closest names first, only what the user may see, the same few queries a page."""

from datetime import date

import pytest
from django.utils import timezone

from cases.models import Family, FamilyMember, Person, SupportRequest
from cases.people.selectors import family_search, person_search

pytestmark = pytest.mark.django_db
ROLE = FamilyMember.Role


def household(surname: str, *, in_hub_queue: bool, first_names=("Kerry", "Jayden")) -> Family:
    """A family of a parent and a child; `in_hub_queue` puts a request in the hub's queue."""
    family = Family.objects.create(
        reference=f"T{Family.objects.count() + 1:07d}", name=f"{surname} family"
    )
    for first_name, role in zip(first_names, [ROLE.PARENT_CARER, ROLE.CHILD], strict=False):
        person = Person.objects.create(
            first_name=first_name, last_name=surname, date_of_birth=date(2012, 5, 1)
        )
        FamilyMember.objects.create(family=family, person=person, role=role)
    if in_hub_queue:
        SupportRequest.objects.create(family=family, received_at=timezone.now())
    return family


def test_person_search_finds_only_people_the_user_may_see(users):
    seen = household("Smith", in_hub_queue=True)
    household("Smith", in_hub_queue=False, first_names=("Hidden", "Person"))

    rows, has_next = person_search(user=users["hub"], query="smith")

    assert {p.first_name for p in rows} == {"Kerry", "Jayden"}
    assert not has_next
    assert {m.family for p in rows for m in p.visible_memberships} == {seen}
    assert person_search(user=users["administrator"], query="smith") == ([], False)


def test_a_person_in_two_households_shows_only_the_one_the_user_may_see(users):
    seen = household("Okafor", in_hub_queue=True)
    unseen = household("Bennett", in_hub_queue=False)
    mover = seen.memberships.get(role=ROLE.CHILD).person
    FamilyMember.objects.create(family=unseen, person=mover, role=ROLE.CHILD)

    rows, _ = person_search(user=users["hub"], query="Jayden Okafor")

    assert rows == [mover]
    assert [m.family for m in rows[0].visible_memberships] == [seen]


def test_person_search_puts_the_closest_name_first_and_tolerates_order_and_slips(users):
    for surname in ["Smyth", "Smith", "Smithson"]:
        household(surname, in_hub_queue=True)
    hub = users["hub"]

    rows, _ = person_search(user=hub, query="SMITH")
    assert rows[0].last_name == "Smith"
    assert {p.last_name for p in rows} >= {"Smith", "Smyth"}
    assert person_search(user=hub, query="Smith Kerry")[0][0].full_name == "Kerry Smith"
    assert person_search(user=hub, query="kery smith")[0][0].full_name == "Kerry Smith"


def test_family_search_finds_only_families_the_user_may_see(users):
    seen = household("Kowalski", in_hub_queue=True)
    household("Kowalski", in_hub_queue=False)

    rows, has_next = family_search(user=users["hub"], query="Kowalski")

    assert rows == [seen] and not has_next
    assert {m.person.first_name for m in rows[0].current_members} == {"Kerry", "Jayden"}


def test_an_empty_search_asks_the_database_nothing(users, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert person_search(user=users["hub"], query="  ") == ([], False)
        assert family_search(user=users["hub"], query="") == ([], False)


@pytest.mark.parametrize("matching", [5, 30])
def test_a_search_page_costs_the_same_queries_however_many_match(
    users, matching, django_assert_max_num_queries
):
    for _ in range(matching):
        household("Patel", in_hub_queue=True)
    household("Patel", in_hub_queue=False)
    hub = users["hub"]

    # Each in a transaction of its own that plans it on one core: its start and end, and the
    # SET LOCAL, then the page and what it shows.
    # The names like it, the page, and the households and other names shown on it.
    with django_assert_max_num_queries(3 + 4):
        people, more_people = person_search(user=hub, query="Patel", page_size=25)
    with django_assert_max_num_queries(3 + 3):  # the page, its members, its open episodes
        families, more_families = family_search(user=hub, query="Patel", page_size=25)

    assert len(people) == min(25, 2 * matching) and more_people == (2 * matching > 25)
    assert len(families) == min(25, matching) and more_families == (matching > 25)
    for person in people:
        assert len(person.visible_memberships) == 1


def test_the_next_page_carries_on_where_the_first_stopped(users):
    for _ in range(30):
        household("Patel", in_hub_queue=True)
    hub = users["hub"]

    first, more = family_search(user=hub, query="Patel", page=1)
    second, more_after = family_search(user=hub, query="Patel", page=2)

    assert (len(first), more, len(second), more_after) == (25, True, 5, False)
    assert not set(first) & set(second)


def closest_by_name(people, term: str) -> list:
    """What a one-word person search promises, worked out in Python from the known names like
    `term` (cases/people/search.py: `names_like`, closest first): the bearers of each name in
    turn, each by last name, first name and record, someone bearing two at the closer."""
    from cases.people.search import names_like

    rank = {(part, name): i for i, (_, part, name) in enumerate(names_like([term])[term])}
    keyed = []
    for person in people:
        ranks = [
            rank[key]
            for key in [("last", person.last_name.upper()), ("first", person.first_name.upper())]
            if key in rank
        ]
        if ranks:
            key = (min(ranks), person.last_name, person.first_name, person.pk)
            keyed.append((key, person))
    return [person for _, person in sorted(keyed, key=lambda k: k[0])]


def closest_by_full_name(people, one: str, other: str) -> list:
    """What a search of two words promises: the pairs of a known first name like one and a
    known last name like the other, either way round, closest pair first (`ranked_names`);
    the bearers of each pair in turn, by last and first name, then by record."""
    from cases.people.search import ranked_names

    _, pairs = ranked_names([one, other])
    rank = {pair: i for i, pair in enumerate(zip(pairs["firsts"], pairs["lasts"], strict=True))}
    keyed = []
    for person in people:
        pair = (person.first_name.upper(), person.last_name.upper())
        if pair in rank:
            keyed.append(((rank[pair], person.last_name, person.first_name, person.pk), person))
    return [person for _, person in sorted(keyed, key=lambda k: k[0])]


@pytest.mark.parametrize("query", ["smith", "Kerry Smith", "smyth", "kery", "Smith Kery"])
def test_ranked_then_asked_gives_every_page_that_asking_every_match_first_would(users, query):
    """The searches rank the matches first and ask the gate of each in rank order until a page
    is full; asked of every match first, then ranked, the pages must be the same: same people,
    same order, same "next page" answer, however many are hidden."""
    import random

    from cases.gate import families_visible_to, persons_visible_to
    from cases.people.selectors import _ranked_families, _terms

    rng = random.Random(16)  # noqa: S311 (test data)
    surnames = ["Smith", "Smyth", "Smithson", "Smithers", "Smit", "Jones", "Kerry"]
    firsts = ["Kerry", "Kerri", "Jayden", "Smith", "Amy", "Ali"]
    for _ in range(30):
        household(
            rng.choice(surnames),
            in_hub_queue=rng.random() < 0.4,
            first_names=(rng.choice(firsts), rng.choice(firsts)),
        )
    hub, terms = users["hub"], _terms(query)
    visible = persons_visible_to(hub, row_by_row=True).filter(merged_into__isnull=True)
    if len(terms) == 1:
        people = closest_by_name(visible, terms[0])
        everyone = closest_by_name(Person.objects.all(), terms[0])
    else:
        one, other = terms[0], " ".join(terms[1:])
        people = closest_by_full_name(visible, one, other)
        everyone = closest_by_full_name(Person.objects.all(), one, other)
    families = list(_ranked_families(families_visible_to(hub, row_by_row=True), terms))
    assert people  # the world holds matches the hub may see, and others
    assert len(people) < len(everyone)

    for search, expected in [(person_search, people), (family_search, families)]:
        for page in range(1, 6):
            rows, has_next = search(user=hub, query=query, page_size=4, page=page)
            assert [r.pk for r in rows] == [r.pk for r in expected[(page - 1) * 4 : page * 4]]
            assert has_next == (len(expected) > page * 4)


def test_known_names_are_kept_whoever_writes_a_person(users):
    """The names a one-word search matches are kept by the database (migration 0012)."""
    from django.db import connection

    from cases.models import KnownName

    person = Person.objects.create(first_name="Zofia", last_name="Quennell")
    Person.objects.bulk_create([Person(first_name="Ysolde", last_name="Quennell")])
    person.last_name = "Pryor-Quennell"
    person.save()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_person SET first_name = 'Zosia' WHERE id = %s", [person.pk])
    known = set(
        KnownName.objects.filter(
            name__in=["ZOFIA", "ZOSIA", "YSOLDE", "QUENNELL", "PRYOR-QUENNELL"]
        ).values_list("part", "name")
    )
    assert known == {
        ("first", "ZOFIA"),
        ("first", "ZOSIA"),
        ("first", "YSOLDE"),
        ("last", "QUENNELL"),
        ("last", "PRYOR-QUENNELL"),
    }
    rows, _ = person_search(user=users["administrator"], query="Quennell")
    assert rows == []  # known names find only people the gate lets the user see
