"""Evidence files uploaded in the page: good rows saved, bad rows reported, resends add nothing."""

import csv
import io
import json
import re
import time
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Episode, Family, FamilyMember, Person
from earlyhelp.models import AuditEntry
from earlyhelp.tests.factories import OrganisationFactory
from outcomes.evidence_files import EvidenceFileError
from outcomes.models import Attachment, Evidence, OutcomesPlanVersion
from partners.models import EvidenceFile
from partners.services import evidence_file_import

pytestmark = pytest.mark.django_db
HEADINGS = ["family", "person", "kind", "period_start", "period_end", "values", "source"]
HEADINGS += ["external_id"]


def attached_families(users, count, *, members=2):
    """`count` families attached to the programme, each with `members` people, in bulk."""
    start = Family.objects.count()
    families = Family.objects.bulk_create(
        [Family(reference=f"B{start + i:07d}", name=f"Bulk{i} family") for i in range(count)]
    )
    people = Person.objects.bulk_create(
        [
            Person(first_name=f"Member{j}", last_name=f"Bulk{i}", date_of_birth=date(2012, 1, 1))
            for i in range(count)
            for j in range(members)
        ]
    )
    FamilyMember.objects.bulk_create(
        [
            FamilyMember(family=families[n // members], person=person, role="child")
            for n, person in enumerate(people)
        ]
    )
    episodes = Episode.objects.bulk_create(
        [Episode(family=family, started_on=date(2026, 1, 5)) for family in families]
    )
    agency = OrganisationFactory(name="Bulk council")
    plan = OutcomesPlanVersion.objects.get(version=9)
    Attachment.objects.bulk_create(
        [
            Attachment(
                family=family,
                episode=episode,
                attached_on=date(2026, 2, 1),
                lead_agency=agency,
                attached_by=users["programme"],
                plan_version=plan,
            )
            for family, episode in zip(families, episodes, strict=True)
        ]
    )
    return [(family, people[i * members : (i + 1) * members]) for i, family in enumerate(families)]


def hidden_family():
    """A family the programme team may not see: not attached."""
    family = Family.objects.create(reference="H0000001", name="Hidden family")
    person = Person.objects.create(first_name="Hidden", last_name="Person")
    FamilyMember.objects.create(family=family, person=person, role="child")
    return family, person


def good_row(n, family, people):
    """Row n: one of three kinds, each written as a partner's feed would."""
    day = date(2025, 1, 1) + timedelta(days=n % 400)
    row = {
        "family": family.reference,
        "person": str(people[n % len(people)].pk),
        "period_start": day.isoformat(),
        "period_end": "",
        "source": "Bulk feed",
        "external_id": f"R-{n}",
    }
    match n % 3:
        case 0:
            row |= {"kind": "offence", "values": {"proven": n % 2 == 0}}
        case 1:
            end = (day + timedelta(days=30)).isoformat()
            row |= {"kind": "benefit_claim", "period_end": end, "values": {"benefit": "JSA"}}
        case _:
            row |= {"kind": "fixed_term_exclusion", "values": {"days": n % 5}}
    return row


def csv_bytes(rows, headings=HEADINGS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for row in rows:
        if isinstance(row, list):  # a raw line, as a broken export would write it
            writer.writerow(row)
            continue
        cells = dict(row)
        if isinstance(cells.get("values"), dict):
            cells["values"] = json.dumps(cells["values"])
        writer.writerow([cells.get(h, "") for h in headings])
    return out.getvalue().encode()


def upload(client, name, data):
    return client.post(reverse("evidence-file-upload"), {"file": SimpleUploadedFile(name, data)})


def report_rows(client, record):
    """Every (row, field, reason) the report's pages show, walking its pagination."""
    shown, url = [], reverse("evidence-file-report", args=[record.pk])
    while url:
        html = client.get(url).content.decode()
        table = html.split('id="problems"', 1)[1].split("</table>", 1)[0]
        for cells in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S):
            values = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
            if values:
                row, field, reason = (re.sub(r"<[^>]+>", "", v).strip() for v in values)
                shown.append([int(row), _unescape(field), _unescape(reason)])
        following = re.search(r'href="(\?page=\d+)#rejected" rel="next"', html)
        url = reverse("evidence-file-report", args=[record.pk]) + following[1] if following else ""
    return shown


def _unescape(text):
    import html

    return html.unescape(text)


def csv_rows(client, record):
    response = client.get(reverse("evidence-file-problems", args=[record.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["row", "field", "reason"]
    return [[int(row), field, reason] for row, field, reason in lines[1:]]


def test_a_10000_row_file_is_accepted_except_exactly_its_bad_rows(
    users, client_for, django_assert_max_num_queries
):
    worlds = attached_families(users, 250)
    hidden, hidden_person = hidden_family()
    family_b, people_b = worlds[1]
    rows = [good_row(n, *worlds[n % len(worlds)]) for n in range(10_000)]
    # Deliberate mistakes, each at known rows: row index -> {field: words in the reason}.
    expected: dict[int, dict[str, str]] = {}
    unknown_person, other_family_person, hidden_family_person = [], [], []

    def spoil(index, field, words, **changes):
        rows[index] = {**rows[index], **changes}
        expected.setdefault(index, {})[field] = words

    for k, index in enumerate(range(7, 10_000, 97)):
        family, people = worlds[index % len(worlds)]
        match k % 14:
            case 0:
                spoil(index, "period_start", "is not a real date", period_start="2025-02-30")
            case 1:
                start = rows[index]["period_start"]
                before = (date.fromisoformat(start) - timedelta(days=3)).isoformat()
                spoil(index, "period_end", "on or after the start", period_end=before)
            case 2:
                spoil(index, "person", "is not a member of this family", person="987654321")
                unknown_person.append(index)
            case 3:
                other = people_b[0] if family != family_b else worlds[2][1][0]
                spoil(index, "person", "is not a member of this family", person=str(other.pk))
                other_family_person.append(index)
            case 4:
                spoil(index, "person", "is not a member", person=str(hidden_person.pk))
                hidden_family_person.append(index)
            case 5:
                spoil(index, "family", "that you may add evidence to", family=hidden.reference)
            case 6:
                spoil(index, "family", "that you may add evidence to", family="Z9999999")
            case 7:
                earlier = index - 1
                assert earlier not in expected
                spoil(index, "external_id", f"repeats row {earlier + 2} of this file")
                rows[index]["external_id"] = rows[earlier]["external_id"]
            case 8:
                spoil(index, "values.proven", "expected a bool", kind="offence", period_end="")
                rows[index]["values"] = {"proven": "yes"}
            case 9:
                spoil(index, "values.benefit", "expected one of JSA, ESA, IS, UC")
                rows[index] |= {"kind": "benefit_claim", "values": {"benefit": "PIP"}}
            case 10:
                spoil(index, "kind", "unknown evidence kind 'burglary'", kind="burglary")
            case 11:
                spoil(index, "external_id", "give each row its own id", external_id="")
            case 12:
                spoil(index, "values", "is not a JSON object", values="{proven: true}")
            case 13:
                cells = [rows[index][h] for h in HEADINGS]
                cells[5] = json.dumps(cells[5])
                rows[index] = [*cells, "a stray cell"]
                expected[index] = {"row": "has 9 cells but the file has 8 column headings"}
    assert len(expected) > 100
    data = csv_bytes(rows)
    programme = client_for("programme")

    started = time.perf_counter()
    with django_assert_max_num_queries(60):  # bulk queries, not one or two per row
        response = upload(programme, "partner-feed.csv", data)
    took = time.perf_counter() - started
    print(f"\n10,000-row file: {took:.1f} s")
    assert response.status_code == 302
    record = EvidenceFile.objects.get()
    assert response["Location"] == reverse("evidence-file-report", args=[record.pk])

    bad = {index + 2 for index in expected}  # a spreadsheet's row numbers: headings are row 1
    assert (record.rows, record.created, record.unchanged) == (10_000, 10_000 - len(bad), 0)
    assert record.rejected == len(bad)
    reported: dict[int, dict[str, str]] = {}
    for row, field, message in record.problems:
        reported.setdefault(row, {})[field] = message
    assert set(reported) == bad
    for index, fields in expected.items():
        got = reported[index + 2]
        assert set(got) == set(fields), (index + 2, got)
        for field, words in fields.items():
            assert words in got[field], (index + 2, field, got[field])
    # Exactly the good rows were saved, each whole, each audited.
    saved = set(Evidence.objects.values_list("external_id", flat=True))
    good = {rows[i]["external_id"] for i in range(10_000) if i not in expected}
    assert saved == good and Evidence.objects.count() == record.created
    assert not Evidence.objects.filter(family=hidden).exists()
    assert AuditEntry.objects.filter(action="add_evidence", user=users["programme"]).count() == (
        record.created
    )
    # Nothing leaks: a hidden family reads as an unknown one, a hidden person as a stranger.
    message = {row: fields for row, fields in reported.items()}
    hidden_text = {
        message[i + 2]["family"].replace(repr(rows[i]["family"]), "X")
        for i, f in expected.items()
        if "family" in f
    }
    assert hidden_text == {"no family X that you may add evidence to"}
    person_text = {
        message[i + 2]["person"].replace(repr(rows[i]["person"]), "X")
        for i in unknown_person + other_family_person + hidden_family_person
    }
    assert person_text == {"X is not a member of this family"}

    # The page's report and its CSV agree, row for row.
    shown = report_rows(programme, record)
    assert shown == record.problems
    assert csv_rows(programme, record) == record.problems

    # Sending it again adds nothing, and the report says so.
    again = upload(programme, "partner-feed.csv", data)
    second = EvidenceFile.objects.exclude(pk=record.pk).get()
    assert (second.created, second.unchanged, second.rejected) == (0, record.created, len(bad))
    assert second.problems == record.problems
    assert Evidence.objects.count() == record.created
    page = programme.get(again["Location"]).content.decode()
    assert "Nothing new was added" in page
    assert re.search(r'id="count-unchanged">\s*' + str(record.created), page)


def test_a_json_file_numbers_its_rows_from_one_and_a_resend_is_said_to_add_nothing(
    users, client_for
):
    [(family, people)] = attached_families(users, 1)
    rows = [good_row(n, family, people) for n in range(3)]
    data = json.dumps(rows).encode()
    programme = client_for("programme")
    first = programme.get(upload(programme, "feed.json", data)["Location"]).content.decode()
    assert re.search(r'id="count-created">\s*3', first) and "No row was rejected" in first
    again = programme.get(upload(programme, "feed.json", data)["Location"]).content.decode()
    assert "every row of this file was already recorded" in again
    assert Evidence.objects.count() == 3

    rows.append({**rows[0], "external_id": "new", "kind": "burglary"})
    EvidenceFile.objects.all().delete()
    upload(programme, "feed.json", json.dumps(rows).encode())
    assert EvidenceFile.objects.get().problems == [[4, "kind", "unknown evidence kind 'burglary'"]]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("feed.csv", b"", "The selected file is empty"),
        ("feed.csv", b"  \n\n", "The selected file is empty"),
        ("feed.xlsx", b"PK\x03\x04", "must be a CSV or JSON file"),
        ("feed", b"family,kind", "must be a CSV or JSON file"),
        ("feed.csv", "family,kind\nF1,caf\xe9".encode("latin-1"), "is not UTF-8 text"),
        ("feed.csv", b"family,kind,period_start,source,external_id\n", "has no evidence rows"),
        ("feed.csv", b"family,kind,period_start\nF1,offence,2026-01-01", "missing the columns"),
        ("feed.csv", b"family,colour\nF1,red", "not fields of evidence: 'colour'"),
        (
            "feed.csv",
            b'family,kind,period_start,source,external_id\nF1,"offence\n',
            "not valid CSV (line 2: unexpected end",
        ),
        ("feed.json", b'{"family": "F1"}', "is JSON but not a list"),
        ("feed.json", b"[{'family': 1}]", "not valid JSON (line 1, column 3"),
        ("feed.json", b"[]", "has no evidence rows"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_clear_error(
    client_for, name, data, message
):
    response = upload(client_for("programme"), name, data)
    assert response.status_code == 400
    page = _unescape(response.content.decode())
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert message in summary and 'href="#id_file"' in summary
    assert not EvidenceFile.objects.exists() and not Evidence.objects.exists()


def test_missing_external_ids_column_and_no_file_at_all(client_for):
    programme = client_for("programme")
    missing = upload(
        programme, "f.csv", b"family,kind,period_start,source\nF1,offence,2026-01-01,x"
    )
    assert "missing the column external_id" in missing.content.decode()
    nothing = programme.post(reverse("evidence-file-upload"), {})
    assert nothing.status_code == 400 and "Select a CSV or JSON file" in nothing.content.decode()


def test_files_too_large_or_too_long_are_refused(users, client_for, monkeypatch):
    from outcomes import evidence_files
    from partners import forms

    [(family, people)] = attached_families(users, 1)
    data = csv_bytes([good_row(n, family, people) for n in range(5)])
    programme = client_for("programme")
    monkeypatch.setattr(evidence_files, "MAX_ROWS", 4)
    assert "at most 4 in one file" in upload(programme, "f.csv", data).content.decode()
    monkeypatch.setattr(forms, "MAX_BYTES", 2 * 1024 * 1024)
    big = data + b"\n" * (2 * 1024 * 1024)
    response = upload(programme, "f.csv", big)
    assert response.status_code == 400 and "must be smaller than 2 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_crash_part_way_saves_nothing(users, monkeypatch):
    from earlyhelp import audit

    [(family, people)] = attached_families(users, 1)
    data = csv_bytes([good_row(n, family, people) for n in range(50)])

    def crash(*args, **kwargs):
        assert Evidence.objects.count() == 50  # the rows were written: now the process dies
        raise RuntimeError("killed")

    monkeypatch.setattr(audit, "record_many", crash)
    with pytest.raises(RuntimeError):
        evidence_file_import(name="f.csv", data=data, by=users["programme"])
    assert not Evidence.objects.exists() and not EvidenceFile.objects.exists()


def test_the_same_rows_saved_meanwhile_by_another_upload_count_as_resends(users, monkeypatch):
    from outcomes import services

    [(family, people)] = attached_families(users, 1)
    data = csv_bytes([good_row(n, family, people) for n in range(5)])
    evidence_file_import(name="f.csv", data=data, by=users["programme"])
    real, calls = services._existing_by_key, []

    def not_yet_seen(rows):  # as if the other upload committed just after this one looked
        calls.append(1)
        return {} if len(calls) == 1 else real(rows)

    monkeypatch.setattr(services, "_existing_by_key", not_yet_seen)
    again = evidence_file_import(name="f.csv", data=data, by=users["programme"])
    assert (again.created, again.unchanged, again.rejected) == (0, 5, 0)
    assert Evidence.objects.count() == 5 and len(calls) == 2


def test_a_lead_practitioner_uploads_for_their_own_family_only(users, client_for):
    from tests.worlds import make_family

    own = make_family("Own family", members=1, lead=users["practitioner"])
    other = make_family("Other family", members=1)
    rows = [
        good_row(0, own, [own.memberships.get().person]),
        good_row(3, other, [other.memberships.get().person]),
    ]
    response = upload(client_for("practitioner"), "school.csv", csv_bytes(rows))
    record = EvidenceFile.objects.get()
    assert response.status_code == 302 and (record.created, record.rejected) == (1, 1)
    assert record.problems == [
        [3, "family", f"no family {other.reference!r} that you may add evidence to"]
    ]
    assert Evidence.objects.get().family == own


def test_a_report_is_its_uploaders_alone_and_its_csv_keeps_formulas_out(users, client_for):
    from earlyhelp.tests.factories import UserFactory

    [(family, people)] = attached_families(users, 1)
    row = {**good_row(0, family, people), "=HYPERLINK(1)": "x"}
    evidence_file_import(name="f.json", data=json.dumps([row]).encode(), by=users["programme"])
    record = EvidenceFile.objects.get()
    assert record.problems == [[1, "=HYPERLINK(1)", "is not a field of evidence"]]
    mine = client_for("programme")
    assert csv_rows(mine, record) == [[1, "'=HYPERLINK(1)", "is not a field of evidence"]]
    colleague = UserFactory(role="programme")
    from django.test import Client

    from conftest import sign_in

    theirs = sign_in(Client(), colleague)
    assert theirs.get(reverse("evidence-file-report", args=[record.pk])).status_code == 404
    assert theirs.get(reverse("evidence-file-problems", args=[record.pk])).status_code == 404
    assert client_for("manager").get(reverse("evidence-file-upload")).status_code == 403


def test_the_upload_page_is_linked_where_the_programme_team_looks(users, client_for):
    [(family, _)] = attached_families(users, 1)
    programme = client_for("programme")
    upload_url = reverse("evidence-file-upload")
    assert f'href="{upload_url}"' in programme.get(reverse("home")).content.decode()
    evidence_page = programme.get(reverse("evidence-list", args=[family.pk])).content.decode()
    assert f'href="{upload_url}"' in evidence_page
    auditor_home = client_for("auditor").get(reverse("home")).content.decode()
    assert f'href="{upload_url}"' not in auditor_home


def test_the_service_refuses_a_file_it_cannot_read(users):
    with pytest.raises(EvidenceFileError, match="CSV or JSON"):
        evidence_file_import(name="notes.txt", data=b"hello", by=users["programme"])
