"""Factories for families and persons.

A person gets no NHS number, National Insurance number or unique pupil number
unless a test asks (`PersonFactory(with_nhs_number=True)`, or all three with
`with_identifiers=True`); each one made is valid and different from the last.
"""

import datetime

import factory

from cases.models import Address, Family, FamilyMember, Person, PersonName
from cases.people.identifiers import nhs_check_digit, upn_check_letter


def valid_nhs_number(n: int) -> str:
    """A valid NHS number in the 999 range (kept for testing), a different one for each n.

    Even stems are tried first; where no check digit can end one, the odd stem
    after it always can (its weighted sum is 2 more), and no other n uses it.
    """
    stem = 999_000_000 + 2 * n
    if nhs_check_digit(str(stem)) is None:
        stem += 1
    return f"{stem}{nhs_check_digit(str(stem))}"


def valid_ni_number(n: int) -> str:
    return f"JT{n % 1_000_000:06d}{'ABCD'[n % 4]}"


def valid_upn(n: int) -> str:
    body = f"{900_000_000_000 + n:012d}"
    return upn_check_letter(body) + body


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        with_nhs_number = factory.Trait(
            nhs_number=factory.Sequence(lambda n: valid_nhs_number(n)),
        )
        with_ni_number = factory.Trait(ni_number=factory.Sequence(lambda n: valid_ni_number(n)))
        with_upn = factory.Trait(upn=factory.Sequence(lambda n: valid_upn(n)))
        with_identifiers = factory.Trait(with_nhs_number=True, with_ni_number=True, with_upn=True)

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker(
        "date_between",
        start_date=datetime.date(2005, 1, 1),
        end_date=datetime.date(2023, 12, 31),
    )
    postcode = factory.Faker("postcode", locale="en_GB")


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    class Params:
        surname = factory.Faker("last_name", locale="en_GB")

    reference = factory.Sequence(lambda n: f"EH{n:06d}")
    name = factory.LazyAttribute(lambda family: f"{family.surname} family")
    postcode = factory.Faker("postcode", locale="en_GB")


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    role = FamilyMember.Role.CHILD
    joined_on = datetime.date(2024, 1, 1)


class PersonNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonName

    person = factory.SubFactory(PersonFactory)
    kind = PersonName.Kind.PREVIOUS
    first_name = factory.SelfAttribute("person.first_name")
    last_name = factory.Faker("last_name", locale="en_GB")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    person = factory.SubFactory(PersonFactory)
    line_1 = factory.Faker("street_address", locale="en_GB")
    town = factory.Faker("city", locale="en_GB")
    postcode = factory.SelfAttribute("person.postcode")
    moved_in = datetime.date(2020, 1, 1)
