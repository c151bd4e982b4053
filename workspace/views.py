"""Pages that put several apps' records together about one family: the family page, and the
episode's pages that need the assessment or the outcome tools beside the casework (adding a
plan action linked to the assessment's needs and the plan's outcomes; asking for closure
with the final tool scores)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from assessments.selectors import has_final_scores, plan_and_needs_of
from cases.closure import services as closure_services
from cases.episode import services as episode_services
from cases.episode.forms import ClosureForm, PlanActionForm
from cases.episode.views import (
    apply_service,
    episode_for,
    form_page,
    no_open_episode,
    posted,
    saved,
)
from cases.front_door.selectors import family_requests
from cases.gate import family_for
from cases.models import ClosureReason
from cases.people import selectors
from earlyhelp.access import Action, Relation, may_update_action
from outcomes.selectors import results_for_family_page
from workspace.family import family_story, plan_rows


@login_required
def family_detail(request, family_id):
    family = family_for(request.user, family_id, action=Action.VIEW)
    detail = selectors.family_detail(family)
    story = family_story(
        family,
        episodes=detail["episodes"],
        members=detail["current_members"],
        consents=detail["consents"],
        can=family.allowed_actions,
        kind=request.GET.get("kind"),
        page=request.GET.get("page"),
    )
    # Which actions this user may update: the access table's owner rule, action by action.
    plan = plan_rows(
        story.get("actions", ()),
        family_id=family.pk,
        may_update=lambda action: may_update_action(
            family.allowed_actions, owner_id=action.owner_id, user=request.user
        ),
    )
    results = None
    if Action.VIEW_EVIDENCE in family.allowed_actions:
        results = results_for_family_page(family)
    return render(
        request,
        "workspace/family_detail.html",
        {
            "family": family,
            "can": family.allowed_actions,
            "plan": plan,
            "through_break_glass": Relation.BREAK_GLASS in family.relations,
            "results": results,
            "requests": family_requests(family),
            **detail,
            **story,
        },
    )


@login_required
def plan_action_add(request, family_id):
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if episode is None:
        return no_open_episode(request, family)
    plan, needs = plan_and_needs_of(episode)
    form = PlanActionForm(
        posted(request),
        episode=episode,
        team=episode_services.team_of(episode),
        plan=plan,
        needs=needs,
        members=[m.person for m in selectors.current_members_of(family)],
    )
    if request.method == "POST" and form.is_valid():
        action = apply_service(
            form,
            lambda: episode_services.plan_action_add(
                episode=episode,
                what=form.cleaned_data["what"],
                owner=form.cleaned_data["owner"],
                for_person=form.cleaned_data["for_person"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
                **form.link_fields(),
            ),
        )
        if action:
            return saved(request, family, "The action is added to the plan.", "#plan")
    return form_page(request, family, form, title="Add an action to the plan", button="Add")


@login_required
def closure_request(request, family_id):
    family, episode = episode_for(request, family_id, Action.CLOSE)
    if episode is None:
        return no_open_episode(request, family)
    final_scores = has_final_scores(episode)
    unfinished = list(closure_services.unfinished_actions(episode))
    # A page that leads here for a reason (a withdrawn consent) names it: it is chosen already.
    reason = request.GET.get("reason")
    form = ClosureForm(
        posted(request),
        episode=episode,
        final_scores=final_scores,
        unfinished=len(unfinished),
        initial={"reason": reason} if reason in ClosureReason.values else None,
    )
    if request.method == "POST" and form.is_valid():
        closure = apply_service(
            form,
            lambda: closure_services.closure_request(
                episode=episode,
                by=request.user,
                reason=form.cleaned_data["reason"],
                needs_at_closure=form.cleaned_data["needs_at_closure"],
                final_scores_recorded=final_scores,
                no_final_scores_reason=form.cleaned_data.get("no_final_scores_reason", ""),
                unfinished_confirmed=form.cleaned_data.get("unfinished_confirmed", False),
            ),
        )
        if closure:
            return saved(request, family, "The closure is sent to your manager to sign off.")
    return form_page(
        request,
        family,
        form,
        title="Close the episode",
        button="Send for sign-off",
        intro=None
        if final_scores
        else "No final outcome tool scores are recorded. Record them from the family page "
        "before closing, or say why there are none.",
        context={"unfinished_actions": unfinished},
    )
