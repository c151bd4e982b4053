"""The hub's pages: its queue, a request and the decision on it, allocation (DOMAIN §4 steps 2–3).

Every request is reached through the access gate on its family: reading
needs `VIEW_CASEWORK` (a request is narrative about the family), deciding
`TRIAGE` and allocating `ALLOCATE`, which only the hub's relation grants.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize

from cases.allocation.selectors import (
    ENGAGED_MEANS,
    agency_managers,
    engaged_candidates,
)
from cases.front_door.forms import AgencyForm, AllocationForm, QueueFilterForm, TriageForm
from cases.front_door.selectors import (
    hub_queue,
    hub_queue_items,
    queue_counts,
    recent_decisions,
    request_detail,
    support_request_for,
)
from cases.front_door.services import (
    FamilyAlreadyOpen,
    RequestAlreadyHandled,
    already_handled,
    is_single_service,
    support_request_allocate,
    support_request_triage,
)
from cases.models import SupportRequest
from cases.people.selectors import possible_duplicates_to_check
from earlyhelp.access import Action, page_for, record_listing
from earlyhelp.policy import caseload_target

PAGE_SIZE = 25
HOME_QUEUE_SIZE = 10


@page_for(Action.TRIAGE)
def queue(request):
    """Everything waiting for the hub, however it was made (requests for support, step-ups,
    step-downs): step-ups first as urgent, then oldest first, each with what to notice and
    where the hub decides it. Filtered, a request's other statuses too."""
    form = QueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    chosen = {
        name: getattr(value, "pk", value)
        for name, value in filters.items()
        if name in form.fields and value
    }
    rows = hub_queue(
        user=request.user,
        locality=filters.get("locality"),
        status=filters.get("status", ""),
        source=filters.get("source", ""),
        what=filters.get("what", ""),
    )
    # One query counts the queue, one reads the page's rows, one each kind's records on it.
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = hub_queue_items(page.object_list)
    record_listing(request.user, [i.family for i in page.object_list], action="triage_queue")
    count = page.paginator.count
    return render(
        request,
        "triage/queue.html",
        {
            "form": form,
            "page": page,
            "caption": f"{count} request{pluralize(count)}: step-ups first, as urgent, "
            "then oldest first",
            "query": urlencode(chosen),
            "filtered": bool(chosen),
        },
        status=400 if form.errors else 200,
    )


def hub_home(request):
    """The hub's home page: what waits for it counted by kind and age, step-ups first then the
    oldest, its possible duplicates to check, its own decisions."""
    user = request.user
    oldest = hub_queue_items(hub_queue(user=user)[:HOME_QUEUE_SIZE])
    decisions = recent_decisions(user=user)
    checks = possible_duplicates_to_check(user=user)
    to_check = list(checks[:HOME_QUEUE_SIZE])
    shown = {i.family.pk: i.family for i in oldest}
    shown.update({d.request.family.pk: d.request.family for d in decisions})
    people = [person for check in to_check for person in (check.person, check.known)]
    record_listing(user, shown.values(), persons=people, action="hub_home")
    return render(
        request,
        "triage/hub_home.html",
        {
            "counts": queue_counts(user=user),
            "oldest": oldest,
            "decisions": decisions,
            "to_check": to_check,
            "to_check_count": len(checks),
        },
    )


@login_required
def request_page(request, request_id):
    """The request in full, and for the hub the decision on it."""
    deciding = request.method == "POST"
    support_request = support_request_for(
        request.user, request_id, action=Action.TRIAGE if deciding else Action.VIEW_CASEWORK
    )
    can = support_request.family.allowed_actions
    form = None
    if support_request.status == SupportRequest.Status.AWAITING_TRIAGE and Action.TRIAGE in can:
        form = TriageForm(request.POST if deciding else None)
    if deciding:
        if form is None:
            messages.error(request, already_handled(support_request))
            return redirect("triage-request", request_id=support_request.pk)
        if form.is_valid():
            try:
                decision = support_request_triage(
                    support_request_id=support_request.pk, by=request.user, **form.cleaned_data
                )
            except RequestAlreadyHandled as error:
                messages.error(request, error.messages[0])
                return redirect("triage-request", request_id=support_request.pk)
            except ValidationError as error:
                form.add_error(None, error)  # the rules' problems, each on the field it names
            else:
                messages.success(request, f"Decision recorded: {decision.get_priority_display()}.")
                return redirect("triage-request", request_id=support_request.pk)
    return render(
        request,
        "triage/request.html",
        {
            "sr": support_request,
            "family": support_request.family,
            "can": can,
            "form": form,
            **request_detail(support_request),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def allocate(request, request_id):
    """Pick the lead agency; name its practitioner only if already engaged with the family
    (otherwise the agency's team manager names them); a P3b goes to the agency with no lead."""
    support_request = support_request_for(request.user, request_id, action=Action.ALLOCATE)
    if support_request.status != SupportRequest.Status.AWAITING_ALLOCATION:
        messages.error(request, already_handled(support_request))
        return redirect("triage-request", request_id=support_request.pk)
    if support_request.open_episode:  # not a second episode: the hub's ways forward instead
        return redirect("triage-open-episode", request_id=support_request.pk)
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    agency_form = AgencyForm(source if "lead_agency" in source else None)
    agency = agency_form.cleaned_data["lead_agency"] if agency_form.is_valid() else None
    if posted and agency is None:
        return redirect("triage-allocate", request_id=support_request.pk)
    single_service = is_single_service(support_request)
    form, candidates, has_manager = None, [], False
    if agency is not None:
        if not single_service:
            candidates = list(
                engaged_candidates(agency=agency, family_id=support_request.family_id)
            )
        has_manager = agency_managers(agency).exists()
        form = AllocationForm(
            request.POST if posted else None,
            initial={"lead_agency": agency.pk},
            candidates=candidates,
            agency=agency,
        )
    if posted and form.is_valid():
        practitioner = form.cleaned_data.get("lead_practitioner")
        try:
            allocation = support_request_allocate(
                support_request_id=support_request.pk,
                lead_agency=agency,
                lead_practitioner=practitioner,
                by=request.user,
            )
        except (RequestAlreadyHandled, FamilyAlreadyOpen) as error:
            messages.error(request, error.messages[0])
            return redirect("triage-request", request_id=support_request.pk)
        except ValidationError as error:
            # A refusal of the agency (no team manager) goes above the form: its field is hidden.
            for name, problems in error.message_dict.items():
                form.add_error(name if name == "lead_practitioner" else None, problems)
        else:
            messages.success(request, _allocated_message(allocation))
            return redirect("triage-request", request_id=support_request.pk)
    errors = agency_form.errors or (form is not None and form.errors)
    return render(
        request,
        "triage/allocate.html",
        {
            "sr": support_request,
            "family": support_request.family,
            "agency_form": agency_form,
            "agency": agency,
            "form": form,
            "error_forms": [f for f in (agency_form, form) if f is not None and f.errors],
            "candidates": candidates,
            "single_service": single_service,
            "has_manager": has_manager,
            "engaged_means": ENGAGED_MEANS,
            "target": caseload_target(),
        },
        status=400 if errors else 200,
    )


def _allocated_message(allocation) -> str:
    agency = allocation.lead_agency
    if allocation.lead_practitioner_id:
        return (
            f"{allocation.lead_practitioner} of {agency} is the lead practitioner. "
            "The family's episode is open from today."
        )
    if allocation.episode.single_service:
        return (
            f"Allocated to {agency} as a single-service response, with no named lead "
            "practitioner. The family's episode is open from today."
        )
    return (
        f"Allocated to {agency}, waiting for a lead practitioner: its team managers are told "
        "to name one. The family's episode is open from today."
    )
