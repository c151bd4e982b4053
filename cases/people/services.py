"""Writes about families and persons, named `<entity>_<verb>`; each change is audited."""

from django.db import transaction

from cases.models import Address, FamilyMember, Person
from earlyhelp import audit
from earlyhelp.models import AuditEntry

ALLOWED = AuditEntry.Outcome.ALLOWED


@transaction.atomic
def person_create(*, form, by) -> Person:
    person = form.save()
    audit.record(by, action="create", outcome=ALLOWED, person_id=person.pk)
    return person


@transaction.atomic
def person_update(*, person: Person, by) -> Person:
    # The field-level before and after is kept by pghistory; the audit row says who and when.
    person.save()
    audit.record(by, action="edit", outcome=ALLOWED, person_id=person.pk)
    return person


@transaction.atomic
def member_add(*, family, person, by, role, relationship="", joined_on=None) -> FamilyMember:
    member = FamilyMember.objects.create(
        family=family, person=person, role=role, relationship=relationship, joined_on=joined_on
    )
    audit.record(
        by,
        action="add_member",
        outcome=ALLOWED,
        family_id=family.pk,
        person_id=person.pk,
        detail=role,
    )
    return member


@transaction.atomic
def address_add(*, person: Person, address: Address, by) -> Address:
    """A move: the current address ends the day before, and the new one becomes current."""
    from datetime import timedelta

    person = Person.objects.select_for_update().get(pk=person.pk)
    Address.objects.filter(person=person, moved_out__isnull=True).update(
        moved_out=address.moved_in - timedelta(days=1)
    )
    address.person = person
    address.save()
    person.postcode = address.postcode
    person.save(update_fields=["postcode", "updated_at"])
    audit.record(by, action="add_address", outcome=ALLOWED, person_id=person.pk)
    return address
