"""Reads about indicators and their data, scoped to one partnership."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from outcomes.models import OutcomeArea
from partnership.models import Partnership
from partnership.permissions import Action, allowed_filter

from .models import DataPoint, DataStatus, DerivedPoint, Indicator, Trend


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


def recompute_state(*, partnership: Partnership) -> dict[str, Any]:
    """When trends were last computed (``last_recompute``) and how many indicators'
    trends are behind their data (``stale``). One query over the indicators."""
    return Indicator.objects.filter(partnership=partnership).aggregate(
        last_recompute=Max("trend_state__computed_at"),
        stale=Count(
            "pk",
            filter=Q(trend_state__isnull=True, data_version__gt=0)
            | Q(trend_state__computed_version__lt=F("data_version")),
        ),
    )


def trend_freshness(*, partnership: Partnership) -> dict:
    """When approved data last changed, plus ``recompute_state``. Two queries; the
    latest change walks the index on ``updated_at`` backwards and stops at the first
    approved point of the partnership (an aggregate MAX would read every point)."""
    latest_data = (
        DataPoint.objects.filter(indicator__partnership=partnership, status=DataStatus.APPROVED)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return {"latest_data": latest_data, **recompute_state(partnership=partnership)}


def datapoints_visible_to(*, user: Any, partnership: Partnership) -> QuerySet[DataPoint]:
    """The partnership's data points this user may read: everything for backbone
    staff, approved data plus their own indicators' drafts for data stewards,
    approved data for everyone else."""
    unapproved = allowed_filter(
        user, Action.VIEW_UNAPPROVED_DATA, partnership, organization="indicator__steward"
    )
    return DataPoint.objects.filter(indicator__partnership=partnership).filter(
        Q(status=DataStatus.APPROVED) | unapproved
    )


def trend_denominators(*, trends: Sequence[Trend]) -> dict[int, list[Decimal | None]]:
    """The denominators under each trend's baseline and latest values, by trend id:
    the approved reported point, else the point derived from child geographies.
    Two queries, whatever the number of trends."""
    if not trends:
        return {}
    geographies = {t.geography_id for t in trends}
    in_geographies = Q(geography_id__in=geographies - {None})
    if None in geographies:
        in_geographies |= Q(geography__isnull=True)
    where = in_geographies & Q(
        indicator_id__in={t.indicator_id for t in trends},
        period_id__in={p for t in trends for p in (t.baseline_period_id, t.latest_period_id)},
    )
    found: dict[tuple, Decimal | None] = {}
    for rows in (  # reported values win over derived ones: read them last
        DerivedPoint.objects.filter(where),
        DataPoint.objects.filter(where, status=DataStatus.APPROVED),
    ):
        for *key, denominator in rows.values_list(
            "indicator_id", "period_id", "geography_id", "category_id", "denominator"
        ):
            found[tuple(key)] = denominator
    return {
        t.pk: [
            found.get((t.indicator_id, period, t.geography_id, t.category_id))
            for period in (t.baseline_period_id, t.latest_period_id)
        ]
        for t in trends
    }
