"""Forms for consent's life on the family page: the shape of the answers, GOV.UK messages, and
the services' rules asked early (the services check them again whoever calls)."""

from __future__ import annotations

from django import forms

from cases.consent import services
from cases.front_door import rules
from cases.front_door.forms import ConsentGivenForm
from cases.models import Consent
from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Organisation


class WrittenReceivedForm(GovukMessagesMixin, forms.Form):
    received_on = DateInputField(
        name=services.WRITTEN_ON,
        label=services.WRITTEN_ON,
        help_text="For example, 27 3 2026",
    )

    def __init__(self, *args, consent: Consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            services.written_received_problems(self.consent, cleaned.get("received_on"))
        )
        return cleaned


class ConsentAddForm(ConsentGivenForm):
    """A member's consent: one who had none, or one agreeing to share with another agency."""

    field_order = ["person", "kind", "given_by", *ConsentGivenForm.base_fields]

    person = forms.ChoiceField(
        label="Whose consent is it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": services.PERSON_MISSING,
            "invalid_choice": services.PERSON_NOT_MEMBER,
        },
    )
    kind = forms.ChoiceField(
        label="How did they give consent?",
        choices=Consent.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": rules.CONSENT_KIND_MISSING,
            "invalid_choice": rules.CONSENT_KIND_UNKNOWN,
        },
    )
    given_by = forms.CharField(
        label="Who gave consent",
        max_length=200,
        help_text="The person, or their parent or carer.",
        error_messages={
            "required": rules.GIVEN_BY_MISSING,
            "max_length": "Who gave consent must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, family, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = family
        self.fields["person"].choices = [
            (
                str(member.person_id),
                f"{member.person}" + ("" if member.has_consent else " (no consent yet)"),
            )
            for member in members
        ]
        self.fields["agencies"].queryset = Organisation.objects.filter(is_active=True).order_by(
            "name"
        )

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            services.consent_add_problems(
                family=self.family,
                person_id=cleaned.get("person"),
                kind=cleaned.get("kind"),
                given_by=cleaned.get("given_by"),
                given_on=cleaned.get("given_on"),
                chase_on=cleaned.get("chase_on"),
                covers=cleaned.get("covers"),
                agencies=cleaned.get("agencies"),
            )
        )
        return cleaned


class WithdrawForm(GovukMessagesMixin, forms.Form):
    withdrawn_on = DateInputField(name=services.WITHDRAWN_ON, label=services.WITHDRAWN_ON)
    withdrawn_by = forms.CharField(
        label="Who withdrew consent",
        max_length=200,
        help_text="The person, or their parent or carer.",
        error_messages={
            "required": services.WITHDRAWN_BY_MISSING,
            "max_length": services.WITHDRAWN_BY_TOO_LONG,
        },
    )
    reason = forms.CharField(
        label="Why was consent withdrawn?",
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": services.REASON_MISSING,
            "max_length": services.REASON_TOO_LONG,
        },
    )

    def __init__(self, *args, consent: Consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            services.withdraw_problems(
                self.consent,
                withdrawn_on=cleaned.get("withdrawn_on"),
                withdrawn_by=cleaned.get("withdrawn_by"),
                reason=cleaned.get("reason"),
            )
        )
        return cleaned
