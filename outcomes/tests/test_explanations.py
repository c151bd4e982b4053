"""Explanations worked out when read (`outcomes.explanations`) are the engine's own, word for
word, and a result kept before the records changed says so."""

import dataclasses
import importlib
from datetime import date

import pytest
from django.urls import reverse

from earlyhelp.models import Organisation
from earlyhelp.tests.factories import UserFactory
from outcomes import nightly
from outcomes.decisions import decision_from_json, decision_of, result_digest
from outcomes.engine import evaluate
from outcomes.engine.explain import for_auditor, for_practitioner
from outcomes.engine.jsonio import result_to_dict
from outcomes.explanations import SAME, UNAVAILABLE, UNCHECKED, explain
from outcomes.models import FamilyResult, NightlyRun, OutcomesPlanVersion

from .bulk_records import load_snapshots
from .engine_fuzz import generate
from .test_nightly import _clean, _example, _recordable

pytestmark = pytest.mark.django_db


def _once(s) -> bool:
    """The records hold each identification (indicator and person) once."""
    seen = [(p.indicator, p.person_id) for p in s.problems_identified]
    return len(seen) == len(set(seen))


def as_recorded(s, family_id: int, ids: dict, n: int, agency: str):
    """The fuzzed snapshot as its records hold it: the records' ids, and what they do not keep
    (who recorded a row, parenting responsibilities) as a snapshot built from them gives it."""

    def person(p):
        return None if p is None or (n, p) not in ids else str(ids[n, p])

    def item(e):
        return None if e is None else str(ids[n, e])

    return dataclasses.replace(
        s,
        family_id=str(family_id),
        members=tuple(
            dataclasses.replace(m, person_id=person(m.person_id), parenting_responsibilities=None)
            for m in s.members
        ),
        evidence=tuple(
            dataclasses.replace(
                e,
                id=item(e.id),
                person_id=person(e.person_id),
                supersedes=item(e.supersedes),
                recorded_by=e.source,
            )
            for e in s.evidence
            if e.recorded_on <= s.as_of  # the records are read as of the night
        ),
        # Read back in the records' order: by problem, then indicator, as identified.
        problems_identified=tuple(
            sorted(
                (
                    dataclasses.replace(
                        p,
                        person_id=person(p.person_id),
                        evidence_ids=tuple(item(e) for e in p.evidence_ids),
                    )
                    for p in s.problems_identified
                ),
                key=lambda p: (p.problem, p.indicator),
            )
        ),
        attachment=dataclasses.replace(s.attachment, lead_agency=agency),
    )


def test_rendered_explanations_equal_the_engines_own_for_1000_fuzzed_families(db):
    version = OutcomesPlanVersion.objects.get(version=9)
    plan = version.plan
    fuzzed = [s for s in generate(plan, seed=16, count=3000) if _recordable(s) and _once(s)]
    fuzzed = [_clean(s) for s in fuzzed[:1000]]
    assert len(fuzzed) == 1000
    agency = Organisation.objects.create(name="Fuzz Family Support", kind="family_support", tier=2)
    by = UserFactory(username="fuzz-programme", role="programme")
    ids: dict = {}
    family_ids = load_snapshots(
        fuzzed,
        organisation_id=agency.pk,
        user_id=by.pk,
        plan_version_ids={9: version.pk},
        ids=ids,
    )
    for family_id, s in zip(family_ids, fuzzed, strict=True):
        run = nightly.nightly_run(as_of=s.as_of, family_id=family_id)
        assert run.status == NightlyRun.Status.COMPLETED, run.error
    rows = {r.family_id: r for r in FamilyResult.objects.filter(is_current=True)}
    assert len(rows) == 1000
    for n, (family_id, s) in enumerate(zip(family_ids, fuzzed, strict=True)):
        own = evaluate(as_recorded(s, family_id, ids, n, agency.name), plan)
        explained = explain(rows[family_id])
        assert explained.state == SAME, (n, explained.notice)
        assert explained.auditor() == for_auditor(own), n
        assert explained.practitioner() == for_practitioner(own), n
        assert rows[family_id].decision == decision_of(own), n


def _migration():
    return importlib.import_module("outcomes.migrations.0009_store_decisions")


def test_a_result_kept_whole_before_migrates_to_the_same_decision(users):
    """Results kept before decisions were (the engine's whole answer as JSON) get the decision
    the nightly job would store, read from the answer they kept."""
    from outcomes.tests.records import records_from

    made = records_from(_example(), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 9, 30))
    row = FamilyResult.objects.get(family=made.family)
    answers = [explain(row).answer]  # the evidence ids are the records'
    assert row.decision.evidence
    plan = OutcomesPlanVersion.objects.get(version=9).plan
    answers += [
        evaluate(s, plan)
        for s in generate(plan, seed=3, count=60)
        if s.attachment is not None and s.attachment.plan_version == 9
    ]
    for answer in answers:
        kept = result_to_dict(answer)
        assert decision_from_json(_migration().decision(kept)) == decision_of(answer)


def test_a_migrated_result_says_its_explanation_could_not_be_checked(users):
    from outcomes.tests.records import records_from

    made = records_from(_example(), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 9, 30))
    # As migrated: no digest, and no date it was judged on (so the next night judges it).
    FamilyResult.objects.filter(family=made.family).update(digest="", judged_on=None)
    explained = explain(FamilyResult.objects.get(family=made.family))
    assert explained.state == UNCHECKED
    assert "before explanations could be checked" in explained.notice
    # The next night writes the same decision again, now with its digest.
    run = nightly.nightly_run(as_of=date(2019, 9, 30))
    assert run.results_written == 1
    row = FamilyResult.objects.get(family=made.family, is_current=True)
    assert row.digest == result_digest(explained.answer) and explain(row).state == SAME


def test_a_result_whose_family_can_no_longer_be_judged_says_why(users, client_for):
    from outcomes.models import Attachment
    from outcomes.tests.records import records_from

    made = records_from(_example(), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 9, 30))
    # The attachment's date is corrected to after the night: as of that night there is none.
    Attachment.objects.filter(family=made.family).update(attached_on=date(2019, 10, 1))
    explained = explain(FamilyResult.objects.get(family=made.family))
    assert (explained.state, explained.answer, explained.practitioner()) == (UNAVAILABLE, None, "")
    assert "no attachment on that date any more" in explained.notice
    page = client_for("programme").get(reverse("family-detail", args=[made.family.pk]))
    html = page.content.decode()
    assert "cannot be worked out again" in html.replace("&#x27;", "'")
