"""Reads about the outcomes plan and evidence; lists start from the access gate."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, F, JSONField, Q, Value, When

from cases.gate import families_allowing
from earlyhelp import compiled
from earlyhelp.access import Action
from outcomes.engine.plan import Plan

from .explanations import claim_words, decision_words, explain, reason_texts
from .models import Claim, ClaimStatus, Evidence, FamilyResult, NightlyRun, OutcomesPlanVersion
from .wording import Words


def plan_in_force(on: date) -> OutcomesPlanVersion | None:
    """The published version whose effective date is the latest on or before `on`."""
    return (
        OutcomesPlanVersion.objects.filter(
            status=OutcomesPlanVersion.Status.PUBLISHED, effective_from__lte=on
        )
        .order_by("-effective_from")
        .first()
    )


def evidence_for_family(family):
    """Every item, corrections beside what they correct, newest first."""
    return (
        Evidence.objects.filter(family=family)
        .select_related("person", "recorded_by", "api_client", "superseded_by")
        .order_by("-period_start", "-id")
    )


@dataclass
class RunChanges:
    """What the runs since the previous completed run wrote, as seen by one reader."""

    since: NightlyRun | None
    newly_claimable: list = field(default_factory=list)
    no_longer_claimable: list = field(default_factory=list)
    claimed: list = field(default_factory=list)  # claimable before, claimed in a batch since
    other: int = 0


def run_changes(run: NightlyRun, *, user) -> RunChanges:
    """Each family whose answer changed between the previous completed run and `run` (runs
    killed in between count too: what they wrote is part of the change), compared with its
    answer before. Three queries whatever the number of changes."""
    since = (
        NightlyRun.objects.filter(status=NightlyRun.Status.COMPLETED, started_at__lt=run.started_at)
        .order_by("-started_at")
        .first()
    )
    written = FamilyResult.objects.filter(run__started_at__lte=run.started_at)
    if since is not None:
        written = written.filter(run__started_at__gt=since.started_at)
    # The latest row each family got in the window, beside the row it had before the window.
    latest = {}
    first = {}
    for row in written.select_related("family", "previous").order_by("family_id", "id"):
        latest[row.family_id] = row
        first.setdefault(row.family_id, row)
    visible = set(
        families_allowing(user, Action.VIEW)
        .filter(pk__in=list(latest))
        .values_list("pk", flat=True)
    )
    changes = RunChanges(since=since)
    claimable = ClaimStatus.CLAIMABLE
    for family_id, row in latest.items():
        before = first[family_id].previous
        was = before.claim_status if before is not None else None
        if family_id not in visible:
            continue  # neither named nor counted
        row.reason_texts = reason_texts(row)
        if row.claim_status == claimable and was != claimable:
            changes.newly_claimable.append((row, before))
        elif was == claimable and row.claim_status == ClaimStatus.CLAIMED:
            changes.claimed.append((row, before))
        elif was == claimable and row.claim_status != claimable:
            changes.no_longer_claimable.append((row, before))
        else:
            changes.other += 1
    return changes


def current_result(family):
    """The family's current nightly result (None until the nightly job has judged it)."""
    return compiled.first(
        "outcomes.current_result",
        lambda family_id: FamilyResult.objects.filter(family=family_id, is_current=True).order_by(
            "-id"
        )[:1],
        family.pk,
    )


def claim_since_result(row: FamilyResult | None) -> Claim | None:
    """A claim made on the result's attachment since the night judged the family claimable.
    The claim marked the family to be judged again (`outcomes.changes`: the trigger on
    `outcomes_claim`), so the next run's result says "claimed"; until then the pages that show
    the result say what the batch says. One query, for a claimable result only."""
    if row is None or row.claim_status != ClaimStatus.CLAIMABLE:
        return None
    return Claim.objects.filter(attachment_id=row.attachment_id).select_related("batch").first()


def results_for_family_page(family) -> dict | None:
    """What the family page shows of the family's current results: the decision as the nightly
    job kept it (claim status, reasons, each outcome), and what is still needed with the
    engine's plain-English explanation, worked out again from the records, with a notice if
    they have changed since."""
    row = current_result(family)
    if row is None:
        return None
    explained = explain(row)
    claim = claim_since_result(row)
    words = Words.for_family(family, plan=explained.plan)
    answer = explained.answer
    return {
        "row": row,
        "claim": claim,
        "headline": claim_words(claim) if claim else decision_words(row),
        "reasons": reason_texts(row),
        "outcomes": [
            {
                "outcome": words.outcome(o.outcome),
                "met": o.met,
                "met_on": o.met_on,
                "sustained_on": o.sustained_on,
                "sustain_due_on": o.sustain_due_on,
            }
            for o in row.decision.applying()
        ],
        "missing": words.missing(answer),
        "explanation": words.for_practitioner(answer) if answer is not None else [],
        "notice": explained.notice,
    }


_PUBLISHED_PLANS: dict[int, object] = {}


def plan_of(version):
    """The engine's Plan of a version, read once per process for a published version (which
    never changes: a trigger refuses it), every time for a draft."""
    if version.status != version.Status.PUBLISHED:
        return version.plan
    if version.pk not in _PUBLISHED_PLANS:
        _PUBLISHED_PLANS[version.pk] = version.plan
    version.__dict__["plan"] = _PUBLISHED_PLANS[version.pk]  # later `version.plan` reads it
    return version.plan


def plan_in_force_for_reading(on):
    """The published plan in force on `on` (or the earliest, before any): one query, which
    reads a version's definition (1,900 lines of JSON) only if this process has not yet."""
    known = list(_PUBLISHED_PLANS)
    heads = list(
        OutcomesPlanVersion.objects.filter(status=OutcomesPlanVersion.Status.PUBLISHED)
        .order_by("effective_from", "version")
        .annotate(
            unread=Case(
                When(~Q(pk__in=known), then=F("definition")),
                default=Value(None),
                output_field=JSONField(),
            )
        )
        .values_list("pk", "effective_from", "unread")
    )
    if not heads:
        return None
    in_force = [h for h in heads if h[1] <= on] or heads
    pk, _, definition = in_force[-1]
    if pk not in _PUBLISHED_PLANS:
        _PUBLISHED_PLANS[pk] = Plan.from_dict(definition)
    return _PUBLISHED_PLANS[pk]
