"""Browser tests: Playwright driving Debian's Chromium, with axe on every page visited.

No Chromium: the tests are skipped with a loud notice, except under CI=true
where that is a failure. Playwright never downloads a browser here.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.2 AA, as the README promises (axe-core's tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread for the whole
# session; the ORM calls tests and database fixtures make between page actions
# are still plain synchronous code. (Never set in deployment: check --deploy
# refuses it, and tests that run it strip it from the environment.)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_path():
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        message = (
            "NO CHROMIUM at /usr/bin/chromium: browser tests cannot run "
            "(install Debian's package: apt-get install chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — CI=true, so this is a failure", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh page; the test fails if a script threw or the Content-Security-Policy refused
    anything (both only show in the browser's console)."""
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    broken = []
    page.on("pageerror", lambda error: broken.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            broken.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert broken == [], "\n".join(broken)


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def check_a11y(axe):
    """Run axe (WCAG 2.2 AA) on the page as it is now; fail with the report."""

    def check(page, label=""):
        # A click that navigates returns before the new document has loaded; axe run in
        # between finds no document (a flake seen on a busy CI machine).
        page.wait_for_load_state("load")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, (
            f"axe found WCAG violations on {label or page.url}:\n{results.generate_report()}"
        )
        return results

    return check


@pytest.fixture(autouse=True)
def outcomes_plan_v9(request):
    """Browser tests run in transactions that are flushed afterwards, which empties the tables a
    data migration filled: put version 9 of the outcomes plan and the school terms back for the
    pages that read them."""
    if "live_server" not in request.fixturenames:
        return
    from outcomes.tests.records import restore_outcomes_data

    request.getfixturevalue("transactional_db")
    restore_outcomes_data()
    from returns.models import ReturnLayout

    if not ReturnLayout.objects.exists():  # the returns' default layouts, as their migration
        import importlib

        from django.apps import apps

        importlib.import_module("returns.migrations.0002_default_layouts").load(apps, None)
