"""The programme team's and auditors' work lists (their home pages): reads only, each list a
fixed number of queries whatever its length, every family through the gate's `visible`."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from cases.gate import families_visible_to
from earlyhelp.listing import Listing, first_rows
from outcomes.engine.results import REASON_TEXT
from outcomes.relations import programme_candidates

from .models import AuditSampleItem, Claim, ClaimBatch, ClaimStatus, FamilyResult, NightlyRun


def _visible(user, visible):
    """The families the lists may show: given by the caller, or the gate's for `user`."""
    return families_visible_to(user) if visible is None else visible


def _current(visible):
    return FamilyResult.objects.filter(is_current=True, family__in=visible).select_related("family")


def newly_claimable(user, *, visible=None) -> Listing:
    """Claimable and not yet claimed, newest first; `is_new` marks those the latest completed
    nightly run made claimable."""
    latest = (
        NightlyRun.objects.filter(status=NightlyRun.Status.COMPLETED)
        .order_by("-started_at", "-id")
        .values("pk")[:1]
    )
    rows = (
        _current(_visible(user, visible))
        .filter(claim_status=ClaimStatus.CLAIMABLE)
        .exclude(Exists(Claim.objects.filter(attachment=OuterRef("attachment"))))
        .annotate(is_new=Q(run__in=latest))
        .order_by("-claimable_since", "family__name", "pk")
    )
    return first_rows(rows)


def not_claimable(user, *, visible=None) -> Listing:
    """Families not claimable, each with its reasons in words."""
    listing = first_rows(
        _current(_visible(user, visible))
        .filter(claim_status=ClaimStatus.NOT_CLAIMABLE)
        .order_by("family__name", "pk")
    )
    for row in listing.rows:
        row.reason_texts = [REASON_TEXT.get(code, code) for code in row.reasons]
    return listing


def attachments_awaiting(user, *, visible=None) -> Listing:
    """Candidates for the programme not yet attached (open episode, signed-off assessment)."""
    return first_rows(
        programme_candidates()
        .filter(family__in=_visible(user, visible))
        .select_related("family", "lead_practitioner", "assessment")
        .order_by("assessment__signed_off_at", "pk")
    )


def open_batches() -> Listing:
    """Claim batches whose audit sample still has families awaiting a verdict."""
    awaiting = (
        AuditSampleItem.objects.filter(batch=OuterRef("pk"), verdict="")
        .values("batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return first_rows(
        ClaimBatch.objects.annotate(awaiting=Coalesce(Subquery(awaiting), 0))
        .filter(awaiting__gt=0)
        .order_by("-created_at", "-pk")
    )


def sample_awaiting_verdict(user, *, visible=None) -> Listing:
    """The sampled families awaiting the auditors' verdict, oldest batch first."""
    return first_rows(
        AuditSampleItem.objects.filter(verdict="", family__in=_visible(user, visible))
        .select_related("batch", "family")
        .order_by("batch__created_at", "batch_id", "family__name", "pk")
    )
