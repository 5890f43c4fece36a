"""Admin for public report cards and progress reports (superusers only).

A report card is changed through ``report_card_save``, as on the partnership's
settings page, so every change is versioned and recorded; that record, and the
progress reports (built by a background task), are read-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from indicators.admin.base import ReadOnlyAdmin, ServiceErrorsMixin
from indicators.admin.history import ChangeSummaryMixin
from outcomes.models import OutcomeArea
from partnership.admin import FixedOnChangeMixin

from .models import PublicReportCard, PublicReportCardEvent, Report
from .report_card import report_card_save

# --- the public report card ----------------------------------------------------


class PublicReportCardForm(forms.ModelForm):
    """Checks what ``report_card_save`` would refuse: a card changed since the
    editor opened it, an outcome area of another partnership (only the card's
    partnership's areas are offered)."""

    # The version the editor loaded; a save based on an older one is a conflict.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = PublicReportCard
        fields = ("partnership", "enabled", "title", "intro", "outcome_areas", "version")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "outcome_areas" in self.fields and self.instance.pk:
            self.fields["outcome_areas"].queryset = OutcomeArea.objects.filter(
                partnership_id=self.instance.partnership_id
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        card = self.instance
        if not card._state.adding and cleaned.get("version") != card.version:
            raise ValidationError(
                "Someone changed the report card since you opened this page. "
                "Reload to see their changes, then make yours again."
            )
        return cleaned


@admin.register(PublicReportCard)
class PublicReportCardAdmin(ServiceErrorsMixin, FixedOnChangeMixin, admin.ModelAdmin):
    """Switching a card on or off and editing it go through the service, which
    records the change. A card is switched off, never deleted."""

    form = PublicReportCardForm
    list_display = (
        "partnership",
        "enabled",
        "title",
        "published_at",
        "version",
        "updated_at",
        "updated_by",
        "public_page",
    )
    list_filter = ("enabled", "published_at")
    list_select_related = ("partnership", "updated_by")
    search_fields = ("partnership__name", "partnership__slug", "title")
    search_help_text = "Partnership name or slug, or the card's title."
    autocomplete_fields = ("partnership",)
    readonly_fields = ("published_at", "updated_at", "updated_by")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            # The outcome areas are chosen among the partnership's, once the
            # card exists; a new card shows every area.
            return ("partnership", "enabled", "title", "intro", "version")
        return (
            "partnership",
            "enabled",
            "title",
            "intro",
            "outcome_areas",
            "version",
            ("published_at", "updated_at", "updated_by"),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="public page")
    def public_page(self, obj: PublicReportCard) -> str:
        if not obj.enabled:
            return "—"
        url = reverse("public_report_card", args=[obj.partnership.slug])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(
        self, request: HttpRequest, obj: PublicReportCard, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        card = report_card_save(
            user=request.user,
            partnership=obj.partnership,
            expected_version=data["version"] if change else 0,
            enabled=data["enabled"],
            title=data["title"],
            intro=data["intro"],
            outcome_areas=data.get("outcome_areas", ()),
        )
        # The admin goes on with ``obj`` (its log entry, its redirect).
        obj.pk, obj.version = card.pk, card.version
        obj._state.adding, obj._state.db = False, card._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # ``report_card_save`` has set the outcome areas (and recorded them).
        pass


@admin.register(PublicReportCardEvent)
class PublicReportCardEventAdmin(ChangeSummaryMixin, ReadOnlyAdmin):
    """Every change to a public report card: written by ``report_card_save`` only."""

    list_display = ("changed_at", "action", "partnership", "changed_by", "summary")
    list_filter = ("partnership", "action")
    list_select_related = ("partnership", "changed_by")
    search_fields = ("partnership__name", "=changed_by__username")
    search_help_text = "Partnership name or the username of who changed it."
    date_hierarchy = "changed_at"


# --- progress reports ------------------------------------------------------------


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Progress reports, asked for on the reports page and built by a background
    task. The file is named, not linked: it is downloaded through the product,
    which checks who may see it."""

    fields = (
        "code",
        "partnership",
        ("format", "status"),
        "scope_label",
        "outcome_areas",
        ("period_from", "period_to", "disaggregate"),
        ("progress", "progress_message"),
        ("stored_as", "file_size", "indicator_count"),
        "error",
        ("created_by", "created_at"),
        ("started_at", "finished_at"),
    )
    readonly_fields = (
        "code",
        "partnership",
        "format",
        "status",
        "scope_label",
        "outcome_areas",
        "period_from",
        "period_to",
        "disaggregate",
        "progress",
        "progress_message",
        "stored_as",
        "file_size",
        "indicator_count",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    list_display = (
        "created_at",
        "partnership",
        "format",
        "scope_label",
        "status",
        "progress",
        "indicator_count",
        "file_size",
        "created_by",
        "finished_at",
    )
    list_filter = ("partnership", "status", "format", "disaggregate")
    list_select_related = ("partnership", "created_by")
    search_fields = ("scope_label", "=created_by__username", "=code")
    search_help_text = "Scope (outcome area names), username of who asked, or the report's code."
    date_hierarchy = "created_at"

    @admin.display(description="stored as")
    def stored_as(self, obj: Report) -> str:
        return obj.file.name or "—"

    @admin.display(description="size", ordering="size")
    def file_size(self, obj: Report) -> str:
        return filesizeformat(obj.size) if obj.size else "—"
