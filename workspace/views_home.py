"""Each role's home page (issue 9); the leaver's page is `workspace.reallocate`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from cases.allocation.selectors import families_waiting_for_lead, single_service_responses
from cases.consent.selectors import awaiting_written_form
from cases.front_door.views_triage import hub_home
from cases.gate import families_visible_to
from cases.notifications.selectors import families_named, notifications_for
from earlyhelp import listing
from earlyhelp.access import record_listing
from earlyhelp.models import Role
from earlyhelp.policy import caseload_target
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
    held = selectors.families_held_in_social_care(user)
    notes = _notifications(user)
    _listed(
        user,
        [step_up.episode.family for step_up in held]
        + [row.episode.family for row in caseload]
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
            "held_in_social_care": held,
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
    waiting_for_lead = families_waiting_for_lead(user)
    single_service = single_service_responses(user)
    notes = _notifications(user)
    _listed(
        user,
        [episode.family for episode in overdue.rows + long_open.rows]
        + [row.episode.family for row in assessments.rows + closures.rows]
        + [row.request.family for row in waiting_for_lead.rows + single_service.rows],
        notes,
    )
    return render(
        request,
        "home/manager.html",
        {
            "members": selectors.team_members(user, page=request.GET.get("page")),
            "target": caseload_target(),
            "waiting_for_lead": waiting_for_lead,
            "single_service": single_service,
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


@login_required
def home(request):
    """Each role lands on its own work: the hub on its queue, the others on their home page."""
    return HOMES[request.user.role](request)
