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
    "TRENDS_NIGHTLY_HOUR",
    "TRENDS_NIGHTLY_MINUTE",
    "TRENDS_NIGHTLY_DAYS",
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


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("EMAIL_PORT", "abc"), ("TRENDS_NIGHTLY_DAYS", "someday")],
)
def test_malformed_values_fail_loudly(name, value):
    result = _run({"DEBUG": "true", name: value}, "-c", PROBE)
    assert result.returncode != 0
    assert name in result.stderr


def test_the_full_trend_recompute_runs_when_configured():
    probe = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
        "from django.conf import settings; "
        "s = settings.CELERY_BEAT_SCHEDULE['recompute-all-trends-nightly']['schedule']; "
        "print(sorted(s.hour), sorted(s.minute), sorted(s.day_of_week))"
    )
    nightly = _run({"DEBUG": "true"}, "-c", probe)
    assert nightly.stdout.strip() == "[3] [15] [0, 1, 2, 3, 4, 5, 6]", nightly.stderr
    weekly = _run(
        {
            "DEBUG": "true",
            "TRENDS_NIGHTLY_HOUR": "1",
            "TRENDS_NIGHTLY_MINUTE": "30",
            "TRENDS_NIGHTLY_DAYS": "sun",
        },
        "-c",
        probe,
    )
    assert weekly.stdout.strip() == "[1] [30] [0]", weekly.stderr


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
