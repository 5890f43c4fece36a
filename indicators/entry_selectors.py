"""Reads for the data entry pages: which indicators a user may enter, the entry
grid of one indicator, the approval queue with its outlier flags, and history.

Every function runs a fixed number of queries, whatever the amount of data.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from outcomes.models import OutcomeArea
from partnership.models import Partnership
from partnership.permissions import Action, allowed_filter, can_somewhere

from .models import (
    Category,
    DataPoint,
    DataPointChange,
    DataStatus,
    Dimension,
    Geography,
    Indicator,
    PeriodLock,
)
from .periods import PeriodSpan, parse_period, period_containing, periods_between

# --- which indicators a user may enter -------------------------------------


def enterable_indicators(*, user: Any, partnership: Partnership) -> QuerySet[Indicator]:
    """The partnership's indicators the user may enter data for: all of them for
    backbone staff and superusers, their organization's for a data steward, none
    for anyone else."""
    return Indicator.objects.filter(partnership=partnership).filter(
        allowed_filter(user, Action.ENTER_DATA, partnership, organization="steward")
    )


def may_enter_some_data(*, user: Any, partnership: Partnership) -> bool:
    """Whether the user may enter data for some indicator here (no query beyond
    the cached memberships): backbone staff, superusers and data stewards."""
    return can_somewhere(user, Action.ENTER_DATA, partnership)


@dataclass
class AreaIndicators:
    outcome_area: OutcomeArea
    indicators: list[Indicator] = field(default_factory=list)


def data_home(*, user: Any, partnership: Partnership) -> list[AreaIndicators]:
    """The indicators the user may enter, grouped by outcome area in continuum
    order, each annotated with its number of draft, submitted, returned and
    approved points. Two queries."""
    counts = {
        f"n_{status}": Count("data_points", filter=Q(data_points__status=status))
        for status in DataStatus.values
    }
    indicators = (
        enterable_indicators(user=user, partnership=partnership)
        .select_related("outcome_area", "steward")
        .annotate(**counts)
        .order_by("outcome_area__order", "code")
    )
    areas: dict[int, AreaIndicators] = {}
    for indicator in indicators:
        area = areas.setdefault(indicator.outcome_area_id, AreaIndicators(indicator.outcome_area))
        area.indicators.append(indicator)
    return list(areas.values())


# --- the entry grid ----------------------------------------------------------

# The grid shows at most this many periods at once; older ones are a click away.
MAX_GRID_PERIODS = 24
# Without data or a baseline, the grid starts this many periods before today's.
DEFAULT_PERIODS = 3


def grid_periods(
    *,
    indicator: Indicator,
    first_label: str = "",
    last_label: str = "",
    today: date | None = None,
) -> list[PeriodSpan]:
    """The grid's columns: from the earliest period with data (or the baseline,
    if earlier) to the current period (or the latest with data, if later);
    ``first_label``/``last_label`` widen or narrow that range. One query."""
    kind = indicator.period_kind
    current = period_containing(today or timezone.localdate(), kind)
    bounds = indicator.data_points.aggregate(first=Min("period__start"), last=Max("period__start"))
    first = period_containing(bounds["first"], kind) if bounds["first"] else None
    if indicator.baseline_period_id is not None:
        baseline = parse_period(indicator.baseline_period.label, kind)
        first = min(first, baseline) if first else baseline
    last = max(current, period_containing(bounds["last"], kind)) if bounds["last"] else current
    first = _label_or(first_label, kind, first)
    last = _label_or(last_label, kind, last)
    if first is None:
        first = last
        for _ in range(DEFAULT_PERIODS - 1):
            first = previous_period(first)
    if first > last:
        first, last = last, first
    spans = periods_between(first, last)
    if len(spans) > MAX_GRID_PERIODS:
        spans = spans[-MAX_GRID_PERIODS:] if not first_label else spans[:MAX_GRID_PERIODS]
    return spans


def _label_or(label: str, kind: str, default: PeriodSpan | None) -> PeriodSpan | None:
    if not label:
        return default
    try:
        return parse_period(label, kind)
    except ValueError:
        return default


def previous_period(span: PeriodSpan) -> PeriodSpan:
    from datetime import timedelta

    return period_containing(span.start - timedelta(days=1), span.kind)


@dataclass
class GridRow:
    geography: Geography | None  # None: partnership-wide
    code: str
    name: str
    depth: int


@dataclass
class Grid:
    indicator: Indicator
    periods: list[PeriodSpan]
    rows: list[GridRow]
    dimensions: list[Dimension]
    category: Category | None
    points: dict[tuple[str, str], DataPoint]  # (period label, geography code)
    locked: dict[str, PeriodLock]  # period label -> its lock

    def cells(self) -> list[tuple[GridRow, list[tuple[PeriodSpan, DataPoint | None, Any]]]]:
        """Rows, each with its (period, data point or None, lock or None) cells."""
        return [
            (
                row,
                [
                    (span, self.points.get((span.label, row.code)), self.locked.get(span.label))
                    for span in self.periods
                ],
            )
            for row in self.rows
        ]


def indicator_dimensions(*, indicator: Indicator) -> list[Dimension]:
    """The dimensions the indicator is disaggregated by, with their categories. Two queries."""
    return list(indicator.dimensions.order_by("name").prefetch_related("categories"))


def entry_grid(
    *,
    indicator: Indicator,
    periods: list[PeriodSpan],
    dimensions: list[Dimension],
    category: Category | None,
) -> Grid:
    """The points of one indicator and category (None: the total) for the given
    periods, by partnership-wide first and then each geography in tree order.
    Three queries."""
    geographies = Geography.objects.filter(partnership_id=indicator.partnership_id).order_by("path")
    rows = [GridRow(None, "", "Partnership-wide", 0)] + [
        GridRow(g, g.code, g.name, g.depth + 1) for g in geographies
    ]
    points = DataPoint.objects.filter(
        indicator=indicator,
        period__kind=indicator.period_kind,
        period__start__gte=periods[0].start,
        period__start__lte=periods[-1].start,
    ).select_related("period", "geography", "updated_by")
    points = points.filter(category=category) if category else points.filter(category__isnull=True)
    locks = PeriodLock.objects.filter(
        partnership_id=indicator.partnership_id,
        period__kind=indicator.period_kind,
        period__label__in=[span.label for span in periods],
    ).select_related("period", "locked_by")
    return Grid(
        indicator=indicator,
        periods=periods,
        rows=rows,
        dimensions=dimensions,
        category=category,
        points={(p.period.label, p.geography.code if p.geography_id else ""): p for p in points},
        locked={lock.period.label: lock for lock in locks},
    )


# --- the approval queue ------------------------------------------------------


def approval_queue(
    *, partnership: Partnership, indicator: str = "", organization: str = "", period: str = ""
) -> QuerySet[DataPoint]:
    """The partnership's submitted points, oldest submission first, optionally
    filtered by indicator code, steward organization slug and period label."""
    points = DataPoint.objects.filter(
        indicator__partnership=partnership, status=DataStatus.SUBMITTED
    )
    if indicator:
        points = points.filter(indicator__code=indicator)
    if organization:
        points = points.filter(indicator__steward__slug=organization)
    if period:
        points = points.filter(period__label=period)
    return points.select_related(
        "indicator", "indicator__steward", "period", "geography", "category", "updated_by"
    ).order_by("updated_at", "id")


# A value this many standard deviations from its series' history is flagged.
OUTLIER_SIGMAS = 3
# A series needs this many approved values before a deviation means anything.
MIN_HISTORY = 3


def outlier_flags(points: list[DataPoint]) -> dict[int, list[str]]:
    """Why each point looks unusual, by point id: outside its indicator's expected
    range, or more than three standard deviations from the other approved values
    of its series (same indicator, geography and category; at least three of
    them). One query for the whole list, however long."""
    series_filter = Q()
    for point in points:
        series_filter |= Q(
            indicator_id=point.indicator_id,
            geography_id=point.geography_id,
            category_id=point.category_id,
        )
    history: dict[tuple, list[Decimal]] = {}
    if points:
        rows = (
            DataPoint.objects.filter(series_filter, status=DataStatus.APPROVED)
            .exclude(pk__in=[p.pk for p in points])
            .values_list("indicator_id", "geography_id", "category_id", "value")
        )
        for indicator_id, geography_id, category_id, value in rows:
            history.setdefault((indicator_id, geography_id, category_id), []).append(value)
    flags: dict[int, list[str]] = {}
    for point in points:
        found = _range_flags(point)
        values = history.get((point.indicator_id, point.geography_id, point.category_id), [])
        if len(values) >= MIN_HISTORY:
            mean = statistics.fmean(values)
            sd = statistics.stdev(values)
            distance = abs(float(point.value) - mean)
            if (sd == 0 and distance > 0) or (sd > 0 and distance > OUTLIER_SIGMAS * sd):
                found.append(
                    f"{OUTLIER_SIGMAS}+ standard deviations from its history "
                    f"(mean {mean:.4g} of {len(values)} approved values)"
                )
        if found:
            flags[point.pk] = found
    return flags


def _range_flags(point: DataPoint) -> list[str]:
    indicator = point.indicator
    if indicator.expected_min is not None and point.value < indicator.expected_min:
        return [f"below the expected minimum {indicator.expected_min.normalize():f}"]
    if indicator.expected_max is not None and point.value > indicator.expected_max:
        return [f"above the expected maximum {indicator.expected_max.normalize():f}"]
    return []


# --- history -----------------------------------------------------------------


def indicator_history(*, indicator: Indicator) -> QuerySet[DataPointChange]:
    """Every change to the indicator's data points, newest first, including those
    of points deleted since."""
    return (
        DataPointChange.objects.filter(indicator=indicator)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def datapoint_history(*, point: DataPoint) -> QuerySet[DataPointChange]:
    return (
        DataPointChange.objects.filter(data_point=point)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )
