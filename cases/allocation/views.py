"""The team manager's page: name the lead practitioner of a family allocated to their agency
(DOMAIN §4 step 3), seeing each practitioner's caseload against the target.

The request is reached through the gate on its family: reading it needs VIEW_CASEWORK (a
request is narrative about the family), naming needs NAME_LEAD, which the relation "manages a
team of the lead agency, no lead practitioner named" grants (earlyhelp.access).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cases.allocation.forms import EndUnledForm, NameLeadForm
from cases.allocation.selectors import ENGAGED_MEANS, allocation_candidates
from cases.allocation.services import LeadAlreadyNamed, allocation_name_lead
from cases.closure.services import unled_episode_end
from cases.episode.selectors import open_episode_of
from cases.episode.views import apply_service, form_page
from cases.front_door.selectors import request_detail, support_request_for
from cases.gate import family_for
from earlyhelp.access import Action
from earlyhelp.manage_forms import add_refusal
from earlyhelp.policy import caseload_target


@login_required
def name_lead(request, request_id):
    support_request = support_request_for(request.user, request_id, action=Action.VIEW_CASEWORK)
    allocation = getattr(support_request, "allocation", None)
    if Action.NAME_LEAD not in support_request.family.allowed_actions:
        if allocation is not None and allocation.lead_practitioner_id:
            # Another manager named the lead first: say who, on the request they may still read.
            messages.error(
                request,
                f"{allocation.named_by} named {allocation.lead_practitioner} as lead "
                "practitioner first",
            )
            return redirect("triage-request", request_id=support_request.pk)
        # Not theirs to name: the gate answers 403, and audits it.
        support_request_for(request.user, request_id, action=Action.NAME_LEAD)
    if allocation is None or allocation.episode.single_service:
        messages.error(request, "This request has no lead practitioner to name")
        return redirect("triage-request", request_id=support_request.pk)
    candidates = allocation_candidates(
        agency=allocation.lead_agency, family_id=support_request.family_id
    )
    posted = request.method == "POST"
    form = NameLeadForm(request.POST if posted else None, candidates=candidates)
    if posted:
        support_request_for(request.user, request_id, action=Action.NAME_LEAD)
        if form.is_valid():
            lead = form.cleaned_data["lead_practitioner"]
            try:
                allocation_name_lead(
                    allocation_id=allocation.pk, lead_practitioner=lead, by=request.user
                )
            except LeadAlreadyNamed as error:
                messages.error(request, error.messages[0])
                return redirect("home")
            except ValidationError as error:
                add_refusal(form, error)
            else:
                messages.success(
                    request,
                    f"{lead} is the lead practitioner for the {support_request.family.name} "
                    "and has been told.",
                )
                return redirect("home")
    return render(
        request,
        "allocation/name_lead.html",
        {
            "sr": support_request,
            "family": support_request.family,
            "allocation": allocation,
            "form": form,
            "candidates": list(candidates),
            "engaged_means": ENGAGED_MEANS,
            "target": caseload_target(),
            **request_detail(support_request),
        },
        status=400 if form.errors else 200,
    )


@login_required
def end_unled(request, family_id):
    """A manager of the lead agency ends the family's episode that no one leads (a P3b's
    support ended, or a family gone before a lead was named): END_UNLED, which only the relation
    "manages a team of the lead agency, no lead practitioner named" grants."""
    family = family_for(request.user, family_id, action=Action.END_UNLED)
    episode = open_episode_of(family.pk)
    form = EndUnledForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        ended = apply_service(
            form,
            lambda: unled_episode_end(
                episode=episode,
                reason=form.cleaned_data["reason"],
                needs_at_closure=form.cleaned_data["needs_at_closure"],
                by=request.user,
            ),
        )
        if ended:
            # Home, not the family page: with the episode closed, the family is no longer
            # the agency manager's to open.
            messages.success(request, f"The {family.name}'s episode has ended.")
            return redirect("home")
    return form_page(
        request,
        family,
        form,
        title="End the episode",
        button="End the episode",
        intro=f"{episode.lead_label}. With no lead practitioner to ask for closure, you end "
        "the episode for your agency; it is closed at once and kept with your name.",
    )
