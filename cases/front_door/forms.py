"""Forms of the front door: the request's question pages, the triage decision, allocation.

Each question page of a request is one form; the answers wait in the
server-side session (`draft.Draft`) until the check-your-answers page
is sent, so a form here only validates and never saves. A question page's form
checks the shape of its answers (given, a real date, one of the list) and asks
the request's rules (`rules`) for early feedback on its page; the rules are
`support_request_submit`'s, which checks them all again when the request is sent.
Every message comes from `rules`.
"""

from django import forms

from cases.front_door import rules
from cases.front_door.open_episode import REASON_MAX
from cases.front_door.selectors import WHAT_CHOICES, source_choices
from cases.models import Consent, DataKind, OpenEpisodeResolution, Priority, SupportRequest
from cases.people.forms import MembershipForm
from cases.people.rules import postcode_normalised
from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Locality, Organisation


def _textarea(rows=5):
    return forms.Textarea(attrs={"rows": rows})


def _text(label, field, **kwargs):
    """A text answer whose longest length, and the words for longer, are the rules'."""
    most, too_long = rules.LIMITS[field]
    messages = {"max_length": too_long, **kwargs.pop("error_messages", {})}
    return forms.CharField(label=label, max_length=most, error_messages=messages, **kwargs)


class RequestKindForm(GovukMessagesMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of request is this?",
        widget=forms.RadioSelect,
        error_messages={"required": rules.KIND_MISSING, "invalid_choice": rules.KIND_UNKNOWN},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        Kind = SupportRequest.Kind
        offered = [
            (Kind.MULTI_AGENCY, "A professional asking for support for a family"),
            (Kind.FAMILY, "A family asking for support themselves (request for service)"),
        ]
        step_down = (Kind.STEP_DOWN, "A step-down from children's social care")
        # Every kind is an answer the form can read; who may ask for a step-down is a rule.
        self.fields["kind"].choices = [*offered, step_down]
        if not rules.can_step_down(user):
            self.fields["kind"].widget.choices = offered

    def clean(self):
        cleaned = super().clean()
        self.add_problems(rules.kind_problems(cleaned.get("kind"), by=self.user))
        return cleaned


class ReferrerForm(GovukMessagesMixin, forms.Form):
    """Who is asking: the rules of each kind of request say what must be given."""

    kind = SupportRequest.Kind.MULTI_AGENCY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in rules.referrer_missing(self.kind).items():
            self.fields[name].error_messages["required"] = message

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            rules.referrer_problems(
                kind=self.kind,
                source_agency=cleaned.get("source_agency"),
                name=cleaned.get("referrer_name"),
                role=cleaned.get("referrer_role"),
                phone=cleaned.get("referrer_phone"),
                email=cleaned.get("referrer_email"),
            )
        )
        return cleaned


class ProfessionalReferrerForm(ReferrerForm):
    source_agency = forms.ModelChoiceField(
        label="Your agency",
        queryset=Organisation.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": rules.AGENCY_MISSING, "invalid_choice": rules.AGENCY_UNKNOWN},
    )
    referrer_name = _text("Your name", "referrer_name")
    referrer_role = _text("Your job title", "referrer_role")
    referrer_phone = _text("Telephone number", "referrer_phone")
    referrer_email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=rules.LIMITS["referrer_email"][0],
        error_messages={
            "invalid": rules.EMAIL_INVALID,
            "max_length": rules.LIMITS["referrer_email"][1],
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_agency"].queryset = Organisation.objects.filter(is_active=True)


class FamilyReferrerForm(ReferrerForm):
    kind = SupportRequest.Kind.FAMILY

    referrer_name = _text("Name of the person asking for support", "referrer_name")
    referrer_role = _text(
        "Their relationship to the children",
        "referrer_role",
        help_text="For example: mother, grandfather, or the young person themselves.",
    )
    referrer_phone = _text("Telephone number", "referrer_phone")
    referrer_email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=rules.LIMITS["referrer_email"][0],
        error_messages={
            "invalid": rules.EMAIL_INVALID,
            "max_length": rules.LIMITS["referrer_email"][1],
        },
    )


class ReasonForm(GovukMessagesMixin, forms.Form):
    reason = _text(
        "Why does the family need support?",
        "reason",
        widget=_textarea(8),
        help_text="What is happening, what has been tried already, and what the family want "
        "to change. Give the concerns for each person on the next pages.",
        error_messages={"required": rules.REASON_MISSING},
    )

    def clean(self):
        cleaned = super().clean()
        self.add_problems(rules.reason_problems(cleaned.get("reason")))
        return cleaned


class RequestMemberForm(MembershipForm):
    """A person's place in the household, and the concerns for them (DOMAIN §4 step 1)."""

    concerns = _text(
        "Concerns about this person (optional)", "concerns", required=False, widget=_textarea(4)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["joined_on"]  # they join the household when the request is sent
        self.fields["role"].error_messages.update(
            required=rules.ROLE_MISSING, invalid_choice=rules.ROLE_UNKNOWN
        )

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            rules.member_problems(
                role=cleaned.get("role"),
                relationship=cleaned.get("relationship"),
                concerns=cleaned.get("concerns"),
            )
        )
        return cleaned


class AddAnotherForm(GovukMessagesMixin, forms.Form):
    """The GOV.UK "add another" question; "no" asks the rules whether the list is enough."""

    add_another = forms.ChoiceField(
        label="Do you need to add another person?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you need to add another person"},
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("add_another") == "no":
            concerns = [p.get("concerns", "") for p in self.people]
            problems = rules.people_problems(concerns)
            self.add_problems({"add_another": problems["people"]} if problems else {})
        return cleaned


class RequestAddressForm(GovukMessagesMixin, forms.Form):
    address_line = _text(
        "Address",
        "address_line",
        help_text="House number or name and street, and the town.",
        error_messages={"required": rules.ADDRESS_MISSING},
    )
    postcode = forms.CharField(
        label="Postcode", error_messages={"required": rules.POSTCODE_MISSING}
    )
    locality = forms.ModelChoiceField(
        label="Locality",
        queryset=Locality.objects.none(),
        empty_label="Select a locality",
        error_messages={
            "required": rules.LOCALITY_MISSING,
            "invalid_choice": rules.LOCALITY_UNKNOWN,
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(is_active=True)

    def clean_postcode(self):
        return postcode_normalised(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            rules.address_problems(
                address_line=cleaned.get("address_line"),
                postcode=cleaned.get("postcode"),
                locality=cleaned.get("locality"),
            )
        )
        return cleaned


class ConsentGivenForm(GovukMessagesMixin, forms.Form):
    """When a consent was given, what it covers and for which agencies: the answers a request's
    consent and a consent recorded later on the family page share."""

    given_on = DateInputField(
        name="Date consent was given",
        label="Date consent was given",
        error_messages={"required": rules.GIVEN_ON_MISSING},
    )
    chase_on = DateInputField(
        name="Date to chase the written consent form",
        label="Date to chase the written consent form (for verbal consent)",
        required=False,
    )
    covers = forms.MultipleChoiceField(
        label="What they agreed may be shared",
        choices=DataKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": rules.COVERS_MISSING, "invalid_choice": rules.COVERS_UNKNOWN},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies they agreed may share information",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": rules.AGENCIES_MISSING,
            "invalid_choice": rules.AGENCIES_UNKNOWN,
        },
    )


class ConsentForm(ConsentGivenForm):
    """The family's consent to the request (DOMAIN §2): written, or verbal with a chase date."""

    field_order = ["kind", "given_by", *ConsentGivenForm.base_fields]

    kind = forms.ChoiceField(
        label="How did the family give consent?",
        choices=Consent.Kind.choices,
        widget=forms.RadioSelect,
        help_text="Without consent, do not send a request: if you think a child is at risk "
        "of harm, contact children's social care now.",
        error_messages={
            "required": rules.CONSENT_KIND_MISSING,
            "invalid_choice": rules.CONSENT_KIND_UNKNOWN,
        },
    )
    given_by = _text(
        "Who gave consent",
        "given_by",
        help_text="The parent or carer, or a young person who can consent for themselves.",
        error_messages={"required": rules.GIVEN_BY_MISSING},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Organisation.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            rules.consent_problems(
                kind=cleaned.get("kind"),
                given_by=cleaned.get("given_by"),
                given_on=cleaned.get("given_on"),
                chase_on=cleaned.get("chase_on"),
                covers=cleaned.get("covers"),
                agencies=cleaned.get("agencies"),
            )
        )
        if cleaned.get("kind") == Consent.Kind.WRITTEN:
            cleaned["chase_on"] = None  # nothing to chase
        return cleaned


class TriageForm(GovukMessagesMixin, forms.Form):
    """The hub's decision: its shape here, its rules `support_request_triage`'s (`rules`)."""

    priority = forms.ChoiceField(
        label="Decision",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": rules.PRIORITY_MISSING,
            "invalid_choice": rules.PRIORITY_UNKNOWN,
        },
    )
    rationale = _text(
        "Rationale",
        "rationale",
        widget=_textarea(5),
        help_text="Why this decision: the family will be told, and managers review decisions.",
        error_messages={"required": rules.RATIONALE_MISSING},
    )

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            rules.triage_problems(
                priority=cleaned.get("priority"), rationale=cleaned.get("rationale")
            )
        )
        return cleaned


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


# The hub's answer "the agency's team manager names the lead practitioner".
BY_THE_AGENCY = "agency"


class AllocationForm(GovukMessagesMixin, forms.Form):
    """The hub's allocation to an agency: it names a lead only from those already engaged
    with the family (`candidates`); otherwise the agency's team manager names them."""

    lead_agency = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), widget=forms.HiddenInput
    )
    lead_practitioner = forms.ChoiceField(
        label="Who will lead the work?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who will lead the work, or that the agency's team manager "
            "names them",
            "invalid_choice": "Select who will lead the work from the list",
        },
    )

    def __init__(self, *args, candidates, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = Organisation.objects.filter(is_active=True)
        self.candidates = {str(c.pk): c for c in candidates}
        if not candidates:
            del self.fields["lead_practitioner"]
            return
        self.fields["lead_practitioner"].choices = [
            *((pk, str(c)) for pk, c in self.candidates.items()),
            (BY_THE_AGENCY, f"{agency}'s team manager names the lead practitioner"),
        ]

    def clean_lead_practitioner(self):
        return self.candidates.get(self.cleaned_data["lead_practitioner"])


class QueueFilterForm(GovukMessagesMixin, forms.Form):
    locality = forms.ModelChoiceField(
        label="Locality",
        queryset=Locality.objects.none(),
        required=False,
        empty_label="All localities",
    )
    what = forms.ChoiceField(
        label="What it is", required=False, choices=[("", "Everything"), *WHAT_CHOICES]
    )
    status = forms.ChoiceField(label="Status", required=False)
    source = forms.ChoiceField(label="Source", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(is_active=True)
        self.fields["status"].choices = [
            ("", "Everything waiting for the hub"),
            *SupportRequest.Status.choices,
        ]
        self.fields["source"].choices = [("", "All sources"), *source_choices()]


class ResolveOpenForm(GovukMessagesMixin, forms.Form):
    """The hub's way forward for a request whose family already has an open episode."""

    outcome = forms.ChoiceField(
        label="What happens to this request?",
        widget=forms.RadioSelect,
        choices=OpenEpisodeResolution.Outcome.choices,
        error_messages={
            "required": "Select what happens to the request",
            "invalid_choice": "Select what happens to the request",
        },
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX,
        widget=_textarea(4),
        help_text="Needed to close the request. The lead practitioner sees it if you add the "
        "request or pass it on.",
        error_messages={"max_length": f"The reason must be {REASON_MAX} characters or fewer"},
    )
