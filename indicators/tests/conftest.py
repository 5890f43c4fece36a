"""A real Celery worker for the tests marked ``worker``: a separate process on the
configured broker (Redis in CI), reading the same PostgreSQL test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from partnership.tests.world import need_service

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    def __init__(self, app):
        self.app = app
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkdtemp(prefix="celery-worker-")) / "worker.log"

    def _env(self) -> dict[str, str]:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        )
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }

    def start(self) -> WorkerProcess:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{time.time_ns()}@%h",
            ],
            cwd=ROOT,
            env=self._env(),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited: {self.log.read_text()[-2000:]}")
            if "ready." in self.log.read_text():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"The worker did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no clean-up, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_to_worker():
    """Tasks go to the broker (not in-process) for the duration of the test."""
    from config.celery import app

    if not settings.CELERY_BROKER_URL:
        need_service("CELERY_BROKER_URL is not set: the worker tests need a real broker")
    if connection.vendor != "postgresql":
        need_service(
            "the worker tests need PostgreSQL (a worker cannot share an in-memory database)"
        )
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        need_service(f"the broker at {settings.CELERY_BROKER_URL} is unreachable: {exc}")
    app.control.purge()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous
    app.control.purge()


@pytest.fixture
def start_worker(celery_to_worker, transactional_db):
    workers: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(celery_to_worker).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll until predicate() is truthy; return its value, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout} s waiting for {predicate.__doc__ or predicate}")


# The browser tests' fixtures (Chromium, the live world, console errors, screenshots).
from partnership.tests.browser import (  # noqa: E402, F401
    browser_type_launch_args,
    console_errors,
    live_world,
    screenshot_dir,
)
