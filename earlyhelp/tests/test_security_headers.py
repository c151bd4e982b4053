"""Every answer's security headers: a Content-Security-Policy whose nonce the page's one inline
script carries, a Permissions-Policy, and no copy of family data kept by any cache."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    directives = (d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in directives}


def assert_not_kept(response):
    """Neither the browser's cache (its back button after signing out) nor a proxy keeps it."""
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_page_allows_only_its_own_scripts_and_styles_and_its_one_inline_script(client_for):
    response = client_for("practitioner").get(reverse("home"))
    assert response.status_code == 200
    csp = policy(response)
    nonce = re.fullmatch(r"'self' 'nonce-([\w-]+)'", csp["script-src"])[1]
    assert csp["style-src"] == f"'self' 'nonce-{nonce}'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'" and csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attributes for attributes in scripts if "src=" not in attributes]
    assert inline == [f' nonce="{nonce}"']
    again = client_for("practitioner").get(reverse("home"))
    assert policy(again)["script-src"] != csp["script-src"]  # a fresh nonce each time
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert_not_kept(response)


def test_pages_before_sign_in_and_error_pages_are_not_kept_either(client):
    for path, status in ((reverse("sign-in"), 200), ("/no-such-page/", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert_not_kept(response)
        assert "Content-Security-Policy" in response


def test_static_files_keep_their_cache(client):
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response
