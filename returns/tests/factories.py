"""Programme families for the returns' tests: a family, its episode and attachment, and members
with whatever identifiers a test asks for (every default one valid)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from cases.models import Episode, Family, FamilyMember, Person
from cases.tests.factories import valid_nhs_number, valid_ni_number, valid_upn
from earlyhelp.tests.factories import OrganisationFactory
from outcomes.models import Attachment, Evidence, OutcomesPlanVersion

_numbers = count(1)


def programme_family(
    users,
    *,
    surname: str = "Hart",
    attached_on: date = date(2025, 5, 1),
    started_on: date | None = None,
    ended_on: date | None = None,
    lead=None,
) -> Family:
    number = next(_numbers)
    family = Family.objects.create(
        reference=f"R{number:07d}", name=f"{surname} family", postcode="LE1 6ZG"
    )
    episode = Episode.objects.create(
        family=family,
        started_on=started_on or attached_on - timedelta(days=30),
        ended_on=ended_on,
        status="closed" if ended_on else "open",
        lead_practitioner=lead,
    )
    Attachment.objects.create(
        family=family,
        episode=episode,
        attached_on=attached_on,
        lead_agency=OrganisationFactory(name="Family Support"),
        attached_by=users["programme"],
        plan_version=OutcomesPlanVersion.objects.get(version=9),
    )
    return family


def member(
    family: Family,
    *,
    first_name: str = "Sam",
    born: date | None = date(2012, 6, 1),
    sex: str = "female",
    role: str = "child",
    joined_on: date | None = None,
    left_on: date | None = None,
    **fields,
) -> Person:
    """A member with a valid NHS number, UPN and NI number unless the test says otherwise."""
    n = next(_numbers)
    values = {
        "nhs_number": valid_nhs_number(n),
        "upn": valid_upn(n),
        "ni_number": valid_ni_number(n),
        "postcode": "LE2 1AA",
        **fields,
    }
    person = Person.objects.create(
        first_name=first_name,
        last_name=family.name.split()[0],
        date_of_birth=born,
        sex=sex,
        **values,
    )
    FamilyMember.objects.create(
        family=family, person=person, role=role, joined_on=joined_on, left_on=left_on
    )
    return person


def evidence(family: Family, kind: str, on: date, *, recorded_on: date | None = None, **values):
    return Evidence.objects.create(
        family=family,
        kind=kind,
        period_start=on,
        period_end=on,
        values=values,
        source="Test",
        recorded_on=recorded_on or on,
    )
