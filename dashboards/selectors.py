"""What the dashboards (and the reports) draw, read from the computed trends.

Every read here has a fixed number of queries whatever the amount of data: the
trends, derived totals and equity gaps the engine stored, and the approved points
of the series on show. Small-cell suppression (``partnership.privacy``) is applied
here, before anything reaches a figure or a table, for every role but backbone
staff: a suppressed value leaves this module as ``None`` with ``suppressed=True``.

- ``indicator_chart_data(indicator, user=, dimension=, level=)``: everything the
  indicator page shows (the headline series, one series per category of a
  dimension, the equity gap over time, the latest value by geography).
- ``headline_chart_data(indicators, user=)``: the headline series of many
  indicators at once (outcome area page, organization page, home sparklines).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.db.models import Q

from indicators.models import (
    Category,
    DataPoint,
    DataStatus,
    DerivedPoint,
    Dimension,
    Direction,
    EquityGap,
    GeographyKind,
    Indicator,
    Trend,
)
from indicators.selectors import trend_denominators
from indicators.trends import period_x
from partnership.privacy import CellPolicy, cell_policy

from . import figures
from .figures import (
    BarRow,
    ChartMarker,
    ChartPoint,
    ChartProjection,
    ChartSeries,
    ChartTarget,
    GapPoint,
)

SeriesKey = tuple[int, int | None]  # (indicator id, category id); partnership-wide only


@dataclass(frozen=True)
class Headline:
    """An indicator's headline trend as a viewer may see it."""

    trend: Trend | None
    hidden: bool  # its baseline or latest value rests on a small cell

    def value(self, name: str) -> Any:
        """A figure of the trend, or None when there is none or it is hidden."""
        if self.trend is None or (self.hidden and name in HIDDEN_TREND_FIGURES):
            return None
        return getattr(self.trend, name)

    @property
    def status(self) -> str:
        return self.trend.status if self.trend is not None else "insufficient_data"

    @property
    def status_label(self) -> str:
        return self.trend.get_status_display() if self.trend else "Insufficient data"


# What the API's trend serializer withholds too (indicators/serializers.py TrendOut).
HIDDEN_TREND_FIGURES = frozenset(
    {"baseline_value", "latest_value", "change", "slope", "projection", "progress_to_target"}
)


@dataclass(frozen=True)
class CategoryRow:
    """One category's series in the table under the indicator chart."""

    name: str
    code: str
    colour: str
    headline: Headline


@dataclass(frozen=True)
class GeographyRow:
    code: str
    name: str
    kind: str
    period: str
    value: float | None
    suppressed: bool
    status: str
    status_label: str


@dataclass(frozen=True)
class TableRow:
    period: str
    cells: tuple[ChartPoint | None, ...]  # one per series; None: no value that period


@dataclass
class IndicatorChartData:
    indicator: Indicator
    headline: Headline
    series: list[ChartSeries]  # the total first, then one per category (if a dimension)
    target: ChartTarget | None = None
    baseline: ChartMarker | None = None
    projection: ChartProjection | None = None
    dimensions: list[Dimension] = field(default_factory=list)
    dimension: Dimension | None = None  # the one drawn as lines
    categories: list[CategoryRow] = field(default_factory=list)
    gap_dimension: Dimension | None = None  # the one whose gap is shown
    gaps: list[GapPoint] = field(default_factory=list)
    equity_gap: EquityGap | None = None
    equity_gap_hidden: bool = False
    geography_rows: list[GeographyRow] = field(default_factory=list)
    geography_kinds: list[tuple[str, str]] = field(default_factory=list)
    level: str = ""
    min_cell_size: int = 10

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def total(self) -> ChartSeries:
        return self.series[0]

    @property
    def has_data(self) -> bool:
        return any(p.value is not None or p.suppressed for p in self.total.points)

    @property
    def suppressed_any(self) -> bool:
        return (
            self.headline.hidden
            or self.equity_gap_hidden
            or any(p.suppressed for s in self.series for p in s.points)
            or any(g.suppressed for g in self.gaps)
            or any(r.suppressed for r in self.geography_rows)
        )

    @property
    def latest_display(self) -> str:
        return figures.format_value(_float(self.headline.value("latest_value")), self.unit)

    # Figures for reports (plotly Figures, for kaleido) and specs for pages (plain
    # dicts for plotly.js: the same charts without plotly's slow validation).

    def trend_figure(self, *, compact: bool = False) -> go.Figure:
        return figures.trend_figure(self.series, **self._trend_args(compact))

    def trend_spec(self, *, compact: bool = False) -> dict[str, Any]:
        return figures.trend_spec(self.series, **self._trend_args(compact))

    @property
    def page_trend_spec(self) -> dict[str, Any]:
        return self.trend_spec()

    @property
    def compact_trend_spec(self) -> dict[str, Any]:
        """The trend chart for small multiples (no legend, no notes)."""
        return self.trend_spec(compact=True)

    def _trend_args(self, compact: bool) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "target": self.target,
            "baseline": self.baseline,
            "projection": self.projection,
            "compact": compact,
        }

    @property
    def notes(self) -> list[tuple[str, ChartPoint]]:
        """(series name, point) of every point with a note, by period."""
        found = [(s.name, p) for s in self.series for p in s.points if p.note]
        return sorted(found, key=lambda item: item[1].x)

    def sparkline_figure(self) -> go.Figure:
        return figures.sparkline_figure(self.total, unit=self.unit, target=self._target_value)

    @property
    def sparkline_spec(self) -> dict[str, Any]:
        return figures.sparkline_spec(self.total, unit=self.unit, target=self._target_value)

    @property
    def _target_value(self) -> float | None:
        return self.target.value if self.target else None

    def gap_figure(self) -> go.Figure | None:
        return figures.equity_gap_figure(self.gaps, **self._gap_args()) if self.gaps else None

    @property
    def gap_spec(self) -> dict[str, Any] | None:
        return figures.equity_gap_spec(self.gaps, **self._gap_args()) if self.gaps else None

    def _gap_args(self) -> dict[str, Any]:
        name = self.gap_dimension.name if self.gap_dimension else ""
        return {"unit": self.unit, "dimension_name": name}

    def geography_figure(self) -> go.Figure | None:
        rows = self._bar_rows()
        return figures.geography_comparison_figure(rows, **self._bar_args()) if rows else None

    @property
    def geography_spec(self) -> dict[str, Any] | None:
        rows = self._bar_rows()
        return figures.geography_comparison_spec(rows, **self._bar_args()) if rows else None

    def _bar_rows(self) -> list[BarRow]:
        rows = [
            BarRow(r.name, r.value, key=r.code, suppressed=r.suppressed)
            for r in self.geography_rows
        ]
        return rows if any(r.value is not None for r in rows) else []

    def _bar_args(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "target": self._target_value,
            "higher_is_better": self.indicator.direction == Direction.HIGHER_IS_BETTER,
        }

    def table(self) -> list[TableRow]:
        """The numbers under the trend chart: one row per period, one cell per series."""
        by_series = [{p.period: p for p in s.points} for s in self.series]
        starts = {p.period: p.x for s in self.series for p in s.points}
        return [
            TableRow(label, tuple(points.get(label) for points in by_series))
            for label in sorted(starts, key=starts.__getitem__)
        ]


# --- reading ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    period_id: int
    label: str
    start: date
    value: Decimal
    denominator: Decimal | None
    note: str
    derived: bool


def _series_cells(
    indicator_ids: Iterable[int], category_ids: Iterable[int] = ()
) -> dict[SeriesKey, list[_Cell]]:
    """The partnership-wide series of these indicators (the total, and the given
    categories) by period: approved reported values, else the derived ones. Two
    queries."""
    ids = list(indicator_ids)
    cats = list(category_ids)
    which = Q(category__isnull=True)
    if cats:
        which |= Q(category_id__in=cats)
    where = Q(indicator_id__in=ids, geography__isnull=True) & which
    columns = (
        "indicator_id", "category_id", "period_id", "period__label", "period__start",
        "value", "denominator",
    )  # fmt: skip
    found: dict[tuple, _Cell] = {}
    for ind, cat, period, label, start, value, den in DerivedPoint.objects.filter(
        where
    ).values_list(*columns):
        found[(ind, cat, period)] = _Cell(period, label, start, value, den, "", True)
    # Reported values win over derived ones: read them last.
    reported = DataPoint.objects.filter(where, status=DataStatus.APPROVED)
    for ind, cat, period, label, start, value, den, note in reported.values_list(*columns, "note"):
        found[(ind, cat, period)] = _Cell(period, label, start, value, den, note, False)
    series: dict[SeriesKey, list[_Cell]] = defaultdict(list)
    for (ind, cat, _period), cell in found.items():
        series[(ind, cat)].append(cell)
    for cells in series.values():
        cells.sort(key=lambda c: c.start)
    return series


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _points(cells: Sequence[_Cell], policy: CellPolicy) -> tuple[ChartPoint, ...]:
    points = []
    for c in cells:
        hidden = policy.hides(c.denominator)
        points.append(
            ChartPoint(
                period=c.label,
                x=c.start,
                value=None if hidden else float(c.value),
                suppressed=hidden,
                derived=c.derived,
                note="" if hidden else c.note,
            )
        )
    return tuple(points)


def _headline(trend: Trend | None, cells: Sequence[_Cell], policy: CellPolicy) -> Headline:
    """A trend is hidden when its baseline or latest value rests on a small cell,
    as in the API."""
    if trend is None:
        return Headline(None, False)
    dens = {c.period_id: c.denominator for c in cells}
    hidden = policy.hides(dens.get(trend.baseline_period_id), dens.get(trend.latest_period_id))
    return Headline(trend, hidden)


def _decorations(
    indicator: Indicator, headline: Headline
) -> tuple[ChartTarget | None, ChartMarker | None, ChartProjection | None]:
    """The target line, the baseline marker and the projection of a headline."""
    target = None
    if indicator.target_value is not None and indicator.target_period is not None:
        target = ChartTarget(
            indicator.target_period.label,
            indicator.target_period.start,
            float(indicator.target_value),
        )
    trend = headline.trend
    if trend is None or headline.hidden or trend.baseline_period is None:
        return target, None, None
    baseline = ChartMarker(
        trend.baseline_period.label, trend.baseline_period.start, float(trend.baseline_value)
    )
    projection = None
    if (
        target is not None
        and trend.projection is not None
        and trend.slope is not None
        and trend.latest_period is not None
        and trend.latest_period.start < target.x
    ):
        years = period_x(target.x) - period_x(trend.latest_period.start)
        projection = ChartProjection(
            x0=trend.latest_period.start,
            y0=round(trend.projection - trend.slope * years, 6),
            x1=target.x,
            y1=round(trend.projection, 6),
            period=target.period,
            on_track=trend.on_track,
        )
    return target, baseline, projection


def _headline_trends(indicator_ids: Iterable[int]) -> dict[int, Trend]:
    trends = Trend.objects.filter(
        indicator_id__in=list(indicator_ids), geography__isnull=True, category__isnull=True
    ).select_related("baseline_period", "latest_period")
    return {t.indicator_id: t for t in trends}


def headline_chart_data(
    indicators: Sequence[Indicator], *, user: Any
) -> dict[int, IndicatorChartData]:
    """The headline series of each indicator (partnership-wide total), by indicator
    id. Three queries whatever the number of indicators; the indicators must come
    with ``target_period`` selected and belong to one partnership."""
    if not indicators:
        return {}
    policy = cell_policy(user=user, partnership=indicators[0].partnership)
    ids = [i.pk for i in indicators]
    trends = _headline_trends(ids)
    cells = _series_cells(ids)
    result = {}
    for indicator in indicators:
        own = cells.get((indicator.pk, None), [])
        headline = _headline(trends.get(indicator.pk), own, policy)
        target, baseline, projection = _decorations(indicator, headline)
        result[indicator.pk] = IndicatorChartData(
            indicator=indicator,
            headline=headline,
            series=[ChartSeries("Total", _points(own, policy))],
            target=target,
            baseline=baseline,
            projection=projection,
            min_cell_size=policy.min_cell_size,
        )
    return result


def _dimensions(indicator: Indicator) -> list[Dimension]:
    """The indicator's dimensions in the order it lists them, each with
    ``ordered_categories``. One query."""
    categories = (
        Category.objects.filter(dimension__indicatordimension__indicator=indicator)
        .select_related("dimension")
        .order_by("dimension__indicatordimension__id", "order", "code")
    )
    dimensions: dict[int, Dimension] = {}
    for category in categories:
        dimension = dimensions.setdefault(category.dimension_id, category.dimension)
        if not hasattr(dimension, "ordered_categories"):
            dimension.ordered_categories = []
        dimension.ordered_categories.append(category)
    return list(dimensions.values())


def _gap_points(
    categories: Sequence[Category], cells: dict[SeriesKey, list[_Cell]], indicator: Indicator,
    policy: CellPolicy,
) -> list[GapPoint]:  # fmt: skip
    """max - min of the category values at each period with two or more of them;
    a period where any category value is suppressed shows no gap (it would give
    the hidden value away)."""
    at: dict[int, list[tuple[Category, _Cell]]] = defaultdict(list)
    for category in categories:
        for cell in cells.get((indicator.pk, category.pk), []):
            at[cell.period_id].append((category, cell))
    gaps = []
    for entries in sorted(at.values(), key=lambda e: e[0][1].start):
        if len(entries) < 2:
            continue
        first = entries[0][1]
        if policy.hides(*(c.denominator for _, c in entries)):
            gaps.append(GapPoint(first.label, first.start, None, suppressed=True))
            continue
        high = max(entries, key=lambda e: e[1].value)
        low = min(entries, key=lambda e: e[1].value)
        gaps.append(
            GapPoint(
                first.label,
                first.start,
                float(high[1].value - low[1].value),
                highest=high[0].name,
                lowest=low[0].name,
            )
        )
    return gaps


def _geography_rows(
    indicator: Indicator, policy: CellPolicy, level: str
) -> tuple[list[GeographyRow], list[tuple[str, str]], str]:
    """Each geography's latest total, for the geographies of one kind (``level``,
    default: the shallowest kind with two or more geographies). Three queries."""
    trends = list(
        Trend.objects.filter(indicator=indicator, geography__isnull=False, category__isnull=True)
        .select_related("geography", "latest_period")
        .order_by("geography__depth", "geography__name")
    )
    count: dict[str, int] = defaultdict(int)
    for t in trends:
        count[t.geography.kind] += 1
    labels = dict(GeographyKind.choices)
    kinds = [(kind, labels.get(kind, kind)) for kind in count if count[kind] > 1]
    if level not in count:
        level = kinds[0][0] if kinds else ""
    chosen = [t for t in trends if t.geography.kind == level]
    denominators = {} if policy.reveal_small_cells else trend_denominators(trends=chosen)
    rows = []
    for t in chosen:
        hidden = policy.hides(*denominators.get(t.pk, ()))
        rows.append(
            GeographyRow(
                code=t.geography.code,
                name=t.geography.name,
                kind=t.geography.kind,
                period=t.latest_period.label if t.latest_period else "",
                value=None if hidden else _float(t.latest_value),
                suppressed=hidden,
                status=t.status,
                status_label=t.get_status_display(),
            )
        )
    return rows, kinds, level


def _equity_gap(indicator: Indicator, dimension: Dimension | None) -> EquityGap | None:
    if dimension is None:
        return None
    return (
        EquityGap.objects.filter(indicator=indicator, geography__isnull=True, dimension=dimension)
        .select_related("highest_category", "lowest_category", "latest_period", "baseline_period")
        .first()
    )


def indicator_chart_data(
    indicator: Indicator,
    *,
    user: Any,
    dimension: str | None = None,
    level: str = "",
) -> IndicatorChartData:
    """Everything the indicator page draws. ``dimension`` (a code of one of the
    indicator's dimensions) adds a line per category; the equity gap uses it, else
    the indicator's first dimension. ``level`` is the geography kind compared.
    At most nine queries whatever the amount of data."""
    policy = cell_policy(user=user, partnership=indicator.partnership)
    dimensions = _dimensions(indicator)
    chosen = next((d for d in dimensions if d.code == dimension), None)
    gap_dimension = chosen or (dimensions[0] if dimensions else None)
    categories = gap_dimension.ordered_categories if gap_dimension else []
    colours = figures.category_colours(categories)
    cells = _series_cells([indicator.pk], [c.pk for c in categories])
    trends = {
        t.category_id: t
        for t in Trend.objects.filter(indicator=indicator, geography__isnull=True)
        .filter(Q(category__isnull=True) | Q(category__in=categories))
        .select_related("baseline_period", "latest_period")
    }
    total_cells = cells.get((indicator.pk, None), [])
    headline = _headline(trends.get(None), total_cells, policy)
    target, baseline, projection = _decorations(indicator, headline)
    series = [ChartSeries("Total", _points(total_cells, policy))]
    rows = []
    for category in categories:
        own = cells.get((indicator.pk, category.pk), [])
        rows.append(
            CategoryRow(
                category.name,
                category.code,
                colours[category.pk],
                _headline(trends.get(category.pk), own, policy),
            )
        )
        if chosen is not None:
            series.append(
                ChartSeries(
                    category.name,
                    _points(own, policy),
                    colour=colours[category.pk],
                    key=category.code,
                    width=2,
                )
            )
    gaps = _gap_points(categories, cells, indicator, policy)
    equity_gap = _equity_gap(indicator, gap_dimension)
    gap_hidden = False
    if equity_gap is not None:
        periods = {equity_gap.latest_period_id, equity_gap.baseline_period_id}
        gap_hidden = policy.hides(
            *(
                c.denominator
                for cat in categories
                for c in cells.get((indicator.pk, cat.pk), [])
                if c.period_id in periods
            )
        )
    geography_rows, kinds, level = _geography_rows(indicator, policy, level)
    return IndicatorChartData(
        indicator=indicator,
        headline=headline,
        series=series,
        target=target,
        baseline=baseline,
        projection=projection,
        dimensions=dimensions,
        dimension=chosen,
        categories=rows if chosen is not None else [],
        gap_dimension=gap_dimension,
        gaps=gaps,
        equity_gap=equity_gap,
        equity_gap_hidden=gap_hidden,
        geography_rows=geography_rows,
        geography_kinds=kinds,
        level=level,
        min_cell_size=policy.min_cell_size,
    )
