"""The relations to a family that the programme makes (earlyhelp.access has the table):
attached to the programme, a candidate for it, in an audit sample."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Episode
from earlyhelp.access import Reach, Relation, defines

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
        Relation.PROGRAMME: Reach(Attachment.objects.all()),
        Relation.PROGRAMME_CANDIDATE: Reach(programme_candidates()),
    }


@defines(Relation.AUDITOR)
def _auditor(user, wanted, moment) -> dict:
    return {Relation.AUDITOR: Reach(AuditSampleItem.objects.all())}
