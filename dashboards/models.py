"""Dashboards' own records: progress reports kept for download, and each
partnership's public report card settings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from outcomes.models import OutcomeArea
from partnership.models import Partnership

# --- the public report card ----------------------------------------------------


class PublicReportCard(models.Model):
    """A partnership's public report card: the scorecard and headline charts of its
    approved data, readable without signing in at /public/<slug>/ once backbone
    staff switch it on. No row, or ``enabled`` false, means the page does not
    exist (404). Services in ``dashboards.report_card`` change it and record each
    change in ``PublicReportCardEvent``."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="public_report_card"
    )
    enabled = models.BooleanField(default=False)
    title = models.CharField(max_length=200, blank=True, help_text="Empty: the partnership's name.")
    intro = models.TextField(
        blank=True, help_text="A few sentences above the scorecard: who you are and why."
    )
    outcome_areas = models.ManyToManyField(
        OutcomeArea,
        blank=True,
        related_name="+",
        help_text="The outcome areas to show; none chosen shows every area.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last switched on."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; an edit based on an older one is refused."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=False) | Q(published_at__isnull=False),
                name="publicreportcard_published_when_enabled",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="publicreportcard_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Public report card of {self.partnership}"


class ReportCardAction(models.TextChoices):
    ENABLED = "enabled", "Switched on"
    DISABLED = "disabled", "Switched off"
    EDITED = "edited", "Edited"


class PublicReportCardEvent(models.Model):
    """One change to a public report card: who, when, what (old and new values)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    action = models.CharField(max_length=12, choices=ReportCardAction.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ReportCardAction.values),
                name="publicreportcardevent_action_valid",
            ),
        ]
        indexes = [
            # Serves the settings page's history: a partnership's changes, newest first.
            models.Index(fields=["partnership", "-changed_at"], name="reportcardevent_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.partnership_id}"


# --- progress reports ----------------------------------------------------------


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV (tidy long form)"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for its turn"
    RUNNING = "running", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def _report_upload_to(report: Report, filename: str) -> str:
    return f"reports/{report.partnership_id}/{report.code}/{filename}"


class Report(models.Model):
    """A progress report built for funders: who asked for it, when, its scope (the
    whole partnership or some outcome areas, a period range, with or without
    disaggregation) and its file, kept in MEDIA storage so that it can be
    downloaded again. A background task builds it and reports ``progress``
    (0-100) and a ``progress_message`` for the page's bar.

    ``outcome_areas`` holds the slugs in scope as they were when the report was
    asked for (empty: the whole partnership), and ``scope_label`` their names: a
    report is a record, and renaming an area later does not change what it said."""

    code = models.UUIDField(default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="reports", db_index=False
    )
    format = models.CharField(max_length=8, choices=ReportFormat.choices)
    outcome_areas = models.JSONField(default=list, blank=True)
    scope_label = models.CharField(max_length=500)
    period_from = models.ForeignKey(
        "indicators.Period",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    period_to = models.ForeignKey(
        "indicators.Period",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    disaggregate = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to=_report_upload_to, max_length=400, blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    indicator_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker claimed it (the latest claim)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Serves look-ups by code from URLs (detail, status, download) and the API.
            models.UniqueConstraint(fields=["code"], name="report_code_unique"),
            models.CheckConstraint(
                condition=Q(format__in=ReportFormat.values), name="report_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max"),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""), name="report_ready_has_file"
            ),
        ]
        indexes = [
            # Serves the reports page and the API list: a partnership's reports, newest first.
            models.Index(fields=["partnership", "-created_at"], name="report_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} report of {self.scope_label}"

    @property
    def running(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def download_name(self) -> str:
        """The file name offered on download: partnership, scope and date."""
        stamp = self.created_at.strftime("%Y-%m-%d")
        return f"{self.partnership.slug}-progress-report-{stamp}.{self.format}"
