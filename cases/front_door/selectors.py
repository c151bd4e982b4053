"""Reads of the front door: the triage queue, its counts, a request, the caseloads to allocate by.

Lists start from the access gate's `families_visible_to`, and each selector
owns its joins, so a page runs the same number of queries however long the
queue is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from cases.episode.selectors import open_episodes
from cases.gate import (
    families_visible_to,
    family_ids_visible_to,
    family_record_for,
)
from cases.models import (
    Consent,
    Episode,
    Family,
    OpenEpisodeResolution,
    StepDown,
    StepUp,
    SupportRequest,
    SupportRequestMember,
    TriageDecision,
)
from cases.people.selectors import current_memberships
from cases.relations import requests_waiting_for, step_downs_waiting_for, step_ups_waiting_for
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

# The statuses of a request the hub resolved because its family's episode was open.
RESOLVED = (
    SupportRequest.Status.ADDED_TO_EPISODE,
    SupportRequest.Status.PASSED_TO_LEAD,
    SupportRequest.Status.CLOSED_BY_HUB,
)


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


def _age(field: str, now, younger: int, older: int | None) -> Q:
    age = Q(**{f"{field}__lte": now - timedelta(days=younger)})
    if older is not None:
        age &= Q(**{f"{field}__gt": now - timedelta(days=older)})
    return age


def queue_counts(*, user) -> dict:
    """Everything waiting for the hub by age band and by what it is, in three queries (one
    a table): requests for support by what they wait for (triage, allocation), step-ups
    (urgent) and step-downs; and of the requests, the step-downs sent through the request form
    and those for a family whose episode is already open."""
    now = timezone.now()
    columns = {}
    for i, (_label, younger, older) in enumerate(AGE_BANDS):
        age = _age("received_at", now, younger, older)
        for status in SupportRequest.WAITING:
            columns[f"{status}_{i}"] = Count("pk", filter=age & Q(status=status))
    open_family = Exists(open_episodes().filter(family=OuterRef("family_id")))
    found = requests_waiting_for(user).aggregate(
        step_down_requests=Count("pk", filter=Q(kind=SupportRequest.Kind.STEP_DOWN)),
        open_family=Count(
            "pk", filter=Q(open_family) & Q(status=SupportRequest.Status.AWAITING_ALLOCATION)
        ),
        **columns,
    )
    steps = {}
    for name, waiting in (
        ("step_up", step_ups_waiting_for(user)),
        ("step_down", step_downs_waiting_for(user)),
    ):
        steps[name] = waiting.aggregate(
            **{
                str(i): Count("pk", filter=_age("requested_at", now, younger, older))
                for i, (_label, younger, older) in enumerate(AGE_BANDS)
            }
        )
    rows = []
    for i, (label, _younger, _older) in enumerate(AGE_BANDS):
        row = {
            "label": label,
            "triage": found[f"{SupportRequest.Status.AWAITING_TRIAGE}_{i}"],
            "allocation": found[f"{SupportRequest.Status.AWAITING_ALLOCATION}_{i}"],
            "step_up": steps["step_up"][str(i)],
            "step_down": steps["step_down"][str(i)],
        }
        row["total"] = sum(row[k] for k in ("triage", "allocation", "step_up", "step_down"))
        rows.append(row)
    totals = {k: sum(r[k] for r in rows) for k in ("triage", "allocation", "step_up", "step_down")}
    return {
        "bands": rows,
        **totals,
        "total": sum(totals.values()),
        "requests": totals["triage"] + totals["allocation"],
        # A step-down is one however it was made: a StepDown, or a request of that kind.
        "step_downs_all": totals["step_down"] + found["step_down_requests"],
        "step_down_requests": found["step_down_requests"],
        "open_family": found["open_family"],
    }


# What the hub's one queue holds (issue 18: "however they were made"), as its filter names them.
REQUEST, STEP_UP, STEP_DOWN = "request", "step_up", "step_down"
WHAT_CHOICES = [
    (REQUEST, "Requests for support"),
    (STEP_UP, "Step-ups to children's social care"),
    (STEP_DOWN, "Step-downs to early help, however they were made"),
]


def _as_rows(records: QuerySet, *, what: str, since: str, urgent: bool) -> QuerySet:
    """One part of the queue's UNION: the same four columns from each kind of record."""
    return (
        records.order_by()
        .annotate(
            q_what=Value(what, output_field=CharField()),
            q_id=F("pk"),
            q_since=F(since),
            q_urgent=Value(urgent, output_field=BooleanField()),
        )
        .values("q_what", "q_id", "q_since", "q_urgent")
    )


def hub_queue(
    *, user, locality=None, status: str = "", source: str = "", what: str = ""
) -> QuerySet:
    """Everything waiting for the hub, however it was made: requests for support (a
    step-down sent through the request form among them), step-ups and step-downs, as rows of
    (what, id, since, urgent). Step-ups come first, oldest first, because a step-up is
    urgent (a child may need children's social care now); then everything else oldest first.

    Each part is the relation that lets the hub see its family (`requests_waiting_for`,
    `step_ups_waiting_for`, `step_downs_waiting_for`), so the queue is the gate's answer.
    The status and source filters are the requests'; a step-up or step-down awaits the front
    door's decision, which is its triage, so it is kept under "Awaiting triage" and under the
    step-down source. Pass a page of it to `hub_queue_items`."""
    parts = []
    if what in ("", REQUEST, STEP_DOWN):
        requests = triage_queue(user=user, locality=locality, status=status, source=source)
        if what == REQUEST:
            requests = requests.exclude(kind=SupportRequest.Kind.STEP_DOWN)
        elif what == STEP_DOWN:
            requests = requests.filter(kind=SupportRequest.Kind.STEP_DOWN)
        parts.append(_as_rows(requests, what=REQUEST, since="received_at", urgent=False))
    undecided = status in ("", SupportRequest.Status.AWAITING_TRIAGE)
    if undecided and what in ("", STEP_UP) and not source:
        ups = step_ups_waiting_for(user)
        if locality is not None:
            ups = ups.filter(episode__family__locality=locality)
        parts.append(_as_rows(ups, what=STEP_UP, since="requested_at", urgent=True))
    if undecided and what in ("", STEP_DOWN) and source in ("", STEP_DOWN_SOURCE):
        downs = step_downs_waiting_for(user)
        if locality is not None:
            downs = downs.filter(family__locality=locality)
        parts.append(_as_rows(downs, what=STEP_DOWN, since="requested_at", urgent=False))
    if not parts:
        return _as_rows(
            SupportRequest.objects.none(), what=REQUEST, since="received_at", urgent=False
        )
    first, *rest = parts
    rows = first.union(*rest, all=True) if rest else first
    return rows.order_by("-q_urgent", "q_since", "q_what", "q_id")


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting for the hub: a request for support, a step-up or a step-down."""

    what: str
    record: object
    family: Family
    since: datetime
    urgent: bool

    @property
    def label(self) -> str:
        if self.what == STEP_UP:
            return "Step-up to children's social care"
        if self.what == STEP_DOWN:
            return "Step-down from children's social care"
        if self.record.kind == SupportRequest.Kind.STEP_DOWN:
            return "Step-down, sent as a request for support"
        return "Request for support"


def hub_queue_items(rows) -> list[QueueItem]:
    """The records of a page of `hub_queue`, in its order, each with its family (and a
    request with its flags): one query for each kind of record on the page."""
    rows = list(rows)
    found = {REQUEST: {}, STEP_UP: {}, STEP_DOWN: {}}
    ids = {what: [r["q_id"] for r in rows if r["q_what"] == what] for what in found}
    if ids[REQUEST]:
        found[REQUEST] = {
            r.pk: (r, r.family) for r in flagged(SupportRequest.objects.filter(pk__in=ids[REQUEST]))
        }
    if ids[STEP_UP]:
        found[STEP_UP] = {
            s.pk: (s, s.episode.family)
            for s in StepUp.objects.filter(pk__in=ids[STEP_UP]).select_related(
                "episode__family", "requested_by__team__organisation"
            )
        }
    if ids[STEP_DOWN]:
        found[STEP_DOWN] = {
            s.pk: (s, s.family)
            for s in StepDown.objects.filter(pk__in=ids[STEP_DOWN]).select_related(
                "family", "requested_by__team__organisation"
            )
        }
    items = []
    for row in rows:
        record, family = found[row["q_what"]][row["q_id"]]
        items.append(QueueItem(row["q_what"], record, family, row["q_since"], row["q_urgent"]))
    return items


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
        .select_related(
            "family",
            "decision",
            "allocation__lead_agency",
            "source_agency",
            "open_episode_resolution",
        )
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
    open_episode = next((e for e in episodes if e.status == Episode.Status.OPEN), None)
    resolution = (
        OpenEpisodeResolution.objects.filter(request=support_request)
        .select_related("lead_practitioner", "resolved_by")
        .first()
        if support_request.status in RESOLVED
        else None
    )
    return {
        "resolution": resolution,
        "members": members,
        "consents": consents,
        "episodes": episodes,
        "open_episode": open_episode,
    }


def open_episodes_of_people(user, person_ids) -> list[dict]:
    """For the check page of a request: the open episodes of the households the people the
    sender linked live in now, each with whether the sender may see that family (then its
    lead is named to them) or not (then they learn only that it is already supported)."""
    families = current_memberships().filter(person_id__in=person_ids, family__isnull=False)
    episodes = list(
        open_episodes().filter(family__in=families.values("family_id")).select_related("family")
    )
    if not episodes:
        return []
    visible = set(
        families_visible_to(user)
        .filter(pk__in=[e.family_id for e in episodes])
        .values_list("pk", flat=True)
    )
    return [{"episode": e, "family": e.family, "visible": e.family_id in visible} for e in episodes]


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
