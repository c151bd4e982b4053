"""Deterministic demo families for `make run`, the tests and the benchmarks.

`seed_families(families=N, seed=S)` loads N households with everything the
case pages and the access gate need. Every choice comes from one
`random.Random(seed)` and every date from a fixed reference day (`today`,
default `TODAY`), so the same seed gives the same people, names, dates of
birth, identifiers, addresses and casework on any machine, on any day.
Only database ids and the `created_at`-style timestamps differ.

Rows are built in memory a batch of households at a time and written with
`bulk_create`, all in one transaction, so a failed load leaves nothing. The
nightly results and the claim batch come last, in the same transaction, made
by the services themselves (demo.claims), so they never contradict the records.

The field-history triggers (pghistory) stay on: seeded rows get their
"insert" events like any other row, tagged `source=seed_demo` through
`pghistory.context`, so no record's history starts part way. They add about
40% to the load (0.7 s against 0.5 s per 500 households, measured), which is
worth that consistency. What made a long load slow was not the triggers
themselves but Django's foreign keys being DEFERRABLE INITIALLY DEFERRED:
every check waits in the transaction's trigger queue, and the inserts the
history triggers make slow down as that queue grows, so one transaction
went quadratic (8,000 families: 51 s, each batch slower than the last;
50,000 unfinished after 11 minutes). Checking constraints immediately —
rows are inserted parents first, so every check passes at once — keeps it
linear (8,000 families: 13 s; 50,000: about 90 s on two cores).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pghistory
from django.db import connection, transaction

from assessments.models import AssessmentSection, EarlyHelpAssessment, ToolScore, WorkConversation
from cases.models import (
    Address,
    Consent,
    DataKind,
    Episode,
    Family,
    FamilyMember,
    Person,
    PersonName,
    PlanAction,
    SupportRequest,
    TafMember,
)
from demo.casework import FAMILY_SUPPORT, PARTNER_SERVICES, Casework, Staff
from demo.claims import seed_results
from demo.household import HouseholdMaker
from demo.names import DISTRICT_TOWNS
from demo.work import WorkConversations
from earlyhelp.models import Locality, Organisation, User
from outcomes.models import Attachment, Evidence, ProblemIdentified, ProgrammeYear
from partners.models import InformationSharingAgreement

TODAY = date(2026, 11, 1)  # the day the demo data is "as of", unless the caller says otherwise
HOUSEHOLDS_PER_BATCH = 500
BULK_BATCH = 2000
# The first households of a load are shaped so that every demo user has
# something to see, however few families are asked for.
SHOWCASE = {0: "lead", 1: "queue"}

AGREEMENTS = [
    (
        "Leicestershire Early Help Partnership information sharing agreement",
        [DataKind.SUMMARY, DataKind.CASEWORK],
        date(2019, 4, 1),
        None,
        [FAMILY_SUPPORT, "Children's Social Care", "Leicestershire Police"]
        + sorted({org for org, _, _ in PARTNER_SERVICES.values()}),
    ),
    (
        "Supporting Leicestershire Families data sharing agreement",
        [DataKind.SUMMARY, DataKind.EVIDENCE],
        date(2021, 4, 1),
        date(2028, 3, 31),
        [
            FAMILY_SUPPORT,
            "DWP Jobcentre Plus",
            "Leicestershire Police",
            "Youth Offending Service",
            "Education Welfare Service",
            "Leicestershire Partnership Trust",
        ],
    ),
]


def seed_families(
    *,
    families: int,
    seed: int,
    today: date = TODAY,
    progress: Callable[[int], None] | None = None,
    results: bool = True,
) -> dict:
    """Load `families` demo households; returns how many of each record it made.

    Needs the demo organisations and users (demo.organisations.seed_demo) first.
    `progress` is called with the number of households written after each batch.
    With `results`, the nightly job then judges the attached families as of `today` and
    a claim batch is built from them (demo.claims): the result's "nightly_run" and
    "claim_batch" (None when no family was claimable).
    The result's "duplicate_pairs" lists (original id, duplicate id) for every
    person entered twice, so a duplicate finder can be scored against it.
    """
    if families < 0:
        raise ValueError("families must be zero or more")
    localities = {loc.name: loc for loc in Locality.objects.filter(name__in=DISTRICT_TOWNS)}
    missing = set(DISTRICT_TOWNS) - set(localities)
    if missing:
        raise RuntimeError(f"Load the demo localities first; missing {sorted(missing)}")
    population = sum(weight for weight, _ in DISTRICT_TOWNS.values())
    shares = {name: weight / population for name, (weight, _) in DISTRICT_TOWNS.items()}

    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    totals: Counter = Counter()
    pairs: list[tuple[int, int]] = []
    owns_transaction = not connection.in_atomic_block
    with transaction.atomic(), pghistory.context(source="seed_demo", seed=seed):
        if owns_transaction:
            # Ends with this transaction; inside a caller's (a test's), their mode stands.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        staff = Staff.load(families=families, seed=seed, district_shares=shares)
        _sharing_agreements()
        maker = HouseholdMaker(rng, today, localities)
        hub = User.objects.filter(username="hub").values_list("pk", flat=True).first()
        work = WorkConversations(seed, today, hub)
        casework = Casework(rng, today, staff, work=work)
        first = _next_reference_number()
        for start in range(0, families, HOUSEHOLDS_PER_BATCH):
            rows = Rows()
            maker.start_batch(rows)
            casework.rows = rows
            end = min(families, start + HOUSEHOLDS_PER_BATCH)
            for index in range(start, end):
                showcase = SHOWCASE.get(index)
                # The demo practitioner's case is in their own district.
                district = staff.practitioner.service if showcase == "lead" else None
                house = maker.household(f"F{first + index:07d}", district=district)
                casework.plan(house, showcase=showcase)
            totals.update(_insert(rows))
            pairs += [(original.pk, copy.pk) for original, copy in rows.duplicates]
            if progress:
                progress(end - start)
        made = {"nightly_run": None, "claim_batch": None}
        _attachment_target(today)
        if results and totals["attachments"]:
            made = seed_results(today=today, seed=seed)
    totals["lead_practitioners"] = len(staff.caseload)
    return {**totals, **made, "duplicate_pairs": pairs}


def _attachment_target(today: date) -> None:
    """The demo council's target for the current programme year, where none is set: a fifth
    more than the families attached so far this year, in tens (so the report of attachments
    against the target has something to show)."""
    year = ProgrammeYear.objects.filter(starts_in=ProgrammeYear.starting_in_year_of(today)).first()
    if year is None or year.attachment_target:
        return
    so_far = Attachment.objects.filter(
        attached_on__gte=year.starts_on, attached_on__lte=year.ends_on
    ).count()
    year.attachment_target = max(10, -(-so_far * 12 // 100) * 10)
    year.save(update_fields=["attachment_target"])


@dataclass
class Rows:
    """Unsaved rows of one batch, in the order they are inserted."""

    families: list = field(default_factory=list)
    persons: list = field(default_factory=list)
    members: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    other_names: list = field(default_factory=list)
    episodes: list = field(default_factory=list)
    taf_members: list = field(default_factory=list)
    consents: list = field(default_factory=list)  # (Consent, [organisation ids])
    requests: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    evidence: list = field(default_factory=list)  # attached families' (demo.evidence)
    problems: list = field(default_factory=list)
    assessments: list = field(default_factory=list)  # attached episodes' (demo.working)
    sections: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    tool_scores: list = field(default_factory=list)  # attached episodes' (demo.working)
    work_conversations: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)  # (original, duplicate) Person pairs


def _next_reference_number() -> int:
    """References carry on from the highest one there (F0000001 when there is none)."""
    last = (
        Family.objects.filter(reference__regex=r"^F\d{7}$")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    return int(last[1:]) + 1 if last else 1


def _sharing_agreements() -> None:
    for name, kinds, starts, ends, organisations in AGREEMENTS:
        agreement, created = InformationSharingAgreement.objects.get_or_create(
            name=name, defaults={"data_kinds": kinds, "starts_on": starts, "ends_on": ends}
        )
        if created:
            agreement.organisations.set(Organisation.objects.filter(name__in=organisations))


def _insert(rows: Rows) -> Counter:
    """Write one batch, parents before children; related ids are filled in from saved rows."""
    bulk = {"batch_size": BULK_BATCH}
    Family.objects.bulk_create(rows.families, **bulk)
    Person.objects.bulk_create(rows.persons, **bulk)
    FamilyMember.objects.bulk_create(rows.members, **bulk)
    Address.objects.bulk_create(rows.addresses, **bulk)
    PersonName.objects.bulk_create(rows.other_names, **bulk)
    Episode.objects.bulk_create(rows.episodes, **bulk)
    TafMember.objects.bulk_create(rows.taf_members, **bulk)
    Consent.objects.bulk_create([consent for consent, _ in rows.consents], **bulk)
    Consent.agencies.through.objects.bulk_create(
        [
            Consent.agencies.through(consent_id=consent.pk, organisation_id=organisation_id)
            for consent, organisations in rows.consents
            for organisation_id in organisations
        ],
        **bulk,
    )
    SupportRequest.objects.bulk_create(rows.requests, **bulk)
    Attachment.objects.bulk_create(rows.attachments, **bulk)
    Evidence.objects.bulk_create(rows.evidence, **bulk)
    ProblemIdentified.objects.bulk_create(rows.problems, **bulk)
    EarlyHelpAssessment.objects.bulk_create(rows.assessments, **bulk)
    AssessmentSection.objects.bulk_create(rows.sections, **bulk)
    PlanAction.objects.bulk_create(rows.actions, **bulk)
    ToolScore.objects.bulk_create(rows.tool_scores, **bulk)
    WorkConversation.objects.bulk_create(rows.work_conversations, **bulk)
    return Counter(
        families=len(rows.families),
        persons=len(rows.persons),
        memberships=len(rows.members),
        addresses=len(rows.addresses),
        other_names=len(rows.other_names),
        episodes=len(rows.episodes),
        evidence=len(rows.evidence),
        open_episodes=sum(e.status == Episode.Status.OPEN for e in rows.episodes),
        taf_members=len(rows.taf_members),
        consents=len(rows.consents),
        support_requests=len(rows.requests),
        awaiting_triage=sum(
            r.status == SupportRequest.Status.AWAITING_TRIAGE for r in rows.requests
        ),
        attachments=len(rows.attachments),
        assessments=len(rows.assessments),
        work_conversations=len(rows.work_conversations),
        duplicates=len(rows.duplicates),
    )
