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
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import bulk, rollups, trends
from .models import (
    Aggregation,
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
    TrendRequest,
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

    def positions(self, ids: set[int]) -> dict[int, float]:
        """Period id -> position in years, for these periods."""
        self.load(ids)
        return {pk: self._x[pk] for pk in ids}

    def load(self, ids: Iterable[int]) -> None:
        missing = set(ids) - self._x.keys()
        if missing:
            for pk, start in Period.objects.filter(pk__in=missing).values_list("id", "start"):
                self._x[pk] = trends.period_x(start)


def _read_reported(indicator_id: int, *, ratios: bool = True) -> rollups.Series:
    """The indicator's approved values by series and period, in one plain query;
    without ``ratios``, not their numerators and denominators (nothing derived
    from them needs them)."""
    reported: rollups.Series = defaultdict(dict)
    cell = rollups.Cell
    parts = "numerator, denominator" if ratios else "NULL, NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT geography_id, category_id, period_id, value, {parts} "
            f"FROM {DataPoint._meta.db_table} WHERE indicator_id = %s AND status = %s",
            [indicator_id, DataStatus.APPROVED],
        )
        rows = cursor.fetchall()
    if connection.vendor != "postgresql":
        decimal = _decimal_reader()
        rows = [
            (
                g,
                c,
                p,
                decimal(v),
                None if n is None else decimal(n),
                None if d is None else decimal(d),
            )
            for g, c, p, v, n, d in rows
        ]
    for geo, cat, period, value, num, den in rows:
        reported[(geo, cat)][period] = cell(value, num, den)
    return reported


def _decimal_reader() -> Callable[[Any], Decimal]:
    """PostgreSQL hands numerics over as Decimal already; SQLite may give floats or
    ints, read through their shortest text so 48.5 stays exactly 48.5."""
    if connection.vendor == "postgresql":
        return lambda v: v
    return lambda v: v if isinstance(v, Decimal) else Decimal(str(v))


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


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


TREND_COLUMNS = (
    "partnership_id", "indicator_id", "geography_id", "category_id", "n_points", "n_derived",
    "baseline_period_id", "baseline_value", "latest_period_id", "latest_value", "change",
    "status", "slope", "current_run", "progress_to_target", "projection", "on_track",
    "equity_gap", "gap_trend", "equity_dimension_id", "computed_at", "data_version",
)  # fmt: skip
DERIVED_COLUMNS = (
    "indicator_id", "geography_id", "category_id", "period_id", "value", "numerator",
    "denominator", "n_children", "data_version",
)  # fmt: skip
GAP_COLUMNS = (
    "indicator_id", "geography_id", "dimension_id", "latest_period_id", "gap",
    "highest_category_id", "lowest_category_id", "baseline_period_id", "baseline_gap",
    "gap_trend", "data_version",
)  # fmt: skip


@dataclass
class Scope:
    """What a partial recompute replaces: the trends of these series, the derived
    points of these series, the equity gaps of these geographies."""

    trend_keys: set[SeriesKey]
    derived_keys: set[SeriesKey]
    gap_geographies: set[int | None]


@dataclass
class Computed:
    """One indicator's results as rows ready to insert (see the *_COLUMNS above);
    ``scope`` None means every row of the indicator is replaced."""

    trends: list[tuple]
    derived: list[tuple]
    gaps: list[tuple]
    scope: Scope | None = None


def _read_derived(indicator_id: int) -> rollups.Series:
    """The derived values stored by the previous run."""
    stored: rollups.Series = defaultdict(dict)
    decimal = _decimal_reader()
    rows = DerivedPoint.objects.filter(indicator_id=indicator_id).values_list(
        "geography_id", "category_id", "period_id", "value", "numerator", "denominator"
    )
    for geo, cat, period, value, num, den in rows:
        stored[(geo, cat)][period] = (
            decimal(value),
            None if num is None else decimal(num),
            None if den is None else decimal(den),
        )
    return stored


def _scope(changed: set[SeriesKey], derived: rollups.Series, indicator_id: int) -> Scope:
    """The series a change reaches: the changed series themselves, every derived
    series whose values differ from the stored ones (the roll-ups above them), and
    the total series of each geography involved (their equity gaps)."""
    stored = _read_derived(indicator_id)
    moved = {
        key
        for key in stored.keys() | derived.keys()
        if stored.get(key, {})
        != {p: (c.value, c.numerator, c.denominator) for p, c in derived.get(key, {}).items()}
    }
    affected = changed | moved
    geographies = {geo for geo, _cat in affected}
    return Scope(affected | {(geo, None) for geo in geographies}, moved, geographies)


def compute_indicator(
    indicator: Indicator,
    tree: Tree,
    periods: PeriodCache,
    changed: set[SeriesKey] | None = None,
) -> Computed:
    """The trends, derived points and equity gaps of one indicator (not saved):
    all of them, or with ``changed`` only those the changed series reach."""
    version = indicator.data_version
    # Only roll-ups use numerators and denominators: none for "not aggregatable".
    reported = _read_reported(indicator.pk, ratios=indicator.aggregation != Aggregation.NONE)
    derived = rollups.derive(
        reported,
        tree.parent_of,
        tree.depth_of,
        indicator.aggregation,
        is_percent=indicator.unit == Unit.PERCENT,
    )
    series: dict[SeriesKey, dict[int, rollups.Cell]] = dict(reported)
    for key, cells in derived.items():
        series[key] = {**series.get(key, {}), **cells}
    scope = None if changed is None else _scope(changed, derived, indicator.pk)
    wanted = series.keys() if scope is None else scope.trend_keys & series.keys()
    x = periods.positions({p for key in wanted for p in series[key]})
    rule = _rule(indicator, periods)
    compute = trends.compute_series
    figures: dict[SeriesKey, trends.Figures] = {}
    # Most series of an indicator share their periods: their times and the line's
    # basis are worked out once per set of periods.
    times: dict[tuple[int, ...], tuple[list[float], trends.Basis | None]] = {}
    for key in wanted:
        cells = series[key]
        order = tuple(sorted(cells, key=x.__getitem__))
        known = times.get(order)
        if known is None:
            xs = [x[p] for p in order]
            known = times[order] = (xs, trends.line_basis(xs))
        values = [cells[p].value for p in order]
        figures[key] = compute(order, known[0], values, rule, known[1])
    dimensions = _dimensions_of(indicator.pk)
    gaps = _gaps(series, figures, dimensions)
    headline = _headline_gaps(gaps, list(dimensions))
    now = timezone.now()
    trend_rows = []
    for key, fig in figures.items():
        gap = headline.get(key[0]) if key[1] is None else None
        trend_rows.append(
            (
                indicator.partnership_id,
                indicator.pk,
                key[0],
                key[1],
                fig.n_points,
                len(derived.get(key, ())),  # derived cells never replace reported ones
                fig.baseline_period_id,
                fig.baseline_value,
                fig.latest_period_id,
                fig.latest_value,
                fig.change,
                fig.status,
                fig.slope,
                fig.current_run,
                _as_float(fig.progress_to_target),
                fig.projection,
                fig.on_track,
                float(gap[1].gap) if gap else None,
                gap[1].gap_trend if gap else "",
                gap[0] if gap else None,
                now,
                version,
            )
        )
    gap_rows = [
        (
            indicator.pk,
            geo,
            dim,
            fig.latest_period_id,
            gap.gap,
            gap.highest,
            gap.lowest,
            fig.baseline_period_id if gap.baseline_gap is not None else None,
            gap.baseline_gap,
            gap.gap_trend,
            version,
        )
        for (geo, dim), (fig, gap) in gaps.items()
    ]
    derived_rows = [
        (
            indicator.pk,
            geo,
            cat,
            period,
            cell.value,
            cell.numerator,
            cell.denominator,
            cell.n_children,
            version,
        )
        for (geo, cat), cells in derived.items()
        if scope is None or (geo, cat) in scope.derived_keys
        for period, cell in cells.items()
    ]
    return Computed(trend_rows, derived_rows, gap_rows, scope)


def _gaps(
    series: dict[SeriesKey, dict[int, rollups.Cell]],
    figures: dict[SeriesKey, trends.Figures],
    dimensions: dict[int, list[int]],
) -> dict[tuple[int | None, int], tuple[trends.Figures, trends.Gap]]:
    """(geography, dimension) -> the total series' figures and its equity gap."""
    gaps = {}
    for (geo, cat), fig in figures.items():
        if cat is not None or fig.latest_period_id is None:
            continue
        for dim, categories in dimensions.items():
            latest, baseline = {}, {}
            for c in categories:
                cells = series.get((geo, c))
                if not cells:
                    continue
                if fig.latest_period_id in cells:
                    latest[c] = cells[fig.latest_period_id].value
                if fig.baseline_period_id in cells:
                    baseline[c] = cells[fig.baseline_period_id].value
            gap = trends.equity_gap(latest, baseline)
            if gap is not None:
                gaps[(geo, dim)] = (fig, gap)
    return gaps


def _headline_gaps(
    gaps: dict[tuple[int | None, int], tuple[trends.Figures, trends.Gap]], order: list[int]
) -> dict[int | None, tuple[int, trends.Gap]]:
    """Each geography's total series carries the gap of the indicator's first
    dimension that has one: geography -> (dimension id, gap)."""
    headline: dict[int | None, tuple[int, trends.Gap]] = {}
    for dim in reversed(order):
        for (geo, gap_dim), (_fig, gap) in gaps.items():
            if gap_dim == dim:
                headline[geo] = (dim, gap)
    return headline


def _write(indicator: Indicator, computed: Computed, version: int) -> None:
    """Replace the indicator's stored results (all, or the computed scope's) and mark
    everything kept as current for ``version``."""
    scope = computed.scope
    for model in (Trend, DerivedPoint, EquityGap):
        rows = model.objects.filter(indicator=indicator)
        if scope is not None:
            if model is EquityGap:
                rows = rows.filter(_any_geography(scope.gap_geographies))
            else:
                keys = scope.trend_keys if model is Trend else scope.derived_keys
                rows = rows.filter(_any_series(keys))
        rows._raw_delete(connection.alias)
    bulk.insert_rows(Trend, TREND_COLUMNS, computed.trends)
    bulk.insert_rows(DerivedPoint, DERIVED_COLUMNS, computed.derived)
    bulk.insert_rows(EquityGap, GAP_COLUMNS, computed.gaps)
    if scope is not None:
        # The rest was computed from inputs this change did not touch.
        for model in (Trend, DerivedPoint, EquityGap):
            model.objects.filter(indicator=indicator).exclude(data_version=version).update(
                data_version=version
            )


def _headline_status(indicator: Indicator) -> str | None:
    """The stored status of the indicator's headline series (partnership-wide total)."""
    # Unordered and sliced, not .first(): ordering would walk a whole index.
    status = (
        Trend.objects.filter(indicator=indicator, geography__isnull=True, category__isnull=True)
        .order_by()
        .values_list("status", flat=True)[:1]
    )
    return next(iter(status), None)


_STATUS = TREND_COLUMNS.index("status")


def _record_headline_change(indicator: Indicator, before: str | None, computed: Computed) -> None:
    """Tell the activity feed when the headline series' status changed."""
    from partnership.feed import record_trend_changes

    after = next(
        (row[_STATUS] for row in computed.trends if row[2] is None and row[3] is None), None
    )
    record_trend_changes(indicator=indicator, old_status=before, new_status=after)


def _any_geography(geographies: Iterable[int | None]) -> Q:
    match = Q(pk__in=[])
    for geo in geographies:
        match |= Q(geography__isnull=True) if geo is None else Q(geography_id=geo)
    return match


def _any_series(keys: Iterable[SeriesKey]) -> Q:
    match = Q(pk__in=[])
    for geo, cat in keys:
        match |= (Q(geography__isnull=True) if geo is None else Q(geography_id=geo)) & (
            Q(category__isnull=True) if cat is None else Q(category_id=cat)
        )
    return match


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
        if connection.vendor == "postgresql":
            # Trends are derived data: if the server crashed before this commit
            # reached disk, the next run would compute them again. Not waiting for
            # the disk saves a flush per indicator.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        indicator = (
            Indicator.objects.select_related("baseline_period", "target_period")
            .filter(pk=indicator_id)
            .first()
        )
        if indicator is None:
            return Outcome(indicator_id, "missing")
        requests = list(
            TrendRequest.objects.filter(indicator_id=indicator_id).values_list(
                "id", "geography_id", "category_id", "whole_indicator"
            )
        )
        current = state.computed_version >= indicator.data_version and state.computed_at
        if not force and not requests and current:
            return Outcome(indicator_id, "fresh", indicator.data_version)
        partial = (
            not force
            and requests
            and state.computed_at is not None
            and not any(whole for *_, whole in requests)
        )
        computed = compute_indicator(
            indicator,
            tree or Tree.load(indicator.partnership_id),
            periods or PeriodCache(),
            changed={(geo, cat) for _, geo, cat, _ in requests} if partial else None,
        )
        headline_before = _headline_status(indicator)
        _write(indicator, computed, indicator.data_version)
        _record_headline_change(indicator, headline_before, computed)
        # Requests made after they were read stay for the next run.
        TrendRequest.objects.filter(pk__in=[r[0] for r in requests])._raw_delete(connection.alias)
        state.computed_version = indicator.data_version
        state.computed_at = timezone.now()
        state.duration_ms = int((time.monotonic() - started) * 1000)
        state.n_series = (
            len(computed.trends)
            if computed.scope is None
            else Trend.objects.filter(indicator=indicator).count()
        )
        state.last_error = ""
        state.failed_at = None
        state.save()
    return Outcome(
        indicator_id,
        "computed",
        indicator.data_version,
        len(computed.trends),
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


def _recompute_chunk(indicator_ids: list[int]) -> list[Outcome]:
    """Worker-process side of ``recompute_parallel``."""
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by("id"))
    return recompute_many(indicators, force=True)


def recompute_parallel(
    indicator_ids: list[int],
    *,
    processes: int,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Recompute indicators in ``processes`` forked processes, each with its own
    database connection; on SQLite (one writer at a time) in this process."""
    if processes <= 1 or connection.vendor == "sqlite" or len(indicator_ids) < 2:
        indicators = Indicator.objects.filter(pk__in=indicator_ids).order_by("id")
        return recompute_many(indicators, force=True, progress=progress)
    import multiprocessing

    from django.db import connections

    # Children must open their own connections, never share the parent's socket.
    connections.close_all()
    chunks = [indicator_ids[i :: processes * 4] for i in range(processes * 4)]
    outcomes: list[Outcome] = []
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for chunk_outcomes in pool.imap_unordered(_recompute_chunk, [c for c in chunks if c]):
            for outcome in chunk_outcomes:
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
