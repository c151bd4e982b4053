"""Forms of the configuration pages, with GOV.UK-style error messages."""

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator

from .limits import TEXT_MAX, too_long
from .models import Locality, Organisation, Role, Team, User


class GovukMessagesMixin:
    """'Enter …' / 'Select …' for missing answers, as the GOV.UK patterns say."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or "").lower()
            choosing = isinstance(field.widget, (forms.Select, forms.RadioSelect))
            verb = "Select" if choosing else "Enter"
            # A message the form wrote for its own field is kept; Django's are replaced.
            if _is_django_default(field, "required"):
                if label.endswith("?") and field.required:
                    # "Enter why does the family need…?" is not a sentence: a question's
                    # message is written for it ("Enter the reason the family needs…").
                    # The tests refuse a form that has not; a page shows the label's words.
                    if getattr(settings, "GOVUK_STRICT_MESSAGES", False):
                        raise ImproperlyConfigured(
                            f"{type(self).__name__}.{name}: write the message for leaving "
                            f"the question {field.label!r} unanswered"
                        )
                    label = label.rstrip("?")
                field.error_messages["required"] = " ".join([verb, label])
            if _is_django_default(field, "invalid_choice"):
                field.error_messages["invalid_choice"] = (
                    "Select one of the options"
                    if str(field.label or "").endswith("?")
                    else " ".join(["Select", label, "from the list"])
                )
            if isinstance(field, forms.CharField) and not isinstance(field, forms.EmailField):
                _cap(field)
            if isinstance(field, forms.EmailField) and _is_django_default(field, "invalid"):
                field.error_messages["invalid"] = (
                    "Enter an email address in the correct format, like name@example.gov.uk"
                )

    def add_problems(self, problems: dict) -> None:
        """A service's rule problems ({field: [message, …]}) on the fields they name; a field
        the form refused already keeps its own error, and any other goes above the form."""
        for field, messages in problems.items():
            if field in self.errors:
                continue
            for message in [messages] if isinstance(messages, str) else messages:
                self.add_error(field if field in self.fields else None, message)


def add_refusal(form, error: ValidationError) -> None:
    """A service's refusal shown on `form`, against the fields it names and above the form
    for the rest (nothing was saved): how every page shows what its service refused."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _cap(field: forms.CharField) -> None:
    """Every free-text answer has a most it may be (issue 18: "every free-text field capped at
    a length the model holds"): the model's own length, or TEXT_MAX for long text, said in
    words for the field."""
    if field.max_length is None:
        field.max_length = TEXT_MAX
        field.validators.append(MaxLengthValidator(TEXT_MAX))
    if _is_django_default(field, "max_length"):
        # Named as the field's own "Enter …" message names it: "Enter the reason the family
        # needs social care" gives "The reason the family needs social care must be …".
        required = str(field.error_messages.get("required") or "")
        name = required.removeprefix("Enter ") if required.startswith("Enter ") else field.label
        field.error_messages["max_length"] = too_long(name or "Your answer", field.max_length)


def _is_django_default(field, key: str) -> bool:
    message = field.error_messages.get(key)
    if message is None:
        return True
    for cls in type(field).__mro__:
        if message == getattr(cls, "default_error_messages", {}).get(key):
            return True
    return False


class LocalityForm(GovukMessagesMixin, forms.ModelForm):
    class Meta:
        model = Locality
        fields = ["name", "kind", "is_active"]
        labels = {"name": "Name", "kind": "Kind of locality", "is_active": "In use"}
        widgets = {"kind": forms.RadioSelect}
        error_messages = {"name": {"unique": "A locality with this name already exists"}}


class OrganisationForm(GovukMessagesMixin, forms.ModelForm):
    tier = forms.TypedChoiceField(
        label="Tier in the need analysis",
        choices=[("", "The usual tier for this kind of agency"), *Organisation.Tier.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="Tier 1 is social care, tier 2 children centres, family support and MST, "
        "tier 3 every other agency.",
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "tier", "is_active"]
        labels = {"name": "Name", "kind": "Kind of agency", "is_active": "Active"}
        error_messages = {"name": {"unique": "An organisation with this name already exists"}}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and not cleaned.get("tier"):
            cleaned["tier"] = Organisation.default_tier(cleaned["kind"])
            self.instance.tier = cleaned["tier"]
        return cleaned


class TeamForm(GovukMessagesMixin, forms.ModelForm):
    class Meta:
        model = Team
        fields = ["organisation", "name", "locality"]
        labels = {"organisation": "Organisation", "name": "Team name", "locality": "Locality"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["organisation"].empty_label = "Select an organisation"
        self.fields["locality"].queryset = Locality.objects.filter(is_active=True)
        self.fields["locality"].empty_label = "No single locality"
        self.fields["locality"].required = False


class UserForm(GovukMessagesMixin, forms.ModelForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "role",
            "team",
            "managed_teams",
        ]
        labels = {
            "username": "Username",
            "first_name": "First name",
            "last_name": "Last name",
            "email": "Email address",
            "job_title": "Job title",
            "team": "Team",
            "managed_teams": "Teams they manage",
        }
        help_texts = {
            "username": "Letters, digits and . @ + - _ only. Used to sign in.",
            "email": "We send the link to choose a password here.",
            "managed_teams": "For managers: whose caseloads they oversee.",
        }
        widgets = {"managed_teams": forms.CheckboxSelectMultiple}
        error_messages = {
            "username": {"unique": "A user with this username already exists"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["first_name", "last_name", "email", "team"]:
            self.fields[name].required = True
        teams = Team.objects.select_related("organisation")
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = "Select a team"
        self.fields["managed_teams"].queryset = teams
        self.fields["username"].error_messages["invalid"] = (
            "Username must only include letters, digits and . @ + - _"
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        clash = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and clash.exists():
            raise forms.ValidationError("Another user already has this email address")
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("managed_teams") and cleaned.get("role") != Role.MANAGER:
            self.add_error(
                "managed_teams", "Only managers manage teams: clear these or choose Manager"
            )
        return cleaned

    def validate_unique(self):
        # The case-insensitive email rule is checked in clean_email with a clear message.
        exclude = self._get_validation_exclusions()
        exclude.add("email")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


class UserSearchForm(forms.Form):
    q = forms.CharField(label="Name, username or email", required=False, max_length=200)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices]
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Active and deactivated"), ("active", "Active"), ("inactive", "Deactivated")],
    )


def _whole_number(label: str, said: str, unit: str, example: int, **kwargs) -> forms.IntegerField:
    """A number of weeks, days or families: a text input that brings up a numeric keypad
    (GOV.UK asks for no type="number"), its messages written for it. The service checks
    the bounds."""
    return forms.IntegerField(
        label=label,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter {said}",
            "invalid": f"Enter {said} as a whole number of {unit}, like {example}",
        },
        **kwargs,
    )


class ServicePolicyForm(forms.Form):
    """The service's settings (earlyhelp.policy); `services.service_policy_update` saves them."""

    review_interval_weeks = _whole_number(
        "Review interval",
        "the review interval",
        "weeks",
        8,
        help_text="A plan's next review is due this many weeks after its last review, or after "
        "the episode started. After that it is overdue.",
    )
    hub_recent_triage_days = _whole_number(
        "How long the hub sees a family after triage",
        "how long the hub sees a family after triage",
        "days",
        30,
        help_text="Hub staff see a family while its request waits, and for this many days "
        "after they decide it. The same holds for step-ups, step-downs and employment "
        "referrals.",
    )
    caseload_target = _whole_number(
        "Caseload target",
        "the caseload target",
        "families",
        10,
        help_text="The number of open families a lead practitioner is expected to hold. "
        "Managers and the hub see each worker's caseload against it.",
    )

    # Each field's unit, shown after its input (the GOV.UK suffix).
    suffixes = {
        "review_interval_weeks": "weeks",
        "hub_recent_triage_days": "days",
        "caseload_target": "families",
    }
