"""Settings come from the environment, with safe defaults, and fail loudly on
malformed values; production settings pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER, "
    "settings.DATABASES['default']['ENGINE'], settings.TIME_ZONE)"
)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARS}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


_SETTINGS_VARS = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
}


def test_development_defaults_need_nothing_but_debug():
    result = _run({"DEBUG": "true"}, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "django.db.backends.sqlite3", "UTC"]


def test_a_broker_url_hands_tasks_to_workers_and_database_url_is_read():
    result = _run(
        {
            "DEBUG": "true",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "TIME_ZONE": "America/Chicago",
        },
        "-c",
        PROBE,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "False",
        "django.db.backends.postgresql",
        "America/Chicago",
    ]


def test_production_without_a_secret_key_refuses_to_start():
    result = _run({"DEBUG": "false"}, "-c", PROBE)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("EMAIL_PORT", "abc")])
def test_malformed_values_fail_loudly(name, value):
    result = _run({"DEBUG": "true", name: value}, "-c", PROBE)
    assert result.returncode != 0
    assert name in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "a-long-random-production-secret-key-for-the-test-0123456789",
            "ALLOWED_HOSTS": "impact.example.org",
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
