"""A report built by a real Celery worker on a real broker (Redis in CI) and
PostgreSQL: the task is found by the worker, reports its progress, and leaves the
file in MEDIA storage for the web process to serve."""

from __future__ import annotations

import pytest

from dashboards.models import Report, ReportStatus
from dashboards.reports.charts import charts_available
from dashboards.reports.services import report_request
from indicators.tests.conftest import celery_to_worker, start_worker, wait_for  # noqa: F401
from partnership.tests.world import need_service

from .test_reports_data import reported_fixture  # noqa: F401

pytestmark = pytest.mark.worker


def test_a_worker_builds_a_pdf_report(
    reported,
    start_worker,  # noqa: F811 (the fixture imported above)
    settings,
    tmp_path,
    monkeypatch,
):
    if not charts_available():
        need_service("the PDF's charts need Chromium (/usr/bin/chromium) for kaleido")
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))  # the worker's environment is ours
    worker = start_worker()
    world = reported.world
    (report,) = report_request(
        partnership=world.partnership, user=world.users["backbone"], formats=["pdf"]
    )  # autocommit: queued at once

    def built():
        """the report built by the worker"""
        report.refresh_from_db()
        return not report.running and report

    assert wait_for(built, timeout=90).status == ReportStatus.READY, report.error
    assert report.progress == 100 and report.indicator_count == 2
    assert report.file.open("rb").read(5) == b"%PDF-"
    assert "build_report" in worker.log.read_text()
    assert Report.objects.count() == 1
