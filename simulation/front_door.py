"""The front door's simulated day: requests arrive, the hub triages and allocates them, and
resolves the possible duplicates arrival raised (DOMAIN §4 steps 1–3, §3 duplicates).

One function per kind of action, each taking the `World` and acting through the services a
page would call. An action a service refuses is counted in `world.skipped` by its reason,
never forced through.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError

from cases.allocation.services import allocation_name_lead
from cases.closure.services import unled_episode_end
from cases.episode.selectors import open_episode_of
from cases.front_door.open_episode import support_request_resolve_open
from cases.front_door.services import (
    ConsentGiven,
    FamilyAlreadyOpen,
    Referrer,
    RequestedPerson,
    is_single_service,
    support_request_allocate,
    support_request_submit,
    support_request_triage,
)
from cases.models import (
    Allocation,
    ClosureReason,
    DataKind,
    Episode,
    Person,
    SupportRequest,
)
from cases.models.triage import OpenEpisodeResolution, Priority
from cases.people.merging import person_merge
from cases.people.selectors import possible_duplicates_to_check
from cases.people.services import possible_duplicate_decide_different
from earlyhelp.models import Organisation

from .world import World, as_a_duplicate, new_household

# What the hub decides, in the seeds' proportions. Seed 002 (Leicester's Early Help review,
# "Within 2018-19"): "16,233 contacts to CCFS: 75% of those supported through Advice Point"
# -> advice 75%; "1,600 children stepped down from CSC to CCFS" -> 1,600 / 16,233 = 10% of
# requests are social care's step-downs (their own kind of request, triaged P3a); "1,325
# children supported from CCFS casework" -> 1,325 / 16,233 = 8% P3a. The seeds do not split
# the remaining 7%; we assume P3b 4%, P1 and P2 1% each (to social care at the front door,
# DOMAIN §2) and no further action 1%.
STEP_DOWN_SHARE = 0.10
PRIORITY_WEIGHTS = {
    Priority.ADVICE: 75,
    Priority.P3A: 8,
    Priority.P3B: 4,
    Priority.P1: 1,
    Priority.P2: 1,
    Priority.NFA: 1,
}
# Of requests, how many name a family the service already knows (a re-referral), and how many
# name a person already known but written differently (a duplicate for the hub to check).
KNOWN_FAMILY_SHARE = 0.15
DUPLICATE_SHARE = 0.05
# Who asks: a professional's multi-agency referral form or the family's own request (DOMAIN §2).
FAMILY_OWN_SHARE = 0.2
REFERRING_AGENCIES = ["Loughborough Grammar Academy", "Leicestershire Partnership Trust"]
RATIONALE = {
    Priority.ADVICE: "Advice on routines and local groups given by telephone; no case needed.",
    Priority.P3A: "Several needs across the family: an assessment and a team around the family.",
    Priority.P3B: "One need that one service can meet.",
    Priority.P1: "A child at risk of significant harm: to children's social care now.",
    Priority.P2: "Safeguarding concerns: to children's social care.",
    Priority.NFA: "The family's needs are met by the universal services they use.",
}


def request_arrives(world: World, *, agencies: dict[str, Organisation]) -> SupportRequest | None:
    """One request for support, from a professional, the family itself, or social care."""
    rng, staff, today = world.rng, world.staff, world.today
    kind = SupportRequest.Kind.MULTI_AGENCY
    by = world.staff.hub[0]
    source = agencies[rng.choice(REFERRING_AGENCIES)]
    roll = rng.random()
    if roll < STEP_DOWN_SHARE:
        kind, by, source = SupportRequest.Kind.STEP_DOWN, rng.choice(staff.social_workers), None
        source = by.team.organisation
    elif roll < STEP_DOWN_SHARE + FAMILY_OWN_SHARE:
        kind, source = SupportRequest.Kind.FAMILY, None
    people = _people_of_request(world)
    locality = rng.choice(staff.localities)
    consent_kind = "verbal" if rng.random() < 0.3 else "written"
    # The concerns are written for the children, or for the first person if none is a child.
    worried = [p for p in people if p["role"] == "child"] or people[:1]
    requested = [
        RequestedPerson(
            details={} if p.get("existing") else p["details"],
            role=p["role"],
            relationship=p["relationship"],
            concerns="Attendance and routines" if any(p is w for w in worried) else "",
            existing=p.get("existing"),
        )
        for p in people
    ]
    given_by = requested[0].name_as_given or str(requested[0].existing)
    try:
        made = support_request_submit(
            by=by,
            kind=kind,
            source_agency=source,
            referrer=Referrer("Sam Patel", "Designated safeguarding lead", "01509 263 000"),
            reason="The family are struggling with routines, school attendance and money.",
            people=requested,
            address_line="1 Simulated Street",
            postcode="LE11 1AA",
            locality=locality,
            consent=ConsentGiven(
                kind=consent_kind,
                given_by=given_by,
                given_on=today,
                chase_on=today + timedelta(days=14) if consent_kind == "verbal" else None,
                covers=[DataKind.SUMMARY, DataKind.CASEWORK],
                agencies=[a for a in (source, staff.family_support) if a is not None],
            ),
        )
    except ValidationError as error:
        world.skipped[f"request refused: {_first(error)}"] += 1
        return None
    world.people += [p for p in people if not p.get("existing")]
    world.did("request " + kind)
    return made


def _people_of_request(world: World) -> list[dict]:
    rng = world.rng
    roll = rng.random()
    if world.people and roll < KNOWN_FAMILY_SHARE:
        # A re-referral: the referrer's search found the people, so the records are linked.
        known = rng.choice(world.people)
        person = Person.objects.filter(
            first_name=known["details"]["first_name"],
            last_name=known["details"]["last_name"],
            date_of_birth=known["details"]["date_of_birth"],
            merged_into__isnull=True,
        ).first()
        if person is not None:
            world.did("re-referral")
            return [{**known, "existing": person}]
    people = new_household(rng, world.today)
    if world.people and roll < KNOWN_FAMILY_SHARE + DUPLICATE_SHARE:
        world.did("duplicate written")
        people[0] = as_a_duplicate(rng, rng.choice(world.people))
    return people


def triage(world: World, support_request: SupportRequest) -> None:
    """The hub's decision, in the seeds' proportions."""
    rng, hub = world.rng, world.rng.choice(world.staff.hub)
    if support_request.kind == SupportRequest.Kind.STEP_DOWN:
        priority = Priority.P3A
    else:
        priority = rng.choices(list(PRIORITY_WEIGHTS), weights=PRIORITY_WEIGHTS.values())[0]
    rationale = RATIONALE[priority]
    try:
        support_request_triage(
            support_request_id=support_request.pk, priority=priority, rationale=rationale, by=hub
        )
    except ValidationError as error:
        world.skipped[f"triage refused: {_first(error)}"] += 1
        return
    world.did(f"triage {priority}")


def allocate(world: World, support_request: SupportRequest) -> None:
    """The hub picks the lead agency (DOMAIN §4 step 3); its manager names the lead later
    (`leads_name`). A request for a family with an open episode is resolved instead: added
    to the episode, passed to its lead, or closed with a reason."""
    hub = world.rng.choice(world.staff.hub)
    if open_episode_of(support_request.family_id):
        outcome = world.rng.choice(OpenEpisodeResolution.Outcome.values)
        support_request_resolve_open(
            support_request_id=support_request.pk,
            outcome=outcome,
            reason="The lead already works with the family on this." if outcome == "closed" else "",
            by=hub,
        )
        world.did(f"request for an open family {outcome}")
        return
    try:
        support_request_allocate(
            support_request_id=support_request.pk, lead_agency=world.staff.family_support, by=hub
        )
    except FamilyAlreadyOpen:
        world.skipped["allocation refused: the family has an open episode"] += 1
        return
    world.did("allocate to the agency")


def leads_name(world: World) -> None:
    """The lead agency's team manager names the lead: the worker of the family's locality team
    holding fewest open cases. A P3b single-service response has no named lead."""
    waiting = Allocation.objects.filter(
        lead_practitioner__isnull=True, episode__status=Episode.Status.OPEN
    ).select_related("request")
    for allocation in waiting.order_by("pk"):
        if is_single_service(allocation.request):
            continue
        staff = world.staff
        team = staff.teams.get(allocation.request.locality_id) or next(iter(staff.teams.values()))
        allocation_name_lead(
            allocation_id=allocation.pk,
            lead_practitioner=least_loaded(world, team.pk),
            by=staff.managers[team.pk],
        )
        world.did("lead named by the manager")


SINGLE_SERVICE_WEEKS = 10  # a P3b's support: "short-term ... (up to ~3 months)", DOMAIN §2


def single_services_end(world: World) -> None:
    """The agency's team manager records that a single-service response's support ended, some
    ten weeks on: with no lead to ask for closure, they end the episode themselves."""
    due = Episode.objects.filter(
        status=Episode.Status.OPEN,
        single_service=True,
        lead_practitioner__isnull=True,
        started_on__lte=world.today - timedelta(weeks=SINGLE_SERVICE_WEEKS),
    ).select_related("family")
    staff = world.staff
    for episode in due.order_by("pk"):
        team = staff.teams.get(episode.family.locality_id) or next(iter(staff.teams.values()))
        unled_episode_end(
            episode=episode,
            reason=ClosureReason.NEEDS_MET,
            needs_at_closure="Six sessions with the service; no needs outstanding.",
            by=staff.managers[team.pk],
        )
        world.did("single-service response ended by the agency")


def least_loaded(world: World, team_id: int, *, besides=None):
    workers = [
        u
        for u in world.staff.practitioners[team_id]
        if u.is_active and u != besides and u.pk not in world.leaving
    ]
    loads = {
        u.pk: Episode.objects.filter(lead_practitioner=u, status=Episode.Status.OPEN).count()
        for u in workers
    }
    return min(workers, key=lambda u: (loads[u.pk], u.pk))


def duplicates_resolve(world: World) -> None:
    """The hub checks the day's possible duplicates, each from its own list (the checks it may
    see: never one it raised itself, `Relation.DUPLICATE_TO_CHECK`): a match of the same name or
    birth date it merges (the referrer wrote the same person twice), any other it marks as
    different."""
    decided = set()
    for hub in world.staff.hub:
        for check in possible_duplicates_to_check(user=hub)[:20]:
            if check.pk in decided:
                continue
            decided.add(check.pk)
            person, known = check.person, check.known
            if person.merged_into_id or known.merged_into_id:
                continue
            same = (person.first_name, person.last_name) == (
                known.first_name,
                known.last_name,
            ) or (
                person.first_name == known.first_name
                and person.date_of_birth == known.date_of_birth
            )
            try:
                if same:
                    person_merge(
                        survivor=known,
                        duplicate=person,
                        reason="The same person written twice",
                        by=hub,
                    )
                    world.did("merge duplicate")
                else:
                    possible_duplicate_decide_different(check_id=check.pk, by=hub)
                    world.did("duplicate marked different")
            except ValidationError as error:
                world.skipped[f"duplicate not resolved: {_first(error)}"] += 1


def front_door_day(world: World, *, agencies) -> None:
    """Today's arrivals, then the hub's queue worked oldest first."""
    for _ in range(arrivals_today(world)):
        request_arrives(world, agencies=agencies)
    duplicates_resolve(world)
    for waiting in SupportRequest.objects.filter(
        status=SupportRequest.Status.AWAITING_TRIAGE
    ).order_by("received_at"):
        triage(world, waiting)
    for waiting in SupportRequest.objects.filter(
        status=SupportRequest.Status.AWAITING_ALLOCATION
    ).order_by("received_at"):
        allocate(world, waiting)
    leads_name(world)
    single_services_end(world)


def arrivals_today(world: World) -> int:
    """About 1.2 requests a family over the year's 252 working days, drawn around the mean."""
    mean = world.families * 1.2 / 252
    whole = int(mean)
    return whole + (1 if world.rng.random() < mean - whole else 0)


def _first(error: ValidationError) -> str:
    messages = error.messages
    return messages[0] if messages else str(error)
