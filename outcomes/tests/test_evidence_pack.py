"""The evidence pack (DOMAIN §8: every outcome, the evidence rows and dates behind it, the
explanation) as a page and a PDF, and the family page's results section."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse

from cases.models import Episode, Person
from outcomes import nightly
from outcomes.evidence_pack import evidence_pack_for, evidence_pack_pdf
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
    """The text of a PDF as a reader copies it out (pypdf), lines joined by spaces as wrapped."""
    from pypdf import PdfReader

    pages = PdfReader(BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


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
    assert "Claimable since 20 July 2019" in html
    # Each outcome in the plan's own words, the evidence and the steps in a practitioner's.
    html = html.replace("&#x27;", "'")
    assert (
        "Outcome 1.1: All school age children have a school place and attend at least 90%" in html
    )
    child = Evidence.objects.filter(family=judged, kind="school_attendance").first().person
    assert f"School attendance, autumn 2018 term, {child}" in html
    assert "Attended 95 of 100 possible sessions; 0 authorised absences" in html
    assert f"{child}: 95% over autumn 2018 to summer 2019 (met since 20 July 2019)" in html
    assert "Needed: at least 90% of possible sessions (authorised absence excluded)" in html
    assert "Identified on 3 September 2018 at engagement for " + str(child) in html
    assert "Does not apply" in html and ">Met<" in html and ">Shown<" in html
    # No codes, record numbers, ids or ISO dates where words belong.
    main = html[html.index("<main") : html.index("</main>")]
    for code in ("[PASS]", "[FAIL]", "[N/A", "school_attendance", "concern: False", "threshold:"):
        assert code not in main
    assert judged.reference not in main
    for pk in used:
        assert f"#{pk}" not in main
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", main)
    assert not re.search(rf"(?<![\w.])(?<!Problem )(?<!Route ){child.pk}: ", main)  # an id


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
    first = Evidence.objects.get(pk=FamilyResult.objects.get(family=judged).decision.evidence[0])
    assert f"School attendance, autumn 2017 term, {first.person}" in text
    assert "Met: Outcome 1.1: All school age children" in text
    assert "[PASS]" not in text and f"#{first.pk}" not in text


def test_names_in_polish_and_arabic_script_print_as_written(judged):
    """The PDF's font (DejaVu Sans, shipped in static/fonts) has the letters of the councils'
    families: a reader copying the text out of the PDF gets each name back as written."""
    judged.name = "Wójcik-Żuławska family"
    judged.save(update_fields=["name"])
    people = list(Person.objects.filter(memberships__family=judged).order_by("pk"))
    names = [("Małgorzata", "Wójcik-Żuławska"), ("فاطمة", "الزهراء")]
    for person, (first, last) in zip(people, names, strict=True):
        person.first_name, person.last_name = first, last
        person.save(update_fields=["first_name", "last_name"])
    body = evidence_pack_pdf(evidence_pack_for(judged))
    text = pdf_text(body)
    assert "Evidence pack: Wójcik-Żuławska family" in text
    assert "Małgorzata Wójcik-Żuławska" in text
    # The child's name is in the evidence rows, the steps' findings and who was identified.
    child = Evidence.objects.filter(family=judged, kind="school_attendance").first().person
    assert str(child) in ("Małgorzata Wójcik-Żuławska", "فاطمة الزهراء")
    for first, last in names:
        assert f"{first} {last}" in text
    assert b"DejaVuSans" in body and b"/Helvetica" not in body


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
    # The explanation and outcomes in the plan's words, with no record number of the family.
    html = html.replace("&#x27;", "'")
    results = html[html.index('id="results"') : html.index('id="members"')]
    assert (
        "Problem 1: Children who have not been attending school, identified at engagement"
        in results
    )
    assert "Outcome 2.2: No family member has been subject to an ASB intervention" in results
    assert f"Family {judged.pk}," not in results and judged.reference not in results
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", results)


def test_the_family_page_shows_what_is_missing(users, client_for):
    made = records_from(good(as_of=date(2019, 7, 1)), by=users["programme"])
    nightly.nightly_run(as_of=date(2019, 7, 1))
    html = client_for("programme").get(reverse("family-detail", args=[made.family.pk]))
    text = html.content.decode()
    assert "In progress" in text and "Still needed" in text
    missing = explain(FamilyResult.objects.get(family=made.family)).missing
    assert missing == (
        "3 consecutive school terms of the intervention have not yet ended (2 so far; the last of "
        "them ends on 2019-07-20)",
    )
    said = "the last of them ends on 20 July 2019"  # the engine's date, in words
    assert said in text and "2019-07-20" not in text


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
