"""Small builders for families the tests need, shared by the cross-app tests."""

from datetime import date
from itertools import count

from cases.models import Episode, Family, FamilyMember, Person

_references = count(1)


def make_family(name="Example family", *, members=1, lead=None):
    family = Family.objects.create(reference=f"T{next(_references):07d}", name=name)
    surname = name.split()[0]
    for i in range(members):
        person = Person.objects.create(
            first_name=f"Member{i}", last_name=surname, date_of_birth=date(2010, 1, 1 + i % 28)
        )
        FamilyMember.objects.create(family=family, person=person, role="child")
    if lead is not None:
        open_episode(family, lead)
    return family


def open_episode(family, lead):
    return Episode.objects.create(
        family=family,
        started_on=date(2026, 9, 1),
        lead_practitioner=lead,
        lead_agency=lead.team.organisation if lead.team_id else None,
    )
