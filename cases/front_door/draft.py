"""A request being written: its answers, page by page, in the server-side session.

Nothing reaches the database until the check-your-answers page is sent: each
question page keeps its raw answers here (never in the browser), and every
page that reads them validates them again with the same form, so a change on
one page (the kind of request, say) sends the user back to any answer it made
wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import formats

from cases.front_door.forms import (
    ConsentForm,
    FamilyReferrerForm,
    ProfessionalReferrerForm,
    ReasonForm,
    RequestAddressForm,
    RequestKindForm,
    RequestMemberForm,
)
from cases.front_door.services import ConsentGiven, Referrer, RequestedPerson
from cases.gate import person_to_link
from cases.models import SupportRequest
from cases.people.forms import ChooseMatchForm, PersonForm
from earlyhelp.date_input import PARTS, DateInputWidget

SESSION_KEY = "support_request_draft"

# The question pages in order, each with the URL name that asks it. "people"
# is the add-another loop: done when the user says they have added everyone.
STEPS = ["kind", "referrer", "reason", "people", "address", "consent"]
URL_NAMES = {
    "kind": "request-start",
    "referrer": "request-referrer",
    "reason": "request-reason",
    "people": "request-people",
    "address": "request-address",
    "consent": "request-consent",
    "check": "request-check",
}


def _readable_date(value) -> str:
    """A kept date as the pages say it ("2 March 2014"); what was typed, if not a real date."""
    typed = value if isinstance(value, dict) else {}
    parts = [str(typed.get(part) or "").strip() for part in PARTS]
    try:
        return formats.date_format(date(*(int(p) for p in reversed(parts))), "j F Y")
    except (TypeError, ValueError):
        return "/".join(p for p in parts if p)


class DraftIncomplete(Exception):
    def __init__(self, step):
        super().__init__(step)
        self.step = step


def raw_answers(form) -> dict:
    """What the user typed into a bound form, by field name, as the session can keep it."""
    answers = {}
    for field in form:
        if isinstance(field.field.widget, DateInputWidget):
            # The GOV.UK date input's three boxes, kept as typed.
            typed = {part: form.data.get(f"{field.html_name}_{part}") for part in PARTS}
            if any(value is not None for value in typed.values()):
                answers[field.name] = typed
            continue
        if field.html_name not in form.data:
            continue
        if getattr(field.field.widget, "allow_multiple_selected", False):
            many = getattr(form.data, "getlist", None)
            answers[field.name] = many(field.html_name) if many else form.data[field.html_name]
        else:
            answers[field.name] = form.data.get(field.html_name)
    return answers


def bound(form_class, answers: dict, *, prefix=None, **kwargs):
    """The form bound to kept answers, as if they had just been posted."""
    data = {}
    for key, value in answers.items():
        name = f"{prefix}-{key}" if prefix else key
        if isinstance(value, dict):  # a date input's boxes
            data.update({f"{name}_{part}": value.get(part) or "" for part in PARTS})
        else:
            data[name] = value
    return form_class(data, prefix=prefix, **kwargs)


@dataclass
class Draft:
    session: object
    user: object

    @classmethod
    def of(cls, request) -> Draft:
        return cls(request.session, request.user)

    @property
    def data(self) -> dict:
        return self.session.get(SESSION_KEY) or {}

    def _write(self, data: dict) -> None:
        self.session[SESSION_KEY] = data
        self.session.modified = True

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    @property
    def started(self) -> bool:
        return bool(self.data)

    @property
    def kind(self) -> str:
        return (self.data.get("kind") or {}).get("kind", "")

    # --- one form per question page -------------------------------------------------

    def form_class(self, step):
        if step == "referrer":
            if self.kind == SupportRequest.Kind.FAMILY:
                return FamilyReferrerForm
            return ProfessionalReferrerForm
        return {
            "kind": RequestKindForm,
            "reason": ReasonForm,
            "address": RequestAddressForm,
            "consent": ConsentForm,
        }[step]

    def form_kwargs(self, step) -> dict:
        return {"user": self.user} if step == "kind" else {}

    def answers(self, step) -> dict:
        return self.data.get(step) or {}

    def save(self, step, form) -> None:
        data = self.data
        data[step] = raw_answers(form)
        self._write(data)

    def valid_form(self, step):
        """The page's form bound to its kept answers, if they are there and still valid."""
        if step not in self.data:
            return None
        form = bound(self.form_class(step), self.answers(step), **self.form_kwargs(step))
        return form if form.is_valid() else None

    def initial(self, step) -> dict:
        if self.answers(step):
            return self.answers(step)
        if step == "referrer" and self.kind != SupportRequest.Kind.FAMILY:
            user = self.user
            return {
                "source_agency": user.organisation.pk if user.organisation else None,
                "referrer_name": user.get_full_name(),
                "referrer_role": user.job_title,
                "referrer_email": user.email,
            }
        return {}

    # --- the people the request is about --------------------------------------------

    @property
    def people(self) -> list[dict]:
        return list(self.data.get("people_list") or [])

    def person_save(self, index, *, member, person, match) -> None:
        data = self.data
        people = list(data.get("people_list") or [])
        entry = {"member": raw_answers(member), "person": raw_answers(person), "match": match}
        if index is None or index >= len(people):
            people.append(entry)
        else:
            people[index] = entry
        data["people_list"] = people
        data.pop("people", None)  # the list changed: ask "add another?" again
        self._write(data)

    def person_remove(self, index) -> None:
        data = self.data
        people = list(data.get("people_list") or [])
        if 0 <= index < len(people):
            del people[index]
        data["people_list"] = people
        data.pop("people", None)
        self._write(data)

    def people_done(self) -> None:
        data = self.data
        data["people"] = {"done": True}
        self._write(data)

    def person_summaries(self) -> list[dict]:
        """Each person as the pages show them: the name and details typed, and the choice made."""
        summaries = []
        for index, entry in enumerate(self.people):
            person = entry.get("person", {})
            member = entry.get("member", {})
            summaries.append(
                {
                    "index": index,
                    "name": " ".join(
                        p for p in (person.get("first_name"), person.get("last_name")) if p
                    ),
                    "date_of_birth": _readable_date(person.get("date_of_birth")),
                    "role": member.get("role", ""),
                    "relationship": member.get("relationship", ""),
                    "concerns": member.get("concerns", ""),
                    "existing": entry.get("match") not in (None, "", ChooseMatchForm.NEW),
                    "valid": self._person_forms(entry) is not None,
                }
            )
        return summaries

    def people_answers(self) -> list[dict]:
        return [entry.get("member", {}) for entry in self.people]

    def _person_forms(self, entry):
        member = bound(RequestMemberForm, entry.get("member", {}), prefix="member")
        person = bound(PersonForm, entry.get("person", {}), prefix="person")
        if not (member.is_valid() and person.is_valid()):
            return None
        return member, person

    def chosen_ids(self, *, except_index=None) -> set[str]:
        return {
            str(entry.get("match"))
            for i, entry in enumerate(self.people)
            if i != except_index and entry.get("match") not in (None, "", ChooseMatchForm.NEW)
        }

    # --- where the user should be ----------------------------------------------------

    def complete(self, step) -> bool:
        if step == "people":
            return bool((self.data.get("people") or {}).get("done")) and bool(self.people)
        return self.valid_form(step) is not None

    def first_incomplete(self, *, before=None) -> str | None:
        for step in STEPS:
            if step == before:
                return None
            if not self.complete(step):
                return step
        return None

    def url_for(self, step) -> str:
        """The page that asks `step`: with nobody added yet, "people" means adding one."""
        if step == "people" and not self.people:
            return reverse("request-person-add")
        return reverse(URL_NAMES[step])

    def next_url(self) -> str:
        return self.url_for(self.first_incomplete() or "check")

    # --- what the service needs --------------------------------------------------------

    def submission(self) -> dict:
        """The arguments of `support_request_submit`, from answers validated once more."""
        step = self.first_incomplete()
        if step is not None:
            raise DraftIncomplete(step)
        forms = {step: self.valid_form(step) for step in STEPS if step != "people"}
        referrer = forms["referrer"].cleaned_data
        address = forms["address"].cleaned_data
        consent = forms["consent"].cleaned_data
        return {
            "kind": forms["kind"].cleaned_data["kind"],
            "source_agency": referrer.get("source_agency"),
            "referrer": Referrer(
                name=referrer["referrer_name"],
                role=referrer["referrer_role"],
                phone=referrer["referrer_phone"],
                email=referrer["referrer_email"],
            ),
            "reason": forms["reason"].cleaned_data["reason"],
            "people": self._requested_people(),
            "address_line": address["address_line"],
            "postcode": address["postcode"],
            "locality": address["locality"],
            "consent": ConsentGiven(
                kind=consent["kind"],
                given_by=consent["given_by"],
                given_on=consent["given_on"],
                chase_on=consent["chase_on"],
                covers=consent["covers"],
                agencies=list(consent["agencies"]),
            ),
        }

    def _requested_people(self) -> list[RequestedPerson]:
        people = []
        for index, entry in enumerate(self.people):
            forms = self._person_forms(entry)
            if forms is None:
                raise DraftIncomplete("people")
            member, person = forms
            match = entry.get("match")
            existing = None
            if match not in (None, "", ChooseMatchForm.NEW):
                try:
                    existing = person_to_link(self.user, match)
                except Http404:
                    # Gone, merged, or no longer one the sender may see: the same words.
                    raise ValidationError(
                        {
                            f"people[{index}].person_id": f"The record chosen for "
                            f"{person.cleaned_data['first_name']} is no longer there, or was "
                            "merged: change that person"
                        }
                    ) from None
            people.append(
                RequestedPerson(
                    details=person.cleaned_data,
                    role=member.cleaned_data["role"],
                    relationship=member.cleaned_data["relationship"],
                    concerns=member.cleaned_data["concerns"],
                    existing=existing,
                )
            )
        return people
