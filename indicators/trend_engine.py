"""The trend engine: reads an indicator's approved data, derives missing totals,
computes every series' trend and equity gaps, and replaces what was stored, all
in one transaction (a worker killed half-way leaves the previous results whole).

Called by the Celery tasks in ``tasks.py`` and by ``manage.py recompute_trends``.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import rollups, trends
from .models import (
    DataPoint,
    DataStatus,
    DerivedPoint,
    Direction,
    EquityGap,
    Geography,
    Indicator,
    IndicatorDimension,
    Period,
    Trend,
    TrendState,
    Unit,
)

log = logging.getLogger(__name__)

SeriesKey = tuple[int | None, int | None]  # (geography id, category id)


@dataclass(frozen=True)
class Outcome:
    indicator_id: int
    state: str  # "computed", "fresh" (nothing to do), "busy" (another worker has it), "missing"
    data_version: int = 0
    n_series: int = 0
    seconds: float = 0.0


@dataclass
class Tree:
    """A partnership's geography tree, read once per recompute run."""

    parent_of: dict[int, int | None]
    depth_of: dict[int, int]

    @classmethod
    def load(cls, partnership_id: int) -> Tree:
        rows = Geography.objects.filter(partnership_id=partnership_id).values_list(
            "id", "parent_id", "depth"
        )
        return cls({g: p for g, p, _ in rows}, {g: d for g, _, d in rows})


class PeriodCache:
    """Period id -> position in years, read as needed and kept for the run."""

    def __init__(self) -> None:
        self._x: dict[int, float] = {}

    def x(self, period_id: int) -> float:
        if period_id not in self._x:
            self.load([period_id])
        return self._x[period_id]

    def load(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self._x.keys()
        if missing:
            for pk, start in Period.objects.filter(pk__in=missing).values_list("id", "start"):
                self._x[pk] = trends.period_x(start)


def _read_reported(indicator_id: int) -> rollups.Series:
    reported: rollups.Series = defaultdict(dict)
    rows = DataPoint.objects.filter(
        indicator_id=indicator_id, status=DataStatus.APPROVED
    ).values_list("geography_id", "category_id", "period_id", "value", "numerator", "denominator")
    for geo, cat, period, value, num, den in rows.iterator(chunk_size=5000):
        reported[(geo, cat)][period] = rollups.Cell(value, num, den)
    return reported


def _rule(indicator: Indicator, periods: PeriodCache) -> trends.Rule:
    return trends.Rule(
        higher_is_better=indicator.direction == Direction.HIGHER_IS_BETTER,
        threshold=indicator.threshold or Decimal(0),
        baseline_period_id=indicator.baseline_period_id,
        target_value=indicator.target_value,
        target_x=periods.x(indicator.target_period_id) if indicator.target_period_id else None,
    )


def _dimensions_of(indicator_id: int) -> dict[int, list[int]]:
    """dimension id -> its category ids, in the order the indicator uses dimensions."""
    rows = (
        IndicatorDimension.objects.filter(indicator_id=indicator_id)
        .order_by("id")
        .values_list("dimension_id", "dimension__categories__id")
    )
    result: dict[int, list[int]] = {}
    for dim, cat in rows:
        result.setdefault(dim, [])
        if cat is not None:
            result[dim].append(cat)
    return result


def _gaps(
    indicator: Indicator,
    series: dict[SeriesKey, dict[int, rollups.Cell]],
    figures: dict[SeriesKey, trends.Figures],
    dimensions: dict[int, list[int]],
    version: int,
) -> list[EquityGap]:
    gaps = []
    for (geo, cat), fig in figures.items():
        if cat is not None or fig.latest_period_id is None:
            continue
        for dim, categories in dimensions.items():
            latest = {
                c: series[(geo, c)][fig.latest_period_id]
                for c in categories
                if fig.latest_period_id in series.get((geo, c), {})
            }
            baseline = {
                c: series[(geo, c)][fig.baseline_period_id]
                for c in categories
                if fig.baseline_period_id in series.get((geo, c), {})
            }
            gap = trends.equity_gap(
                {c: cell.value for c, cell in latest.items()},
                {c: cell.value for c, cell in baseline.items()},
            )
            if gap is None:
                continue
            gaps.append(
                EquityGap(
                    indicator=indicator,
                    geography_id=geo,
                    dimension_id=dim,
                    latest_period_id=fig.latest_period_id,
                    gap=gap.gap,
                    highest_category_id=gap.highest,
                    lowest_category_id=gap.lowest,
                    baseline_period_id=fig.baseline_period_id
                    if gap.baseline_gap is not None
                    else None,
                    baseline_gap=gap.baseline_gap,
                    gap_trend=gap.gap_trend,
                    data_version=version,
                )
            )
    return gaps


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def compute_indicator(
    indicator: Indicator, tree: Tree, periods: PeriodCache
) -> tuple[list[Trend], list[DerivedPoint], list[EquityGap]]:
    """Every trend, derived point and equity gap of one indicator (not saved)."""
    version = indicator.data_version
    reported = _read_reported(indicator.pk)
    derived = rollups.derive(
        reported,
        tree.parent_of,
        tree.depth_of,
        indicator.aggregation,
        is_percent=indicator.unit == Unit.PERCENT,
    )
    series: dict[SeriesKey, dict[int, rollups.Cell]] = {k: dict(v) for k, v in reported.items()}
    for key, cells in derived.items():
        series.setdefault(key, {}).update(cells)
    periods.load(p for cells in series.values() for p in cells)
    rule = _rule(indicator, periods)
    now = timezone.now()
    figures: dict[SeriesKey, trends.Figures] = {}
    trend_rows = []
    for key, cells in series.items():
        points = sorted(
            (trends.Point(p, periods.x(p), cell.value) for p, cell in cells.items()),
            key=lambda pt: pt.x,
        )
        fig = figures[key] = trends.compute(points, rule)
        trend_rows.append(
            Trend(
                partnership_id=indicator.partnership_id,
                indicator=indicator,
                geography_id=key[0],
                category_id=key[1],
                n_points=fig.n_points,
                n_derived=sum(1 for c in cells.values() if c.derived),
                baseline_period_id=fig.baseline_period_id,
                baseline_value=fig.baseline_value,
                latest_period_id=fig.latest_period_id,
                latest_value=fig.latest_value,
                change=fig.change,
                status=fig.status,
                slope=fig.slope,
                current_run=fig.current_run,
                progress_to_target=_as_float(fig.progress_to_target),
                projection=fig.projection,
                on_track=fig.on_track,
                computed_at=now,
                data_version=version,
            )
        )
    dimensions = _dimensions_of(indicator.pk)
    gaps = _gaps(indicator, series, figures, dimensions, version)
    _headline_gaps(trend_rows, gaps, list(dimensions))
    derived_rows = [
        DerivedPoint(
            indicator=indicator,
            geography_id=geo,
            category_id=cat,
            period_id=period,
            value=cell.value,
            numerator=cell.numerator,
            denominator=cell.denominator,
            n_children=cell.n_children,
            data_version=version,
        )
        for (geo, cat), cells in derived.items()
        for period, cell in cells.items()
    ]
    return trend_rows, derived_rows, gaps


def _headline_gaps(trend_rows: list[Trend], gaps: list[EquityGap], order: list[int]) -> None:
    """Each total series carries the gap of the indicator's first dimension that has one."""
    by_geo: dict[int | None, dict[int, EquityGap]] = defaultdict(dict)
    for gap in gaps:
        by_geo[gap.geography_id][gap.dimension_id] = gap
    for row in trend_rows:
        if row.category_id is not None:
            continue
        for dim in order:
            gap = by_geo.get(row.geography_id, {}).get(dim)
            if gap is not None:
                row.equity_gap = float(gap.gap)
                row.gap_trend = gap.gap_trend
                row.equity_dimension_id = dim
                break


def _write(indicator: Indicator, rows: tuple[list, list, list]) -> None:
    trend_rows, derived_rows, gaps = rows
    Trend.objects.filter(indicator=indicator).delete()
    DerivedPoint.objects.filter(indicator=indicator).delete()
    EquityGap.objects.filter(indicator=indicator).delete()
    Trend.objects.bulk_create(trend_rows, batch_size=2000)
    DerivedPoint.objects.bulk_create(derived_rows, batch_size=2000)
    EquityGap.objects.bulk_create(gaps, batch_size=2000)


def recompute_indicator(
    indicator_id: int,
    *,
    force: bool = False,
    tree: Tree | None = None,
    periods: PeriodCache | None = None,
) -> Outcome:
    """Recompute one indicator's trends if its approved data changed since the last
    run (or always, with ``force``). Safe to call twice, or from two workers at once."""
    started = time.monotonic()
    # Taking the request first, in its own short transaction: a change committed
    # after this point queues a fresh run rather than being lost.
    Indicator.objects.filter(pk=indicator_id).update(recompute_requested_at=None)
    TrendState.objects.get_or_create(indicator_id=indicator_id)
    with transaction.atomic():
        state = (
            TrendState.objects.select_for_update(skip_locked=True)
            .filter(indicator_id=indicator_id)
            .first()
        )
        if state is None:
            return Outcome(indicator_id, "busy")
        indicator = (
            Indicator.objects.select_related("baseline_period", "target_period")
            .filter(pk=indicator_id)
            .first()
        )
        if indicator is None:
            return Outcome(indicator_id, "missing")
        if not force and state.computed_version >= indicator.data_version and state.computed_at:
            return Outcome(indicator_id, "fresh", indicator.data_version)
        rows = compute_indicator(
            indicator,
            tree or Tree.load(indicator.partnership_id),
            periods or PeriodCache(),
        )
        _write(indicator, rows)
        state.computed_version = indicator.data_version
        state.computed_at = timezone.now()
        state.duration_ms = int((time.monotonic() - started) * 1000)
        state.n_series = len(rows[0])
        state.last_error = ""
        state.failed_at = None
        state.save()
    return Outcome(
        indicator_id,
        "computed",
        indicator.data_version,
        len(rows[0]),
        time.monotonic() - started,
    )


def recompute_many(
    indicators: Iterable[Indicator],
    *,
    force: bool = True,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Recompute several indicators in this process, sharing tree and period reads."""
    trees: dict[int, Tree] = {}
    periods = PeriodCache()
    outcomes = []
    for indicator in indicators:
        if indicator.partnership_id not in trees:
            trees[indicator.partnership_id] = Tree.load(indicator.partnership_id)
        outcome = recompute_indicator(
            indicator.pk, force=force, tree=trees[indicator.partnership_id], periods=periods
        )
        outcomes.append(outcome)
        if progress:
            progress(outcome)
    return outcomes


def record_failure(indicator_id: int, error: str) -> None:
    """A recompute failed for good: keep the reason where staff can see it."""
    TrendState.objects.update_or_create(
        indicator_id=indicator_id,
        defaults={"last_error": error[:4000], "failed_at": timezone.now()},
    )
    log.error("Trend recompute of indicator %s failed: %s", indicator_id, error)
