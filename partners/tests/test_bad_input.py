"""Bad input a security probe sent, each once a server error: now RFC 9457 problem details in
the API, a GOV.UK error in pages, a row of the report for files, and nothing half-saved."""

import copy
import html
import io
import json
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from cases.models import SupportRequest
from earlyhelp.tests.factories import LocalityFactory
from outcomes import services as evidence_services
from outcomes.models import Evidence
from partners.api.support_requests import EXAMPLE
from partners.models import EvidenceFile
from partners.scopes import SCOPES
from partners.services import api_client_create
from tests.worlds import make_family

from .clients import api, share_with

pytestmark = pytest.mark.django_db
DEEP = "[" * 100_000


@pytest.fixture
def feed(school):
    return api_client_create(organisation=school, name="Probe", scopes=list(SCOPES))


@pytest.fixture
def family(school, users):
    family = make_family("Evans family", members=1, lead=users["practitioner"])
    share_with(school, family)
    return family


def evidence_row(of, **changes):
    return {
        "family": of.reference,
        "person": of.memberships.first().person_id,
        "kind": "fixed_term_exclusion",
        "period_start": "2026-03-02",
        "values": {"days": 2},
        "source": "Loughborough Grammar Academy",
        "external_id": "EX-1",
        **changes,
    }


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


NUL = "\x00"
BAD_ROWS = {
    "a NUL inside a value": ({"values": {"days": 2, "note": f"late{NUL}"}}, "values", "null"),
    "a NUL in the source": ({"source": f"Academy{NUL}"}, "source", "null character"),
    "a NUL in the external id": ({"external_id": f"EX{NUL}1"}, "external_id", "null"),
    "a NUL in a field's name": ({f"kind{NUL}": "x"}, "kind\\x00", "null character"),
    "an object for the family": ({"family": {}}, "family", "give the family's reference"),
    "a list for the family": ({"family": [1]}, "family", "give the family's reference"),
    "a list for the source": ({"source": ["a"]}, "source", "must be text"),
}


@pytest.mark.parametrize("change, field, words", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_evidence_row_through_the_api_is_a_problem_naming_its_row(
    feed, family, change, field, words
):
    rows = [evidence_row(family, external_id="EX-0"), evidence_row(family, **change)]
    response = api(feed).post("/api/v1/evidence/", rows, content_type="application/json")
    body = problem_of(response, 400)
    assert body["type"].endswith("/evidence-rows") and "nothing was saved" in body["detail"]
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, field)]
    assert words in body["errors"][0]["message"]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("change, field, words", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_of_an_evidence_file_page_is_reported_and_the_good_row_saved(
    client_for, family, change, field, words
):
    rows = [evidence_row(family, external_id="EX-0"), evidence_row(family, **change)]
    upload = SimpleUploadedFile("feed.json", json.dumps(rows).encode())
    response = client_for("practitioner").post(reverse("evidence-file-upload"), {"file": upload})
    assert response.status_code == 302
    record = EvidenceFile.objects.get()
    assert [(row, name) for row, name, _ in record.problems] == [(2, field)]
    assert words in record.problems[0][2]
    assert list(Evidence.objects.values_list("external_id", flat=True)) == ["EX-0"]
    report = html.unescape(client_for("practitioner").get(response["Location"]).content.decode())
    assert record.problems[0][2] in report


def test_a_nul_in_the_evidence_page_form_is_a_field_error(client_for, family):
    url = reverse("evidence-add-kind", args=[family.pk, "offence"])
    response = client_for("practitioner").post(
        url, {"period_start": "2026-05-04", "value_proven": "true", "source": f"YOS{NUL}"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "Null characters are not allowed" in page
    assert not Evidence.objects.exists()


def test_json_nested_too_deep_is_a_problem_not_a_server_error(feed, family):
    client = api(feed)
    for path in ("/api/v1/evaluate/", "/api/v1/evidence/", "/api/v1/requests/"):
        body = problem_of(client.post(path, DEEP, content_type="application/json"), 400)
        assert body["detail"] == "JSON parse error - it is nested more than 32 levels deep"
    # Deep, but not deep enough to break Python's parser: refused all the same.
    nested = json.dumps({"values": json.loads("[" * 40 + "]" * 40)})
    response = client.post("/api/v1/evidence/", nested, content_type="application/json")
    body = problem_of(response, 400)
    assert "nested more than 32 levels deep" in body["detail"]

    upload = io.BytesIO(DEEP.encode())
    upload.name = "feed.json"
    body = problem_of(client.post("/api/v1/evidence/", {"file": upload}), 400)
    assert body["detail"] == (
        "The selected file cannot be read as JSON: it is nested more than 32 levels deep"
    )
    assert not Evidence.objects.exists()


def test_json_nested_too_deep_in_the_evidence_file_page_is_an_error_message(client_for, family):
    client = client_for("practitioner")
    upload = SimpleUploadedFile("feed.json", DEEP.encode())
    response = client.post(reverse("evidence-file-upload"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "it is nested more than 32 levels deep" in page
    # In a CSV file only the row whose values cell nests too deep is refused.
    good = evidence_row(family)
    lines = [
        "family,person,kind,period_start,values,source,external_id",
        f'{family.reference},{good["person"]},offence,2026-05-04,"{{""proven"": true}}",S,A',
        f"{family.reference},{good['person']},offence,2026-05-04,{DEEP},S,B",
    ]
    upload = SimpleUploadedFile("feed.csv", "\n".join(lines).encode())
    assert client.post(reverse("evidence-file-upload"), {"file": upload}).status_code == 302
    record = EvidenceFile.objects.get()
    assert record.problems == [
        [3, "row", "its values cannot be read: it is nested more than 32 levels deep"]
    ]
    assert list(Evidence.objects.values_list("external_id", flat=True)) == ["A"]


@pytest.mark.parametrize(
    "consent, field, message",
    [
        ({"chase_on": [None, None]}, "consent.chase_on", "must be a real date"),
        ({"given_on": {}}, "consent.given_on", "must be a real date"),
        ({"given_on": 5}, "consent.given_on", "must be a real date"),
        ({"chase_on": ""}, "consent.chase_on", "must be a real date"),
        ({"given_on": "2026-02-30"}, "consent.given_on", "must be a real date"),
    ],
)
def test_a_request_whose_consent_dates_are_not_dates_is_a_problem(
    feed, family, consent, field, message
):
    LocalityFactory(name="Charnwood")
    body = copy.deepcopy(EXAMPLE)
    body["consent"] |= consent
    response = api(feed).post("/api/v1/requests/", body, content_type="application/json")
    problem = problem_of(response, 400)
    assert problem["type"].endswith("/validation")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert message in problem["errors"][0]["message"]
    assert not SupportRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", ["api", "page"])
def test_the_same_evidence_sent_twice_at_once_is_saved_once(route, monkeypatch, users, client_for):
    """Two real connections: both check the rows (none saved yet) before either inserts. The
    second insert meets the unique (source, external_id); the import checks its rows again and
    finds them resent. Pages and the API share that one handling in `evidence_import`."""
    from earlyhelp.tests.factories import OrganisationFactory

    school = OrganisationFactory(name="Loughborough Grammar Academy", kind="education")
    family = make_family("Race family", members=1, lead=users["practitioner"])
    share_with(school, family)
    rows = [evidence_row(family, external_id=f"EX-{n}") for n in range(3)]
    if route == "api":
        feed = api_client_create(organisation=school, name="Twice", scopes=["evidence:write"])
        clients = [api(feed), api(feed)]

        def send(client):
            return client.post("/api/v1/evidence/", rows, content_type="application/json")
    else:
        clients = [client_for("practitioner"), client_for("practitioner")]
        data = json.dumps(rows).encode()

        def send(client):
            upload = SimpleUploadedFile("feed.json", data)
            return client.post(reverse("evidence-file-upload"), {"file": upload})

    both_checked = threading.Barrier(2, timeout=10)
    checked_once = threading.local()
    existing_by_key = evidence_services._existing_by_key

    def check_then_wait(found):
        existing = existing_by_key(found)
        if not getattr(checked_once, "done", False):  # the first check only, not the retry
            checked_once.done = True
            both_checked.wait()
        return existing

    monkeypatch.setattr(evidence_services, "_existing_by_key", check_then_wait)
    answers = []

    def post(client):
        try:
            answers.append(send(client))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not thread.is_alive() for thread in threads)

    assert Evidence.objects.count() == 3
    if route == "api":
        assert sorted(a.status_code for a in answers) == [200, 201]
        reports = sorted((a.json()["created"], a.json()["unchanged"]) for a in answers)
        assert reports == [(0, 3), (3, 0)]
    else:
        assert [a.status_code for a in answers] == [302, 302]
        reports = sorted(EvidenceFile.objects.values_list("created", "unchanged", "rejected"))
        assert reports == [(0, 3, 0), (3, 0, 0)]


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/families/?page_size=null", "page_size"),
        ("/api/v1/families/?page_size=", "page_size"),
        ("/api/v1/persons/?page_size=0", "page_size"),
        ("/api/v1/actions/?page_size=501", "page_size"),
        ("/api/v1/changes/?page_size=null", "page_size"),
        ("/api/v1/families/?updated_since=", "updated_since"),
        ("/api/v1/persons/?date_of_birth=", "date_of_birth"),
        ("/api/v1/actions/?family=", "family"),
    ],
)
def test_a_query_parameter_that_is_not_what_the_schema_says_is_a_problem(feed, path, field):
    body = problem_of(api(feed).get(path), 400)
    assert [e["field"] for e in body["errors"]] == [field]


def test_text_filters_sent_empty_still_match_everything(feed, family):
    response = api(feed).get("/api/v1/families/?postcode=&page_size=500")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/families/-1/", "/api/v1/persons/-5/evidence/", "/api/v1/actions/x/"]
)
def test_a_path_no_operation_has_is_a_problem_not_the_html_page(feed, path):
    body = problem_of(api(feed).get(path), 404)
    assert body["detail"] == "No such record, or not one you may see"
