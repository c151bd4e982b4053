"""Writes for the episode's work: the team, the plan's actions, meetings, reviews, case notes.

Each takes the episode the view reached through the access gate, checks the
rules that belong to the domain (an action's owner is on the team; a member
leaves after they joined; what happened happened within the episode), refusing
every broken one at once keyed by field whoever the caller, and writes one
audit row.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.episode.selectors import current_team_of
from cases.models import (
    CaseNote,
    Episode,
    PlanAction,
    PlanActionUpdate,
    PlanReview,
    TafMeeting,
    TafMember,
)
from cases.people.selectors import current_memberships
from earlyhelp import audit, date_input, limits
from earlyhelp.models import AuditEntry

ALLOWED = AuditEntry.Outcome.ALLOWED


class ActionChanged(Exception):
    """Someone changed the action since the caller read it: their change would overwrite it."""


def action_version(action: PlanAction) -> str:
    """Changes whenever the action does: what an ETag names and an If-Match must repeat."""
    return f"{action.pk}-{int(action.updated_at.timestamp() * 1_000_000)}"


def _audit(by, episode, action, detail=""):
    audit.record(by, action=action, outcome=ALLOWED, family_id=episode.family_id, detail=detail)


# Free text on an episode's records: a long note runs to a few pages; a paste of megabytes is
# a mistake that every page and export showing the note would carry.
TEXT_MAX = limits.TEXT_MAX

# A write's broken rules, each field's messages under its name as the API names it.
Problems = dict[str, list[str]]


def text_limit_problems(**texts: tuple[str, str]) -> Problems:
    """Each text longer than TEXT_MAX, keyed by field: `field=(label, text)`."""
    return {
        field: [f"{label} must be {TEXT_MAX:,} characters or fewer"]
        for field, (label, text) in texts.items()
        if len(text or "") > TEXT_MAX
    }


def require_text_within_limit(**texts: tuple[str, str]) -> None:
    """Refuse, keyed by field, any text longer than TEXT_MAX: `field=(label, text)`."""
    if errors := text_limit_problems(**texts):
        raise ValidationError(errors)


# --- the words of the rules, which pages' forms and the API's serializers use too ------------

ACTION_STATUS_MISSING = "Select status"
ACTION_STATUS_UNKNOWN = "Select status from the list"
STOPPED_WITHOUT_NOTE = "Enter why the action stopped"
ACTION_NOTE = "What has happened"

NOTE_KIND_MISSING = "Select kind of note"
NOTE_KIND_UNKNOWN = "Select kind of note from the list"
NOTE_HAPPENED_ON = "Date it happened"
NOTE_ABOUT_NOT_MEMBERS = "Select who it was with or about from the list"
NOTE_TEXT = "Note"
NOTE_TEXT_MISSING = "Enter note"

TAF_JOINED_ON = "Date they joined the team"
TAF_LEFT_ON = "Date they left the team"
ACTION_DUE_ON = "By when"
ACTION_DUE_ON_NAME = "The date it is due by"
ACTION_DUE_IN_THE_PAST = "The date it is due by must be today or in the future"
MEETING_HELD_ON = "Date of the meeting"
MEETING_NOBODY_THERE = "Select who was at the meeting"
REVIEW_HELD_ON = "Date of the review"


def date_missing(label: str) -> str:
    return date_input.date_missing(label)


def date_not_real(label: str) -> str:
    return date_input.date_not_real(label)


def date_within_episode_problem(label: str, value: date, episode: Episode | None) -> str | None:
    """What is wrong with the date something in the episode happened: it is today or before,
    and not before the episode began."""
    if value > timezone.localdate():
        return f"{label} must be today or in the past"
    if episode is not None and value < episode.started_on:
        return (
            f"{label} must be on or after the episode began "
            f"({episode.started_on.day} {episode.started_on:%B %Y})"
        )
    return None


def episode_date_problems(field: str, label: str, value: date | None, episode) -> Problems:
    """The date something in the episode happened, given and within the episode, by field."""
    if value is None:
        return {field: [date_missing(label)]}
    if message := date_within_episode_problem(label, value, episode):
        return {field: [message]}
    return {}


def due_on_problems(due_on: date | None) -> Problems:
    """An action's "by when" (DOMAIN §4 step 5: "actions (what, who …, by when, …)") is today
    or later: a plan says what will happen."""
    if due_on is None:
        return {"due_on": [date_missing(ACTION_DUE_ON_NAME)]}
    if due_on < timezone.localdate():
        return {"due_on": [ACTION_DUE_IN_THE_PAST]}
    return {}


def meeting_attendance_problems(*, attendees, family_present, others_present) -> Problems:
    """A meeting records who was there (DOMAIN §4 step 5: "TAF meetings (date, attendees,
    decisions)"): a practitioner, a family member or someone else."""
    if attendees or family_present or (others_present or "").strip():
        return {}
    return {"attendees": [MEETING_NOBODY_THERE]}


def require_open(episode: Episode) -> None:
    if episode is None or episode.status != Episode.Status.OPEN:
        raise ValidationError("This family has no open episode")


def team_of(episode: Episode) -> list:
    """Everyone who may own an action: the lead practitioner and the current TAF members."""
    members = [m.user for m in current_team_of(episode)]
    lead = episode.lead_practitioner
    return [lead, *[u for u in members if u != lead]] if lead else members


@transaction.atomic
def taf_member_add(*, episode: Episode, user, joined_on, by) -> TafMember:
    problems = episode_date_problems("joined_on", TAF_JOINED_ON, joined_on, episode)
    if user == episode.lead_practitioner:
        problems["user"] = ["They lead this episode already"]
    if problems:
        raise ValidationError(problems)
    require_open(episode)
    try:
        with transaction.atomic():
            member = TafMember.objects.create(episode=episode, user=user, joined_on=joined_on)
    except IntegrityError:
        raise ValidationError({"user": "They are already on the team"}) from None
    _audit(by, episode, "taf_add", detail=f"user {user.pk}")
    return member


@transaction.atomic
def taf_member_leave(*, member: TafMember, left_on, by) -> TafMember:
    """Leaving ends the member's access to the family through the gate."""
    if member.left_on is not None:
        raise ValidationError("They have already left the team")
    if problems := episode_date_problems("left_on", TAF_LEFT_ON, left_on, member.episode):
        raise ValidationError(problems)
    if left_on < member.joined_on:
        raise ValidationError({"left_on": "The date they left must be on or after they joined"})
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    _audit(by, member.episode, "taf_leave", detail=f"user {member.user_id}")
    return member


@transaction.atomic
def plan_action_add(
    *, episode, what, owner, due_on, need="", outcome="", for_person=None, by
) -> PlanAction:
    problems = text_limit_problems(what=("What will happen", what)) | due_on_problems(due_on)
    if owner is not None and owner not in team_of(episode):
        problems["owner"] = ["Select someone on the team, or the family"]
    if (
        for_person is not None
        and not current_memberships().filter(family=episode.family_id, person=for_person).exists()
    ):
        problems["for_person"] = ["Select a member of the household, or the family"]
    if problems:
        raise ValidationError(problems)
    require_open(episode)
    action = PlanAction.objects.create(
        episode=episode,
        what=what,
        owner=owner,
        for_person=for_person,
        due_on=due_on,
        need=need,
        outcome=outcome,
        created_by=by,
    )
    _audit(by, episode, "plan_action_add", detail=f"action {action.pk}")
    return action


@transaction.atomic
def plan_action_update(
    *, action: PlanAction, status: str, note: str, by, expected_version: str | None = None
) -> PlanActionUpdate:
    """With `expected_version`, the update happens only if nobody changed the action since.

    The row is locked first, so of two writers holding the same version the second
    waits, then finds the version moved on and is refused.
    """
    problems = text_limit_problems(note=(ACTION_NOTE, note))
    if not status:
        problems["status"] = [ACTION_STATUS_MISSING]
    elif status not in PlanAction.Status.values:
        problems["status"] = [ACTION_STATUS_UNKNOWN]
    if status == PlanAction.Status.STOPPED and not (note or "").strip():
        problems["note"] = [STOPPED_WITHOUT_NOTE]
    if problems:
        raise ValidationError(problems)
    require_open(action.episode)
    current = PlanAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    if expected_version is not None and action_version(current) != expected_version:
        raise ActionChanged(f"Action {action.pk} changed since you read it: read it again")
    action.status = status
    action.save(update_fields=["status", "updated_at"])
    update = PlanActionUpdate.objects.create(action=action, status=status, note=note, by=by)
    _audit(by, action.episode, "plan_action_update", detail=f"action {action.pk}: {status}")
    return update


@transaction.atomic
def taf_meeting_record(
    *, episode, held_on, attendees, family_present, others_present, decisions, by
) -> TafMeeting:
    problems = (
        text_limit_problems(
            others_present=("Anyone else present", others_present),
            decisions=("Decisions", decisions),
        )
        | episode_date_problems("held_on", MEETING_HELD_ON, held_on, episode)
        | meeting_attendance_problems(
            attendees=attendees, family_present=family_present, others_present=others_present
        )
    )
    if problems:
        raise ValidationError(problems)
    require_open(episode)
    meeting = TafMeeting.objects.create(
        episode=episode,
        held_on=held_on,
        others_present=others_present,
        decisions=decisions,
        recorded_by=by,
    )
    meeting.attendees.set(attendees)
    meeting.family_present.set(family_present)
    _audit(by, episode, "taf_meeting", detail=f"meeting {meeting.pk}")
    return meeting


@transaction.atomic
def plan_review_record(*, episode, held_on, progress, changes_to_plan, by) -> PlanReview:
    problems = text_limit_problems(
        progress=("Progress since the last review", progress),
        changes_to_plan=("Changes to the plan", changes_to_plan),
    ) | episode_date_problems("held_on", REVIEW_HELD_ON, held_on, episode)
    if problems:
        raise ValidationError(problems)
    require_open(episode)
    review = PlanReview.objects.create(
        episode=episode,
        held_on=held_on,
        progress=progress,
        changes_to_plan=changes_to_plan,
        recorded_by=by,
    )
    _audit(by, episode, "plan_review", detail=f"review {review.pk}")
    return review


@transaction.atomic
def case_note_add(*, episode, kind, happened_on, about, text, by) -> CaseNote:
    """A note of something that happened in the episode; `about` names the people it was
    with or about by their person ids, each a current member of the family."""
    problems = text_limit_problems(text=(NOTE_TEXT, text))
    if not kind:
        problems["kind"] = [NOTE_KIND_MISSING]
    elif kind not in CaseNote.Kind.values:
        problems["kind"] = [NOTE_KIND_UNKNOWN]
    problems |= episode_date_problems("happened_on", NOTE_HAPPENED_ON, happened_on, episode)
    members = {
        m.person_id: m
        for m in current_memberships().filter(family=episode.family_id, person__in=about)
    }
    if set(about) - set(members):
        problems["about"] = [NOTE_ABOUT_NOT_MEMBERS]
    if not (text or "").strip():
        problems["text"] = [NOTE_TEXT_MISSING]
    if problems:
        raise ValidationError(problems)
    require_open(episode)
    note = CaseNote.objects.create(
        episode=episode, kind=kind, happened_on=happened_on, text=text, written_by=by
    )
    note.about.set(members.values())
    _audit(by, episode, "case_note", detail=f"note {note.pk}")
    return note
