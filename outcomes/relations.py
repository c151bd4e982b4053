"""The relations to a family that the programme makes (earlyhelp.access has the table):
attached to the programme, a candidate for it, in an audit sample."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from cases.models import Episode
from earlyhelp.access import Relation, defines

from .models import Attachment, AuditSampleItem

# Two headline problems need at least two indicators ticked (DOMAIN §5); a coarse filter only.
CANDIDATE_MIN_INDICATORS = 2


def programme_candidates() -> QuerySet:
    """Open episodes not yet attached whose signed-off assessment ticks at least as many
    indicators as eligibility needs headline problems (DOMAIN §1: "candidates … eligible"). The
    attachment page then asks the engine whether they are eligible in fact."""
    return Episode.objects.filter(
        status=Episode.Status.OPEN,
        assessment__status="signed_off",
        assessment__indicators__len__gte=CANDIDATE_MIN_INDICATORS,
        attachment__isnull=True,
    )


@defines(Relation.PROGRAMME, Relation.PROGRAMME_CANDIDATE)
def _programme(user, wanted, moment) -> dict:
    return {
        Relation.PROGRAMME: Exists(Attachment.objects.filter(family=OuterRef("pk"))),
        Relation.PROGRAMME_CANDIDATE: Exists(programme_candidates().filter(family=OuterRef("pk"))),
    }


@defines(Relation.AUDITOR)
def _auditor(user, wanted, moment) -> dict:
    return {Relation.AUDITOR: Exists(AuditSampleItem.objects.filter(family=OuterRef("pk")))}
