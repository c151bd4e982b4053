"""Each role's home page (issue 9) and the manager's bulk re-allocation of a caseload."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cases.closure.reallocation import caseload_reallocate, changed_on_problems
from cases.consent.selectors import awaiting_written_form
from cases.episode.forms import UserChoiceField
from cases.episode.views import apply_service
from cases.front_door.views_triage import hub_home
from cases.gate import families_visible_to
from cases.notifications.selectors import families_named, notifications_for
from cases.people.forms import DateInput
from earlyhelp import listing
from earlyhelp.access import Action, page_for, record_listing
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Role, User
from outcomes import programme_selectors
from workspace import home_selectors as selectors


def _notifications(user) -> dict:
    """The newest five unread notifications and how many are unread, in one query."""
    unread = listing.first_rows(notifications_for(user).filter(read_at__isnull=True), limit=5)
    return {"notifications": unread.rows, "unread_count": unread.total}


def _listed(user, families, notes: dict) -> None:
    """A home page's one audit row, naming every family it shows (once each), its
    notifications' families too."""
    families = [*families, *families_named(notes["notifications"])]
    record_listing(user, {family.pk: family for family in families}.values(), action="home")


def practitioner_home(request):
    user, today = request.user, timezone.localdate()
    caseload = selectors.practitioner_caseload(user, today=today)
    actions = selectors.actions_due_this_week(user, today=today)
    assessments = selectors.assessments_awaiting(user)
    consents = awaiting_written_form(user)
    notes = _notifications(user)
    _listed(
        user,
        [row.episode.family for row in caseload]
        + [action.episode.family for action in actions]
        + [assessment.episode.family for assessment in assessments]
        + [consent.family for consent in consents],
        notes,
    )
    return render(
        request,
        "home/practitioner.html",
        {
            "caseload": caseload,
            "overdue": [row for row in caseload if row.overdue],
            "actions": actions,
            "assessments": assessments,
            "consents_awaiting": consents,
            "today": today,
            **notes,
        },
    )


def manager_home(request):
    user, today = request.user, timezone.localdate()
    overdue = selectors.team_overdue_reviews(user, today=today)
    assessments = selectors.team_assessments_to_sign_off(user)
    closures = selectors.team_closures_to_sign_off(user)
    long_open = selectors.team_long_open(user, today=today)
    notes = _notifications(user)
    _listed(
        user,
        [episode.family for episode in overdue.rows + long_open.rows]
        + [row.episode.family for row in assessments.rows + closures.rows],
        notes,
    )
    return render(
        request,
        "home/manager.html",
        {
            "members": selectors.team_members(user, page=request.GET.get("page")),
            "target": settings.CASELOAD_TARGET,
            "overdue": overdue,
            "assessments": assessments,
            "closures": closures,
            "long_open": long_open,
            **notes,
        },
    )


def programme_home(request):
    """The programme team's work list, from the nightly results (DOMAIN §8)."""
    user = request.user
    visible = families_visible_to(user)
    claimable = programme_selectors.newly_claimable(user, visible=visible)
    not_claimable = programme_selectors.not_claimable(user, visible=visible)
    awaiting = programme_selectors.attachments_awaiting(user, visible=visible)
    notes = _notifications(user)
    _listed(
        user, [row.family for row in claimable.rows + not_claimable.rows + awaiting.rows], notes
    )
    return render(
        request,
        "home/programme.html",
        {
            "claimable": claimable,
            "not_claimable": not_claimable,
            "awaiting": awaiting,
            "batches": programme_selectors.open_batches(),
            **notes,
        },
    )


def auditor_home(request):
    """Auditors: the sampled families awaiting their verdict."""
    user = request.user
    sample = programme_selectors.sample_awaiting_verdict(user, visible=families_visible_to(user))
    notes = _notifications(user)
    _listed(user, [item.family for item in sample.rows], notes)
    return render(request, "home/auditor.html", {"sample": sample, **notes})


def administrator_home(request):
    """Administrators keep the configuration and see no family unless they break glass."""
    notes = _notifications(request.user)
    if families_named(notes["notifications"]):
        _listed(request.user, [], notes)
    return render(request, "home/administrator.html", notes)


HOMES = {
    Role.PRACTITIONER: practitioner_home,
    Role.HUB: hub_home,
    Role.MANAGER: manager_home,
    Role.PROGRAMME: programme_home,
    Role.AUDITOR: auditor_home,
    Role.ADMINISTRATOR: administrator_home,
}


class ReallocateForm(GovukMessagesMixin, forms.Form):
    to_practitioner = UserChoiceField(
        label="Move their open cases to", queryset=User.objects.none()
    )
    changed_on = forms.DateField(label="Date the new lead takes over", widget=DateInput())
    reason = forms.CharField(label="Why the cases move", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, worker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_practitioner"].queryset = User.objects.filter(
            team=worker.team_id, role=Role.PRACTITIONER, is_active=True
        ).exclude(pk=worker.pk)
        self.fields["to_practitioner"].empty_label = "Select a worker"
        self.fields["changed_on"].error_messages["invalid"] = "Enter a real date"

    def clean(self):
        cleaned = super().clean()
        self.add_problems(changed_on_problems(cleaned.get("changed_on")))
        return cleaned


@page_for(Action.REASSIGN)
def team_reallocate(request, user_id):
    """Move one worker's open caseload (a leaver's) to another worker of their team."""
    # Someone outside the manager's teams: 404, as the gate answers for a family.
    worker = get_object_or_404(
        User.objects.select_related("team"), pk=user_id, team__managers=request.user
    )
    open_cases = selectors.worker_open_cases(request.user, worker)
    form = ReallocateForm(request.POST or None, worker=worker)
    if request.method == "POST" and form.is_valid():
        changes = apply_service(
            form,
            lambda: caseload_reallocate(
                from_practitioner=worker, by=request.user, **form.cleaned_data
            ),
        )
        if changes is not None:
            new = form.cleaned_data["to_practitioner"]
            messages.success(request, f"{len(changes)} open cases moved from {worker} to {new}.")
            return redirect("home")
    return render(
        request,
        "home/reallocate.html",
        {"worker": worker, "open_cases": open_cases, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def home(request):
    """Each role lands on its own work: the hub on its queue, the others on their home page."""
    return HOMES[request.user.role](request)
