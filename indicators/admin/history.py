"""The audit trail of data points and what the trend engine computed: written
by the services and the engine only, so read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ..models import DataPointChange, DerivedPoint, EquityGap, Trend, TrendState
from .base import ReadOnlyAdmin, ReadOnlyMixin


def summarize_change(change: DataPointChange) -> str:
    """``value: 50 → 55; status: approved → draft``."""
    old, new = change.old or {}, change.new or {}
    names = [
        name for name in (*old, *(k for k in new if k not in old)) if old.get(name) != new.get(name)
    ]
    return "; ".join(f"{name}: {old.get(name, '—')} → {new.get(name, '—')}" for name in names)


class ChangeSummaryMixin:
    @admin.display(description="change")
    def summary(self, obj: DataPointChange) -> str:
        return summarize_change(obj)


class DataPointChangeInline(ChangeSummaryMixin, ReadOnlyMixin, admin.TabularInline):
    """A data point's history, newest first, on the data point's page."""

    model = DataPointChange
    fields = ("changed_at", "action", "changed_by", "summary", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-changed_at", "-id")
    verbose_name = "history entry"
    verbose_name_plural = "history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataPointChange]:
        return super().get_queryset(request).select_related("changed_by")


@admin.register(DataPointChange)
class DataPointChangeAdmin(ChangeSummaryMixin, ReadOnlyAdmin):
    """The audit trail: written by the data point services only."""

    list_display = (
        "changed_at",
        "action",
        "indicator",
        "period_label",
        "geography_code",
        "category_code",
        "changed_by",
        "summary",
        "comment",
    )
    list_filter = ("action", "indicator__partnership")
    list_select_related = ("indicator", "changed_by")
    search_fields = (
        "^indicator__code",
        "=period_label",
        "=geography_code",
        "=category_code",
        "=changed_by__username",
    )
    search_help_text = "Indicator code, period label, geography or category code, or username."
    show_full_result_count = False
    # Newest first by the primary key, which rises with changed_at and is
    # indexed; changed_at alone is not (its indexes lead with the point or the
    # indicator).
    ordering = ("-id",)


@admin.register(Trend)
class TrendAdmin(ReadOnlyAdmin):
    """What the trend engine computed; recompute trends to change them."""

    list_display = (
        "indicator",
        "geography",
        "category",
        "status",
        "n_points",
        "baseline_period",
        "baseline_value",
        "latest_period",
        "latest_value",
        "change",
        "on_track",
        "equity_gap",
        "n_derived",
        "is_stale",
        "computed_at",
        "partnership",
    )
    list_filter = ("partnership", "status", "on_track", "gap_trend")
    list_select_related = (
        "indicator",
        "partnership",
        "geography",
        "category__dimension",
        "baseline_period",
        "latest_period",
    )
    search_fields = ("^indicator__code", "^geography__code", "=category__code")
    show_full_result_count = False
    # The key's ids, served by trend_unique_geo_cat; the model's ordering would
    # sort by the indicator's own ordering through two joins.
    ordering = ("indicator_id", "geography_id", "category_id")

    @admin.display(description="stale", boolean=True)
    def is_stale(self, obj: Trend) -> bool:
        return obj.stale


@admin.register(DerivedPoint)
class DerivedPointAdmin(ReadOnlyAdmin):
    """Values the trend engine derived for geographies from their children."""

    list_display = (
        "indicator",
        "period",
        "geography",
        "category",
        "value",
        "numerator",
        "denominator",
        "n_children",
        "data_version",
    )
    list_filter = ("indicator__partnership", "period__kind")
    list_select_related = ("indicator", "period", "geography", "category__dimension")
    search_fields = ("^indicator__code", "=period__label", "^geography__code", "=category__code")
    show_full_result_count = False
    ordering = ("indicator_id", "period_id")


@admin.register(EquityGap)
class EquityGapAdmin(ReadOnlyAdmin):
    list_display = (
        "indicator",
        "geography",
        "dimension",
        "latest_period",
        "gap",
        "highest_category",
        "lowest_category",
        "baseline_period",
        "baseline_gap",
        "gap_trend",
    )
    list_filter = ("indicator__partnership", "gap_trend")
    list_select_related = (
        "indicator",
        "geography",
        "dimension",
        "latest_period",
        "baseline_period",
        "highest_category__dimension",
        "lowest_category__dimension",
    )
    search_fields = ("^indicator__code", "^geography__code", "=dimension__code")
    show_full_result_count = False
    ordering = ("indicator_id", "geography_id", "dimension_id")


@admin.register(TrendState)
class TrendStateAdmin(ReadOnlyAdmin):
    """The trend engine's book-keeping per indicator: what it last computed, and
    its last failure."""

    list_display = (
        "indicator",
        "computed_version",
        "computed_at",
        "duration_ms",
        "n_series",
        "failed_at",
        "last_error",
    )
    list_filter = ("indicator__partnership",)
    list_select_related = ("indicator",)
    search_fields = ("^indicator__code",)
