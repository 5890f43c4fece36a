"""What a progress report says, read once and shared by the PDF, Excel and CSV
builders, so the three formats cannot disagree.

The report covers the partnership-wide series of each indicator in scope: the
headline (total) series and, for the equity section and disaggregated reports,
one series per category. Values are approved data points, or the totals the
trend engine derived from child geographies where nobody reported one. Trend
figures are computed by ``indicators.trends`` (the one implementation of the
definitions in docs/trends.md) over the report's period range, so for the full
range they are exactly the trends the dashboards show.

Reports are read by funders: small cells are suppressed as they would be for a
funder (``audience_cell_policy``), whoever builds the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from indicators import trends
from indicators.models import (
    Category,
    DataPoint,
    DataStatus,
    DerivedPoint,
    Direction,
    Indicator,
    IndicatorDimension,
    Period,
    TrendStatus,
)
from outcomes.models import OutcomeArea
from partnership.models import Partnership, Role
from partnership.permissions import Action, role_can
from partnership.privacy import CellPolicy

from .sentences import trend_sentence

STATUS_ORDER = tuple(TrendStatus.values)


def audience_cell_policy(partnership: Partnership) -> CellPolicy:
    """The small-cell rule for a report's readers. Reports are for funders, so a
    report hides what a funder may not see, even when backbone staff build it."""
    return CellPolicy(
        min_cell_size=partnership.min_cell_size,
        reveal_small_cells=role_can(Role.FUNDER, Action.VIEW_SMALL_CELLS),
    )


@dataclass(frozen=True)
class Value:
    """One value of a series in the report; ``value`` is None when suppressed."""

    period: Period
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    derived: bool
    suppressed: bool
    note: str = ""  # the partner's note on a reported value ("the story behind the curve")


@dataclass
class CategorySeries:
    dimension_code: str
    dimension_name: str
    category: Category
    values: list[Value]


@dataclass(frozen=True)
class GapRow:
    """The equity gap of one dimension at the headline series' latest period."""

    dimension_name: str
    period: Period
    gap: Decimal | None  # None when a category value behind it is suppressed
    highest: Category
    lowest: Category
    baseline_period: Period | None
    baseline_gap: Decimal | None
    gap_trend: str

    @property
    def suppressed(self) -> bool:
        return self.gap is None


@dataclass
class IndicatorSection:
    indicator: Indicator
    headline: list[Value]
    categories: list[CategorySeries]
    figures: trends.Figures
    baseline_period: Period | None
    latest_period: Period | None
    figures_suppressed: bool  # baseline or latest rests on a small cell
    gaps: list[GapRow]
    sentence: str

    @property
    def status(self) -> str:
        return self.figures.status

    @property
    def status_label(self) -> str:
        return TrendStatus(self.figures.status).label


@dataclass
class AreaSection:
    area: OutcomeArea
    indicators: list[IndicatorSection] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(self.indicators)


@dataclass
class ReportData:
    partnership: Partnership
    scope_label: str
    whole_partnership: bool
    period_from: Period | None
    period_to: Period | None
    disaggregate: bool
    min_cell_size: int
    generated_at: datetime
    areas: list[AreaSection]

    @property
    def indicators(self) -> list[IndicatorSection]:
        return [section for area in self.areas for section in area.indicators]

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(self.indicators)

    @property
    def span(self) -> tuple[str, str] | None:
        """The first and last period labels the report shows, as asked for, or as
        the data has them when the range was left open."""
        periods = [v.period for s in self.indicators for v in s.headline]
        first = self.period_from or min(periods, key=lambda p: p.start, default=None)
        last = self.period_to or max(periods, key=lambda p: p.end, default=None)
        if first is None or last is None:
            return None
        return first.label, last.label

    @property
    def span_label(self) -> str:
        span = self.span
        if span is None:
            return "No approved data in this period"
        return span[0] if span[0] == span[1] else f"{span[0]} to {span[1]}"

    @property
    def suppressed_count(self) -> int:
        values = (
            v
            for s in self.indicators
            for series in [s.headline, *(c.values for c in s.categories)]
            for v in series
        )
        return sum(1 for v in values if v.suppressed)


def status_counts(sections: Iterable[IndicatorSection]) -> dict[str, int]:
    """The scorecard of these indicators: how many have each status."""
    counts = {"total": 0, **dict.fromkeys(STATUS_ORDER, 0)}
    for section in sections:
        counts["total"] += 1
        counts[section.status] += 1
    return counts


# --- reading ---------------------------------------------------------------------


def areas_in_scope(*, partnership: Partnership, slugs: Iterable[str] = ()) -> list[OutcomeArea]:
    """The outcome areas a report covers, in continuum order: the chosen ones, or
    every area when none is chosen."""
    areas = OutcomeArea.objects.filter(partnership=partnership).order_by("order")
    slugs = list(slugs)
    return list(areas.filter(slug__in=slugs) if slugs else areas)


def _in_range(period_from: Period | None, period_to: Period | None) -> Q:
    """Periods that start within the range (from the start of ``period_from`` to the
    end of ``period_to``), so that each period counts once whatever its kind."""
    where = Q()
    if period_from is not None:
        where &= Q(period__start__gte=period_from.start)
    if period_to is not None:
        where &= Q(period__start__lte=period_to.end)
    return where


_COLUMNS = ("indicator_id", "category_id", "period_id", "value", "numerator", "denominator")


def _read_values(indicator_ids: list[int], where: Q) -> dict:
    """(indicator id, category id or None) -> {period id: (value, numerator,
    denominator, derived, note)} for the partnership-wide series, the total and every
    category: reported values win over derived ones (which have no note)."""
    scope = Q(indicator_id__in=indicator_ids, geography__isnull=True) & where
    found: dict[tuple[int, int | None], dict[int, tuple]] = defaultdict(dict)
    for indicator_id, category_id, period_id, *numbers in DerivedPoint.objects.filter(
        scope
    ).values_list(*_COLUMNS):
        found[(indicator_id, category_id)][period_id] = (*numbers, True, "")
    reported = DataPoint.objects.filter(scope, status=DataStatus.APPROVED)
    for indicator_id, category_id, period_id, *numbers, note in reported.values_list(
        *_COLUMNS, "note"
    ):
        found[(indicator_id, category_id)][period_id] = (*numbers, False, note)
    return found


def _categories_by_indicator(indicator_ids: list[int]) -> dict[int, list[tuple[Any, Category]]]:
    """indicator id -> [(dimension, category)] in the order the indicator uses its
    dimensions, then the categories' own order."""
    links = (
        IndicatorDimension.objects.filter(indicator_id__in=indicator_ids)
        .select_related("dimension")
        .order_by("indicator_id", "id")
    )
    dimensions = {link.dimension_id: link.dimension for link in links}
    categories = defaultdict(list)
    for category in Category.objects.filter(dimension_id__in=dimensions).order_by("order", "name"):
        categories[category.dimension_id].append(category)
    result: dict[int, list[tuple[Any, Category]]] = defaultdict(list)
    for link in links:
        for category in categories[link.dimension_id]:
            result[link.indicator_id].append((link.dimension, category))
    return result


def _values(cells: dict[int, tuple], periods: dict[int, Period], cells_policy: CellPolicy):
    values = []
    for period_id, (value, numerator, denominator, derived, note) in cells.items():
        hidden = cells_policy.hides(denominator)
        values.append(
            Value(
                period=periods[period_id],
                value=None if hidden else _decimal(value),
                numerator=None if hidden else _decimal(numerator),
                denominator=None if hidden else _decimal(denominator),
                derived=derived,
                suppressed=hidden,
                note="" if hidden else note,
            )
        )
    return sorted(values, key=lambda v: v.period.start)


def _decimal(number: Any) -> Decimal | None:
    """SQLite may hand numerics over as floats: read them through their shortest text."""
    if number is None or isinstance(number, Decimal):
        return number
    return Decimal(str(number))


def _rule(indicator: Indicator) -> trends.Rule:
    target = indicator.target_period
    return trends.Rule(
        higher_is_better=indicator.direction == Direction.HIGHER_IS_BETTER,
        threshold=indicator.threshold or Decimal(0),
        baseline_period_id=indicator.baseline_period_id,
        target_value=indicator.target_value,
        target_x=trends.period_x(target.start) if target else None,
    )


def report_data(
    *,
    partnership: Partnership,
    outcome_areas: Iterable[str] = (),
    period_from: Period | None = None,
    period_to: Period | None = None,
    disaggregate: bool = False,
    scope_label: str = "",
) -> ReportData:
    """Everything a report shows, for the audience of funders. Seven queries,
    whatever the number of indicators."""
    cells_policy = audience_cell_policy(partnership)
    slugs = list(outcome_areas)
    areas = areas_in_scope(partnership=partnership, slugs=slugs)
    indicators = list(
        Indicator.objects.filter(partnership=partnership, outcome_area__in=areas)
        .select_related("outcome_area", "steward", "baseline_period", "target_period")
        .order_by("outcome_area__order", "code")
    )
    ids = [i.pk for i in indicators]
    found = _read_values(ids, _in_range(period_from, period_to))
    period_ids = {p for cells in found.values() for p in cells}
    periods = {p.pk: p for p in Period.objects.filter(pk__in=period_ids)}
    categories = _categories_by_indicator(ids)
    sections = {area.pk: AreaSection(area) for area in areas}
    for indicator in indicators:
        section = _indicator_section(
            indicator,
            categories=categories.get(indicator.pk, []),
            raw=found,
            periods=periods,
            cells_policy=cells_policy,
        )
        if not disaggregate:
            section.categories = []
        sections[indicator.outcome_area_id].indicators.append(section)
    whole = not slugs
    return ReportData(
        partnership=partnership,
        scope_label=scope_label or describe_scope(areas, whole=whole),
        whole_partnership=whole,
        period_from=period_from,
        period_to=period_to,
        disaggregate=disaggregate,
        min_cell_size=partnership.min_cell_size,
        generated_at=timezone.now(),
        areas=list(sections.values()),
    )


def describe_scope(areas: list[OutcomeArea], *, whole: bool) -> str:
    if whole:
        return "The whole partnership"
    return ", ".join(area.name for area in areas)


def _indicator_section(
    indicator: Indicator,
    *,
    categories: list[tuple[Any, Category]],
    raw: dict,
    periods: dict[int, Period],
    cells_policy: CellPolicy,
) -> IndicatorSection:
    """One indicator's values (total and categories), trend figures, equity gaps and
    sentence. ``categories`` are its (dimension, category) pairs."""
    headline = _values(raw.get((indicator.pk, None), {}), periods, cells_policy)
    series = [
        CategorySeries(
            dimension.code,
            dimension.name,
            category,
            _values(raw.get((indicator.pk, category.pk), {}), periods, cells_policy),
        )
        for dimension, category in categories
    ]
    # Trends are computed from every value, small cells included, exactly as the
    # engine does; what rests on a small cell is then hidden from the page.
    own = raw.get((indicator.pk, None), {})
    points = sorted(
        (
            trends.Point(pid, trends.period_x(periods[pid].start), _decimal(cell[0]))
            for pid, cell in own.items()
        ),
        key=lambda p: p.x,
    )
    figures = trends.compute(points, _rule(indicator))
    baseline = periods.get(figures.baseline_period_id)
    latest = periods.get(figures.latest_period_id)
    hidden = any(cells_policy.hides(own[p.pk][2]) for p in (baseline, latest) if p is not None)
    gaps = _gaps(indicator, series, figures, periods, raw, cells_policy)
    return IndicatorSection(
        indicator=indicator,
        headline=headline,
        categories=series,
        figures=figures,
        baseline_period=baseline,
        latest_period=latest,
        figures_suppressed=hidden,
        gaps=gaps,
        sentence=trend_sentence(
            indicator=indicator,
            figures=figures,
            baseline_label=baseline.label if baseline else None,
            latest_label=latest.label if latest else None,
            suppressed=hidden,
            min_cell_size=cells_policy.min_cell_size,
        ),
    )


def _gaps(
    indicator: Indicator,
    categories: list[CategorySeries],
    figures: trends.Figures,
    periods: dict[int, Period],
    raw: dict,
    cells_policy: CellPolicy,
) -> list[GapRow]:
    """One equity gap per dimension, as the trend engine computes it: across the
    categories' values at the headline series' latest and baseline periods."""
    if figures.latest_period_id is None:
        return []
    by_dimension: dict[str, list[CategorySeries]] = defaultdict(list)
    for series in categories:
        by_dimension[series.dimension_name].append(series)
    rows = []
    for dimension_name, members in by_dimension.items():
        cells = {s.category.pk: raw.get((indicator.pk, s.category.pk), {}) for s in members}
        at = {
            when: {c: _decimal(v[when][0]) for c, v in cells.items() if when in v}
            for when in (figures.latest_period_id, figures.baseline_period_id)
        }
        gap = trends.equity_gap(at[figures.latest_period_id], at[figures.baseline_period_id])
        if gap is None:
            continue
        named = {s.category.pk: s.category for s in members}
        # A gap is the difference of two values: it is hidden with either of them.
        then = trends.spread(at[figures.baseline_period_id])
        hidden_now, hidden_then = (
            cells_policy.hides(*(cells[c][when][2] for c in extremes))
            for when, extremes in (
                (figures.latest_period_id, (gap.highest, gap.lowest)),
                (figures.baseline_period_id, then[1:] if then else ()),
            )
        )
        rows.append(
            GapRow(
                dimension_name=dimension_name,
                period=periods[figures.latest_period_id],
                gap=None if hidden_now else gap.gap,
                highest=named[gap.highest],
                lowest=named[gap.lowest],
                baseline_period=periods.get(figures.baseline_period_id),
                baseline_gap=None if hidden_then else gap.baseline_gap,
                gap_trend=gap.gap_trend,
            )
        )
    return rows


def period_choices(*, partnership: Partnership) -> QuerySet[Period]:
    """The periods the partnership's approved data uses, oldest first: what the
    report builder offers for its range."""
    used = DataPoint.objects.filter(
        indicator__partnership=partnership, status=DataStatus.APPROVED
    ).values("period_id")
    return Period.objects.filter(pk__in=used).order_by("start", "end")
