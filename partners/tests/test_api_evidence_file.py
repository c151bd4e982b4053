"""A partner's 10,000-row evidence file through the API (issue 11): accepted except exactly its
bad rows, each reported with its reason, and a resend adds nothing."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from outcomes.models import Evidence
from partners.services import api_client_create

from .clients import api, share_with
from .test_evidence_files import attached_families, csv_bytes, good_row, hidden_family

pytestmark = pytest.mark.django_db


def _post(client, data):
    return client.post(
        "/api/v1/evidence/", {"file": SimpleUploadedFile("feed.csv", data, "text/csv")}
    )


def test_a_10000_row_file_through_the_api_keeps_all_but_its_bad_rows(users, school):
    worlds = attached_families(users, 40)
    for family, _ in worlds:
        share_with(school, family)
    hidden, _ = hidden_family()
    rows = [good_row(n, *worlds[n % len(worlds)]) for n in range(10_000)]
    expected: dict[int, tuple[str, str]] = {}  # row number (from 1) -> (field, words)

    def spoil(index, field, words, **changes):
        rows[index] = {**rows[index], **changes}
        expected[index + 1] = (field, words)

    for k, index in enumerate(range(11, 10_000, 89)):
        match k % 8:
            case 0:
                spoil(index, "period_start", "is not a real date", period_start="2025-02-30")
            case 1:
                start = date.fromisoformat(rows[index]["period_start"])
                end = (start - timedelta(days=2)).isoformat()
                spoil(index, "period_end", "on or after the start", period_end=end)
            case 2:
                spoil(index, "person", "is not a member of this family", person="987654321")
            case 3:
                spoil(index, "family", "that you may add evidence to", family=hidden.reference)
            case 4:
                spoil(index, "kind", "unknown evidence kind", kind="burglary")
            case 5:
                spoil(index, "values.proven", "expected a bool", kind="offence", period_end="")
                rows[index]["values"] = {"proven": "yes"}
            case 6:
                spoil(
                    index, "external_id", "repeats row", external_id=rows[index - 1]["external_id"]
                )
            case 7:
                spoil(index, "external_id", "give each row its own id", external_id="")
    assert len(expected) > 100
    feed = api_client_create(organisation=school, name="Feed", scopes=["evidence:write"])
    client = api(feed)
    data = csv_bytes(rows)

    response = _post(client, data)
    assert response.status_code == 201, response.content[:500]
    body = response.json()
    assert (body["saved"], body["created"], body["unchanged"]) == (
        True,
        10_000 - len(expected),
        0,
    )
    reported = {e["row"]: (e["field"], e["message"]) for e in body["errors"]}
    assert set(reported) == set(expected)
    for row, (field, words) in expected.items():
        assert reported[row][0] == field and words in reported[row][1], (row, reported[row])
    assert Evidence.objects.count() == 10_000 - len(expected)

    again = _post(client, data)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 10_000 - len(expected))
    assert {e["row"] for e in again.json()["errors"]} == set(expected)
    assert Evidence.objects.count() == 10_000 - len(expected)
