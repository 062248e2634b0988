"""The deployment files agree with the code: docker-compose.yml, Dockerfile, .env.example, README.

There is no container engine on the build machine, so the files are parsed and every name they
mention (modules, files, environment variables, service host names) is checked against the repo.
"""

import ast
import importlib
import json
import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "integrity_portal" / "settings.py"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
README = ROOT / "README.md"
GUNICORN_CONF = ROOT / "docker" / "gunicorn.conf.py"

APP_SERVICES = ("migrate", "web", "worker", "beat")
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}
# The line in README.md where the English half starts; everything before it is the Chinese half.
README_ENGLISH_ANCHOR = '<a id="english"></a>'


def settings_env_names() -> set[str]:
    """Every variable integrity_portal/settings.py reads through the typed env helpers."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def gunicorn_env_names() -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(GUNICORN_CONF.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and ast.unparse(node.func.value) == "os.environ"
        ):
            names.add(node.args[0].value)
    return names


_INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}")


def compose_text() -> str:
    return COMPOSE.read_text()


def compose() -> dict:
    return yaml.safe_load(compose_text())


def compose_interpolated_names() -> set[str]:
    return set(_INTERPOLATION.findall(compose_text()))


def deployment_only_names() -> set[str]:
    """Variables read by docker-compose.yml or gunicorn, not by the Django settings."""
    return (compose_interpolated_names() | gunicorn_env_names()) - settings_env_names()


def readme_halves() -> tuple[str, str]:
    text = README.read_text()
    assert README_ENGLISH_ANCHOR in text, f"README.md needs the marker {README_ENGLISH_ANCHOR}"
    chinese, english = text.split(README_ENGLISH_ANCHOR, 1)
    return chinese, english


def table_rows_naming(text: str, name: str) -> list[str]:
    return [
        line for line in text.splitlines() if line.lstrip().startswith("|") and f"`{name}`" in line
    ]


def env_example_names() -> set[str]:
    """``NAME=`` lines of .env.example, commented-out ones (``# NAME=``) included."""
    pattern = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text()))


# --- environment variables are documented ---------------------------------------------------------


def test_settings_read_the_variables_this_test_expects_to_find():
    # Guards the parser itself: if it found nothing, every check below would pass vacuously.
    names = settings_env_names()
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "PRODUCTION"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("half", ["chinese", "english"])
def test_every_settings_variable_is_in_the_readme_configuration_table(half):
    text = dict(zip(("chinese", "english"), readme_halves(), strict=True))[half]

    missing = sorted(n for n in settings_env_names() if not table_rows_naming(text, n))

    assert not missing, f"add these variables to the {half} configuration table: {missing}"


@pytest.mark.parametrize("half", ["chinese", "english"])
def test_every_deployment_variable_is_in_the_readme(half):
    text = dict(zip(("chinese", "english"), readme_halves(), strict=True))[half]

    missing = sorted(n for n in deployment_only_names() if not table_rows_naming(text, n))

    assert not missing, f"document these docker-compose/gunicorn variables ({half}): {missing}"


def test_every_variable_is_in_env_example():
    wanted = settings_env_names() | deployment_only_names()

    missing = sorted(wanted - env_example_names())

    assert not missing, f"add these variables to .env.example: {missing}"


def test_env_example_mentions_no_variable_that_nothing_reads():
    unknown = sorted(env_example_names() - settings_env_names() - deployment_only_names())

    assert not unknown, f".env.example lists variables nothing reads: {unknown}"


def test_env_example_holds_no_usable_secret():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    # The production guard refuses a SECRET_KEY under 50 characters, so the placeholder
    # cannot be deployed by mistake.
    assert len(values["SECRET_KEY"]) < 50
    assert values["POSTGRES_PASSWORD"] == "change-me"


# --- docker-compose.yml -------------------------------------------------------------------------


def test_compose_declares_the_services_of_the_production_mode():
    services = compose()["services"]

    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)


@pytest.mark.parametrize("service", ["web", "worker", "beat", "postgres", "redis"])
def test_long_running_services_have_a_health_check(service):
    healthcheck = compose()["services"][service]["healthcheck"]

    assert healthcheck["test"]
    assert healthcheck.get("interval")


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_application_services_start_after_migrations_and_healthy_services(service):
    depends_on = compose()["services"][service]["depends_on"]

    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_migrate_is_a_one_shot_service_after_a_healthy_database():
    migrate = compose()["services"]["migrate"]

    assert migrate["command"][:3] == ["python", "manage.py", "migrate"]
    assert (ROOT / "manage.py").is_file()
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_postgres_is_a_supported_major_version():
    image = compose()["services"]["postgres"]["image"]

    assert re.fullmatch(r"postgres:(15|16)([.-].*)?", image), image


@pytest.mark.parametrize("service", APP_SERVICES)
def test_application_services_read_the_env_file(service):
    assert compose()["services"][service]["env_file"] in (".env", [".env"])


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_sets_is_read_by_the_settings(service):
    environment = compose()["services"][service]["environment"]

    unknown = sorted(set(environment) - settings_env_names())

    assert not unknown, f"{service} sets variables the settings never read: {unknown}"


@pytest.mark.parametrize(
    ("variable", "host", "schemes"),
    [
        ("DATABASE_URL", "postgres", {"postgres", "postgresql"}),
        ("CELERY_BROKER_URL", "redis", {"redis"}),
        ("REDIS_URL", "redis", {"redis"}),
    ],
)
def test_service_urls_point_at_the_compose_services(variable, host, schemes):
    services = compose()["services"]
    for name in APP_SERVICES:
        url = urlsplit(_INTERPOLATION.sub("secret", services[name]["environment"][variable]))

        assert url.scheme in schemes
        assert url.hostname == host
        assert host in services


def test_broker_and_cache_use_different_redis_databases():
    environment = compose()["services"]["web"]["environment"]

    broker = urlsplit(environment["CELERY_BROKER_URL"]).path
    cache = urlsplit(environment["REDIS_URL"]).path

    assert broker != cache


def test_application_services_run_in_production_mode():
    for name in APP_SERVICES:
        assert compose()["services"][name]["environment"]["PRODUCTION"] == "true"


def test_volumes_are_declared_and_mounted():
    data = compose()
    declared = set(data["volumes"])
    services = data["services"]

    def mounted(service):
        return {v.split(":", 1)[0] for v in services[service].get("volumes", [])}

    assert {"pgdata", "media", "beat"} <= declared
    assert "pgdata" in mounted("postgres")
    assert {"media"} <= mounted("web") and {"media"} <= mounted("worker")
    assert "beat" in mounted("beat")
    for service in services:
        assert mounted(service) <= declared, f"{service} mounts an undeclared volume"


def test_media_volume_is_mounted_where_the_settings_store_uploads():
    services = compose()["services"]
    for name in ("web", "worker"):
        media_root = services[name]["environment"]["MEDIA_ROOT"]
        assert f"media:{media_root}" in services[name]["volumes"]


def _assert_wsgi_command(command: list[str]):
    assert command[0] == "gunicorn"
    module_name, _, attribute = command[1].partition(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute or "application"))
    if "--config" in command:
        assert (ROOT / command[command.index("--config") + 1]).is_file()


def test_web_command_serves_the_real_wsgi_application():
    _assert_wsgi_command(compose()["services"]["web"]["command"])


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_commands_use_the_real_celery_app(service, subcommand):
    from celery import Celery

    command = compose()["services"][service]["command"]

    assert command[0] == "celery"
    app_module = command[command.index("-A") + 1]
    assert isinstance(importlib.import_module(app_module).celery_app, Celery)
    assert command[command.index("-A") + 2] == subcommand


def test_beat_keeps_its_schedule_file_on_the_beat_volume():
    beat = compose()["services"]["beat"]
    schedule = next(arg for arg in beat["command"] if arg.startswith("--schedule="))
    path = schedule.split("=", 1)[1]

    mount = next(v for v in beat["volumes"] if v.startswith("beat:"))
    assert path.startswith(mount.split(":", 1)[1] + "/")


def _python_snippets():
    for name, service in compose()["services"].items():
        test = service.get("healthcheck", {}).get("test", [])
        if test[:3] == ["CMD", "python", "-c"]:
            yield name, test[3]


def test_python_health_checks_are_valid_python():
    snippets = dict(_python_snippets())

    assert {"web", "beat"} <= set(snippets)
    for name, code in snippets.items():
        compile(code, f"<{name} healthcheck>", "exec")


class _ProbeTarget:
    """A one-shot HTTP server standing in for gunicorn: records the request, answers ``status``."""

    def __init__(self, status: int):
        import http.server
        import threading

        seen = self.seen = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                seen["path"] = self.path
                seen["host"] = self.headers["Host"]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.handle_request, daemon=True)
        self.thread.start()

    def probe(self, allowed_hosts: str) -> subprocess.CompletedProcess:
        code = dict(_python_snippets())["web"].replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")
        result = subprocess.run(  # noqa: S603  (the compose file's own probe)
            [sys.executable, "-c", code],
            env={**os.environ, "ALLOWED_HOSTS": allowed_hosts},
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.thread.join(timeout=5)
        self.server.server_close()
        return result


@pytest.mark.parametrize(
    "allowed_hosts", ["portal.example.gov.cn", ".example.gov.cn,localhost", " xyz.gov.cn ,a"]
)
def test_web_health_check_asks_readyz_with_a_host_django_accepts(allowed_hosts):
    from django.http.request import validate_host

    target = _ProbeTarget(status=200)

    result = target.probe(allowed_hosts)

    assert result.returncode == 0, result.stderr
    assert target.seen["path"] == "/readyz"
    allowed = [h.strip() for h in allowed_hosts.split(",") if h.strip()]
    assert validate_host(target.seen["host"], allowed)


def test_web_health_check_fails_when_not_ready():
    target = _ProbeTarget(status=503)

    result = target.probe("portal.example.gov.cn")

    assert result.returncode != 0
    assert target.seen["path"] == "/readyz"


def test_web_health_check_fails_when_nothing_listens():
    code = dict(_python_snippets())["web"]
    env = {**os.environ, "ALLOWED_HOSTS": "portal.example.gov.cn"}

    result = subprocess.run(  # noqa: S603  (the compose file's own probe)
        [sys.executable, "-c", code.replace("127.0.0.1:8000", "127.0.0.1:9")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode != 0


# --- Dockerfile ---------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text()
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        result.append((instruction.upper(), arguments.strip()))
    return result


def test_dockerfile_builds_on_python_311_slim_bookworm():
    assert dockerfile_instructions()[0] == ("FROM", "python:3.11-slim-bookworm")


def test_dockerfile_runs_as_a_non_root_user():
    users = [args for instruction, args in dockerfile_instructions() if instruction == "USER"]

    assert users and users[-1] not in ("root", "0")


def test_dockerfile_command_serves_the_real_wsgi_application():
    cmd = [args for instruction, args in dockerfile_instructions() if instruction == "CMD"][-1]

    _assert_wsgi_command(json.loads(cmd))


def test_dockerfile_copies_only_files_that_exist():
    for instruction, args in dockerfile_instructions():
        if instruction == "COPY":
            *sources, _destination = [a for a in args.split() if not a.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY source {source} missing"


def test_build_time_secret_never_reaches_the_runtime_environment():
    instructions = dockerfile_instructions()
    env_lines = " ".join(args for instruction, args in instructions if instruction == "ENV")

    assert "SECRET_KEY" not in env_lines
    assert not any(instruction == "ARG" and "SECRET" in args for instruction, args in instructions)


def _collectstatic_step() -> tuple[dict[str, str], list[str]]:
    run = next(
        args
        for instruction, args in dockerfile_instructions()
        if instruction == "RUN" and "collectstatic" in args
    )
    words = shlex.split(run)
    env = {}
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    return env, words


def test_dockerfile_static_step_runs_in_production_mode_with_a_throwaway_secret():
    env, command = _collectstatic_step()

    assert env["PRODUCTION"] == "true"
    assert len(env["SECRET_KEY"]) >= 50
    assert command[:3] == ["python", "manage.py", "collectstatic"]


def test_dockerfile_static_step_collects_a_hashed_manifest(tmp_path):
    env, command = _collectstatic_step()
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "ALLOWED_HOSTS")}

    result = subprocess.run(  # noqa: S603  (the Dockerfile's own command)
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env={**base, **env, "STATIC_ROOT": str(tmp_path / "static")},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "css/portal.css" in manifest["paths"]


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    for entry in (".env", ".venv", ".git", "db.sqlite3*"):
        assert entry in ignored


# --- README -------------------------------------------------------------------------------------


@pytest.mark.parametrize("half", ["chinese", "english"])
def test_readme_demo_logins_match_the_demo_data(half):
    from agencies.demo import DEMO_LOGINS

    text = dict(zip(("chinese", "english"), readme_halves(), strict=True))[half]

    for login in DEMO_LOGINS:
        rows = table_rows_naming(text, login.username)
        assert any(f"`{login.password}`" in row for row in rows), login.username


def test_readme_commands_exist():
    from django.core.management import get_commands

    text = README.read_text()
    dev = (ROOT / "dev.py").read_text()

    for command in ("run", "test"):
        assert f"python3 dev.py {command}" in text
        assert f'"{command}": cmd_{command}' in dev
    for management_command in ("load_demo", "import_agencies", "createsuperuser", "migrate"):
        assert management_command in text
        assert management_command in get_commands()


def test_gunicorn_settings_are_valid_and_keep_heartbeats_in_memory():
    from gunicorn.config import Config

    values = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    for name in ("bind", "workers", "threads", "timeout", "worker_tmp_dir", "max_requests"):
        config.set(name, values[name])  # gunicorn's own validation of each value
    assert config.worker_tmp_dir == "/dev/shm"  # noqa: S108
    assert config.workers == 3
    # Workers are recycled seldom: each new one costs about 0.75 s of CPU.
    assert config.max_requests >= 50_000
    assert 0 < values["max_requests_jitter"] <= config.max_requests // 10
