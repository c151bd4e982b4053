"""Every URL in the URLconf, walked by every role, answers as that role expects.

The list of URLs is generated from the URLconf, and the test fails for any
named URL that has no expectation below: a new page cannot escape the matrix.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin import site
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.models import WorkConversation
from cases.models import (
    Consent,
    Episode,
    Family,
    FamilyMember,
    Person,
    PersonMerge,
    PlanAction,
    PossibleDuplicate,
    StepDown,
    StepUp,
    SupportRequest,
    TafMember,
    TriageDecision,
)
from conftest import ROLES, sign_in
from earlyhelp.models import AuditEntry, Locality, Organisation, Team, User, UserSession
from earlyhelp.tests.factories import UserFactory
from outcomes.models import (
    ClaimBatch,
    Evidence,
    FundingLine,
    NightlyRun,
    OutcomesPlanVersion,
    ProgrammeClaimWindow,
    SchoolTerm,
)
from partners.models import ApiClient, EvidenceFile, InformationSharingAgreement
from reports.registry import REPORTS
from tests.worlds import make_family, record_of

ANON = "anonymous"
EVERYONE = [ANON, *ROLES]
SIGNED_IN = ROLES
TWO_FACTOR = ["manager", "administrator"]


def answers(**by_role):
    """Expected status per role; `others` covers every role not named."""
    others = by_role.pop("others", None)
    table = {role: by_role.get(role, others) for role in EVERYONE}
    missing = [role for role, status in table.items() if status is None]
    assert not missing, f"no expectation for {missing}"
    return table


signed_in_page = answers(anonymous=302, others=200)
public_page = answers(others=200)
admin_page = answers(anonymous=302, administrator=200, others=403)
lead_only = answers(anonymous=302, practitioner=200, others=404)
api_lead_only = answers(anonymous=401, practitioner=200, others=404)
# Merging needs a relation to both records that grants it (the hub's): the matrix's people are
# the lead's, who may see them but not merge them; no one else may see them at all.
merger_page = answers(anonymous=302, practitioner=403, others=404)

EXPECTED = {
    "home": signed_in_page,
    # Only managers; a worker outside the manager's teams is not found (issue 9).
    "dashboard-caseload": answers(anonymous=302, manager=200, others=403),
    "team-reallocate": answers(anonymous=302, manager=404, others=403),
    "account": signed_in_page,
    "healthz": public_page,
    "sign-in": answers(anonymous=200, others=302),  # signed in: sent home
    "sign-out": answers(others=405),  # POST only
    "signed-out": public_page,
    "session-status": answers(anonymous=401, others=200),
    "session-extend": answers(others=405),  # POST only
    "two-factor-setup": answers(anonymous=302, manager=302, administrator=302, others=403),
    "two-factor-verify": answers(anonymous=302, manager=200, administrator=200, others=403),
    "password_reset": public_page,
    "password_reset_done": public_page,
    "password_reset_confirm": public_page,  # redirects to the token-less form
    "password_reset_complete": public_page,
    "admin:login": answers(others=302),
    "admin:logout": answers(anonymous=302, administrator=405, others=403),
    "admin:view_on_site": answers(anonymous=302, administrator=404, others=403),
    "admin:autocomplete": answers(anonymous=302, administrator=403, others=403),
    "manage": admin_page,
    "manage-user-list": admin_page,
    "manage-user-add": admin_page,
    "manage-user-edit": admin_page,
    "manage-user-deactivate": answers(anonymous=302, administrator=405, others=403),
    "manage-user-reactivate": answers(anonymous=302, administrator=405, others=403),
    "manage-user-reset-two-factor": answers(anonymous=302, administrator=405, others=403),
    "manage-list": admin_page,
    "manage-add": admin_page,
    "manage-edit": admin_page,
    "manage-service-settings": admin_page,
    # Families and persons: the matrix's family is led by the practitioner; the
    # gate answers 404 to every role without a relation to it (DOMAIN §1).
    "family-list": signed_in_page,
    "person-list": signed_in_page,
    "family-detail": lead_only,
    "family-history": lead_only,
    "member-add": lead_only,
    "person-detail": lead_only,
    "person-edit": lead_only,
    "address-add": lead_only,
    "person-history": lead_only,
    # Lead practitioners may not read the audit trail; administrators may, for any family.
    "family-seen-by": answers(anonymous=302, practitioner=403, administrator=200, others=404),
    "person-duplicates": merger_page,
    "person-merge": merger_page,
    "person-unmerge": answers(anonymous=302, others=405),  # POST only
    # The hub's possible duplicates to check (the matrix's one is decided, so opens nothing).
    "possible-duplicate-list": answers(anonymous=302, hub=200, others=403),
    "possible-duplicate-not-same": answers(anonymous=302, others=405),  # POST only
    "evidence-list": lead_only,
    "evidence-add": lead_only,
    "evidence-add-kind": lead_only,
    "evidence-correct": lead_only,
    # Evidence files: for the roles the gate lets add evidence; a report is its uploader's
    # alone (the matrix's file is the practitioner's, so the programme team gets 404).
    "evidence-file-upload": answers(anonymous=302, practitioner=200, programme=200, others=403),
    "evidence-file-report": answers(anonymous=302, practitioner=200, programme=404, others=403),
    "evidence-file-problems": answers(anonymous=302, practitioner=200, programme=404, others=403),
    # The plan is public within the service; only administrators change it.
    "plan-list": signed_in_page,
    "plan-detail": signed_in_page,
    "plan-copy": answers(anonymous=302, administrator=405, others=403),  # POST only
    "plan-edit": admin_page,
    # The nightly job's runs: the programme team's work, and administrators'.
    "nightly-run-list": answers(anonymous=302, programme=200, administrator=200, others=403),
    "nightly-run-detail": answers(anonymous=302, programme=200, administrator=200, others=403),
    "nightly-run-start": answers(others=405),  # POST only
    "plan-publish": admin_page,
    # The partner API answers 401 to anyone without a session or a token, and the gate's
    # 404 to a signed-in person without a relation to the family.
    "v1:family-list": answers(anonymous=401, others=200),
    "v1:person-list": answers(anonymous=401, others=200),
    "v1:family-detail": api_lead_only,
    "v1:family-evidence": api_lead_only,
    "v1:family-outcomes": api_lead_only,
    "v1:person-detail": api_lead_only,
    "v1:evidence-submit": answers(anonymous=401, others=405),  # POST only
    "v1:evaluate": answers(anonymous=401, others=405),  # POST only
    # Requests for support read back by who sent them: the matrix's users sent none.
    "v1:request-list": answers(anonymous=401, others=200),
    "v1:request-detail": answers(anonymous=401, others=404),
    # Actions a user owns (the matrix's practitioner owns its one action) and notes they wrote.
    "v1:action-list": answers(anonymous=401, others=200),
    "v1:action-detail": api_lead_only,
    "v1:case-note-list": answers(anonymous=401, others=200),
    # The feed's triggers follow practitioners' relations only (FOLLOW_CHANGES in the table).
    "v1:changes": answers(anonymous=401, practitioner=200, others=403),
    # Any other path under /api/v1/ (a negative id, a typo) is the API's 404 problem.
    "v1:no-such-path": answers(anonymous=401, others=404),
    "api-token": answers(others=405),  # POST only
    "api-schema": public_page,
    "api-docs": public_page,
    "break-glass": answers(anonymous=302, manager=200, administrator=200, others=403),
    # The front door: anyone signed in may make a request. Its question pages send
    # a user with no answers yet back to the first question.
    "request-list": signed_in_page,
    "request-start": signed_in_page,
    "request-referrer": answers(others=302),
    "request-reason": answers(others=302),
    "request-people": answers(others=302),
    "request-person-add": answers(others=302),
    "request-person-change": answers(others=302),
    "request-person-remove": answers(anonymous=302, others=405),  # POST only
    "request-address": answers(others=302),
    "request-consent": answers(others=302),
    "request-check": answers(others=302),
    # The queue is the hub's; a request is reached through the gate on its family,
    # which only the hub can see here (it is in the queue, awaiting allocation).
    "triage-queue": answers(anonymous=302, hub=200, others=403),
    "triage-request": answers(anonymous=302, hub=200, others=404),
    "triage-allocate": answers(anonymous=302, hub=200, others=404),
    # The lead agency's team manager names the lead (of a request allocated to the agency): the
    # hub reads the request but may not name; no one else here sees the family.
    "allocation-name-lead": answers(anonymous=302, hub=403, others=404),
    # Ending an episode no one leads is for the lead agency's managers; the matrix family has
    # a lead, who sees it but may not (403); no one else here sees it.
    "episode-end-unled": answers(anonymous=302, practitioner=403, others=404),
    # Its family has no open episode, so the hub is sent on to allocation (issue 18).
    "triage-open-episode": answers(anonymous=302, hub=302, others=404),
    # The episode's work (issue 8). The lead practitioner keeps the case; managers of
    # the lead's team sign off (the matrix's manager manages no team, so 404s).
    "session-sign-in": answers(others=405),  # POST only (JSON)
    "assessment": lead_only,
    "assessment-autosave": answers(others=405),  # POST only (JSON)
    "assessment-sign-off": answers(anonymous=302, practitioner=403, others=404),
    "assessment-print": lead_only,
    "tool-score-add": lead_only,
    "taf-member-add": lead_only,
    "taf-member-leave": lead_only,
    "plan-action-add": lead_only,
    "plan-action-update": lead_only,
    "taf-meeting-add": lead_only,
    "plan-review-add": lead_only,
    "case-note-list": lead_only,
    "case-note-add": lead_only,
    "closure-request": lead_only,
    # Consent after the request (issue 18): the lead records it. The matrix's consent is verbal
    # and in force, so the page after a withdrawal sends the lead back to the family page.
    "consent-add": lead_only,
    "consent-written": lead_only,
    "consent-withdraw": lead_only,
    "consent-withdrawn": answers(anonymous=302, practitioner=302, others=404),
    "closure-sign-off": answers(anonymous=302, practitioner=403, others=404),
    "step-up-request": lead_only,
    # The matrix's step-up and step-down are of another family, in the front door's hands.
    "step-up-decision": answers(anonymous=302, hub=200, others=404),
    "step-down-request": answers(anonymous=302, practitioner=403, others=404),
    "step-down-decision": answers(anonymous=302, hub=200, others=404),
    "step-request-list": answers(anonymous=302, hub=200, others=403),
    "lead-change": answers(anonymous=302, practitioner=403, others=404),
    # Cancelling a scheduled move is the same gate as making one (a GET only goes back).
    "lead-change-cancel": answers(anonymous=302, practitioner=403, others=404),
    # Work readiness conversations (issue 10): recorded by the family's team, like case notes.
    "work-conversation-add": lead_only,
    "work-conversation": lead_only,
    # The employment triage panel is the hub's; the matrix's referral is of the family the
    # front door holds, which only the hub can see.
    "employment-panel": answers(anonymous=302, hub=200, others=403),
    "employment-panel-decide": answers(anonymous=302, hub=200, others=404),
    "dashboard-employment-panel": answers(
        anonymous=302, hub=200, manager=200, programme=200, others=403
    ),
    # The programme (issue 10). The matrix's family is not attached nor a candidate: the lead
    # sees it but may not attach; it is in no audit sample, so there is no verdict to give
    # (404 for everyone); its evidence pack is the lead's to read.
    "programme-attach": answers(anonymous=302, practitioner=403, others=404),
    "evidence-pack": lead_only,
    "evidence-pack-pdf": lead_only,
    "claim-batch-list": answers(anonymous=302, programme=200, auditor=200, others=403),
    "claim-batch-build": answers(anonymous=302, programme=200, others=403),
    # Without a family and date it only offers the search: the family's gate is its own test.
    "what-if": answers(anonymous=302, programme=200, others=403),
    "claim-batch-detail": answers(anonymous=302, programme=200, auditor=200, others=403),
    "audit-verdict": answers(anonymous=302, others=404),
    # The national returns are the programme team's; their layouts are configuration too.
    "return-start": answers(anonymous=302, programme=200, others=403),
    "return-check": answers(anonymous=302, programme=200, others=403),
    "return-download": answers(anonymous=302, programme=200, others=403),
    "return-layouts": answers(anonymous=302, programme=200, administrator=200, others=403),
    "return-layout-edit": answers(anonymous=302, programme=200, administrator=200, others=403),
    "notification-list": signed_in_page,
    "notifications-read": answers(anonymous=302, others=405),  # POST only
    # Programme years and school terms: the programme team and administrators keep them.
    **{
        name: answers(anonymous=302, programme=200, administrator=200, others=403)
        for name in (
            "programme-year-list",
            "programme-year-detail",
            "programme-year-change",
            "programme-window-add",
            "programme-window-change",
            "programme-funding-add",
            "programme-funding-change",
            "programme-year-part-remove",
            "school-term-list",
            "school-term-add",
            "school-term-change",
        )
    },
    "programme-year-add": answers(anonymous=302, programme=405, administrator=405, others=403),
    # The programme's reports: the programme team's, and managers' of their teams.
    "report-index": answers(anonymous=302, programme=200, manager=200, others=403),
    # (A report that is not registered answers 404 to those who may see reports.)
    "report-detail": answers(
        anonymous=302,
        programme=200 if REPORTS else 404,
        manager=200 if REPORTS else 404,
        others=403,
    ),
    # Records that are written by the system only: nobody adds them by hand.
    "admin:axes_accessattempt_add": answers(anonymous=302, others=403),
    "admin:axes_accesslog_add": answers(anonymous=302, others=403),
    "admin:axes_accessfailurelog_add": answers(anonymous=302, others=403),
    "admin:earlyhelp_usersession_add": answers(anonymous=302, others=403),
}
# Per-view answers that differ from an ordinary admin page.
FOLLOW = {"password_reset_confirm"}


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from named_patterns(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            if entry.name:
                yield f"{namespace}{entry.name}", entry
            elif namespace != "admin:":
                # Django admin's unnamed "<path:object_id>/" only redirects to the
                # named change page, which the matrix walks; anything else must be named.
                yield None, entry


@pytest.fixture
def objects(users):
    org = Organisation.objects.create(name="Matrix agency", kind="police", tier=3)
    team = Team.objects.create(organisation=org, name="Matrix team")
    Locality.objects.create(name="Matrix district")
    ApiClient.objects.create(organisation=org, name="Matrix client", scopes=[])
    InformationSharingAgreement.objects.create(
        name="Matrix agreement", data_kinds=["summary"], starts_on="2025-01-01"
    ).organisations.add(org)
    UserSession.objects.create(user=users["practitioner"], session_key="matrix-session")
    # Lockout records (django-axes) and an authenticator (django-otp) have admin pages too.
    attempt = {"username": "x", "ip_address": "127.0.0.1", "user_agent": "t", "path_info": "/"}
    AccessAttempt.objects.create(**attempt, failures_since_start=1, get_data="", post_data="")
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    family = Family.objects.create(reference="M0000001", name="Matrix family")
    episode = Episode.objects.create(
        family=family, started_on="2026-09-01", lead_practitioner=users["practitioner"]
    )
    people = [
        Person.objects.create(first_name=name, last_name="Matrix", date_of_birth="2015-03-04")
        for name in ("Ann", "Anne")
    ]
    for person in people:
        FamilyMember.objects.create(family=family, person=person, role="child")
    merge = PersonMerge.objects.create(
        survivor=people[0], duplicate=people[1], reason="matrix", merged_by=users["hub"]
    )
    # Verbal, in force, shared with no agency: it opens the family to no one.
    Consent.objects.create(
        person=people[0],
        family=family,
        kind="verbal",
        given_by="Parent",
        given_on="2026-09-01",
        chase_on="2026-09-15",
        covers=["summary"],
        recorded_by=users["practitioner"],
    )
    # Decided already: an open one would show the hub both records.
    PossibleDuplicate.objects.create(
        person=people[1],
        known=people[0],
        raised_by=users["practitioner"],
        decided_by=users["hub"],
        decided_at=timezone.now(),
        decision="same",
    )
    Evidence.objects.create(
        family=family,
        person=people[0],
        kind="offence",
        period_start="2026-01-02",
        period_end="2026-01-02",
        values={"proven": True},
        source="Youth Offending Service",
        recorded_on="2026-02-01",
    )
    action = PlanAction.objects.create(
        episode=episode,
        what="Book a school meeting",
        owner=users["practitioner"],
        due_on="2026-10-01",
        created_by=users["practitioner"],
    )
    taf = TafMember.objects.create(
        episode=episode, user=UserFactory(role="practitioner"), joined_on="2026-09-02"
    )
    NightlyRun.objects.create(as_of="2026-10-01", trigger="command", started_at=timezone.now())
    now = timezone.now()
    # Another family, with requests at the front door: only hub staff may decide them.
    other = Family.objects.create(reference="M0000002", name="Matrix other family")
    other_episode = Episode.objects.create(
        family=other, started_on="2026-09-01", lead_practitioner=UserFactory(role="practitioner")
    )
    step_up = StepUp.objects.create(
        episode=other_episode, reason="matrix", requested_by=other_episode.lead_practitioner
    )
    step_down = StepDown.objects.create(
        family=other, reason="matrix", handover="matrix", requested_by=users["hub"]
    )
    # A draft work conversation of the lead's family, and a completed one (a referral
    # awaiting the employment triage panel) of the family at the front door.
    for episode_of, status in [(episode, "draft"), (other_episode, "completed")]:
        adult = Person.objects.create(
            first_name="Adult", last_name=status, date_of_birth="1985-01-02"
        )
        FamilyMember.objects.create(family=episode_of.family, person=adult, role="parent_carer")
        WorkConversation.objects.create(
            episode=episode_of,
            person=adult,
            held_on="2026-09-10",
            status=status,
            agrees_to_referral=status == "completed",
            completed_at=now if status == "completed" else None,
            created_by=users["practitioner"],
            updated_by=users["practitioner"],
        )
    EvidenceFile.objects.create(
        uploaded_by=users["practitioner"],
        name="matrix.csv",
        format="csv",
        size=100,
        rows=2,
        created=1,
        unchanged=0,
        rejected=1,
        problems=[[3, "kind", "unknown evidence kind 'x'"]],
    )
    version_9 = OutcomesPlanVersion.objects.get(version=9)
    OutcomesPlanVersion.objects.create(
        version=10, title="Draft", definition={**version_9.definition, "version": 10}
    )
    ClaimBatch.objects.create(
        name="Matrix batch",
        window_opens="2026-09-01",
        window_closes="2026-09-30",
        submitted_on="2026-09-15",
        sample_seed=1,
        sample_percent=10,
    )
    # A request the hub triaged P3a, waiting for allocation, for a family of its own.
    waiting = SupportRequest.objects.create(
        family=Family.objects.create(reference="M0000003", name="Matrix request family"),
        received_at=now - timedelta(days=2),
        status="awaiting_allocation",
        triaged_at=now,
    )
    TriageDecision.objects.create(
        request=waiting,
        priority="p3a",
        rationale="matrix",
        decided_by=users["hub"],
        decided_at=now,
        time_to_decision=timedelta(days=2),
    )
    return {
        "team": team,
        "family": family,
        "episode": episode,
        "people": people,
        "merge": merge,
        "action": action,
        "taf": taf,
        "step_up": step_up,
        "step_down": step_down,
    }


def concrete_path(name, pattern, users):
    converters = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
    if not converters:
        return reverse(name)
    records = {
        "family_id": Family.objects.get(reference="M0000001").pk,
        "person_id": Person.objects.get(first_name="Ann", last_name="Matrix").pk,
        "duplicate_id": Person.objects.get(first_name="Anne", last_name="Matrix").pk,
        "merge_id": PersonMerge.objects.get(reason="matrix").pk,
        "check_id": PossibleDuplicate.objects.get().pk,
        "evidence_id": Evidence.objects.get(source="Youth Offending Service").pk,
        "kind": "offence",
        "version": 10,
        "request_id": SupportRequest.objects.get(family__reference="M0000003").pk,
        "index": 0,
        "action_id": PlanAction.objects.get(what="Book a school meeting").pk,
        "member_id": TafMember.objects.get(episode__family__reference="M0000001").pk,
        "consent_id": Consent.objects.get(family__reference="M0000001").pk,
        "step_up_id": StepUp.objects.get(reason="matrix").pk,
        "step_down_id": StepDown.objects.get(reason="matrix").pk,
        "tool": "family-star",
        "conversation_id": WorkConversation.objects.get(status="draft").pk,
        "referral_id": WorkConversation.objects.get(status="completed").pk,
        "user_id": users["practitioner"].pk,
        "run_id": NightlyRun.objects.get(trigger="command").pk,
        "file_id": EvidenceFile.objects.get(name="matrix.csv").pk,
        "batch_id": ClaimBatch.objects.get(name="Matrix batch").pk,
        "starts_in": 2026,
        "window_id": ProgrammeClaimWindow.objects.filter(year__starts_in=2026).first().pk,
        "line_id": FundingLine.objects.filter(year__starts_in=2026).first().pk,
        "part": "windows",
        "part_id": ProgrammeClaimWindow.objects.filter(year__starts_in=2026).first().pk,
        "term_id": SchoolTerm.objects.first().pk,
        "return_kind": "nis",
        "as_of": "2025-09-30",
    }
    if name.startswith("v1:"):
        records["pk"] = records["person_id"] if "person" in name else records["family_id"]
        if "action" in name or "request" in name:
            records["pk"] = records["action_id" if "action" in name else "request_id"]
    if converters <= set(records):
        return reverse(name, kwargs={key: records[key] for key in converters})
    if name == "password_reset_confirm":
        user = users["practitioner"]
        return reverse(
            name,
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    if name == "report-detail":
        return reverse(name, kwargs={"slug": next(iter(REPORTS), "no-report-yet")})
    if name in {"manage-list", "manage-add"}:
        return reverse(name, kwargs={"slug": "teams"})
    if name == "manage-edit":
        return reverse(name, kwargs={"slug": "teams", "pk": Team.objects.first().pk})
    if name.startswith("manage-user-"):
        return reverse(name, kwargs={"pk": users["hub"].pk})
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "earlyhelp"})
    if name == "admin:view_on_site":
        ct = ContentType.objects.get_for_model(User)
        return reverse(name, kwargs={"content_type_id": ct.pk, "object_id": users["hub"].pk})
    if name.startswith("admin:"):
        # admin:<app_label>_<model_name>_<view>, opened on an existing object.
        registered = {
            f"{model._meta.app_label}_{model._meta.model_name}_": model for model in site._registry
        }
        # Django's UserAdmin names its password page after auth.User whatever the model.
        registered["auth_user_"] = User
        view = name.split(":", 1)[1]
        model = next(m for prefix, m in registered.items() if view.startswith(prefix))
        instance = model.objects.order_by("pk").first()
        assert instance is not None, f"no {model.__name__} to open {name} with"
        (kwarg,) = converters
        return reverse(name, kwargs={kwarg: instance.pk})
    raise AssertionError(f"test_url_matrix does not know how to fill {name}'s {converters}")


def expected_for(name):
    if name in EXPECTED:
        return EXPECTED[name]
    if name.startswith("admin:"):
        return admin_page
    raise AssertionError(
        f"URL {name!r} has no expectation in tests/test_url_matrix.py: say who may open it"
    )


def test_every_url_is_named_so_the_matrix_covers_it():
    unnamed = [str(pattern.pattern) for name, pattern in named_patterns() if name is None]
    assert unnamed == []


def test_every_named_url_has_an_expectation():
    missing = []
    for name, _pattern in named_patterns():
        if name is None:
            continue
        try:
            expected_for(name)
        except AssertionError:
            missing.append(name)
    assert missing == []


@pytest.mark.django_db
def test_every_role_gets_the_expected_answer_from_every_url(users, objects):
    clients = {ANON: Client()}
    for role in ROLES:
        clients[role] = sign_in(Client(), users[role])
    failures = []
    walked = 0
    for name, pattern in named_patterns():
        if name is None:
            continue
        expected = expected_for(name)
        path = concrete_path(name, pattern, users)
        for role in EVERYONE:
            response = clients[role].get(path, follow=name in FOLLOW)
            walked += 1
            if response.status_code != expected[role]:
                failures.append(
                    f"{role:13} GET {path} ({name}): {response.status_code}, "
                    f"expected {expected[role]}"
                )
            if response.status_code == 403:
                assert "You do not have permission" in response.content.decode(), path
            if role in SIGNED_IN and name in {"signed-out"}:
                clients[role] = sign_in(Client(), users[role])  # that page signs out
    assert failures == [], "\n".join(failures)
    assert walked > 100


# Pages that load a record by id, each through the gate on the record's own family: the url,
# the kind of record, and its URL's arguments for a record of a family.
RECORD_PAGES = [
    ("plan-action-update", "plan action", lambda r, f: {"family_id": f.pk, "action_id": r.pk}),
    ("taf-member-leave", "team member", lambda r, f: {"family_id": f.pk, "member_id": r.pk}),
    ("consent-written", "consent", lambda r, f: {"family_id": f.pk, "consent_id": r.pk}),
    ("consent-withdraw", "consent", lambda r, f: {"family_id": f.pk, "consent_id": r.pk}),
    ("evidence-correct", "evidence item", lambda r, f: {"evidence_id": r.pk}),
    (
        "work-conversation",
        "referral",
        lambda r, f: {"family_id": f.pk, "conversation_id": r.pk},
    ),
    ("step-up-decision", "step-up", lambda r, f: {"step_up_id": r.pk}),
    ("step-down-decision", "step-down", lambda r, f: {"step_down_id": r.pk}),
    ("employment-panel-decide", "referral", lambda r, f: {"referral_id": r.pk}),
    ("triage-request", "request", lambda r, f: {"request_id": r.pk}),
    ("triage-allocate", "request", lambda r, f: {"request_id": r.pk}),
    ("allocation-name-lead", "request", lambda r, f: {"request_id": r.pk}),
    ("triage-open-episode", "request", lambda r, f: {"request_id": r.pk}),
    ("audit-verdict", "sample item", lambda r, f: {"batch_id": r.batch_id, "family_id": f.pk}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, kind, kwargs", RECORD_PAGES, ids=[p[0] for p in RECORD_PAGES])
def test_a_record_of_another_family_answers_as_a_missing_one(users, name, kind, kwargs):
    lead = users["practitioner"]
    own, also_led = make_family("Own", lead=lead), make_family("Also led", lead=lead)
    hidden = make_family("Hidden", lead=UserFactory(role="practitioner"))
    mine, theirs = record_of(kind, own, by=lead), record_of(kind, hidden, by=lead)
    client = sign_in(Client(), lead)

    def status(record, family):
        return client.get(reverse(name, kwargs=kwargs(record, family))).status_code

    # The lead reaches their own family's record (200), or is refused an action there (403)…
    assert status(mine, own) in {200, 403}
    # …but another family's record answers exactly as a record that does not exist.
    missing = type(mine).objects.order_by("-pk").first()
    missing.pk += 1000
    assert status(theirs, hidden) == status(missing, own) == 404
    if "family_id" in kwargs(mine, own):
        # A URL naming one family and a record of another, both of them the lead's: 404.
        assert status(mine, also_led) == 404
        assert status(theirs, own) == 404
    assert AuditEntry.objects.filter(user=lead, family_id=hidden.pk, outcome="not_found").exists()
