"""The service's settings in a page (issue 18: "Policy in pages, not environment variables"):
administrators change the review interval, the hub's window after triage and the caseload
target; each change is kept with who made it and when, and holds from the next request, in
Python and in the gate's SQL alike, with no restart."""

import importlib
from datetime import timedelta

import pgtrigger
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.gate import families_visible_to
from cases.models import SupportRequest
from cases.tests.requesting import waiting_request
from earlyhelp import access, policy
from earlyhelp.models import ServicePolicy
from earlyhelp.services import service_policy_update
from earlyhelp.tests.test_sign_in import error_summary
from tests.worlds import make_family

pytestmark = pytest.mark.django_db
URL = reverse("manage-service-settings")
GOOD = {"review_interval_weeks": "8", "hub_recent_triage_days": "30", "caseload_target": "10"}


@pytest.fixture
def ann(users):
    """The administrator, named as the history names her."""
    admin = users["administrator"]
    admin.first_name, admin.last_name = "Ann", "Admin"
    admin.save()
    return admin


@pytest.fixture
def admin(client_for, ann, set_policy):
    set_policy(review_interval_weeks=8, hub_recent_triage_days=30, caseload_target=10)
    return client_for("administrator")


def on(day) -> str:
    return f"on {timezone.localtime(day):%-d %B %Y}"


def test_an_administrator_changes_a_setting_and_the_history_says_who_what_and_when(admin):
    page = admin.get(URL)
    assert page.status_code == 200
    assert 'value="8"' in page.content.decode() and 'value="10"' in page.content.decode()

    response = admin.post(URL, {**GOOD, "caseload_target": "12"}, follow=True)

    assert response.status_code == 200
    assert policy.caseload_target() == 12
    html = response.content.decode()
    assert "The service settings are saved" in html
    sentence = (
        "Ann Admin changed the caseload target from 10 families to 12 families "
        f"{on(timezone.now())}"
    )
    assert sentence in html
    newest = policy.history()[0]
    assert newest.by.first_name == "Ann" and newest.sentence.startswith(sentence)


def test_two_settings_changed_at_once_are_one_sentence_and_no_change_writes_none(admin):
    admin.post(URL, {**GOOD, "review_interval_weeks": "6", "hub_recent_triage_days": "14"})
    newest = policy.history()[0].sentence
    assert newest.startswith(
        "Ann Admin changed the review interval from 8 weeks to 6 weeks and how long the hub "
        "sees a family after triage from 30 days to 14 days on "
    )
    events = ServicePolicy.pgh_event_model.objects.count()
    response = admin.post(
        URL, {**GOOD, "review_interval_weeks": "6", "hub_recent_triage_days": "14"}, follow=True
    )
    assert "Nothing changed" in response.content.decode()
    assert ServicePolicy.pgh_event_model.objects.count() == events


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("review_interval_weeks", "", "Enter the review interval"),
        (
            "review_interval_weeks",
            "eight",
            "Enter the review interval as a whole number of weeks, like 8",
        ),
        ("review_interval_weeks", "1", "Enter a review interval between 2 and 26 weeks"),
        ("review_interval_weeks", "27", "Enter a review interval between 2 and 26 weeks"),
        ("hub_recent_triage_days", "", "Enter how long the hub sees a family after triage"),
        (
            "hub_recent_triage_days",
            "2.5",
            "Enter how long the hub sees a family after triage as a whole number of days, like 30",
        ),
        (
            "hub_recent_triage_days",
            "0",
            "Enter a number of days between 1 and 90 for the hub to see a family after triage",
        ),
        (
            "hub_recent_triage_days",
            "91",
            "Enter a number of days between 1 and 90 for the hub to see a family after triage",
        ),
        ("caseload_target", "", "Enter the caseload target"),
        ("caseload_target", "-3", "Enter a caseload target between 1 and 50 families"),
        ("caseload_target", "51", "Enter a caseload target between 1 and 50 families"),
    ],
)
def test_a_bad_setting_is_refused_with_its_own_message_and_nothing_is_saved(
    admin, field, value, message
):
    events = ServicePolicy.pgh_event_model.objects.count()
    # Another setting changed beside the bad one is not saved either.
    other = "caseload_target" if field != "caseload_target" else "review_interval_weeks"
    response = admin.post(URL, {**GOOD, other: "9", field: value})

    assert response.status_code == 400
    assert error_summary(response) == [message]
    html = response.content.decode()
    assert "<title>Error: Service settings" in html and "Error: Error:" not in html
    assert html.count(message) == 2  # in the summary, and beside its field
    assert 'class="govuk-error-message"' in html
    assert policy.current() == policy.Policy(8, 30, 10)
    assert ServicePolicy.pgh_event_model.objects.count() == events


@pytest.mark.parametrize("role", ["practitioner", "hub", "manager", "programme", "auditor"])
def test_only_administrators_see_or_change_the_settings(client_for, set_policy, users, role):
    set_policy(caseload_target=10)
    other = client_for(role)
    assert other.get(URL).status_code == 403
    assert other.post(URL, {**GOOD, "caseload_target": "20"}).status_code == 403
    assert policy.caseload_target() == 10
    # The rule is the service's, whoever calls it.
    with pytest.raises(PermissionDenied):
        service_policy_update(by=users[role], caseload_target=20)
    assert policy.caseload_target() == 10


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "sign-in" in response.url


def test_the_service_refuses_bad_values_itself(ann):
    with pytest.raises(ValidationError) as refused:
        service_policy_update(by=ann, review_interval_weeks=0, caseload_target="12")
    assert refused.value.message_dict == {
        "review_interval_weeks": ["Enter a review interval between 2 and 26 weeks"],
        "caseload_target": ["Enter a caseload target between 1 and 50 families"],
    }
    with pytest.raises(TypeError):
        service_policy_update(by=ann, restart_needed=1)


def test_the_database_refuses_a_second_row_a_value_out_of_bounds_and_a_delete(set_policy):
    set_policy(caseload_target=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePolicy.objects.create(id=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePolicy.objects.update(caseload_target=0)
    with pytest.raises(InternalError), transaction.atomic():
        ServicePolicy.objects.all().delete()


# --- a change holds from the next request, with no restart ---------------------------------


def test_the_hub_window_changes_who_sees_a_family_from_the_next_request(admin, client_for):
    hub = client_for("hub")
    support_request = waiting_request("Khan family", status=SupportRequest.Status.CLOSED)
    SupportRequest.objects.filter(pk=support_request.pk).update(
        triaged_at=timezone.now() - timedelta(days=20)
    )
    family_url = reverse("family-detail", args=[support_request.family_id])
    assert hub.get(family_url).status_code == 200  # within 30 days

    admin.post(URL, {**GOOD, "hub_recent_triage_days": "14"})
    assert hub.get(family_url).status_code == 404  # the very next request: 20 > 14
    assert support_request.family not in families_visible_to(_hub_user(hub))

    admin.post(URL, {**GOOD, "hub_recent_triage_days": "21"})
    assert hub.get(family_url).status_code == 200
    assert support_request.family in families_visible_to(_hub_user(hub))


def _hub_user(client):
    from earlyhelp.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


def test_the_caseload_target_and_review_interval_change_the_pages_from_the_next_request(
    admin, client_for, users
):
    from tests.episode_worlds import managed_by
    from workspace.tests.test_home import episode_for

    managed_by(users["manager"], users["practitioner"])
    episode_for(users["practitioner"], name="Late family", started=7 * 7)  # 7 weeks ago
    manager = client_for("manager")
    home = manager.get(reverse("home"))
    assert home.context["target"] == 10 and home.context["overdue"].total == 0

    admin.post(URL, {**GOOD, "caseload_target": "12", "review_interval_weeks": "6"})

    home = manager.get(reverse("home"))
    assert home.context["target"] == 12 and home.context["overdue"].total == 1


def test_python_and_sql_read_the_same_stored_window(set_policy, users):
    set_policy(hub_recent_triage_days=3)
    now = timezone.now()
    start = ServicePolicy.objects.annotate(at=policy.hub_window_start(now)).get().at
    assert start == now - timedelta(days=policy.hub_recent_triage_days()) == now - timedelta(3)


def test_the_settings_are_read_once_a_request_and_afresh_after_a_change(set_policy, ann):
    set_policy(caseload_target=10)
    with access.kept_for_one_request():
        with CaptureQueriesContext(connection) as read:
            assert policy.caseload_target() == 10
            assert policy.review_interval() == timedelta(weeks=8)
            assert policy.hub_recent_triage_days() == 30
        assert len(read.captured_queries) == 1
        service_policy_update(by=ann, caseload_target=11)
        assert policy.caseload_target() == 11  # not the value read before the change


def test_a_missing_row_reads_as_the_defaults_in_python_and_sql(users):
    """A test database's flush empties the table; the service reads the model's defaults."""
    with pgtrigger.ignore("earlyhelp.ServicePolicy:service_policy_kept"):
        ServicePolicy.objects.all().delete()
    assert policy.current() == policy.DEFAULT == policy.Policy(8, 30, 10)
    family = make_family("Old family")
    support_request = waiting_request(family=family, status=SupportRequest.Status.CLOSED)
    SupportRequest.objects.filter(pk=support_request.pk).update(
        triaged_at=timezone.now() - timedelta(days=29)
    )
    assert family in families_visible_to(users["hub"])


def test_the_first_settings_are_those_the_environment_had(monkeypatch):
    """A deployment that set the old environment variables keeps their values (in bounds)."""
    migration = importlib.import_module("earlyhelp.migrations.0006_service_policy")
    with pgtrigger.ignore("earlyhelp.ServicePolicy:service_policy_kept"):
        ServicePolicy.objects.all().delete()
    monkeypatch.setenv("REVIEW_INTERVAL_WEEKS", "6")
    monkeypatch.setenv("CASELOAD_TARGET", "500")  # out of bounds: the default
    monkeypatch.setenv("HUB_RECENT_TRIAGE_DAYS", "twenty")  # not a number: the default
    migration.first_settings(apps, None)
    assert policy.current() == policy.Policy(6, 30, 10)
