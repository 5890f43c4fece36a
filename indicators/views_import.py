"""Importing a file in the browser (under /p/<slug>/data/import/): upload, preview,
commit, the error report, and each indicator's template.

Small files are checked and imported while the request waits; larger ones by the
Celery tasks of ``import_tasks``, while the job's page shows a progress bar fed
by a small JSON status endpoint. Everyone with ``IMPORT_DATA`` sees their own
imports; backbone staff see every import of the partnership. Only the person who
uploaded a file may import it, since its rows are checked against their rights.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partnership.models import Partnership
from partnership.permissions import Action, can, can_commit_import, require
from partnership.view_helpers import partnership_for

from .import_tasks import (
    PREVIEW_ROWS,
    REPORT_ISSUES,
    commit_job,
    preview_job,
    run_import_commit,
    run_import_preview,
)
from .imports import MAX_BYTES, MAX_ROWS, Issue, error_report_csv, import_template_csv
from .imports.readers import CSV_TYPES, EXCEL_TYPES
from .imports.results import ImportPreview
from .models import ImportJob, ImportStatus
from .views_entry import indicator_for

# Files up to this size are checked (and imported) while the upload waits, in a
# few seconds at most; larger ones go to a background task.
SYNC_MAX_BYTES = 500 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)

ENCODINGS = [
    ("", "Recognise automatically"),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252 (Excel's plain CSV on Windows)"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
]

ERRORS_BLOCK_COMMIT = (
    "Fix the errors and upload the file again: nothing is imported while any row has an error."
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            f"A CSV file or an Excel workbook (.xlsx), at most {MAX_ROWS:,} rows and {MAX_MB} MB."
        ),
    )
    encoding = forms.ChoiceField(
        label="Encoding (CSV only)", choices=ENCODINGS, required=False, initial=""
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known from the upload itself: refuse before reading the content.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"This file is {upload.size / (1024 * 1024):.1f} MB; at most {MAX_MB} MB "
                f"(and {MAX_ROWS:,} rows) can be imported at once. Split it into smaller "
                "files, each with the header row."
            )
        if not upload.name.lower().endswith((*CSV_TYPES, *EXCEL_TYPES)):
            raise forms.ValidationError(
                "Choose a CSV file (.csv) or an Excel workbook (.xlsx). Save an old .xls "
                "workbook as .xlsx first."
            )
        return upload


def _import_partnership(request: HttpRequest, slug: str) -> Partnership:
    partnership = partnership_for(request, slug)
    require(request.user, Action.IMPORT_DATA, partnership)
    return partnership


def imports_visible_to(*, user: Any, partnership: Partnership) -> QuerySet[ImportJob]:
    """The partnership's imports the user sees: their own, or everyone's with
    ``VIEW_ALL_IMPORTS`` (backbone staff). The browser and the API both ask here."""
    jobs = ImportJob.objects.filter(partnership=partnership)
    if not can(user, Action.VIEW_ALL_IMPORTS, partnership):
        jobs = jobs.filter(user=user)
    return jobs


def _job_for(request: HttpRequest, slug: str, code: str) -> ImportJob:
    """The job with this code if the user may see it: their own, or any for backbone
    staff; 404 otherwise."""
    partnership = _import_partnership(request, slug)
    jobs = imports_visible_to(user=request.user, partnership=partnership)
    job = jobs.select_related("user").filter(code=code).first()
    if job is None:
        raise Http404("No such import.")
    job.partnership = partnership
    return job


def _start(job: ImportJob, status: str, inline, task) -> None:
    """Run ``inline(job)`` now for a small file; else queue ``task`` once the job is saved."""
    job.status = status
    job.progress, job.progress_message = 0, "Waiting for its turn"
    job.save(update_fields=["status", "progress", "progress_message"])
    if job.file.size <= SYNC_MAX_BYTES:
        inline(job)
    else:
        transaction.on_commit(lambda: task.delay(job.pk))


@login_required
def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = _import_partnership(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            partnership=partnership,
            user=request.user,
            filename=upload.name[:255],
            file=upload,
            encoding=form.cleaned_data["encoding"],
        )
        _start(job, ImportStatus.PREVIEWING, preview_job, run_import_preview)
        return redirect("import_detail", partnership.slug, job.code)
    jobs = imports_visible_to(user=request.user, partnership=partnership)
    jobs = jobs.select_related("user")[:10]
    context = {"partnership": partnership, "form": form, "jobs": jobs}
    # A refused upload answers 400, so that scripts and tests can tell.
    status = 400 if form.is_bound else 200
    return render(request, "indicators/import/upload.html", context, status=status)


@login_required
def import_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    job = _job_for(request, slug, code)
    preview = job.preview or {}
    context = {
        "partnership": job.partnership,
        "job": job,
        "preview": preview,
        "rows_capped": preview.get("total", 0) > len(preview.get("rows", [])),
        "report_capped": preview.get("issue_count", 0) > REPORT_ISSUES,
        "preview_rows": PREVIEW_ROWS,
        "report_issues": REPORT_ISSUES,
        "may_commit": can_commit_import(request.user, job),
        "errors_block_commit": ERRORS_BLOCK_COMMIT,
    }
    return render(request, "indicators/import/detail.html", context)


@login_required
def import_status(request: HttpRequest, slug: str, code: str) -> JsonResponse:
    job = _job_for(request, slug, code)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "progress": job.progress,
            "message": job.progress_message,
            "running": job.running,
        }
    )


@login_required
@require_POST
def import_commit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    job = _job_for(request, slug, code)
    if not can_commit_import(request.user, job):
        raise Http404("No such import.")
    # Only a previewed, error-free job moves on, and only once: a second press of
    # the button (or a second tab) finds it committing already.
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.PREVIEWED, preview__ok=True
    ).update(status=ImportStatus.COMMITTING)
    if claimed:
        _start(job, ImportStatus.COMMITTING, commit_job, run_import_commit)
    return redirect("import_detail", slug, job.code)


@login_required
def import_error_report(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    job = _job_for(request, slug, code)
    issues = [Issue(*issue) for issue in (job.preview or {}).get("issues", [])]
    report = error_report_csv(ImportPreview(filename=job.filename, file_issues=issues))
    stem = job.filename.rsplit(".", 1)[0] or "import"
    return _csv_download(report, f"{stem}-errors.csv")


@login_required
def import_template(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    indicator = indicator_for(request, slug, code, Action.ENTER_DATA)
    return _csv_download(import_template_csv(indicator), f"{indicator.code}-import-template.csv")


def _csv_download(text: str, filename: str) -> HttpResponse:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
