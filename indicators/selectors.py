"""Reads about indicators and their data, scoped to one partnership."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Q, Subquery

from outcomes.models import OutcomeArea
from partnership.models import Partnership

from .models import DataPoint, DataStatus, Indicator


@dataclass
class OutcomeAreaCatalogue:
    outcome_area: OutcomeArea
    indicators: list[Indicator] = field(default_factory=list)


def indicator_catalogue(*, partnership: Partnership) -> list[OutcomeAreaCatalogue]:
    """The partnership's outcome areas in continuum order, each with its indicators,
    their steward and how much approved data they hold (``approved_points``, and the
    start and label of the latest approved period). Two queries, whatever the size."""
    latest_approved = (
        DataPoint.objects.filter(indicator=OuterRef("pk"), status=DataStatus.APPROVED)
        .order_by("-period__start")
        .values("period__label")[:1]
    )
    areas = {
        area.pk: OutcomeAreaCatalogue(area)
        for area in OutcomeArea.objects.filter(partnership=partnership).order_by("order")
    }
    indicators = (
        Indicator.objects.filter(partnership=partnership)
        .select_related("steward", "baseline_period", "target_period")
        .annotate(
            approved_points=Count("data_points", filter=Q(data_points__status=DataStatus.APPROVED)),
            latest_period_start=Max(
                "data_points__period__start",
                filter=Q(data_points__status=DataStatus.APPROVED),
            ),
            latest_period_label=Subquery(latest_approved),
        )
        .order_by("code")
    )
    for indicator in indicators:
        areas[indicator.outcome_area_id].indicators.append(indicator)
    return list(areas.values())
