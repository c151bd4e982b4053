"""Making a request for support, one question per page, and "Your requests" (DOMAIN §4 step 1).

Anyone signed in may make a request. The answers wait in the server-side
session (`request_draft.Draft`) until the check-your-answers page is sent;
only then does `support_request_submit` write anything.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.views.decorators.http import require_POST

from cases.front_door import rules
from cases.front_door.draft import STEPS, URL_NAMES, Draft, DraftIncomplete
from cases.front_door.forms import AddAnotherForm, RequestKindForm, RequestMemberForm
from cases.front_door.selectors import open_episodes_of_people, requests_submitted_by
from cases.front_door.services import support_request_submit
from cases.gate import PersonOffers, person_offers
from cases.models import Consent, DataKind, FamilyMember, SupportRequest
from cases.people.forms import ChooseMatchForm, PersonForm
from earlyhelp.access import record_listing

PAGE_SIZE = 25

STEP_TITLES = {
    "referrer": "About you",
    "reason": "Why does the family need support?",
    "address": "Where does the family live?",
    "consent": "The family's consent",
}


def _posted(request):
    """The posted answers, even when empty (an empty POST is still an answer to check)."""
    return request.POST if request.method == "POST" else None


@login_required
def request_start(request):
    draft = Draft.of(request)
    if request.method == "POST" and "discard" in request.POST:
        draft.clear()
        messages.success(request, "The request you had not sent is discarded.")
        return redirect("request-start")
    form = RequestKindForm(_posted(request), user=request.user, initial=draft.answers("kind"))
    if request.method == "POST" and form.is_valid():
        draft.save("kind", form)
        return redirect(draft.next_url())
    return render(
        request,
        "requests/start.html",
        {"form": form, "in_progress": draft.started, "continue_url": draft.next_url()},
        status=400 if form.errors else 200,
    )


@login_required
def request_step(request, step):
    """One question page: who is asking, why, where the family lives, their consent."""
    draft = Draft.of(request)
    missing = draft.first_incomplete(before=step)
    if missing:
        return redirect(draft.url_for(missing))
    form_class = draft.form_class(step)
    if request.method == "POST":
        form = form_class(request.POST, **draft.form_kwargs(step))
        if form.is_valid():
            draft.save(step, form)
            return redirect(draft.next_url())
    else:
        form = form_class(initial=draft.initial(step), **draft.form_kwargs(step))
    title = STEP_TITLES[step]
    if step == "referrer" and draft.kind == SupportRequest.Kind.FAMILY:
        title = "Who is asking for support"
    return render(
        request,
        f"requests/{step}.html",
        {"form": form, "title": title, "back": _back(step)},
        status=400 if form.errors else 200,
    )


def _back(step):
    before = STEPS[STEPS.index(step) - 1]
    return reverse(URL_NAMES[before])


@login_required
def request_person(request, index=None):
    """Add or change a person: their details are checked for records we already hold."""
    draft = Draft.of(request)
    missing = draft.first_incomplete(before="people")
    if missing:
        return redirect(draft.url_for(missing))
    entry = {}
    if index is not None:
        if index >= len(draft.people):
            return redirect("request-people")
        entry = draft.people[index]
    data = _posted(request)
    member_form = RequestMemberForm(data, prefix="member", initial=entry.get("member"))
    person_form = PersonForm(data, prefix="person", initial=entry.get("person"))
    offers, choose = PersonOffers(shown=[]), None
    if request.method == "POST" and member_form.is_valid() and person_form.is_valid():
        offers = person_offers(request.user, person_form.likely_duplicates())
        choose = ChooseMatchForm.after_check(data, matches=offers.shown)
        if not offers or choose.is_valid():
            chosen = choose.cleaned_data["match"] if offers else ChooseMatchForm.NEW
            if chosen in draft.chosen_ids(except_index=index):
                choose.add_error("match", rules.PERSON_TWICE)
            else:
                draft.person_save(index, member=member_form, person=person_form, match=chosen)
                return redirect("request-people")
    error_forms = [f for f in (choose, member_form, person_form) if f is not None and f.errors]
    return render(
        request,
        "requests/person.html",
        {
            "error_forms": error_forms,
            "member_form": member_form,
            "person_form": person_form,
            "offers": offers,
            "choose": choose,
            "changing": index is not None,
            "back": reverse("request-people") if draft.people else reverse("request-reason"),
        },
        status=400 if error_forms else 200,
    )


@login_required
def request_people(request):
    """The people added so far, and "Do you need to add another person?"."""
    draft = Draft.of(request)
    missing = draft.first_incomplete(before="people")
    if missing:
        return redirect(draft.url_for(missing))
    if not draft.people:
        return redirect("request-person-add")
    people = _people_with_roles(draft)
    form = AddAnotherForm(_posted(request), people=draft.people_answers())
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["add_another"] == "yes":
            return redirect("request-person-add")
        incomplete = [p["name"] or "a person" for p in people if not p["valid"]]
        if incomplete:
            form.add_error(
                "add_another", f"Change the details of {incomplete[0]}: some are missing"
            )
        else:
            draft.people_done()
            return redirect(draft.next_url())
    return render(
        request,
        "requests/people.html",
        {"form": form, "people": people},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def request_person_remove(request, index):
    draft = Draft.of(request)
    people = draft.person_summaries()
    if 0 <= index < len(people):
        draft.person_remove(index)
        messages.success(request, f"{people[index]['name']} is removed from the request.")
    return redirect("request-people")


@login_required
def request_check(request):
    """Check your answers, then send: the only page that creates anything."""
    draft = Draft.of(request)
    missing = draft.first_incomplete()
    if missing:
        return redirect(draft.url_for(missing))
    problems = []
    if request.method == "POST":
        try:
            support_request = support_request_submit(by=request.user, **draft.submission())
        except DraftIncomplete as incomplete:
            return redirect(draft.url_for(incomplete.step))
        except ValidationError as error:
            problems = _problems(error)
        else:
            draft.clear()
            messages.success(
                request,
                f"Request {support_request.reference} is sent. The hub triages requests "
                "within one working day; its status shows here."
                + _already_supported(request.user, support_request),
            )
            return redirect("request-list")
    open_families = _open_families(request.user, draft)
    return render(
        request,
        "requests/check.html",
        {
            "sections": _check_sections(draft),
            "people": _people_with_roles(draft),
            "problems": problems,
            "open_families": open_families,
        },
        status=400 if problems else 200,
    )


def _open_families(user, draft) -> list[dict]:
    """The open episodes of the households of the people the sender linked: named to a sender
    who may see the family, "already being supported" to anyone else (issue 18)."""
    linked = [
        int(entry["match"]) for entry in draft.people if str(entry.get("match", "")).isdigit()
    ]
    found = open_episodes_of_people(user, linked) if linked else []
    named = [o["family"] for o in found if o["visible"]]
    if named:  # the lead of a family is news about it: audited like any list naming it
        record_listing(user, named, action="request_check")
    return found


def _already_supported(user, support_request) -> str:
    """After sending: the same news for the request's own family, as far as the gate allows."""
    found = open_episodes_of_people(user, [m.person_id for m in support_request.members.all()])
    found = [o for o in found if o["family"].pk == support_request.family_id]
    if not found:
        return ""
    if found[0]["visible"]:
        record_listing(user, [found[0]["family"]], action="request_sent")
        lead = found[0]["episode"].lead_practitioner
        led = f", led by {lead}" if lead else ""
        return (
            f" The family already has an open episode{led}: the hub will add your request to "
            "it or pass it to the lead practitioner."
        )
    return " The family is already being supported: the hub will pass your request on."


# Where each answer the request's rules name is asked (the people's are by index).
ASKED_ON = {
    "kind": "kind",
    "source_agency": "referrer",
    "referrer_name": "referrer",
    "referrer_role": "referrer",
    "referrer_phone": "referrer",
    "referrer_email": "referrer",
    "reason": "reason",
    "people": "people",
    "address_line": "address",
    "postcode": "address",
    "locality": "address",
}


def _problems(error: ValidationError) -> list[dict]:
    """The service's problems, each linking to the page that asks for the answer it names."""
    if not hasattr(error, "error_dict"):
        return [{"text": message, "href": "#people"} for message in error.messages]
    return [
        {"text": message, "href": _asked_on(field)}
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def _asked_on(field: str) -> str:
    if field.startswith("people["):
        return reverse("request-person-change", args=[int(field[7 : field.index("]")])])
    if field.startswith("consent."):
        return reverse(URL_NAMES["consent"])
    step = ASKED_ON.get(field)
    return reverse(URL_NAMES[step]) if step else "#people"


def _label(form, name):
    value = form.cleaned_data[name]
    return dict(form.fields[name].choices).get(value, value)


def _check_sections(draft) -> list[dict]:
    kind = draft.valid_form("kind")
    referrer = draft.valid_form("referrer").cleaned_data
    reason = draft.valid_form("reason").cleaned_data
    address = draft.valid_form("address").cleaned_data
    consent = draft.valid_form("consent").cleaned_data
    url = {step: reverse(name) for step, name in URL_NAMES.items()}
    asking = [
        ("Kind of request", _label(kind, "kind"), url["kind"]),
        ("Agency", referrer.get("source_agency"), url["referrer"]),
        ("Name", referrer["referrer_name"], url["referrer"]),
        (
            "Job title" if referrer.get("source_agency") else "Relationship to the children",
            referrer["referrer_role"],
            url["referrer"],
        ),
        ("Telephone", referrer["referrer_phone"], url["referrer"]),
        ("Email", referrer["referrer_email"] or "Not given", url["referrer"]),
        ("Why the family needs support", reason["reason"], url["reason"]),
    ]
    family = [
        ("Address", f"{address['address_line']}, {address['postcode']}", url["address"]),
        ("Locality", address["locality"], url["address"]),
    ]
    kinds = dict(DataKind.choices)
    consent_rows = [
        ("Consent", dict(Consent.Kind.choices)[consent["kind"]], url["consent"]),
        ("Given by", consent["given_by"], url["consent"]),
        ("Given on", _day(consent["given_on"]), url["consent"]),
    ]
    if consent["chase_on"]:
        consent_rows.append(("Chase written consent by", _day(consent["chase_on"]), url["consent"]))
    consent_rows += [
        ("May be shared", "; ".join(kinds[k] for k in consent["covers"]), url["consent"]),
        ("Agencies", "; ".join(str(a) for a in consent["agencies"]), url["consent"]),
    ]
    return [
        {"title": "The request", "rows": _rows(asking)},
        {"title": "The family", "rows": _rows(family)},
        {"title": "Consent", "rows": _rows(consent_rows)},
    ]


def _day(day) -> str:
    return formats.date_format(day, "j F Y")


def _rows(items):
    return [{"key": key, "value": value, "href": href} for key, value, href in items if value]


def _people_with_roles(draft) -> list[dict]:
    roles = dict(FamilyMember.Role.choices)
    people = draft.person_summaries()
    for person in people:
        person["role_label"] = roles.get(person["role"], "")
    return people


@login_required
def request_list(request):
    """'Your requests': the status of each request the user sent, never more of the family."""
    page = Paginator(requests_submitted_by(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Where each family's request stands is news about the family: the page is audited.
    record_listing(request.user, [r.family for r in page.object_list], action="your_requests")
    return render(request, "requests/yours.html", {"page": page, "draft": Draft.of(request)})
