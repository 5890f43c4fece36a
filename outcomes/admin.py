"""Admin for outcome areas, action networks, activities, meetings and funding
(superusers only; backbone staff use the product's own pages, which keep history)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from indicators.models import Indicator
from partnership.admin import FixedOnChangeMixin, count_of

from .models import (
    ActionItem,
    ActionNetwork,
    Activity,
    Decision,
    FundingCommitment,
    Meeting,
    OutcomeArea,
    OutcomeChange,
)


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


@admin.register(ActionNetwork)
class ActionNetworkAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    list_display = ("name", "partnership", "outcome_area", "lead_organization")
    list_filter = ("partnership",)
    search_fields = ("name", "slug", "partnership__name")
    autocomplete_fields = ("partnership", "lead_organization", "lead_person", "members")
    list_select_related = ("partnership", "outcome_area", "lead_organization")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Activity)
class ActivityAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    list_display = ("title", "partnership", "organization", "status", "start_date", "end_date")
    list_filter = ("partnership", "status")
    search_fields = ("title", "organization__name", "partnership__name")
    autocomplete_fields = ("partnership", "organization", "indicators")
    list_select_related = ("partnership", "organization")
    date_hierarchy = "start_date"


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ("text", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fields = ("description", "owner_user", "owner_organization", "due_date", "status")
    autocomplete_fields = ("owner_user", "owner_organization")


@admin.register(Meeting)
class MeetingAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    list_display = ("title", "partnership", "network", "starts_at", "location")
    list_filter = ("partnership",)
    search_fields = ("title", "location", "partnership__name")
    autocomplete_fields = ("partnership", "attending_organizations")
    list_select_related = ("partnership", "network")
    date_hierarchy = "starts_at"
    inlines = [DecisionInline, ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = (
        "description",
        "meeting",
        "owner_user",
        "owner_organization",
        "due_date",
        "status",
    )
    list_filter = ("status", "meeting__partnership")
    search_fields = ("description", "meeting__title")
    autocomplete_fields = ("owner_user", "owner_organization")
    list_select_related = ("meeting", "owner_user", "owner_organization")
    readonly_fields = ("meeting", "closed_at", "closed_by")


@admin.register(FundingCommitment)
class FundingCommitmentAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    list_display = (
        "funder",
        "partnership",
        "amount",
        "currency",
        "start_year",
        "end_year",
        "purpose",
    )
    list_filter = ("partnership", "purpose", "currency")
    search_fields = ("funder__name", "partnership__name", "note")
    autocomplete_fields = ("partnership", "funder")
    list_select_related = ("partnership", "funder")


@admin.register(OutcomeChange)
class OutcomeChangeAdmin(admin.ModelAdmin):
    """History is written by the services and never edited."""

    list_display = ("changed_at", "partnership", "subject", "label", "action", "changed_by")
    list_filter = ("partnership", "subject", "action")
    search_fields = ("label",)
    list_select_related = ("partnership", "changed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
