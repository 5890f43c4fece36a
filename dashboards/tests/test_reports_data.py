"""What a progress report says (issue 6): the trend sentence, the figures (the same
as the stored trends), approved data only, small cells suppressed for funders, the
scope and the period range. The ``reported`` fixture is shared with the other
report test modules (they import ``reported_fixture``)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.reports.data import report_data
from dashboards.reports.sentences import format_change, format_value, trend_sentence
from indicators import trend_engine, trends
from indicators.models import DataStatus, IndicatorDimension, Trend, Unit
from indicators.services import dimension_create
from partnership.tests.factories import DataPointFactory, OutcomeAreaFactory, period

# docs/trends.md's worked example: kindergarten readiness, partnership-wide total.
K_READY = {
    "2018-19": "48.0",
    "2019-20": "50.5",
    "2020-21": "49.8",
    "2021-22": "53.1",
    "2022-23": "55.0",
    "2023-24": "57.2",
}
# By income: low income stays 10 points below; "not low income" rests on 8 children
# in 2023-24 (below the minimum cell size of 10).
LOW = {"2018-19": "42.0", "2023-24": "51.0"}
NOT_LOW = {"2018-19": "55.0", "2023-24": "62.5"}
# A partner's note on 2021-22, written as a spreadsheet formula would be.
NOTE = "=1+1 new assessment tool"
SUMMER = {"2019": "1200", "2020": "1100", "2021": "1310", "2022": "1405"}


def _point(indicator, label, value, *, den=200, category=None, status=DataStatus.APPROVED, note=""):
    value = Decimal(value)
    numerator = None
    if indicator.unit == Unit.PERCENT:
        numerator = (value * den / 100).quantize(Decimal("0.000001"))
    return DataPointFactory(
        indicator=indicator,
        period=period(label, indicator.period_kind),
        category=category,
        value=value,
        numerator=numerator,
        denominator=den if numerator is not None else None,
        status=status,
        note=note,
    )


@pytest.fixture(name="reported")
def reported_fixture(world):
    """k-ready in "Kindergarten readiness" with the worked example, a target of 60% in
    2025-26, an income breakdown with one small cell and an unapproved 2024-25;
    summer-reading (a count) in "Early grade reading" with four calendar years."""
    indicator = world.indicator
    indicator.name = "Kindergarten readiness"
    indicator.definition = '=HYPERLINK("http://evil") children assessed ready'
    indicator.baseline_period = period("2018-19", "school_year")
    indicator.target_value = Decimal("60")
    indicator.target_period = period("2025-26", "school_year")
    indicator.threshold = Decimal("1")
    indicator.save()
    income = dimension_create(
        partnership=world.partnership,
        code="income",
        name="Income",
        categories=[("low", "Low income"), ("not-low", "Not low income")],
    )
    IndicatorDimension.objects.create(indicator=indicator, dimension=income)
    low, not_low = income.categories.order_by("order")
    for label, value in K_READY.items():
        _point(indicator, label, value, note=NOTE if label == "2021-22" else "")
    for label, value in LOW.items():
        _point(indicator, label, value, category=low, den=120)
    _point(indicator, "2018-19", NOT_LOW["2018-19"], category=not_low, den=80)
    _point(indicator, "2023-24", NOT_LOW["2023-24"], category=not_low, den=8)
    _point(indicator, "2024-25", "99.9", status=DataStatus.SUBMITTED)

    area = OutcomeAreaFactory(
        partnership=world.partnership, slug="early-grade-reading", name="Early grade reading"
    )
    summer = world.other_indicator
    summer.name = "Children in summer reading"
    summer.outcome_area = area
    summer.unit = Unit.COUNT
    summer.frequency = "annual"
    summer.aggregation = "sum"
    summer.save()
    for label, value in SUMMER.items():
        _point(summer, label, value)
    for pk in (indicator.pk, summer.pk):
        trend_engine.recompute_indicator(pk)
    return SimpleNamespace(
        world=world, k_ready=indicator, summer=summer, low=low, not_low=not_low, area=area
    )


# --- the sentence ------------------------------------------------------------------


def test_sentence_of_the_worked_example(reported):
    section = report_data(partnership=reported.world.partnership).indicators[0]
    assert section.sentence == (
        "Kindergarten readiness rose from 48.0% in 2018-19 to 57.2% in 2023-24; "
        "on track for its 2025-26 target of 60%."
    )


def _figures(values, **rule):
    points = [trends.Point(i, 2000 + i, Decimal(v)) for i, v in enumerate(values)]
    return trends.compute(points, trends.Rule(higher_is_better=True, **rule))


def _indicator(**fields):
    defaults = {"name": "Chronic absence", "unit": Unit.PERCENT, "target_value": None}
    return SimpleNamespace(**{**defaults, **fields})


def test_sentence_when_falling_and_off_track():
    target_period = SimpleNamespace(label="2030", start=None)
    figures = _figures(["30", "25", "20"], target_value=Decimal("40"), target_x=2010.0)
    text = trend_sentence(
        indicator=_indicator(target_value=Decimal("40"), target_period=target_period),
        figures=figures,
        baseline_label="2000",
        latest_label="2002",
    )
    assert text == (
        "Chronic absence fell from 30.0% in 2000 to 20.0% in 2002; not on track for its "
        "2030 target of 40% (the trend points to -20.0%)."
    )


def test_sentence_without_enough_data_or_hidden():
    one = trend_sentence(
        indicator=_indicator(unit=Unit.COUNT, name="Families served"),
        figures=_figures(["1250"]),
        baseline_label="2000",
        latest_label="2000",
    )
    assert one == "Families served was 1,250 in 2000; a trend needs at least two values."
    none = trend_sentence(
        indicator=_indicator(), figures=_figures([]), baseline_label=None, latest_label=None
    )
    assert none == "Chronic absence has no approved data in this period."
    hidden = trend_sentence(
        indicator=_indicator(),
        figures=_figures(["10", "12"]),
        baseline_label="2000",
        latest_label="2001",
        suppressed=True,
    )
    assert "12" not in hidden.replace("2001", "") and "smaller than 10" in hidden
    flat = trend_sentence(
        indicator=_indicator(), figures=_figures(["10", "10"]), baseline_label="a",
        latest_label="b",
    )  # fmt: skip
    assert flat == "Chronic absence held at 10.0% from a to b."


@pytest.mark.parametrize(
    "value,unit,text",
    [
        ("48", Unit.PERCENT, "48.0%"),
        ("57.25", Unit.PERCENT, "57.3%"),
        ("1250", Unit.COUNT, "1,250"),
        ("25000.4", Unit.CURRENCY, "$25,000"),
        ("-1500", Unit.CURRENCY, "-$1,500"),
        ("245", Unit.SCORE, "245"),
        ("12.44", Unit.RATE, "12.4"),
    ],
)
def test_values_print_by_unit(value, unit, text):
    assert format_value(Decimal(value), unit) == text


def test_targets_print_exactly_and_changes_with_a_sign():
    assert format_value(Decimal("60.000000"), Unit.PERCENT, exact=True) == "60%"
    assert format_value(Decimal("62.5"), Unit.PERCENT, exact=True) == "62.5%"
    assert format_change(Decimal("9.2"), Unit.PERCENT) == "+9.2 points"
    assert format_change(Decimal("-120"), Unit.COUNT) == "-120"


@given(
    st.lists(st.decimals(min_value=0, max_value=100, places=1), min_size=2, max_size=8),
)
def test_sentence_names_the_computed_baseline_and_latest(values):
    figures = _figures([str(v) for v in values])
    text = trend_sentence(
        indicator=_indicator(), figures=figures, baseline_label="B", latest_label="L"
    )
    assert format_value(figures.latest_value, Unit.PERCENT) in text
    if figures.latest_value != figures.baseline_value:
        verb = "rose" if figures.latest_value > figures.baseline_value else "fell"
        assert text.startswith(f"Chronic absence {verb} from ")
        assert format_value(figures.baseline_value, Unit.PERCENT) in text


# --- the figures ---------------------------------------------------------------------


def test_report_figures_are_the_stored_trends(reported):
    data = report_data(partnership=reported.world.partnership)
    for section in data.indicators:
        trend = Trend.objects.get(
            indicator=section.indicator, geography__isnull=True, category__isnull=True
        )
        fig = section.figures
        assert (fig.n_points, fig.status, fig.current_run, fig.on_track) == (
            trend.n_points, trend.status, trend.current_run, trend.on_track,
        )  # fmt: skip
        assert fig.baseline_value == trend.baseline_value
        assert fig.latest_value == trend.latest_value
        assert fig.change == trend.change
        assert section.baseline_period == trend.baseline_period
        assert section.latest_period == trend.latest_period
        assert fig.slope == pytest.approx(trend.slope)
        if trend.projection is not None:
            assert fig.projection == pytest.approx(trend.projection)


def test_only_approved_data_reaches_a_report(reported):
    section = report_data(partnership=reported.world.partnership).indicators[0]
    labels = [v.period.label for v in section.headline]
    assert labels == list(K_READY) and "2024-25" not in labels
    assert section.latest_period.label == "2023-24"


def test_small_cells_are_suppressed_for_the_funder_audience(reported):
    """Whoever builds it, a report is read by funders: the 8-child cell is hidden, and
    so is the equity gap that rests on it."""
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    section = data.indicators[0]
    by_category = {c.category.code: c for c in section.categories}
    cells = {v.period.label: v for v in by_category["not-low"].values}
    assert cells["2023-24"].suppressed and cells["2023-24"].value is None
    assert cells["2023-24"].denominator is None and cells["2023-24"].numerator is None
    assert not cells["2018-19"].suppressed and cells["2018-19"].value == Decimal("55")
    (gap,) = section.gaps
    assert gap.suppressed and gap.gap is None
    assert gap.baseline_gap == Decimal("13")  # 55.0 - 42.0 at 2018-19: no small cell
    assert data.suppressed_count == 1


def test_equity_gaps_are_the_stored_ones(reported):
    from indicators.models import EquityGap

    (gap,) = report_data(partnership=reported.world.partnership).indicators[0].gaps
    stored = EquityGap.objects.get(indicator=reported.k_ready, geography__isnull=True)
    assert (gap.highest.pk, gap.lowest.pk) == (
        stored.highest_category_id, stored.lowest_category_id,
    )  # fmt: skip
    assert gap.baseline_gap == stored.baseline_gap and gap.gap_trend == stored.gap_trend
    assert (gap.period, gap.baseline_period) == (stored.latest_period, stored.baseline_period)
    assert stored.gap == Decimal("11.5")  # 62.5 - 51.0: the report hides it (8 children)


def test_scope_and_period_range(reported):
    partnership = reported.world.partnership
    data = report_data(
        partnership=partnership,
        outcome_areas=["kindergarten-readiness"],
        period_from=period("2020-21", "school_year"),
        period_to=period("2022-23", "school_year"),
    )
    assert [a.area.slug for a in data.areas] == ["kindergarten-readiness"]
    assert data.scope_label == "Kindergarten readiness" and not data.whole_partnership
    (section,) = data.indicators
    assert [v.period.label for v in section.headline] == ["2020-21", "2021-22", "2022-23"]
    # The baseline period (2018-19) is outside the range: the first value in it counts.
    assert section.baseline_period.label == "2020-21"
    assert section.figures.change == Decimal("5.2")
    assert data.span_label == "2020-21 to 2022-23"


def test_without_disaggregation_no_category_series(reported):
    data = report_data(partnership=reported.world.partnership)
    assert all(not s.categories for s in data.indicators)
    # The equity section is still there: gaps do not need the category tables.
    assert data.indicators[0].gaps


def test_report_data_reads_in_a_fixed_number_of_queries(reported, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        data = report_data(partnership=reported.world.partnership, disaggregate=True)
        assert len(data.indicators) == 2


def test_scorecard_counts(reported):
    data = report_data(partnership=reported.world.partnership)
    assert data.counts == {
        "total": 2, "improving": 2, "worsening": 0, "no_change": 0, "insufficient_data": 0,
    }  # fmt: skip
    assert [a.counts["total"] for a in data.areas] == [1, 1]
