"""Pages for the episode's work: the team, the plan's actions, meetings, reviews, case notes.

Each reaches the family through the access gate with the action it needs,
then works on the family's open episode.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from cases.episode import services
from cases.episode.forms import (
    CaseNoteForm,
    PlanActionUpdateForm,
    PlanReviewForm,
    TafLeaveForm,
    TafMeetingForm,
    TafMemberForm,
)
from cases.episode.selectors import current_team, open_episode_of
from cases.gate import family_for, family_record_for
from cases.models import CaseNote, Episode
from cases.people.selectors import current_members_of, plan_action_for
from earlyhelp.access import Action
from earlyhelp.manage_forms import add_refusal

FORM_PAGE = "cases/episode/form.html"


def posted(request):
    """The form data of a POST (even an empty one, which is then invalid), None for a GET."""
    return request.POST if request.method == "POST" else None


def episode_for(request, family_id, action: Action):
    """The family through the gate, and its open episode (None: there is none)."""
    family = family_for(request.user, family_id, action=action)
    return family, open_episode_of(family)


def no_open_episode(request, family):
    messages.error(request, f"{family.name} has no open episode.")
    return redirect("family-detail", family_id=family.pk)


def form_page(
    request, family, form, *, title, button, intro=None, context=None, template=FORM_PAGE
):
    """One form about a family: its title, button and intro, 400 while the form has errors.
    `template` is another page built on the same blocks (the consent pages)."""
    return render(
        request,
        template,
        {
            "family": family,
            "form": form,
            "title": title,
            "button": button,
            "intro": intro,
            **(context or {}),
        },
        status=400 if form.errors else 200,
    )


def saved(request, family, message, anchor=""):
    messages.success(request, message)
    response = redirect("family-detail", family_id=family.pk)
    response["Location"] += anchor
    return response


def apply_service(form, call):
    """Run a service; its ValidationError lands on the form (nothing was saved)."""
    try:
        return call()
    except ValidationError as error:
        add_refusal(form, error)
        return None


@login_required
def taf_member_add(request, family_id):
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if episode is None:
        return no_open_episode(request, family)
    form = TafMemberForm(posted(request), episode=episode)
    if request.method == "POST" and form.is_valid():
        member = apply_service(
            form,
            lambda: services.taf_member_add(
                episode=episode,
                user=form.cleaned_data["user"],
                joined_on=form.cleaned_data["joined_on"],
                by=request.user,
            ),
        )
        if member:
            return saved(request, family, f"{member.user} is on the team.", "#team")
    return form_page(
        request, family, form, title="Add someone to the team around the family", button="Add"
    )


@login_required
def taf_member_leave(request, family_id, member_id):
    member = family_record_for(
        request.user,
        current_team(),
        member_id,
        action=Action.KEEP_CASE,
        family_id=family_id,
    )
    family = member.family
    form = TafLeaveForm(posted(request), episode=member.episode)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.taf_member_leave(
                member=member, left_on=form.cleaned_data["left_on"], by=request.user
            ),
        )
        if done:
            return saved(request, family, f"{member.user} has left the team.", "#team")
    return form_page(
        request,
        family,
        form,
        title=f"{member.user} leaves the team",
        button="Record that they left",
        intro="They will no longer see this family.",
    )


@login_required
def plan_action_update(request, family_id, action_id):
    action = plan_action_for(request.user, action_id, to_update=True, family_id=family_id)
    family = action.family
    if action.episode.status != Episode.Status.OPEN:
        return no_open_episode(request, family)
    form = PlanActionUpdateForm(
        posted(request), initial={"status": action.status}, episode=action.episode
    )
    if request.method == "POST" and form.is_valid():
        update = apply_service(
            form,
            lambda: services.plan_action_update(
                action=action,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            ),
        )
        if update:
            return saved(request, family, "The action is updated.", "#plan")
    updates = action.updates.select_related("by")
    return form_page(
        request,
        family,
        form,
        title="Update an action",
        button="Save the update",
        context={"action": action, "updates": updates},
    )


@login_required
def taf_meeting_add(request, family_id):
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if episode is None:
        return no_open_episode(request, family)
    form = TafMeetingForm(
        posted(request),
        episode=episode,
        team=services.team_of(episode),
        members=current_members_of(family),
    )
    if request.method == "POST" and form.is_valid():
        meeting = apply_service(
            form,
            lambda: services.taf_meeting_record(
                episode=episode, by=request.user, **form.cleaned_data
            ),
        )
        if meeting:
            return saved(request, family, "The meeting is recorded.", "#chronology")
    return form_page(
        request, family, form, title="Record a team around the family meeting", button="Save"
    )


@login_required
def plan_review_add(request, family_id):
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if episode is None:
        return no_open_episode(request, family)
    form = PlanReviewForm(posted(request), episode=episode)
    if request.method == "POST" and form.is_valid():
        review = apply_service(
            form,
            lambda: services.plan_review_record(
                episode=episode, by=request.user, **form.cleaned_data
            ),
        )
        if review:
            return saved(request, family, "The review is recorded.", "#plan")
    return form_page(request, family, form, title="Record a review of the plan", button="Save")


@login_required
def case_note_add(request, family_id):
    family, episode = episode_for(request, family_id, Action.ADD_CASE_NOTE)
    if episode is None:
        return no_open_episode(request, family)
    form = CaseNoteForm(posted(request), episode=episode, members=current_members_of(family))
    if request.method == "POST" and form.is_valid():
        note = apply_service(
            form,
            lambda: services.case_note_add(episode=episode, by=request.user, **form.cleaned_data),
        )
        if note:
            messages.success(request, "The case note is recorded.")
            return redirect("case-note-list", family_id=family.pk)
    return form_page(request, family, form, title="Add a case note", button="Save the note")


@login_required
def case_note_list(request, family_id):
    family = family_for(request.user, family_id, action=Action.VIEW_CASEWORK)
    notes = (
        CaseNote.objects.filter(episode__family=family)
        .select_related("written_by__team__organisation")
        .prefetch_related("about__person")
        .order_by("-happened_on", "-id")
    )
    page = Paginator(notes, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/episode/case_notes.html",
        {"family": family, "page": page, "can": family.allowed_actions},
    )
