"""Writes that end or move an episode: closure, step-up, step-down, a change of lead.

DOMAIN §4 steps 7–8: a closure is asked for by the lead and signed off by a
manager; a step-up is asked for by the lead and decided at the front door,
and when accepted closes the episode with that reason; a step-down is asked
for by the social worker holding the family and, when accepted, opens a new
episode. Every change of lead is kept with its date.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.closure.lead import (  # noqa: F401  (lead_change: its own module)
    LEAD_CHANGED_ON,
    lead_change,
    left_the_service,
)
from cases.episode.selectors import open_episodes
from cases.episode.services import (
    Problems,
    require_open,
    require_text_within_limit,
    text_limit_problems,
)
from cases.gate import relations_to
from cases.models import (
    Closure,
    ClosureReason,
    Episode,
    LeadChange,
    PlanAction,
    StepDecision,
    StepDown,
    StepUp,
)
from cases.notifications import services as notifications
from earlyhelp import audit
from earlyhelp.access import Action, actions_of
from earlyhelp.models import AuditEntry, Organisation

ALLOWED = AuditEntry.Outcome.ALLOWED


def _audit(by, family_id, action, detail=""):
    audit.record(by, action=action, outcome=ALLOWED, family_id=family_id, detail=detail)


def _close(episode: Episode, *, reason: str, on) -> None:
    episode.status = Episode.Status.CLOSED
    episode.ended_on = on
    episode.closure_reason = reason
    episode.save(update_fields=["status", "ended_on", "closure_reason"])
    # A move scheduled for later lapses: there is no episode left to lead.
    episode.lead_changes.filter(status=LeadChange.Status.SCHEDULED).delete()


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# --- the words of the rules, which the pages' forms use too ------------------------------------

NO_FINAL_SCORES_WITHOUT_REASON = (
    "Enter why there are no final outcome tool scores, or record them first"
)
RETURNED_WITHOUT_COMMENTS = "Enter what needs to change"
DECLINED_WITHOUT_REASON = "Enter why you decline it"
SOCIAL_WORKER_MISSING = "Select the social worker who takes it"
HANDOVER_MISSING = "Enter the handover to social care"
LEAD_PRACTITIONER_MISSING = "Select the lead practitioner"


def closure_request_problems(*, final_scores_recorded: bool, no_final_scores_reason) -> Problems:
    """DOMAIN §4 step 7: a closure has "needs at closure, final tool scores": without them,
    the lead says why."""
    if final_scores_recorded or (no_final_scores_reason or "").strip():
        return {}
    return {"no_final_scores_reason": [NO_FINAL_SCORES_WITHOUT_REASON]}


UNFINISHED_NOT_CONFIRMED = (
    "Select that the family's needs are met though plan actions are not done, or choose "
    "another reason for closing"
)


def unfinished_actions(episode):
    """The episode's plan actions not done and not stopped, oldest due first: what a closure
    for needs met should have looked at."""
    return (
        PlanAction.objects.filter(episode=episode, status__in=PlanAction.OPEN)
        .select_related("for_person")
        .order_by("due_on", "pk")
    )


def closure_unfinished_problems(*, reason, unfinished: int, confirmed: bool) -> Problems:
    """Closing because the family's needs are met while actions of its plan are still not
    started or in progress is said on purpose: the lead confirms it, and the manager signing
    off sees the actions (issue 18: a "needs met" closure with every action not started drew no
    warning)."""
    if reason != ClosureReason.NEEDS_MET or not unfinished or confirmed:
        return {}
    return {"unfinished_confirmed": [UNFINISHED_NOT_CONFIRMED]}


def closure_decision_problems(*, sign_off: bool, comments) -> Problems:
    """A closure the manager does not sign off goes back with what needs to change (as an
    assessment is "signed off (or returned with comments)", DOMAIN §4 step 4)."""
    if sign_off or (comments or "").strip():
        return {}
    return {"comments": [RETURNED_WITHOUT_COMMENTS]}


def step_decision_problems(*, accept: bool, note) -> Problems:
    """A step request is "accepted or declined" (DOMAIN §4 step 8); a decline says why."""
    if accept or (note or "").strip():
        return {}
    return {"note": [DECLINED_WITHOUT_REASON]}


def step_up_decision_problems(*, accept: bool, note, received_by, handover) -> Problems:
    """Accepted, "the handover recorded" (DOMAIN §4 step 8): who in social care ("an
    organisation in the system") takes the family, and what they were told."""
    problems = step_decision_problems(accept=accept, note=note)
    agency = received_by.organisation if received_by is not None else None
    if accept and (agency is None or agency.kind != Organisation.Kind.SOCIAL_CARE):
        problems["received_by"] = [SOCIAL_WORKER_MISSING]
    if accept and not (handover or "").strip():
        problems["handover"] = [HANDOVER_MISSING]
    return problems


def step_down_decision_problems(*, accept: bool, note, lead_practitioner) -> Problems:
    """Accepted, a step-down opens an episode, which runs "from allocation of a lead
    practitioner" (DOMAIN §3): so it names one."""
    problems = step_decision_problems(accept=accept, note=note)
    if accept and lead_practitioner is None:
        problems["lead_practitioner"] = [LEAD_PRACTITIONER_MISSING]
    elif accept and not lead_practitioner.is_active:
        problems["lead_practitioner"] = [left_the_service(lead_practitioner)]
    return problems


# --- closure ------------------------------------------------------------------------------


@transaction.atomic
def closure_request(
    *,
    episode,
    reason,
    needs_at_closure,
    final_scores_recorded: bool,
    no_final_scores_reason="",
    unfinished_confirmed: bool = False,
    by,
) -> Closure:
    """The lead asks for closure, for a manager to sign off.

    `final_scores_recorded`: whether the episode's outcome tools were scored at closure. The
    scores are the assessments app's, which casework may not import, so the caller that reads
    them says (as a caller passes the gate the records it may not import)."""
    problems = text_limit_problems(
        needs_at_closure=("The family's needs at closure", needs_at_closure),
        no_final_scores_reason=("Why there are no final scores", no_final_scores_reason),
    ) | closure_request_problems(
        final_scores_recorded=final_scores_recorded,
        no_final_scores_reason=no_final_scores_reason,
    )
    if problems:
        raise ValidationError(problems)
    episode = _locked(Episode, episode.pk)
    if problems := closure_unfinished_problems(
        reason=reason,
        unfinished=unfinished_actions(episode).count(),
        confirmed=unfinished_confirmed,
    ):
        raise ValidationError(problems)
    require_open(episode)
    if StepUp.objects.filter(episode=episode, status=StepDecision.PENDING).exists():
        raise ValidationError("A step-up of this episode awaits a decision at the front door")
    try:
        with transaction.atomic():
            closure = Closure.objects.create(
                episode=episode,
                reason=reason,
                needs_at_closure=needs_at_closure,
                no_final_scores_reason=no_final_scores_reason,
                requested_by=by,
            )
    except IntegrityError:
        raise ValidationError("A closure of this episode already awaits sign-off") from None
    _audit(by, episode.family_id, "closure_request", detail=reason)
    notifications.notify_closure_requested(closure)
    return closure


@transaction.atomic
def closure_decide(*, closure: Closure, sign_off: bool, comments: str, by) -> Closure:
    """A manager signs the closure off (the episode closes) or returns it with comments."""
    problems = text_limit_problems(comments=("Comments", comments)) | closure_decision_problems(
        sign_off=sign_off, comments=comments
    )
    if problems:
        raise ValidationError(problems)
    closure = _locked(Closure, closure.pk)
    if closure.status != Closure.Status.AWAITING_SIGN_OFF:
        raise ValidationError("This closure does not await sign-off")
    now = timezone.now()
    closure.status = Closure.Status.SIGNED_OFF if sign_off else Closure.Status.RETURNED
    closure.decided_by, closure.decided_at, closure.comments = by, now, comments
    closure.save(update_fields=["status", "decided_by", "decided_at", "comments"])
    if sign_off:
        _close(closure.episode, reason=closure.reason, on=timezone.localdate())
    _audit(by, closure.episode.family_id, "closure_" + closure.status)
    return closure


# --- an episode no one leads -------------------------------------------------------------

UNLED_REASONS = [c for c in ClosureReason if c not in (ClosureReason.STEPPED_UP,)]
UNLED_NEEDS_MISSING = "Enter what the service did and what the family need now"
UNLED_REASON_MISSING = "Select why the episode ends"
UNLED_HAS_LEAD = (
    "A lead practitioner leads this episode now: they ask for its closure, and a manager signs "
    "it off"
)
NO_FINAL_SCORES_UNLED = "No lead practitioner was named, so no outcome tools were scored."


def unled_end_problems(*, reason, needs_at_closure) -> Problems:
    problems = text_limit_problems(needs_at_closure=("What the service did", needs_at_closure))
    if reason not in UNLED_REASONS:
        problems["reason"] = [UNLED_REASON_MISSING]
    if not (needs_at_closure or "").strip():
        problems.setdefault("needs_at_closure", []).append(UNLED_NEEDS_MISSING)
    return problems


@transaction.atomic
def unled_episode_end(*, episode, reason, needs_at_closure, by) -> Closure:
    """The lead agency's team manager ends an episode that has no named lead: a single-service
    response (P3b) whose support has ended ("short-term targeted single-agency support (up to ~3
    months)", DOMAIN §2), or a family gone before a lead was named. There is no lead to ask
    and no one else to sign off, so the manager's ending is the closure, kept as one signed
    off by them. Without it such an episode stayed open for ever, and every later request for
    the family met "already has an open episode"."""
    problems = unled_end_problems(reason=reason, needs_at_closure=needs_at_closure)
    if problems:
        raise ValidationError(problems)
    episode = _locked(Episode, episode.pk)
    require_open(episode)
    if episode.lead_practitioner_id is not None:
        raise ValidationError(UNLED_HAS_LEAD)
    if Action.END_UNLED not in actions_of(by, relations_to(by, episode.family_id)):
        raise PermissionDenied("Only a manager of the lead agency ends an episode with no lead")
    now = timezone.now()
    closure = Closure.objects.create(
        episode=episode,
        reason=reason,
        needs_at_closure=needs_at_closure.strip(),
        no_final_scores_reason=NO_FINAL_SCORES_UNLED,
        status=Closure.Status.SIGNED_OFF,
        requested_by=by,
        decided_by=by,
        decided_at=now,
    )
    _close(episode, reason=reason, on=timezone.localdate())
    _audit(by, episode.family_id, "unled_episode_end")
    return closure


# --- step-up ------------------------------------------------------------------------------


@transaction.atomic
def step_up_request(*, episode, reason, by) -> StepUp:
    require_text_within_limit(reason=("Why the family needs social care", reason))
    episode = _locked(Episode, episode.pk)
    require_open(episode)
    try:
        with transaction.atomic():
            step_up = StepUp.objects.create(episode=episode, reason=reason, requested_by=by)
    except IntegrityError:
        raise ValidationError("A step-up of this episode already awaits a decision") from None
    _audit(by, episode.family_id, "step_up_request")
    return step_up


@transaction.atomic
def step_up_decide(
    *, step_up: StepUp, accept: bool, note: str, by, received_by=None, handover=""
) -> StepUp:
    """Accepted: the episode closes as stepped up, and the family is handed to `received_by`."""
    problems = text_limit_problems(
        note=("Reasons for the decision", note), handover=("Handover to social care", handover)
    ) | step_up_decision_problems(
        accept=accept, note=note, received_by=received_by, handover=handover
    )
    if problems:
        raise ValidationError(problems)
    step_up = _locked(StepUp, step_up.pk)
    if step_up.status != StepDecision.PENDING:
        raise ValidationError("This step-up has already been decided")
    step_up.status = StepDecision.ACCEPTED if accept else StepDecision.DECLINED
    step_up.decided_by, step_up.decided_at, step_up.decision_note = by, timezone.now(), note
    if accept:
        step_up.received_by, step_up.handover = received_by, handover
        step_up.social_care = received_by.organisation
        _close(step_up.episode, reason=ClosureReason.STEPPED_UP, on=timezone.localdate())
        Closure.objects.filter(
            episode=step_up.episode, status=Closure.Status.AWAITING_SIGN_OFF
        ).update(status=Closure.Status.RETURNED, comments="Stepped up to social care instead")
    step_up.save()
    _audit(by, step_up.episode.family_id, "step_up_" + step_up.status)
    if accept:
        notifications.notify_step_up_received(step_up)
    return step_up


# --- step-down ----------------------------------------------------------------------------


def step_up_held_by(family, user) -> StepUp | None:
    """The accepted step-up that handed `family` to `user`, not yet handed back."""
    return (
        StepUp.objects.filter(
            episode__family=family, status=StepDecision.ACCEPTED, received_by=user
        )
        .exclude(step_downs__status=StepDecision.ACCEPTED)
        .order_by("-decided_at")
        .first()
    )


@transaction.atomic
def step_down_request(*, family, reason, handover, by) -> StepDown:
    require_text_within_limit(
        reason=("Why early help can meet the family's needs", reason),
        handover=("What the early help lead needs to know", handover),
    )
    try:
        with transaction.atomic():
            step_down = StepDown.objects.create(
                family=family,
                from_step_up=step_up_held_by(family, by),
                reason=reason,
                handover=handover,
                requested_by=by,
            )
    except IntegrityError:
        raise ValidationError("A step-down of this family already awaits a decision") from None
    _audit(by, family.pk, "step_down_request")
    return step_down


@transaction.atomic
def step_down_decide(
    *, step_down: StepDown, accept: bool, note: str, by, lead_practitioner=None
) -> StepDown:
    """Accepted: a new episode opens, led by `lead_practitioner` of their agency."""
    problems = text_limit_problems(
        note=("Reasons for the decision", note)
    ) | step_down_decision_problems(accept=accept, note=note, lead_practitioner=lead_practitioner)
    if problems:
        raise ValidationError(problems)
    step_down = _locked(StepDown, step_down.pk)
    if step_down.status != StepDecision.PENDING:
        raise ValidationError("This step-down has already been decided")
    today = timezone.localdate()
    step_down.status = StepDecision.ACCEPTED if accept else StepDecision.DECLINED
    step_down.decided_by, step_down.decided_at, step_down.decision_note = by, timezone.now(), note
    if accept:
        if open_episodes().filter(family=step_down.family).exists():
            raise ValidationError("This family already has an open episode")
        agency: Organisation | None = lead_practitioner.organisation
        step_down.new_episode = Episode.objects.create(
            family=step_down.family,
            started_on=today,
            lead_practitioner=lead_practitioner,
            lead_agency=agency,
        )
        step_down.lead_practitioner, step_down.lead_agency = lead_practitioner, agency
    step_down.save()
    _audit(by, step_down.family_id, "step_down_" + step_down.status)
    if accept:
        notifications.notify_allocated(step_down.new_episode)
    return step_down
