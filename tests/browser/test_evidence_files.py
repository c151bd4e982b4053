"""The programme team uploads an evidence file and reads its report, in a real browser with axe."""

import csv
import io

import pytest
from playwright.sync_api import expect

from earlyhelp.tests.factories import UserFactory
from partners.tests.test_evidence_files import attached_families, csv_bytes, good_row
from tests.browser.test_smoke import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_a_file_read_its_report_and_send_it_again(page, live_server, check_a11y):
    pat = UserFactory(username="pat", first_name="Pat", role="programme")
    worlds = attached_families({"programme": pat}, 5)
    rows = [good_row(n, *worlds[n % 5]) for n in range(150)]
    for n in range(0, 150, 2):  # 75 bad rows, two problems each: the report has two pages
        rows[n] = {**rows[n], "kind": "burglary", "period_start": "2025-02-30"}
    data = csv_bytes(rows)
    base = live_server.url

    sign_in(page, base, "pat")
    page.locator("main").get_by_role("link", name="Upload an evidence file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload an evidence file")
    check_a11y(page, "upload")

    page.get_by_role("button", name="Upload and check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a CSV or JSON file")
    check_a11y(page, "upload with no file")

    file_input = page.locator("input[type=file]")
    file_input.set_input_files({"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hi"})
    page.get_by_role("button", name="Upload and check the file").click()
    expect(summary).to_contain_text("The selected file must be a CSV or JSON file")
    check_a11y(page, "upload of the wrong kind of file")

    file_input.set_input_files({"name": "feed.csv", "mimeType": "text/csv", "buffer": data})
    page.get_by_role("button", name="Upload and check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened to each row")
    expect(page.locator("#count-created")).to_have_text("75")
    expect(page.locator("#count-rejected")).to_have_text("75")
    expect(page.locator("#problems tbody tr")).to_have_count(100)
    check_a11y(page, "report")

    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#problems tbody tr")).to_have_count(50)
    check_a11y(page, "report, page 2")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rejected rows (CSV)").click()
    lines = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    assert lines[0] == ["row", "field", "reason"] and len(lines) == 1 + 150
    assert {line[1] for line in lines[1:]} == {"kind", "period_start"}

    page.get_by_role("link", name="Upload another file").click()
    page.locator("input[type=file]").set_input_files(
        {"name": "feed.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Upload and check the file").click()
    expect(page.locator("#nothing-new")).to_contain_text("Nothing new was added")
    expect(page.locator("#count-unchanged")).to_have_text("75")
    check_a11y(page, "report of a resent file")
