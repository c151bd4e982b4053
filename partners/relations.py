"""The relations to a family that consent under an information sharing agreement makes
(earlyhelp.access has the table).

An agency's consent reaches only the kinds of data that both the consent and an agreement
in force for the agency cover: the family summary, casework, evidence — one relation each.
"""

from __future__ import annotations

from django.db.models import Q

from cases.models import Consent, DataKind
from earlyhelp import compiled
from earlyhelp.access import Reach, Relation, defines

from .models import InformationSharingAgreement

KIND_RELATIONS = [
    (Relation.AGENCY, DataKind.SUMMARY),
    (Relation.AGENCY_CASEWORK, DataKind.CASEWORK),
    (Relation.AGENCY_EVIDENCE, DataKind.EVIDENCE),
]


def _agreements_in_force(organisation_id, today):
    return (
        InformationSharingAgreement.objects.filter(
            organisations=organisation_id, starts_on__lte=today
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("data_kinds", flat=True)
    )


def kinds_shared_by_agreements(organisation_id: int, today) -> set[str]:
    """The kinds of data the agreements in force for the agency share (asked on every page a
    partner opens: a read declared once, earlyhelp.compiled)."""
    kinds: set[str] = set()
    for data_kinds in compiled.rows(
        "partners.agreements_in_force", _agreements_in_force, organisation_id, today
    ):
        kinds.update(data_kinds)
    return kinds


@defines(Relation.AGENCY, Relation.AGENCY_CASEWORK, Relation.AGENCY_EVIDENCE)
def _agency(user, wanted, moment) -> dict:
    if not user.team_id:
        return {}
    organisation_id = user.team.organisation_id
    shared = kinds_shared_by_agreements(organisation_id, moment.today)
    found = {}
    for relation, kind in KIND_RELATIONS:
        if kind in shared:
            consents = Consent.objects.filter(
                agencies=organisation_id,
                covers__contains=[kind],
                given_on__lte=moment.today,
                withdrawn_on__isnull=True,
            )
            found[relation] = Reach(consents)
    return found
