"""Reads of the front door: the triage queue, its counts, a request, the caseloads to allocate by.

Lists start from the access gate's `families_visible_to`, and each selector
owns its joins, so a page runs the same number of queries however long the
queue is.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cases.episode.selectors import open_episodes
from cases.gate import (
    families_visible_to,
    family_ids_visible_to,
    family_record_for,
)
from cases.models import Consent, Episode, SupportRequest, SupportRequestMember, TriageDecision
from cases.relations import requests_waiting_for
from earlyhelp import compiled
from earlyhelp.models import Organisation

# A family whose last episode closed this recently is flagged (DOMAIN §2: re-referrals).
RECENTLY_CLOSED_DAYS = 365

# (label, from days old, to days old): the hub's home counts the queue in these.
AGE_BANDS = [
    ("Under 1 day", 0, 1),
    ("1 to 3 days", 1, 3),
    ("3 to 7 days", 3, 7),
    ("Over 7 days", 7, None),
]

FAMILY_SOURCE, STEP_DOWN_SOURCE = "family", "step_down"


def source_choices() -> list[tuple[str, str]]:
    """Where requests come from: the family, a step-down, or a kind of agency."""
    return [
        (FAMILY_SOURCE, "The family's own request"),
        (STEP_DOWN_SOURCE, "Step-down from children's social care"),
        *Organisation.Kind.choices,
    ]


def with_flags(requests: QuerySet) -> QuerySet:
    """What the hub must notice about each request, as columns of the same query."""
    family = OuterRef("family_id")
    since = timezone.localdate() - timedelta(days=RECENTLY_CLOSED_DAYS)
    return requests.annotate(
        open_episode=Exists(open_episodes().filter(family=family)),
        recently_closed=Exists(
            Episode.objects.filter(family=family, status=Episode.Status.CLOSED, ended_on__gte=since)
        ),
        other_waiting=Exists(
            SupportRequest.objects.filter(family=family, status__in=SupportRequest.WAITING).exclude(
                pk=OuterRef("pk")
            )
        ),
        chase_consent_on=Subquery(
            Consent.objects.filter(
                family=family, kind=Consent.Kind.VERBAL, withdrawn_on__isnull=True
            )
            .order_by("chase_on")
            .values("chase_on")[:1]
        ),
    )


def flagged(requests: QuerySet) -> QuerySet:
    """The requests of `requests` (a page of a queue: sliced, ordered) with their families and
    flags, in the same order: the flags are worked out for the rows shown only."""
    return with_flags(
        SupportRequest.objects.filter(pk__in=requests.values("pk"))
        .select_related("family", "locality", "source_agency")
        .order_by("received_at", "id")
    )


def triage_queue(*, user, locality=None, status: str = "", source: str = "") -> QuerySet:
    """Requests of the families the hub may see, oldest first; by default those still waiting.

    Waiting requests are the hub's own relation (`requests_waiting_for`: each makes its
    family visible), read oldest first through their own index, so a page of the waiting
    queue stops at the rows it shows. Others (allocated, closed) are kept if their family is
    among the gate's visible family ids. Pass a page of it to `flagged` for its families and
    flags."""
    if not status or status in SupportRequest.WAITING:
        requests = requests_waiting_for(user)
        if status:
            requests = requests.filter(status=status)
    else:
        requests = SupportRequest.objects.filter(
            family__in=family_ids_visible_to(user), status=status
        )
    if locality is not None:
        requests = requests.filter(locality=locality)
    if source == FAMILY_SOURCE:
        requests = requests.filter(kind=SupportRequest.Kind.FAMILY)
    elif source == STEP_DOWN_SOURCE:
        requests = requests.filter(kind=SupportRequest.Kind.STEP_DOWN)
    elif source:
        requests = requests.filter(
            kind=SupportRequest.Kind.MULTI_AGENCY, source_agency__kind=source
        )
    return requests.order_by("received_at", "id")


def queue_counts(*, user) -> dict:
    """Waiting requests by age band and by what they wait for, in one query."""
    now = timezone.now()
    waiting = requests_waiting_for(user)
    columns = {}
    for i, (_label, younger, older) in enumerate(AGE_BANDS):
        age = Q(received_at__lte=now - timedelta(days=younger))
        if older is not None:
            age &= Q(received_at__gt=now - timedelta(days=older))
        for status in SupportRequest.WAITING:
            columns[f"{status}_{i}"] = Count("pk", filter=age & Q(status=status))
    found = waiting.aggregate(**columns)
    rows = []
    for i, (label, _younger, _older) in enumerate(AGE_BANDS):
        triage = found[f"{SupportRequest.Status.AWAITING_TRIAGE}_{i}"]
        allocation = found[f"{SupportRequest.Status.AWAITING_ALLOCATION}_{i}"]
        rows.append(
            {
                "label": label,
                "triage": triage,
                "allocation": allocation,
                "total": triage + allocation,
            }
        )
    return {
        "bands": rows,
        "triage": sum(r["triage"] for r in rows),
        "allocation": sum(r["allocation"] for r in rows),
        "total": sum(r["total"] for r in rows),
    }


def recent_decisions(*, user, limit: int = 10) -> list[TriageDecision]:
    """The user's own latest decisions, on families they may still see."""
    return list(
        TriageDecision.objects.filter(
            decided_by=user, request__family__in=family_ids_visible_to(user)
        )
        .select_related("request__family")
        .order_by("-decided_at")[:limit]
    )


def requests_submitted_by(*, user) -> QuerySet:
    """'Your requests': what the user sent and where each stands, newest first.

    The family is linked only where the gate already lets the user see it.
    """
    return (
        SupportRequest.objects.filter(submitted_by=user)
        .select_related("family", "decision", "allocation__lead_agency", "source_agency")
        .prefetch_related(Prefetch("members", queryset=SupportRequestMember.objects.order_by("id")))
        .annotate(family_visible=Exists(families_visible_to(user).filter(pk=OuterRef("family_id"))))
        .order_by("-received_at", "-id")
    )


def support_request_for(user, support_request_id, *, action):
    """The request, if the gate lets `user` take `action` on its family; else 404 or 403."""
    return family_record_for(
        user,
        with_flags(SupportRequest.objects.all()).select_related(
            "locality",
            "source_agency",
            "submitted_by",
            "decision__decided_by",
            "allocation__lead_agency",
            "allocation__lead_practitioner",
            "allocation__allocated_by",
            "allocation__named_by",
            "allocation__episode",
        ),
        support_request_id,
        action=action,
        via="family",
    )


def request_detail(support_request: SupportRequest) -> dict:
    """What the request page shows besides the request itself."""
    members = list(support_request.members.select_related("person").order_by("id"))
    consents = list(
        Consent.objects.filter(
            family_id=support_request.family_id, person__in=[m.person for m in members]
        )
        .select_related("person")
        .prefetch_related("agencies")
        .order_by("person__last_name", "person__first_name", "-given_on")
    )
    for consent in consents:  # what the consent line shows (triage/consent_line.html)
        consent.shared_with = list(consent.agencies.all())
    episodes = list(
        Episode.objects.filter(family_id=support_request.family_id)
        .select_related("lead_practitioner", "lead_agency")
        .order_by("-started_on")[:5]
    )
    return {"members": members, "consents": consents, "episodes": episodes}


def family_requests(family) -> list[SupportRequest]:
    """A family's requests with their decisions and allocations, for the family page."""
    return compiled.rows(
        "cases.family_requests",
        lambda family_id: (
            SupportRequest.objects.filter(family=family_id)
            .select_related(
                "source_agency",
                "decision__decided_by",
                "allocation__lead_agency",
                "allocation__lead_practitioner",
                "allocation__episode",
            )
            .order_by("-received_at", "-id")
        ),
        family.pk,
    )
