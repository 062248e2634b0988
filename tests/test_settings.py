"""Settings read from the environment: the production guard and malformed values.

Settings are evaluated once per process, so each case starts a fresh Python process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from integrity_portal.env import ImproperEnvironment, env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 20 + "-production-test-secret-" + "q" * 20  # 64 characters, not the default
PRODUCTION_ENV = {
    "PRODUCTION": "true",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "portal.example.gov.cn",
}
# Variables the guard looks at; the inherited environment must not decide a case. (The browser
# tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process, which a deploy check refuses.)
_GUARDED = (
    "PRODUCTION",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CONN_MAX_AGE",
    "CONN_HEALTH_CHECKS",
    "EMAIL_PORT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "ACCESS_CODE_KEY",
    "STAFF_REQUIRE_TOTP",
)


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in _GUARDED}
    base["DJANGO_SETTINGS_MODULE"] = "integrity_portal.settings"
    return subprocess.run(  # noqa: S603  (fixed interpreter and arguments)
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def django_setup(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(env, "-c", "import django; django.setup()")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "too-short-to-be-a-real-secret"}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must list"),
        ({"ACCESS_CODE_KEY": "short-hmac-key"}, "ACCESS_CODE_KEY, when set, must be"),
    ],
    ids=["debug-on", "default-secret", "short-secret", "no-hosts", "blank-hosts", "short-hmac-key"],
)
def test_production_refuses_to_start_on_unsafe_values(overrides, message):
    env = {**PRODUCTION_ENV, **overrides}
    env = {k: v for k, v in env.items() if v is not None}

    result = django_setup(env)

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert message in result.stderr


def test_production_lists_every_problem_at_once():
    result = django_setup({"PRODUCTION": "true", "DEBUG": "true"})

    assert result.returncode != 0
    for message in ("DEBUG must be off", "SECRET_KEY must be set", "ALLOWED_HOSTS must list"):
        assert message in result.stderr


def test_production_with_safe_values_passes_the_deployment_checklist():
    # Every deploy check at error level, and no warning from Django's security checks. (The
    # API schema's warnings, also reported under --deploy, are not settings problems.)
    result = run_python(PRODUCTION_ENV, "manage.py", "check", "--deploy")

    assert result.returncode == 0, result.stderr
    assert "security." not in result.stdout + result.stderr


def test_production_security_checks_are_clean_even_at_warning_level():
    result = run_python(
        PRODUCTION_ENV,
        "manage.py",
        "check",
        "--deploy",
        "--tag",
        "security",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_embedded_mode_starts_with_no_configuration_at_all():
    result = django_setup({})

    assert result.returncode == 0, result.stderr


def debug_with(env: dict[str, str]) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return run_python(env, "-c", code).stdout.strip()


def test_the_second_factor_is_required_by_default_in_production_only():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STAFF_REQUIRE_TOTP)"
    )
    assert run_python({}, "-c", code).stdout.strip() == "False"
    assert run_python(PRODUCTION_ENV, "-c", code).stdout.strip() == "True"
    off = {**PRODUCTION_ENV, "STAFF_REQUIRE_TOTP": "false"}
    assert run_python(off, "-c", code).stdout.strip() == "False"


def test_debug_is_off_unless_asked_for_even_outside_production():
    assert debug_with({}) == "False"
    assert debug_with({"PRODUCTION": "false"}) == "False"
    assert debug_with({"DEBUG": "true"}) == "True"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("PRODUCTION", "perhaps"),
        ("CONN_MAX_AGE", "abc"),
        ("CONN_HEALTH_CHECKS", "sometimes"),
        ("EMAIL_PORT", "twenty-five"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(variable, value):
    result = django_setup({variable: value})

    assert result.returncode != 0
    assert "ImproperEnvironment" in result.stderr
    assert f"{variable}={value!r}" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [(None, "False"), ("true", "True")])
def test_connection_health_checks_are_off_unless_turned_on(raw, expected):
    env = {} if raw is None else {"CONN_HEALTH_CHECKS": raw}
    script = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    )
    result = run_python(env, "-c", f"import django; django.setup(); {script}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


# --- the typed readers themselves ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("", "default"),
        (None, "default"),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("PORTAL_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("PORTAL_TEST_FLAG", raw)

    value = env_bool("PORTAL_TEST_FLAG", default=True)

    assert value is (True if expected == "default" else expected)


@pytest.mark.parametrize("raw", ["maybe", "2", "truee", "y e s"])
def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("PORTAL_TEST_FLAG", raw)

    with pytest.raises(ImproperEnvironment, match="PORTAL_TEST_FLAG"):
        env_bool("PORTAL_TEST_FLAG")


@pytest.mark.parametrize("raw", ["abc", "1.5", "60s", "0x10"])
def test_env_int_rejects_non_integers_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("PORTAL_TEST_NUMBER", raw)

    with pytest.raises(ImproperEnvironment, match="PORTAL_TEST_NUMBER"):
        env_int("PORTAL_TEST_NUMBER", 7)


def test_env_int_uses_the_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("PORTAL_TEST_NUMBER", raising=False)
    assert env_int("PORTAL_TEST_NUMBER", 7) == 7
    monkeypatch.setenv("PORTAL_TEST_NUMBER", " ")
    assert env_int("PORTAL_TEST_NUMBER", 7) == 7
    monkeypatch.setenv("PORTAL_TEST_NUMBER", "42")
    assert env_int("PORTAL_TEST_NUMBER", 7) == 42


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("PORTAL_TEST_LIST", " a.example , ,b.example,")
    assert env_list("PORTAL_TEST_LIST") == ["a.example", "b.example"]
    monkeypatch.delenv("PORTAL_TEST_LIST")
    assert env_list("PORTAL_TEST_LIST", ["fallback"]) == ["fallback"]


def test_env_str_keeps_an_empty_value_distinct_from_unset(monkeypatch):
    # INTAKE_RATE_LIMIT="" turns throttling off; unset means the default rate.
    monkeypatch.setenv("PORTAL_TEST_TEXT", "")
    assert env_str("PORTAL_TEST_TEXT", "default") == ""
    monkeypatch.delenv("PORTAL_TEST_TEXT")
    assert env_str("PORTAL_TEST_TEXT", "default") == "default"
