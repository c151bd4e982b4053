"""What making a return writes: the audit trail of every family in the file, and new versions
of a layout."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp import audit
from earlyhelp.access import Action
from earlyhelp.models import AuditEntry

from .layouts import layout_problems
from .models import ReturnLayout
from .selectors import NationalReturn


def return_made_record(national_return: NationalReturn, *, by) -> int:
    """Every family in the file as a view by whoever made it, and for the NIS every person in
    it too: one INSERT however many (DOMAIN §1, "every view … of a family or person")."""
    r = national_return
    detail = f"{r.kind_label} as of {r.period.ends_on} (layout version {r.layout.version})"
    records = [{"family_id": f, "detail": detail} for f in r.family_ids]
    records += [{"family_id": f, "person_id": p, "detail": detail} for f, p in r.people]
    return audit.record_many(
        by, action=Action.VIEW, outcome=AuditEntry.Outcome.ALLOWED, records=records
    )


@transaction.atomic
def return_layout_change(*, kind: str, columns, note: str, by) -> ReturnLayout:
    """A new version of the kind's layout; the earlier ones stay as they were."""
    problems = layout_problems(kind, columns)
    if not note.strip():
        problems.append("Say what changed and why")
    if problems:
        raise ValidationError(problems)
    latest = ReturnLayout.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    return ReturnLayout.objects.create(
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        columns=columns,
        note=note.strip(),
        created_by=by,
    )
