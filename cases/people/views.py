"""Pages about families and persons. Every record is reached through the access gate."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST
from pghistory.models import Events

from cases.episode.views import apply_service
from cases.gate import (
    PersonOffers,
    break_glass_grant,
    families_allowing,
    family_for,
    person_for,
    person_offers,
    person_to_link,
    persons_visible_to,
)
from cases.models import Family, FamilyMember, Person, PersonMerge
from cases.people import merging, selectors, services
from cases.people.forms import (
    AddressForm,
    BreakGlassForm,
    ChooseMatchForm,
    FamilyFilterForm,
    MembershipForm,
    MergeForm,
    PersonForm,
    PersonSearchForm,
)
from cases.people.matching import likely_duplicates
from cases.people.search import read_query
from earlyhelp import audit
from earlyhelp.access import Action, as_id, page_for, record_listing, role_may
from earlyhelp.models import AuditEntry, BreakGlass

PAGE_SIZE = 25


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


class RowsPage:
    """A page of a list or of ranked search results: next and previous, without counting
    every row (the count would cost what the database holds, not what the page shows)."""

    def __init__(self, rows, number, has_next):
        self.object_list, self.number = rows, number
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def _rows_page(request, rows, **kwargs):
    """A page from `rows(user=…, page_size=…, page=…, **kwargs)`, which returns the page's
    rows and whether another follows."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    found, has_next = rows(user=request.user, page_size=PAGE_SIZE, page=number, **kwargs)
    return RowsPage(found, number, has_next)


def _search_page(request, search, query):
    return _rows_page(request, search, query=query)


@login_required
def family_list(request):
    """Families the user may see: newest first, found by name or reference, or filtered by
    lead practitioner, team, locality and status (in the address, so a list can be shared)."""
    form = FamilyFilterForm(request.GET or None)
    filters = form.filters if form.is_bound else {}
    query = (
        form.cleaned_data.get("q", "").strip()[:100] if form.is_bound and form.is_valid() else ""
    )
    if query:
        page = _search_page(request, selectors.family_search, query)
    else:
        page = _rows_page(request, selectors.family_list, filters=filters)
    record_listing(request.user, page.object_list, action="search" if query or filters else "list")
    shared = request.GET.copy()
    shared.pop("page", None)
    return render(
        request,
        "cases/family_list.html",
        {
            "form": form,
            "page": page,
            "q": query,
            "filtered": bool(filters),
            "query": shared.urlencode(),
        },
    )


@login_required
def person_list(request):
    """Find a person by name (current or previous, spelt as it comes), date of birth,
    postcode, NHS number, unique pupil number or National Insurance number: only people the
    user may see, closest first."""
    form = PersonSearchForm(request.GET or None, auto_id="%s")
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    page = _search_page(request, selectors.person_search, query) if query else None
    if page is not None:
        record_listing(request.user, persons=page.object_list, action="search")
    return render(
        request,
        "cases/person_list.html",
        {
            "form": form,
            "page": page,
            "q": query,
            "searched_by": read_query(query).described if query else [],
            "query": urlencode({"q": query}),
        },
    )


@login_required
def family_seen_by(request, family_id):
    """Who has seen this record: for managers and administrators (DOMAIN §1).

    Administrators read any family's trail, not the family: its name, reference and people's
    names show only to those who may see them; others read record numbers.
    """
    family = family_for(request.user, family_id, action=Action.SEE_AUDIT)
    person_ids = list(family.memberships.values_list("person_id", flat=True))
    entries = (
        AuditEntry.objects.filter(
            Q(family_id=family.pk)
            | Q(listed_family_ids__contains=[family.pk])
            | Q(person_id__in=person_ids)
            | Q(listed_person_ids__overlap=person_ids)
        )
        .select_related("user", "api_client")
        .order_by("-at", "-id")
    )
    page = _page(request, entries)
    named = {entry.person_id for entry in page.object_list} - {None}
    names = {p.pk: str(p) for p in persons_visible_to(request.user).filter(pk__in=named)}
    for entry in page.object_list:
        entry.person_name = names.get(entry.person_id, "")
    return render(
        request,
        "cases/family_seen_by.html",
        {"family": family, "may_see": Action.VIEW in family.allowed_actions, "page": page},
    )


def _history(objects_by_model):
    events = []
    for objects in objects_by_model:
        if objects:
            events.extend(Events.objects.references(*objects).order_by("-pgh_created_at")[:200])
    events.sort(key=lambda e: e.pgh_created_at, reverse=True)
    users = _users_named_in(events)
    return [
        {
            "at": e.pgh_created_at,
            "what": e.pgh_obj_model.split(".")[-1],
            "label": e.pgh_label,
            "changes": sorted((e.pgh_diff or {}).items()) if e.pgh_label == "update" else [],
            "by": users.get((e.pgh_context or {}).get("user")),
            "url": (e.pgh_context or {}).get("url"),
        }
        for e in events
    ]


def _users_named_in(events):
    from earlyhelp.models import User

    ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


@login_required
def family_history(request, family_id):
    family = family_for(request.user, family_id, action=Action.VIEW)
    persons = list(Person.objects.filter(memberships__family=family).distinct())
    return render(
        request,
        "cases/history.html",
        {"subject": family, "back": family, "events": _history([[family], persons])},
    )


@login_required
def person_detail(request, person_id):
    person = person_for(request.user, person_id, action=Action.VIEW)
    if person.merged_into_id:
        messages.info(request, f"{person} was merged into this record.")
        return redirect("person-detail", person_id=person.merged_into_id)
    memberships = [
        m
        for m in FamilyMember.objects.filter(person=person).select_related("family")
        if m.family_id in _visible_family_ids(request.user, person)
    ]
    merges = PersonMerge.objects.filter(Q(survivor=person) | Q(duplicate=person)).select_related(
        "survivor", "duplicate", "merged_by", "unmerged_by"
    )
    return render(
        request,
        "cases/person_detail.html",
        {
            "person": person,
            "can": person.allowed_actions,
            "memberships": memberships,
            "other_names": person.other_names.all(),
            "addresses": person.addresses.select_related("locality"),
            "merges": merges,
            "hub_checking": selectors.hub_is_checking(person),
        },
    )


def _visible_family_ids(user, person):
    from cases.gate import families_visible_to

    return set(
        families_visible_to(user).filter(memberships__person=person).values_list("pk", flat=True)
    )


@login_required
def person_history(request, person_id):
    person = person_for(request.user, person_id, action=Action.VIEW)
    return render(
        request,
        "cases/history.html",
        {"subject": person, "back": person, "events": _history([[person]])},
    )


@login_required
def person_edit(request, person_id):
    person = person_for(request.user, person_id, action=Action.EDIT)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        updated = apply_service(
            form, lambda: services.person_update(person=form.save(commit=False), by=request.user)
        )
        if updated:
            messages.success(request, f"{person}'s record is updated.")
            return redirect("person-detail", person_id=person.pk)
    return render(
        request,
        "cases/person_edit.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def address_add(request, person_id):
    person = person_for(request.user, person_id, action=Action.EDIT)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = apply_service(
            form,
            lambda: services.address_add(
                person=person, address=form.save(commit=False), by=request.user
            ),
        )
        if address:
            messages.success(request, f"{person}'s new address is recorded.")
            return redirect("person-detail", person_id=person.pk)
    return render(
        request,
        "cases/address_add.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def member_add(request, family_id):
    """Add someone to the household, offering likely duplicates before a new record is made."""
    family = family_for(request.user, family_id, action=Action.EDIT)
    data = request.POST or None
    person_form = PersonForm(data, prefix="person")
    membership_form = MembershipForm(data, prefix="member")
    offers, choose = PersonOffers(shown=[]), None
    if request.method == "POST" and person_form.is_valid() and membership_form.is_valid():
        offers = person_offers(request.user, person_form.likely_duplicates(), family_id=family.pk)
        choose = ChooseMatchForm.after_check(data, matches=offers.shown)
        if not offers or choose.is_valid():
            chosen = choose.cleaned_data["match"] if offers else ChooseMatchForm.NEW

            @transaction.atomic
            def add():
                if chosen == ChooseMatchForm.NEW:
                    person = services.person_create(
                        person=person_form.save(commit=False), by=request.user, family=family
                    )
                else:
                    person = person_to_link(request.user, chosen)
                services.member_add(
                    family=family, person=person, by=request.user, **membership_form.cleaned_data
                )
                return person

            # The rules refuse only a new person's details: their problems go on its form.
            person = apply_service(person_form, add)
            if person:
                added = f"{person} is added to {family.name}."
                if selectors.hub_is_checking(person):
                    added += " The hub will check whether they are already known to the service."
                messages.success(request, added)
                return redirect("family-detail", family_id=family.pk)
    error_forms = [f for f in (choose, membership_form, person_form) if f is not None and f.errors]
    return render(
        request,
        "cases/member_add.html",
        {
            "family": family,
            "error_forms": error_forms,
            "person_form": person_form,
            "membership_form": membership_form,
            "offers": offers,
            "choose": choose,
        },
        status=400 if error_forms else 200,
    )


@login_required
def person_duplicates(request, person_id):
    """Hub staff: likely duplicates of a record they may merge, those they may see in full."""
    person = person_for(request.user, person_id, action=Action.MERGE)
    matches = likely_duplicates(
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        postcode=person.postcode,
        nhs_number=person.nhs_number,
        ni_number=person.ni_number,
        upn=person.upn,
        exclude_person_id=person.pk,
    )
    offers = person_offers(request.user, matches)
    return render(request, "cases/person_duplicates.html", {"person": person, "offers": offers})


@login_required
def person_merge_confirm(request, person_id, duplicate_id):
    """Merge one record into another: the gate must let the user merge both."""
    survivor = person_for(request.user, person_id, action=Action.MERGE)
    duplicate = person_for(request.user, duplicate_id, action=Action.MERGE)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        merge = apply_service(
            form,
            lambda: merging.person_merge(
                survivor=survivor,
                duplicate=duplicate,
                reason=form.cleaned_data["reason"],
                by=request.user,
            ),
        )
        if merge:
            if persons_visible_to(request.user).filter(pk=survivor.pk).exists():
                messages.success(
                    request, f"{duplicate} (record {duplicate.pk}) is merged into this."
                )
                return redirect("person-detail", person_id=survivor.pk)
            # A possible duplicate's check is decided by the merge, and the hub's sight with it.
            messages.success(
                request,
                f"{duplicate} (record {duplicate.pk}) is merged into {survivor} "
                f"(record {survivor.pk}). The check is closed.",
            )
            return redirect("possible-duplicate-list")
    return render(
        request,
        "cases/person_merge.html",
        {
            "person": survivor,
            "duplicate": duplicate,
            "form": form,
            "check": selectors.possible_duplicate_between(person=duplicate, known=survivor),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_unmerge(request, merge_id):
    """Undo a merge: like merging, it needs the right to merge both records."""
    merge = PersonMerge.objects.filter(pk=as_id(merge_id)).first()
    if merge is None:
        audit.record(
            request.user,
            action=Action.MERGE,
            outcome=AuditEntry.Outcome.NOT_FOUND,
            detail=f"merge {merge_id}",
        )
        raise Http404("No such record")
    person_for(request.user, merge.survivor_id, action=Action.MERGE)
    person_for(request.user, merge.duplicate_id, action=Action.MERGE)
    try:
        merging.person_unmerge(merge=merge, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Record {merge.duplicate_id} is separate again.")
    return redirect("person-detail", person_id=merge.duplicate_id)


@page_for(Action.MERGE)
def possible_duplicate_list(request):
    """The hub's list of people recorded as new although a likely match exists that whoever
    recorded them could not see: each to merge, or to record as not the same person."""
    page = _page(request, selectors.possible_duplicates_to_check(user=request.user))
    shown = [person for check in page.object_list for person in (check.person, check.known)]
    record_listing(request.user, persons=shown, action="possible_duplicates")
    count = page.paginator.count
    caption = f"{count} possible duplicate{pluralize(count)} to check, oldest first"
    return render(request, "cases/possible_duplicates.html", {"page": page, "caption": caption})


@login_required
@require_POST
def possible_duplicate_not_same(request, check_id):
    try:
        services.possible_duplicate_decide_different(check_id=check_id, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Recorded: they are not the same person. The check is closed.")
    return redirect("possible-duplicate-list")


@page_for(Action.BREAK_GLASS, Action.SEE_AUDIT)
def break_glass(request):
    """Administrators ask for time-limited access with a reason and see the grants they were
    given; managers, who read the audit of their teams' families, see every grant to those."""
    user = request.user
    form = None
    if role_may(user, Action.BREAK_GLASS):
        form = BreakGlassForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            family = Family.objects.filter(reference=form.cleaned_data["reference"]).first()
            if family is None:
                form.add_error("reference", "There is no family with this reference")
            elif apply_service(
                form,
                lambda: break_glass_grant(
                    user=user, family_id=family.pk, reason=form.cleaned_data["reason"]
                ),
            ):
                messages.success(request, "Break-glass access is granted and recorded.")
                return redirect("family-detail", family_id=family.pk)
        grants = BreakGlass.objects.filter(user=user)
    else:
        # Flagged to managers: the gate's answer for which families' audit they read.
        grants = BreakGlass.objects.filter(family__in=families_allowing(user, Action.SEE_AUDIT))
    page = _page(request, grants.select_related("user", "family").order_by("-granted_at"))
    record_listing(user, [grant.family for grant in page.object_list], action="break_glass_list")
    return render(
        request,
        "cases/break_glass.html",
        {"form": form, "page": page},
        status=400 if form is not None and form.errors else 200,
    )
