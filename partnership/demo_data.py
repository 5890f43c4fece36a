"""Made-up but plausible data for the demo partnerships. Pure Python: no database.

The numbers add up the way real ones do. A percent's district totals are made
first; each district's total is then split into its race/ethnicity groups, its
income groups and its schools, so that the parts add up exactly to the whole,
and the partnership-wide figures are the sums of the districts'. Counts split
the same way. Scores and dollar amounts (medians) do not add up, so each is
made on its own. Every series comes from a random generator seeded with the
partnership, the indicator and ``demo.SEED``: each run makes the same numbers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from indicators.models import Direction, Frequency, Unit
from indicators.periods import (
    PeriodSpan,
    periods_between,
    quarter_span,
    school_year_span,
    year_span,
)

from .demo import SEED, DimensionDef, PartnershipDef, SchoolDef
from .demo_indicators import IndicatorDef

# The partnership started in 2018-19 (its baseline); districts shared four earlier years.
FIRST_YEAR, LAST_YEAR = 2014, 2023
PERIODS: dict[str, list[PeriodSpan]] = {
    Frequency.SCHOOL_YEAR: [school_year_span(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)],
    Frequency.ANNUAL: [year_span(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)],
    Frequency.QUARTERLY: periods_between(
        quarter_span(FIRST_YEAR, 3), quarter_span(LAST_YEAR + 1, 2)
    ),
}
PER_YEAR = {Frequency.SCHOOL_YEAR: 1, Frequency.ANNUAL: 1, Frequency.QUARTERLY: 4}
# Per-cent or per-1,000: what a ratio's value is numerator / denominator times.
RATIO_SCALE = {Unit.PERCENT: 100, Unit.RATE: 1000}
TENTH = Decimal("0.1")

Category = tuple[str, str]  # (dimension code, category code)


@dataclass(frozen=True)
class Row:
    """One data point to load: codes and labels, not database rows."""

    indicator: str
    period: PeriodSpan
    geography: str | None
    category: Category | None
    value: Decimal
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class Area:
    """A district, or the whole partnership, with what sets its numbers apart."""

    code: str | None
    share: float
    advantage: float
    mixes: dict[str, list[float]]  # dimension code -> share of each category
    schools: tuple[SchoolDef, ...] = ()


@dataclass(frozen=True)
class School:
    definition: SchoolDef
    size: float  # relative enrolment
    effect: float  # -1 .. 1: how far ahead of its district it is


@dataclass
class Moment:
    """What one period of one series needs: where the series stands, and noise."""

    indicator: IndicatorDef
    span: PeriodSpan
    level: float  # partnership-wide value this period, before district effects
    t: float  # years since the first period
    rng: random.Random

    @property
    def sign(self) -> int:
        return 1 if self.indicator.direction == Direction.HIGHER_IS_BETTER else -1

    @property
    def gap(self) -> float:
        return self.indicator.gap * max(0.0, 1 + self.indicator.gap_trend * self.t)


# --- whole-number arithmetic that adds up ----------------------------------


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole number in proportion to weights; the parts add up to it exactly."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    raw = [total * w / weight_sum for w in weights]
    parts = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def apportion_capped(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """``apportion`` with no part above its cap (the total must fit under the caps):
    what a full part cannot take goes to the others, in proportion again."""
    parts = [0] * len(weights)
    open_parts = [i for i, cap in enumerate(caps) if cap > 0]
    remaining = total
    while remaining > 0 and open_parts:
        given = apportion(remaining, [max(weights[i], 1e-9) for i in open_parts])
        remaining = 0
        for i, amount in zip(open_parts, given, strict=True):
            taken = min(amount, caps[i] - parts[i])
            parts[i] += taken
            remaining += amount - taken
        open_parts = [i for i in open_parts if parts[i] < caps[i]]
    return parts


def split_ratio(
    numerator: int, denominator: int, shares: Sequence[float], rates: Sequence[float]
) -> list[tuple[int, int]]:
    """Split a numerator/denominator into groups of the given sizes and relative rates;
    the groups' numerators and denominators add up exactly to the whole's."""
    denominators = apportion(denominator, shares)
    weights = [d * r for d, r in zip(denominators, rates, strict=True)]
    numerators = apportion_capped(numerator, weights, denominators)
    return list(zip(numerators, denominators, strict=True))


def ratio_value(numerator: int, denominator: int, scale: int) -> Decimal:
    return (Decimal(scale * numerator) / Decimal(denominator)).quantize(TENTH, ROUND_HALF_UP)


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


# --- the partnership's shape -------------------------------------------------


class World:
    """The partnership's districts, schools and groups, as the generator needs them."""

    def __init__(self, definition: PartnershipDef):
        self.definition = definition
        self.dimensions: dict[str, DimensionDef] = {d.code: d for d in definition.dimensions}
        self.districts = [
            Area(
                code=d.code,
                share=d.share,
                advantage=d.advantage,
                mixes=self._mixes(d.race_mix, d.low_income),
                schools=d.schools,
            )
            for d in definition.districts
        ]
        self.whole = Area(code=None, share=1.0, advantage=0.0, mixes=self._whole_mixes())
        rng = random.Random(f"{SEED}:{definition.slug}:schools")
        self.schools = {
            s.code: School(s, size=rng.uniform(0.6, 1.4), effect=rng.uniform(-1, 1))
            for d in definition.districts
            for s in d.schools
        }

    def _mixes(self, race_mix: dict[str, float], low_income: float) -> dict[str, list[float]]:
        mixes = {}
        if "race" in self.dimensions:
            mixes["race"] = [
                race_mix.get(code, 0.0) for code, _ in self.dimensions["race"].categories
            ]
        if "income" in self.dimensions:
            mixes["income"] = [low_income, 1 - low_income]
        return mixes

    def _whole_mixes(self) -> dict[str, list[float]]:
        mixes: dict[str, list[float]] = {}
        for district in self.districts:
            for dim, shares in district.mixes.items():
                total = mixes.setdefault(dim, [0.0] * len(shares))
                for i, share in enumerate(shares):
                    total[i] += district.share * share
        return mixes

    def areas(self, indicator: IndicatorDef) -> list[Area]:
        """Where the indicator's numbers are made: each district, or the whole."""
        if indicator.level == "district" and self.districts:
            return self.districts
        return [self.whole]

    def categories(self, dim: str) -> list[Category]:
        return [(dim, code) for code, _ in self.dimensions[dim].categories]

    def offsets(self, dim: str) -> list[float]:
        dimension = self.dimensions[dim]
        return [dimension.offsets.get(code, 0.0) for code, _ in dimension.categories]

    def open_schools(self, area: Area, band: str, span: PeriodSpan) -> list[School]:
        return [
            self.schools[s.code]
            for s in area.schools
            if band in ("all", s.band) and (s.opened is None or span.start >= date(s.opened, 7, 1))
        ]


# --- series ------------------------------------------------------------------


def generate(definition: PartnershipDef) -> Iterator[Row]:
    """Every data point of the partnership's demo data."""
    world = World(definition)
    for indicator in definition.indicators:
        yield from series(world, indicator)


def series(world: World, indicator: IndicatorDef) -> Iterator[Row]:
    rng = random.Random(f"{SEED}:{world.definition.slug}:{indicator.code}")
    make = _MAKERS.get(indicator.unit, _plain_rows)
    per_year = PER_YEAR[indicator.frequency]
    for index, span in enumerate(PERIODS[indicator.frequency]):
        level = indicator.start + indicator.slope * index / per_year
        moment = Moment(
            indicator, span, level + rng.gauss(0, indicator.noise), index / per_year, rng
        )
        if span.label not in indicator.missing:
            yield from make(world, moment)


def _row(m: Moment, geography: str | None, category: Category | None, value: Decimal) -> Row:
    return Row(m.indicator.code, m.span, geography, category, value)


# Percents and rates: numerators and denominators that add up.


def _ratio_rows(world: World, m: Moment) -> Iterator[Row]:
    totals: dict[Category | None, list[int]] = defaultdict(lambda: [0, 0])
    for area in world.areas(m.indicator):
        cells = _area_ratio_cells(world, m, area)
        for key, (num, den) in cells.items():
            totals[key][0] += num
            totals[key][1] += den
            if area.code is not None:
                yield from _ratio_row(m, area.code, key, num, den)
        if area.code is not None and m.indicator.schools:
            yield from _school_ratio_rows(world, m, area, *cells[None])
    for key, (num, den) in totals.items():
        yield from _ratio_row(m, None, key, num, den)


def _ratio_row(
    m: Moment, geography: str | None, category: Category | None, num: int, den: int
) -> Iterator[Row]:
    if den > 0:  # a group with nobody in it this year has no data point
        value = ratio_value(num, den, RATIO_SCALE[m.indicator.unit])
        yield Row(m.indicator.code, m.span, geography, category, value, num, den)


def _group_rate(m: Moment, rate: float, offset: float) -> float:
    scale = RATIO_SCALE[m.indicator.unit]
    shifted = rate + m.sign * offset * m.gap + m.rng.gauss(0, m.indicator.noise)
    return clamp(shifted, 0.005 * scale, 0.995 * scale)


def _area_ratio_cells(
    world: World, m: Moment, area: Area
) -> dict[Category | None, tuple[int, int]]:
    """The area's total and its groups' numerators and denominators."""
    ind = m.indicator
    scale = RATIO_SCALE[ind.unit]
    den = round(ind.pop * area.share * (1 + 0.01 * m.t) * m.rng.uniform(0.98, 1.02))
    rate = _group_rate(m, m.level + m.sign * area.advantage * ind.spread, 0.0)
    num = round(den * rate / scale)
    cells: dict[Category | None, tuple[int, int]] = {None: (num, den)}
    for dim in ind.dims:
        rates = [_group_rate(m, rate, offset) for offset in world.offsets(dim)]
        parts = split_ratio(num, den, area.mixes[dim], rates)
        cells.update(zip(world.categories(dim), parts, strict=True))
    return cells


def _school_ratio_rows(world: World, m: Moment, area: Area, num: int, den: int) -> Iterator[Row]:
    schools = world.open_schools(area, m.indicator.schools, m.span)
    base = m.level + m.sign * area.advantage * m.indicator.spread
    rates = [_group_rate(m, base + m.sign * s.effect * 2 * m.indicator.spread, 0) for s in schools]
    parts = split_ratio(num, den, [s.size for s in schools], rates)
    for school, (s_num, s_den) in zip(schools, parts, strict=True):
        yield from _ratio_row(m, school.definition.code, None, s_num, s_den)


# Counts: whole numbers that add up.


def _count_rows(world: World, m: Moment) -> Iterator[Row]:
    areas = world.areas(m.indicator)
    weights = [a.share * (1 + m.sign * a.advantage * 0.15) for a in areas]
    totals: dict[Category | None, int] = defaultdict(int)
    for area, count in zip(areas, apportion(max(0, round(m.level)), weights), strict=True):
        cells = _area_count_cells(world, m, area, count)
        for key, value in cells.items():
            totals[key] += value
            if area.code is not None:
                yield _row(m, area.code, key, Decimal(value))
        if area.code is not None and m.indicator.schools:
            schools = world.open_schools(area, m.indicator.schools, m.span)
            parts = apportion(count, [s.size for s in schools])
            for school, value in zip(schools, parts, strict=True):
                yield _row(m, school.definition.code, None, Decimal(value))
    for key, value in totals.items():
        yield _row(m, None, key, Decimal(value))


def _area_count_cells(
    world: World, m: Moment, area: Area, count: int
) -> dict[Category | None, int]:
    cells: dict[Category | None, int] = {None: count}
    for dim in m.indicator.dims:
        weights = [
            share * max(0.1, 1 + m.sign * offset * m.gap)
            for share, offset in zip(area.mixes[dim], world.offsets(dim), strict=True)
        ]
        cells.update(zip(world.categories(dim), apportion(count, weights), strict=True))
    return cells


# Scores and medians: values that do not add up.


def _plain_rows(world: World, m: Moment) -> Iterator[Row]:
    ind = m.indicator
    yield from _plain_cells(world, m, None, m.level)
    if ind.level != "district":
        return
    for area in world.districts:
        value = m.level + m.sign * area.advantage * ind.spread + m.rng.gauss(0, ind.noise)
        yield from _plain_cells(world, m, area.code, value)
        for school in world.open_schools(area, ind.schools, m.span) if ind.schools else []:
            shifted = value + m.sign * school.effect * 1.5 * ind.spread
            yield _row(m, school.definition.code, None, _plain_value(ind, shifted))


def _plain_cells(world: World, m: Moment, geography: str | None, value: float) -> Iterator[Row]:
    ind = m.indicator
    yield _row(m, geography, None, _plain_value(ind, value))
    for dim in ind.dims:
        for category, offset in zip(world.categories(dim), world.offsets(dim), strict=True):
            shifted = value + m.sign * offset * m.gap + m.rng.gauss(0, ind.noise)
            yield _row(m, geography, category, _plain_value(ind, shifted))


def _plain_value(indicator: IndicatorDef, value: float) -> Decimal:
    if indicator.unit == Unit.CURRENCY:
        return Decimal(round(value, -1)).quantize(Decimal(1))
    return Decimal(str(round(value, 1)))


_MAKERS = {Unit.PERCENT: _ratio_rows, Unit.RATE: _ratio_rows, Unit.COUNT: _count_rows}
