"""Forms for the work readiness conversation and the triage panel's decision.

They check the shape of each answer (a real date, a choice from the list);
the rules — an adult on the date, what completing needs, one decision per
referral — are the services' (assessments.work_services), whose errors land
on these forms' fields.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin

from .models import (
    Barrier,
    Benefit,
    EmploymentProvider,
    NotAllocated,
    ProgressStep,
    WorkConversation,
    WorkSituation,
)
from .work_services import Answers, adult_on


class WorkConversationForm(GovukMessagesMixin, forms.Form):
    person = forms.ChoiceField(
        label="Who is the conversation with?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the conversation is with"},
    )
    held_on = DateInputField(name="Date of the conversation", label="Date of the conversation")
    situation = forms.ChoiceField(
        label="What is their work situation now?",
        choices=WorkSituation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    benefits = forms.MultipleChoiceField(
        label="Which benefits do they claim?",
        choices=Benefit.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    aspirations = forms.CharField(
        label="What work would they like to do?",
        help_text="In their words: the job, the hours, what matters to them about work.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    barriers = forms.MultipleChoiceField(
        label="What gets in the way of work?",
        help_text="Select all that apply.",
        choices=Barrier.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    steps_taken = forms.MultipleChoiceField(
        label="Which steps towards work have they already taken?",
        help_text="The outcomes plan's progress to work steps. Select all that apply.",
        choices=ProgressStep.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    next_steps = forms.CharField(
        label="What next steps did you agree?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    agrees_to_referral = forms.BooleanField(
        label="They agree that this conversation is shared with the employment providers "
        "as their referral for employment support",
        required=False,
    )

    def __init__(self, *args, members, conversation: WorkConversation | None = None, **kwargs):
        if conversation is not None and not args:
            kwargs.setdefault("initial", initial_for(conversation))
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # Only adults are offered; the service checks the age again on the day it was held.
        self.people = {str(m.person_id): m.person for m in members if adult_on(m.person, today)}
        self.fields["person"].choices = [(pk, p.full_name) for pk, p in self.people.items()]
        self.fields["person"].help_text = "Adults (18 or over) in the family."
        self.fields["person"].error_messages.update(
            required="Select who the conversation is with",
            invalid_choice="Select who the conversation is with from the list",
        )
        self.fields["held_on"].error_messages["invalid"] = (
            "Date of the conversation must be a real date"
        )

    def clean_person(self):
        return self.people[self.cleaned_data["person"]]

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            person=data["person"],
            held_on=data["held_on"],
            situation=data["situation"],
            benefits=tuple(data["benefits"]),
            aspirations=data["aspirations"],
            barriers=tuple(data["barriers"]),
            steps_taken=tuple(data["steps_taken"]),
            next_steps=data["next_steps"],
            agrees_to_referral=data["agrees_to_referral"],
        )


def initial_for(conversation: WorkConversation) -> dict:
    return {
        "person": str(conversation.person_id),
        "held_on": conversation.held_on,
        "situation": conversation.situation,
        "benefits": conversation.benefits,
        "aspirations": conversation.aspirations,
        "barriers": conversation.barriers,
        "steps_taken": conversation.steps_taken,
        "next_steps": conversation.next_steps,
        "agrees_to_referral": conversation.agrees_to_referral,
    }


NOT_ALLOCATED = "not:"


class PanelDecisionForm(GovukMessagesMixin, forms.Form):
    """One radio list: each active provider, then each reason it is not allocated."""

    decision = forms.ChoiceField(label="The panel's decision", widget=forms.RadioSelect)
    detail = forms.CharField(
        label="The other reason it is not allocated",
        help_text="Only if you chose another reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = {str(p.pk): p for p in EmploymentProvider.objects.filter(is_active=True)}
        self.fields["decision"].choices = [
            *[(pk, f"Allocate to {p.name}") for pk, p in self.providers.items()],
            *[
                (NOT_ALLOCATED + value, f"Not allocated: {label}")
                for value, label in NotAllocated.choices
            ],
        ]
        self.fields["decision"].error_messages["required"] = (
            "Select a provider to allocate to, or a reason it is not allocated"
        )

    @property
    def provider(self):
        return self.providers.get(self.cleaned_data["decision"])

    @property
    def reason(self) -> str:
        decision = self.cleaned_data["decision"]
        return decision.removeprefix(NOT_ALLOCATED) if decision.startswith(NOT_ALLOCATED) else ""
