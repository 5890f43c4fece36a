"""FilterSets of the API: only the filters listed here exist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from .models import DataPoint, DataStatus, Geography, Indicator, Trend, TrendStatus
from .periods import PeriodError, parse_period


class _PartnershipFilterSet(filters.FilterSet):
    indicator = filters.CharFilter(field_name="indicator__code", help_text="Indicator code.")
    outcome_area = filters.CharFilter(
        field_name="indicator__outcome_area__slug", help_text="Outcome area slug."
    )
    category = filters.CharFilter(field_name="category__code", help_text="Category code.")

    def _geographies(self, code: str) -> QuerySet[Geography]:
        partnership = self.request.parser_context["view"].partnership
        return Geography.objects.filter(partnership=partnership, code=code)


class DataPointFilter(_PartnershipFilterSet):
    geography = filters.CharFilter(
        method="filter_geography", help_text="Geography code; includes its descendants."
    )
    period_from = filters.CharFilter(
        method="filter_period_from", help_text="Periods starting on or after this one's start."
    )
    period_to = filters.CharFilter(
        method="filter_period_to", help_text="Periods starting on or before this one's start."
    )
    status = filters.ChoiceFilter(choices=DataStatus.choices)
    updated_since = filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Points changed at or after this ISO 8601 time (with a time zone offset).",
    )

    class Meta:
        model = DataPoint
        fields: list[str] = []

    def filter_updated_since(self, queryset: QuerySet, name: str, value: datetime) -> QuerySet:
        # In UTC: Python accepts offsets up to 24 hours, PostgreSQL only up to 16.
        try:
            since = value.astimezone(UTC) if value.tzinfo else value
        except OverflowError:
            raise ValidationError({name: "This time is out of range."}) from None
        return queryset.filter(updated_at__gte=since)

    def filter_geography(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        root = self._geographies(value).values_list("path", flat=True).first()
        if root is None:
            return queryset.none()
        return queryset.filter(geography__path__startswith=root)

    def _start(self, name: str, label: str) -> Any:
        try:
            return parse_period(label).start
        except PeriodError as exc:
            raise ValidationError({name: str(exc)}) from None

    def filter_period_from(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(period__start__gte=self._start(name, value))

    def filter_period_to(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(period__start__lte=self._start(name, value))


class TrendFilter(_PartnershipFilterSet):
    geography = filters.CharFilter(field_name="geography__code", help_text="Geography code.")
    status = filters.ChoiceFilter(choices=TrendStatus.choices)

    class Meta:
        model = Trend
        fields: list[str] = []


class IndicatorFilter(filters.FilterSet):
    outcome_area = filters.CharFilter(field_name="outcome_area__slug")
    steward = filters.CharFilter(field_name="steward__slug")
    kind = filters.ChoiceFilter(choices=Indicator._meta.get_field("kind").choices)

    class Meta:
        model = Indicator
        fields: list[str] = []
