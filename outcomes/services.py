"""Writes for the outcomes plan and its evidence, named `<entity>_<verb>`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp import audit
from earlyhelp.models import AuditEntry
from earlyhelp.pgcopy import copy_rows
from outcomes.engine.plan import Plan, PlanError

from .evidence_rows import EvidenceRow, RowProblem, read_rows
from .models import Evidence, OutcomesPlanVersion, SchoolTerm

ALLOWED = AuditEntry.Outcome.ALLOWED


# --- the plan -----------------------------------------------------------------------------


@transaction.atomic
def plan_version_copy(*, source: OutcomesPlanVersion, by) -> OutcomesPlanVersion:
    """A new draft, a copy of `source`, numbered after the newest version."""
    newest = OutcomesPlanVersion.objects.select_for_update().order_by("-version").first()
    number = newest.version + 1
    definition = {**source.definition, "version": number}
    return OutcomesPlanVersion.objects.create(
        version=number,
        title=source.title,
        definition=definition,
        copied_from=source,
    )


def plan_version_update(*, draft: OutcomesPlanVersion, definition: dict) -> OutcomesPlanVersion:
    """Replace a draft's content; the engine's own reader checks it, naming any bad field."""
    if draft.status != OutcomesPlanVersion.Status.DRAFT:
        raise ValidationError("A published version never changes: copy it to make a new draft")
    definition = {**definition, "version": draft.version}
    try:
        plan = Plan.from_dict(definition)
    except PlanError as error:
        raise ValidationError(str(error)) from error
    draft.definition = definition
    draft.title = plan.title
    draft.save(update_fields=["definition", "title"])
    return draft


@transaction.atomic
def plan_version_publish(*, draft: OutcomesPlanVersion, effective_from: date, by):
    draft = OutcomesPlanVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.status != OutcomesPlanVersion.Status.DRAFT:
        raise ValidationError("This version is already published")
    later = OutcomesPlanVersion.objects.filter(
        status=OutcomesPlanVersion.Status.PUBLISHED, effective_from__gte=effective_from
    ).first()
    if later is not None:
        raise ValidationError(
            f"Version {later.version} takes effect on {later.effective_from:%-d %B %Y}: "
            "a new version must take effect after it"
        )
    definition = {**draft.definition, "effective_from": effective_from.isoformat()}
    try:
        Plan.from_dict(definition)
    except PlanError as error:
        raise ValidationError(str(error)) from error
    draft.definition = definition
    draft.effective_from = effective_from
    draft.status = OutcomesPlanVersion.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = by
    draft.save()
    return draft


# --- evidence -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What happened to each row: created, unchanged (a resend) or refused with its problems."""

    created: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "saved": self.saved,
            "created": len(self.created),
            "unchanged": len(self.unchanged),
            "errors": [p.as_dict() for p in self.problems],
        }


# Each retry follows another import that committed the same rows: two attempts settle two
# racing imports, and a third covers a third racer.
IMPORT_ATTEMPTS = 3


def evidence_import(
    rows: list[dict],
    *,
    recorded_by=None,
    api_client=None,
    families=None,
    today=None,
    keep_good_rows: bool = False,
    first_row: int = 1,
) -> ImportReport:
    """Validate every row, then save all of them or none.

    One service for the practitioner's form, the bulk file and the partner API.
    `families` limits which families rows may name (the caller's gate); each row
    is keyed by (source, external_id) where it has one, so a resend changes nothing.

    `keep_good_rows` is a bulk file's rule instead: the good rows are saved and the bad
    ones reported, so one mistake in 10,000 rows does not hold back the rest. Every row
    must then carry an external_id, so that sending the corrected file again adds only
    the rows refused the first time. Either way the rows saved are saved in one
    transaction: a crash part-way saves none. `first_row` numbers the rows in the
    report (a CSV file's first row under its headings is row 2 in a spreadsheet).

    Two imports of the same rows at once (a partner's retry, the same file uploaded twice)
    both find them new; the second's insert then meets the unique (source, external_id), or
    the one correction an item may have, and its rows are checked again from the start: the
    first's rows are resends now, and a second correction of one item is refused. Pages, files
    and the API all go through here, so none of them answers a server error for it.
    """
    rows = list(rows)  # read again on a retry
    for attempt in range(1, IMPORT_ATTEMPTS + 1):
        try:
            return _evidence_import_once(
                rows,
                recorded_by=recorded_by,
                api_client=api_client,
                families=families,
                today=today or timezone.localdate(),
                keep_good_rows=keep_good_rows,
                first_row=first_row,
            )
        except IntegrityError:
            if attempt == IMPORT_ATTEMPTS:
                raise


def _evidence_import_once(
    rows, *, recorded_by, api_client, families, today, keep_good_rows, first_row
) -> ImportReport:
    report = ImportReport()
    parsed: list[tuple[int, EvidenceRow]] = []
    for number, row, problems in read_rows(
        rows,
        families=families,
        today=today,
        first_row=first_row,
        require_external_id=keep_good_rows,
    ):
        if problems:
            report.problems.extend(problems)
        else:
            parsed.append((number, row))
    existing = _existing_by_key([row for _, row in parsed])
    to_create: list[tuple[int, EvidenceRow]] = []
    seen_keys: dict[tuple[str, str], int] = {}
    seen_corrections: dict[int, int] = {}
    for number, row in parsed:
        key = row.key
        if key and key in seen_keys:
            report.problems.append(
                RowProblem(number, "external_id", f"repeats row {seen_keys[key]} of this file")
            )
            continue
        if key:
            seen_keys[key] = number
        if key and key in existing:
            if existing[key].same_as(row):
                report.unchanged.append(number)
            else:
                report.problems.append(
                    RowProblem(
                        number,
                        "external_id",
                        "was received before with different content: send a correction "
                        "that supersedes it instead",
                    )
                )
            continue
        if row.supersedes_id is not None:
            if row.supersedes_id in seen_corrections:
                earlier = seen_corrections[row.supersedes_id]
                report.problems.append(
                    RowProblem(number, "supersedes", f"corrects the same item as row {earlier}")
                )
                continue
            seen_corrections[row.supersedes_id] = number
        to_create.append((number, row))
    report.problems.sort(key=lambda p: p.row)  # read_rows' and the resend checks' in row order
    if report.problems and not keep_good_rows:
        return report
    # In bulk: a file of 10,000 rows is one COPY and one audit INSERT, not 20,000 statements
    # (bulk_create spent most of its time preparing each column of each object). In a
    # savepoint when the caller holds a transaction, so a clash leaves that transaction usable.
    with transaction.atomic():
        now = timezone.now()
        recorded_by_id = getattr(recorded_by, "pk", None)
        api_client_id = getattr(api_client, "pk", None)
        copy_rows(
            Evidence._meta.db_table,
            EVIDENCE_COLUMNS,
            (
                (
                    row.family_id,
                    row.person_id,
                    row.kind,
                    row.period_start,
                    row.period_end,
                    row.values_json,
                    row.source,
                    row.external_id,
                    row.supersedes_id,
                    today,
                    recorded_by_id,
                    api_client_id,
                    now,
                )
                for _, row in to_create
            ),
        )
        items = [row for _, row in to_create]
        report.created = [number for number, _ in to_create]
        audit.record_many(
            recorded_by,
            action="add_evidence",
            outcome=ALLOWED,
            records=[
                {"family_id": i.family_id, "person_id": i.person_id, "detail": i.kind}
                for i in items
            ],
        )
    report.saved = True
    return report


# The columns `_evidence_import_once` writes, in its rows' order.
EVIDENCE_COLUMNS = (
    "family_id",
    "person_id",
    "kind",
    "period_start",
    "period_end",
    "values",
    "source",
    "external_id",
    "supersedes_id",
    "recorded_on",
    "recorded_by_id",
    "api_client_id",
    "created_at",
)


def _existing_by_key(rows: list[EvidenceRow]) -> dict:
    keys = [row.key for row in rows if row.key]
    if not keys:
        return {}
    sources = {source for source, _ in keys}
    ids = {external for _, external in keys}
    found = Evidence.objects.filter(source__in=sources, external_id__in=ids)
    return {(e.source, e.external_id): _Existing(e) for e in found}


class _Existing:
    def __init__(self, item: Evidence):
        self.item = item

    def same_as(self, row: EvidenceRow) -> bool:
        i = self.item
        return (
            i.family_id == row.family_id
            and i.person_id == row.person_id
            and i.kind == row.kind
            and i.period_start == row.period_start
            and i.period_end == row.period_end
            and i.values == row.values_json
            and i.supersedes_id == row.supersedes_id
        )


def plan_version_load(path) -> OutcomesPlanVersion:
    """Load a published version from a plan file (as the data migration does), once."""
    import json

    definition = json.loads(open(path, encoding="utf-8").read())
    Plan.from_dict(definition)
    version, _ = OutcomesPlanVersion.objects.get_or_create(
        version=definition["version"],
        defaults={
            "title": definition["title"],
            "status": OutcomesPlanVersion.Status.PUBLISHED,
            "effective_from": definition["effective_from"],
            "definition": definition,
        },
    )
    return version


def school_terms_load(path) -> int:
    """Load the term dates of a terms file (as the data migration does), each once; returns how
    many were new. Tests whose transaction is flushed put them back with this."""
    import json

    added = 0
    for term in json.loads(open(path, encoding="utf-8").read())["terms"]:
        _, created = SchoolTerm.objects.get_or_create(
            academic_year=term["academic_year"],
            name=term["name"],
            defaults={"starts_on": term["starts_on"], "ends_on": term["ends_on"]},
        )
        added += created
    return added
