"""The family page tells the story: a chronology of everything, filterable by kind and paged,
in a fixed number of queries whatever its length."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseNote, PlanAction, PlanActionUpdate, PlanReview, TafMeeting, TafMember
from tests.episode_worlds import agency_user, complete_case
from workspace.chronology import chronology, chronology_page, entries

pytestmark = pytest.mark.django_db


def fill(episode, lead, n):
    """`n` chronology entries of every kind, in bulk."""
    today = timezone.localdate()
    kinds = ["visit", "call", "contact"]
    CaseNote.objects.bulk_create(
        CaseNote(
            episode=episode,
            kind=kinds[i % 3],
            happened_on=today - timedelta(days=i % 40),
            text=f"Note {i}",
            written_by=lead,
        )
        for i in range(n // 2)
    )
    actions = PlanAction.objects.bulk_create(
        PlanAction(episode=episode, what=f"Action {i}", due_on=today, created_by=lead)
        for i in range(n // 4)
    )
    PlanActionUpdate.objects.bulk_create(
        PlanActionUpdate(action=a, status="in_progress", note="Started", by=lead) for a in actions
    )
    TafMeeting.objects.bulk_create(
        TafMeeting(episode=episode, held_on=today, decisions="d", recorded_by=lead)
        for _ in range(n - n // 2 - 2 * (n // 4))
    )


# The session, the user; the gate (the family, the reader's team and agreements, the
# relations, the audit row); members, episodes, consents and their agencies; steps and leads,
# tool scores (with their plan version; none recorded, no plan is read for empty tables), work
# conversations, the assessment and its parts, the plan, the team, meetings and reviews, a
# closure asked for, the chronology's page; results and requests.
PAGE_QUERIES = 25


def test_the_family_page_runs_a_fixed_number_of_queries_whatever_the_chronology(
    users, client_for, django_assert_max_num_queries
):
    family, episode, _ = complete_case(users)
    lead = client_for("practitioner")
    url = reverse("family-detail", args=[family.pk])
    counts = []
    for entries_made in (5, 95):  # 5, then 100 entries
        fill(episode, users["practitioner"], entries_made)
        with django_assert_max_num_queries(PAGE_QUERIES) as queries:
            response = lead.get(url)
        assert response.status_code == 200 and "Chronology" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1] == PAGE_QUERIES, counts
    assert chronology(family.pk).count() > 100
    # A filtered later page costs the same; one past the end asks for the length first.
    with django_assert_max_num_queries(counts[0]):
        lead.get(url, {"kind": "notes", "page": 2})
    with django_assert_max_num_queries(counts[0] + 2):
        lead.get(url, {"kind": "reviews", "page": 9})


def test_the_chronology_is_everything_newest_first_and_filters_by_kind(users, client_for):
    family, episode, teacher = complete_case(users)
    CaseNote.objects.create(
        episode=episode,
        kind="visit",
        happened_on=timezone.localdate(),
        text="Saw everyone at home",
        written_by=teacher,
    )
    rows = entries(chronology(family.pk))
    kinds = {row.kind for row in rows}
    assert {"notes", "actions", "meetings", "reviews", "team", "episode"} <= kinds
    assert rows == sorted(rows, key=lambda r: r.at, reverse=True)
    notes = entries(chronology(family.pk, kind="notes"))
    assert [n.title for n in notes] == ["Visit"] and notes[0].by == str(teacher)
    page = client_for("practitioner").get(
        reverse("family-detail", args=[family.pk]), {"kind": "team"}
    )
    text = page.content.decode()
    assert f"{teacher} ({teacher.organisation}) joined the team" in text
    assert "Saw everyone at home" not in text


def test_a_page_of_the_chronology_is_the_same_as_the_whole_ordered(users):
    family, episode, _ = complete_case(users)
    fill(episode, users["practitioner"], 40)
    other, other_episode, _ = complete_case(users)
    fill(other_episode, users["practitioner"], 8)
    for which in (family, other):  # the SQL is compiled once and reused for each family
        whole = [(e.kind, e.ref) for e in entries(chronology(which.pk))]
        page = chronology_page(which.pk, size=500)
        assert [(e.kind, e.ref) for e in page.object_list] == whole
        assert page.paginator.count == len(whole)
    notes = chronology_page(other.pk, kind="notes", size=3, number=2)
    assert notes.paginator.count == 4 and len(notes.object_list) == 1
    assert chronology_page(other.pk, kind="notes", size=3, number=99).number == 2


def test_the_chronology_is_paged(users, client_for):
    family, episode, _ = complete_case(users)
    fill(episode, users["practitioner"], 60)
    lead = client_for("practitioner")
    first = lead.get(reverse("family-detail", args=[family.pk])).content.decode()
    assert "Pages of the chronology" in first and "page=2#chronology" in first
    total = chronology(family.pk).count()
    last_page = (total + 24) // 25
    last = lead.get(reverse("family-detail", args=[family.pk]), {"page": last_page})
    assert last.status_code == 200


def test_the_chronology_tells_the_episodes_story_in_words(users):
    family, episode, teacher = complete_case(users)
    TafMember.objects.filter(user=teacher).update(left_on=timezone.localdate())
    PlanReview.objects.create(
        episode=episode, held_on=timezone.localdate(), progress="Calmer", recorded_by=teacher
    )
    titles = [row.title for row in entries(chronology(family.pk))]
    assert "Review of the plan" in titles
    assert any(t.endswith("left the team") for t in titles)
    assert "Assessment: signed off" not in titles  # made directly: no status change recorded
    assert any(t.startswith("Episode opened, led by") for t in titles)
    assert "Team around the family meeting" in titles


def test_a_member_who_is_not_the_author_sees_the_same_story(users):
    family, episode, _ = complete_case(users)
    assert len(entries(chronology(family.pk))) == chronology(family.pk).count()
    nurse = agency_user("health")
    TafMember.objects.create(episode=episode, user=nurse, joined_on=timezone.localdate())
    assert any(str(nurse) in row.title for row in entries(chronology(family.pk, kind="team")))
