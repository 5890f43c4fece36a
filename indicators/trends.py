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

from .models import GapTrend, TrendStatus


def period_x(start: date) -> float:
    """A period's position in time, in years: 2021-07-01 -> 2021.5.

    Periods start on the first of a month, so this is exact for them; any other
    day counts as its fraction of the month.
    """
    days = calendar.monthrange(start.year, start.month)[1]
    return start.year + (start.month - 1 + (start.day - 1) / days) / 12


@dataclass(frozen=True, slots=True)
class Point:
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


@dataclass(frozen=True, slots=True)
class Figures:
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


def least_squares(points: Sequence[Point]) -> tuple[float, float] | None:
    """(slope per year, intercept) of value against time; None without two distinct times."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(p.x for p in points) / n
    mean_y = sum(float(p.value) for p in points) / n
    sxx = sum((p.x - mean_x) ** 2 for p in points)
    if sxx == 0:
        return None
    sxy = sum((p.x - mean_x) * (float(p.value) - mean_y) for p in points)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def current_run(rule: Rule, values: Sequence[Decimal]) -> int:
    """Consecutive most recent moves in one direction: +n improvements, -n declines.

    A move of zero ends a run, and a last move of zero gives 0.
    """
    run = 0
    sign = 0
    for i in range(len(values) - 1, 0, -1):
        move = better(rule, values[i - 1], values[i])
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
    if not points:
        return Figures(
            0, None, None, None, None, None, TrendStatus.INSUFFICIENT_DATA, None, None, 0, None,
            None, None,
        )  # fmt: skip
    baseline = next((p for p in points if p.period_id == rule.baseline_period_id), points[0])
    latest = points[-1]
    fit = least_squares(points)
    slope, intercept = fit if fit else (None, None)
    progress = None
    if rule.target_value is not None and rule.target_value != baseline.value:
        progress = (latest.value - baseline.value) / (rule.target_value - baseline.value)
    projection = on_track = None
    if fit is not None and rule.target_value is not None and rule.target_x is not None:
        projection = intercept + slope * rule.target_x
        target = float(rule.target_value)
        on_track = projection >= target if rule.higher_is_better else projection <= target
    return Figures(
        n_points=len(points),
        baseline_period_id=baseline.period_id,
        baseline_value=baseline.value,
        latest_period_id=latest.period_id,
        latest_value=latest.value,
        change=latest.value - baseline.value,
        status=status_of(rule, len(points), baseline.value, latest.value),
        slope=slope,
        intercept=intercept,
        current_run=current_run(rule, [p.value for p in points]),
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
