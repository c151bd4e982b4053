"""Forms for persons and household members, with GOV.UK error messages."""

from django import forms
from django.db.models import Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from cases.gate import BREAK_GLASS_REASON_MIN, BREAK_GLASS_REASON_TOO_SHORT
from cases.models import Address, FamilyMember, Person
from cases.people import rules
from cases.people.identifiers import normalise_identifier
from cases.people.matching import likely_duplicates
from cases.people.merging import MERGE_REASON_MIN, MERGE_REASON_TOO_SHORT
from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Locality


class PersonForm(GovukMessagesMixin, forms.ModelForm):
    """A person's details: their shape here, their rules asked of `rules.person_problems`
    (which `person_create` and `person_update` ask again, and `support_request_submit` for each
    new person of a request)."""

    class Meta:
        model = Person
        fields = [
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "expected_date_of_birth",
            "sex",
            "gender_identity",
            "ethnicity",
            "first_language",
            "interpreter_needed",
            "disability",
            "send",
            "young_carer",
            "social_care_status",
            "school",
            "nhs_number",
            "ni_number",
            "upn",
            "postcode",
        ]
        labels = {
            "first_name": "First name",
            "middle_names": "Middle names",
            "last_name": "Last name",
            "date_of_birth": "Date of birth",
            "expected_date_of_birth": "Expected date of birth (unborn child)",
            "sex": "Sex",
            "gender_identity": "Gender identity, if different",
            "ethnicity": "Ethnicity",
            "first_language": "First language",
            "interpreter_needed": "Needs an interpreter",
            "disability": "Disability",
            "send": "Special educational needs and disability (SEND)",
            "young_carer": "Young carer",
            "social_care_status": "Known to children's social care as",
            "school": "School or setting",
            "postcode": "Postcode",
        }
        widgets = {"sex": forms.RadioSelect}
        field_classes = {"date_of_birth": DateInputField, "expected_date_of_birth": DateInputField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People type identifiers with spaces ("485 777 3457"): the length that
        # matters is checked after normalising, by the identifier's own validator.
        for name in ("nhs_number", "ni_number", "upn"):
            field = self.fields[name]
            field.max_length = None
            field.validators = []
            field.widget.attrs.pop("maxlength", None)
        self.fields["first_name"].error_messages["required"] = rules.FIRST_NAME_MISSING
        self.fields["last_name"].error_messages["required"] = rules.LAST_NAME_MISSING
        self.fields["social_care_status"].error_messages["invalid_choice"] = (
            "Select a social care status from the list: none known, child in need, child "
            "protection plan or looked after"
        )

    def _clean_identifier(self, name):
        return normalise_identifier(self.cleaned_data.get(name, ""))

    def clean_nhs_number(self):
        return self._clean_identifier("nhs_number")

    def clean_ni_number(self):
        return self._clean_identifier("ni_number")

    def clean_upn(self):
        return self._clean_identifier("upn")

    def clean_postcode(self):
        return rules.postcode_normalised(self.cleaned_data.get("postcode"))

    def likely_duplicates(self, **options):
        """Existing records these (valid) details may describe, best first (DOMAIN §3)."""
        details = self.cleaned_data
        return likely_duplicates(
            first_name=details["first_name"],
            last_name=details["last_name"],
            date_of_birth=details["date_of_birth"],
            postcode=details["postcode"],
            nhs_number=details["nhs_number"],
            ni_number=details["ni_number"],
            upn=details["upn"],
            **options,
        )

    def clean(self):
        cleaned = super().clean()
        self.add_problems(rules.person_problems(cleaned))
        return cleaned


class MembershipForm(GovukMessagesMixin, forms.Form):
    role = forms.ChoiceField(
        label="Role in the household", choices=FamilyMember.Role.choices, widget=forms.RadioSelect
    )
    relationship = forms.CharField(
        label="Relationship", required=False, help_text="For example: son, mother, partner."
    )
    joined_on = DateInputField(
        name="Date they joined the household",
        label="Date they joined the household",
        required=False,
    )


class ChooseMatchForm(forms.Form):
    """After the duplicate check: use one of the records offered, or create a new one.

    Only records the user may see are offered (`cases.gate.person_offers`); any other id is
    refused with the words for a record that was never offered.
    """

    NEW = "new"
    match = forms.ChoiceField(
        label="Is this one of these people?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a record, or that none of these is the person",
            # The same words for a record never offered, hidden or not there at all.
            "invalid_choice": "Select one of the records offered, or that none of these is "
            "the person",
        },
    )

    # The page showing the matches carries this, so that "Continue" with no choice made
    # is an error rather than the same matches offered again.
    OFFERED = "matches_offered"

    @classmethod
    def after_check(cls, data, *, matches):
        """Bound to the answer once the matches were shown; unbound the first time."""
        shown = data is not None and ("match" in data or cls.OFFERED in data)
        return cls(data if shown else None, matches=matches)

    def __init__(self, *args, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].choices = [
            *((str(m.person.pk), str(m.person)) for m in matches),
            (self.NEW, "None of these: create a new record"),
        ]


class MergeForm(GovukMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=MERGE_REASON_MIN,
        error_messages={
            "required": "Enter the reason these are the same person",
            "min_length": MERGE_REASON_TOO_SHORT,
        },
    )


class BreakGlassForm(GovukMessagesMixin, forms.Form):
    reference = forms.CharField(label="Family reference", help_text="For example, F0000123.")
    reason = forms.CharField(
        label="Why do you need to see this family?",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=BREAK_GLASS_REASON_MIN,
        help_text="Your reason is recorded and shown to the family's managers.",
        error_messages={
            "required": "Enter the reason you need to see this family",
            "min_length": BREAK_GLASS_REASON_TOO_SHORT,
        },
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class AddressForm(GovukMessagesMixin, forms.ModelForm):
    class Meta:
        model = Address
        fields = ["line_1", "line_2", "town", "postcode", "locality", "moved_in"]
        labels = {
            "line_1": "Address line 1",
            "line_2": "Address line 2 (optional)",
            "town": "Town or city",
            "postcode": "Postcode",
            "locality": "Locality",
            "moved_in": "Date they moved in",
        }
        field_classes = {"moved_in": DateInputField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(is_active=True)
        self.fields["locality"].empty_label = "Select a locality"
        self.fields["moved_in"].required = True
        self.fields["moved_in"].error_messages["required"] = rules.MOVED_IN_MISSING

    def clean_postcode(self):
        return rules.postcode_normalised(self.cleaned_data["postcode"])

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            rules.new_address_problems(
                postcode=cleaned.get("postcode"), moved_in=cleaned.get("moved_in")
            )
        )
        return cleaned


class PersonSearchForm(GovukMessagesMixin, forms.Form):
    """The one box of "Find a person": names, a date of birth, a postcode or an identifier."""

    q = forms.CharField(label="Search", max_length=100, required=False)

    def clean_q(self):
        from cases.people.search import read_query

        query = " ".join(self.cleaned_data["q"].split())
        if read_query(query).bad_date:
            raise forms.ValidationError("Date of birth must be a real date, like 27/3/2015")
        return query


class FamilyFilterForm(GovukMessagesMixin, forms.Form):
    """The families list's filters, read from the address (GET) so a filtered list can be
    shared: lead practitioner, team, locality and status."""

    STATUSES = [
        ("", "Any status"),
        ("open", "Open episode"),
        ("unallocated", "Open episode, no lead practitioner yet"),
        ("closed", "Closed, no open episode"),
        ("none", "No episode yet"),
    ]

    q = forms.CharField(label="Family name or reference", max_length=100, required=False)
    lead = forms.TypedChoiceField(label="Lead practitioner", coerce=int, required=False)
    team = forms.TypedChoiceField(label="Lead practitioner's team", coerce=int, required=False)
    locality = forms.TypedChoiceField(label="Locality", coerce=int, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUSES, required=False)

    def __init__(self, *args, **kwargs):
        from earlyhelp.models import Team, User

        super().__init__(*args, **kwargs)
        # The options, as names, in one query: who leads an open episode now, every team (by
        # agency), every locality.
        leads = (
            User.objects.filter(is_active=True, led_episodes__status="open")
            .annotate(
                option=Value("lead"),
                label=Coalesce(
                    NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
                    "username",
                ),
            )
            .order_by()
            .values_list("option", "pk", "label")
            .distinct()
        )
        teams = (
            Team.objects.annotate(
                option=Value("team"),
                label=Concat("name", Value(" ("), "organisation__name", Value(")")),
            )
            .order_by()
            .values_list("option", "pk", "label")
        )
        localities = (
            Locality.objects.order_by()
            .annotate(option=Value("locality"))
            .values_list("option", "pk", "name")
        )
        options = {"lead": [("", "Anyone")], "team": [("", "Any team")]}
        options["locality"] = [("", "Any locality")]
        for kind, pk, label in sorted(leads.union(teams, localities, all=True), key=lambda o: o[2]):
            options[kind].append((pk, label))
        for kind, choices in options.items():
            self.fields[kind].choices = choices

    @property
    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if k != "q" and v}
