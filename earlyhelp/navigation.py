"""What each role sees in the service navigation. Later capabilities add their pages here.

A link to a page behind `page_for(action)` shows to exactly the roles that page lets in: the
item names the page's action and the access table decides (`role_may`), so the navigation
cannot offer a page that answers 403, nor hide one a role may use. Pages open to anyone
signed in name no action; a few of those are in the navigation only for the roles whose
daily work they are.
"""

from dataclasses import dataclass

from django.urls import reverse

from .access import Action, role_may
from .models import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    actions: tuple = ()  # the page's own `page_for` actions; none: anyone signed in may open it
    roles: frozenset = ALL_ROLES  # for pages anyone may open: whose daily work it is

    def shown_to(self, user) -> bool:
        if self.actions:
            return role_may(user, *self.actions)
        return user.role in self.roles


# Who makes requests for support day to day; anyone signed in may (the URLs are open).
REQUESTERS = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.PROGRAMME})
# Administrators see no family but through break-glass, so a list of families is not theirs.
FAMILY_READERS = ALL_ROLES - {Role.ADMINISTRATOR}

NAV_ITEMS = [
    NavItem("Home", "home"),
    NavItem("Triage queue", "triage-queue", (Action.TRIAGE,)),
    NavItem("Families", "family-list", roles=FAMILY_READERS),
    NavItem("Make a request", "request-start", roles=REQUESTERS),
    NavItem("Your requests", "request-list", roles=REQUESTERS),
    NavItem("Users and organisations", "manage", (Action.CONFIGURE,)),
    NavItem(
        "Outcomes plan",
        "plan-list",
        roles=frozenset({Role.PROGRAMME, Role.AUDITOR, Role.ADMINISTRATOR, Role.MANAGER}),
    ),
    NavItem("Programme reports", "report-index", (Action.SEE_PROGRAMME_REPORTS,)),
    NavItem("Programme years", "programme-year-list", (Action.CONFIGURE_PROGRAMME,)),
    NavItem("Caseload dashboard", "dashboard-caseload", (Action.SEE_CASELOAD_DASHBOARD,)),
    # Practitioners reach it from a family's evidence page; the programme team works across
    # families, so it sits in their navigation.
    NavItem("Evidence files", "evidence-file-upload", roles=frozenset({Role.PROGRAMME})),
    NavItem("Break-glass access", "break-glass", (Action.BREAK_GLASS, Action.SEE_AUDIT)),
    NavItem("Step-up and step-down", "step-request-list", (Action.TRIAGE,)),
    NavItem("Employment triage panel", "employment-panel", (Action.ALLOCATE,)),
    NavItem("Employment panel figures", "dashboard-employment-panel", (Action.SEE_PANEL_FIGURES,)),
    NavItem("National returns", "return-start", (Action.MAKE_RETURNS,)),
    NavItem("Notifications", "notification-list"),
    NavItem("Your account", "account"),
]


def nav_for(user, current_path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV_ITEMS:
        if item.shown_to(user):
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
