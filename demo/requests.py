"""Demo requests for `make run`, so the hub's queue has something in it (idempotent).

Made through `support_request_submit`, as the pages would, then aged so the
home page's age bands are not all "under 1 day".
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cases.front_door.services import (
    ConsentGiven,
    Referrer,
    RequestedPerson,
    support_request_submit,
)
from cases.models import DataKind, SupportRequest
from earlyhelp.models import Locality, Organisation, User


def _person(first, last, born, role, relationship, concerns=""):
    return RequestedPerson(
        details={"first_name": first, "last_name": last, "date_of_birth": born},
        role=role,
        relationship=relationship,
        concerns=concerns,
    )


@transaction.atomic
def seed_demo_requests() -> list[SupportRequest]:
    practitioner = User.objects.get(username="practitioner")
    social_worker = User.objects.get(username="social-worker")
    if SupportRequest.objects.filter(submitted_by__in=[practitioner, social_worker]).exists():
        return []
    school = Organisation.objects.get(name="Loughborough Grammar Academy")
    social_care = Organisation.objects.get(name="Children's Social Care")
    service = Organisation.objects.get(name="Children and Family Wellbeing Service")
    charnwood = Locality.objects.get(name="Charnwood")
    melton = Locality.objects.get(name="Melton")
    today = timezone.localdate()
    made = []
    for by, kind, agency, referrer, reason, people, locality, consent_kind, age in [
        (
            practitioner,
            SupportRequest.Kind.MULTI_AGENCY,
            school,
            Referrer("Sam Patel", "Designated safeguarding lead", "01509 263 000"),
            "Tomasz's attendance has fallen to 71% this term; his mother says she is not "
            "coping since her partner left.",
            [
                _person("Tomasz", "Nowak", date(2014, 3, 2), "child", "Son", "Absent most Mondays"),
                _person("Ewa", "Nowak", date(1988, 7, 19), "parent_carer", "Mother"),
            ],
            charnwood,
            "verbal",
            timedelta(hours=3),
        ),
        (
            practitioner,
            SupportRequest.Kind.FAMILY,
            None,
            Referrer("Margaret Reid", "Grandmother", "07700 900 123"),
            "Caring for two grandchildren after their mum went into hospital; the eldest "
            "has stopped eating properly.",
            [
                _person("Lily", "Reid", date(2012, 11, 5), "child", "Granddaughter", "Not eating"),
                _person("Margaret", "Reid", date(1961, 2, 3), "parent_carer", "Grandmother"),
            ],
            melton,
            "written",
            timedelta(days=2, hours=4),
        ),
        (
            social_worker,
            SupportRequest.Kind.STEP_DOWN,
            social_care,
            Referrer("Sofia Mensah", "Social worker", "0116 305 0005"),
            "Child protection plan ended; the family would benefit from early help to keep "
            "routines and school attendance steady.",
            [
                _person("Daniel", "Okafor", date(2016, 6, 30), "child", "Son", "Routines"),
                _person("Grace", "Okafor", date(1990, 4, 12), "parent_carer", "Mother"),
            ],
            charnwood,
            "written",
            timedelta(days=9),
        ),
    ]:
        support_request = support_request_submit(
            by=by,
            kind=kind,
            source_agency=agency,
            referrer=referrer,
            reason=reason,
            people=people,
            address_line="Demo address",
            postcode="LE11 1AA",
            locality=locality,
            consent=ConsentGiven(
                kind=consent_kind,
                given_by=people[-1].name_as_given,
                given_on=today,
                chase_on=today + timedelta(days=14) if consent_kind == "verbal" else None,
                covers=[DataKind.SUMMARY, DataKind.CASEWORK],
                agencies=[a for a in (agency, service) if a is not None],
            ),
        )
        SupportRequest.objects.filter(pk=support_request.pk).update(
            received_at=timezone.now() - age
        )
        made.append(support_request)
    return made
