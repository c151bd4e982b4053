"""Configuration pages for administrators: users, teams, organisations, localities, and the
service's settings.

GOV.UK-styled pages for the everyday work; the Django admin stays for the
rare things (lockout records, API clients, authenticator devices).
"""

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import policy, services
from .access import Action, page_for
from .manage_forms import (
    LocalityForm,
    OrganisationForm,
    ServicePolicyForm,
    TeamForm,
    UserForm,
    UserSearchForm,
    add_refusal,
)
from .models import Locality, Organisation, Team, User

PAGE_SIZE = 50
administrators_only = page_for(Action.CONFIGURE)


@dataclass(frozen=True)
class Section:
    """One kind of thing administrators keep: how to list it and which form edits it. `save`
    is the service that saves the form's answers as `by` (the form's own save where none is
    given); an app that keeps a kind of its own registers it (`register`)."""

    slug: str
    singular: str
    plural: str
    form: type
    columns: list = field(default_factory=list)  # (heading, attribute path)
    rows: Callable = None  # () -> the queryset listed
    save: Callable | None = None  # (form, by) -> the saved object

    def queryset(self):
        return self.rows()

    @property
    def add_title(self) -> str:
        """ "Add a team", "Add an information sharing agreement"."""
        article = "an" if self.singular[:1].lower() in "aeiou" else "a"
        return f"Add {article} {self.singular}"


SECTIONS: dict[str, Section] = {
    s.slug: s
    for s in [
        Section(
            "localities",
            "locality",
            "Localities",
            LocalityForm,
            [("Name", "name"), ("Kind", "get_kind_display"), ("In use", "is_active")],
            rows=lambda: Locality.objects.order_by("name"),
        ),
        Section(
            "organisations",
            "organisation",
            "Organisations",
            OrganisationForm,
            [
                ("Name", "name"),
                ("Kind", "get_kind_display"),
                ("Tier", "tier"),
                ("Active", "is_active"),
            ],
            rows=lambda: Organisation.objects.order_by("name"),
        ),
        Section(
            "teams",
            "team",
            "Teams",
            TeamForm,
            [("Team", "name"), ("Organisation", "organisation"), ("Locality", "locality")],
            rows=lambda: Team.objects.select_related("organisation", "locality").order_by(
                "organisation__name", "name"
            ),
        ),
    ]
}


def register(section: Section) -> None:
    """A kind of thing another app keeps, listed and edited in these pages (as the partner
    agencies' information sharing agreements are)."""
    SECTIONS[section.slug] = section


def _section(slug) -> Section:
    from django.http import Http404

    if slug not in SECTIONS:
        raise Http404("No such list")
    return SECTIONS[slug]


def _cells(obj, columns):
    cells = []
    for _heading, attr in columns:
        value = getattr(obj, attr)
        value = value() if callable(value) else value
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, date):
            value = f"{value:%-d %B %Y}"
        cells.append("" if value is None else value)
    return cells


@administrators_only
def index(request):
    counts = {
        "users": User.objects.filter(is_active=True).count(),
        **{slug: s.queryset().count() for slug, s in SECTIONS.items()},
    }
    return render(request, "manage/index.html", {"sections": SECTIONS, "counts": counts})


@administrators_only
def section_list(request, slug):
    section = _section(slug)
    page = Paginator(section.queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(obj, _cells(obj, section.columns)) for obj in page.object_list]
    return render(request, "manage/list.html", {"section": section, "page": page, "rows": rows})


@administrators_only
def section_edit(request, slug, pk=None):
    section = _section(slug)
    instance = get_object_or_404(section.queryset(), pk=pk) if pk else None
    form = section.form(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            obj = form.save() if section.save is None else section.save(form, request.user)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            verb = "updated" if instance else "added"
            messages.success(request, f"{obj} is {verb}.")
            return redirect("manage-list", slug=slug)
    return render(
        request,
        "manage/edit.html",
        {"section": section, "form": form, "instance": instance},
        status=400 if form.errors else 200,
    )


def user_queryset(search: UserSearchForm):
    users = User.objects.select_related("team__organisation").order_by("last_name", "first_name")
    if not search.is_valid():
        return users
    q, role, status = (search.cleaned_data[k] for k in ("q", "role", "status"))
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if role:
        users = users.filter(role=role)
    if status:
        users = users.filter(is_active=status == "active")
    return users


@administrators_only
def user_list(request):
    search = UserSearchForm(request.GET or None)
    page = Paginator(user_queryset(search), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "manage/users.html",
        {"search": search, "page": page, "query": query.urlencode()},
    )


def _send_set_password_email(request, user):
    reset = PasswordResetForm({"email": user.email})
    if reset.is_valid():
        reset.save(
            request=request,
            use_https=request.is_secure(),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={"service_name": settings.SERVICE_NAME},
        )


@administrators_only
def user_edit(request, pk=None):
    instance = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            services.user_sync_role(user)
            if instance is None:
                # Nobody knows this password: the new user chooses theirs by email.
                user.set_password(secrets.token_urlsafe(32))
            user.save()
            form.save_m2m()
        if instance is None:
            _send_set_password_email(request, user)
            messages.success(
                request, f"{user} is added. We emailed {user.email} a link to choose a password."
            )
        else:
            messages.success(request, f"{user} is updated.")
        return redirect("manage-user-list")
    return render(
        request,
        "manage/user_edit.html",
        {"form": form, "instance": instance},
        status=400 if form.errors else 200,
    )


@administrators_only
@require_POST
def user_deactivate(request, pk):
    user = get_object_or_404(User, pk=pk)
    if user == request.user:
        messages.error(request, "You cannot deactivate your own account.")
    elif user.is_active:
        ended = services.user_deactivate(user)
        messages.success(request, f"{user} is deactivated and {ended} session(s) ended.")
    return redirect(reverse("manage-user-edit", args=[user.pk]))


@administrators_only
@require_POST
def user_reactivate(request, pk):
    user = get_object_or_404(User, pk=pk)
    services.user_reactivate(user)
    messages.success(request, f"{user} can sign in again.")
    return redirect(reverse("manage-user-edit", args=[user.pk]))


@administrators_only
@require_POST
def user_reset_two_factor(request, pk):
    user = get_object_or_404(User, pk=pk)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    services.user_sessions_end(user)
    messages.success(
        request,
        f"{user} will set up a new authenticator app at their next sign-in."
        if removed
        else f"{user} had no authenticator app.",
    )
    return redirect(reverse("manage-user-edit", args=[user.pk]))


@administrators_only
def service_settings(request):
    """The service's settings (issue 18: in pages, not environment variables), and every
    change to them as a sentence: who changed what, from what to what, and when."""
    form = ServicePolicyForm(request.POST or None, initial=asdict(policy.current()))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.service_policy_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                "The service settings are saved. They apply from now on."
                if changed
                else "Nothing changed: the settings are as they were.",
            )
            return redirect("manage-service-settings")
    fields = [(form[name], suffix) for name, suffix in form.suffixes.items()]
    return render(
        request,
        "manage/service_settings.html",
        {"form": form, "fields": fields, "history": policy.history()},
        status=400 if form.errors else 200,
    )
