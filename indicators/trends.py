"""The trend definitions of DOMAIN.md as plain functions over one series.

No database here: the engine (``trend_engine.py``) reads points and writes
results; these functions only compute, so tests can compare them with an
independent computation. Values stay ``Decimal`` where they are data (baseline,
latest, change, gaps, progress to target); the regression figures (slope,
projection) are floats. docs/trends.md explains each figure for users.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from operator import mul
from typing import NamedTuple

from .models import GapTrend, TrendStatus


def period_x(start: date) -> float:
    """A period's position in time, in years: 2021-07-01 -> 2021.5.

    Periods start on the first of a month, so this is exact for them; any other
    day counts as its fraction of the month.
    """
    days = calendar.monthrange(start.year, start.month)[1]
    return start.year + (start.month - 1 + (start.day - 1) / days) / 12


class Point(NamedTuple):
    """One value of a series (a named tuple: a recompute builds a million of them)."""

    period_id: int
    x: float  # period start, in years
    value: Decimal


@dataclass(frozen=True, slots=True)
class Rule:
    """What a trend needs to know about its indicator."""

    higher_is_better: bool
    threshold: Decimal = Decimal(0)
    baseline_period_id: int | None = None
    target_value: Decimal | None = None
    target_x: float | None = None


class Figures(NamedTuple):
    """Every figure of one series (a named tuple: a recompute makes one per series)."""

    n_points: int
    baseline_period_id: int | None
    baseline_value: Decimal | None
    latest_period_id: int | None
    latest_value: Decimal | None
    change: Decimal | None
    status: str
    slope: float | None
    intercept: float | None
    current_run: int
    progress_to_target: Decimal | None
    projection: float | None
    on_track: bool | None


def better(rule: Rule, a: Decimal, b: Decimal) -> Decimal:
    """How much better ``b`` is than ``a`` (negative: worse)."""
    return b - a if rule.higher_is_better else a - b


Basis = tuple[float, list[float], float]  # mean time, each time's distance from it, sum of squares


def line_basis(xs: Sequence[float]) -> Basis | None:
    """What a least-squares line needs of the times alone, so that series measured
    at the same periods (most of an indicator's) share it; None without two
    distinct times."""
    n = len(xs)
    if n < 2:
        return None
    mean_x = sum(xs) / n
    dxs = [x - mean_x for x in xs]
    sxx = sum(map(mul, dxs, dxs))
    return None if sxx == 0 else (mean_x, dxs, sxx)


def least_squares(
    xs: Sequence[float], values: Sequence[Decimal], basis: Basis | None = None
) -> tuple[float, float, float, float] | None:
    """(slope per year, intercept, mean time, mean value) of value against time;
    None without two distinct times. ``basis``: ``line_basis(xs)``, if known."""
    if basis is None:
        basis = line_basis(xs)
        if basis is None:
            return None
    mean_x, dxs, sxx = basis
    ys = [float(v) for v in values]
    mean_y = sum(ys) / len(ys)
    slope = sum(map(mul, dxs, ys)) / sxx  # the sum of the distances is 0
    return slope, mean_y - slope * mean_x, mean_x, mean_y


def _exact_x(x: float) -> Fraction:
    """A period position as the exact fraction it stands for: periods start on a
    day of a month, so its denominator divides 12 x (days in the month)."""
    return Fraction(x).limit_denominator(10_000)


def reaches_target(xs: Sequence[float], values: Sequence[Decimal], rule: Rule) -> bool:
    """Whether the least-squares line at the target period is at or better than
    the target, in exact arithmetic: used where the floating-point projection is
    too close to the target to tell (a series exactly on course)."""
    exact_xs = [_exact_x(x) for x in xs]
    ys = [Fraction(v) for v in values]
    n = len(xs)
    mean_x = sum(exact_xs) / n
    mean_y = sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(exact_xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in exact_xs)
    projection = mean_y + sxy / sxx * (_exact_x(rule.target_x) - mean_x)
    target = Fraction(rule.target_value)
    return projection >= target if rule.higher_is_better else projection <= target


def current_run(rule: Rule, values: Sequence[Decimal]) -> int:
    """Consecutive most recent moves in one direction: +n improvements, -n declines.

    A move of zero ends a run, and a last move of zero gives 0.
    """
    run = 0
    sign = 0
    flip = 1 if rule.higher_is_better else -1  # as ``better``, without a call per move
    for i in range(len(values) - 1, 0, -1):
        move = (values[i] - values[i - 1]) * flip
        step = (move > 0) - (move < 0)
        if step == 0 or (sign and step != sign):
            break
        sign = step
        run += 1
    return sign * run


def status_of(rule: Rule, n_points: int, baseline: Decimal, latest: Decimal) -> str:
    if n_points < 2:
        return TrendStatus.INSUFFICIENT_DATA
    gain = better(rule, baseline, latest)
    if gain > rule.threshold:
        return TrendStatus.IMPROVING
    if gain < -rule.threshold:
        return TrendStatus.WORSENING
    return TrendStatus.NO_CHANGE


def compute(points: Sequence[Point], rule: Rule) -> Figures:
    """Every figure of one series; ``points`` must be sorted by time."""
    return compute_series(
        [p.period_id for p in points], [p.x for p in points], [p.value for p in points], rule
    )


def compute_series(
    period_ids: Sequence[int],
    xs: Sequence[float],
    values: Sequence[Decimal],
    rule: Rule,
    basis: Basis | None = None,
) -> Figures:
    """``compute`` over a series given as three lists in time order (period ids,
    positions in years, values): the engine's form, with no object per point;
    ``basis`` is ``line_basis(xs)`` where the caller has it already."""
    n = len(values)
    if not n:
        return Figures(
            0, None, None, None, None, None, TrendStatus.INSUFFICIENT_DATA, None, None, 0, None,
            None, None,
        )  # fmt: skip
    base = 0
    if rule.baseline_period_id is not None and rule.baseline_period_id in period_ids:
        base = period_ids.index(rule.baseline_period_id)
    baseline, latest = values[base], values[-1]
    fit = None if basis is None and n < 2 else least_squares(xs, values, basis)
    slope, intercept = fit[:2] if fit else (None, None)
    progress = None
    if rule.target_value is not None and rule.target_value != baseline:
        progress = (latest - baseline) / (rule.target_value - baseline)
    projection = on_track = None
    if fit is not None and rule.target_value is not None and rule.target_x is not None:
        mean_x, mean_y = fit[2:]
        projection = mean_y + slope * (rule.target_x - mean_x)
        target = float(rule.target_value)
        if abs(projection - target) <= 1e-9 * max(1.0, abs(target)):
            on_track = reaches_target(xs, values, rule)  # too close to call in floats
        else:
            on_track = projection >= target if rule.higher_is_better else projection <= target
    return Figures(
        n_points=n,
        baseline_period_id=period_ids[base],
        baseline_value=baseline,
        latest_period_id=period_ids[-1],
        latest_value=latest,
        change=latest - baseline,
        status=status_of(rule, n, baseline, latest),
        slope=slope,
        intercept=intercept,
        current_run=current_run(rule, values),
        progress_to_target=progress,
        projection=projection,
        on_track=on_track,
    )


@dataclass(frozen=True, slots=True)
class Gap:
    gap: Decimal
    highest: int  # category id
    lowest: int
    baseline_gap: Decimal | None
    gap_trend: str


def spread(values: dict[int, Decimal]) -> tuple[Decimal, int, int] | None:
    """(max - min, id of the highest, id of the lowest) over two or more categories."""
    if len(values) < 2:
        return None
    highest = max(values, key=lambda k: (values[k], -k))
    lowest = min(values, key=lambda k: (values[k], k))
    return values[highest] - values[lowest], highest, lowest


def equity_gap(latest: dict[int, Decimal], baseline: dict[int, Decimal] | None) -> Gap | None:
    """The gap between categories at the latest period, and how it moved since the
    baseline period. Needs at least two categories with a value at the latest period."""
    now = spread(latest)
    if now is None:
        return None
    then = spread(baseline) if baseline else None
    trend = ""
    if then is not None:
        if now[0] < then[0]:
            trend = GapTrend.NARROWED
        elif now[0] > then[0]:
            trend = GapTrend.WIDENED
        else:
            trend = GapTrend.UNCHANGED
    return Gap(now[0], now[1], now[2], then[0] if then else None, trend)
