"""The weekly employment triage panel, and its figure for managers and boards (DOMAIN §7, §9).

Who runs the panel: hub staff. The panel "consider[s] all referrals for
support and make[s] a decision regarding which team will pick it up" — the
same work as the triage and allocations hub's ("read every incoming request,
decide the response, allocate", DOMAIN §1), so it reuses the hub's `ALLOCATE`
action. The hub reaches a referral's family through its own relation in the
gate (a referral awaiting the panel, or decided in the last 30 days, like a
request in its queue). The programme team was the other candidate, but its
gate reaches only attached families, and the panel must see every referral.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from cases.dashboards.selectors import default_cuts
from cases.dashboards.views import CutsForm, _csv
from cases.gate import families_visible_to, family_record_for
from earlyhelp.access import Action, page_for, record_listing, role_may

from . import selectors, work_services
from .dashboards import employment_panel
from .models import WorkConversation
from .views_work import answers_of
from .work_forms import PanelDecisionForm


@page_for(Action.ALLOCATE)
def employment_panel_list(request):
    weeks = selectors.panel_referrals(request.user)
    referrals = [r for week in weeks for r in week.referrals]
    record_listing(
        request.user,
        {r.episode.family_id: r.episode.family for r in referrals}.values(),
        persons=[r.person for r in referrals],
    )
    return render(
        request,
        "assessments/employment_panel.html",
        {"weeks": weeks, "count": len(referrals)},
    )


@login_required
def employment_panel_decide(request, referral_id):
    referral = family_record_for(
        request.user,
        WorkConversation.objects.filter(status=WorkConversation.Status.COMPLETED).select_related(
            "person", "provider", "decided_by", "completed_by__team__organisation"
        ),
        referral_id,
        action=Action.ALLOCATE,
    )
    family = referral.family
    form = PanelDecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            decided = work_services.referral_decide(
                referral=referral,
                by=request.user,
                provider=form.provider,
                reason=form.reason,
                detail=form.cleaned_data["detail"],
            )
        except work_services.AlreadyDecided as error:
            form.add_error(None, error)
            referral.refresh_from_db()
            status = 409
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request, f"{referral.person}'s referral: {decided.decision_label.lower()}."
            )
            return redirect("employment-panel")
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "assessments/employment_panel_decide.html",
        {
            "family": family,
            "referral": referral,
            "answers": answers_of(referral),
            "form": form,
        },
        status=status,
    )


@page_for(Action.SEE_PANEL_FIGURES)
def employment_panel_dashboard(request):
    form = CutsForm(request.GET or None, manager=request.user)
    if not role_may(request.user, Action.SEE_CASELOAD_DASHBOARD):
        del form.fields["team"]  # a team cut is the caseload dashboard's: a manager's teams
    if request.GET and not form.is_valid():
        return render(request, "dashboards/employment_panel.html", {"form": form}, status=400)
    cuts = form.cuts() if request.GET else default_cuts(timezone.localdate())
    table = employment_panel(request.user, cuts, visible=families_visible_to(request.user))
    if request.GET.get("format") == "csv":
        return _csv([table], request.GET.get("table"), cuts)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    return render(
        request,
        "dashboards/employment_panel.html",
        {"form": form, "tables": [table], "cuts": cuts, "query": query.urlencode()},
    )
