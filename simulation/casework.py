"""An episode's simulated working day: the assessment written, returned and signed off, the
team around the family joining and leaving, plan actions and their progress, reviews, case
notes, closure, step-up and step-down (DOMAIN §4 steps 4–8), each through its service.

One function per kind of action; `episode_day` decides which are due for one episode.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Max, OuterRef

from assessments.models import EarlyHelpAssessment, ToolScore
from assessments.sections import INDICATORS, parts_for
from assessments.selectors import has_final_scores
from assessments.services import (
    Change,
    assessment_decide,
    assessment_parts_save,
    assessment_start,
    assessment_submit,
    tool_score_record,
)
from cases.closure.services import (
    closure_decide,
    closure_request,
    step_down_decide,
    step_down_request,
    step_up_decide,
    step_up_request,
)
from cases.consent.services import consent_add, consent_withdraw, consent_written_received
from cases.episode.services import (
    case_note_add,
    plan_action_add,
    plan_action_update,
    plan_review_record,
    taf_meeting_record,
    taf_member_add,
    taf_member_leave,
    team_of,
)
from cases.models import (
    CaseNote,
    Closure,
    ClosureReason,
    Consent,
    DataKind,
    Episode,
    PlanAction,
    StepDecision,
    StepDown,
    StepUp,
    TafMember,
)
from cases.people.selectors import current_members_of
from earlyhelp import policy

from .front_door import least_loaded
from .world import World

# How often things happen to an open episode on a working day (our assumptions, tuned so a
# year shows every kind; the seeds give none). Reviews follow the review interval instead.
NOTE_CHANCE = 0.15
ACTION_MOVES_CHANCE = 0.08
TAF_LEAVES_CHANCE = 0.004
STEP_UP_CHANCE = 0.002
STEP_DOWN_CHANCE = 0.02  # a day, for a family social care holds after a step-up, after 8 weeks
WITHDRAW_CHANCE = 0.001  # the family withdraws consent (DOMAIN §1), a day
RETURN_CHANCE = 0.2  # a manager returns an assessment or closure with comments
FINAL_SCORES_CHANCE = 0.8  # the family score again at closure
WRITTEN_ARRIVES_CHANCE = 0.1  # a day, for a verbal consent's written form (chased at 14 days)
# Indicators a whole-family assessment ticks (outcomes plan v9): school attendance (1.1, for a
# child), anti-social behaviour (2.2), out-of-work benefits (3.1, for a parent), as the demo's.
INDICATORS_BY_ROLE = {"child": "1.1", "parent_carer": "3.1"}
ALWAYS = "2.2"


def open_episodes():
    """The open episodes, each with what `episode_day` asks of it read in the same query."""
    of_episode = {"episode": OuterRef("pk")}
    return (
        Episode.objects.filter(status=Episode.Status.OPEN)
        .select_related("family", "lead_practitioner")
        .annotate(
            assessment_status=F("assessment__status"),
            last_review=Max("reviews__held_on"),
            has_actions=Exists(PlanAction.objects.filter(**of_episode)),
            open_actions=Exists(
                PlanAction.objects.filter(**of_episode, status__in=PlanAction.OPEN)
            ),
            has_team=Exists(TafMember.objects.filter(**of_episode)),
            verbal_waiting=Exists(
                Consent.objects.filter(
                    family=OuterRef("family"),
                    kind=Consent.Kind.VERBAL,
                    withdrawn_on__isnull=True,
                )
            ),
            closure_waiting=Exists(
                Closure.objects.filter(**of_episode, status=Closure.Status.AWAITING_SIGN_OFF)
            ),
        )
        .order_by("pk")
    )


def episode_day(world: World, episode: Episode) -> None:
    """What the lead, the team and the manager do today for one of `open_episodes()`."""
    today, rng, Status = world.today, world.rng, EarlyHelpAssessment.Status
    if episode.lead_practitioner is None:
        return  # a single service's response, or a lead not named yet: no casework here
    status = episode.assessment_status
    if status is None and today - episode.started_on >= timedelta(days=3):
        assessment_write(world, episode)
    elif status == Status.SUBMITTED:
        assessment_sign_off(world, episode, episode.assessment)
    elif status == Status.RETURNED:
        assessment_rewrite(world, episode, episode.assessment)
    elif status == Status.SIGNED_OFF and not episode.has_actions:
        plan_write(world, episode, episode.assessment)
    if today - episode.started_on >= timedelta(days=7):
        if not episode.has_team:
            taf_join(world, episode)
        elif rng.random() < TAF_LEAVES_CHANCE:
            taf_leave(world, episode)
    if episode.open_actions and rng.random() < ACTION_MOVES_CHANCE:
        action_moves(world, episode)
    if episode.verbal_waiting and rng.random() < WRITTEN_ARRIVES_CHANCE:
        consent_written(world, episode)
    if (episode.last_review or episode.started_on) + policy.review_interval() <= today:
        review(world, episode)
    if rng.random() < NOTE_CHANCE:
        case_note(world, episode)
    if episode.closure_waiting:
        closure_sign_off(world, Closure.objects.get(episode=episode, status=_WAITING))
    elif _ready_to_close(world, episode):
        close(world, episode)
    elif rng.random() < STEP_UP_CHANCE:
        step_up(world, episode)
    elif rng.random() < WITHDRAW_CHANCE:
        consent_withdrawn(world, episode)


_WAITING = Closure.Status.AWAITING_SIGN_OFF


def _lead(episode: Episode):
    return episode.lead_practitioner


def _manager(world: World, episode: Episode):
    return world.staff.managers.get(episode.lead_practitioner.team_id)


def assessment_write(world: World, episode: Episode) -> None:
    lead = _lead(episode)
    members = current_members_of(episode.family)
    assessment_start(episode=episode, by=lead)
    changes = []
    ticked = sorted({INDICATORS_BY_ROLE.get(m.role, ALWAYS) for m in members} | {ALWAYS})
    for part in parts_for(members):
        if part.key == INDICATORS:
            changes.append(Change(part, 0, ticked))
        else:
            changes.append(Change(part, 0, f"{part.label}: written with the family."))
    assessment_parts_save(episode=episode, changes=changes, by=lead)
    assessment_submit(episode=episode, by=lead)
    world.did("assessment written and submitted")


def assessment_sign_off(world: World, episode: Episode, assessment) -> None:
    manager = _manager(world, episode)
    if manager is None:
        world.skipped["no manager for the lead's team"] += 1
        return
    returned = world.rng.random() < RETURN_CHANCE
    assessment_decide(
        assessment=assessment,
        sign_off=not returned,
        comments="Say more about the children's own views." if returned else "",
        by=manager,
    )
    world.did("assessment returned" if returned else "assessment signed off")


def assessment_rewrite(world: World, episode: Episode, assessment) -> None:
    lead = _lead(episode)
    section = assessment.sections.filter(member__isnull=True).order_by("pk").first()
    part = next(p for p in parts_for(current_members_of(episode.family)) if p.key == section.key)
    assessment_parts_save(
        episode=episode,
        changes=[Change(part, section.version, section.text + " The children's views added.")],
        by=lead,
    )
    assessment_submit(episode=episode, by=lead)
    world.did("assessment resubmitted")


def plan_write(world: World, episode: Episode, assessment) -> None:
    """An action for every member, each linked to a need ticked, and every need served (the
    four principles attachment asks for, as `demo.working` writes them)."""
    lead, needs = _lead(episode), list(assessment.indicators)
    members = current_members_of(episode.family)
    for i in range(max(len(members), len(needs))):
        member = members[i] if i < len(members) else None
        need = needs[i % len(needs)]
        plan_action_add(
            episode=episode,
            what=f"Work towards need {need}"
            + (f" with {member.person.first_name}" if member else ""),
            owner=lead,
            due_on=world.today + timedelta(days=56),
            need=need,
            for_person=member.person if member else None,
            by=lead,
        )
        world.did("plan action added")
    family_star(world, episode, ToolScore.Stage.START)


def family_star(world: World, episode: Episode, stage: str) -> None:
    """The lead scores the Family Star with the parents: low at the start, higher at closure
    for a family whose needs were met."""
    areas = episode.assessment.plan_version.plan.family_star_areas
    low, high = (2, 5) if stage == ToolScore.Stage.START else (5, 9)
    tool_score_record(
        episode=episode,
        tool=ToolScore.Tool.FAMILY_STAR,
        stage=stage,
        person=None,
        scored_on=world.today,
        scores={area: world.rng.randint(low, high) for area in areas},
        by=_lead(episode),
    )
    world.did(f"Family Star scored ({stage})")


def taf_join(world: World, episode: Episode) -> None:
    """Partners join the team; the family agree to share with each partner's agency their
    consent did not name yet (a new consent, DOMAIN §1: one for each giving)."""
    rng = world.rng
    joining = rng.sample(world.staff.partners, k=rng.choice((1, 2)))
    for user in joining:
        taf_member_add(episode=episode, user=user, joined_on=world.today, by=_lead(episode))
        world.did("TAF member joined")
    members = current_members_of(episode.family)
    if not members:
        return
    giver = members[0]
    shared = set(
        Consent.objects.filter(
            family=episode.family_id, person=giver.person_id, withdrawn_on__isnull=True
        ).values_list("agencies", flat=True)
    )
    new = sorted({u.team.organisation for u in joining} - {None}, key=lambda o: o.pk)
    new = [agency for agency in new if agency.pk not in shared]
    if new:
        consent_add(
            family=episode.family,
            person_id=giver.person_id,
            kind=Consent.Kind.WRITTEN,
            given_by=giver.person.full_name,
            given_on=world.today,
            chase_on=None,
            covers=[DataKind.SUMMARY, DataKind.CASEWORK],
            agencies=new,
            by=_lead(episode),
        )
        world.did("consent added for a team member's agency")


def consent_written(world: World, episode: Episode) -> None:
    """The signed form arrives for each verbal consent the family gave."""
    for consent in Consent.objects.filter(
        family=episode.family_id, kind=Consent.Kind.VERBAL, withdrawn_on__isnull=True
    ).order_by("pk"):
        consent_written_received(consent=consent, received_on=world.today, by=_lead(episode))
        world.did("written consent received after verbal")


def taf_meeting(world: World, episode: Episode) -> None:
    """The team meets with the family before each review."""
    members = current_members_of(episode.family)
    taf_meeting_record(
        episode=episode,
        held_on=world.today,
        attendees=team_of(episode),
        family_present=members[:2],
        others_present="",
        decisions="Keep the plan; the school will report attendance weekly.",
        by=_lead(episode),
    )
    world.did("TAF meeting")


def taf_leave(world: World, episode: Episode) -> None:
    current = list(TafMember.objects.filter(episode=episode, left_on__isnull=True).order_by("pk"))
    if current:
        member = world.rng.choice(current)
        taf_member_leave(member=member, left_on=world.today, by=_lead(episode))
        world.did("TAF member left")


def action_moves(world: World, episode: Episode) -> None:
    action = (
        PlanAction.objects.filter(episode=episode, status__in=PlanAction.OPEN)
        .order_by("pk")
        .first()
    )
    if action is None:
        return
    status = (
        PlanAction.Status.IN_PROGRESS
        if action.status == PlanAction.Status.NOT_STARTED
        else PlanAction.Status.DONE
    )
    plan_action_update(
        action=action, status=status, note="Moved on at the visit.", by=_lead(episode)
    )
    world.did("plan action updated")


def review(world: World, episode: Episode) -> None:
    if episode.has_team:
        taf_meeting(world, episode)
    plan_review_record(
        episode=episode,
        held_on=world.today,
        progress="Routines are steadier; attendance is up.",
        changes_to_plan="None",
        by=_lead(episode),
    )
    world.did("review")


def case_note(world: World, episode: Episode) -> None:
    members = current_members_of(episode.family)
    case_note_add(
        episode=episode,
        kind=world.rng.choice(CaseNote.Kind.values),
        happened_on=world.today,
        about=[m.person_id for m in members[:1]],
        text="Visited the family at home; the children were at school.",
        by=_lead(episode),
    )
    world.did("case note")


def _ready_to_close(world: World, episode: Episode) -> bool:
    """Four months on, every action of the plan done."""
    old_enough = world.today - episode.started_on >= timedelta(days=120)
    return old_enough and episode.has_actions and not episode.open_actions


def close(world: World, episode: Episode) -> None:
    """The lead scores the Family Star again with the family (most agree to; a closure
    returned once keeps the scores it had) and asks the manager to close."""
    scored = has_final_scores(episode)
    if not scored and world.rng.random() < FINAL_SCORES_CHANCE:
        family_star(world, episode, ToolScore.Stage.CLOSE)
        scored = True
    try:
        closure_request(
            episode=episode,
            reason=ClosureReason.NEEDS_MET,
            needs_at_closure="None outstanding: the family manage with universal services.",
            final_scores_recorded=scored,
            no_final_scores_reason="" if scored else "The family did not want to score again.",
            by=_lead(episode),
        )
    except ValidationError as error:
        world.skipped[f"closure refused: {error.messages[0]}"] += 1
        return
    world.did("closure requested")


def closure_sign_off(world: World, closure: Closure) -> None:
    returned = world.rng.random() < RETURN_CHANCE
    closure_decide(
        closure=closure,
        sign_off=not returned,
        comments="Record the family's own view of the ending." if returned else "",
        by=_manager(world, closure.episode),
    )
    world.did("closure returned" if returned else "closure signed off")


def consent_withdrawn(world: World, episode: Episode) -> None:
    """The family withdraw their consent: the lead records it (ending the access it gave the
    agencies) and asks for closure with that reason."""
    consents = Consent.objects.filter(family=episode.family_id, withdrawn_on__isnull=True)
    if not consents.exists():
        return
    for consent in consents.order_by("pk"):
        consent_withdraw(
            consent=consent,
            withdrawn_on=world.today,
            withdrawn_by=consent.given_by,
            reason="The family no longer want the service's help.",
            by=_lead(episode),
        )
        world.did("consent withdrawn")
    closure_request(
        episode=episode,
        reason=ClosureReason.WITHDREW,
        needs_at_closure="Unmet: the family withdrew their consent.",
        final_scores_recorded=False,
        no_final_scores_reason="The family withdrew their consent.",
        unfinished_confirmed=True,
        by=_lead(episode),
    )
    world.did("closure requested: consent withdrawn")


def step_up(world: World, episode: Episode) -> None:
    step_up_request(
        episode=episode,
        reason="New safeguarding concerns after a visit.",
        by=_lead(episode),
    )
    world.did("step-up requested")


def step_ups_decide(world: World) -> None:
    """The front door decides the step-ups waiting: most accepted, to a social worker."""
    rng = world.rng
    for pending in (
        StepUp.objects.filter(status=StepDecision.PENDING).select_related("episode").order_by("pk")
    ):
        accept = rng.random() < 0.8
        step_up_decide(
            step_up=pending,
            accept=accept,
            note="Meets the threshold for social care." if accept else "Early help can continue.",
            by=rng.choice(world.staff.hub),
            received_by=rng.choice(world.staff.social_workers) if accept else None,
            handover="Chronology and the plan sent." if accept else "",
        )
        world.did("step-up accepted" if accept else "step-up declined")


def step_downs_request(world: World) -> None:
    """Social workers hand families back to early help some weeks after a step-up."""
    held = StepUp.objects.filter(
        status=StepDecision.ACCEPTED, decided_at__date__lte=world.today - timedelta(weeks=8)
    ).exclude(step_downs__isnull=False)
    for step in held.select_related("episode__family", "received_by").order_by("pk"):
        if world.rng.random() < STEP_DOWN_CHANCE:
            try:
                step_down_request(
                    family=step.episode.family,
                    reason="The child protection plan has ended.",
                    handover="Keep routines and attendance steady.",
                    by=step.received_by,
                )
            except ValidationError as error:
                world.skipped[f"step-down refused: {error.messages[0]}"] += 1
                continue
            world.did("step-down requested")


def step_downs_decide(world: World) -> None:
    for pending in (
        StepDown.objects.filter(status=StepDecision.PENDING).select_related("family").order_by("pk")
    ):
        if Episode.objects.filter(family=pending.family, status=Episode.Status.OPEN).exists():
            world.skipped["step-down waits: the family has an open episode"] += 1
            continue
        team_id = next(iter(world.staff.teams.values())).pk
        step_down_decide(
            step_down=pending,
            accept=True,
            note="Early help can meet the family's needs.",
            by=world.rng.choice(world.staff.hub),
            lead_practitioner=least_loaded(world, team_id),
        )
        world.did("step-down accepted")
