"""`/healthz` reports the database, migrations and broker, and answers 503 when one is down."""

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from earlyhelp import health

pytestmark = pytest.mark.django_db


def test_all_up_answers_200_with_each_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": []}
    assert body["checks"]["broker"] == {"ok": True, "mode": "eager"}


def test_unapplied_migration_answers_503_naming_it(client):
    MigrationRecorder.Migration.objects.filter(app="earlyhelp", name="0001_initial").delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "earlyhelp.0001_initial" in body["checks"]["migrations"]["unapplied"]


def test_database_down_answers_503(client, monkeypatch):
    # A real connection attempt to a port where no server listens.
    unreachable = DatabaseWrapper(
        {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": "1",
            "OPTIONS": {"connect_timeout": 1},
        }
    )
    monkeypatch.setattr(health, "connection", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False
    assert checks["migrations"]["ok"] is False


def test_broker_down_answers_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "mode": "redis",
        "error": "ConnectionError",
    }


def test_real_redis_broker_answers_200(client, settings):
    if not settings.TEST_REDIS_URL:
        pytest.skip("no Redis reachable (make test looks on 127.0.0.1:6379 or REDIS_URL)")
    settings.CELERY_BROKER_URL = settings.TEST_REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True, "mode": "redis"}
