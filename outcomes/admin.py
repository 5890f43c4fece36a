"""Admin for outcome areas (superusers only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from indicators.models import Indicator
from partnership.admin import FixedOnChangeMixin, count_of

from .models import OutcomeArea


@admin.register(OutcomeArea)
class OutcomeAreaAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    list_display = ("name", "partnership", "order", "slug", "indicator_count")
    list_display_links = ("name",)
    list_filter = ("partnership",)
    search_fields = ("name", "slug", "partnership__name")
    autocomplete_fields = ("partnership",)
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("partnership__name", "order")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutcomeArea]:
        qs = super().get_queryset(request).select_related("partnership")
        return qs.annotate(n_indicators=count_of(Indicator, "outcome_area"))

    @admin.display(description="Indicators", ordering="n_indicators")
    def indicator_count(self, obj: OutcomeArea) -> int:
        return obj.n_indicators
