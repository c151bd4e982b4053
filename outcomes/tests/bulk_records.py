"""Many engine snapshots written as records quickly, with PostgreSQL COPY: for the nightly job's
end-to-end tests and `bench/nightly_bench.py` (100,000 families of about 20 evidence rows).

`copy_objects` writes unsaved model instances with their ids reserved from the table's sequence,
so rows can point at each other before any is written; defaults and `auto_now_add` are filled as
`save()` would fill them.
"""

from __future__ import annotations

import io

from django.db import connection

from cases.models import Episode, Family, FamilyMember, Person
from earlyhelp.pgcopy import copy_text
from outcomes.engine.snapshot import FamilySnapshot
from outcomes.models import Attachment, Evidence, ProblemIdentified
from outcomes.tests.records import OUR_REASON


def reserve_ids(model, n: int) -> range:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
            " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, n],
        )
        last = cursor.fetchone()[0]
    return range(last - n + 1, last + 1)


def copy_objects(model, objects: list, *, ids_reserved: bool = False) -> None:
    if not objects:
        return
    if not ids_reserved:
        for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
            obj.pk = pk
    fields = model._meta.concrete_fields
    buffer = io.StringIO()
    for obj in objects:
        # pre_save fills auto_now(_add) as save() would, and gives every other field's value.
        buffer.write("\t".join(copy_text(f.pre_save(obj, add=True)) for f in fields) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)


def load_snapshots(
    snapshots: list[FamilySnapshot],
    *,
    organisation_id: int,
    user_id: int,
    plan_version_ids: dict,
    ids: dict | None = None,
) -> list[int]:
    """Each snapshot as a family with its household, episode, attachment, problems identified and
    evidence; returns the family ids in the snapshots' order. `ids`, if given, is filled with
    each snapshot's person and evidence ids as the records' ids: `ids[n, "P1"] == person.pk`."""
    family_ids = iter(reserve_ids(Family, len(snapshots)))
    families, persons, members, episodes, attachments, problems, evidence = ([] for _ in range(7))
    person_of, item_of, corrected_by = {}, {}, {}
    for n, s in enumerate(snapshots):
        pk = next(family_ids)
        family = Family(pk=pk, reference=f"B{pk:09d}", name=f"Bench family {n}")
        families.append(family)
        for m in s.members:
            person = Person(
                first_name=f"P{m.person_id}", last_name="Bench", date_of_birth=m.date_of_birth
            )
            persons.append(person)
            person_of[(n, m.person_id)] = person
            members.append(FamilyMember(family=family, person=person, role=m.role))
    copy_objects(Family, families, ids_reserved=True)
    copy_objects(Person, persons)
    for m in members:
        m.family_id, m.person_id = m.family.pk, m.person.pk
    copy_objects(FamilyMember, members)
    for family, s in zip(families, snapshots, strict=True):
        ep = s.episode
        episodes.append(
            Episode(
                family_id=family.pk,
                started_on=ep.started_on,
                ended_on=ep.ended_on,
                status="closed" if ep.ended_on else "open",
                closure_reason=OUR_REASON.get(ep.closure_reason, ep.closure_reason or ""),
                lead_agency_id=organisation_id,
            )
        )
    copy_objects(Episode, episodes)
    for n, (family, episode, s) in enumerate(zip(families, episodes, snapshots, strict=True)):
        fw = s.family_working
        attachments.append(
            Attachment(
                family_id=family.pk,
                episode_id=episode.pk,
                attached_on=s.attachment.attached_on,
                lead_agency_id=organisation_id,
                attached_by_id=user_id,
                plan_version_id=plan_version_ids[s.attachment.plan_version],
                principles={k: getattr(fw, k) for k in fw.__dataclass_fields__} if fw else {},
            )
        )
        for item in s.evidence:
            person = person_of.get((n, item.person_id))
            row = Evidence(
                family_id=family.pk,
                person_id=person.pk if person else None,
                kind=item.kind,
                period_start=item.period_start,
                period_end=item.period_end,
                values=item.values,
                source=item.source,
                recorded_on=item.recorded_on,
            )
            corrected = item_of.get((n, item.supersedes))
            # Records keep one correction per item: a second corrects the first correction.
            while corrected is not None and id(corrected) in corrected_by:
                corrected = corrected_by[id(corrected)]
            row.supersedes = corrected
            if corrected is not None:
                corrected_by[id(corrected)] = row
            item_of[(n, item.id)] = row
            evidence.append(row)
    copy_objects(Attachment, attachments)
    # Ids first, then the corrections' pointers to what they correct.
    for row in evidence:
        row.supersedes_id = None
    for row, pk in zip(evidence, reserve_ids(Evidence, len(evidence)), strict=True):
        row.pk = pk
    for row in evidence:
        row.supersedes_id = row.supersedes.pk if row.supersedes else None
    copy_objects(Evidence, evidence, ids_reserved=True)
    for n, (attachment, s) in enumerate(zip(attachments, snapshots, strict=True)):
        seen = set()
        for p in s.problems_identified:
            person = person_of.get((n, p.person_id))
            if (p.indicator, person) in seen:  # the records hold each identification once
                continue
            seen.add((p.indicator, person))
            problems.append(
                ProblemIdentified(
                    attachment_id=attachment.pk,
                    problem=p.problem,
                    indicator=p.indicator,
                    person_id=person.pk if person else None,
                    identified_on=p.identified_on,
                    stage=p.stage,
                    evidence_ids=[item_of[(n, e)].pk for e in p.evidence_ids],
                )
            )
    copy_objects(ProblemIdentified, problems)
    if ids is not None:
        ids.update({key: person.pk for key, person in person_of.items()})
        ids.update({key: row.pk for key, row in item_of.items()})
    return [f.pk for f in families]
