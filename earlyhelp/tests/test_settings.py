"""Production settings: `check --deploy` is clean, and a weak secret key stops start-up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update({"DJANGO_SETTINGS_MODULE": "earlyhelp.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="earlyhelp.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "key",
    ["", "short", "x" * 60, "django-insecure-" + "a1b2c3d4" * 6, "not-a-secret-" + "q7" * 30],
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = run_manage("check", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random value" in result.stderr


def test_settings_modules_exist_for_each_environment():
    for name in ["base", "local", "test", "production"]:
        assert (ROOT / "earlyhelp" / "settings" / f"{name}.py").is_file()
