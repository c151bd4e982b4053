"""The navigation offers each role exactly the pages it may open (README, "Design")."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ROLES, sign_in
from earlyhelp.access import ROLE_PAGES, roles_that_may
from earlyhelp.navigation import NAV_ITEMS, nav_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_every_link_in_a_roles_navigation_opens(users, role):
    client = sign_in(Client(), users[role])
    for item in nav_for(users[role], "/"):
        response = client.get(item["url"])
        assert response.status_code == 200, (
            f"{role}: {item['label']} answers {response.status_code}"
        )


@pytest.mark.parametrize("item", [i for i in NAV_ITEMS if i.actions], ids=lambda i: i.url_name)
def test_a_page_behind_an_action_is_in_the_navigation_of_exactly_its_roles(users, item):
    allowed = set().union(*(roles_that_may(action) for action in item.actions))
    shown = {role for role in ROLES if item.label in labels(users[role])}
    assert shown == allowed
    denied = sorted(set(ROLES) - allowed)
    for role in denied:
        response = sign_in(Client(), users[role]).get(reverse(item.url_name))
        assert response.status_code == 403, f"{role} opens {item.url_name}"


def test_the_navigation_follows_the_table_when_the_table_changes(users, monkeypatch):
    assert "Caseload dashboard" not in labels(users["auditor"])
    monkeypatch.setitem(
        ROLE_PAGES, "auditor", ROLE_PAGES.get("auditor", frozenset()) | {"see_caseload_dashboard"}
    )
    assert "Caseload dashboard" in labels(users["auditor"])


def labels(user) -> set[str]:
    return {item["label"] for item in nav_for(user, "/")}
