"""The access table: who may see which family or person, and do what there (DOMAIN §1).

This is the core half of the one gate. It holds the table — each *relation* a user can
have to a family (they lead its episode, sit on its team, their agency holds consent under
an agreement, its request is in the hub's queue…), the actions each relation grants, and
which roles can have which relations — and the decision: no relation answers 404, never
confirming the record exists; a relation without the action answers 403; both are audited,
as is every allowed read.

The other half, `cases.gate`, loads families and persons and asks this table. Every path
that shows, links, exports or offers a family or person — page, export, search, duplicate
offer, the partner API — goes through it.

Each relation is one `Reach`: the records through which the user reaches families (the
episodes they lead, the team places they hold…) and the path from such a record to its
family. From that one definition come both questions' answers: "how is this user related to
this family" for one record (an `Exists` over the family's own records, `Reach.exists`) and
"which families" for a list (the records' family ids, `Reach.family_ids`, whose union is the
visible set: it costs as much as the user's own records, not a check of every family in the
database). The definitions live with the records they read (`cases.relations`,
`assessments.relations`, `outcomes.relations`, `partners.relations`, and break-glass here),
each registered with `@defines(...)` when its app is ready: the core imports no app, and a
relation no app defines grants nothing (a system check and a test say so loudly).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from . import audit
from .models import AuditEntry, BreakGlass, Role


class Action(StrEnum):
    VIEW = "view"  # the family summary, its members and their person records
    VIEW_CASEWORK = "view_casework"  # assessment narrative, plan, case notes
    VIEW_EVIDENCE = "view_evidence"  # outcome evidence, results, claims
    EDIT = "edit"  # change the family's or a member's records
    ADD_CASE_NOTE = "add_case_note"
    ADD_EVIDENCE = "add_evidence"  # outcome evidence, and corrections of it
    # A plan action: the lead updates any, a TAF member those they own (`action_to_update`).
    UPDATE_ANY_ACTION = "update_any_action"
    UPDATE_OWN_ACTION = "update_own_action"
    SIGN_OFF = "sign_off"  # assessments and closures
    REASSIGN = "reassign"
    NAME_LEAD = "name_lead"  # the lead agency's team manager names the lead practitioner
    # ... or ends an episode no one leads: a single-service response whose support ended, or a
    # family gone before a lead was named (there is no lead to ask for closure).
    END_UNLED = "end_unled"
    TRIAGE = "triage"
    ALLOCATE = "allocate"
    ATTACH = "attach"
    BUILD_CLAIM = "build_claim"
    RECORD_VERDICT = "record_verdict"
    SEE_AUDIT = "see_audit"  # "who has seen this record"
    MERGE = "merge"  # persons
    # The lead's work on the episode: the assessment, the team, the plan, meetings,
    # reviews and outcome tool scores.
    KEEP_CASE = "keep_case"
    CLOSE = "close"  # ask for the episode's closure, or a step-up to social care
    STEP_DOWN = "step_down"  # social care asks to hand the family back to early help
    # Work on pages about no one family, granted to a role (ROLE_PAGES), never on a family.
    CONFIGURE = "configure"  # users, organisations, localities, plan versions, agreements
    BREAK_GLASS = "break_glass"  # open one family for a few hours, with a written reason
    SEE_CASELOAD_DASHBOARD = "see_caseload_dashboard"  # a manager's teams, cut and counted
    SEE_PANEL_FIGURES = "see_panel_figures"  # the employment triage panel's figures
    RUN_NIGHTLY = "run_nightly"  # the nightly results job: its runs, and starting one
    # Programme years (claim windows, targets, funding, the audit sample) and school terms.
    CONFIGURE_PROGRAMME = "configure_programme"
    # The programme's reports (seed 002's tables): the programme team's of every family, a
    # manager's of their teams' (the families each may see).
    SEE_PROGRAMME_REPORTS = "see_programme_reports"
    # The national returns (DOMAIN §10): the NIS extract and Family Progress Data, and their
    # layouts. Each family in a file is still the gate's answer for its maker.
    MAKE_RETURNS = "make_returns"
    # The partner API's change feed. Its triggers watch the tables that practitioners'
    # relations read (partners/tests/test_change_feed_coverage.py), and no other role's: a
    # role whose relation reads an unwatched table would keep records it may no longer see.
    FOLLOW_CHANGES = "follow_changes"


class Relation(StrEnum):
    LEAD = "lead practitioner"
    TAF = "team around the family"
    AGENCY = "agency consent under a sharing agreement"
    AGENCY_CASEWORK = "agency consent covering casework"
    AGENCY_EVIDENCE = "agency consent covering evidence"
    HUB = "request in the hub's queue"
    DUPLICATE_TO_CHECK = "a possible duplicate for the hub to check"
    EMPLOYMENT_PANEL = "referral before the employment triage panel"
    STEP_UP_AT_FRONT_DOOR = "step-up request at the front door"
    STEP_DOWN_AT_FRONT_DOOR = "step-down request at the front door"
    SOCIAL_CARE = "holds the family in social care after a step-up"
    MANAGER = "manages the lead practitioner"
    AGENCY_MANAGER = "manages a team of the lead agency, no lead practitioner named"
    PROGRAMME = "attached to the programme"
    PROGRAMME_CANDIDATE = "a candidate for the programme"
    AUDITOR = "in an audit sample"
    BREAK_GLASS = "break-glass access"


A = Action
GRANTS: dict[Relation, frozenset[Action]] = {
    # "lead: everything on the episode but sign-off"
    Relation.LEAD: frozenset(
        {
            A.VIEW,
            A.VIEW_CASEWORK,
            A.VIEW_EVIDENCE,
            A.EDIT,
            A.ADD_CASE_NOTE,
            A.ADD_EVIDENCE,
            A.UPDATE_ANY_ACTION,
            A.UPDATE_OWN_ACTION,
            A.KEEP_CASE,
            A.CLOSE,
        }
    ),
    # "TAF member: read, update the actions they own, add case notes"
    # Partners on the team bring their agency's evidence (a school's attendance…).
    Relation.TAF: frozenset(
        {A.VIEW, A.VIEW_CASEWORK, A.ADD_CASE_NOTE, A.ADD_EVIDENCE, A.UPDATE_OWN_ACTION}
    ),
    # An agency's consent reaches only the kinds of data that both the consent
    # and the agreement cover.
    Relation.AGENCY: frozenset({A.VIEW}),
    Relation.AGENCY_CASEWORK: frozenset({A.VIEW_CASEWORK}),
    # …and an agency whose consent covers evidence may send it (a school's attendance feed).
    Relation.AGENCY_EVIDENCE: frozenset({A.VIEW_EVIDENCE, A.ADD_EVIDENCE}),
    # "read the request and linked records, triage, allocate": reading, not changing, the
    # family's people and addresses; "duplicates checked" at triage (§4 step 2), so merging
    # the people of a request the hub holds, never editing them.
    Relation.HUB: frozenset({A.VIEW, A.VIEW_CASEWORK, A.TRIAGE, A.ALLOCATE, A.MERGE}),
    # Someone recorded a new person although a likely match they may not see exists: the
    # hub sees both records' families until it decides whether to merge them (DOMAIN §3).
    Relation.DUPLICATE_TO_CHECK: frozenset({A.VIEW, A.MERGE}),
    # The weekly employment triage panel: a completed work conversation is a referral it
    # allocates to a provider (DOMAIN §7). It reads the referral; it changes nothing else.
    Relation.EMPLOYMENT_PANEL: frozenset({A.VIEW, A.ALLOCATE}),
    # "a step-up request goes to the front door, where hub staff … record the decision";
    # "step-down requests from social care go through the same triage" (§4 steps 2, 8).
    Relation.STEP_UP_AT_FRONT_DOOR: frozenset({A.VIEW, A.VIEW_CASEWORK, A.TRIAGE}),
    Relation.STEP_DOWN_AT_FRONT_DOOR: frozenset({A.VIEW, A.VIEW_CASEWORK, A.TRIAGE}),
    # The social worker a step-up handed the family to: "its social workers raise step-down
    # requests" (§4 step 8). It ends when their step-down is accepted.
    Relation.SOCIAL_CARE: frozenset({A.VIEW, A.VIEW_CASEWORK, A.STEP_DOWN}),
    # "read; sign off EHAs and closures; reassign"
    Relation.MANAGER: frozenset(
        {A.VIEW, A.VIEW_CASEWORK, A.VIEW_EVIDENCE, A.SIGN_OFF, A.REASSIGN, A.SEE_AUDIT}
    ),
    # "the lead agency names the lead practitioner" (§4 step 3): while an open episode has no
    # named lead, its agency's team managers read the request and the family ("manager: read")
    # and name the lead. §1 lets a practitioner see a family "whose current episode they lead":
    # with no lead named (a P3b single-service response, or a P3a waiting for its lead) no
    # practitioner of the agency sees it through the agency, only its managers do.
    Relation.AGENCY_MANAGER: frozenset({A.VIEW, A.VIEW_CASEWORK, A.NAME_LEAD, A.END_UNLED}),
    # "read the family summary, evidence, outcomes and claims, not case notes or
    # the EHA narrative; attach; build claim batches" — and bring in the evidence the
    # claims rest on: the programme team uploads partners' evidence files (issue 10),
    # for attached families only.
    Relation.PROGRAMME: frozenset(
        {A.VIEW, A.VIEW_EVIDENCE, A.ADD_EVIDENCE, A.ATTACH, A.BUILD_CLAIM}
    ),
    # "…and candidates": an open episode whose signed-off assessment ticks enough indicators to
    # be eligible. The programme team reads the summary and decides whether to attach, and
    # records the evidence that makes attachment possible, which often arrives through them
    # (issue 17), seeing what is recorded as they do.
    Relation.PROGRAMME_CANDIDATE: frozenset({A.VIEW, A.VIEW_EVIDENCE, A.ADD_EVIDENCE, A.ATTACH}),
    # "read their evidence packs; record a verdict"
    Relation.AUDITOR: frozenset({A.VIEW, A.VIEW_EVIDENCE, A.RECORD_VERDICT}),
    Relation.BREAK_GLASS: frozenset({A.VIEW, A.VIEW_CASEWORK, A.VIEW_EVIDENCE, A.SEE_AUDIT}),
}

# Relations that make a family visible at all (the others only widen what a
# visible family allows).
VISIBLE_THROUGH = frozenset(GRANTS) - {Relation.AGENCY_CASEWORK, Relation.AGENCY_EVIDENCE}

ROLE_RELATIONS: dict[str, tuple[Relation, ...]] = {
    Role.PRACTITIONER: (
        Relation.LEAD,
        Relation.TAF,
        Relation.AGENCY,
        Relation.AGENCY_CASEWORK,
        Relation.AGENCY_EVIDENCE,
        Relation.SOCIAL_CARE,
    ),
    Role.HUB: (
        Relation.HUB,
        Relation.DUPLICATE_TO_CHECK,
        Relation.STEP_UP_AT_FRONT_DOOR,
        Relation.STEP_DOWN_AT_FRONT_DOOR,
        Relation.EMPLOYMENT_PANEL,
    ),
    Role.MANAGER: (Relation.MANAGER, Relation.AGENCY_MANAGER),
    Role.PROGRAMME: (Relation.PROGRAMME, Relation.PROGRAMME_CANDIDATE),
    Role.AUDITOR: (Relation.AUDITOR,),
    Role.ADMINISTRATOR: (Relation.BREAK_GLASS,),
}

# Actions a role may take on any existing record, whatever its relations: administrators
# read the audit trail of any record (who has seen it), not the record. Nothing that shows
# or changes a record is role-wide: merging needs a relation to both persons.
ROLE_WIDE: dict[str, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset({A.SEE_AUDIT}),
}


# Work on pages about no one family, by role (DOMAIN §1's last column where it names no
# family): administrators' configuration and break-glass, managers' dashboards, the
# programme team's nightly runs and national returns. The gate's `decide` never reads this
# table: it opens pages, not families; the families a page lists are still the gate's answer
# for the reader.
ROLE_PAGES: dict[str, frozenset[Action]] = {
    Role.PRACTITIONER: frozenset({A.FOLLOW_CHANGES}),  # partner systems read as practitioners
    Role.ADMINISTRATOR: frozenset(
        {A.CONFIGURE, A.BREAK_GLASS, A.RUN_NIGHTLY, A.CONFIGURE_PROGRAMME}
    ),
    Role.MANAGER: frozenset(
        {A.SEE_CASELOAD_DASHBOARD, A.SEE_PANEL_FIGURES, A.SEE_PROGRAMME_REPORTS}
    ),
    Role.PROGRAMME: frozenset(
        {
            A.SEE_PANEL_FIGURES,
            A.RUN_NIGHTLY,
            A.CONFIGURE_PROGRAMME,
            A.SEE_PROGRAMME_REPORTS,
            A.MAKE_RETURNS,
        }
    ),
    Role.HUB: frozenset({A.SEE_PANEL_FIGURES}),
}


def roles_that_may(action: Action) -> frozenset[str]:
    """The roles that may take `action` somewhere: through a relation that grants it, on any
    record (ROLE_WIDE), or on a page about no one family (ROLE_PAGES). Who a page for it is
    open to."""
    return (
        frozenset(
            role
            for role, relations in ROLE_RELATIONS.items()
            if any(action in GRANTS[relation] for relation in relations)
        )
        | frozenset(role for role, actions in ROLE_WIDE.items() if action in actions)
        | frozenset(role for role, actions in ROLE_PAGES.items() if action in actions)
    )


def role_may(user, *actions: Action) -> bool:
    """Whether `user`'s role may take any of `actions` somewhere (`roles_that_may`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(user.role in roles_that_may(action) for action in actions)


def role_actions(role: str) -> frozenset[Action]:
    """Every action `role` may take somewhere: what templates are told the reader may do
    where a page is about no one family (a family's own are `family.allowed_actions`)."""
    return frozenset(action for action in Action if role in roles_that_may(action))


def page_for(*actions: Action):
    """The one role check for pages: a page for whoever may take one of `actions` somewhere
    (`roles_that_may`, read from the table). Anyone signed out signs in first; anyone else
    signed in gets 403. The families the page shows or acts on are still the gate's question,
    asked on the page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def page(request, *args, **kwargs):
            if not role_may(request.user, *actions):
                raise PermissionDenied("This page is not part of your role.")
            return view(request, *args, **kwargs)

        return page

    return decorator


def action_to_update(*, owner_id: int | None, user) -> Action:
    """What the gate must grant to update a plan action owned by `owner_id`: one's own needs
    UPDATE_OWN_ACTION (the lead and TAF members have it), anyone else's or the family's
    UPDATE_ANY_ACTION (the lead's alone)."""
    mine = owner_id is not None and owner_id == getattr(user, "pk", None)
    return Action.UPDATE_OWN_ACTION if mine else Action.UPDATE_ANY_ACTION


def may_update_action(allowed: set[Action], *, owner_id: int | None, user) -> bool:
    """Whether `user`, allowed `allowed` on the family, may update an action owned by
    `owner_id` (what the family page shows an "Update" link for)."""
    return action_to_update(owner_id=owner_id, user=user) in allowed


@dataclass(frozen=True)
class Moment:
    """The one date and time every relation of one question is judged at."""

    today: date
    now: datetime


@dataclass(frozen=True)
class Reach:
    """The records through which a relation reaches families, and the path from one of them to
    its family (`family`, `episode__family`…). Both forms of the relation are read from it, so
    a list and a record can never disagree about who sees what."""

    records: QuerySet
    family: str = "family"

    def exists(self, family_id: str = "pk") -> Exists:
        """Whether the family whose id the outer row holds at `family_id` (a Family's own
        `pk`, a membership's `family_id`…) is reached: for one record, or row by row."""
        return Exists(self.records.filter(**{self.family: OuterRef(family_id)}))

    def family_ids(self) -> QuerySet:
        """The ids of the families reached (as `reached`), as a subquery: for lists.

        A path through another record (`episode__family`) looks each record's family up by
        that record's key, one index probe a record: a join would let PostgreSQL read every
        episode in the database to find the families of the few hundred records reached."""
        hop, _, rest = self.family.partition("__")
        if not rest:
            return self.records.order_by().values(reached=F(self.family))
        through = self.records.model._meta.get_field(hop).related_model
        family_of = through.objects.filter(pk=OuterRef(hop)).order_by().values(rest)[:1]
        return self.records.order_by().values(reached=Subquery(family_of))

    def newest_family_ids(self, count: int) -> QuerySet:
        """The ids of the `count` newest families reached (the highest record numbers)."""
        return self.family_ids().distinct().order_by("-reached")[:count]


# A definition: (user, the relations wanted of it, the moment) -> {relation: Reach}. One
# function may define several relations that share a query.
Definition = Callable[[object, frozenset, Moment], dict]
_DEFINITIONS: dict[Relation, Definition] = {}


def defines(*relations: Relation):
    """Register the function that defines these relations (once each, by the app that owns
    the records they read)."""

    def register(definition: Definition) -> Definition:
        for relation in relations:
            known = _DEFINITIONS.get(relation)
            if known is not None and known.__qualname__ != definition.__qualname__:
                raise ImproperlyConfigured(f"{relation!r} is defined twice")
            _DEFINITIONS[relation] = definition
        return definition

    return register


def undefined_relations() -> set[Relation]:
    """Relations some role can have that no app defines (they would silently grant nothing)."""
    named = {relation for relations in ROLE_RELATIONS.values() for relation in relations}
    return named - set(_DEFINITIONS)


# What the gate works out about a user, kept while one request is answered (set by
# `earlyhelp.middleware.GateRequestMiddleware`): a page asks the gate several times, and
# building each relation (a practitioner's reads their agency's agreements) and compiling the
# union of them would otherwise be done again for every list on it. Only the shape of the
# questions is kept, never an answer: the SQL runs afresh each time. The service's settings
# are kept here too (earlyhelp.policy: one read a request). Outside a request (commands,
# tasks, tests calling selectors) nothing is kept.
_kept: contextvars.ContextVar[dict | None] = contextvars.ContextVar("gate_kept", default=None)


@contextmanager
def kept_for_one_request():
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def kept(key: tuple, make: Callable):
    """`make()`, or what it made earlier in this request for the same `key`."""
    found = _kept.get()
    if found is None:
        return make()
    if key not in found:
        found[key] = make()
    return found[key]


def forget(key: tuple) -> None:
    """Make `key` afresh when next asked in this request (what it was made from changed)."""
    found = _kept.get()
    if found is not None:
        found.pop(key, None)


def user_key(user) -> tuple:
    """What the gate's questions about `user` depend on besides the records."""
    return (
        getattr(user, "pk", None),
        getattr(user, "role", None),
        getattr(user, "team_id", None),
        getattr(user, "is_active", False),
    )


def relation_reaches(user) -> dict[Relation, Reach]:
    """Each relation the user's role can have, as the records it reaches families through,
    in the table's order."""
    return kept(("reaches", *user_key(user)), lambda: _relation_reaches(user))


def _relation_reaches(user) -> dict[Relation, Reach]:
    wanted = frozenset(ROLE_RELATIONS.get(getattr(user, "role", None), ()))
    moment = Moment(today=timezone.localdate(), now=timezone.now())
    found: dict[Relation, Reach] = {}
    asked: list[Definition] = []
    for relation in Relation:
        definition = _DEFINITIONS.get(relation)
        if relation in wanted and definition is not None and definition not in asked:
            asked.append(definition)
            found.update(definition(user, wanted, moment))
    return {relation: found[relation] for relation in Relation if relation in found.keys() & wanted}


def relation_subqueries(user) -> dict[Relation, Exists]:
    """Each relation the user's role can have, as an Exists over `OuterRef("pk")` of a Family,
    in the table's order: how one family is related to the user."""
    return {relation: reach.exists() for relation, reach in relation_reaches(user).items()}


@defines(Relation.BREAK_GLASS)
def _break_glass(user, wanted, moment) -> dict:
    grants = BreakGlass.objects.filter(user=user, expires_at__gt=moment.now)
    return {Relation.BREAK_GLASS: Reach(grants)}


def allowed_actions(user, relations: set[Relation]) -> set[Action]:
    actions: set[Action] = set()
    if relations & VISIBLE_THROUGH:
        for relation in relations:
            actions |= GRANTS[relation]
    return actions


def actions_of(user, relations: set[Relation]) -> set[Action]:
    """What `user` may do on a record they reach through `relations`, role-wide grants too."""
    return allowed_actions(user, relations) | ROLE_WIDE.get(getattr(user, "role", None), set())


def decide(user, action: Action, *, exists: bool, relations: set[Relation], record: dict):
    role_wide = ROLE_WIDE.get(getattr(user, "role", None), frozenset())
    if exists and action in role_wide and getattr(user, "is_active", False):
        audit.record(user, action=action, outcome=AuditEntry.Outcome.ALLOWED, **record)
        return
    if not exists or not (relations & VISIBLE_THROUGH):
        audit.record(user, action=action, outcome=AuditEntry.Outcome.NOT_FOUND, **record)
        raise Http404("No such record")
    if action not in allowed_actions(user, relations):
        audit.record(user, action=action, outcome=AuditEntry.Outcome.FORBIDDEN, **record)
        raise PermissionDenied("You cannot do this for this family.")
    audit.record(
        user,
        action=action,
        outcome=AuditEntry.Outcome.ALLOWED,
        detail="; ".join(sorted(relations)),
        **record,
    )


def record_listing(user, families=(), *, persons=(), action: str = "list") -> None:
    """A list or search page: one audit entry naming every family and person it showed."""
    audit.record(
        user,
        action=action,
        outcome=AuditEntry.Outcome.ALLOWED,
        listed_family_ids=[f.pk for f in families],
        listed_person_ids=[p.pk for p in persons],
    )


def as_id(value) -> int:
    """A record id from a URL or payload; anything else is a record that does not exist."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    if not 0 < pk < 2**63:  # no record has it, and the audit row could not hold it
        raise Http404("No such record")
    return pk
