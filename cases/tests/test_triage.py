"""The hub's queue and its decisions (DOMAIN §2, §4 step 2)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import SupportRequest, TriageDecision
from earlyhelp.models import AuditEntry, Locality, Organisation
from earlyhelp.tests.factories import UserFactory
from tests.worlds import make_family, open_episode

from .requesting import waiting_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(client_for):
    return client_for("hub")


def rows_of(page: str) -> list[str]:
    """The family names in the queue table, in the order shown."""
    import re

    return re.findall(
        r'href="/triage/\d+/">([^<]+)<span class="govuk-visually-hidden">, request', page
    )


def test_the_queue_shows_every_waiting_request_oldest_first(hub):
    charnwood = Locality.objects.create(name="Charnwood")
    school = Organisation.objects.create(name="Hall Primary", kind="education", tier=3)
    waiting_request(
        "Newer family", age=timedelta(hours=3), locality=charnwood, source_agency=school
    )
    waiting_request("Oldest family", age=timedelta(days=9), locality=charnwood)
    waiting_request("Middle family", age=timedelta(days=2), status="awaiting_allocation")
    waiting_request("Closed family", age=timedelta(days=20), status="closed")
    response = hub.get(reverse("triage-queue"))
    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200
    assert rows_of(page) == ["Oldest family", "Middle family", "Newer family"]
    assert "Hall Primary" in page and "Charnwood" in page and ">3 hours<" in page
    assert "3 requests: step-ups first, as urgent, then oldest first" in page
    listed = AuditEntry.objects.filter(action="triage_queue").latest("id").listed_family_ids
    assert len(listed) == 3


def test_the_queue_filters_by_locality_status_and_source(hub):
    charnwood = Locality.objects.create(name="Charnwood")
    melton = Locality.objects.create(name="Melton")
    school = Organisation.objects.create(name="Hall Primary", kind="education", tier=3)
    police = Organisation.objects.create(name="Leicestershire Police", kind="police", tier=3)
    waiting_request("School family", locality=charnwood, source_agency=school)
    waiting_request("Police family", locality=melton, source_agency=police)
    waiting_request("Own family", locality=melton, kind="family")
    waiting_request("Stepped family", locality=charnwood, kind="step_down")
    waiting_request("Allocating family", locality=melton, status="awaiting_allocation")
    url = reverse("triage-queue")
    assert rows_of(hub.get(url, {"locality": melton.pk}).content.decode()) == [
        "Police family",
        "Own family",
        "Allocating family",
    ]
    assert rows_of(hub.get(url, {"status": "awaiting_allocation"}).content.decode()) == [
        "Allocating family"
    ]
    assert rows_of(hub.get(url, {"source": "education"}).content.decode()) == ["School family"]
    assert rows_of(hub.get(url, {"source": "family"}).content.decode()) == ["Own family"]
    assert rows_of(hub.get(url, {"source": "step_down"}).content.decode()) == ["Stepped family"]
    both = hub.get(url, {"source": "police", "locality": charnwood.pk}).content.decode()
    assert rows_of(both) == [] and "No requests." in both


def test_bad_filters_are_refused_with_the_error_summary(hub):
    waiting_request("Any family")
    response = hub.get(reverse("triage-queue"), {"locality": "999999", "status": "lost"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert "Select locality from the list" in page and "Select status from the list" in page


def test_the_queue_is_paginated(hub):
    for i in range(30):
        waiting_request(f"Family{i:02d} family", age=timedelta(hours=100 - i))
    first = rows_of(hub.get(reverse("triage-queue")).content.decode())
    second = rows_of(hub.get(reverse("triage-queue"), {"page": 2}).content.decode())
    assert len(first) == 25 and len(second) == 5
    assert first[0] == "Family00 family" and second[-1] == "Family29 family"


def test_the_queue_runs_a_fixed_number_of_queries(hub, django_assert_max_num_queries):
    charnwood = Locality.objects.create(name="Charnwood")
    school = Organisation.objects.create(name="Hall Primary", kind="education", tier=3)
    url = reverse("triage-queue")
    filters = {"locality": charnwood.pk, "source": "education"}
    counted = {}
    made = 0
    for waiting in (3, 40):
        for i in range(made, waiting):
            support_request = waiting_request(
                f"Family{i} family", locality=charnwood, source_agency=school
            )
            if i % 3 == 0:  # some flagged, so the flags cost nothing per row either
                open_episode(support_request.family, UserFactory(role="practitioner"))
        made = waiting
        with django_assert_max_num_queries(10) as captured:
            response = hub.get(url, filters)
        assert response.status_code == 200
        assert len(rows_of(response.content.decode())) == min(waiting, 25)
        with django_assert_max_num_queries(12) as home:
            assert hub.get(reverse("home")).status_code == 200
        counted[waiting] = (len(captured), len(home))
    assert counted[3] == counted[40], counted


def test_only_the_hub_has_a_queue(client_for):
    for role in ("practitioner", "manager", "programme", "auditor", "administrator"):
        assert client_for(role).get(reverse("triage-queue")).status_code == 403


@pytest.mark.parametrize(
    "data, messages",
    [
        ({}, ["Select a decision", "Enter the reasons for your decision"]),
        ({"priority": "p3a", "rationale": ""}, ["Enter the reasons for your decision"]),
        ({"priority": "p3a", "rationale": "ok"}, ["Give the reasons for your decision"]),
        ({"priority": "p9", "rationale": "Because of the reasons."}, ["Select decision from"]),
        ({"rationale": "Multiple needs: school, housing."}, ["Select a decision"]),
        (
            {"priority": "nfa", "rationale": "x" * 5001},
            ["Give the reasons for your decision in 5,000 characters or fewer"],
        ),
    ],
)
def test_a_bad_decision_is_refused_and_nothing_is_saved(hub, data, messages):
    support_request = waiting_request("Khan family")
    response = hub.post(reverse("triage-request", args=[support_request.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page and "<title>Error:" in page
    for message in messages:
        assert message in page
    assert not TriageDecision.objects.exists()
    support_request.refresh_from_db()
    assert support_request.status == "awaiting_triage" and support_request.triaged_at is None


@pytest.mark.parametrize(
    "priority, rationale, problems",
    [
        ("", "Multiple needs: school, housing.", {"priority": ["Select a decision"]}),
        ("p9", "Multiple needs: school, housing.", {"priority": ["Select decision from the list"]}),
        ("p3a", "  ", {"rationale": ["Enter the reasons for your decision"]}),
        (
            "p3a",
            "  ok, p3a ",
            {"rationale": ["Give the reasons for your decision in a sentence or two"]},
        ),
        (
            "nfa",
            "x" * 5001,
            {"rationale": ["Give the reasons for your decision in 5,000 characters or fewer"]},
        ),
    ],
)
def test_the_triage_service_refuses_a_bad_decision_by_field(users, priority, rationale, problems):
    """The rules are support_request_triage's own, whoever calls it, in the page's words."""
    from django.core.exceptions import ValidationError

    from cases.front_door.services import support_request_triage

    support_request = waiting_request("Khan family")
    with pytest.raises(ValidationError) as refusal:
        support_request_triage(
            support_request_id=support_request.pk,
            priority=priority,
            rationale=rationale,
            by=users["hub"],
        )
    assert refusal.value.message_dict == problems
    assert not TriageDecision.objects.exists()
    assert not AuditEntry.objects.filter(action="triage").exists()
    support_request.refresh_from_db()
    assert support_request.status == "awaiting_triage" and support_request.triaged_at is None


@pytest.mark.parametrize(
    "priority, status",
    [
        ("p1", "stepped_up"),
        ("p2", "stepped_up"),
        ("p3a", "awaiting_allocation"),
        ("p3b", "awaiting_allocation"),
        ("advice", "closed"),
        ("nfa", "closed"),
    ],
)
def test_each_decision_is_recorded_with_the_time_it_took(hub, users, priority, status):
    support_request = waiting_request("Khan family", age=timedelta(days=2, hours=3))
    rationale = "Attendance and housing: needs a multi-agency response."
    response = hub.post(
        reverse("triage-request", args=[support_request.pk]),
        {"priority": priority, "rationale": rationale},
    )
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == status and support_request.triaged_at is not None
    decision = support_request.decision
    assert decision.decided_by == users["hub"] and decision.rationale == rationale
    assert timedelta(days=2, hours=3) <= decision.time_to_decision < timedelta(days=2, hours=4)
    assert decision.waited == "2 days 3 hours"
    family_page = hub.get(reverse("family-detail", args=[support_request.family_id]))
    shown = family_page.content.decode()
    assert decision.short_name in shown and "2 days 3 hours after the request" in shown
    assert rationale in shown
    assert AuditEntry.objects.filter(action="triage", family_id=support_request.family_id)


def test_the_second_of_two_decisions_is_told_who_was_first(client_for, users):
    support_request = waiting_request("Khan family")
    url = reverse("triage-request", args=[support_request.pk])
    decision = {"priority": "nfa", "rationale": "Needs met by the school already."}
    assert client_for("hub").post(url, decision).status_code == 302
    other = UserFactory(role="hub", first_name="Hana", last_name="Other")
    from django.test import Client

    from conftest import sign_in

    late = sign_in(Client(), other).post(url, {**decision, "priority": "p3a"}, follow=True)
    page = late.content.decode()
    assert f"This request was triaged by {users['hub']} a moment ago" in page
    assert TriageDecision.objects.get().priority == "nfa"


def test_a_practitioner_cannot_triage(client_for, users):
    led = waiting_request("Led family")
    open_episode(led.family, users["practitioner"])
    unrelated = waiting_request("Unrelated family")
    practitioner = client_for("practitioner")
    decision = {"priority": "nfa", "rationale": "Trying to decide this myself."}
    # They lead the family: they may read the request, not decide it (403).
    assert practitioner.get(reverse("triage-request", args=[led.pk])).status_code == 200
    assert practitioner.post(reverse("triage-request", args=[led.pk]), decision).status_code == 403
    # They have nothing to do with the other family: 404, as if it did not exist.
    assert practitioner.get(reverse("triage-request", args=[unrelated.pk])).status_code == 404
    response = practitioner.post(reverse("triage-request", args=[unrelated.pk]), decision)
    assert response.status_code == 404
    assert not TriageDecision.objects.exists()
    audit = AuditEntry.objects.filter(user=users["practitioner"])
    assert audit.filter(family_id=led.family_id, action="triage", outcome="forbidden").exists()
    assert audit.filter(family_id=unrelated.family_id, outcome="not_found").exists()
    assert practitioner.get(reverse("triage-request", args=[987654])).status_code == 404


def test_the_hub_loses_sight_of_a_family_30_days_after_triage(hub):
    support_request = waiting_request("Khan family")
    hub.post(
        reverse("triage-request", args=[support_request.pk]),
        {"priority": "advice", "rationale": "Signposted to the school nurse."},
    )
    family_url = reverse("family-detail", args=[support_request.family_id])
    assert hub.get(family_url).status_code == 200
    SupportRequest.objects.update(triaged_at=timezone.now() - timedelta(days=31))
    assert hub.get(family_url).status_code == 404
    assert hub.get(reverse("triage-request", args=[support_request.pk])).status_code == 404
    assert "Khan family" not in hub.get(reverse("home")).content.decode()


def test_a_request_waiting_for_allocation_stays_in_sight_however_long(hub):
    support_request = waiting_request("Khan family", status="awaiting_allocation")
    SupportRequest.objects.update(triaged_at=timezone.now() - timedelta(days=45))
    assert hub.get(reverse("family-detail", args=[support_request.family_id])).status_code == 200


def test_the_hub_home_is_its_queue_counted_by_age_with_its_recent_decisions(hub, users):
    for age in (timedelta(hours=1), timedelta(hours=5), timedelta(days=2), timedelta(days=10)):
        waiting_request(f"Aged{age.days}x{age.seconds} family", age=age)
    waiting_request("Waiting family", age=timedelta(days=4), status="awaiting_allocation")
    decided = waiting_request("Decided family", age=timedelta(days=1, hours=2))
    hub.post(
        reverse("triage-request", args=[decided.pk]),
        {"priority": "nfa", "rationale": "The school is already helping."},
    )
    page = hub.get(reverse("home")).content.decode()
    assert "Your triage queue" in page and "5 requests waiting, by age" in page
    bands = {
        # step-up, step-down, awaiting triage, awaiting allocation, all
        "Under 1 day": ("0", "0", "2", "0", "2"),
        "1 to 3 days": ("0", "0", "1", "0", "1"),
        "3 to 7 days": ("0", "0", "0", "1", "1"),
        "Over 7 days": ("0", "0", "1", "0", "1"),
    }
    import re

    for label, numbers in bands.items():
        row = re.search(rf">{label}</th>(.*?)</tr>", page, re.S).group(1)
        assert tuple(re.findall(r">(\d+)</td>", row)) == numbers, label
    recent = page[page.index("Your recent decisions") :]
    assert "Decided family" in recent and "No further action" in recent
    assert "1 day 2 hours" in recent


def test_other_roles_keep_their_own_home(client_for):
    page = client_for("practitioner").get(reverse("home")).content.decode()
    assert "Welcome" in page and "Your triage queue" not in page


def test_a_request_page_never_shows_to_a_family_without_it_being_visible(client_for):
    family = make_family("Hidden family")
    support_request = waiting_request(family=family)
    for role in ("manager", "programme", "auditor", "administrator"):
        assert (
            client_for(role).get(reverse("triage-request", args=[support_request.pk])).status_code
            == 404
        )


def test_your_requests_runs_a_fixed_number_of_queries(
    client_for, users, django_assert_max_num_queries
):
    practitioner = client_for("practitioner")
    counted = []
    for total in (2, 12):
        while SupportRequest.objects.filter(submitted_by=users["practitioner"]).count() < total:
            made = waiting_request(f"Sent{SupportRequest.objects.count()} family")
            SupportRequest.objects.filter(pk=made.pk).update(submitted_by=users["practitioner"])
        with django_assert_max_num_queries(14) as captured:
            page = practitioner.get(reverse("request-list")).content.decode()
        assert page.count("Awaiting triage") == total
        counted.append(len(captured))
    assert counted[0] == counted[1]
