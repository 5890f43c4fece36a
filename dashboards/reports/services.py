"""Asking for progress reports and building them.

``report_request`` checks the request and records one ``Report`` per format;
the Celery task ``build_report`` (``tasks.py``) claims each and calls
``report_build``, which reads the data once, writes the file to MEDIA storage and
records the outcome. Pages, the API and the benchmark call these same functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboards.models import Report, ReportFormat, ReportStatus
from indicators.models import Period
from indicators.services import period_get
from outcomes.models import OutcomeArea
from partnership.models import Partnership
from partnership.permissions import Action, require

from .charts import ChartsUnavailableError
from .data import ReportData, areas_in_scope, describe_scope, report_data

log = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "Something went wrong while building this report. Try again; if it happens again, "
    "tell the people who run this site."
)
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}


def _period(label: str | Period | None, field: str) -> Period | None:
    if label is None or label == "" or isinstance(label, Period):
        return label or None
    try:
        return period_get(label=str(label).strip())
    except ValidationError as exc:
        raise ValidationError({field: exc.message_dict["period"]}) from None


@dataclass(frozen=True)
class _Request:
    formats: list[str]
    areas: list[OutcomeArea]
    whole: bool
    first: Period | None
    last: Period | None


def _checked(
    partnership: Partnership,
    formats: Iterable[str],
    slugs: Iterable[str],
    period_from: str | Period | None,
    period_to: str | Period | None,
) -> _Request:
    """The request with its outcome areas and periods looked up; every problem found
    is raised together, by field, saying how to fix it."""
    formats, slugs = list(dict.fromkeys(formats)), list(dict.fromkeys(slugs))
    errors: dict[str, list[str]] = {}
    if not formats:
        errors["format"] = ["Choose at least one format: pdf, xlsx or csv."]
    elif unknown := [f for f in formats if f not in ReportFormat.values]:
        errors["format"] = [f"Unknown format {', '.join(unknown)}: choose pdf, xlsx or csv."]
    areas = areas_in_scope(partnership=partnership, slugs=slugs)
    if missing := sorted(set(slugs) - {a.slug for a in areas}):
        errors["outcome_areas"] = [
            f"No outcome area {', '.join(missing)} in this partnership; use the slugs "
            "of its outcome areas, or none for the whole partnership."
        ]
    periods = {}
    for field, label in (("period_from", period_from), ("period_to", period_to)):
        try:
            periods[field] = _period(label, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            periods[field] = None
    first, last = periods["period_from"], periods["period_to"]
    if first and last and last.end < first.start:
        errors["period_to"] = [
            f"The range ends ({last.label}) before it starts ({first.label}): "
            "choose a last period at or after the first."
        ]
    if errors:
        raise ValidationError(errors)
    return _Request(formats, areas, not slugs, first, last)


def report_request(
    *,
    partnership: Partnership,
    user: Any,
    formats: Iterable[str],
    outcome_areas: Iterable[str] = (),
    period_from: str | Period | None = None,
    period_to: str | Period | None = None,
    disaggregate: bool = False,
) -> list[Report]:
    """Record a report for each format and queue its building once the records are
    saved. Raises ValidationError (by field) for an unknown format, an outcome area
    not in the partnership, an unreadable period or a range that ends before it
    starts; PermissionDenied/Http404 for anyone but backbone staff."""
    from .tasks import build_report  # the task module imports this one

    require(user, Action.CREATE_REPORT, partnership)
    asked = _checked(partnership, formats, outcome_areas, period_from, period_to)
    scope_label = describe_scope(asked.areas, whole=asked.whole)
    reports = []
    with transaction.atomic():
        for fmt in asked.formats:
            report = Report(
                partnership=partnership,
                format=fmt,
                outcome_areas=[] if asked.whole else [a.slug for a in asked.areas],
                scope_label=scope_label[:500],
                period_from=asked.first,
                period_to=asked.last,
                disaggregate=bool(disaggregate),
                created_by=user,
                progress_message="Waiting for its turn",
            )
            report.full_clean()
            report.save()
            reports.append(report)
            transaction.on_commit(lambda pk=report.pk: build_report.delay(pk))
    return reports


def report_claim(report_id: int) -> Report | None:
    """Take a queued report for building, atomically, so two workers never build
    the same one; a report left running longer than a task may run (its worker
    died) is taken again. None when there is nothing to do."""
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = Report.objects.filter(
        Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RUNNING, started_at__lt=abandoned),
        pk=report_id,
    ).update(status=ReportStatus.RUNNING, started_at=now, progress=2, progress_message="Starting")
    if not claimed:
        return None
    return Report.objects.select_related(
        "partnership", "period_from", "period_to", "created_by"
    ).get(pk=report_id)


def _progress_writer(report: Report) -> Callable[[int, str], None]:
    def progress(percent: int, message: str) -> None:
        Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
            progress=max(0, min(percent, 99)), progress_message=message[:200]
        )

    return progress


def report_read(report: Report) -> ReportData:
    """The data of a recorded report (the outcome areas that still exist)."""
    return report_data(
        partnership=report.partnership,
        outcome_areas=report.outcome_areas,
        period_from=report.period_from,
        period_to=report.period_to,
        disaggregate=report.disaggregate,
        scope_label=report.scope_label,
    )


def report_render(data: ReportData, fmt: str, progress: Callable[[int, str], None]) -> bytes:
    """The report's file in one format."""
    from .pdf import build_pdf
    from .tabular import build_csv, build_xlsx

    if fmt == ReportFormat.PDF:
        return build_pdf(data, progress)
    if fmt == ReportFormat.XLSX:
        return build_xlsx(data)
    return build_csv(data)


def report_build(report: Report) -> Report:
    """Build a claimed report's file and record the outcome: ready with its file,
    or failed with a message for the page."""
    progress = _progress_writer(report)
    try:
        progress(5, "Reading the data")
        data = report_read(report)
        content = report_render(data, report.format, progress)
        progress(95, "Saving the file")
        report.file.save(report.download_name, ContentFile(content), save=False)
    except ChartsUnavailableError as exc:
        log.error("Report %s: %s", report.pk, exc)
        return _finish(report, ReportStatus.FAILED, error=str(exc))
    except Exception:
        log.exception("Building report %s failed", report.pk)
        return _finish(report, ReportStatus.FAILED, error=FAILED_MESSAGE)
    return _finish(
        report,
        ReportStatus.READY,
        size=len(content),
        indicator_count=len(data.indicators),
        progress=100,
        progress_message="Ready",
    )


def _finish(report: Report, status: str, **fields: Any) -> Report:
    report.status = status
    report.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(report, name, value)
    if status == ReportStatus.FAILED:
        report.progress_message = "Failed"
    report.save()
    return report
