"""The team around the family at work: members join and leave (and lose access), actions,
meetings, reviews and case notes, each form refusing bad input without saving anything."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseNote, PlanAction, PlanActionUpdate, PlanReview, TafMeeting, TafMember
from conftest import sign_in
from earlyhelp.models import AuditEntry
from tests.dates import typed
from tests.episode_worlds import agency_user
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()


def dated(data: dict) -> dict:
    """The dates a parametrized case names, as of the moment the test runs: cases are built
    when the suite is collected, and a run that passes midnight must not find yesterday's
    "tomorrow" already today."""
    today = timezone.localdate()
    days = {"TOMORROW": today + timedelta(days=1), "YESTERDAY": today - timedelta(days=1)}
    return typed(
        {k: days[v].isoformat() if isinstance(v, str) and v in days else v for k, v in data.items()}
    )


@pytest.fixture
def case(users):
    family = make_family("Nowak family", members=2, lead=users["practitioner"])
    episode = family.episodes.get()
    episode.started_on = TODAY - timedelta(days=30)
    episode.save()
    return family


@pytest.fixture
def lead(client_for):
    return client_for("practitioner")


def url(name, family, *args):
    return reverse(name, args=[family.pk, *args])


def test_members_from_two_agencies_join_see_the_family_and_lose_it_on_leaving(lead, case):
    teacher, nurse = agency_user("education"), agency_user("health")
    for user in (teacher, nurse):
        response = lead.post(
            url("taf-member-add", case), typed({"user": user.pk, "joined_on": YESTERDAY})
        )
        assert response.status_code == 302
    as_teacher = sign_in(Client(), teacher)
    assert as_teacher.get(url("family-detail", case)).status_code == 200
    member = TafMember.objects.get(user=teacher)
    assert (
        lead.post(
            url("taf-member-leave", case, member.pk), typed({"left_on": YESTERDAY})
        ).status_code
        == 302
    )
    assert as_teacher.get(url("family-detail", case)).status_code == 404
    assert as_teacher.get(url("case-note-add", case)).status_code == 404
    assert AuditEntry.objects.filter(user=teacher, outcome="not_found").exists()
    assert sign_in(Client(), nurse).get(url("family-detail", case)).status_code == 200


@pytest.mark.parametrize(
    "data, message",
    [
        ({"joined_on": "YESTERDAY"}, "Select practitioner"),
        ({"user": "999999", "joined_on": "YESTERDAY"}, "Select practitioner from the list"),
        ({"user": "LEAD", "joined_on": "YESTERDAY"}, "Select practitioner from the list"),
        ({"user": "USER"}, "Enter the date they joined the team"),
        ({"user": "USER", "joined_on": "2026-02-30"}, "must be a real date"),
        ({"user": "USER", "joined_on": "TOMORROW"}, "must be today or in the past"),
        ({"user": "USER", "joined_on": "2001-01-01"}, "must be on or after the episode began"),
    ],
)
def test_bad_team_members_are_refused(lead, case, users, data, message):
    user = agency_user("education")
    data = dated(data)
    data = {
        k: {"USER": user.pk, "LEAD": users["practitioner"].pk}.get(v, v) for k, v in data.items()
    }
    response = lead.post(url("taf-member-add", case), data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert message in response.content.decode()
    assert not TafMember.objects.exists()


def test_someone_already_on_the_team_is_not_offered_again(lead, case):
    user = agency_user("education")
    lead.post(url("taf-member-add", case), typed({"user": user.pk, "joined_on": YESTERDAY}))
    response = lead.post(
        url("taf-member-add", case), typed({"user": user.pk, "joined_on": YESTERDAY})
    )
    assert response.status_code == 400 and TafMember.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Enter the date they left the team"),
        ({"left_on": "TOMORROW"}, "must be today or in the past"),
        ({"left_on": "2026-02-30"}, "must be a real date"),
        ({"left_on": "yesterday"}, "must include a month and a year"),
    ],
)
def test_bad_leaving_dates_are_refused(lead, case, data, message):
    member = TafMember.objects.create(
        episode=case.episodes.get(), user=agency_user(), joined_on=TODAY - timedelta(days=5)
    )
    response = lead.post(url("taf-member-leave", case, member.pk), dated(data))
    assert response.status_code == 400 and message in response.content.decode()
    member.refresh_from_db()
    assert member.left_on is None


def test_the_lead_adds_actions_for_a_member_or_the_family(lead, case, users):
    teacher = agency_user("education")
    TafMember.objects.create(episode=case.episodes.get(), user=teacher, joined_on=TODAY)
    form = lead.get(url("plan-action-add", case)).content.decode()
    assert "The family" in form and str(teacher) in form
    for owner in (teacher.pk, "family"):
        response = lead.post(
            url("plan-action-add", case),
            typed(
                {
                    "what": "Attend parenting group",
                    "owner": owner,
                    "due_on": TOMORROW,
                    "link": "outcome:6.4",
                }
            ),
        )
        assert response.status_code == 302
    actions = PlanAction.objects.order_by("pk")
    assert [a.owner_label for a in actions] == [str(teacher), "The family"]
    assert actions[0].outcome == "6.4" and actions[0].need == ""


@pytest.mark.parametrize(
    "data, message",
    [
        ({"owner": "family", "due_on": "TOMORROW"}, "Enter what will happen"),
        ({"what": "x", "due_on": "TOMORROW"}, "Select who will do it"),
        (
            {"what": "x", "owner": "12345", "due_on": "TOMORROW"},
            "Select who will do it from the list",
        ),
        ({"what": "x", "owner": "family"}, "Enter the date it is due by"),
        (
            {"what": "x", "owner": "family", "due_on": "YESTERDAY"},
            "The date it is due by must be today or in the future",
        ),
        (
            {"what": "x", "owner": "family", "due_on": "TOMORROW", "link": "need:9.9"},
            "from the list",
        ),
    ],
)
def test_bad_actions_are_refused(lead, case, data, message):
    data = dated(data)
    response = lead.post(url("plan-action-add", case), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not PlanAction.objects.exists()


def make_action(case, owner, by):
    return PlanAction.objects.create(
        episode=case.episodes.get(),
        what="Speak to the GP",
        owner=owner,
        due_on=TODAY,
        created_by=by,
    )


def test_members_update_the_actions_they_own_and_no_others(lead, case, users):
    teacher, nurse = agency_user("education"), agency_user("health")
    episode = case.episodes.get()
    for user in (teacher, nurse):
        TafMember.objects.create(episode=episode, user=user, joined_on=TODAY)
    mine, theirs = (
        make_action(case, teacher, users["practitioner"]),
        make_action(case, nurse, users["practitioner"]),
    )
    as_teacher = sign_in(Client(), teacher)
    # The family page offers each an "Update" link exactly where the owner rule allows one.
    page = as_teacher.get(reverse("family-detail", args=[case.pk])).content.decode()
    assert url("plan-action-update", case, mine.pk) in page
    assert url("plan-action-update", case, theirs.pk) not in page
    page = lead.get(reverse("family-detail", args=[case.pk])).content.decode()
    assert url("plan-action-update", case, mine.pk) in page
    assert url("plan-action-update", case, theirs.pk) in page
    done = as_teacher.post(
        url("plan-action-update", case, mine.pk), {"status": "done", "note": "Booked"}
    )
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "done" and PlanActionUpdate.objects.get().note == "Booked"
    refused = as_teacher.post(url("plan-action-update", case, theirs.pk), {"status": "done"})
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(
        user=teacher, action="update_any_action", outcome="forbidden"
    ).exists()
    theirs.refresh_from_db()
    assert theirs.status == "not_started"
    # The lead updates any action.
    assert (
        lead.post(url("plan-action-update", case, theirs.pk), {"status": "in_progress"}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select status"),
        ({"status": "finished"}, "Select status from the list"),
        ({"status": "stopped"}, "Enter why the action stopped"),
    ],
)
def test_bad_action_updates_are_refused(lead, case, users, data, message):
    action = make_action(case, users["practitioner"], users["practitioner"])
    response = lead.post(url("plan-action-update", case, action.pk), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not PlanActionUpdate.objects.exists()


def test_meetings_record_who_was_there_and_what_was_decided(lead, case, users):
    member = case.memberships.first()
    response = lead.post(
        url("taf-meeting-add", case),
        typed(
            {
                "held_on": YESTERDAY,
                "attendees": [users["practitioner"].pk],
                "family_present": [member.pk],
                "decisions": "School meeting next week",
            }
        ),
    )
    assert response.status_code == 302
    meeting = TafMeeting.objects.get()
    assert list(meeting.attendees.all()) == [users["practitioner"]]
    assert list(meeting.family_present.all()) == [member]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"held_on": "YESTERDAY", "others_present": "Aunt"}, "Enter decisions"),
        ({"decisions": "x", "others_present": "Aunt"}, "Enter the date of the meeting"),
        ({"held_on": "YESTERDAY", "decisions": "x"}, "Select who was at the meeting"),
        (
            {"held_on": "TOMORROW", "decisions": "x", "others_present": "Aunt"},
            "today or in the past",
        ),
        (
            {"held_on": "YESTERDAY", "decisions": "x", "attendees": ["999"]},
            "from the list",
        ),
    ],
)
def test_bad_meetings_are_refused(lead, case, data, message):
    response = lead.post(url("taf-meeting-add", case), dated(data))
    assert response.status_code == 400 and message in response.content.decode()
    assert not TafMeeting.objects.exists()


def test_a_review_moves_the_next_review_date(lead, case, set_policy):
    set_policy(review_interval_weeks=8)
    response = lead.post(
        url("plan-review-add", case), typed({"held_on": YESTERDAY, "progress": "Going well"})
    )
    assert response.status_code == 302
    page = lead.get(url("family-detail", case)).content.decode()
    due = TODAY - timedelta(days=1) + timedelta(weeks=8)
    assert f"Due {due.day} {due:%b %Y}" in page and "Overdue" not in page


def test_an_overdue_review_is_flagged_on_the_family_page(lead, case):
    episode = case.episodes.get()
    episode.started_on = TODAY - timedelta(weeks=9)
    episode.save()
    assert "Overdue" in lead.get(url("family-detail", case)).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"held_on": "YESTERDAY"}, "Enter progress since the last review"),
        ({"progress": "x"}, "Enter the date of the review"),
        ({"held_on": "2001-01-01", "progress": "x"}, "on or after the episode began"),
    ],
)
def test_bad_reviews_are_refused(lead, case, data, message):
    response = lead.post(url("plan-review-add", case), dated(data))
    assert response.status_code == 400 and message in response.content.decode()
    assert not PlanReview.objects.exists()


def test_a_taf_member_adds_case_notes_and_reads_them(case, users):
    nurse = agency_user("health")
    TafMember.objects.create(episode=case.episodes.get(), user=nurse, joined_on=TODAY)
    client = sign_in(Client(), nurse)
    member = case.memberships.first()
    response = client.post(
        url("case-note-add", case),
        typed(
            {
                "kind": "visit",
                "happened_on": YESTERDAY,
                "about": [member.pk],
                "text": "Home visit: well",
            }
        ),
    )
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert note.written_by == nurse and list(note.about.all()) == [member]
    assert "Home visit: well" in client.get(url("case-note-list", case)).content.decode()
    # A member does not keep the case: no actions of their own to add, no sign-off.
    assert client.get(url("plan-action-add", case)).status_code == 403
    assert client.get(url("closure-request", case)).status_code == 403


@pytest.mark.parametrize(
    "data, message",
    [
        ({"happened_on": "YESTERDAY", "text": "x"}, "Select kind of note"),
        (
            {"kind": "letter", "happened_on": "YESTERDAY", "text": "x"},
            "Select kind of note from the list",
        ),
        ({"kind": "call", "text": "x"}, "Enter the date it happened"),
        ({"kind": "call", "happened_on": "TOMORROW", "text": "x"}, "today or in the past"),
        ({"kind": "call", "happened_on": "YESTERDAY"}, "Enter note"),
        (
            {"kind": "call", "happened_on": "YESTERDAY", "text": "x", "about": ["0"]},
            "from the list",
        ),
    ],
)
def test_bad_case_notes_are_refused(lead, case, data, message):
    response = lead.post(url("case-note-add", case), dated(data))
    assert response.status_code == 400 and message in response.content.decode()
    assert not CaseNote.objects.exists()


# --- free text has a cap, in the services (pages and API refuse alike) -------------------------

LONG = "x" * 10_001


@pytest.mark.parametrize(
    "page, data, message",
    [
        (
            "case-note-add",
            {"kind": "call", "happened_on": YESTERDAY, "text": LONG},
            "Note must be 10,000 characters or fewer",
        ),
        (
            "plan-review-add",
            {"held_on": YESTERDAY, "progress": LONG},
            "Progress since the last review must be 10,000 characters or fewer",
        ),
        (
            "taf-meeting-add",
            {"held_on": YESTERDAY, "others_present": "Aunt", "decisions": LONG},
            "Decisions must be 10,000 characters or fewer",
        ),
        (
            "closure-request",
            {"reason": "needs_met", "needs_at_closure": LONG, "no_final_scores_reason": "None"},
            "The family&#x27;s needs at closure must be 10,000 characters or fewer",
        ),
        (
            "step-up-request",
            {"reason": LONG},
            "The reason the family needs children&#x27;s social care must be 10,000 characters "
            "or fewer",
        ),
    ],
)
def test_free_text_over_the_cap_is_refused_on_its_field(lead, case, page, data, message):
    response = lead.post(url(page, case), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and 'class="govuk-error-message"' in text
    assert not CaseNote.objects.exists() and not PlanReview.objects.exists()
    assert not TafMeeting.objects.exists()
    episode = case.episodes.get()
    assert not episode.closures.exists() and not episode.step_ups.exists()
    assert not AuditEntry.objects.filter(
        action__in=["case_note", "plan_review", "taf_meeting", "closure_request", "step_up_request"]
    ).exists()


def test_a_note_of_exactly_the_cap_is_saved(lead, case):
    response = lead.post(
        url("case-note-add", case),
        typed({"kind": "call", "happened_on": YESTERDAY, "text": "x" * 10_000}),
    )
    assert response.status_code == 302
    assert len(CaseNote.objects.get().text) == 10_000


def test_an_action_update_note_over_the_cap_is_refused(lead, case, users):
    action = make_action(case, users["practitioner"], users["practitioner"])
    response = lead.post(
        url("plan-action-update", case, action.pk), {"status": "done", "note": LONG}
    )
    assert response.status_code == 400
    assert "What has happened must be 10,000 characters or fewer" in response.content.decode()
    assert not PlanActionUpdate.objects.exists()
    action.refresh_from_db()
    assert action.status == "not_started"


def test_the_plan_table_shows_each_action_as_the_page_formats_it(lead, case, users):
    """The plan's rows are worked out in Python for the family page (workspace.family.plan_rows):
    the same words, date, status and escaping the template language gave them."""
    from django.utils.formats import date_format

    child = case.memberships.first().person
    child.first_name = "<b>Amy"
    child.save()
    action = PlanAction.objects.create(
        episode=case.episodes.get(),
        what="Book <the> GP\nthen the dentist",
        owner=None,
        for_person=child,
        due_on=TODAY + timedelta(days=40),
        status="in_progress",
        created_by=users["practitioner"],
    )
    page = lead.get(reverse("family-detail", args=[case.pk])).content.decode()
    assert "Book &lt;the&gt; GP<br>then the dentist" in page
    assert f'<td class="govuk-table__cell">{date_format(action.due_on)}</td>' in page
    assert '<strong class="govuk-tag govuk-tag--blue">In progress</strong>' in page
    assert "The family" in page
    assert f"for &lt;b&gt;Amy {child.last_name}" in page and "<b>Amy" not in page


def test_the_chronology_escapes_what_people_wrote(lead, case, users):
    """The chronology's rows are written in Python (workspace.chronology.Entry.row): what a
    note says is shown as written, never as markup."""
    CaseNote.objects.create(
        episode=case.episodes.get(),
        kind="visit",
        text="<i>Seen</i> & well",
        happened_on=TODAY,
        written_by=users["practitioner"],
    )
    page = lead.get(reverse("family-detail", args=[case.pk])).content.decode()
    assert "&lt;i&gt;Seen&lt;/i&gt; &amp; well" in page and "<i>Seen</i>" not in page
