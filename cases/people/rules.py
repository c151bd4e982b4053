"""The rules of a person's details and of their new address, and the words of their problems.

A person's details are checked here wherever they come from: `PersonForm` asks for early
feedback on the person pages and the request pages, and `person_create`, `person_update` and
`support_request_submit` check them again before anything is saved, whether from the pages or
the partner API. `address_add` checks a new address, which `AddressForm` asks too.
Forms and the API's serializers take the words from here, so each is written once.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Person
from cases.people.identifiers import normalise_identifier

UK_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}")
IDENTIFIERS = ("nhs_number", "ni_number", "upn")

FIRST_NAME_MISSING = "Enter first name"
LAST_NAME_MISSING = "Enter last name"
DATE_OF_BIRTH_NOT_REAL = "Date of birth must be a real date"
EXPECTED_NOT_REAL = "Expected date of birth (unborn child) must be a real date"
BORN_IN_THE_FUTURE = "Date of birth must be today or in the past"
EXPECTED_AT_MOST = timedelta(weeks=44)
EXPECTED_TOO_FAR = "Expected date of birth must be within the next 10 months"
BORN_AND_EXPECTED = "Give a date of birth or an expected date of birth, not both"
POSTCODE_INVALID = "Enter a real postcode, like LE11 3TU"
ADDRESS_POSTCODE_MISSING = "Enter postcode"
MOVED_IN_MISSING = "Enter the date they moved in"

Problems = dict[str, list[str]]

# A person's own details: every field a page or a request may give, not links or timestamps.
DETAILS = tuple(
    field.name
    for field in Person._meta.fields
    if field.editable and not field.is_relation and not field.primary_key
)


def postcode_normalised(value: str | None) -> str:
    """Capitals, one space: "le11  3tu" is LE11 3TU."""
    return " ".join((value or "").upper().split())


def person_details_normalised(details: dict) -> dict:
    """Identifiers as their validators read them (no spaces or dashes), the postcode as above."""
    details = dict(details)
    for name in IDENTIFIERS:
        if name in details:
            details[name] = normalise_identifier(details[name] or "")
    if "postcode" in details:
        details["postcode"] = postcode_normalised(details["postcode"])
    return details


def postcode_problem(postcode: str) -> str | None:
    """An empty postcode is no answer; one given must be a real one."""
    return POSTCODE_INVALID if postcode and not UK_POSTCODE.fullmatch(postcode) else None


def person_details_of(person: Person) -> dict:
    """The details of a person's record (saved or not), as `person_problems` judges them."""
    return {name: getattr(person, name) for name in DETAILS}


def new_address_problems(*, postcode, moved_in) -> Problems:
    """A move has a date (the address before it ends the day before) and a real postcode."""
    problems: Problems = {}
    if not postcode:
        problems["postcode"] = [ADDRESS_POSTCODE_MISSING]
    elif message := postcode_problem(postcode):
        problems["postcode"] = [message]
    if moved_in is None:
        problems["moved_in"] = [MOVED_IN_MISSING]
    return problems


def person_problems(details: dict) -> Problems:
    """What is wrong with a person's (normalised) details, by field; empty when nothing is.

    Only the fields in `details` are judged: a form asks with the answers it could read, and
    a field it refused already is not judged twice. The record's own checks (an identifier's
    check digit, a name's length) come from the model, in the model's words.
    """
    problems: Problems = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    for field, message in (("first_name", FIRST_NAME_MISSING), ("last_name", LAST_NAME_MISSING)):
        if field in details and not (details[field] or "").strip():
            add(field, message)
    born, expected = details.get("date_of_birth"), details.get("expected_date_of_birth")
    if born and born > timezone.localdate():
        add("date_of_birth", BORN_IN_THE_FUTURE)
    if born and expected:
        add("expected_date_of_birth", BORN_AND_EXPECTED)
    elif expected and expected > timezone.localdate() + EXPECTED_AT_MOST:
        # A pregnancy runs about 40 weeks: an expected date further off is a typing slip
        # (a year, most often), and a child born already has a date of birth instead.
        add("expected_date_of_birth", EXPECTED_TOO_FAR)
    if message := postcode_problem(details.get("postcode")):
        add("postcode", message)
    judged = {f.name for f in Person._meta.fields if f.name in details}
    known = {name: value for name, value in details.items() if name in judged}
    others = [f.name for f in Person._meta.fields if f.name not in judged or f.name in problems]
    try:
        Person(**known).full_clean(
            exclude=others,
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            if field not in problems:
                for message in messages:
                    add(field, message)
    return problems
