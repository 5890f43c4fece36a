"""Running an ImportJob's preview and commit, inline for small files and as Celery
tasks for large ones; both record the outcome on the job for its page.

The tasks take the job's id, re-read it, and do nothing unless the job is in the
state that asked for them, so a task delivered twice does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from .imports import (
    ImportPreview,
    ImportRejected,
    ImportStaleError,
    import_commit,
    import_preview,
)
from .models import ImportJob, ImportStatus

log = logging.getLogger(__name__)

# The preview page shows this many rows (errors first); the error report lists at
# most this many problems.
PREVIEW_ROWS = 500
REPORT_ISSUES = 20_000

FAILED_MESSAGE = (
    "Something went wrong while reading this file, and nothing was imported. "
    "Try again; if it happens again, send the file to your backbone team."
)


def _progress_writer(job: ImportJob):
    """A ``progress(percent, message)`` hook saving to the job. Writes made inside
    the commit's transaction would be invisible until it ends (and undone if it
    fails), so there the hook only keeps the message for the next write."""
    depth = len(connection.atomic_blocks)

    def progress(percent: int, message: str) -> None:
        job.progress, job.progress_message = min(percent, 100), message[:200]
        if len(connection.atomic_blocks) == depth:
            ImportJob.objects.filter(pk=job.pk).update(
                progress=job.progress, progress_message=job.progress_message
            )

    return progress


def _row_json(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "status": str(row.status),
        "indicator": row.indicator,
        "period": row.period,
        "geography": row.geography,
        "category": row.category,
        "value": row.value,
        "old_value": (row.old or {}).get("value"),
        "issues": [[issue.column, issue.message] for issue in row.issues],
    }


def preview_json(preview: ImportPreview) -> dict[str, Any]:
    """What the page and the error report need of a preview: its counts, the first
    rows (errors first) and the issues, each as [row, column, value, message]."""
    issues = preview.issues
    return {
        "counts": preview.counts,
        "total": preview.total,
        "rows": [_row_json(row) for row in preview.first_rows(PREVIEW_ROWS)],
        "file_issues": [issue.message for issue in preview.file_issues],
        "issues": [[i.row, i.column, i.value, i.message] for i in issues[:REPORT_ISSUES]],
        "issue_count": len(issues),
        "ok": preview.ok,
    }


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    job.status = status
    job.finished_at = timezone.now() if status != ImportStatus.PREVIEWED else None
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def _run(job: ImportJob, service: Callable[..., Any], **kwargs: Any) -> Any:
    """Call the import service on the job's stored file, as the user who uploaded it."""
    with job.file.open("rb") as file:
        return service(
            partnership=job.partnership,
            user=job.user,
            file=file,
            filename=job.filename,
            encoding=job.encoding or None,
            progress=_progress_writer(job),
            **kwargs,
        )


def preview_job(job: ImportJob) -> None:
    """Check the job's file and store the preview; the job ends previewed (or failed)."""
    try:
        preview = _run(job, import_preview)
    except PermissionDenied as exc:
        _finish(job, ImportStatus.FAILED, error=str(exc))
        return
    except Exception:
        log.exception("Previewing import job %s failed", job.pk)
        _finish(job, ImportStatus.FAILED, error=FAILED_MESSAGE)
        return
    _finish(
        job,
        ImportStatus.PREVIEWED,
        preview=preview_json(preview),
        basis=preview.basis,
        progress=100,
        progress_message="Preview ready",
    )


def commit_job(job: ImportJob) -> None:
    """Import the job's file, all or nothing, insisting on the data its preview saw."""
    try:
        result = _run(job, import_commit, expected_basis=job.basis)
    except ImportRejected as exc:
        _finish(job, ImportStatus.REJECTED, error=str(exc), preview=preview_json(exc.preview))
        return
    except (ImportStaleError, PermissionDenied) as exc:
        _finish(job, ImportStatus.REJECTED, error=str(exc))
        return
    except Exception:
        log.exception("Committing import job %s failed", job.pk)
        _finish(job, ImportStatus.FAILED, error=FAILED_MESSAGE)
        return
    _finish(
        job,
        ImportStatus.COMMITTED,
        result={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "approved_changed": result.approved_changed,
        },
        progress=100,
        progress_message="Imported",
    )


def _job_in(job_id: int, status: str) -> ImportJob | None:
    job = (
        ImportJob.objects.select_related("partnership", "user")
        .filter(pk=job_id, status=status)
        .first()
    )
    if job is None:
        log.info("Import job %s is not %s any more; nothing to do", job_id, status)
    return job


@shared_task(acks_late=True)
def run_import_preview(job_id: int) -> str:
    if job := _job_in(job_id, ImportStatus.PREVIEWING):
        preview_job(job)
        return job.status
    return "skipped"


@shared_task(acks_late=True)
def run_import_commit(job_id: int) -> str:
    if job := _job_in(job_id, ImportStatus.COMMITTING):
        commit_job(job)
        return job.status
    return "skipped"


EXPIRED_MESSAGE = (
    "This upload was not imported within {days} days, so its file was removed. "
    "Upload the file again to import it."
)


def purge_import_files(*, days: int | None = None) -> int:
    """Remove the uploaded files of import jobs older than ``days`` (default
    ``IMPORT_FILE_RETENTION_DAYS``) that no task is working on. The job stays, with
    its preview, result and error report: who imported what, and when, is kept; a
    preview that was never imported is closed with a message to upload again.
    Returns the number of files removed."""
    days = settings.IMPORT_FILE_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    running = (ImportStatus.UPLOADED, ImportStatus.PREVIEWING, ImportStatus.COMMITTING)
    jobs = (
        ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(status__in=running)
    )
    removed = 0
    for job in jobs.iterator():
        job.file.delete(save=False)
        if job.status == ImportStatus.PREVIEWED:
            job.status = ImportStatus.REJECTED
            job.error = EXPIRED_MESSAGE.format(days=days)
            job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "error", "finished_at"])
        removed += 1
    if removed:
        log.info("Removed %s uploaded import files older than %s days", removed, days)
    return removed


@shared_task(acks_late=True)
def purge_old_import_files() -> int:
    return purge_import_files()
