"""Pages that end or move an episode: closure and its sign-off, step-up and step-down and their
decisions at the front door, and a manager's change of lead practitioner."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cases.closure import lead as lead_services
from cases.closure import services
from cases.closure.lead import (
    lead_changes_apply_due,
    lead_since,
    long_date,
    scheduled_lead_change_of,
)
from cases.episode.forms import (
    DecisionForm,
    LeadChangeForm,
    StepDownDecisionForm,
    StepDownForm,
    StepUpDecisionForm,
    StepUpForm,
)
from cases.episode.views import (
    apply_service,
    episode_for,
    form_page,
    no_open_episode,
    posted,
    saved,
)
from cases.gate import family_for, family_record_for
from cases.models import Closure, StepDecision, StepDown, StepUp, SupportRequest
from cases.relations import (
    requests_waiting_for,
    step_downs_waiting_for,
    step_ups_waiting_for,
)
from earlyhelp.access import Action, page_for, record_listing


@login_required
def closure_sign_off(request, family_id):
    family, episode = episode_for(request, family_id, Action.SIGN_OFF)
    closure = (
        Closure.objects.filter(episode__family=family, status=Closure.Status.AWAITING_SIGN_OFF)
        .select_related("requested_by", "episode")
        .first()
    )
    if closure is None:
        messages.error(request, "No closure of this family awaits sign-off.")
        return redirect("family-detail", family_id=family.pk)
    form = DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.closure_decide(
                closure=closure,
                sign_off=form.signs_off,
                comments=form.cleaned_data["comments"],
                by=request.user,
            ),
        )
        if done:
            message = "The episode is closed." if form.signs_off else "The closure is returned."
            return saved(request, family, message)
    return form_page(
        request,
        family,
        form,
        title="Sign off the closure",
        button="Save the decision",
        context={
            "closure": closure,
            "unfinished_actions": list(services.unfinished_actions(closure.episode)),
        },
    )


@login_required
def step_up_request(request, family_id):
    family, episode = episode_for(request, family_id, Action.CLOSE)
    if episode is None:
        return no_open_episode(request, family)
    form = StepUpForm(posted(request))
    if request.method == "POST" and form.is_valid():
        step_up = apply_service(
            form,
            lambda: services.step_up_request(
                episode=episode, reason=form.cleaned_data["reason"], by=request.user
            ),
        )
        if step_up:
            return saved(request, family, "The step-up request is at the front door.")
    return form_page(
        request,
        family,
        form,
        title="Ask for a step-up to children's social care",
        button="Send to the front door",
        intro="If a child is at immediate risk, call the front door now as well.",
    )


@login_required
def step_up_decision(request, step_up_id):
    step_up = family_record_for(
        request.user,
        StepUp.objects.select_related("requested_by", "episode"),
        step_up_id,
        action=Action.TRIAGE,
    )
    family = step_up.family
    if step_up.status != StepDecision.PENDING:
        messages.info(request, "This step-up has already been decided.")
        return redirect("family-detail", family_id=family.pk)
    form = StepUpDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.step_up_decide(
                step_up=step_up,
                accept=form.accepts,
                note=form.cleaned_data["note"],
                received_by=form.cleaned_data["received_by"],
                handover=form.cleaned_data["handover"],
                by=request.user,
            ),
        )
        if done:
            message = (
                "The step-up is accepted: the early help episode is closed."
                if form.accepts
                else "The step-up is declined."
            )
            return saved(request, family, message)
    return form_page(
        request,
        family,
        form,
        title="Decide the step-up",
        button="Save the decision",
        context={"step": step_up, "step_kind": "step-up"},
    )


@login_required
def step_down_request(request, family_id):
    family = family_for(request.user, family_id, action=Action.STEP_DOWN)
    form = StepDownForm(posted(request))
    if request.method == "POST" and form.is_valid():
        step_down = apply_service(
            form,
            lambda: services.step_down_request(family=family, by=request.user, **form.cleaned_data),
        )
        if step_down:
            return saved(request, family, "The step-down request is at the front door.")
    return form_page(
        request,
        family,
        form,
        title="Ask for a step-down to early help",
        button="Send to the front door",
    )


@login_required
def step_down_decision(request, step_down_id):
    step_down = family_record_for(
        request.user,
        StepDown.objects.select_related("requested_by"),
        step_down_id,
        action=Action.TRIAGE,
        via="family",
    )
    family = step_down.family
    if step_down.status != StepDecision.PENDING:
        messages.info(request, "This step-down has already been decided.")
        return redirect("family-detail", family_id=family.pk)
    form = StepDownDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.step_down_decide(
                step_down=step_down,
                accept=form.accepts,
                note=form.cleaned_data["note"],
                lead_practitioner=form.cleaned_data["lead_practitioner"],
                by=request.user,
            ),
        )
        if done:
            message = (
                "The step-down is accepted: a new episode is open."
                if form.accepts
                else "The step-down is declined."
            )
            return saved(request, family, message)
    return form_page(
        request,
        family,
        form,
        title="Decide the step-down",
        button="Save the decision",
        context={"step": step_down, "step_kind": "step-down"},
    )


@page_for(Action.TRIAGE)
def step_request_list(request):
    """The front door's step-up and step-down requests awaiting a decision."""
    # Each pending step request is the relation that lets the hub see its family, as in the
    # hub's queue (cases.front_door.selectors.hub_queue): the same list on both pages.
    step_ups = (
        step_ups_waiting_for(request.user)
        .select_related("episode__family", "requested_by__team__organisation")
        .order_by("requested_at")
    )
    step_downs = (
        step_downs_waiting_for(request.user)
        .select_related("family", "requested_by__team__organisation")
        .order_by("requested_at")
    )
    # Step-downs sent through the request form wait in the hub's queue as requests (issue 18):
    # listed here too, so this page never says "None waiting" while one waits.
    form_step_downs = list(
        requests_waiting_for(request.user)
        .filter(kind=SupportRequest.Kind.STEP_DOWN)
        .select_related("family")
        .order_by("received_at", "id")
    )
    step_ups, step_downs = list(step_ups), list(step_downs)
    record_listing(
        request.user,
        [s.episode.family for s in step_ups]
        + [s.family for s in step_downs]
        + [r.family for r in form_step_downs],
        action="step_requests",
    )
    return render(
        request,
        "cases/episode/step_requests.html",
        {"step_ups": step_ups, "step_downs": step_downs, "form_step_downs": form_step_downs},
    )


@login_required
def lead_change(request, family_id):
    """A manager moves the family to a new lead today, or schedules the move for a later day;
    a scheduled move is shown with a way to cancel it."""
    family, episode = episode_for(request, family_id, Action.REASSIGN)
    if episode is None:
        return no_open_episode(request, family)
    lead_changes_apply_due(episode=episode)
    episode.refresh_from_db()
    scheduled = scheduled_lead_change_of(episode)
    form = LeadChangeForm(posted(request), episode=episode)
    if request.method == "POST" and form.is_valid():
        change = apply_service(
            form,
            lambda: services.lead_change(episode=episode, by=request.user, **form.cleaned_data),
        )
        if change and change.status == change.Status.SCHEDULED:
            when = long_date(change.changed_on)
            return saved(
                request, family, f"{change.to_practitioner} leads this family from {when}."
            )
        if change:
            return saved(request, family, f"{change.to_practitioner} now leads this family.")
    since = long_date(lead_since(episode))
    return form_page(
        request,
        family,
        form,
        title="Change the lead practitioner",
        button="Change the lead",
        intro=f"{episode.lead_practitioner or 'Nobody'} has led this family since {since}.",
        context={"scheduled_lead_change": scheduled},
    )


@login_required
def lead_change_cancel(request, family_id):
    """Cancel the family's scheduled move before its day (POST only)."""
    family, episode = episode_for(request, family_id, Action.REASSIGN)
    if request.method != "POST":
        return redirect("lead-change", family_id=family.pk)
    scheduled = scheduled_lead_change_of(episode) if episode else None
    if scheduled is None:
        messages.error(request, "No change of lead is scheduled for this family.")
        return redirect("family-detail", family_id=family.pk)
    try:
        lead_services.lead_change_cancel(change=scheduled, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("family-detail", family_id=family.pk)
    return saved(request, family, f"The move to {scheduled.to_practitioner} is cancelled.")
