"""`/healthz`: is the database up, are migrations applied, does the broker answer?

Answers 200 when all are fine and 503 when any is not, with each check's
status as JSON so that a deployer can see which one failed.
"""

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_migrations() -> dict:
    try:
        loader = MigrationLoader(connection)
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    # Every migration on disk that the database has not recorded, wherever it
    # sits in the graph (a plan to the leaf nodes would miss a gap below them).
    unapplied = sorted(
        f"{app}.{name}"
        for app, name in loader.graph.nodes
        if (app, name) not in loader.applied_migrations
    )
    return {"ok": not unapplied, "unapplied": unapplied}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        # No broker configured: tasks run eagerly in-process, by design (README).
        return {"ok": True, "mode": "eager"}
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "redis"}


@never_cache
@require_GET
def healthz(request):
    started = time.monotonic()
    checks = {
        "database": check_database(),
        "migrations": check_migrations(),
        "broker": check_broker(),
    }
    healthy = all(check["ok"] for check in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
