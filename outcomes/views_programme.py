"""The programme team's and auditors' pages: attachment, claim batches, audit verdicts,
evidence packs and the what-if (DOMAIN §8). Every family is reached through the access gate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from cases.gate import families_allowing, families_visible_to, family_for, family_record_for
from cases.people.selectors import family_search
from earlyhelp.access import Action, page_for, record_listing, role_may
from earlyhelp.manage_forms import add_refusal

from . import claim_batches, programme
from .evidence_pack import evidence_pack_for, evidence_pack_pdf
from .forms_programme import BatchBuildForm, VerdictForm, WhatIfForm
from .models import AuditSampleItem, Claim, ClaimBatch
from .what_if import what_if


@login_required
@require_http_methods(["GET", "POST"])
def attach(request, family_id):
    family = family_for(request.user, family_id, action=Action.ATTACH)
    errors = []
    if request.method == "POST":
        try:
            programme.attachment_create(family=family, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{family.name} is attached to the programme.")
            return redirect("family-detail", family_id=family.pk)
    check = programme.attachment_check(family)
    return render(
        request,
        "outcomes/attach.html",
        {"family": family, "check": check, "errors": errors},
        status=400 if errors else 200,
    )


@page_for(Action.BUILD_CLAIM, Action.RECORD_VERDICT)
def batch_list(request):
    batches = ClaimBatch.objects.select_related("created_by").order_by("-created_at")
    return render(request, "outcomes/batch_list.html", {"batches": batches})


@page_for(Action.BUILD_CLAIM)
@require_http_methods(["GET", "POST"])
def batch_build(request):
    """Choose the window and date, see the candidates, then confirm which to claim."""
    windows = claim_batches.claim_windows()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = BatchBuildForm(data, windows=windows)
    candidates = None
    if data is not None and form.is_valid():
        on = form.cleaned_data["submitted_on"]
        candidates = list(claim_batches.claim_candidates(request.user, submitted_on=on))
        record_listing(request.user, [r.family for r in candidates], action="claim_candidates")
        form = BatchBuildForm(data, windows=windows, candidates=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                batch = claim_batches.claim_batch_submit(
                    window=form.cleaned_data["window"],
                    submitted_on=on,
                    family_ids=[int(i) for i in form.cleaned_data["families"]],
                    by=request.user,
                )
            except ValidationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, f"{batch.claims.count()} claims are in the batch.")
                return redirect("claim-batch-detail", batch_id=batch.pk)
    return render(
        request,
        "outcomes/batch_build.html",
        {"form": form, "candidates": candidates, "windows": windows},
        status=400 if form.errors else 200,
    )


@page_for(Action.BUILD_CLAIM, Action.RECORD_VERDICT)
def batch_detail(request, batch_id):
    batch = get_object_or_404(ClaimBatch.objects.select_related("created_by"), pk=batch_id)
    visible = families_visible_to(request.user)
    claims = list(
        Claim.objects.filter(batch=batch, family__in=visible)
        .select_related("family", "attachment")
        .order_by("family__name", "family_id")
    )
    sample = list(
        AuditSampleItem.objects.filter(batch=batch, family__in=visible)
        .select_related("family", "verdict_by")
        .order_by("family__name", "family_id")
    )
    record_listing(request.user, [c.family for c in claims] + [s.family for s in sample])
    verdict_families = set(
        families_allowing(request.user, Action.RECORD_VERDICT)
        .filter(pk__in=[s.family_id for s in sample])
        .values_list("pk", flat=True)
    )
    refused = batch.refused if role_may(request.user, Action.BUILD_CLAIM) else []
    return render(
        request,
        "outcomes/batch_detail.html",
        {
            "batch": batch,
            "claims": claims,
            "sample": sample,
            "refused": refused,
            "verdict_families": verdict_families,
            "total": sum(c.results_payment for c in claims),
            # The whole batch's figures (no family in them): an auditor sees only the sample.
            "batch_figures": Claim.objects.filter(batch=batch).aggregate(
                n=Count("pk"), total=Coalesce(Sum("results_payment"), 0)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_verdict(request, batch_id, family_id):
    # The batch's sample item of this family: one per family, so named by the two.
    item = family_record_for(
        request.user,
        AuditSampleItem.objects.filter(batch_id=batch_id).select_related("batch", "verdict_by"),
        action=Action.RECORD_VERDICT,
        family_id=family_id,
        via="family",
    )
    family = item.family
    form = VerdictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim_batches.audit_verdict_record(
                item=item,
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, f"Your verdict on {family.name} is recorded.")
            return redirect("home")
    return render(
        request,
        "outcomes/verdict.html",
        {"family": family, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def evidence_pack(request, family_id):
    family = family_for(request.user, family_id, action=Action.VIEW_EVIDENCE)
    return render(
        request,
        "outcomes/evidence_pack.html",
        {"family": family, "pack": evidence_pack_for(family)},
    )


@login_required
def evidence_pack_download(request, family_id):
    family = family_for(request.user, family_id, action=Action.VIEW_EVIDENCE)
    response = HttpResponse(
        evidence_pack_pdf(evidence_pack_for(family)), content_type="application/pdf"
    )
    name = slugify(f"evidence pack {family.reference}")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@page_for(Action.ATTACH)
def what_if_page(request):
    """Pick a family (a search among those the gate lets the user see) and a date, and see the
    engine's answer with its explanation. A GET form: nothing is saved but the audit entries."""
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if query:
        found, _more = family_search(user=request.user, query=query, page_size=20)
        record_listing(request.user, found, action="search")
    asked = "family" in request.GET or any(k.startswith("on_") for k in request.GET)
    form = WhatIfForm(request.GET if asked else None)
    family = answer = None
    if asked:
        form.is_valid()
        chosen = form.cleaned_data.get("family")
        if chosen is not None:
            # The gate decides and audits the view: 404 for a family the user may not see.
            family = family_for(request.user, chosen, action=Action.VIEW_EVIDENCE)
            if family.pk not in {f.pk for f in found}:
                found = [family, *found]
        if family is not None and not form.errors:
            answer = what_if(family, on=form.cleaned_data["on"])
    return render(
        request,
        "outcomes/what_if.html",
        {"form": form, "q": query, "found": found, "family": family, "answer": answer},
        status=400 if form.errors else 200,
    )
