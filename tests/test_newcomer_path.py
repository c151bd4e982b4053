"""The newcomer's path, proven in CI: an embedded PostgreSQL from the wheel,
migrated as the owner role, behind the development server logged in as the
service role, answering /healthz.

`make run` uses exactly these steps when no DATABASE_URL is set.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from earlyhelp import devtools

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_embedded_postgres_migrates_and_serves_healthz():
    folder = Path(tempfile.mkdtemp(prefix="earlyhelp-newcomer-"))
    # As deep as a checkout can be: past the 107 bytes a Unix socket path may have.
    pgdata = folder / ("deep-checkout-" + "x" * 90) / ".data" / "postgres"
    assert len(str(pgdata / ".s.PGSQL.5432")) > 107
    server = None
    try:
        url = devtools.embedded_database_url(pgdata)
        assert "%2F" in url  # a Unix socket, not a TCP port that could clash
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "earlyhelp.settings.local",
        }
        env.pop("REDIS_URL", None)
        env = devtools.migrate_as_owner(env)
        assert env["DATABASE_URL"] == devtools.as_role(url, devtools.SERVICE_ROLE)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        body, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    body = json.load(r)
                    break
            except OSError:
                assert server.poll() is None, "the development server exited"
                time.sleep(0.5)
        assert body is not None, "no answer from /healthz within 60 s"
        assert body["status"] == "ok"
        assert body["checks"]["migrations"] == {"ok": True, "unapplied": []}
        assert body["checks"]["broker"]["mode"] == "eager"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=5) as r:
            assert "Sign in to" in r.read().decode()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        devtools.embedded_stop(pgdata)
        shutil.rmtree(folder, ignore_errors=True)
    assert not (pgdata / "postmaster.pid").exists()


def test_test_database_rule_prefers_database_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/x")
    assert devtools.database_for_test() == ("postgresql://someone@db.example/x", "DATABASE_URL")


def test_test_database_rule_then_the_local_server(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(devtools, "reachable", lambda host, port, timeout=0.5: True)
    url, source = devtools.database_for_test()
    assert url == "postgresql://postgres@127.0.0.1:5432/earlyhelp"
    assert source == "127.0.0.1:5432"


def test_as_role_changes_only_the_login():
    url = devtools.socket_url(Path("/run/pg sock"), "earlyhelp")
    assert devtools.as_role(url, "earlyhelp_service") == (
        "postgresql://earlyhelp_service@%2Frun%2Fpg%20sock/earlyhelp"
    )


def test_socket_url_is_percent_encoded_for_libpq():
    url = devtools.socket_url(Path("/run/pg sock"), "earlyhelp")
    assert url == "postgresql://postgres@%2Frun%2Fpg%20sock/earlyhelp"
