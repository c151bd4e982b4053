"""Writes of the front door: a request is submitted, triaged, allocated (DOMAIN §4 steps 1–3).

Each is one transaction and leaves an audit row. Triage and allocation lock
the request's row first (`select_for_update`), so two hub staff acting on the
same request at once are served one after the other, and the second is told
who was first; the "one open episode per family" constraint stands behind the
lock for allocations that reach the family some other way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone

from cases.episode.selectors import open_episode_of
from cases.front_door import rules
from cases.models import (
    Allocation,
    Consent,
    Episode,
    Family,
    FamilyMember,
    OpenEpisodeResolution,
    Person,
    SupportRequest,
    SupportRequestMember,
    TriageDecision,
)
from cases.models.triage import (
    RESOLVED_IN_WORDS,
    STATUS_AFTER,
    STATUS_AFTER_RESOLUTION,
    Priority,
)
from cases.people.rules import person_details_normalised, person_problems, postcode_normalised
from cases.people.selectors import current_memberships
from cases.people.services import possible_duplicates_raise
from earlyhelp import audit
from earlyhelp.models import AuditEntry, Locality, Organisation, Role, User

ALLOWED = AuditEntry.Outcome.ALLOWED
# Within this, "a moment ago" is truer than a date and time.
A_MOMENT = timedelta(minutes=10)


class RequestAlreadyHandled(ValidationError):
    """Someone else decided or allocated this request first."""


class FamilyAlreadyOpen(ValidationError):
    """The family has an open episode already, so allocation would open a second one."""


@dataclass(frozen=True)
class Referrer:
    name: str
    role: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class RequestedPerson:
    """A person the request is about: a record duplicate detection linked, or a new one."""

    details: dict  # Person field values, as the referrer gave them
    role: str
    relationship: str = ""
    concerns: str = ""
    existing: Person | None = None

    @property
    def name_as_given(self) -> str:
        return " ".join(
            part for part in (self.details.get("first_name"), self.details.get("last_name")) if part
        )


@dataclass(frozen=True)
class ConsentGiven:
    kind: str
    given_by: str
    given_on: date
    covers: list[str]
    agencies: list[Organisation] = field(default_factory=list)
    chase_on: date | None = None


@transaction.atomic
def support_request_submit(
    *,
    by: User,
    kind: str,
    referrer: Referrer,
    reason: str,
    people: list[RequestedPerson],
    consent: ConsentGiven,
    source_agency: Organisation | None = None,
    address_line: str = "",
    postcode: str = "",
    locality: Locality | None = None,
) -> SupportRequest:
    """Record a request: link or create its people, find or create their family, keep consent.

    Every rule of a request is checked first (`rules`), and all its problems refused at once,
    keyed by field (`reason`, `consent.chase_on`, `people[0].date_of_birth`): nothing is written
    unless every answer is right, whether the request came from the pages or the API.
    """
    postcode = postcode_normalised(postcode)
    people = [
        replace(p, details=person_details_normalised(p.details)) if p.existing is None else p
        for p in people
    ]
    problems = _submission_problems(
        by=by,
        kind=kind,
        source_agency=source_agency,
        referrer=referrer,
        reason=reason,
        people=people,
        address_line=address_line,
        postcode=postcode,
        locality=locality,
        consent=consent,
    )
    if problems:
        raise ValidationError(problems)
    existing = [p.existing for p in people if p.existing is not None]
    family = _family_of(existing)
    if family is None:
        family = Family.objects.create(
            reference=family_reference_next(),
            name=_family_name(people),
            address_line=address_line,
            postcode=postcode,
            locality=locality,
        )
        audit.record(by, action="create", outcome=ALLOWED, family_id=family.pk)
    support_request = SupportRequest.objects.create(
        family=family,
        kind=kind,
        received_at=timezone.now(),
        source_agency=None if kind == SupportRequest.Kind.FAMILY else source_agency,
        referrer_name=referrer.name,
        referrer_role=referrer.role,
        referrer_phone=referrer.phone,
        referrer_email=referrer.email,
        submitted_by=by,
        reason=reason,
        address_line=address_line,
        postcode=postcode,
        locality=locality or family.locality,
    )
    current = set(current_memberships().filter(family=family).values_list("person_id", flat=True))
    for wanted in people:
        person = wanted.existing or _person_create(wanted.details, family=family, by=by)
        if person.pk not in current:
            FamilyMember.objects.create(
                family=family,
                person=person,
                role=wanted.role,
                relationship=wanted.relationship,
                joined_on=timezone.localdate(),
            )
            current.add(person.pk)
            audit.record(
                by,
                action="add_member",
                outcome=ALLOWED,
                family_id=family.pk,
                person_id=person.pk,
                detail=f"from request {support_request.reference}",
            )
        SupportRequestMember.objects.create(
            request=support_request,
            person=person,
            role=wanted.role,
            relationship=wanted.relationship,
            concerns=wanted.concerns,
            name_as_given=wanted.name_as_given[:300],
            matched_existing=wanted.existing is not None,
        )
        _consent_record(consent, person=person, family=family, by=by)
    audit.record(
        by,
        action="request",
        outcome=ALLOWED,
        family_id=family.pk,
        detail=f"{support_request.reference}: {support_request.get_kind_display()}",
    )
    return support_request


def _submission_problems(
    *, by, kind, source_agency, referrer, reason, people, address_line, postcode, locality, consent
) -> rules.Problems:
    problems = rules.kind_problems(kind, by=by)
    problems |= rules.referrer_problems(
        kind=kind,
        source_agency=source_agency,
        name=referrer.name,
        role=referrer.role,
        phone=referrer.phone,
        email=referrer.email,
    )
    problems |= rules.reason_problems(reason)
    problems |= rules.people_problems([p.concerns for p in people])
    linked = set()
    merged = set(
        Person.objects.filter(
            pk__in=[p.existing.pk for p in people if p.existing is not None],
            merged_into__isnull=False,
        ).values_list("pk", flat=True)
    )
    for index, wanted in enumerate(people):
        each = rules.member_problems(
            role=wanted.role, relationship=wanted.relationship, concerns=wanted.concerns
        )
        if wanted.existing is None:
            each |= person_problems(wanted.details)
        elif wanted.existing.pk in linked:
            each["person_id"] = [rules.PERSON_TWICE]
        elif wanted.existing.pk in merged:
            each["person_id"] = [rules.PERSON_MERGED]
        if wanted.existing is not None:
            linked.add(wanted.existing.pk)
        problems |= rules.prefixed(each, f"people[{index}].")
    problems |= rules.address_problems(
        address_line=address_line, postcode=postcode, locality=locality
    )
    consent_given = rules.consent_problems(
        kind=consent.kind,
        given_by=consent.given_by,
        given_on=consent.given_on,
        chase_on=consent.chase_on,
        covers=consent.covers,
        agencies=consent.agencies,
    )
    return problems | rules.prefixed(consent_given, "consent.")


def _family_of(existing: list[Person]) -> Family | None:
    """The household most of the linked people live in now; on a tie, the newest."""
    if not existing:
        return None
    counts = Counter(
        current_memberships()
        .filter(person__in=existing, family__isnull=False)
        .values_list("family_id", flat=True)
    )
    if not counts:
        return None
    family_id = max(counts, key=lambda pk: (counts[pk], pk))
    return Family.objects.get(pk=family_id)


def family_reference_next() -> str:
    """`F` and seven digits from a database sequence: unique however many submit at once.

    A reference taken by hand (an import, say) is skipped rather than reused.
    """
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT nextval('cases_family_reference')")
            reference = f"F{cursor.fetchone()[0]:07d}"
            if not Family.objects.filter(reference=reference).exists():
                return reference


def _family_name(people: list[RequestedPerson]) -> str:
    carers = [p for p in people if p.role == FamilyMember.Role.PARENT_CARER]
    first = (carers or people)[0]
    surname = first.existing.last_name if first.existing else first.details.get("last_name", "")
    return f"{surname} family"


def _person_create(details: dict, *, family, by) -> Person:
    person = Person(**details)
    person.full_clean()
    person.save()
    audit.record(by, action="create", outcome=ALLOWED, person_id=person.pk)
    # A likely match the sender may not see is for the hub to check, as on a family's page.
    possible_duplicates_raise(person=person, family=family, by=by)
    return person


def _consent_record(consent: ConsentGiven, *, person, family, by) -> Consent:
    record = Consent.objects.create(
        person=person,
        family=family,
        kind=consent.kind,
        given_by=consent.given_by,
        given_on=consent.given_on,
        chase_on=consent.chase_on if consent.kind == Consent.Kind.VERBAL else None,
        covers=list(consent.covers),
        recorded_by=by,
    )
    record.agencies.set(consent.agencies)
    return record


@transaction.atomic
def support_request_triage(
    *, support_request_id: int, priority: str, rationale: str, by: User
) -> TriageDecision:
    """The hub's decision, with its reasons. Advice and NFA close the request."""
    if problems := rules.triage_problems(priority=priority, rationale=rationale):
        raise ValidationError(problems)
    support_request = _locked(support_request_id)
    if support_request.status != SupportRequest.Status.AWAITING_TRIAGE:
        raise RequestAlreadyHandled(already_handled(support_request))
    now = timezone.now()
    decision = TriageDecision.objects.create(
        request=support_request,
        priority=priority,
        rationale=rationale.strip(),
        decided_by=by,
        decided_at=now,
        time_to_decision=now - support_request.received_at,
    )
    support_request.status = STATUS_AFTER[priority]
    support_request.triaged_at = now
    support_request.save(update_fields=["status", "triaged_at"])
    audit.record(
        by,
        action="triage",
        outcome=ALLOWED,
        family_id=support_request.family_id,
        detail=f"{support_request.reference}: {decision.short_name}",
    )
    return decision


@transaction.atomic
def support_request_allocate(
    *,
    support_request_id: int,
    lead_agency: Organisation,
    lead_practitioner: User | None = None,
    by: User,
) -> Allocation:
    """The hub picks the lead agency, and opens the family's episode with it (§4 step 3).

    "The lead agency names the lead practitioner": the hub names one itself only if they are
    already engaged with the family (`cases.allocation.selectors`); otherwise the episode opens
    with the agency alone and its team managers are told to name the lead
    (`cases.allocation.services.allocation_name_lead`). The episode opens here, not at naming,
    so that the family's one open episode is claimed by the allocation itself: a second
    request for the family is refused now, at the hub, not later at a manager's naming. A P3b
    single-service response goes to the agency with no named lead at all.
    """
    from cases.allocation.selectors import agency_managers, is_engaged

    support_request = _locked(support_request_id)
    if support_request.status != SupportRequest.Status.AWAITING_ALLOCATION:
        raise RequestAlreadyHandled(already_handled(support_request))
    single_service = is_single_service(support_request)
    if lead_practitioner is not None:
        if single_service:
            raise ValidationError({"lead_practitioner": SINGLE_SERVICE_NO_LEAD})
        if not is_candidate(lead_practitioner, lead_agency):
            raise ValidationError(
                {"lead_practitioner": f"{lead_practitioner} is not a practitioner of {lead_agency}"}
            )
        if not is_engaged(lead_practitioner, family_id=support_request.family_id):
            raise ValidationError(
                {"lead_practitioner": NOT_ENGAGED.format(practitioner=lead_practitioner)}
            )
    elif not agency_managers(lead_agency).exists():
        raise ValidationError({"lead_agency": NO_MANAGER.format(agency=lead_agency)})
    caseload = None
    if lead_practitioner is not None:
        caseload = Episode.objects.filter(
            lead_practitioner=lead_practitioner, status=Episode.Status.OPEN
        ).count()
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                family_id=support_request.family_id,
                started_on=timezone.localdate(),
                lead_agency=lead_agency,
                lead_practitioner=lead_practitioner,
                single_service=single_service,
            )
    except IntegrityError:
        raise FamilyAlreadyOpen(_already_open(support_request.family_id)) from None
    now = timezone.now()
    allocation = Allocation.objects.create(
        request=support_request,
        episode=episode,
        lead_agency=lead_agency,
        lead_practitioner=lead_practitioner,
        caseload_then=caseload,
        allocated_by=by,
        allocated_at=now,
        named_by=by if lead_practitioner else None,
        named_at=now if lead_practitioner else None,
    )
    support_request.status = SupportRequest.Status.ALLOCATED
    support_request.save(update_fields=["status"])
    audit.record(
        by,
        action="allocate",
        outcome=ALLOWED,
        family_id=support_request.family_id,
        detail=f"{support_request.reference} to {allocation.lead_label} ({lead_agency})",
    )
    # The lead practitioner hears of the new case in the service and by email; with no lead
    # named, the agency's team managers hear of it.
    from cases.notifications.services import notify_agency_allocated, notify_allocated

    if lead_practitioner is not None:
        notify_allocated(episode)
    else:
        notify_agency_allocated(allocation)
    return allocation


SINGLE_SERVICE_NO_LEAD = (
    "A P3b single-service response goes to the agency without a named lead practitioner"
)
NOT_ENGAGED = (
    "{practitioner} is not yet engaged with this family: the agency's team manager names "
    "the lead practitioner"
)
NO_MANAGER = (
    "No team manager of {agency} can name a lead practitioner: choose another agency, or "
    "ask an administrator to give its teams a manager"
)


def is_single_service(support_request: SupportRequest) -> bool:
    """Whether the hub decided the request P3b: a single service's response, no named lead."""
    return TriageDecision.objects.filter(request=support_request, priority=Priority.P3B).exists()


def is_candidate(user: User, agency: Organisation) -> bool:
    return (
        user.is_active
        and user.role == Role.PRACTITIONER
        and user.team_id is not None
        and user.team.organisation_id == agency.pk
        and agency.is_active
    )


def _locked(support_request_id: int) -> SupportRequest:
    """The request's row, locked until this transaction ends: the second of two waits here."""
    return SupportRequest.objects.select_for_update(of=("self",)).get(pk=support_request_id)


def already_handled(support_request: SupportRequest) -> str:
    Status = SupportRequest.Status
    if support_request.status in STATUS_AFTER_RESOLUTION.values():
        resolution = OpenEpisodeResolution.objects.select_related("resolved_by").get(
            request=support_request
        )
        return (
            f"This request was {RESOLVED_IN_WORDS[support_request.status]} by "
            f"{resolution.resolved_by} {_when(resolution.resolved_at)}"
        )
    if support_request.status == Status.ALLOCATED:
        allocation = Allocation.objects.select_related("allocated_by").get(request=support_request)
        return (
            f"This request was allocated by {allocation.allocated_by} "
            f"{_when(allocation.allocated_at)}"
        )
    if support_request.status == Status.AWAITING_TRIAGE:
        return "This request has not been triaged yet"
    decision = TriageDecision.objects.select_related("decided_by").get(request=support_request)
    if support_request.status == Status.AWAITING_ALLOCATION:
        return (
            f"This request was triaged by {decision.decided_by} {_when(decision.decided_at)} "
            f"({decision.short_name}) and is waiting for allocation"
        )
    return (
        f"This request was triaged by {decision.decided_by} {_when(decision.decided_at)} "
        f"({decision.short_name}): it is {support_request.get_status_display().lower()}"
    )


def _already_open(family_id: int) -> str:
    episode = open_episode_of(family_id)
    lead = episode.lead_practitioner if episode and episode.lead_practitioner else "no one yet"
    return (
        f"This family already has an open episode, led by {lead}. "
        "Talk to its lead practitioner before opening another"
    )


def _when(moment) -> str:
    if timezone.now() - moment < A_MOMENT:
        return "a moment ago"
    return "on " + formats.date_format(timezone.localtime(moment), "j F Y")
