"""The Early Help Assessment: the form (autosaved, and working as a plain form without
JavaScript), its sign-off by a manager, its printable copy, and outcome tool scores."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.episode.forms import DecisionForm
from cases.episode.selectors import current_team_of, latest_episode_of
from cases.episode.views import (
    apply_service,
    episode_for,
    form_page,
    no_open_episode,
    posted,
    saved,
)
from cases.gate import family_for
from cases.models import Episode, PlanReview, TafMeeting
from cases.people.selectors import current_members_of
from earlyhelp import json_input
from earlyhelp.access import Action
from earlyhelp.middleware import keeps_session_idle
from outcomes.selectors import plan_in_force

from . import services
from .forms import AssessmentForm, FamilyStarForm, RickterForm
from .models import EarlyHelpAssessment, ToolScore
from .sections import INDICATORS, digest, part_name, parts_for


def _assessment_of(family, episode):
    """The open episode's assessment; else the latest episode's, to read."""
    episodes = Episode.objects.filter(family=family).order_by("-started_on", "-pk")
    if episode is not None:
        episodes = episodes.filter(pk=episode.pk)
    return (
        EarlyHelpAssessment.objects.filter(episode__in=episodes[:1])
        .select_related("plan_version", "episode", "signed_off_by")
        .first()
    )


def _values(assessment) -> tuple[dict, dict, dict]:
    """Each part's saved value, version, and who last saved it: keyed by part name."""
    values, versions, saved_by = {}, {}, {}
    if assessment is None:
        return values, versions, saved_by
    for section in assessment.sections.select_related("updated_by"):
        name = part_name(section.key, section.member_id)
        values[name], versions[name] = section.text, section.version
        saved_by[name] = (section.updated_by, section.updated_at)
    values[INDICATORS] = list(assessment.indicators)
    versions[INDICATORS] = assessment.indicators_version
    return values, versions, saved_by


def _narrative(assessment, members):
    """The assessment as read: each part with its text, for the read-only and print pages."""
    values, _, saved_by = _values(assessment)
    return [
        (part, values.get(part.name, ""), saved_by.get(part.name))
        for part in parts_for(members)
        if part.key != INDICATORS
    ]


def _plan_for(assessment):
    if assessment is not None:
        return assessment.plan_version
    return plan_in_force(timezone.localdate())


@login_required
def assessment(request, family_id):
    action = Action.KEEP_CASE if request.method == "POST" else Action.VIEW_CASEWORK
    family, episode = episode_for(request, family_id, action)
    current = _assessment_of(family, episode)
    members = current_members_of(family)
    editable = (
        Action.KEEP_CASE in family.allowed_actions
        and episode is not None
        and (current is None or current.is_editable)
    )
    if not editable:
        if request.method == "POST":
            messages.error(request, "The assessment cannot be changed now.")
            return redirect("assessment", family_id=family.pk)
        return _read_only(request, family, current, members)
    version = _plan_for(current)
    if version is None:
        messages.error(request, "No outcomes plan is in force: an administrator must publish one.")
        return redirect("family-detail", family_id=family.pk)
    parts = parts_for(members)
    values, versions, _ = _values(current)
    conflicts = []
    if request.method == "POST":
        data = request.POST.copy()
        form = AssessmentForm(data, parts=parts, plan=version.plan)
        if form.is_valid():
            outcome = _save(request, form, episode, data)
            if isinstance(outcome, list):
                conflicts = outcome
                # The other person's version becomes the base: saving again keeps yours.
                form = AssessmentForm(data, parts=parts, plan=version.plan)
                form.is_valid()
                for conflict in conflicts:
                    form.add_error(
                        f"section-{conflict.part.name}",
                        f"{conflict.part.label}: someone else saved a different version while "
                        "you were editing. Compare the two below, then save again to keep yours",
                    )
            elif outcome is not None:
                return outcome
    else:
        form = AssessmentForm(
            initial=AssessmentForm.initial_for(parts, values, versions),
            parts=parts,
            plan=version.plan,
        )
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "family": family,
            "assessment": current,
            "form": form,
            "plan": version.plan,
            "members": members,
            "rows": form.rows({c.part.name: c for c in conflicts}),
            "autosave_delay_ms": settings.AUTOSAVE_DELAY_MS,
            "returned": _last_return(current),
        },
        status=400 if form.errors else 200,
    )


def _save(request, form, episode, data):
    """Save the draft, and submit it if asked. A list of conflicts, a response, or None."""
    changes = [services.Change(part, base, value) for part, base, value in form.changed_parts()]
    try:
        if changes:
            services.assessment_parts_save(episode=episode, changes=changes, by=request.user)
    except services.PartsConflict as conflict:
        for c in conflict.conflicts:
            data[f"version-{c.part.name}"] = str(c.their_version)
            data[f"digest-{c.part.name}"] = digest(c.theirs)
        return conflict.conflicts
    except ValidationError as error:
        _errors_onto(form, error)
        return None
    family = episode.family
    if "submit" not in request.POST:
        messages.success(request, "Your draft is saved.")
        return redirect("assessment", family_id=family.pk)
    try:
        services.assessment_submit(episode=episode, by=request.user)
    except services.NotEditable as error:
        _errors_onto(form, error)
        return None
    except ValidationError:
        current = EarlyHelpAssessment.objects.get(episode=episode)
        for name, message in services.assessment_missing(current, current_members_of(family)):
            field = f"section-{name}" if f"section-{name}" in form.fields else None
            form.add_error(field, message)
        _refresh_versions(form, current)
        return None
    messages.success(request, "The assessment is submitted to your manager to sign off.")
    return redirect("family-detail", family_id=family.pk)


def _refresh_versions(form, current):
    """After a draft save, the page's base versions are what was just saved."""
    values, versions, _ = _values(current)
    for part in form.parts:
        form.data[f"version-{part.name}"] = str(versions.get(part.name, 0))
        form.data[f"digest-{part.name}"] = digest(
            values.get(part.name, [] if part.key == INDICATORS else "")
        )


def _errors_onto(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = f"section-{name}"
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _last_return(current):
    if current is None or current.status != EarlyHelpAssessment.Status.RETURNED:
        return None
    return current.status_changes.filter(status="returned").select_related("by").first()


def _read_only(request, family, current, members, *, template="assessments/assessment.html"):
    return render(
        request,
        template,
        {
            "family": family,
            "assessment": current,
            "narrative": _narrative(current, members) if current else [],
            "problems": current.headline_problems() if current else [],
            "history": current.status_changes.select_related("by") if current else [],
            "can": family.allowed_actions,
        },
    )


@keeps_session_idle
@require_POST
def assessment_autosave(request, family_id):
    """Save one part as the practitioner types (JSON). Not activity: the idle timeout runs on."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if episode is None:
        return JsonResponse({"error": f"{family.name} has no open episode"}, status=409)
    try:
        payload = json_input.loads(request.body.decode())
        name, base, value = payload["part"], int(payload["version"]), payload["value"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "Send a part, its version and its value"}, status=400)
    if "\x00" in str(value):  # PostgreSQL keeps no NUL in text; a form field refuses it too
        return JsonResponse({"error": "The text must not contain a null character"}, status=400)
    part = next((p for p in parts_for(current_members_of(family)) if p.name == name), None)
    expected = list if part is not None and part.key == INDICATORS else str
    if part is None or not isinstance(value, expected):
        return JsonResponse({"error": f"This assessment has no part {name!r}"}, status=400)
    try:
        versions = services.assessment_parts_save(
            episode=episode, changes=[services.Change(part, base, value)], by=request.user
        )
    except services.PartsConflict as conflict:
        c = conflict.conflicts[0]
        return JsonResponse(
            {
                "conflict": True,
                "part": c.part.name,
                "label": c.part.label,
                "theirs": c.theirs,
                "their_version": c.their_version,
                "by": str(c.by) if c.by else "",
                "at": timezone.localtime(c.at).strftime("%H:%M") if c.at else "",
            },
            status=409,
        )
    except services.NotEditable as error:
        return JsonResponse({"error": " ".join(error.messages), "locked": True}, status=409)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {
            "part": name,
            "version": versions[name],
            "digest": digest(value),
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
        }
    )


@login_required
def assessment_sign_off(request, family_id):
    family = family_for(request.user, family_id, action=Action.SIGN_OFF)
    current = _assessment_of(family, None)
    if current is None or current.status != EarlyHelpAssessment.Status.SUBMITTED:
        messages.error(request, "No assessment of this family awaits sign-off.")
        return redirect("family-detail", family_id=family.pk)
    form = DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.assessment_decide(
                assessment=current,
                sign_off=form.signs_off,
                comments=form.cleaned_data["comments"],
                by=request.user,
            ),
        )
        if done:
            message = (
                "The assessment is signed off."
                if form.signs_off
                else "The assessment is returned to the lead practitioner."
            )
            return saved(request, family, message)
    members = current_members_of(family)
    return render(
        request,
        "assessments/sign_off.html",
        {
            "family": family,
            "assessment": current,
            "narrative": _narrative(current, members),
            "problems": current.headline_problems(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def assessment_print(request, family_id):
    """The assessment and the plan, to print and share with the family."""
    family, episode = episode_for(request, family_id, Action.VIEW_CASEWORK)
    current = _assessment_of(family, episode)
    members = current_members_of(family)
    # Without an open episode, the latest one: a family stepped up to social care is read
    # there from its last early help plan, assessed or not.
    episode = current.episode if current else episode or latest_episode_of(family)
    if episode is None:
        raise Http404("No episode")
    return render(
        request,
        "assessments/print.html",
        {
            "family": family,
            "episode": episode,
            "assessment": current,
            "members": members,
            "narrative": _narrative(current, members) if current else [],
            "problems": current.headline_problems() if current else [],
            "actions": episode.actions.select_related("owner__team__organisation"),
            "team": current_team_of(episode),
            "meetings": TafMeeting.objects.filter(episode=episode).prefetch_related(
                "attendees", "family_present__person"
            ),
            "reviews": PlanReview.objects.filter(episode=episode),
            "printed_on": timezone.localdate(),
        },
    )


TOOL_FORMS = {"family-star": ToolScore.Tool.FAMILY_STAR, "rickter": ToolScore.Tool.RICKTER}


@login_required
def tool_score_add(request, family_id, tool):
    family, episode = episode_for(request, family_id, Action.KEEP_CASE)
    if tool not in TOOL_FORMS:
        raise Http404("No such tool")
    if episode is None:
        return no_open_episode(request, family)
    version = _plan_for(_assessment_of(family, episode))
    kind = TOOL_FORMS[tool]
    data = posted(request)
    if kind == ToolScore.Tool.FAMILY_STAR:
        form = FamilyStarForm(data, episode=episode, plan=version.plan)
    else:
        form = RickterForm(
            data, episode=episode, plan=version.plan, members=current_members_of(family)
        )
    if request.method == "POST" and form.is_valid():
        score = apply_service(
            form,
            lambda: services.tool_score_record(
                episode=episode,
                tool=kind,
                stage=form.cleaned_data["stage"],
                person=form.cleaned_data.get("person"),
                scored_on=form.cleaned_data["scored_on"],
                scores=form.scores(),
                desired=form.desired() if kind == ToolScore.Tool.RICKTER else None,
                by=request.user,
            ),
        )
        if score:
            return saved(request, family, "The scores are recorded.", "#scores")
    return form_page(
        request,
        family,
        form,
        title=f"Record {ToolScore.Tool(kind).label} scores",
        button="Save the scores",
        intro="Rickter headings marked (R) are reversed: a lower score is better."
        if kind == ToolScore.Tool.RICKTER
        else "Score each area from 1 (stuck) to 10 (effective parenting), with the parents.",
    )
