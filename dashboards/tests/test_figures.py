"""The figures module draws what it is given: colours, lines, target, baseline,
projection, notes, suppressed gaps; every figure is valid for plotly and for
plotly.js (the spec dicts are the same figures as the plotly Figures)."""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest

from dashboards import figures
from dashboards.figures import (
    CATEGORY_COLOURS,
    TOTAL_COLOUR,
    BarRow,
    ChartMarker,
    ChartPoint,
    ChartProjection,
    ChartSeries,
    ChartTarget,
    GapPoint,
)
from dashboards.templatetags.charts import chart_html

YEARS = [(f"{y}-{(y + 1) % 100:02d}", date(y, 7, 1)) for y in range(2018, 2023)]


def _series(values, *, name="Total", key="total", colour=TOTAL_COLOUR, notes=None):
    notes = notes or {}
    return ChartSeries(
        name,
        tuple(
            ChartPoint(label, x, v, suppressed=v is None, note=notes.get(label, ""))
            for (label, x), v in zip(YEARS, values, strict=True)
        ),
        colour=colour,
        key=key,
    )


def _trace(figure: go.Figure, key: str):
    return next(t for t in figure.data if t.meta and t.meta.get("key") == key)


def test_category_colours_are_okabe_ito_and_stable_by_order_then_code():
    assert len(set(CATEGORY_COLOURS)) == 7
    assert TOTAL_COLOUR not in CATEGORY_COLOURS
    cats = [
        SimpleNamespace(pk=1, order=2, code="white"),
        SimpleNamespace(pk=2, order=0, code="black"),
        SimpleNamespace(pk=3, order=0, code="asian"),  # ties on order: by code
    ]
    assert figures.category_colours(cats) == {
        3: CATEGORY_COLOURS[0],
        2: CATEGORY_COLOURS[1],
        1: CATEGORY_COLOURS[2],
    }
    # The same dimension listed in another order gets the same colours.
    assert figures.category_colours(reversed(cats)) == figures.category_colours(cats)
    assert figures.colour_for(None) == TOTAL_COLOUR
    assert figures.colour_for(8) == CATEGORY_COLOURS[1]
    assert figures.colour_for(SimpleNamespace(order=2)) == CATEGORY_COLOURS[2]


def test_trend_figure_has_the_lines_target_baseline_projection_and_notes():
    total = _series([48, 50.5, 49.8, 53.1, 55], notes={"2020-21": "New assessment"})
    black = _series([40, 43, None, 49, 52], name="Black", key="black", colour="#0072B2")
    figure = figures.trend_figure(
        [total, black],
        unit="percent",
        target=ChartTarget("2025-26", date(2025, 7, 1), 60.0),
        baseline=ChartMarker("2018-19", date(2018, 7, 1), 48.0),
        projection=ChartProjection(
            date(2022, 7, 1), 54.6, date(2025, 7, 1), 59.6, "2025-26", on_track=False
        ),
    )
    assert isinstance(figure, go.Figure)
    assert list(_trace(figure, "total").y) == [48, 50.5, 49.8, 53.1, 55]
    assert list(_trace(figure, "black").y) == [40, 43, None, 49, 52]  # a gap, no value
    assert _trace(figure, "black").line.color == "#0072B2"
    # The total is drawn last (on top) and listed first in the legend.
    assert [t.meta["key"] for t in figure.data][:2] == ["black", "total"]
    assert _trace(figure, "total").legendrank < _trace(figure, "black").legendrank
    target = _trace(figure, "target")
    assert list(target.y) == [60.0, 60.0]
    assert target.x[-1] == "2025-07-01"
    assert "Target 60.0% by 2025-26" == target.name
    assert list(_trace(figure, "baseline").y) == [48.0]
    projection = _trace(figure, "projection")
    assert list(projection.x) == ["2022-07-01", "2025-07-01"]
    assert "off track" in projection.name
    assert [a.text for a in figure.layout.annotations] == ["New assessment"]
    # Period labels on the axis, the target period included.
    assert figure.layout.xaxis.ticktext[-1] == "2025-26"
    assert figure.layout.yaxis.ticksuffix == "%"
    assert figure.layout.legend.orientation == "h"  # below the plot, for phones


def test_compact_trend_figure_has_no_legend_and_no_notes():
    total = _series([1, 2, 3, 4, 5], notes={"2019-20": "A note"})
    figure = figures.trend_figure(total, unit="count", compact=True)
    assert figure.layout.showlegend is False
    assert not figure.layout.annotations
    assert figure.layout.height == 240


def test_spec_and_figure_are_the_same_chart():
    total = _series([1, 2, 3, 4, 5])
    spec = figures.trend_spec(total, unit="rate")
    figure = figures.trend_figure(total, unit="rate")
    assert [t["y"] for t in spec["data"]] == [list(t.y) for t in figure.data]
    go.Figure(spec)  # plotly validates every property of the spec


def test_geography_comparison_sorts_best_on_top_and_leaves_out_suppressed_rows():
    rows = [BarRow("A", 40.0, key="a"), BarRow("B", None, key="b", suppressed=True),
            BarRow("C", 70.0, key="c")]  # fmt: skip
    figure = figures.geography_comparison_figure(rows, unit="percent", target=60.0)
    bars = figure.data[0]
    assert list(bars.y) == ["A", "C"]  # drawn bottom-up: the best (C) on top
    assert list(bars.x) == [40.0, 70.0]
    assert figure.layout.shapes[0].x0 == 60.0
    lower = figures.geography_comparison_figure(rows, higher_is_better=False)
    assert list(lower.data[0].y) == ["C", "A"]


def test_equity_gap_figure_in_points_with_suppressed_periods_empty():
    gaps = [
        GapPoint("2018-19", date(2018, 7, 1), 30.0, "White", "Black"),
        GapPoint("2019-20", date(2019, 7, 1), None, suppressed=True),
    ]
    figure = figures.equity_gap_figure(gaps, unit="percent", dimension_name="Race")
    assert list(figure.data[0].y) == [30.0, None]
    assert figure.layout.yaxis.ticksuffix == " pts"
    assert figures.format_gap(12.345, "percent") == "12.3 pts"


def test_sparkline_skips_suppressed_points_and_marks_the_latest():
    figure = figures.sparkline_figure(_series([1, None, 3, 4, 5]), target=6)
    line = _trace(figure, "total")
    assert list(line.y) == [1, 3, 4, 5]
    assert list(_trace(figure, "latest").y) == [5]
    assert figure.layout.xaxis.visible is False


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [("percent", 57.25, "57.2%"), ("count", 1204.4, "1,204"), ("currency", 1250, "$1,250"),
     ("score", 2438.61, "2,438.6"), ("rate", None, "")],
)  # fmt: skip
def test_values_read_as_on_the_charts(unit, value, text):
    assert figures.format_value(value, unit) == text


def test_chart_html_escapes_the_json_and_configures_png_download():
    total = ChartSeries("</script><b>x</b>", (ChartPoint("2018-19", date(2018, 7, 1), 1.0),))
    html = str(chart_html(figures.trend_spec(total), "trend", filename="k-ready-trend"))
    assert "</script><b>" not in html
    assert html.count("</script>") == 1
    payload = html.split('id="chart-trend-data">')[1].removesuffix("</script>")
    data = json.loads(payload)
    assert data["figure"]["data"][0]["name"] == "</script><b>x</b>"
    assert data["config"]["displaylogo"] is False
    assert data["config"]["modeBarButtons"] == [["toImage"]]
    assert data["config"]["toImageButtonOptions"] == {
        "format": "png",
        "filename": "k-ready-trend",
        "scale": 2,
    }
    assert '<div class="chart" id="chart-trend" data-chart="chart-trend-data">' in html


def test_plotly_js_is_served_from_the_installed_package():
    from django.contrib.staticfiles import finders

    found = finders.find("js/vendor/plotly.min.js")
    assert found and found.endswith("plotly/package_data/plotly.min.js")
    # What collectstatic copies: the storage's prefix joined to the listed path.
    from dashboards.staticfiles import PlotlyFinder

    listed = [f"{storage.prefix}/{path}" for path, storage in PlotlyFinder().list([])]
    assert listed == ["js/vendor/plotly.min.js"]
