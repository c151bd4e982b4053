"""Walking the request pages with the test client: the answers a valid request gives."""

from datetime import date, timedelta

from django.urls import reverse

from cases.models import SupportRequest
from earlyhelp.models import Locality, Organisation
from tests.dates import typed

CHILD = {
    "member-role": "child",
    "member-relationship": "Son",
    "member-concerns": "Missing school most Mondays; anxious about his mum.",
    "person-first_name": "Tomasz",
    "person-last_name": "Nowak",
    "person-date_of_birth": "2014-03-02",
    "person-sex": "male",
    "person-ethnicity": "white",
    "person-send": "none",
    "person-first_language": "Polish",
    "person-postcode": "LE11 2AB",
}
PARENT = {
    "member-role": "parent_carer",
    "member-relationship": "Mother",
    "member-concerns": "",
    "person-first_name": "Ewa",
    "person-last_name": "Nowak",
    "person-date_of_birth": "1988-07-19",
    "person-sex": "female",
    "person-ethnicity": "white",
    "person-send": "none",
    "person-first_language": "Polish",
    "person-postcode": "LE11 2AB",
}


def referrer_answers(agency):
    return {
        "source_agency": agency.pk,
        "referrer_name": "Sam Teacher",
        "referrer_role": "Designated safeguarding lead",
        "referrer_phone": "01509 123456",
        "referrer_email": "sam@school.example.org",
    }


FAMILY_REFERRER = {
    "referrer_name": "Ewa Nowak",
    "referrer_role": "Mother",
    "referrer_phone": "07700 900982",
}
REASON = {"reason": "Tomasz's attendance has fallen to 70% and his mother is struggling."}


def address_answers(locality):
    return {
        "address_line": "4 Mill Lane, Loughborough",
        "postcode": "le11 2ab",
        "locality": locality.pk,
    }


def consent_answers(agencies, *, kind="verbal", given_on=None, chase_on=None):
    given_on = given_on or date.today()
    answers = {
        "kind": kind,
        "given_by": "Ewa Nowak (mother)",
        "given_on": given_on.isoformat(),
        "covers": ["summary", "casework"],
        "agencies": [a.pk for a in agencies],
    }
    if kind == "verbal":
        answers["chase_on"] = (chase_on or given_on + timedelta(days=14)).isoformat()
    return answers


def world():
    """A locality and two agencies: a school, and the council's family support service."""
    locality, _ = Locality.objects.get_or_create(name="Charnwood")
    school, _ = Organisation.objects.get_or_create(
        name="Loughborough Primary", defaults={"kind": "education", "tier": 3}
    )
    family_support, _ = Organisation.objects.get_or_create(
        name="Children and Family Wellbeing Service", defaults={"kind": "family_support", "tier": 2}
    )
    return locality, school, family_support


def post_ok(client, name, data, **kwargs):
    response = client.post(reverse(name, **kwargs), typed(data))
    assert response.status_code == 302, (
        f"{name}: {response.status_code}\n{response.content.decode()[:3000]}"
    )
    return response


def fill_request(
    client,
    *,
    kind=SupportRequest.Kind.MULTI_AGENCY,
    people=(CHILD, PARENT),
    consent=None,
    matches=None,
):
    """Every question page of a request, up to (not including) sending it."""
    locality, school, family_support = world()
    post_ok(client, "request-start", {"kind": kind})
    if kind == SupportRequest.Kind.FAMILY:
        post_ok(client, "request-referrer", FAMILY_REFERRER)
    else:
        post_ok(client, "request-referrer", referrer_answers(school))
    post_ok(client, "request-reason", REASON)
    for i, person in enumerate(people):
        data = dict(person)
        if matches and matches[i] is not None:
            data["match"] = matches[i]
        post_ok(client, "request-person-add", data)
    post_ok(client, "request-people", {"add_another": "no"})
    post_ok(client, "request-address", address_answers(locality))
    post_ok(client, "request-consent", consent or consent_answers([school, family_support]))


def send_request(client, **kwargs) -> SupportRequest:
    fill_request(client, **kwargs)
    post_ok(client, "request-check", {})
    return SupportRequest.objects.latest("id")


def waiting_request(
    name="Example family",
    *,
    age=timedelta(hours=2),
    kind=SupportRequest.Kind.MULTI_AGENCY,
    locality=None,
    source_agency=None,
    status=SupportRequest.Status.AWAITING_TRIAGE,
    family=None,
) -> SupportRequest:
    """A request in the queue, made directly (the pages are tested on their own)."""
    from django.utils import timezone

    from tests.worlds import make_family

    family = family or make_family(name)
    support_request = SupportRequest.objects.create(
        family=family,
        kind=kind,
        received_at=timezone.now() - age,
        locality=locality,
        source_agency=source_agency,
        status=status,
        triaged_at=None if status == SupportRequest.Status.AWAITING_TRIAGE else timezone.now(),
        referrer_name="A referrer",
        reason="Attendance has fallen and the family are struggling.",
    )
    for member in family.memberships.all():
        support_request.members.create(
            person=member.person, role=member.role, name_as_given=str(member.person)
        )
    return support_request


def fill_until(client, step, *, kind=SupportRequest.Kind.MULTI_AGENCY):
    """Answer every question page before `step`, so that `step` is the page to answer."""
    locality, school, family_support = world()
    order = ["kind", "referrer", "reason", "person", "people", "address", "consent", "check"]
    answers = {
        "kind": ("request-start", {"kind": kind}),
        "referrer": (
            "request-referrer",
            FAMILY_REFERRER if kind == SupportRequest.Kind.FAMILY else referrer_answers(school),
        ),
        "reason": ("request-reason", REASON),
        "person": ("request-person-add", CHILD),
        "people": ("request-people", {"add_another": "no"}),
        "address": ("request-address", address_answers(locality)),
        "consent": ("request-consent", consent_answers([school])),
    }
    for earlier in order[: order.index(step)]:
        name, data = answers[earlier]
        post_ok(client, name, data)
