"""Payment-by-results claims, gathered in batches per claim window, and the internal audit (§8).

- The candidates are the families whose current nightly result is claimable by the submission
  date and whose attachment has no results claim yet.
- "A claim must be valid on the date it is submitted": each chosen family is judged again by the
  engine, on a fresh snapshot of its records as of the submission date; the ones no longer
  claimable that day are refused with the engine's reasons, and only the rest are claimed.
- "One results claim per attachment": `Claim.attachment` is one-to-one, so two batches submitted
  at once can never both claim a family; the loser's claim is refused, not doubled.
- The internal-audit sample: `audit_sample` — see its docstring for the size and the rounding.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.gate import families_allowing
from cases.models import Notification
from cases.notifications.services import FAMILY, notify
from earlyhelp import audit
from earlyhelp.access import Action
from earlyhelp.models import AuditEntry
from outcomes.engine import EvaluationError, evaluate
from outcomes.engine.explain import long_date
from outcomes.engine.results import CLAIMABLE, REASON_TEXT

from . import years
from .models import (
    Attachment,
    AuditSampleItem,
    Claim,
    ClaimBatch,
    ClaimStatus,
    FamilyResult,
    OutcomesPlanVersion,
)
from .snapshots import snapshots_for
from .wording import Words


def claim_windows(on: date | None = None) -> list:
    """The windows a batch may be built in: the current programme year's and the previous
    one's (DOMAIN §12: "batched in claim windows", which are the programme year's, not the
    outcomes plan's)."""
    return years.claim_windows(on or timezone.localdate())


def window_label(window) -> str:
    return f"{long_date(window.opens)} to {long_date(window.closes)}"


def claim_candidates(user, *, submitted_on: date):
    """Current results claimable on or before `submitted_on`, not yet claimed, for families the
    user may build claims for (through the gate)."""
    return (
        FamilyResult.objects.filter(
            is_current=True,
            claim_status=ClaimStatus.CLAIMABLE,
            claimable_since__lte=submitted_on,
            attachment__claim__isnull=True,
            family__in=families_allowing(user, Action.BUILD_CLAIM),
        )
        .select_related("family")
        .order_by("claimable_since", "family__name", "family_id")
    )


def audit_sample(family_ids, *, seed: int, percent: int) -> list[int]:
    """The families of a batch that internal audit verifies before submission.

    Size: `percent` of the claims, rounded UP to a whole family (so never below the percentage:
    11 claims at 10% sample 2), and at least one family whenever the batch has claims. Which
    families: a `random.Random(seed)` draw from the ids in ascending order, so the same batch
    (same claims, same seed) always gives the same sample, and the result is sorted.
    """
    ids = sorted(set(family_ids))
    if not ids:
        return []
    size = max(1, -(-len(ids) * percent // 100))
    # A reproducible draw, not a secret: the seed is shown on the batch so anyone can re-draw it.
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))  # noqa: S311


@dataclass(frozen=True)
class Refusal:
    family_id: int
    family: str
    reasons: tuple[str, ...]


def _fresh_results(family_ids: list[int], submitted_on: date) -> dict:
    """The engine's answer for each family on its records as of the submission date."""
    snapshots = snapshots_for(family_ids, as_of=submitted_on)
    plans = {
        v.version: v.plan
        for v in OutcomesPlanVersion.objects.filter(
            version__in={s.attachment.plan_version for s in snapshots.values()}
        )
    }
    answers = {}
    for family_id, snapshot in snapshots.items():
        try:
            answers[family_id] = evaluate(snapshot, plans[snapshot.attachment.plan_version])
        except EvaluationError as error:
            answers[family_id] = error
    return answers


def _refusal_reasons(answer, family_id) -> tuple[str, ...]:
    if answer is None:
        return ("The family was not attached on the submission date",)
    if isinstance(answer, Exception):
        return (f"The engine could not judge the family: {answer}",)
    claim = answer.claim
    if claim.status == "claimed":
        return (REASON_TEXT["already_claimed"],)
    if claim.reasons:
        return tuple(r.text for r in claim.reasons)
    missing = Words.for_family(family_id).missing(answer)  # named people, dates in words
    return ("Not claimable on the submission date: " + "; ".join(missing),)


def _check_window(opens: date, closes: date, submitted_on: date) -> None:
    if not opens <= submitted_on <= closes:
        raise ValidationError(
            {
                "submitted_on": f"The submission date must be within the claim window, "
                f"{long_date(opens)} to {long_date(closes)}"
            }
        )
    if submitted_on > timezone.localdate():
        raise ValidationError({"submitted_on": "The submission date cannot be in the future"})


@transaction.atomic
def claim_batch_submit(
    *,
    window,  # a ProgrammeClaimWindow, or anything with `opens` and `closes`
    submitted_on: date,
    family_ids: list[int],
    by,
    seed: int | None = None,
    percent: int | None = None,
) -> ClaimBatch:
    """Claim every chosen family still claimable on `submitted_on`; refuse the rest with their
    reasons; draw the audit sample. Nothing is saved when no family can be claimed."""
    _check_window(window.opens, window.closes, submitted_on)
    if not family_ids:
        raise ValidationError({"families": "Select at least one family to claim"})
    allowed = set(
        claim_candidates(by, submitted_on=submitted_on)
        .filter(family_id__in=family_ids)
        .values_list("family_id", flat=True)
    )
    names = dict(
        FamilyResult.objects.filter(family_id__in=family_ids, is_current=True).values_list(
            "family_id", "family__name"
        )
    )
    chosen = sorted(set(family_ids))
    refused = [
        Refusal(fid, names.get(fid, str(fid)), ("Not a claimable family you may claim for",))
        for fid in chosen
        if fid not in allowed
    ]
    answers = _fresh_results(sorted(allowed), submitted_on)
    attachment_of = {
        a.family_id: a
        for a in Attachment.objects.filter(
            family_id__in=allowed, attached_on__lte=submitted_on
        ).order_by("family_id", "attached_on", "id")
    }  # the latest wins, as in the snapshot
    batch = ClaimBatch.objects.create(
        name=_batch_name(window, submitted_on),
        created_by=by,
        window_opens=window.opens,
        window_closes=window.closes,
        submitted_on=submitted_on,
        sample_seed=secrets.randbits(48) if seed is None else seed,
        sample_percent=percent or years.audit_sample_percent(submitted_on),
    )
    claimed = []
    for family_id in sorted(allowed):
        answer = answers.get(family_id)
        if answer is None or isinstance(answer, Exception) or answer.claim.status != CLAIMABLE:
            reasons = _refusal_reasons(answer, family_id)
            refused.append(Refusal(family_id, names[family_id], reasons))
            continue
        try:
            with transaction.atomic():
                Claim.objects.create(
                    batch=batch,
                    family_id=family_id,
                    attachment=attachment_of[family_id],
                    route=answer.claim.route,
                    claimed_on=submitted_on,
                    results_payment=answer.claim.results_payment,
                )
        except IntegrityError:  # another batch claimed it since we looked
            refused.append(Refusal(family_id, names[family_id], (REASON_TEXT["already_claimed"],)))
            continue
        claimed.append(family_id)
    if not claimed:  # raising rolls the batch back: nothing is half-saved
        raise ValidationError(
            [f"{r.family}: {'; '.join(r.reasons)}" for r in refused]
            or ["No family could be claimed"]
        )
    batch.refused = [
        {"family_id": r.family_id, "family": r.family, "reasons": list(r.reasons)}
        for r in sorted(refused, key=lambda r: r.family_id)
    ]
    batch.save(update_fields=["refused"])
    AuditSampleItem.objects.bulk_create(
        AuditSampleItem(batch=batch, family_id=family_id)
        for family_id in audit_sample(claimed, seed=batch.sample_seed, percent=batch.sample_percent)
    )
    audit.record(
        by,
        action="claim_batch",
        outcome=AuditEntry.Outcome.ALLOWED,
        listed_family_ids=claimed,
        detail=f"batch {batch.pk}: {len(claimed)} claimed, {len(refused)} refused",
    )
    return batch


def _batch_name(window, submitted_on: date) -> str:
    base = f"Window {window_label(window)}, submitted {long_date(submitted_on)}"
    taken = ClaimBatch.objects.filter(name__startswith=base).count()
    return base if not taken else f"{base} ({taken + 1})"


def _withdraw(item: AuditSampleItem, *, reason: str, by) -> None:
    """Internal audit verifies the sample before the claims are submitted (DOMAIN §8): a claim
    an auditor finds unsupported is taken out of the batch, so the batch, its total and the
    reports count only claims audit let stand, and the attachment may be claimed again once its
    evidence holds. The batch keeps the family among its refusals with the auditor's reason,
    the verdict stays on the sample, and whoever built the batch is told."""
    batch = ClaimBatch.objects.select_for_update().get(pk=item.batch_id)
    Claim.objects.filter(batch=batch, family_id=item.family_id).delete()
    batch.refused = [
        *batch.refused,
        {
            "family_id": item.family_id,
            "family": item.family.name,
            "reasons": [f"Withdrawn after internal audit: {reason}"],
        },
    ]
    batch.save(update_fields=["refused"])
    if batch.created_by_id is not None:
        notify(
            batch.created_by,
            kind=Notification.Kind.CLAIM_WITHDRAWN,
            message=f"The claim for the {FAMILY} was withdrawn from {batch.name}: "
            f"internal audit found it not supported ({reason})",
            key=f"claim-withdrawn:{batch.pk}:{item.family_id}",
            family=item.family,
            url=reverse("claim-batch-detail", args=[batch.pk]),
        )


@transaction.atomic
def audit_verdict_record(*, item: AuditSampleItem, verdict: str, reason: str, by):
    """An auditor's verdict on one sampled family: agree, or disagree with the reason."""
    item = AuditSampleItem.objects.select_for_update().get(pk=item.pk)
    if item.verdict:
        raise ValidationError(
            f"A verdict is already recorded for this family in this batch, by {item.verdict_by}"
        )
    if verdict not in AuditSampleItem.Verdict.values:
        raise ValidationError({"verdict": "Select whether you agree with the claim"})
    reason = reason.strip()
    if verdict == AuditSampleItem.Verdict.DISAGREE and not reason:
        raise ValidationError({"reason": "Enter why the evidence does not support the claim"})
    item.verdict, item.verdict_reason = verdict, reason
    item.verdict_by, item.verdict_at = by, timezone.now()
    item.save(update_fields=["verdict", "verdict_reason", "verdict_by", "verdict_at"])
    if verdict == AuditSampleItem.Verdict.DISAGREE:
        _withdraw(item, reason=reason, by=by)
    audit.record(
        by,
        action="audit_verdict",
        outcome=AuditEntry.Outcome.ALLOWED,
        family_id=item.family_id,
        detail=f"batch {item.batch_id}: {verdict}",
    )
    return item
