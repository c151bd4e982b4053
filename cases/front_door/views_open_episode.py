"""The hub's page for a request whose family already has an open episode (issue 18).

Allocation would open a second episode, which a family never has; instead of a refusal the
hub adds the request to the open episode, passes it to its lead practitioner, or closes it
with a reason. A page of its own, beside allocation's, so the two change apart.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cases.front_door.forms import ResolveOpenForm
from cases.front_door.open_episode import NoOpenEpisode, support_request_resolve_open
from cases.front_door.selectors import request_detail, support_request_for
from cases.front_door.services import RequestAlreadyHandled, already_handled
from cases.gate import relations_to
from cases.models import OpenEpisodeResolution, SupportRequest
from earlyhelp.access import Action

DONE = {
    OpenEpisodeResolution.Outcome.ADDED: "The request is added to the open episode. "
    "{lead} is told.",
    OpenEpisodeResolution.Outcome.PASSED: "The request is passed to {lead}, who is told.",
    OpenEpisodeResolution.Outcome.CLOSED: "The request is closed.",
}


@login_required
def open_episode(request, request_id):
    """Add the request to the family's open episode, pass it to the lead, or close it."""
    support_request = support_request_for(request.user, request_id, action=Action.ALLOCATE)
    if support_request.status != SupportRequest.Status.AWAITING_ALLOCATION:
        messages.error(request, already_handled(support_request))
        return redirect("triage-request", request_id=support_request.pk)
    detail = request_detail(support_request)
    episode = detail["open_episode"]
    if episode is None:
        return redirect("triage-allocate", request_id=support_request.pk)
    form = ResolveOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            support_request_resolve_open(
                support_request_id=support_request.pk, by=request.user, **form.cleaned_data
            )
        except (RequestAlreadyHandled, NoOpenEpisode) as error:
            messages.error(request, error.messages[0])
            return redirect("triage-request", request_id=support_request.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            lead = episode.lead_practitioner or "its lead practitioner"
            messages.success(request, DONE[form.cleaned_data["outcome"]].format(lead=lead))
            # The hub's sight of a family lasts a while after triage (Relation.HUB); a request
            # triaged long ago and decided only now may be out of it: back to the queue then.
            if not relations_to(request.user, support_request.family_id):
                return redirect("triage-queue")
            return redirect("triage-request", request_id=support_request.pk)
    return render(
        request,
        "triage/open_episode.html",
        {
            "sr": support_request,
            "family": support_request.family,
            "episode": episode,
            "form": form,
            "error_forms": [form] if form.errors else [],
        },
        status=400 if form.errors else 200,
    )
