"""A misspelt surname finds the right person on the first page (issue 18).

The labelled set (data/misspelt_surnames.csv) was written before the search was tuned: each row
is a surname as recorded and as someone might type it (slips, transpositions, phonetic spellings,
missing diacritics, Mc/Mac, O'). The population here holds, for each row, the person sought and
distractors: others bearing the same surname, every other surname of the set (many of them like
each other: Mohamed, Mohammed and Muhammad; Thompson and Thomson), and people with common
surnames of the county. The person must be on the page the list shows (25 rows) when the
misspelt surname alone is searched, for at least 95% of the rows.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Family, FamilyMember, Person, SupportRequest
from cases.people.selectors import person_search
from cases.people.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

LABELLED = Path(__file__).parent / "data" / "misspelt_surnames.csv"
POPULATION = 2_000
SAME_SURNAME = 3  # others who bear the sought person's surname

# Common surnames of the county, as the demo's heritages hold them (tests may not import the
# demo): the crowd every search is made in.
CROWD_SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Harris Lewis Turner Hill Moore Cooper "
    "Ward Morris King Watson Baker Harrison Morgan Mason Marshall Bailey Hughes Allen Young Scott "
    "Smithson Smyth Thomson Johnston Johnstone Stephenson Stevenson Patel Shah Mistry Parmar "
    "Chauhan Solanki Singh Sandhu Gill Dhillon Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood "
    "Qureshi Miah Uddin Rahman Islam Chowdhury Begum Nowak Kowalski Kowalska Wojcik Mazur "
    "Mohamed Abdi Hassan Farah Omar Warsame Jama Yusuf Ismail Aden Nur Okafor Adeyemi Haddad "
    "Khalil Mansour Nasser Salih Hamad Yilmaz Kaya Demir Nguyen Murphy Kelly Byrne Ryan Walsh"
).split()
FIRST_NAMES = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Sophia Grace Freya Noah Oliver George Leo Arthur Muhammad "
    "Harry Oscar Jack Jacob Priya Aisha Fatima Amir Yusuf Zofia Jakub Kacper Hodan Ayaan Sara Adam "
    "Omar Layla Nadia Karim Kerry Jayden Precious Chidi Siobhan Ciaran Fiona Callum Mehmet Elif"
).split()


def labelled_rows() -> list[dict]:
    with LABELLED.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def populate(rows: list[dict], rng: random.Random) -> list[Person]:
    """The population, every family in the hub's queue (so the hub may see everyone); returns
    the person sought for each row, in the rows' order."""
    people, targets = [], []
    birthdays = (date(1960, 1, 1) + timedelta(days=rng.randrange(20_000)) for _ in iter(int, 1))

    def person(last_name):
        made = Person(
            first_name=rng.choice(FIRST_NAMES), last_name=last_name, date_of_birth=next(birthdays)
        )
        people.append(made)
        return made

    for row in rows:
        targets.append(person(row["surname"]))
        for _ in range(SAME_SURNAME):
            person(row["surname"])
    while len(people) < POPULATION:
        person(rng.choice(CROWD_SURNAMES))
    rng.shuffle(people)
    Person.objects.bulk_create(people)
    families = Family.objects.bulk_create(
        Family(reference=f"M{i:07d}", name=f"{p.last_name} family") for i, p in enumerate(people)
    )
    FamilyMember.objects.bulk_create(
        FamilyMember(family=f, person=p, role=FamilyMember.Role.PARENT_CARER)
        for f, p in zip(families, people, strict=True)
    )
    SupportRequest.objects.bulk_create(
        SupportRequest(family=f, received_at=timezone.now()) for f in families
    )
    return targets


def test_the_labelled_set_is_as_the_issue_asks():
    rows = labelled_rows()
    assert len(rows) >= 100
    assert all(r["surname"] != r["misspelt"] for r in rows)
    assert len({r["heritage"] for r in rows}) >= 7


def test_a_misspelt_surname_finds_the_right_person_on_the_first_page(users):
    rows = labelled_rows()
    targets = populate(rows, random.Random(18))  # noqa: S311 (test data)
    hub = users["hub"]

    missed, missed_full = [], []
    for row, target in zip(rows, targets, strict=True):
        found, _ = person_search(user=hub, query=row["misspelt"], page_size=PAGE_SIZE)
        if target not in found:
            missed.append(f"{row['misspelt']} for {row['surname']}")
        full, _ = person_search(
            user=hub, query=f"{target.first_name} {row['misspelt']}", page_size=PAGE_SIZE
        )
        if target not in full:
            missed_full.append(f"{target.first_name} {row['misspelt']} for {row['surname']}")

    rate = 1 - len(missed) / len(rows)
    rate_full = 1 - len(missed_full) / len(rows)
    print(
        f"\nMisspelt surname alone: {rate:.1%} of {len(rows)} on page 1 (missed: {missed})"
        f"\nFirst name and misspelt surname: {rate_full:.1%} (missed: {missed_full})"
    )
    assert rate >= 0.95, missed
    assert rate_full >= 0.95, missed_full
