"""What a report counts: the reader's families (through the gate), cut by programme year,
delivery partner (the attachment's lead agency) and locality.

The programme team counts every family the programme relation gives them (attached families and
candidates); a manager counts the families their teams lead (the MANAGER relation). Both come from
`cases.gate.families_visible_to`, so a report never counts a family its reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, When
from django.db.models.functions import ExtractYear

from cases.gate import families_visible_to, rows_of_visible_families
from earlyhelp.access import Action, role_may
from earlyhelp.models import Locality, Organisation
from outcomes.models import Attachment, ProgrammeYear


@dataclass
class Scope:
    user: object
    year: ProgrammeYear | None = None  # None: every year
    partner: Organisation | None = None
    locality: Locality | None = None
    today: date | None = None

    def families(self) -> QuerySet:
        """The reader's families, in the partner and locality asked for (not cut by year: each
        report says which date of a family's falls in the year)."""
        families = families_visible_to(self.user)
        if self.locality is not None:
            families = families.filter(locality=self.locality)
        if self.partner is not None:
            families = families.filter(attachments__lead_agency=self.partner)
        return families

    def attachments(self) -> QuerySet:
        """Attachments of the reader's families, by the partner and locality asked for (every
        year: cut by `in_year` where a report counts attachments made in the year).

        Each attachment's family is checked row by row: the attachments are a few thousand
        where the families a manager of many teams or the programme team may see are tens of
        thousands, and reading those whole halved what every finance report cost at 50,000
        families (bench/reports_bench.py)."""
        attachments = self.rows(Attachment.objects.all())
        if self.partner is not None:
            attachments = attachments.filter(lead_agency=self.partner)
        return attachments

    def rows(self, rows: QuerySet, *, family_id: str = "family_id") -> QuerySet:
        """`rows` (of a table that names each row's family at `family_id`) whose family the
        reader may see and is in the locality asked for, each asked of the gate row by row.
        The partner is each report's to apply: which agency leads is a fact of the row's
        episode or attachment, not of the family."""
        rows = rows_of_visible_families(self.user, rows, family_id=family_id)
        if self.locality is not None:
            rows = rows.filter(**{f"{family_id.removesuffix('_id')}__locality": self.locality})
        return rows

    def in_year(self, queryset: QuerySet, field: str) -> QuerySet:
        """`queryset` cut to the rows whose `field` (a date) falls in the year asked for."""
        if self.year is None:
            return queryset
        return queryset.filter(
            **{f"{field}__gte": self.year.starts_on, f"{field}__lte": self.year.ends_on}
        )

    @property
    def whole_programme(self) -> bool:
        """Whether the figures are the council's whole programme: no partner or locality
        chosen, and a reader who sees every programme family (the programme team). Only then do
        the council-wide amounts (the grant, other contributions, the attachment target) belong
        beside them."""
        return (
            self.partner is None
            and self.locality is None
            and role_may(self.user, Action.CONFIGURE_PROGRAMME)
        )

    def describe(self) -> str:
        parts = [f"programme year {self.year.label}" if self.year else "every programme year"]
        if self.partner is not None:
            parts.append(f"delivery partner {self.partner}")
        if self.locality is not None:
            parts.append(str(self.locality))
        return ", ".join(parts)


def programme_year_of(field: str):
    """The `starts_in` of the programme year (April to March) the date in `field` falls in."""
    return Case(
        When(**{f"{field}__month__gte": 4}, then=ExtractYear(field)),
        default=ExtractYear(field) - 1,
        output_field=IntegerField(),
    )
