"""The Celery task that builds a progress report. It takes the report's id,
claims the report atomically (``report_claim``), and does nothing when the report
is not waiting to be built, so a task delivered twice does no harm."""

from __future__ import annotations

import logging

from celery import shared_task

from .services import report_build, report_claim

log = logging.getLogger(__name__)


@shared_task(acks_late=True)
def build_report(report_id: int) -> str:
    report = report_claim(report_id)
    if report is None:
        log.info("Report %s is not waiting to be built; nothing to do", report_id)
        return "skipped"
    return report_build(report).status
