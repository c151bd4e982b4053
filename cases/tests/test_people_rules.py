"""The people pages' rules are their services' own: each service, called directly with what a
page's form would have refused, refuses it keyed by field in the form's words, and saves nothing
(`tests/test_family_pages.py` goes through the pages; `test_merging.py` refuses a merge)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.gate import break_glass_grant
from cases.models import Address, Person
from cases.people import services
from earlyhelp.models import AuditEntry, BreakGlass
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + timedelta(days=1)


def refused(call) -> dict[str, list[str]]:
    """The problems a service refused with, by field; and no audit row was written."""
    with pytest.raises(ValidationError) as refusal:
        call()
    assert not AuditEntry.objects.exists()
    return refusal.value.message_dict


BAD_DETAILS = [
    ({"first_name": " "}, {"first_name": ["Enter first name"]}),
    (
        {"date_of_birth": TOMORROW},
        {"date_of_birth": ["Date of birth must be today or in the past"]},
    ),
    (
        {"expected_date_of_birth": TOMORROW},
        {"expected_date_of_birth": ["Give a date of birth or an expected date of birth, not both"]},
    ),
    (
        # An unborn child has an expected date, a pregnancy's length ahead at most.
        {"date_of_birth": None, "expected_date_of_birth": TOMORROW + timedelta(weeks=44)},
        {"expected_date_of_birth": ["Expected date of birth must be within the next 10 months"]},
    ),
    ({"postcode": "LE11"}, {"postcode": ["Enter a real postcode, like LE11 3TU"]}),
]


@pytest.mark.parametrize("details, problems", BAD_DETAILS)
def test_a_new_person_is_refused_bad_details(users, details, problems):
    family = make_family("Nowak family")
    person = Person(first_name="Ola", last_name="Nowak", date_of_birth=date(2015, 3, 1))
    for name, value in details.items():
        setattr(person, name, value)
    refusal = refused(
        lambda: services.person_create(person=person, by=users["practitioner"], family=family)
    )
    assert refusal == problems
    assert not Person.objects.filter(first_name__in=["Ola", " "]).exists()


@pytest.mark.parametrize("details, problems", BAD_DETAILS)
def test_a_person_is_not_updated_with_bad_details(users, details, problems):
    family = make_family("Nowak family")
    person = family.memberships.get().person
    before = {name: getattr(person, name) for name in details}
    for name, value in details.items():
        setattr(person, name, value)
    assert refused(lambda: services.person_update(person=person, by=users["practitioner"])) == (
        problems
    )
    person.refresh_from_db()
    assert {name: getattr(person, name) for name in details} == before


@pytest.mark.parametrize(
    "address, problems",
    [
        ({"postcode": "LE11 3T"}, {"postcode": ["Enter a real postcode, like LE11 3TU"]}),
        ({"postcode": ""}, {"postcode": ["Enter postcode"]}),
        ({"moved_in": None}, {"moved_in": ["Enter the date they moved in"]}),
    ],
)
def test_a_new_address_is_refused_without_a_real_postcode_or_a_date(users, address, problems):
    person = make_family("Nowak family").memberships.get().person
    new = Address(line_1="1 High Street", postcode="LE11 3TU", moved_in=date(2026, 1, 5))
    for name, value in address.items():
        setattr(new, name, value)
    refusal = refused(
        lambda: services.address_add(person=person, address=new, by=users["practitioner"])
    )
    assert refusal == problems
    assert not Address.objects.exists()


@pytest.mark.parametrize("reason", ["", "Police asked", " " * 25])
def test_break_glass_needs_a_written_reason(users, reason):
    """DOMAIN §1: "break-glass" access needs a written reason, expires, and is flagged to
    managers."""
    family = make_family("Glass family")
    refusal = refused(
        lambda: break_glass_grant(user=users["administrator"], family_id=family.pk, reason=reason)
    )
    assert refusal == {"reason": ["Give a reason of at least 20 characters"]}
    assert not BreakGlass.objects.exists()
