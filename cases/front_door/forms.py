"""Forms of the front door: the request's question pages, the triage decision, allocation.

Each question page of a request is one form; the answers wait in the
server-side session (`request_draft.Draft`) until the check-your-answers page
is sent, so a form here only validates and never saves.
"""

import re

from django import forms
from django.utils import timezone

from cases.front_door.selectors import source_choices
from cases.front_door.services import ConsentGiven, Referrer, can_step_down
from cases.models import Consent, DataKind, Priority, SupportRequest
from cases.people.forms import UK_POSTCODE, DateInput, MembershipForm
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Locality, Organisation

PHONE = re.compile(r"\+?[\d ()-]+")


def _textarea(rows=5):
    return forms.Textarea(attrs={"rows": rows})


class RequestKindForm(GovukMessagesMixin, forms.Form):
    kind = forms.ChoiceField(label="What kind of request is this?", widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        Kind = SupportRequest.Kind
        choices = [
            (Kind.MULTI_AGENCY, "A professional asking for support for a family"),
            (Kind.FAMILY, "A family asking for support themselves (request for service)"),
        ]
        if can_step_down(user):
            choices.append((Kind.STEP_DOWN, "A step-down from children's social care"))
        self.fields["kind"].choices = choices
        self.fields["kind"].error_messages["required"] = "Select what kind of request this is"
        self.fields["kind"].error_messages["invalid_choice"] = (
            "Select what kind of request this is from the list"
        )


class PhoneField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and (not PHONE.fullmatch(value) or len(re.sub(r"\D", "", value)) < 10):
            raise forms.ValidationError(
                "Enter a telephone number, like 01632 960 001 or 07700 900 982"
            )
        return value


class ProfessionalReferrerForm(GovukMessagesMixin, forms.Form):
    source_agency = forms.ModelChoiceField(
        label="Your agency", queryset=Organisation.objects.none(), empty_label="Select an agency"
    )
    referrer_name = forms.CharField(label="Your name", max_length=200)
    referrer_role = forms.CharField(label="Your job title", max_length=200)
    referrer_phone = PhoneField(label="Telephone number", max_length=40)
    referrer_email = forms.EmailField(label="Email address", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_agency"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["source_agency"].error_messages["required"] = "Select your agency"
        self.fields["referrer_role"].error_messages["required"] = "Enter your job title"
        self.fields["referrer_name"].error_messages["required"] = "Enter your name"


class FamilyReferrerForm(GovukMessagesMixin, forms.Form):
    referrer_name = forms.CharField(label="Name of the person asking for support", max_length=200)
    referrer_role = forms.CharField(
        label="Their relationship to the children",
        max_length=200,
        help_text="For example: mother, grandfather, or the young person themselves.",
    )
    referrer_phone = PhoneField(label="Telephone number", max_length=40)
    referrer_email = forms.EmailField(label="Email address (optional)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer_name"].error_messages["required"] = (
            "Enter the name of the person asking for support"
        )
        self.fields["referrer_role"].error_messages["required"] = (
            "Enter their relationship to the children"
        )


class ReasonForm(GovukMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why does the family need support?",
        widget=_textarea(8),
        max_length=5000,
        min_length=20,
        help_text="What is happening, what has been tried already, and what the family want "
        "to change. Give the concerns for each person on the next pages.",
        error_messages={
            "required": "Enter why the family needs support",
            "min_length": "Describe why the family needs support in at least 20 characters",
            "max_length": "Describe why the family needs support in 5,000 characters or fewer",
        },
    )


class RequestMemberForm(MembershipForm):
    """A person's place in the household, and the concerns for them (DOMAIN §4 step 1)."""

    concerns = forms.CharField(
        label="Concerns about this person (optional)",
        required=False,
        max_length=3000,
        widget=_textarea(4),
        error_messages={"max_length": "Describe the concerns in 3,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["joined_on"]  # they join the household when the request is sent


class AddAnotherForm(GovukMessagesMixin, forms.Form):
    """The GOV.UK "add another" question, which also checks the list is enough to send."""

    add_another = forms.ChoiceField(
        label="Do you need to add another person?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you need to add another person"},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)

    def clean_add_another(self):
        answer = self.cleaned_data["add_another"]
        if answer == "no" and not self.people:
            raise forms.ValidationError("Add at least one person the request is about")
        if answer == "no" and not any(p.get("concerns", "").strip() for p in self.people):
            raise forms.ValidationError(
                "Give the concerns for at least one person: select yes, or change a person"
            )
        return answer


class RequestAddressForm(GovukMessagesMixin, forms.Form):
    address_line = forms.CharField(
        label="Address",
        max_length=300,
        help_text="House number or name and street, and the town.",
        error_messages={"required": "Enter the family's address"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter the family's postcode"},
    )
    locality = forms.ModelChoiceField(
        label="Locality", queryset=Locality.objects.none(), empty_label="Select a locality"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(is_active=True)
        self.fields["locality"].error_messages["required"] = "Select the family's locality"

    def clean_postcode(self):
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        if not UK_POSTCODE.fullmatch(postcode):
            raise forms.ValidationError("Enter a real postcode, like LE11 3TU")
        return postcode


class ConsentForm(GovukMessagesMixin, forms.Form):
    """The family's consent to the request (DOMAIN §2): written, or verbal with a chase date."""

    kind = forms.ChoiceField(
        label="How did the family give consent?",
        choices=Consent.Kind.choices,
        widget=forms.RadioSelect,
        help_text="Without consent, do not send a request: if you think a child is at risk "
        "of harm, contact children's social care now.",
        error_messages={"required": "Select how the family gave consent"},
    )
    given_by = forms.CharField(
        label="Who gave consent",
        max_length=200,
        help_text="The parent or carer, or a young person who can consent for themselves.",
        error_messages={"required": "Enter who gave consent"},
    )
    given_on = forms.DateField(
        label="Date consent was given",
        widget=DateInput,
        error_messages={
            "required": "Enter the date consent was given",
            "invalid": "Date consent was given must be a real date",
        },
    )
    chase_on = forms.DateField(
        label="Date to chase the written consent form (for verbal consent)",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Date to chase the written consent form must be a real date"},
    )
    covers = forms.MultipleChoiceField(
        label="What they agreed may be shared",
        choices=DataKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what the family agreed may be shared"},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies they agreed may share information",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agencies the family agreed may share information"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Organisation.objects.filter(is_active=True)

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError("Date consent was given must be today or in the past")
        return given_on

    def clean(self):
        cleaned = super().clean()
        kind, given_on, chase_on = (cleaned.get(k) for k in ("kind", "given_on", "chase_on"))
        if kind == Consent.Kind.VERBAL and chase_on is None and "chase_on" not in self.errors:
            self.add_error("chase_on", "Enter the date to chase the written consent form")
        elif kind == Consent.Kind.VERBAL and given_on and chase_on and chase_on < given_on:
            self.add_error(
                "chase_on", "Date to chase the written consent form must be after consent was given"
            )
        elif kind == Consent.Kind.WRITTEN:
            cleaned["chase_on"] = None  # nothing to chase
        return cleaned


class TriageForm(GovukMessagesMixin, forms.Form):
    priority = forms.ChoiceField(
        label="Decision",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a decision"},
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=_textarea(5),
        max_length=5000,
        help_text="Why this decision: the family will be told, and managers review decisions.",
        error_messages={"required": "Enter the reasons for your decision"},
    )

    def clean_rationale(self):
        rationale = self.cleaned_data["rationale"].strip()
        if len(rationale) < 10:
            raise forms.ValidationError("Give the reasons for your decision in a sentence or two")
        return rationale


class AgencyForm(GovukMessagesMixin, forms.Form):
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Organisation.objects.none(),
        empty_label="Select an agency",
        help_text="The agency best placed to lead the work with this family.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["lead_agency"].error_messages["required"] = "Select the lead agency"


class AllocationForm(GovukMessagesMixin, forms.Form):
    lead_agency = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), widget=forms.HiddenInput
    )
    lead_practitioner = forms.ModelChoiceField(
        label="Lead practitioner", queryset=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["lead_practitioner"].queryset = candidates
        self.fields["lead_practitioner"].error_messages["required"] = "Select the lead practitioner"


class QueueFilterForm(GovukMessagesMixin, forms.Form):
    locality = forms.ModelChoiceField(
        label="Locality",
        queryset=Locality.objects.none(),
        required=False,
        empty_label="All localities",
    )
    status = forms.ChoiceField(label="Status", required=False)
    source = forms.ChoiceField(label="Source", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(is_active=True)
        self.fields["status"].choices = [
            ("", "Waiting for triage or allocation"),
            *SupportRequest.Status.choices,
        ]
        self.fields["source"].choices = [("", "All sources"), *source_choices()]


def submission(*, kind, referrer, reason, address, consent, people) -> dict:
    """The arguments of `support_request_submit` from the cleaned data of the request forms,
    which the request pages and the partner API both fill."""
    return {
        "kind": kind,
        "source_agency": referrer.get("source_agency"),
        "referrer": Referrer(
            name=referrer["referrer_name"],
            role=referrer["referrer_role"],
            phone=referrer["referrer_phone"],
            email=referrer["referrer_email"],
        ),
        "reason": reason,
        "people": people,
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
