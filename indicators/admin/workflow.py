"""The work around the data: the trend engine's queue, data requests to
partners and file imports. The product's own pages and tasks write them, so
they are read-only here; open data requests can be cancelled, through
``data_request_cancel`` as on the requests page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from ..data_requests import data_request_cancel
from ..models import DataRequest, DataRequestStatus, ImportJob, TrendRequest
from .base import ReadOnlyAdmin


@admin.register(TrendRequest)
class TrendRequestAdmin(ReadOnlyAdmin):
    """Series waiting for the trend engine: written with each change of approved
    data and consumed when the engine stores the new trends."""

    list_display = (
        "id",
        "indicator",
        "geography",
        "category",
        "whole_indicator",
        "created_at",
        "partnership",
    )
    list_filter = ("indicator__partnership", "whole_indicator")
    list_select_related = ("indicator__partnership", "geography", "category__dimension")
    search_fields = ("^indicator__code", "^geography__code", "=category__code")
    search_help_text = "Indicator code, geography code or category code."
    show_full_result_count = False
    # Oldest first, as the engine takes them; the primary key rises with created_at.
    ordering = ("id",)

    @admin.display(ordering="indicator__partnership__name")
    def partnership(self, obj: TrendRequest) -> Any:
        return obj.indicator.partnership


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    """Backbone staff ask partners for data on the requests page; the daily
    reminder run records when they are fulfilled."""

    list_display = (
        "indicator",
        "period",
        "organization",
        "partnership",
        "due_date",
        "status",
        "requested_by",
        "requested_at",
        "fulfilled_at",
    )
    list_filter = ("partnership", "status", "due_date")
    list_select_related = ("indicator", "period", "organization", "partnership", "requested_by")
    search_fields = ("^indicator__code", "=period__label", "organization__name", "=code")
    search_help_text = "Indicator code, period label, organization name or the request's code."
    date_hierarchy = "due_date"
    actions = ("cancel_selected",)

    @admin.action(description="Cancel selected open requests")
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[DataRequest]) -> None:
        cancelled, refused = 0, []
        for data_request in queryset.filter(status=DataRequestStatus.OPEN):
            try:
                data_request_cancel(user=request.user, data_request=data_request)
            except (PermissionDenied, ValidationError):
                refused.append(data_request)
            else:
                cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} request(s).", messages.SUCCESS)
        if refused:
            names = ", ".join(f"{r.indicator.code} {r.period.label}" for r in refused)
            self.message_user(
                request,
                f"Could not cancel {len(refused)} request(s), whose data is already in: {names}.",
                messages.WARNING,
            )


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Uploaded files through their preview and commit, written by the import
    pages and tasks. The preview (which can be large) is left out; the file is
    named, not linked, as uploads are downloaded through the product only."""

    fields = (
        "code",
        "partnership",
        "user",
        "filename",
        "stored_as",
        "encoding",
        "status",
        "progress",
        "progress_message",
        "result",
        "error",
        "created_at",
        "finished_at",
    )
    readonly_fields = fields
    list_display = (
        "filename",
        "partnership",
        "user",
        "status",
        "progress",
        "created_at",
        "finished_at",
    )
    list_filter = ("partnership", "status")
    list_select_related = ("partnership", "user")
    search_fields = ("filename", "user__username", "=code")
    search_help_text = "File name, username of who uploaded it, or the import's code."
    date_hierarchy = "created_at"

    @admin.display(description="stored as")
    def stored_as(self, obj: ImportJob) -> str:
        return obj.file.name
