"""The hub's one queue (issue 18): requests for support, step-ups and step-downs, however they
were made, with what each is, how long it has waited, its urgency and where it is decided."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.front_door.selectors import hub_queue, hub_queue_items, queue_counts
from cases.models import StepDown, StepUp
from earlyhelp.models import AuditEntry, Locality
from earlyhelp.tests.factories import UserFactory
from tests.worlds import make_family

from .requesting import waiting_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(client_for):
    return client_for("hub")


def step_up(name, *, age=timedelta(hours=1), locality=None):
    lead = UserFactory(role="practitioner")
    family = make_family(name, lead=lead)
    if locality is not None:
        family.locality = locality
        family.save(update_fields=["locality"])
    up = StepUp.objects.create(
        episode=family.episodes.get(), reason="Bruises seen at school", requested_by=lead
    )
    StepUp.objects.filter(pk=up.pk).update(requested_at=timezone.now() - age)
    return up


def step_down(name, *, age=timedelta(hours=1)):
    worker = UserFactory(role="practitioner", first_name="Sam", last_name="Social")
    down = StepDown.objects.create(
        family=make_family(name),
        reason="The plan has worked",
        handover="Keep the school involved",
        requested_by=worker,
    )
    StepDown.objects.filter(pk=down.pk).update(requested_at=timezone.now() - age)
    return down


def families_in(page: str) -> list[str]:
    """The family names in the queue's rows, in the order shown."""
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="[^"]+">([^<]+)<', page
    )


def test_everything_waiting_is_in_one_queue_step_ups_first_then_oldest(hub, users):
    waiting_request("Request family", age=timedelta(days=3))
    waiting_request("Form step-down family", age=timedelta(days=1), kind="step_down")
    step_down("Step-down family", age=timedelta(days=2))
    step_up("Step-up family", age=timedelta(hours=2))
    StepUp.objects.create(  # decided: not waiting
        episode=make_family("Decided family", lead=UserFactory()).episodes.get(),
        reason="Old",
        requested_by=users["practitioner"],
        status="declined",
    )
    response = hub.get(reverse("triage-queue"))
    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 200
    assert families_in(page) == [
        "Step-up family",
        "Request family",
        "Step-down family",
        "Form step-down family",
    ]
    assert "Step-up to children's social care" in page and "Urgent" in page
    assert "Step-down from children's social care" in page
    assert "Step-down, sent as a request for support" in page
    assert ">2 hours<" in page and ">3 days<" in page
    assert "Decide the step-up" in page and "Decide the step-down" in page and ">Triage<" in page
    assert "4 requests: step-ups first, as urgent, then oldest first" in page
    listed = AuditEntry.objects.filter(action="triage_queue").latest("id").listed_family_ids
    assert len(listed) == 4


def test_the_queue_filters_by_what_it_is(hub):
    charnwood = Locality.objects.create(name="Charnwood")
    waiting_request("Request family", locality=charnwood)
    waiting_request("Form step-down family", kind="step_down")
    step_down("Step-down family")
    step_up("Step-up family", locality=charnwood)
    url = reverse("triage-queue")
    assert families_in(hub.get(url, {"what": "step_up"}).content.decode()) == ["Step-up family"]
    assert sorted(families_in(hub.get(url, {"what": "step_down"}).content.decode())) == [
        "Form step-down family",
        "Step-down family",
    ]
    assert families_in(hub.get(url, {"what": "request"}).content.decode()) == ["Request family"]
    assert families_in(hub.get(url, {"locality": charnwood.pk}).content.decode()) == [
        "Step-up family",
        "Request family",
    ]
    # Decided requests: the step requests awaiting a decision are not among them.
    assert families_in(hub.get(url, {"status": "allocated"}).content.decode()) == []


def test_the_queue_reads_the_same_number_of_queries_however_long(
    hub, django_assert_max_num_queries
):
    for i in range(3):
        waiting_request(f"Request{i} family")
        step_up(f"Up{i} family")
        step_down(f"Down{i} family")
    hub.get(reverse("triage-queue"))  # warm the per-process caches
    with django_assert_max_num_queries(16) as few:
        hub.get(reverse("triage-queue"))
    for i in range(3, 12):
        waiting_request(f"Request{i} family")
        step_up(f"Up{i} family")
        step_down(f"Down{i} family")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = hub.get(reverse("triage-queue")).content.decode()
    assert len(families_in(page)) == 25


def test_the_hub_home_counts_by_kind_and_urgency_and_lists_step_ups_first(
    hub, django_assert_max_num_queries
):
    waiting_request("Request family", age=timedelta(days=4))
    waiting_request("Form step-down family", kind="step_down", age=timedelta(hours=3))
    open_family = make_family("Open family", lead=UserFactory(first_name="Lena", last_name="Lead"))
    waiting_request(family=open_family, status="awaiting_allocation", age=timedelta(days=8))
    step_down("Step-down family", age=timedelta(days=2))
    step_up("Step-up family", age=timedelta(hours=5))
    hub.get(reverse("home"))
    with django_assert_max_num_queries(30):
        page = html.unescape(hub.get(reverse("home")).content.decode()).replace("\xa0", " ")
    assert "5 requests waiting, by age" in page
    summary = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Step-ups to children's social care 1 Urgent" in summary
    assert "Step-downs to early help 2 (1 sent as a request for support)" in summary
    assert (
        "Requests for support 3: 2 awaiting triage, 1 awaiting allocation, of which 1 for a "
        "family that already has an open episode" in summary
    )
    row = re.search(r">Under 1 day</th>(.*?)</tr>", page, re.S).group(1)
    # step-up, step-down, awaiting triage, awaiting allocation, all
    assert tuple(re.findall(r">(\d+)</td>", row)) == ("1", "0", "1", "0", "2")
    assert families_in(page)[0] == "Step-up family"
    assert "Decide: the family already has an open episode" in page


def test_only_the_hub_has_the_queue_and_others_count_nothing(client_for, users):
    step_up("Step-up family")
    waiting_request("Request family")
    assert client_for("practitioner").get(reverse("triage-queue")).status_code == 403
    assert client_for("manager").get(reverse("triage-queue")).status_code == 403
    for role in ("practitioner", "manager", "programme"):
        assert list(hub_queue(user=users[role])) == []
        assert queue_counts(user=users[role])["total"] == 0
    assert len(hub_queue_items(hub_queue(user=users["hub"]))) == 2


def test_a_step_down_made_through_the_request_form_shows_on_the_step_requests_page(hub):
    waiting_request("Form step-down family", kind="step_down")
    page = hub.get(reverse("step-request-list")).content.decode()
    assert "Form step-down family" in page


def test_the_step_requests_page_reads_the_same_number_of_queries_however_long(
    hub, django_assert_max_num_queries
):
    for i in range(2):
        waiting_request(f"Form{i} family", kind="step_down")
        step_up(f"Up{i} family")
        step_down(f"Down{i} family")
    hub.get(reverse("step-request-list"))
    with django_assert_max_num_queries(20) as few:
        hub.get(reverse("step-request-list"))
    for i in range(2, 8):
        waiting_request(f"Form{i} family", kind="step_down")
        step_up(f"Up{i} family")
        step_down(f"Down{i} family")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = hub.get(reverse("step-request-list")).content.decode()
    assert page.count("Step-downs sent as a request for support") == 1
    assert all(f"Form{i} family" in page for i in range(8))
