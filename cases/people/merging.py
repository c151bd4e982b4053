"""Merging a duplicate person into the surviving record, and undoing it (DOMAIN §3).

"Merging is a recorded, reversible act: live links move to the surviving
record, the merged one remains as a pointer to it, audit and history rows keep
their ids, and an unmerge puts the links back."

The live links are found, not listed: every foreign key that points at a
person moves, so a model added later with a person link is merged without
anyone remembering to add it here. What stays put is the record of the past:
field history (pghistory events), the merge records themselves, the hub's
checks of possible duplicates and a merged record's pointer to its survivor.
The audit log holds person ids, not foreign keys, so its rows never move.
"""

from __future__ import annotations

from dataclasses import dataclass

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import formats, timezone
from pghistory.models import Event

from cases.models import Person, PersonMerge, PossibleDuplicate
from earlyhelp import audit

# A merge is "recorded" (DOMAIN §3) with why the two are one person, for whoever undoes it.
MERGE_REASON_MIN = 10
MERGE_REASON_TOO_SHORT = f"Give a reason of at least {MERGE_REASON_MIN} characters"


@dataclass(frozen=True)
class PersonLink:
    """A foreign key from some model to Person, as one kind of live link."""

    model: type[models.Model]
    field: str

    @property
    def key(self) -> str:
        """The name `PersonMerge.moved` files this link's row ids under."""
        label = self.model._meta.label
        # A model's one person link is filed under its label; a second link
        # on the same model (a relationship between two people) needs its field too.
        return label if self.field == "person" else f"{label}.{self.field}"

    def rows(self):
        # The base manager, so a custom default manager that hides rows
        # (archived, soft-deleted) cannot leave any of them behind.
        return self.model._base_manager


def person_links() -> list[PersonLink]:
    """Every live link to a person: reverse foreign keys on Person, less history and merges."""
    links = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if model in (Person, PersonMerge, PossibleDuplicate) or _is_history(model):
            continue
        if relation.many_to_many:
            through = relation.through
            if through._meta.auto_created:  # an explicit through model is listed on its own
                links.append(PersonLink(through, relation.field.m2m_reverse_field_name()))
        else:
            links.append(PersonLink(model, relation.field.name))
    return sorted(links, key=lambda link: link.key)


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, Event)


def _described(person: Person) -> str:
    """A record in words a hub worker tells apart: the name, and the date of birth if known."""
    if person.date_of_birth is None:
        return f"the record of {person}"
    return f"the record of {person}, born {formats.date_format(person.date_of_birth, 'j F Y')}"


@transaction.atomic
def person_merge(*, survivor: Person, duplicate: Person, reason: str, by) -> PersonMerge:
    """Move every live link from `duplicate` to `survivor`, leaving `duplicate` as a pointer."""
    if survivor.pk == duplicate.pk:
        raise ValidationError("A person cannot be merged into their own record.")
    if len((reason or "").strip()) < MERGE_REASON_MIN:
        raise ValidationError({"reason": [MERGE_REASON_TOO_SHORT]})
    survivor, duplicate = _lock(survivor.pk, duplicate.pk)
    if duplicate.merged_into_id:
        raise ValidationError(
            f"This record of {duplicate} was already merged into "
            f"{_described(duplicate.merged_into)}: there is nothing more to merge."
        )
    if survivor.merged_into_id:
        raise ValidationError(
            f"This record of {survivor} was itself merged into "
            f"{_described(survivor.merged_into)}: merge into that record instead."
        )

    merge = PersonMerge.objects.create(
        survivor=survivor, duplicate=duplicate, reason=reason.strip(), merged_by=by
    )
    moved = {}
    with pghistory.context(person_merge=merge.pk, merged_by=by.pk):
        for link in person_links():
            ids = _move(link, from_person=duplicate, to_person=survivor)
            if ids:
                moved[link.key] = ids
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into", "updated_at"])
    merge.moved = moved
    merge.save(update_fields=["moved"])
    # A possible duplicate the hub was asked to check is decided: they are the same person.
    PossibleDuplicate.objects.filter(decided_at__isnull=True).filter(
        Q(person=duplicate, known=survivor) | Q(person=survivor, known=duplicate)
    ).update(decided_by=by, decided_at=timezone.now(), decision=PossibleDuplicate.Decision.SAME)

    summary = _summary(moved)
    audit.record(
        by,
        action="merge",
        outcome="allowed",
        person_id=survivor.pk,
        detail=f"Record {duplicate.pk} merged into this one (merge {merge.pk}): {summary}",
    )
    audit.record(
        by,
        action="merge",
        outcome="allowed",
        person_id=duplicate.pk,
        detail=f"Merged into record {survivor.pk} (merge {merge.pk}): {summary}",
    )
    return merge


@transaction.atomic
def person_unmerge(*, merge: PersonMerge, by) -> None:
    """Put back exactly the links the merge moved, and make the duplicate a record again."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at:
        raise ValidationError(
            f"This merge was already undone on {timezone.localtime(merge.unmerged_at):%d %B %Y}."
        )
    survivor, duplicate = _lock(merge.survivor_id, merge.duplicate_id)
    if survivor.merged_into_id:
        raise ValidationError(
            f"The record of {survivor} has since been merged into "
            f"{_described(survivor.merged_into)}: undo that merge first."
        )
    if duplicate.merged_into_id != survivor.pk:
        raise ValidationError(
            f"This record of {duplicate} is no longer merged into {_described(survivor)}, "
            "so this merge cannot be undone safely."
        )

    links = {link.key: link for link in person_links()}
    missing = sorted(set(merge.moved) - set(links))
    if missing:
        raise ValidationError(
            f"This merge moved links that no longer exist ({', '.join(missing)}): "
            "it cannot be undone."
        )
    left_behind = 0
    with pghistory.context(person_unmerge=merge.pk, unmerged_by=by.pk):
        for key, ids in merge.moved.items():
            link = links[key]
            # Only rows still on the survivor go back: one since deleted, or
            # moved on by someone, is not the merge's to move.
            back = (
                link.rows()
                .filter(pk__in=ids, **{link.field: survivor})
                .update(**{link.field: duplicate})
            )
            left_behind += len(ids) - back
        duplicate.merged_into = None
        duplicate.save(update_fields=["merged_into", "updated_at"])
    merge.unmerged_by = by
    merge.unmerged_at = timezone.now()
    merge.save(update_fields=["unmerged_by", "unmerged_at"])

    summary = _summary(merge.moved)
    if left_behind:
        summary += f"; {left_behind} no longer on record {survivor.pk} and left where they are"
    for person_id, detail in (
        (survivor.pk, f"Record {duplicate.pk} taken back out of this one (merge {merge.pk})"),
        (duplicate.pk, f"Separated again from record {survivor.pk} (merge {merge.pk})"),
    ):
        audit.record(
            by,
            action="unmerge",
            outcome="allowed",
            person_id=person_id,
            detail=f"{detail}: {summary}",
        )


def _lock(*ids: int) -> list[Person]:
    """Lock the persons' rows, always in id order so two merges cannot deadlock."""
    locked = Person.objects.select_for_update().in_bulk(sorted(ids))
    return [locked[pk] for pk in ids]


def _move(link: PersonLink, *, from_person: Person, to_person: Person) -> list[int]:
    """Re-point one kind of link, returning the ids of the rows moved.

    Rows are locked before they are counted, so the ids recorded are exactly
    the rows updated. Nothing is deleted: where the move leaves a person twice
    in one household, both memberships stay as history for a practitioner to
    tidy; a link that may exist only once (one-to-one, or a unique rule)
    refuses the whole merge instead.
    """
    rows = link.rows().select_for_update().filter(**{link.field: from_person})
    ids = sorted(rows.values_list("pk", flat=True))
    if not ids:
        return []
    try:
        with transaction.atomic():
            link.rows().filter(pk__in=ids).update(**{link.field: to_person})
    except IntegrityError as error:
        raise ValidationError(
            f"Both records have a {link.model._meta.verbose_name} that can exist only once "
            "per person: resolve that before merging."
        ) from error
    return ids


def _summary(moved: dict[str, list[int]]) -> str:
    if not moved:
        return "no links moved"
    return ", ".join(f"{len(ids)} {key.split('.', 1)[1]}" for key, ids in sorted(moved.items()))
