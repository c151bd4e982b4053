"""Writes about families and persons, named `<entity>_<verb>`; each change is audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cases.gate import person_for, persons_visible_to
from cases.models import Address, FamilyMember, Person, PossibleDuplicate
from cases.people import rules
from cases.people.matching import likely_duplicates
from earlyhelp import audit
from earlyhelp.access import Action, as_id
from earlyhelp.models import AuditEntry

ALLOWED = AuditEntry.Outcome.ALLOWED


def _require_person_rules(person: Person) -> None:
    if problems := rules.person_problems(rules.person_details_of(person)):
        raise ValidationError(problems)


@transaction.atomic
def person_create(*, person: Person, by, family=None) -> Person:
    """A new person, given unsaved; any likely match `by` may not see goes to the hub to
    check."""
    _require_person_rules(person)
    person.save()
    audit.record(by, action="create", outcome=ALLOWED, person_id=person.pk)
    possible_duplicates_raise(person=person, family=family, by=by)
    return person


def possible_duplicates_raise(*, person: Person, family, by) -> list[PossibleDuplicate]:
    """Ask the hub to check the likely matches of a new person that `by` may not see.

    The recorder was told only that someone with these details is already known; linking the
    two would show them the other record in full, so it is for the hub, which sees both while
    the check is open (`Relation.DUPLICATE_TO_CHECK`). Matches `by` may see were offered and
    turned down, and the household's own members are the ones being recorded with them
    (a request's twins): neither is raised.
    """
    matches = likely_duplicates(
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        postcode=person.postcode,
        nhs_number=person.nhs_number,
        ni_number=person.ni_number,
        upn=person.upn,
        exclude_person_id=person.pk,
    )
    ids = [match.person.pk for match in matches]
    offered = set(persons_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))
    household = set()
    if family is not None:
        household = set(
            FamilyMember.objects.filter(
                family=family, person__in=ids, left_on__isnull=True
            ).values_list("person_id", flat=True)
        )
    raised = [
        PossibleDuplicate.objects.create(person=person, known_id=pk, family=family, raised_by=by)
        for pk in ids
        if pk not in offered | household
    ]
    for check in raised:
        audit.record(
            by,
            action="possible_duplicate",
            outcome=ALLOWED,
            family_id=family.pk if family else None,
            person_id=person.pk,
            listed_person_ids=[person.pk, check.known_id],
            detail=f"may be record {check.known_id}: for the hub to check",
        )
    return raised


@transaction.atomic
def possible_duplicate_decide_different(*, check_id: int, by) -> PossibleDuplicate:
    """The hub finds the two are not the same person: the check closes, and with it the hub's
    sight of both records. Merging them closes it as the same person (`person_merge`)."""
    check = PossibleDuplicate.objects.select_for_update().filter(pk=as_id(check_id)).first()
    if check is None:
        audit.record(by, action="not_a_duplicate", outcome=AuditEntry.Outcome.NOT_FOUND)
        raise Http404("No such record")
    if check.decided_by_id == by.pk and check.decision == PossibleDuplicate.Decision.DIFFERENT:
        return check  # sent twice: it is done
    # Deciding needs what merging needs: sight of both, and the right to merge them.
    person_for(by, check.known_id, action=Action.MERGE)
    person_for(by, check.person_id, action=Action.MERGE)
    if check.decided_at is not None:
        raise ValidationError(
            f"This was already decided by {check.decided_by} on "
            f"{timezone.localtime(check.decided_at):%d %B %Y}."
        )
    check.decided_by, check.decided_at = by, timezone.now()
    check.decision = PossibleDuplicate.Decision.DIFFERENT
    check.save(update_fields=["decided_by", "decided_at", "decision"])
    audit.record(
        by,
        action="not_a_duplicate",
        outcome=ALLOWED,
        person_id=check.person_id,
        listed_person_ids=[check.person_id, check.known_id],
        detail=f"not the same person as record {check.known_id}",
    )
    return check


@transaction.atomic
def person_update(*, person: Person, by) -> Person:
    # The field-level before and after is kept by pghistory; the audit row says who and when.
    _require_person_rules(person)
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

    if problems := rules.new_address_problems(postcode=address.postcode, moved_in=address.moved_in):
        raise ValidationError(problems)
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
