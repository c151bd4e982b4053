"""What each role sees in the service navigation. Later capabilities add their pages here."""

from dataclasses import dataclass

from django.urls import reverse

from .models import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset


# Who makes requests for support day to day; anyone signed in may (the URLs are open).
REQUESTERS = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.PROGRAMME})

NAV_ITEMS = [
    NavItem("Home", "home", ALL_ROLES),
    NavItem("Triage queue", "triage-queue", frozenset({Role.HUB})),
    NavItem("Families", "family-list", ALL_ROLES - {Role.ADMINISTRATOR}),
    NavItem("Make a request", "request-start", REQUESTERS),
    NavItem("Your requests", "request-list", REQUESTERS),
    NavItem("Users and organisations", "manage", frozenset({Role.ADMINISTRATOR})),
    NavItem(
        "Outcomes plan",
        "plan-list",
        frozenset({Role.PROGRAMME, Role.AUDITOR, Role.ADMINISTRATOR, Role.MANAGER}),
    ),
    NavItem("Caseload dashboard", "dashboard-caseload", frozenset({Role.MANAGER})),
    # Practitioners reach it from a family's evidence page; the programme team works across
    # families, so it sits in their navigation.
    NavItem("Evidence files", "evidence-file-upload", frozenset({Role.PROGRAMME})),
    NavItem("Break-glass access", "break-glass", frozenset({Role.ADMINISTRATOR, Role.MANAGER})),
    NavItem("Step-up and step-down", "step-request-list", frozenset({Role.HUB})),
    NavItem("Employment triage panel", "employment-panel", frozenset({Role.HUB})),
    NavItem(
        "Employment panel figures",
        "dashboard-employment-panel",
        frozenset({Role.MANAGER, Role.PROGRAMME}),
    ),
    NavItem("Notifications", "notification-list", ALL_ROLES),
    NavItem("Your account", "account", ALL_ROLES),
]


def nav_for(user, current_path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if user.role in item.roles:
            url = reverse(item.url_name)
            under = current_path == url or (url != "/" and current_path.startswith(url))
            items.append({"label": item.label, "url": url, "current": under})
    # Only the closest item is current: /requests/new/… is "Make a request", not both.
    closest = max(
        (item for item in items if item["current"]), key=lambda i: len(i["url"]), default=None
    )
    for item in items:
        item["current"] = item is closest
    return items
