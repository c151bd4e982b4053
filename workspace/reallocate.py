"""The leaver's page: a manager moves a worker's open cases to other workers of the team, each
case to its own worker, today or from a later date (issue 18).

Every worker of the team is shown with their open cases now and what they become with the
cases chosen for them, against the caseload target. Going over the target is warned, not
refused: the manager sees who goes over and moves the cases anyway if they mean to.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cases.closure.lead import LEAD_CHANGED_ON, long_date
from cases.closure.reallocation import (
    NO_WORKER,
    case_field,
    caseload_reallocate,
    episodes_to_reallocate,
    reallocation_plan,
    receiving_workers,
)
from cases.episode.views import apply_service
from cases.models import LeadChange
from earlyhelp.access import Action, page_for, record_listing
from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import User
from earlyhelp.policy import caseload_target


def _plan_token(moves: dict, changed_on) -> str:
    """What the manager confirmed going over the target for: these cases to these workers."""
    pairs = sorted((episode.pk, worker.pk) for episode, worker in moves.items() if worker)
    return hashlib.sha256(repr((pairs, str(changed_on))).encode()).hexdigest()[:16]


class ReallocateForm(GovukMessagesMixin, forms.Form):
    changed_on = DateInputField(
        name=LEAD_CHANGED_ON,
        label=LEAD_CHANGED_ON,
        help_text="Today, or a later date such as the day after their last working day. "
        "A later date schedules the move: they keep their cases until then.",
    )
    reason = forms.CharField(label="Why the cases move", widget=forms.Textarea(attrs={"rows": 3}))
    over_target_confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, episodes, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.episodes = episodes
        self.workers = {str(w.pk): w for w in workers}
        choices = [("", "Select a worker")] + [
            (pk, f"{w.get_full_name() or w.username} ({w.open_cases} open now)")
            for pk, w in self.workers.items()
        ]
        for episode in episodes:
            self.fields[case_field(episode)] = forms.ChoiceField(
                label=episode.family.name,
                choices=choices,
                error_messages={
                    "required": NO_WORKER.format(family=episode.family.name),
                    "invalid_choice": NO_WORKER.format(family=episode.family.name),
                },
            )

    def case_fields(self):
        return [self[case_field(episode)] for episode in self.episodes]

    def other_fields(self):
        return [self["changed_on"], self["reason"]]

    def moves(self) -> dict:
        """Episode → the worker chosen for it (None where none was), as posted."""
        if not self.is_bound:
            return {}
        return {
            episode: self.workers.get(str(self.data.get(case_field(episode), "")))
            for episode in self.episodes
        }


def _scheduled_away(worker):
    """The worker's cases already scheduled to move, with whom to and when."""
    return list(
        LeadChange.objects.filter(
            status=LeadChange.Status.SCHEDULED,
            episode__lead_practitioner=worker,
            episode__status="open",
        )
        .select_related("episode__family", "to_practitioner")
        .order_by("changed_on", "pk")
    )


def _moved_message(worker, changes, changed_on, today) -> str:
    counts: dict = {}
    for change in changes:
        counts[change.to_practitioner] = counts.get(change.to_practitioner, 0) + 1
    split = ", ".join(f"{n} to {who}" for who, n in counts.items())
    when = "today" if changed_on <= today else f"on {long_date(changed_on)} (scheduled)"
    return f"{len(changes)} open cases move from {worker} {when}: {split}."


@page_for(Action.REASSIGN)
def team_reallocate(request, user_id):
    """Move one worker's open caseload (a leaver's) to other workers of their team."""
    # Someone outside the manager's teams: 404, as the gate answers for a family.
    worker = get_object_or_404(
        User.objects.select_related("team"), pk=user_id, team__managers=request.user
    )
    today = timezone.localdate()
    episodes = list(episodes_to_reallocate(request.user, worker))
    scheduled = _scheduled_away(worker)
    workers = list(receiving_workers(worker))
    record_listing(
        request.user,
        [e.family for e in episodes] + [c.episode.family for c in scheduled],
        action="team_reallocate",
    )
    form = ReallocateForm(request.POST or None, episodes=episodes, workers=workers)
    valid = request.method == "POST" and form.is_valid()
    moves = form.moves()
    plan = reallocation_plan(workers, moves)
    over = [receiving for receiving in plan if receiving.over_target]
    confirm_needed = False
    if valid:
        changed_on = form.cleaned_data["changed_on"]
        token = _plan_token(moves, changed_on)
        if over and form.cleaned_data["over_target_confirmed"] != token:
            confirm_needed = True
            form.data = form.data.copy()
            form.data["over_target_confirmed"] = token
        else:
            changes = apply_service(
                form,
                lambda: caseload_reallocate(
                    from_practitioner=worker,
                    moves=moves,
                    changed_on=changed_on,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    today=today,
                ),
            )
            if changes is not None:
                messages.success(request, _moved_message(worker, changes, changed_on, today))
                return redirect("home")
    return render(
        request,
        "home/reallocate.html",
        {
            "worker": worker,
            "open_cases": episodes,
            "scheduled": scheduled,
            "form": form,
            "plan": plan,
            "over": over,
            "confirm_needed": confirm_needed,
            "target": caseload_target(),
        },
        status=400 if form.errors else 200,
    )
