"""The work readiness conversation: started, saved as a draft, completed as a referral.

Who records it: whoever on the family's team may add case notes — the lead
practitioner and the TAF members (the gate's `ADD_CASE_NOTE`, granted to
exactly those two relations). The seed has the tool used "by the vast
majority of TF delivery partners", not only by the lead, so `KEEP_CASE` (the
lead's alone) would be too narrow, and `EDIT` (the family's own records) is
not about the episode's work. Reading it needs `VIEW_CASEWORK`, like the plan and case notes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from cases.episode.views import (
    apply_service,
    episode_for,
    no_open_episode,
    open_episode_of,
    posted,
)
from cases.gate import family_record_for
from cases.people.selectors import current_members_of
from earlyhelp.access import Action

from . import work_services
from .models import Barrier, Benefit, ProgressStep, WorkConversation
from .work_forms import WorkConversationForm

RECORD = Action.ADD_CASE_NOTE


@login_required
def work_conversation_add(request, family_id):
    family, episode = episode_for(request, family_id, RECORD)
    if episode is None:
        return no_open_episode(request, family)
    return _edit(request, family, episode, None)


@login_required
def work_conversation(request, family_id, conversation_id):
    action = RECORD if request.method == "POST" else Action.VIEW_CASEWORK
    conversation = family_record_for(
        request.user,
        WorkConversation.objects.select_related(
            "person", "episode", "provider", "decided_by", "completed_by"
        ),
        conversation_id,
        action=action,
        family_id=family_id,
    )
    family, episode = conversation.family, open_episode_of(conversation.family)
    editable = (
        RECORD in family.allowed_actions
        and conversation.status == WorkConversation.Status.DRAFT
        and episode is not None
        and conversation.episode_id == episode.pk
    )
    if not editable:
        if request.method == "POST":
            messages.error(request, "This conversation cannot be changed now.")
            return redirect(
                "work-conversation", family_id=family.pk, conversation_id=conversation.pk
            )
        return render(
            request,
            "assessments/work_conversation.html",
            {"family": family, "conversation": conversation, "answers": answers_of(conversation)},
        )
    return _edit(request, family, episode, conversation)


def _edit(request, family, episode, conversation):
    form = WorkConversationForm(
        posted(request), members=current_members_of(family), conversation=conversation
    )
    completing = "complete" in request.POST
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: work_services.work_conversation_save(
                episode=episode,
                answers=form.answers(),
                by=request.user,
                conversation=conversation,
                complete=completing,
            ),
        )
        if saved:
            if completing:
                messages.success(
                    request,
                    "The conversation is completed and referred to the employment triage panel.",
                )
            else:
                messages.success(request, "Your draft of the conversation is saved.")
            response = redirect("family-detail", family_id=family.pk)
            response["Location"] += "#work"
            return response
    return render(
        request,
        "assessments/work_conversation_form.html",
        {"family": family, "form": form, "conversation": conversation},
        status=400 if form.errors else 200,
    )


def answers_of(conversation) -> list[tuple[str, str]]:
    """The conversation as read: each question with its answer in words."""

    def labels(choices, values):
        names = dict(choices)
        return ", ".join(str(names.get(v, v)) for v in values) or "None given"

    return [
        ("Who the conversation was with", conversation.person.full_name),
        ("Date of the conversation", f"{conversation.held_on:%-d %B %Y}"),
        ("Work situation now", conversation.get_situation_display() or "Not answered"),
        ("Benefits claimed", labels(Benefit.choices, conversation.benefits)),
        ("Work they would like to do", conversation.aspirations or "Not answered"),
        ("What gets in the way", labels(Barrier.choices, conversation.barriers)),
        (
            "Steps towards work already taken",
            labels(ProgressStep.choices, conversation.steps_taken),
        ),
        ("Next steps agreed", conversation.next_steps or "Not answered"),
        (
            "Agrees to the referral",
            "Yes" if conversation.agrees_to_referral else "No",
        ),
    ]
