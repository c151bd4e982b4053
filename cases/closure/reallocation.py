"""A leaver's open caseload moves to other workers of the team, split case by case (issue 18).

Each episode moves through `lead.lead_change`, so each records its `LeadChange`, today or on
a later day (the leaver's last day: a scheduled move), and is audited as a single change
would be. Each receiving worker is told once, naming their new families and what their
caseload becomes against the target; a worker going over the target is a warning for the
manager to weigh, never a silent refusal. Run twice, the second run finds nothing left to move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cases.closure.lead import lead_change, lead_change_date_problems
from cases.episode.services import text_limit_problems
from cases.gate import families_allowing
from cases.models import Episode, LeadChange
from cases.notifications import services as notifications
from earlyhelp import audit
from earlyhelp.access import Action, role_may
from earlyhelp.models import AuditEntry, Role, User
from earlyhelp.policy import caseload_target

NO_WORKER = "Select who takes over {family}"
NOT_OF_THE_TEAM = "Select a worker of {worker}'s team for {family}"


def case_field(episode) -> str:
    """The form field (and the refusal's key) for the worker who takes `episode`."""
    return f"case_{episode.pk}"


def episodes_to_reallocate(by, from_practitioner):
    """`from_practitioner`'s open episodes that `by` may reassign and that are not already
    scheduled to move."""
    scheduled = LeadChange.objects.filter(
        episode=OuterRef("pk"), status=LeadChange.Status.SCHEDULED
    )
    return (
        Episode.objects.filter(
            status=Episode.Status.OPEN,
            lead_practitioner=from_practitioner,
            family__in=families_allowing(by, Action.REASSIGN),
        )
        .exclude(Exists(scheduled))
        .select_related("family")
        .order_by("started_on", "pk")
    )


def receiving_workers(from_practitioner):
    """The other active practitioners of the leaver's team, each with `open_cases`: the open
    episodes they lead now. One query."""
    return (
        User.objects.filter(team=from_practitioner.team_id, role=Role.PRACTITIONER, is_active=True)
        .exclude(pk=from_practitioner.pk)
        .annotate(
            open_cases=Count("led_episodes", filter=Q(led_episodes__status=Episode.Status.OPEN))
        )
        .order_by("last_name", "first_name", "username")
    )


@dataclass
class Receiving:
    """One receiving worker of a move: their caseload now and once the move is done."""

    worker: User
    now: int
    moving: list = field(default_factory=list)
    target: int = 0

    @property
    def after(self) -> int:
        return self.now + len(self.moving)

    @property
    def over_target(self) -> bool:
        return self.after > self.target


def reallocation_plan(workers, moves: dict) -> list[Receiving]:
    """`moves` (episode → worker) grouped by receiving worker, each with their caseload now
    (`workers` from `receiving_workers`) and after, against the target; everyone of the team
    is listed, receiving or not."""
    target = caseload_target()
    plan = {w.pk: Receiving(w, w.open_cases, target=target) for w in workers}
    for episode, worker in moves.items():
        if worker is not None and worker.pk in plan:
            plan[worker.pk].moving.append(episode)
    return list(plan.values())


@transaction.atomic
def caseload_reallocate(
    *, from_practitioner, moves: dict, changed_on, reason, by, today=None
) -> list[LeadChange]:
    """Move each of `from_practitioner`'s open episodes in `moves` (episode → worker) to its
    worker, from `changed_on` (today or later). Nothing moves unless every case can."""
    today = today or timezone.localdate()
    if not role_may(by, Action.REASSIGN):
        raise PermissionDenied("Only managers re-allocate a caseload.")
    managed = set(by.managed_teams.values_list("pk", flat=True))
    if from_practitioner.team_id not in managed:
        raise PermissionDenied("You do not manage this worker's team.")
    problems = text_limit_problems(reason=("Why the cases move", reason))
    problems |= lead_change_date_problems(changed_on, since=changed_on, lead=None, today=today)
    open_cases = {
        e.pk: e
        for e in episodes_to_reallocate(by, from_practitioner).select_for_update(of=("self",))
    }
    workers = list(receiving_workers(from_practitioner))
    team = {w.pk for w in workers}
    moving = {}
    for episode, worker in moves.items():
        if episode.pk not in open_cases:
            continue  # moved already (a second run) or not theirs to move
        words = {"family": episode.family.name, "worker": from_practitioner}
        if worker is None:
            problems[case_field(episode)] = [NO_WORKER.format(**words)]
        elif worker.pk not in team:
            problems[case_field(episode)] = [NOT_OF_THE_TEAM.format(**words)]
        else:
            moving[open_cases[episode.pk]] = worker
    if problems:
        raise ValidationError(problems)
    plan = reallocation_plan(workers, moving)
    changes = [
        lead_change(
            episode=episode,
            to_practitioner=worker,
            changed_on=changed_on,
            reason=reason,
            by=by,
            today=today,
            notify=False,
        )
        for episode, worker in moving.items()
    ]
    first_change = {change.episode_id: change.pk for change in reversed(changes)}
    for receiving in plan:
        if receiving.moving:
            notifications.notify_cases_moved(
                receiving.worker,
                families=[episode.family for episode in receiving.moving],
                changed_on=changed_on,
                today=today,
                now=receiving.now,
                after=receiving.after,
                target=receiving.target,
                key=f"cases-moved:{first_change[receiving.moving[0].pk]}",
            )
    audit.record(
        by,
        action="caseload_reallocate",
        outcome=AuditEntry.Outcome.ALLOWED,
        listed_family_ids=[change.episode.family_id for change in changes],
        detail=f"{len(changes)} from user {from_practitioner.pk} on {changed_on.isoformat()}",
    )
    return changes
