"""Reads about indicators and their data, scoped to one partnership."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from outcomes.models import OutcomeArea
from partnership.models import Partnership

from .models import DataPoint, DataStatus, Indicator, Trend


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


STATUSES = ("improving", "worsening", "no_change", "insufficient_data")


def _counts() -> dict[str, int]:
    return {"total": 0, **dict.fromkeys(STATUSES, 0)}


def scorecard(*, partnership: Partnership) -> dict:
    """Counts of indicators by the status of their headline series (partnership-wide
    total), for the partnership and per outcome area in continuum order. An indicator
    without a headline trend counts as insufficient data. One query."""
    headline = Trend.objects.filter(
        indicator=OuterRef("pk"), geography__isnull=True, category__isnull=True
    ).values("status")[:1]
    rows = (
        Indicator.objects.filter(partnership=partnership)
        .annotate(headline_status=Subquery(headline))
        .values_list("outcome_area__slug", "outcome_area__name", "outcome_area__order")
        .annotate(status=F("headline_status"))
        .order_by("outcome_area__order")
    )
    result = _counts()
    areas: dict[str, dict] = {}
    for slug, name, _order, status in rows:
        area = areas.setdefault(slug, {"slug": slug, "name": name, **_counts()})
        status = status or "insufficient_data"
        for bucket in (result, area):
            bucket["total"] += 1
            bucket[status] += 1
    result["outcome_areas"] = list(areas.values())
    return result


def trend_freshness(*, partnership: Partnership) -> dict:
    """When data and trends last changed, and how many indicators' trends are behind
    their data. Two queries."""
    latest_data = DataPoint.objects.filter(
        indicator__partnership=partnership, status=DataStatus.APPROVED
    ).aggregate(latest=Max("updated_at"))["latest"]
    states = Indicator.objects.filter(partnership=partnership).aggregate(
        last_recompute=Max("trend_state__computed_at"),
        stale=Count(
            "pk",
            filter=Q(trend_state__isnull=True, data_version__gt=0)
            | Q(trend_state__computed_version__lt=F("data_version")),
        ),
    )
    return {"latest_data": latest_data, **states}
