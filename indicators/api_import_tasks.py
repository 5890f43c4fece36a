"""An import in one step, as the API's ``dry_run=false`` asks: preview the file,
then import it, each exactly as the browser's preview and its Import button do
(``import_tasks.preview_job`` and ``commit_job``), inline for a small file and as
one Celery task for a large one."""

from __future__ import annotations

import logging

from celery import shared_task

from .import_tasks import commit_job, preview_job
from .models import ImportJob, ImportStatus

log = logging.getLogger(__name__)


def preview_then_commit(job: ImportJob) -> None:
    """Preview the job's file, then import it. A file with errors is rejected by
    the commit with the same messages as in the browser, and nothing is imported;
    the commit insists on the data the preview saw, as the browser's does."""
    preview_job(job)
    if job.status != ImportStatus.PREVIEWED:  # the preview failed
        return
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.COMMITTING
    )
    if claimed:
        job.status = ImportStatus.COMMITTING
        commit_job(job)


@shared_task(acks_late=True)
def run_import_preview_and_commit(job_id: int) -> str:
    """The background form of ``preview_then_commit``; does nothing unless the job
    still waits for its preview, so a task delivered twice does no harm."""
    job = (
        ImportJob.objects.select_related("partnership", "user")
        .filter(pk=job_id, status=ImportStatus.PREVIEWING)
        .first()
    )
    if job is None:
        log.info("Import job %s is not waiting for its preview any more", job_id)
        return "skipped"
    preview_then_commit(job)
    return job.status
