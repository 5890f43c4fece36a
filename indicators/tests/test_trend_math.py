"""Every trend figure against an independent computation (numpy and plain
arithmetic written from DOMAIN.md's words), on hand-picked and random series."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.trends import Point, Rule, compute, current_run, equity_gap, period_x

HIGHER = Rule(higher_is_better=True)
LOWER = Rule(higher_is_better=False)


def series(values, start_year=2018, baseline=None):
    """School-year points 2018-19, 2019-20, ... (None leaves a period missing)."""
    return [
        Point(period_id=i, x=period_x(date(start_year + i, 7, 1)), value=Decimal(str(v)))
        for i, v in enumerate(values)
        if v is not None
    ]


def test_period_x_is_the_start_in_years():
    assert period_x(date(2021, 7, 1)) == 2021.5
    assert period_x(date(2021, 1, 1)) == 2021.0
    assert period_x(date(2021, 10, 1)) == 2021.75


def test_worked_example_kindergarten_readiness():
    # The docs/trends.md example: 48.0, 50.5, 49.8, 53.1, 55.0, 57.2; baseline 2018-19.
    points = series([48.0, 50.5, 49.8, 53.1, 55.0, 57.2])
    rule = Rule(
        higher_is_better=True,
        threshold=Decimal("1"),
        baseline_period_id=0,
        target_value=Decimal("60"),
        target_x=period_x(date(2025, 7, 1)),
    )
    fig = compute(points, rule)
    assert fig.baseline_value == Decimal("48.0")
    assert fig.latest_value == Decimal("57.2")
    assert fig.change == Decimal("9.2")
    assert fig.status == "improving"
    assert fig.current_run == 3
    assert fig.progress_to_target == Decimal("9.2") / Decimal("12.0")
    slope, intercept = np.polyfit([p.x for p in points], [float(p.value) for p in points], 1)
    assert fig.slope == pytest.approx(slope)
    assert fig.projection == pytest.approx(intercept + slope * 2025.5)
    assert fig.on_track is (fig.projection >= 60)
    # The figures docs/trends.md quotes for this example.
    assert round(fig.slope, 2) == 1.79
    assert round(fig.projection, 1) == 60.3
    assert fig.on_track is True


@pytest.mark.parametrize(
    ("values", "rule", "status", "run"),
    [
        ([10], HIGHER, "insufficient_data", 0),
        ([], HIGHER, "insufficient_data", 0),
        ([10, 12], HIGHER, "improving", 1),
        ([10, 12], LOWER, "worsening", -1),
        ([12, 10, 8, 8], LOWER, "improving", 0),  # last move zero: run 0
        ([5, 5, 5], HIGHER, "no_change", 0),
        ([5, 6, 7, 6, 5, 4], HIGHER, "worsening", -3),
        ([5, None, 7, None, 9], HIGHER, "improving", 2),  # missing periods are skipped
    ],
)
def test_status_and_current_run(values, rule, status, run):
    fig = compute(series(values), rule)
    assert fig.status == status
    assert fig.current_run == run


def test_threshold_is_the_meaningful_change():
    rule = Rule(higher_is_better=True, threshold=Decimal("2"))
    assert compute(series([50, 51.5]), rule).status == "no_change"
    assert compute(series([50, 52]), rule).status == "no_change"  # not more than 2
    assert compute(series([50, 52.1]), rule).status == "improving"
    assert compute(series([50, 47.9]), rule).status == "worsening"


def test_baseline_period_is_used_when_the_series_has_it():
    rule = Rule(higher_is_better=True, baseline_period_id=2)
    fig = compute(series([40, 45, 50, 48]), rule)
    assert (fig.baseline_period_id, fig.baseline_value) == (2, Decimal(50))
    assert fig.status == "worsening"
    missing = compute(series([40, 45, None, 48]), rule)
    assert missing.baseline_period_id == 0  # no point at the baseline: the first point


def test_progress_needs_a_target_different_from_baseline():
    assert compute(series([50, 55]), HIGHER).progress_to_target is None
    same = Rule(higher_is_better=True, target_value=Decimal(50), target_x=2030.5)
    assert compute(series([50, 55]), same).progress_to_target is None
    below = Rule(higher_is_better=False, target_value=Decimal(40), target_x=2030.5)
    fig = compute(series([50, 45]), below)
    assert fig.progress_to_target == Decimal("0.5")


def test_single_point_has_no_slope_or_projection():
    rule = Rule(higher_is_better=True, target_value=Decimal(60), target_x=2030.5)
    fig = compute(series([50]), rule)
    assert fig.slope is None and fig.projection is None and fig.on_track is None


def test_equity_gap_and_its_direction():
    gap = equity_gap(
        {1: Decimal(40), 2: Decimal(70), 3: Decimal(55)}, {1: Decimal(30), 2: Decimal(70)}
    )
    assert (gap.gap, gap.highest, gap.lowest) == (Decimal(30), 2, 1)
    assert (gap.baseline_gap, gap.gap_trend) == (Decimal(40), "narrowed")
    widened = equity_gap({1: Decimal(10), 2: Decimal(50)}, {1: Decimal(20), 2: Decimal(50)})
    assert widened.gap_trend == "widened"
    same = equity_gap({1: Decimal(10), 2: Decimal(50)}, {1: Decimal(20), 2: Decimal(60)})
    assert same.gap_trend == "unchanged"
    assert equity_gap({1: Decimal(10)}, None) is None  # one category: no gap
    assert equity_gap({1: Decimal(10), 2: Decimal(12)}, {}).gap_trend == ""


# --- property-based: random series against an independent computation --------

values = st.decimals(
    min_value=Decimal("-1000"), max_value=Decimal("1000"), places=2, allow_nan=False
)


@st.composite
def random_series(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    years = sorted(draw(st.sets(st.integers(2000, 2040), min_size=n, max_size=n)))
    vals = draw(st.lists(values | st.just(Decimal("5.00")), min_size=n, max_size=n))
    points = [
        Point(period_id=y, x=period_x(date(y, 7, 1)), value=v)
        for y, v in zip(years, vals, strict=True)
    ]
    higher = draw(st.booleans())
    threshold = draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(3)]))
    baseline = draw(st.none() | st.sampled_from(years or [0]) | st.just(1999))
    target = draw(st.none() | values)
    target_year = draw(st.integers(2030, 2045))
    rule = Rule(
        higher_is_better=higher,
        threshold=threshold,
        baseline_period_id=baseline,
        target_value=target,
        target_x=period_x(date(target_year, 7, 1)) if target is not None else None,
    )
    return points, rule


def reference(points, rule):
    """DOMAIN.md's definitions, written again independently."""
    if not points:
        return None
    vals = [p.value for p in points]
    by_id = {p.period_id: p for p in points}
    base = by_id.get(rule.baseline_period_id, points[0])
    latest = points[-1]
    sign = 1 if rule.higher_is_better else -1
    gain = sign * (latest.value - base.value)
    if len(points) < 2:
        status = "insufficient_data"
    elif gain > rule.threshold:
        status = "improving"
    elif gain < -rule.threshold:
        status = "worsening"
    else:
        status = "no_change"
    moves = [sign * (b - a) for a, b in pairwise(vals)]
    run = 0
    if moves and moves[-1] != 0:
        direction = 1 if moves[-1] > 0 else -1
        for m in reversed(moves):
            if m == 0 or (m > 0) != (direction > 0):
                break
            run += 1
        run *= direction
    slope = intercept = None
    xs = np.array([p.x for p in points])
    if len(points) >= 2 and np.ptp(xs) > 0:
        slope, intercept = np.polyfit(xs, np.array([float(v) for v in vals]), 1)
    progress = None
    if rule.target_value is not None and rule.target_value != base.value:
        progress = (latest.value - base.value) / (rule.target_value - base.value)
    projection = None
    if slope is not None and rule.target_value is not None:
        projection = intercept + slope * rule.target_x
    return base, latest, status, run, slope, progress, projection


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(random_series())
def test_random_series_match_the_reference(case):
    points, rule = case
    fig = compute(points, rule)
    expected = reference(points, rule)
    if expected is None:
        assert fig.n_points == 0 and fig.status == "insufficient_data"
        return
    base, latest, status, run, slope, progress, projection = expected
    assert fig.n_points == len(points)
    assert (fig.baseline_period_id, fig.baseline_value) == (base.period_id, base.value)
    assert (fig.latest_period_id, fig.latest_value) == (latest.period_id, latest.value)
    assert fig.change == latest.value - base.value
    assert fig.status == status
    assert fig.current_run == run
    assert fig.progress_to_target == progress
    if slope is None:
        assert fig.slope is None and fig.projection is None
    else:
        scale = max(1.0, max(abs(float(p.value)) for p in points))
        assert fig.slope == pytest.approx(slope, rel=1e-6, abs=1e-6 * scale)
        if projection is not None:
            assert fig.projection == pytest.approx(projection, rel=1e-6, abs=1e-4 * scale)
            if abs(projection - float(rule.target_value)) > 1e-6 * scale:
                expected_on_track = bool(
                    projection >= float(rule.target_value)
                    if rule.higher_is_better
                    else projection <= float(rule.target_value)
                )
                assert fig.on_track is expected_on_track


@given(st.lists(values, min_size=2, max_size=8))
def test_all_equal_values_are_flat(vals):
    flat = [vals[0]] * len(vals)
    fig = compute(series([float(v) for v in flat]), HIGHER)
    assert fig.status == "no_change"
    assert fig.current_run == 0
    assert fig.slope == pytest.approx(0, abs=1e-9)


@given(st.lists(values, min_size=2, max_size=10))
def test_direction_flips_every_judgement(vals):
    points = series([float(v) for v in vals])
    up, down = compute(points, HIGHER), compute(points, LOWER)
    assert up.current_run == -down.current_run
    flipped = {"improving": "worsening", "worsening": "improving"}
    assert down.status == flipped.get(up.status, up.status)
    assert up.slope == down.slope  # the line itself does not depend on direction
    assert current_run(HIGHER, [p.value for p in points]) == up.current_run


# --- on track exactly at the target ------------------------------------------


def _school_year(year):
    return period_x(date(year, 7, 1))


@pytest.mark.parametrize("higher", [True, False])
def test_a_flat_series_sitting_on_its_target_is_on_track(higher):
    # 57.2 six years running, target 57.2: "at or better" is on track, whichever
    # way is better (in floating point the line lands at 57.199999999999996).
    rule = Rule(higher_is_better=higher, target_value=Decimal("57.2"), target_x=_school_year(2026))
    fig = compute(series([57.2] * 6), rule)
    assert fig.projection == pytest.approx(57.2)
    assert fig.on_track is True


def test_a_line_that_lands_exactly_on_the_target_is_on_track():
    # 40.0, 43.4, 46.8 rise 3.4 a year: 57.0 in 2023-24, exactly the target.
    points = series([40.0, 43.4, 46.8])
    exactly = Rule(higher_is_better=True, target_value=Decimal("57.0"), target_x=_school_year(2023))
    assert compute(points, exactly).on_track is True
    short = Rule(higher_is_better=True, target_value=Decimal("57.01"), target_x=_school_year(2023))
    assert compute(points, short).on_track is False
    # Lower is better: 57.0 is at the target, 56.99 would need the line to fall further.
    lower = Rule(higher_is_better=False, target_value=Decimal("57.0"), target_x=_school_year(2023))
    assert compute(points, lower).on_track is True
    beyond = Rule(
        higher_is_better=False, target_value=Decimal("56.99"), target_x=_school_year(2023)
    )
    assert compute(points, beyond).on_track is False


steps = st.decimals(min_value=Decimal("-20"), max_value=Decimal("20"), places=1)
starts = st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=1)


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    step=steps,
    years=st.sets(st.integers(0, 9), min_size=2, max_size=10),
    target_year=st.integers(10, 20),
    higher=st.booleans(),
    nudge=st.sampled_from([Decimal(0), Decimal("0.1"), Decimal("-0.1")]),
)
def test_series_on_an_exact_line_are_judged_against_the_target_exactly(
    start, step, years, target_year, higher, nudge
):
    # Values exactly on a line (any missing years), target on the same line,
    # nudged 0.1 either way: on track exactly when the target is no better than
    # where the line arrives.
    points = [
        Point(period_id=k, x=_school_year(2010 + k), value=start + step * k) for k in sorted(years)
    ]
    arrives = start + step * target_year
    target = arrives + nudge
    rule = Rule(
        higher_is_better=higher, target_value=target, target_x=_school_year(2010 + target_year)
    )
    fig = compute(points, rule)
    expected = arrives >= target if higher else arrives <= target
    assert fig.on_track is expected
    assert fig.projection == pytest.approx(float(arrives), abs=1e-6)


category_values = st.dictionaries(st.integers(1, 8), values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(latest=category_values, baseline=category_values)
def test_equity_gap_is_highest_minus_lowest_and_its_trend_compares_the_two(latest, baseline):
    gap = equity_gap(latest, baseline)
    if len(latest) < 2:
        assert gap is None
        return
    assert gap.gap == max(latest.values()) - min(latest.values())
    assert latest[gap.highest] == max(latest.values())
    assert latest[gap.lowest] == min(latest.values())
    if len(baseline) < 2:
        assert (gap.baseline_gap, gap.gap_trend) == (None, "")
        return
    before = max(baseline.values()) - min(baseline.values())
    assert gap.baseline_gap == before
    expected = "narrowed" if gap.gap < before else "widened" if gap.gap > before else "unchanged"
    assert gap.gap_trend == expected
