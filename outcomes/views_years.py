"""Pages where the programme team and administrators keep the programme years and the school
terms (issue 17): every change through `outcomes.years`, every change in the history shown."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from earlyhelp.access import Action, page_for
from earlyhelp.manage_forms import add_refusal

from . import years
from .forms_years import FundingForm, TermForm, WindowForm, YearForm
from .models import FundingLine, FundingStream, ProgrammeClaimWindow, ProgrammeYear, SchoolTerm

programme_setup = page_for(Action.CONFIGURE_PROGRAMME)


def _year(starts_in: int) -> ProgrammeYear:
    return get_object_or_404(ProgrammeYear, starts_in=starts_in)


def _form_page(request, form_class, *, initial, save, title, back, done):
    """A one-form page: GET shows it, POST asks the service, which names the field at fault."""
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "outcomes/years/form.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.errors else 200,
    )


@programme_setup
def year_list(request):
    today = timezone.localdate()
    # Each sum in its own subquery: one join of windows and funding would count each line once
    # for every window.
    windows = (
        ProgrammeClaimWindow.objects.filter(year=OuterRef("pk"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    grants = (
        FundingLine.objects.filter(
            year=OuterRef("pk"),
            stream__in=[FundingStream.TRANSFORMATION_GRANT, FundingStream.OTHER],
        )
        .order_by()
        .values("year")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = ProgrammeYear.objects.annotate(
        windows=Coalesce(Subquery(windows), 0), grants=Subquery(grants)
    ).order_by("-starts_in")
    return render(
        request,
        "outcomes/years/list.html",
        {"years": rows, "current": ProgrammeYear.starting_in_year_of(today)},
    )


@programme_setup
@require_POST
def year_add(request):
    last = ProgrammeYear.objects.order_by("-starts_in").first()
    starts_in = (
        last.starts_in + 1 if last else ProgrammeYear.starting_in_year_of(timezone.localdate())
    )
    year = years.year_create(starts_in=starts_in)
    messages.success(request, f"The programme year {year.label} is set up: add its claim windows.")
    return redirect("programme-year-detail", starts_in=year.starts_in)


@programme_setup
def year_detail(request, starts_in):
    year = _year(starts_in)
    return render(
        request,
        "outcomes/years/detail.html",
        {
            "year": year,
            "windows": year.claim_windows.order_by("opens"),
            "funding": year.funding.order_by("stream", "name"),
            "history": years.year_history(year),
        },
    )


@programme_setup
@require_http_methods(["GET", "POST"])
def year_change(request, starts_in):
    year = _year(starts_in)
    return _form_page(
        request,
        YearForm,
        initial={
            "attachment_target": year.attachment_target,
            "audit_sample_percent": year.audit_sample_percent,
        },
        save=lambda data: years.year_update(year, **data),
        title=f"Change the target and audit sample for {year.label}",
        back=reverse("programme-year-detail", args=[starts_in]),
        done="The target and audit sample are saved.",
    )


@programme_setup
@require_http_methods(["GET", "POST"])
def window_edit(request, starts_in, window_id=None):
    year = _year(starts_in)
    window = None
    if window_id is not None:
        window = get_object_or_404(ProgrammeClaimWindow, pk=window_id, year=year)
    return _form_page(
        request,
        WindowForm,
        initial={"opens": window.opens, "closes": window.closes} if window else {},
        save=lambda data: years.window_save(year, window=window, **data),
        title=(
            f"Change the claim window {window} in {year.label}"
            if window
            else f"Add a claim window in {year.label}"
        ),
        back=reverse("programme-year-detail", args=[starts_in]),
        done="The claim window is saved.",
    )


@programme_setup
@require_http_methods(["GET", "POST"])
def funding_edit(request, starts_in, line_id=None):
    year = _year(starts_in)
    line = None
    if line_id is not None:
        line = get_object_or_404(FundingLine, pk=line_id, year=year)
    return _form_page(
        request,
        FundingForm,
        initial={"stream": line.stream, "name": line.name, "amount": line.amount} if line else {},
        save=lambda data: years.funding_save(year, line=line, **data),
        title=(
            f"Change the funding line {line} in {year.label}"
            if line
            else f"Add a funding line in {year.label}"
        ),
        back=reverse("programme-year-detail", args=[starts_in]),
        done="The funding line is saved.",
    )


@programme_setup
@require_http_methods(["GET", "POST"])
def year_part_remove(request, starts_in, part, part_id):
    """Remove a claim window or a funding line, after asking."""
    year = _year(starts_in)
    model = {"windows": ProgrammeClaimWindow, "funding": FundingLine}.get(part)
    if model is None:
        return redirect("programme-year-detail", starts_in=starts_in)
    thing = get_object_or_404(model, pk=part_id, year=year)
    what = f"the claim window {thing}" if part == "windows" else f"the funding line {thing}"
    back = reverse("programme-year-detail", args=[starts_in])
    problems = []
    if request.method == "POST":
        try:
            (years.window_remove if part == "windows" else years.funding_remove)(thing)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, f"Removed {what}.")
            return redirect(back)
    return render(
        request,
        "outcomes/years/remove.html",
        {"what": what, "year": year, "back": back, "problems": problems},
        status=400 if problems else 200,
    )


@programme_setup
def term_list(request):
    return render(
        request,
        "outcomes/years/terms.html",
        {
            "terms": SchoolTerm.objects.order_by("-starts_on"),
            "history": years.terms_history()[:50],
        },
    )


@programme_setup
@require_http_methods(["GET", "POST"])
def term_edit(request, term_id=None):
    term = get_object_or_404(SchoolTerm, pk=term_id) if term_id is not None else None
    initial = {}
    if term is not None:
        initial = {
            "academic_year": term.academic_year,
            "name": term.name,
            "starts_on": term.starts_on,
            "ends_on": term.ends_on,
        }
    return _form_page(
        request,
        TermForm,
        initial=initial,
        save=lambda data: years.school_term_save(term=term, **data),
        title=f"Change the dates of the {term} term" if term else "Add a school term",
        back=reverse("school-term-list"),
        done="The school term is saved. Tonight's results judge every family by it.",
    )
