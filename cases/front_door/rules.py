"""The rules of a request for support, and the words of their problems (DOMAIN §4 step 1);
and of the hub's decision on it (step 2), which `support_request_triage` checks.

`support_request_submit` checks every one of them before it writes anything, and refuses with
the problems keyed by field as the partner API names them (`reason`, `consent.chase_on`,
`people[0].date_of_birth`). The request pages ask the same functions for early feedback on
each question page, with the keys inside that page (`chase_on`). Forms and the API's input
serializers take the words of their own checks (no answer, not a real date, not one of the
list) from here too, so each message is written once.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from cases.models import Consent, DataKind, FamilyMember, Priority, SupportRequest
from cases.people.rules import postcode_problem
from earlyhelp.models import Organisation

# --- the words ------------------------------------------------------------------------------

KIND_MISSING = "Select what kind of request this is"
KIND_UNKNOWN = "Select what kind of request this is from the list"
STEP_DOWN_NOT_YOURS = "Only children's social care can request a step-down"

AGENCY_MISSING = "Select your agency"
AGENCY_UNKNOWN = "Select your agency from the list"
# Who is asking: a professional, or the family (whose "role" is their relationship).
REFERRER_MISSING = {
    "professional": {
        "referrer_name": "Enter your name",
        "referrer_role": "Enter your job title",
        "referrer_phone": "Enter telephone number",
    },
    "family": {
        "referrer_name": "Enter the name of the person asking for support",
        "referrer_role": "Enter their relationship to the children",
        "referrer_phone": "Enter telephone number",
    },
}
PHONE_INVALID = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.gov.uk"

REASON_MISSING = "Enter why the family needs support"
REASON_TOO_SHORT = "Describe why the family needs support in at least 20 characters"
REASON_MIN = 20

NO_PEOPLE = "Add at least one person the request is about"
NO_CONCERNS = "Give the concerns for at least one person: select yes, or change a person"
ROLE_MISSING = "Select role in the household"
ROLE_UNKNOWN = "Select role in the household from the list"
PERSON_TWICE = "You have already added this person to the request"
PERSON_MERGED = "A record you chose was merged into another since: check the people again"

ADDRESS_MISSING = "Enter the family's address"
POSTCODE_MISSING = "Enter the family's postcode"
LOCALITY_MISSING = "Select the family's locality"
LOCALITY_UNKNOWN = "Select locality from the list"

CONSENT_KIND_MISSING = "Select how the family gave consent"
CONSENT_KIND_UNKNOWN = "Select how the family gave consent from the list"
GIVEN_BY_MISSING = "Enter who gave consent"
GIVEN_ON_MISSING = "Enter the date consent was given"
GIVEN_ON_NOT_REAL = "Date consent was given must be a real date"
GIVEN_ON_IN_THE_FUTURE = "Date consent was given must be today or in the past"
CHASE_ON_MISSING = "Enter the date to chase the written consent form"
CHASE_ON_NOT_REAL = "Date to chase the written consent form must be a real date"
CHASE_BEFORE_GIVEN = "Date to chase the written consent form must be after consent was given"
COVERS_MISSING = "Select what the family agreed may be shared"
COVERS_UNKNOWN = "Select what they agreed may be shared from the list"
AGENCIES_MISSING = "Select the agencies the family agreed may share information"
AGENCIES_UNKNOWN = "Select agencies they agreed may share information from the list"

PRIORITY_MISSING = "Select a decision"
PRIORITY_UNKNOWN = "Select decision from the list"
RATIONALE_MISSING = "Enter the reasons for your decision"
RATIONALE_TOO_SHORT = "Give the reasons for your decision in a sentence or two"
RATIONALE_MIN = 10

# The longest answer each text may be (the columns that keep them), and the words for longer.
LIMITS = {
    "referrer_name": (200, "Name must be 200 characters or fewer"),
    "referrer_role": (200, "Job title or relationship must be 200 characters or fewer"),
    "referrer_phone": (40, "Telephone number must be 40 characters or fewer"),
    "referrer_email": (254, "Email address must be 254 characters or fewer"),
    "reason": (5000, "Describe why the family needs support in 5,000 characters or fewer"),
    "relationship": (100, "Relationship must be 100 characters or fewer"),
    "concerns": (3000, "Describe the concerns in 3,000 characters or fewer"),
    "address_line": (300, "Address must be 300 characters or fewer"),
    "given_by": (200, "Who gave consent must be 200 characters or fewer"),
    "rationale": (5000, "Give the reasons for your decision in 5,000 characters or fewer"),
}

PHONE = re.compile(r"\+?[\d ()-]+")

Problems = dict[str, list[str]]


# --- the rules ------------------------------------------------------------------------------


def can_step_down(user) -> bool:
    """Step-down requests come from social workers of a social care organisation (§4 step 8)."""
    organisation = user.organisation
    return organisation is not None and organisation.kind == Organisation.Kind.SOCIAL_CARE


def kind_problems(kind: str | None, *, by) -> Problems:
    if not kind:
        return {"kind": [KIND_MISSING]}
    if kind not in SupportRequest.Kind.values:
        return {"kind": [KIND_UNKNOWN]}
    if kind == SupportRequest.Kind.STEP_DOWN and not can_step_down(by):
        return {"kind": [STEP_DOWN_NOT_YOURS]}
    return {}


def referrer_missing(kind: str | None) -> dict[str, str]:
    """The words for a missing name, role and telephone number: they depend on who asks."""
    return REFERRER_MISSING["family" if kind == SupportRequest.Kind.FAMILY else "professional"]


def referrer_problems(*, kind, source_agency, name, role, phone, email) -> Problems:
    """A professional names their agency; anyone asking gives a name, a role, a telephone."""
    problems: Problems = {}
    if kind != SupportRequest.Kind.FAMILY and source_agency is None:
        problems["source_agency"] = [AGENCY_MISSING]
    given = {"referrer_name": name, "referrer_role": role, "referrer_phone": phone}
    for field, message in referrer_missing(kind).items():
        if not (given[field] or "").strip():
            problems[field] = [message]
    if "referrer_phone" not in problems and (
        not PHONE.fullmatch(phone) or len(re.sub(r"\D", "", phone)) < 10
    ):
        problems["referrer_phone"] = [PHONE_INVALID]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["referrer_email"] = [EMAIL_INVALID]
    given["referrer_email"] = email
    return _within_limits(given, problems)


def reason_problems(reason: str | None) -> Problems:
    text = (reason or "").strip()
    if not text:
        return {"reason": [REASON_MISSING]}
    if len(text) < REASON_MIN:
        return {"reason": [REASON_TOO_SHORT]}
    return _within_limits({"reason": text}, {})


def people_problems(concerns: list[str]) -> Problems:
    """A request is about someone, and says what the concerns are for at least one of them."""
    if not concerns:
        return {"people": [NO_PEOPLE]}
    if not any((c or "").strip() for c in concerns):
        return {"people": [NO_CONCERNS]}
    return {}


def member_problems(*, role, relationship, concerns) -> Problems:
    """A person's place in the household, and the concerns for them."""
    problems: Problems = {}
    if not role:
        problems["role"] = [ROLE_MISSING]
    elif role not in FamilyMember.Role.values:
        problems["role"] = [ROLE_UNKNOWN]
    return _within_limits({"relationship": relationship, "concerns": concerns}, problems)


def address_problems(*, address_line, postcode, locality) -> Problems:
    """Where the family lives (a postcode in capitals with one space, as the service keeps it)."""
    problems: Problems = {}
    if not (address_line or "").strip():
        problems["address_line"] = [ADDRESS_MISSING]
    if not postcode:
        problems["postcode"] = [POSTCODE_MISSING]
    elif message := postcode_problem(postcode):
        problems["postcode"] = [message]
    if locality is None:
        problems["locality"] = [LOCALITY_MISSING]
    return _within_limits({"address_line": address_line}, problems)


def consent_problems(*, kind, given_by, given_on, chase_on, covers, agencies) -> Problems:
    """DOMAIN §2: consent is given on a day not yet to come, covers some kinds of information
    for some agencies, and verbal consent is chased for the written form after it was given."""
    problems: Problems = {}
    if not kind:
        problems["kind"] = [CONSENT_KIND_MISSING]
    elif kind not in Consent.Kind.values:
        problems["kind"] = [CONSENT_KIND_UNKNOWN]
    if not (given_by or "").strip():
        problems["given_by"] = [GIVEN_BY_MISSING]
    if given_on is None:
        problems["given_on"] = [GIVEN_ON_MISSING]
    elif given_on > timezone.localdate():
        problems["given_on"] = [GIVEN_ON_IN_THE_FUTURE]
    if kind == Consent.Kind.VERBAL:
        if chase_on is None:
            problems["chase_on"] = [CHASE_ON_MISSING]
        elif given_on is not None and chase_on < given_on:
            problems["chase_on"] = [CHASE_BEFORE_GIVEN]
    if not covers:
        problems["covers"] = [COVERS_MISSING]
    elif not set(covers) <= set(DataKind.values):
        problems["covers"] = [COVERS_UNKNOWN]
    if not agencies:
        problems["agencies"] = [AGENCIES_MISSING]
    return _within_limits({"given_by": given_by}, problems)


def triage_problems(*, priority, rationale) -> Problems:
    """Triage records "priority, decision, rationale" (DOMAIN §4 step 2): a decision from the
    list, and its reasons in a sentence or two, which the family are told and managers review."""
    problems: Problems = {}
    if not priority:
        problems["priority"] = [PRIORITY_MISSING]
    elif priority not in Priority.values:
        problems["priority"] = [PRIORITY_UNKNOWN]
    text = (rationale or "").strip()
    if not text:
        problems["rationale"] = [RATIONALE_MISSING]
    elif len(text) < RATIONALE_MIN:
        problems["rationale"] = [RATIONALE_TOO_SHORT]
    return _within_limits({"rationale": text}, problems)


def prefixed(problems: Problems, prefix: str) -> Problems:
    return {f"{prefix}{field}": messages for field, messages in problems.items()}


def _within_limits(texts: dict, problems: Problems) -> Problems:
    for field, text in texts.items():
        most, message = LIMITS[field]
        if field not in problems and len(text or "") > most:
            problems[field] = [message]
    return problems
