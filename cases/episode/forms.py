"""Forms for the episode's work, each with GOV.UK error messages and nothing saved on error.

A form checks the shape of its answers; the rules are the services' (`services`, and
`closure_services` for closing and moving an episode), which a form may ask for early
feedback, and whose words it uses for its own checks.
"""

from __future__ import annotations

from django import forms

from cases.closure import services as closure_services
from cases.episode import services
from cases.episode.selectors import current_team_of
from cases.models import CaseNote, ClosureReason, PlanAction
from earlyhelp.date_input import DateInputField
from earlyhelp.manage_forms import GovukMessagesMixin
from earlyhelp.models import Organisation, Role, User

FAMILY = "family"


class EpisodeForm(GovukMessagesMixin, forms.Form):
    """Dates are real, not in the future, and not before the episode began."""

    def __init__(self, *args, episode=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode

    def _past_date(self, name):
        value = self.cleaned_data.get(name)
        if value is None:
            return value
        label = self.fields[name].label
        if problem := services.date_within_episode_problem(label, value, self.episode):
            raise forms.ValidationError(problem)
        return value


def user_label(user) -> str:
    where = f", {user.team.organisation}" if user.team_id else ""
    return f"{user.get_full_name() or user.username}{where}"


def practitioners():
    return (
        User.objects.filter(role=Role.PRACTITIONER, is_active=True)
        .select_related("team__organisation")
        .order_by("team__organisation__name", "last_name", "first_name")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return user_label(obj)


class TafMemberForm(EpisodeForm):
    user = UserChoiceField(label="Practitioner", queryset=User.objects.none())
    joined_on = DateInputField(name=services.TAF_JOINED_ON, label=services.TAF_JOINED_ON)

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, episode=episode, **kwargs)
        on_team = current_team_of(episode).values("user")
        self.fields["user"].queryset = (
            practitioners().exclude(pk=episode.lead_practitioner_id).exclude(pk__in=on_team)
        )
        self.fields["user"].empty_label = "Select a practitioner"
        self.fields["user"].help_text = "From any agency. They see the family while on the team."

    def clean_joined_on(self):
        return self._past_date("joined_on")


class TafLeaveForm(EpisodeForm):
    left_on = DateInputField(name=services.TAF_LEFT_ON, label=services.TAF_LEFT_ON)

    def clean_left_on(self):
        return self._past_date("left_on")


class PlanActionForm(EpisodeForm):
    what = forms.CharField(label="What will happen", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label="Who will do it", widget=forms.RadioSelect)
    due_on = DateInputField(name=services.ACTION_DUE_ON_NAME, label=services.ACTION_DUE_ON)
    for_person = forms.ChoiceField(
        label="Who it is for",
        required=False,
        help_text="The household member whose needs it meets; the programme checks that the "
        "plan covers every member the assessment records needs for.",
    )
    link = forms.ChoiceField(
        label="Need or outcome it works towards",
        required=False,
        help_text="The headline problems' indicators the assessment found, and their outcomes.",
    )

    def __init__(self, *args, episode, team, plan, needs, members=(), **kwargs):
        super().__init__(*args, episode=episode, **kwargs)
        self.team = {str(u.pk): u for u in team}
        self.members = {str(p.pk): p for p in members}
        self.fields["for_person"].choices = [
            ("", "The whole family"),
            *((pk, str(p)) for pk, p in self.members.items()),
        ]
        self.fields["owner"].choices = [
            *((pk, user_label(u)) for pk, u in self.team.items()),
            (FAMILY, "The family"),
        ]
        choices = [("", "Not linked yet")]
        if plan is not None:
            problems = {plan.problem_of[i] for i in needs} or {p.id for p in plan.headline_problems}
            choices.append(
                ("Needs", [(f"need:{i}", f"{i} {plan.indicators[i].text[:90]}") for i in needs])
            )
            choices.append(
                (
                    "Outcomes",
                    [
                        (f"outcome:{o.id}", f"{o.id} {o.text[:90]}")
                        for p in plan.headline_problems
                        if p.id in problems
                        for o in p.outcomes
                    ],
                )
            )
        self.fields["link"].choices = choices

    def clean(self):
        cleaned = super().clean()
        self.add_problems(services.due_on_problems(cleaned.get("due_on")))
        return cleaned

    def clean_for_person(self):
        return self.members.get(self.cleaned_data.get("for_person") or "")

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        return None if value == FAMILY else self.team[value]

    def link_fields(self) -> dict:
        kind, _, ref = self.cleaned_data.get("link", "").partition(":")
        return {"need": ref if kind == "need" else "", "outcome": ref if kind == "outcome" else ""}


class PlanActionUpdateForm(EpisodeForm):
    """A status from the list; "why it stopped" is `plan_action_update`'s rule."""

    status = forms.ChoiceField(
        label="Status",
        choices=PlanAction.Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": services.ACTION_STATUS_MISSING,
            "invalid_choice": services.ACTION_STATUS_UNKNOWN,
        },
    )
    note = forms.CharField(
        label=services.ACTION_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TafMeetingForm(EpisodeForm):
    held_on = DateInputField(name=services.MEETING_HELD_ON, label=services.MEETING_HELD_ON)
    attendees = forms.MultipleChoiceField(
        label="Practitioners present", required=False, widget=forms.CheckboxSelectMultiple
    )
    family_present = forms.MultipleChoiceField(
        label="Family members present", required=False, widget=forms.CheckboxSelectMultiple
    )
    others_present = forms.CharField(label="Anyone else present (optional)", required=False)
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, episode, team, members, **kwargs):
        super().__init__(*args, episode=episode, **kwargs)
        self.team = {str(u.pk): u for u in team}
        self.members = {str(m.pk): m for m in members}
        self.fields["attendees"].choices = [(pk, user_label(u)) for pk, u in self.team.items()]
        self.fields["family_present"].choices = [
            (pk, m.person.full_name) for pk, m in self.members.items()
        ]

    def clean_held_on(self):
        return self._past_date("held_on")

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            services.meeting_attendance_problems(
                attendees=cleaned.get("attendees"),
                family_present=cleaned.get("family_present"),
                others_present=cleaned.get("others_present"),
            )
        )
        cleaned["attendees"] = [self.team[pk] for pk in cleaned.get("attendees", [])]
        cleaned["family_present"] = [self.members[pk] for pk in cleaned.get("family_present", [])]
        return cleaned


class PlanReviewForm(EpisodeForm):
    held_on = DateInputField(name=services.REVIEW_HELD_ON, label=services.REVIEW_HELD_ON)
    progress = forms.CharField(
        label="Progress since the last review", widget=forms.Textarea(attrs={"rows": 5})
    )
    changes_to_plan = forms.CharField(
        label="Changes to the plan (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_held_on(self):
        return self._past_date("held_on")


class CaseNoteForm(EpisodeForm):
    """The shape of a note; its rules (the date, who it is about, the text's length) are
    `case_note_add`'s, asked for the date here too so it is refused with the others."""

    kind = forms.ChoiceField(
        label="Kind of note",
        choices=CaseNote.Kind.choices,
        error_messages={
            "required": services.NOTE_KIND_MISSING,
            "invalid_choice": services.NOTE_KIND_UNKNOWN,
        },
    )
    happened_on = DateInputField(name=services.NOTE_HAPPENED_ON, label=services.NOTE_HAPPENED_ON)
    about = forms.MultipleChoiceField(
        label="Who it was with or about (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": services.NOTE_ABOUT_NOT_MEMBERS},
    )
    text = forms.CharField(
        label=services.NOTE_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": services.NOTE_TEXT_MISSING},
    )

    def __init__(self, *args, episode, members, **kwargs):
        super().__init__(*args, episode=episode, **kwargs)
        self.fields["kind"].widget = forms.RadioSelect(choices=CaseNote.Kind.choices)
        self.members = {str(m.pk): m for m in members}
        self.fields["about"].choices = [(pk, m.person.full_name) for pk, m in self.members.items()]

    def clean_happened_on(self):
        return self._past_date("happened_on")

    def clean_about(self):
        """The people it is about, by person id, as `case_note_add` takes them."""
        return [self.members[pk].person_id for pk in self.cleaned_data["about"]]


class DecisionForm(GovukMessagesMixin, forms.Form):
    """A manager's sign-off: sign it off, or return it with comments."""

    SIGN_OFF, RETURN = "sign_off", "return"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(SIGN_OFF, "Sign it off"), (RETURN, "Return it with comments")],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision"):
            self.add_problems(
                closure_services.closure_decision_problems(
                    sign_off=self.signs_off, comments=cleaned.get("comments")
                )
            )
        return cleaned

    @property
    def signs_off(self) -> bool:
        return self.cleaned_data["decision"] == self.SIGN_OFF


class ClosureForm(EpisodeForm):
    reason = forms.ChoiceField(
        label="Why is the episode closing?",
        error_messages={"required": "Select why the episode is closing"},
        choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.STEPPED_UP],
        widget=forms.RadioSelect,
        help_text="To step up to children's social care, ask for a step-up instead.",
    )
    needs_at_closure = forms.CharField(
        label="The family's needs at closure", widget=forms.Textarea(attrs={"rows": 5})
    )
    no_final_scores_reason = forms.CharField(
        label="Why are there no final outcome tool scores?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unfinished_confirmed = forms.BooleanField(
        label="The family's needs are met though these plan actions are not done",
        required=False,
        help_text="Only for closing because the family's needs are met.",
    )

    def __init__(self, *args, final_scores: bool, unfinished: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.final_scores = final_scores
        self.unfinished = unfinished
        if final_scores:
            del self.fields["no_final_scores_reason"]
        if not unfinished:
            del self.fields["unfinished_confirmed"]

    def clean(self):
        cleaned = super().clean()
        self.add_problems(
            closure_services.closure_request_problems(
                final_scores_recorded=self.final_scores,
                no_final_scores_reason=cleaned.get("no_final_scores_reason"),
            )
            | closure_services.closure_unfinished_problems(
                reason=cleaned.get("reason"),
                unfinished=self.unfinished,
                confirmed=bool(cleaned.get("unfinished_confirmed")),
            )
        )
        return cleaned


class StepUpForm(GovukMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why does the family need children's social care?",
        error_messages={"required": "Enter the reason the family needs children's social care"},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The front door reads this with the family's records and decides.",
    )


class StepDownForm(GovukMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why can early help now meet the family's needs?",
        error_messages={"required": "Enter the reason early help can now meet the family's needs"},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    handover = forms.CharField(
        label="What the early help lead needs to know",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class StepDecisionForm(GovukMessagesMixin, forms.Form):
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(ACCEPT, "Accept"), (DECLINE, "Decline")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Reasons for the decision",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you decline.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision"):
            self.add_problems(self.decision_problems(cleaned))
        return cleaned

    def decision_problems(self, cleaned) -> dict:
        """The decision's rules, which are its service's (`cases.closure.services`)."""
        return closure_services.step_decision_problems(
            accept=self.accepts, note=cleaned.get("note")
        )

    @property
    def accepts(self) -> bool:
        return self.cleaned_data["decision"] == self.ACCEPT


class StepUpDecisionForm(StepDecisionForm):
    received_by = UserChoiceField(
        label="Social worker who takes the family",
        queryset=User.objects.none(),
        required=False,
    )
    handover = forms.CharField(
        label="Handover to social care",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you accept: what was handed over, and how.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_by"].queryset = practitioners().filter(
            team__organisation__kind=Organisation.Kind.SOCIAL_CARE
        )
        self.fields["received_by"].empty_label = "Select a social worker"

    def decision_problems(self, cleaned) -> dict:
        return closure_services.step_up_decision_problems(
            accept=self.accepts,
            note=cleaned.get("note"),
            received_by=cleaned.get("received_by"),
            handover=cleaned.get("handover"),
        )


class StepDownDecisionForm(StepDecisionForm):
    lead_practitioner = UserChoiceField(
        label="Lead practitioner of the new episode",
        queryset=User.objects.none(),
        required=False,
        help_text="Needed when you accept. Their agency becomes the lead agency.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_practitioner"].queryset = practitioners().exclude(
            team__organisation__kind=Organisation.Kind.SOCIAL_CARE
        )
        self.fields["lead_practitioner"].empty_label = "Select a practitioner"

    def decision_problems(self, cleaned) -> dict:
        return closure_services.step_down_decision_problems(
            accept=self.accepts,
            note=cleaned.get("note"),
            lead_practitioner=cleaned.get("lead_practitioner"),
        )


class LeadChangeForm(EpisodeForm):
    to_practitioner = UserChoiceField(label="New lead practitioner", queryset=User.objects.none())
    changed_on = DateInputField(
        name=closure_services.LEAD_CHANGED_ON,
        label=closure_services.LEAD_CHANGED_ON,
        help_text="Today, or a later date to schedule the move (for example, the day after "
        "the current lead's last working day). The current lead keeps the family until then.",
    )
    reason = forms.CharField(label="Why the lead changes", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, episode=episode, **kwargs)
        self.fields["to_practitioner"].queryset = practitioners().exclude(
            pk=episode.lead_practitioner_id
        )
        self.fields["to_practitioner"].empty_label = "Select a practitioner"
