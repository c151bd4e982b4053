"""Administrators' configuration pages: users, teams, organisations, localities."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.models import Locality, Organisation, Team, User, UserSession
from earlyhelp.tests.factories import TeamFactory, UserFactory
from earlyhelp.tests.test_sign_in import error_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client_for):
    return client_for("administrator")


@pytest.fixture
def team(db):
    return TeamFactory(name="Charnwood family support")


def new_user_data(team, /, **overrides):
    return {
        "username": "newstarter",
        "first_name": "Nia",
        "last_name": "Starter",
        "email": "nia@example.org",
        "job_title": "Family worker",
        "role": "practitioner",
        "team": team.pk,
        **overrides,
    }


def test_add_a_user_emails_them_a_link_to_choose_a_password(admin, team):
    response = admin.post(reverse("manage-user-add"), new_user_data(team))
    assert response.status_code == 302
    user = User.objects.get(username="newstarter")
    assert (user.role, user.team, user.is_staff) == ("practitioner", team, False)
    assert user.has_usable_password() and not user.check_password("")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nia@example.org"]
    assert "/password-reset/" in mail.outbox[0].body


def test_making_someone_an_administrator_opens_the_admin_to_them(admin, users, team):
    hub = users["hub"]
    data = new_user_data(team, username=hub.username, email=hub.email, role="administrator")
    assert admin.post(reverse("manage-user-edit", args=[hub.pk]), data).status_code == 302
    hub.refresh_from_db()
    assert hub.role == "administrator" and hub.is_staff and hub.is_superuser


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (
            {
                "username": "",
                "first_name": "",
                "last_name": "",
                "email": "",
                "role": "",
                "team": "",
            },
            [
                "Enter username",
                "Enter first name",
                "Enter last name",
                "Enter email address",
                "Select role",
                "Select team",
            ],
        ),
        ({"username": "has spaces!"}, ["Username must only include letters, digits and . @ + - _"]),
        (
            {"email": "nia-at-example"},
            ["Enter an email address in the correct format, like name@example.gov.uk"],
        ),
        ({"role": "superhero"}, ["Select role from the list"]),
        ({"team": "999999"}, ["Select team from the list"]),
        ({"username": "hub"}, ["A user with this username already exists"]),
        ({"email": "HUB@example.org"}, ["Another user already has this email address"]),
    ],
)
def test_add_user_bad_input_saves_nothing(admin, users, team, overrides, expected):
    before = User.objects.count()
    response = admin.post(reverse("manage-user-add"), new_user_data(team, **overrides))
    assert response.status_code == 400
    assert error_summary(response) == expected
    assert User.objects.count() == before
    assert mail.outbox == []


def test_only_managers_manage_teams(admin, team):
    data = new_user_data(team, managed_teams=[team.pk])
    response = admin.post(reverse("manage-user-add"), data)
    assert error_summary(response) == ["Only managers manage teams: clear these or choose Manager"]
    assert not User.objects.filter(username="newstarter").exists()
    data["role"] = "manager"
    assert admin.post(reverse("manage-user-add"), data).status_code == 302
    assert User.objects.get(username="newstarter").managed_teams.get() == team


def test_deactivate_from_the_user_page_ends_their_sessions(admin, users, client):
    from django.test import Client

    leaver = users["practitioner"]
    browser = Client()
    browser.post(
        reverse("sign-in"), {"username": leaver.username, "password": "correct horse battery"}
    )
    assert UserSession.objects.filter(user=leaver).exists()
    response = admin.post(reverse("manage-user-deactivate", args=[leaver.pk]))
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert browser.get(reverse("home")).status_code == 302
    page = admin.get(reverse("manage-user-edit", args=[leaver.pk]))
    assert "This user is deactivated and cannot sign in." in page.content.decode()
    admin.post(reverse("manage-user-reactivate", args=[leaver.pk]))
    leaver.refresh_from_db()
    assert leaver.is_active and leaver.deactivated_at is None


def test_an_administrator_cannot_deactivate_themselves(admin, users):
    me = users["administrator"]
    admin.post(reverse("manage-user-deactivate", args=[me.pk]))
    me.refresh_from_db()
    assert me.is_active


def test_reset_two_factor_removes_the_device_and_signs_them_out(admin, users):
    manager = users["manager"]
    TOTPDevice.objects.create(user=manager, name="lost phone", confirmed=True)
    admin.post(reverse("manage-user-reset-two-factor", args=[manager.pk]))
    assert not TOTPDevice.objects.filter(user=manager).exists()


def test_user_list_filters_and_keeps_its_query_count(admin, users, django_assert_max_num_queries):
    for n in range(60):
        UserFactory(username=f"bulk{n}", role="practitioner")
    with django_assert_max_num_queries(12):
        page = admin.get(reverse("manage-user-list"))
    html = page.content.decode()
    assert "66 users" in html
    assert 'rel="next"' in html
    managers = admin.get(reverse("manage-user-list"), {"role": "manager"}).content.decode()
    assert "1 user<" in managers and ">manager<" in managers
    found = admin.get(reverse("manage-user-list"), {"q": "bulk59"}).content.decode()
    assert "1 user<" in found and "bulk59" in found


def test_section_lists_keep_their_query_count(admin, django_assert_max_num_queries):
    for n in range(30):
        TeamFactory(name=f"Team {n}")
    for slug in ["teams", "organisations", "localities"]:
        with django_assert_max_num_queries(10):
            assert admin.get(reverse("manage-list", args=[slug])).status_code == 200
    assert admin.get(reverse("manage-list", args=["families"])).status_code == 404


def test_add_organisation_takes_the_usual_tier_unless_told(admin):
    admin.post(
        reverse("manage-add", args=["organisations"]),
        {"name": "Social Care North", "kind": "social_care", "is_active": "on"},
    )
    assert Organisation.objects.get(name="Social Care North").tier == 1
    admin.post(
        reverse("manage-add", args=["organisations"]),
        {"name": "Local MST", "kind": "mst", "tier": "3"},
    )
    assert Organisation.objects.get(name="Local MST").tier == 3


@pytest.mark.parametrize(
    "slug, data, expected",
    [
        ("localities", {"name": "", "kind": ""}, ["Enter name", "Select kind of locality"]),
        (
            "localities",
            {"name": "Melton", "kind": "county"},
            ["Select kind of locality from the list"],
        ),
        (
            "localities",
            {"name": "Blaby", "kind": "district"},
            ["A locality with this name already exists"],
        ),
        ("organisations", {"name": "", "kind": ""}, ["Enter name", "Select kind of agency"]),
        (
            "organisations",
            {"name": "X", "kind": "police", "tier": "7"},
            ["Select tier in the need analysis from the list"],
        ),
        ("teams", {"organisation": "", "name": ""}, ["Select organisation", "Enter team name"]),
        (
            "teams",
            {"organisation": "ORG", "name": "Existing"},
            ["This organisation already has a team with this name"],
        ),
    ],
)
def test_section_forms_bad_input_saves_nothing(admin, slug, data, expected):
    Locality.objects.create(name="Blaby")
    existing = TeamFactory(name="Existing")
    data = {k: (existing.organisation_id if v == "ORG" else v) for k, v in data.items()}
    before = [Locality.objects.count(), Organisation.objects.count(), Team.objects.count()]
    response = admin.post(reverse("manage-add", args=[slug]), data)
    assert response.status_code == 400
    assert error_summary(response) == expected
    assert [Locality.objects.count(), Organisation.objects.count(), Team.objects.count()] == before


def test_edit_a_team(admin, team):
    other = Locality.objects.create(name="Melton")
    response = admin.post(
        reverse("manage-edit", args=["teams", team.pk]),
        {
            "organisation": team.organisation_id,
            "name": "Melton family support",
            "locality": other.pk,
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.locality) == ("Melton family support", other)
