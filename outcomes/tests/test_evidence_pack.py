"""The evidence pack (DOMAIN §8: every outcome, the evidence rows and dates behind it, the
explanation) as a page and a PDF, and the family page's results section."""

import re
import zlib
from datetime import date

import pytest
from django.urls import reverse

from cases.models import Episode, Person
from outcomes import nightly
from outcomes.evidence_pack import evidence_pack_for, evidence_pack_pdf, latin1
from outcomes.explanations import CHANGED, SAME, explain
from outcomes.models import AuditSampleItem, ClaimBatch, Evidence, FamilyResult
from outcomes.tests.records import records_from
from outcomes.tests.test_claim_batches import builder_terms  # noqa: F401 (autouse fixture)
from outcomes.tests.test_claims import good

pytestmark = pytest.mark.django_db

NIGHT = date(2019, 8, 15)


@pytest.fixture
def judged(users):
    made = records_from(good(as_of=NIGHT), by=users["programme"])
    nightly.nightly_run(as_of=NIGHT)
    return made.family


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF fpdf2 wrote: its content streams, inflated."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            out.append(stream.decode("latin-1"))
    return "\n".join(out)


def test_the_page_lists_every_outcome_and_every_evidence_row_the_decision_used(judged, client_for):
    response = client_for("programme").get(reverse("evidence-pack", args=[judged.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    row = FamilyResult.objects.get(family=judged, is_current=True)
    used = row.decision.evidence
    assert used, "the claimable family's decision cites evidence"
    for pk in used:
        assert f'id="evidence-{pk}"' in html
    assert set(used) <= set(Evidence.objects.filter(family=judged).values_list("pk", flat=True))
    for outcome in row.decision.outcomes:
        assert f">{outcome.outcome}<br>" in html
    assert "Claimable since 20 July 2019" in html
    assert "[PASS]" in html  # the auditor's explanation, step by step


def test_the_pdf_is_a_pdf_with_the_decision_and_evidence_in_it(judged, client_for):
    response = client_for("programme").get(reverse("evidence-pack-pdf", args=[judged.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]  # a family's data: no cache keeps a copy
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    text = pdf_text(body)
    assert "Claimable since 20 July 2019" in text
    first = FamilyResult.objects.get(family=judged).decision.evidence[0]
    assert f"#{first} " in text


def test_names_and_notes_outside_latin_1_do_not_break_the_pdf(judged):
    judged.name = "Łukasz Nguyễn family — “李”"
    judged.save(update_fields=["name"])
    Person.objects.filter(memberships__family=judged).update(first_name="Zoë", last_name="Đặng 😀")
    pack = evidence_pack_for(judged)
    body = evidence_pack_pdf(pack)
    assert body.startswith(b"%PDF-")
    text = pdf_text(body)
    assert '?ukasz Nguyen family - "?"' in text
    assert "Zo\xeb" in text  # ë is Latin-1: kept as it is
    assert latin1("Ćwikła’s note…") == "Cwik?a's note..."


def test_who_may_open_the_pack(judged, users, client_for):
    url = reverse("evidence-pack", args=[judged.pk])
    assert client_for("programme").get(url).status_code == 200
    assert client_for("auditor").get(url).status_code == 404  # not in a sample
    assert client_for("hub").get(url).status_code == 404
    batch = ClaimBatch.objects.create(
        name="Sampled",
        window_opens=date(2019, 9, 1),
        window_closes=date(2019, 9, 30),
        submitted_on=date(2019, 9, 16),
        sample_seed=1,
        sample_percent=10,
    )
    AuditSampleItem.objects.create(batch=batch, family=judged)
    assert client_for("auditor").get(url).status_code == 200
    assert (
        client_for("auditor").get(reverse("evidence-pack-pdf", args=[judged.pk])).status_code == 200
    )


def test_a_family_not_yet_judged_has_an_empty_pack(users, client_for):
    made = records_from(good(as_of=NIGHT), by=users["programme"])
    response = client_for("programme").get(reverse("evidence-pack", args=[made.family.pk]))
    assert "the nightly job has not judged this family" in response.content.decode()
    assert evidence_pack_pdf(evidence_pack_for(made.family)).startswith(b"%PDF-")


def test_the_family_page_shows_the_current_results_to_those_the_gate_allows(judged, client_for):
    url = reverse("family-detail", args=[judged.pk])
    html = client_for("programme").get(url).content.decode()
    assert 'id="results"' in html
    assert "Claimable</strong>" in html and "since 20 July 2019" in html
    assert "outcomes met and sustained by 20 July 2019" in html  # the plain-English explanation
    assert 'id="results-outcomes"' in html


def test_the_family_page_shows_what_is_missing(users, client_for):
    made = records_from(good(as_of=date(2019, 7, 1)), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 7, 1))
    html = client_for("programme").get(reverse("family-detail", args=[made.family.pk]))
    text = html.content.decode()
    assert "In progress" in text and "Still needed" in text
    missing = explain(FamilyResult.objects.get(family=made.family)).missing
    assert missing and all(m.replace("'", "&#x27;") in text for m in missing)


def test_the_family_page_hides_results_from_those_who_may_not_see_evidence(users, client_for):
    from cases.models import TafMember
    from tests.episode_worlds import agency_user

    lead = agency_user("council", first_name="Lee")
    made = records_from(good(as_of=NIGHT), by=users["programme"], lead=lead)
    nightly.nightly_run(as_of=NIGHT)
    teacher = users["practitioner"]
    TafMember.objects.create(episode=made.attachment.episode, user=teacher, joined_on=NIGHT)
    url = reverse("family-detail", args=[made.family.pk])
    # A team member reads the family (VIEW) but not its evidence: no results section.
    html = client_for("practitioner").get(url).content.decode()
    assert "Snapshot family" in html and 'id="results"' not in html
    assert (
        client_for("practitioner").get(reverse("evidence-pack", args=[made.family.pk])).status_code
        == 403
    )


def test_the_explanation_worked_out_again_is_the_nights_while_the_records_stand(judged, client_for):
    explained = explain(FamilyResult.objects.get(family=judged))
    assert explained.state == SAME and explained.notice == ""
    html = client_for("programme").get(reverse("family-detail", args=[judged.pk])).content
    assert b'id="records-changed"' not in html


def test_records_changed_since_the_night_are_shown_not_hidden(judged, client_for):
    # The family is found, after the night, to have moved away before it: the records as of
    # that night now give another answer than the one the decision was taken on.
    Episode.objects.filter(family=judged).update(
        ended_on=date(2019, 7, 1), status="closed", closure_reason="moved_out_of_area"
    )
    row = FamilyResult.objects.get(family=judged)
    explained = explain(row)
    assert explained.state == CHANGED
    assert explained.answer.claim.status == "not_claimable"  # today's records say otherwise
    said = "The records have changed since this result was worked out on 15 August 2019"
    assert explained.notice.startswith(said)

    page = client_for("programme").get(reverse("family-detail", args=[judged.pk])).content
    html = page.decode().replace("&#x27;", "'")
    assert 'id="records-changed"' in html and said in html
    assert "Claimable</strong>" in html  # the decision as taken that night still stands shown
    pack = client_for("programme").get(reverse("evidence-pack", args=[judged.pk])).content
    assert said in pack.decode().replace("&#x27;", "'")
    pdf = client_for("programme").get(reverse("evidence-pack-pdf", args=[judged.pk])).content
    assert said in pdf_text(pdf)
