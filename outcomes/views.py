"""Pages for evidence (through the access gate) and for versions of the outcomes plan."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.gate import families_allowing, family_for, family_record_for
from cases.models import Person
from earlyhelp.access import Action, page_for

from . import selectors, services
from .forms import EvidenceForm, EvidenceKindForm, PlanDefinitionForm, PublishForm
from .models import Evidence, OutcomesPlanVersion
from .wording import details_words, when_words

administrators_only = page_for(Action.CONFIGURE)


@login_required
def evidence_list(request, family_id):
    family = family_for(request.user, family_id, action=Action.VIEW_EVIDENCE)
    page = Paginator(selectors.evidence_for_family(family), 50).get_page(request.GET.get("page"))
    for item in page.object_list:  # said in words, not as the keys and codes it is kept in
        item.when_words, item.details_words = when_words(item), details_words(item)
    return render(
        request,
        "outcomes/evidence_list.html",
        {"family": family, "page": page, "can": family.allowed_actions},
    )


def _plan_for_forms():
    """The plan in force labels the kinds by headline problem; without one they go unlabelled."""
    version = selectors.plan_in_force(timezone.localdate())
    return version.plan if version else None


@login_required
def evidence_add(request, family_id):
    """Step one: which kind of evidence (the kind decides the questions)."""
    family = family_for(request.user, family_id, action=Action.ADD_EVIDENCE)
    form = EvidenceKindForm(request.GET or None, plan=_plan_for_forms())
    if request.GET and form.is_valid():
        return redirect("evidence-add-kind", family_id=family.pk, kind=form.cleaned_data["kind"])
    return render(
        request,
        "outcomes/evidence_kind.html",
        {"family": family, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def evidence_add_kind(request, family_id, kind, corrects=None):
    family = family_for(request.user, family_id, action=Action.ADD_EVIDENCE)
    if kind not in dict(EvidenceKindForm(plan=_plan_for_forms()).fields["kind"].choices):
        return redirect("evidence-add", family_id=family.pk)
    members = Person.objects.filter(memberships__family=family).distinct()
    initial = {}
    if corrects is not None:
        initial = {
            "person": corrects.person_id,
            "period_start": corrects.period_start,
            "period_end": corrects.period_end,
            "source": corrects.source,
        }
    form = EvidenceForm(
        request.POST or None,
        kind=kind,
        members=members,
        initial=initial,
        initial_values=corrects.values if corrects else None,
    )
    if request.method == "POST" and form.is_valid():
        row = form.as_row(family=family)
        if corrects is not None:
            row["supersedes"] = corrects.pk
        report = services.evidence_import(
            [row],
            recorded_by=request.user,
            families=families_allowing(request.user, Action.ADD_EVIDENCE).filter(pk=family.pk),
        )
        if report.saved:
            messages.success(request, "The evidence is recorded.")
            return redirect("evidence-list", family_id=family.pk)
        form.show_problems(report.problems)
    return render(
        request,
        "outcomes/evidence_form.html",
        {"family": family, "form": form, "kind": form.kind, "corrects": corrects},
        status=400 if form.errors else 200,
    )


@login_required
def evidence_correct(request, evidence_id):
    """A correction is a new item that supersedes this one; the original stays."""
    item = family_record_for(
        request.user, Evidence, evidence_id, action=Action.ADD_EVIDENCE, via="family"
    )
    return evidence_add_kind(request, item.family_id, item.kind, corrects=item)


@login_required
def plan_list(request):
    versions = OutcomesPlanVersion.objects.select_related("published_by").order_by("-version")
    in_force = selectors.plan_in_force(timezone.localdate())
    return render(request, "outcomes/plan_list.html", {"versions": versions, "in_force": in_force})


@login_required
def plan_detail(request, version):
    plan_version = get_object_or_404(OutcomesPlanVersion, version=version)
    return render(
        request,
        "outcomes/plan_detail.html",
        {"version": plan_version, "plan": plan_version.plan},
    )


@administrators_only
@require_POST
def plan_copy(request, version):
    source = get_object_or_404(OutcomesPlanVersion, version=version)
    draft = services.plan_version_copy(source=source, by=request.user)
    messages.success(request, f"Version {draft.version} is a new draft, copied from {version}.")
    return redirect("plan-edit", version=draft.version)


@administrators_only
def plan_edit(request, version):
    draft = get_object_or_404(OutcomesPlanVersion, version=version)
    if draft.status != OutcomesPlanVersion.Status.DRAFT:
        messages.error(request, "A published version never changes: copy it to make a new draft.")
        return redirect("plan-detail", version=version)
    initial = {"definition": json.dumps(draft.definition, indent=2, ensure_ascii=False)}
    form = PlanDefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_version_update(draft=draft, definition=form.cleaned_data["definition"])
        except ValidationError as error:
            form.add_error("definition", error)
        else:
            messages.success(request, f"Draft version {version} is saved.")
            return redirect("plan-detail", version=version)
    return render(
        request,
        "outcomes/plan_edit.html",
        {"version": draft, "form": form},
        status=400 if form.errors else 200,
    )


@administrators_only
def plan_publish(request, version):
    draft = get_object_or_404(OutcomesPlanVersion, version=version)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_version_publish(
                draft=draft, effective_from=form.cleaned_data["effective_from"], by=request.user
            )
        except ValidationError as error:
            form.add_error("effective_from", error)
        else:
            messages.success(request, f"Version {version} is published.")
            return redirect("plan-detail", version=version)
    return render(
        request,
        "outcomes/plan_publish.html",
        {"version": draft, "form": form},
        status=400 if form.errors else 200,
    )
