"""The national returns' pages (DOMAIN §10), for the programme team: choose the return and its
as-of date, read the report of what is missing or invalid, then download the file. Every
family in a file is the gate's answer for its maker (`families_allowing`), and each is audited
as a view when the file is made."""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from earlyhelp import audit
from earlyhelp.access import Action, page_for
from earlyhelp.models import AuditEntry

from . import layouts, selectors, services
from .forms import LayoutForm, ReturnForm
from .models import ReturnKind, ReturnLayout

returns_page = page_for(Action.MAKE_RETURNS)
# The layouts are configuration: the programme team's, and administrators' like the plan.
layouts_page = page_for(Action.MAKE_RETURNS, Action.CONFIGURE)


def _kind(value: str) -> ReturnKind:
    try:
        return ReturnKind(value)
    except ValueError:
        raise Http404("No such return") from None


def _as_of(value: str) -> date:
    try:
        as_of = date.fromisoformat(value)
    except ValueError:
        raise Http404("No such date") from None
    if as_of > timezone.localdate():
        raise Http404("A return cannot be made as of a date still to come")
    return as_of


def _build(request, return_kind: str, as_of: str):
    try:
        return selectors.national_return(request.user, kind=_kind(return_kind), as_of=_as_of(as_of))
    except selectors.NoLayout as error:
        raise Http404(str(error)) from None


@returns_page
def return_start(request):
    form = ReturnForm(request.GET if "kind" in request.GET else None)
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"]
        return redirect("return-check", form.cleaned_data["kind"], as_of.isoformat())
    return render(request, "returns/start.html", {"form": form})


@returns_page
def return_check(request, return_kind, as_of):
    """The report before the download: the return is built here exactly as the file will be."""
    made = _build(request, return_kind, as_of)
    # The report names families and people: a listing of those it shows, like a search page.
    audit.record(
        request.user,
        action="return_check",
        outcome=AuditEntry.Outcome.ALLOWED,
        listed_family_ids=sorted({p.family_id for p in made.problems}),
        listed_person_ids=sorted({p.person_id for p in made.problems if p.person_id}),
        detail=f"{made.kind_label} as of {made.period.ends_on}: {len(made.problems)} problems",
    )
    return render(request, "returns/check.html", {"made": made})


@returns_page
def return_download(request, return_kind, as_of):
    made = _build(request, return_kind, as_of)
    services.return_made_record(made, by=request.user)
    response = HttpResponse(made.csv_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@layouts_page
def layout_list(request):
    versions = ReturnLayout.objects.select_related("created_by").order_by("kind", "-version")
    by_kind = {kind: [v for v in versions if v.kind == kind] for kind in ReturnKind}
    return render(
        request,
        "returns/layouts.html",
        {
            "by_kind": [(ReturnKind(k), v) for k, v in by_kind.items()],
            "formats": layouts.FORMATS,
            "required": layouts.REQUIRED,
        },
    )


@layouts_page
def layout_edit(request, return_kind):
    kind = _kind(return_kind)
    current = ReturnLayout.objects.filter(kind=kind).order_by("-version").first()
    if request.method == "POST":
        form = LayoutForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                layout = services.return_layout_change(
                    kind=kind,
                    columns=form.cleaned_data["columns"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{layout} saved")
                return redirect(reverse("return-layouts") + f"#{kind}")
    else:
        columns = current.columns if current else layouts.default_columns(kind)
        form = LayoutForm(
            kind=kind, initial={"columns": json.dumps(columns, indent=2, ensure_ascii=False)}
        )
    return render(
        request,
        "returns/layout_edit.html",
        {
            "form": form,
            "kind": kind,
            "current": current,
            "sources": layouts.SOURCES[kind],
            "formats": layouts.FORMATS,
            "required": layouts.REQUIRED,
        },
    )
