"""Plotly figures for dashboards and reports, built in Python from computed trends.

No database here: a selector (``dashboards.selectors``) reads the stored trends,
derived totals and approved points, applies small-cell suppression, and hands
over plain data (``ChartSeries`` of ``ChartPoint``, ``ChartTarget``,
``ChartMarker``, ``ChartProjection``, ``BarRow``, ``GapPoint``). The functions
below only draw, so pages (plotly.js, through ``{% plotly_chart %}``) and PDF
reports (kaleido, ``fig.write_image``) show the same figure.

- ``trend_figure(series, *, unit, target, baseline, projection, compact, annotations)``:
  the indicator trend chart: one line per series (the total, or one per category),
  the baseline marked, the target as a dashed line with its period, the projection
  (the least-squares line) from the latest point to the target period, and notes on
  points ("the story behind the curve") as annotations.
- ``geography_comparison_figure(rows, *, unit, target)``: latest values by geography,
  horizontal bars sorted by value.
- ``equity_gap_figure(points, *, unit, dimension_name)``: the gap between the highest
  and the lowest category at each period.
- ``sparkline_figure(series, *, unit)``: a small line without axes for lists.

Colours: the total is always ``TOTAL_COLOUR``; each category takes an Okabe-Ito
colour (distinguishable with the common colour-vision deficiencies) by its
position in its dimension, ordered by ``Category.order`` then ``code``:
``category_colours(categories)`` or ``colour_for(category)``. Every chart on every
page and report uses them, so "Black students" has one colour everywhere.

A suppressed point (``value=None, suppressed=True``) is drawn as a gap and listed
nowhere in the figure's data: the selectors have already removed the number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import plotly.graph_objects as go

# --- colours --------------------------------------------------------------------

TOTAL_COLOUR = "#1c2733"  # the page's text colour: the total reads as "the" line
# Okabe & Ito (2008), strongest first; yellow last as it is faint on white.
CATEGORY_COLOURS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)
TARGET_COLOUR = "#0f6b43"  # the page's success green
PROJECTION_COLOUR = "#55606e"  # muted
GAP_COLOUR = "#5b7083"  # neutral slate: a gap is a fact to watch, not a category
GRID_COLOUR = "#dde3ea"
TEXT_COLOUR = "#1c2733"
MUTED_COLOUR = "#55606e"
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def colour_for(category: Any | int | None) -> str:
    """The colour of a category: None is the total; an int is the category's
    position in its dimension; otherwise its ``order`` field is the position."""
    if category is None:
        return TOTAL_COLOUR
    position = category if isinstance(category, int) else category.order
    return CATEGORY_COLOURS[position % len(CATEGORY_COLOURS)]


def category_colours(categories: Iterable[Any]) -> dict[int, str]:
    """Category id -> colour, by position in the dimension ordered by (order, code),
    which stays right when several categories share an ``order``."""
    ranked = sorted(categories, key=lambda c: (c.order, c.code))
    return {c.pk: colour_for(i) for i, c in enumerate(ranked)}


# --- what the selectors hand over --------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartPoint:
    period: str  # label, "2021-22"
    x: date  # the period's start: where the point sits on the time axis
    value: float | None  # None when suppressed (or missing)
    suppressed: bool = False
    derived: bool = False  # derived from child geographies, not reported
    note: str = ""


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str  # "Total", "Black", "Riverside City Schools"
    points: tuple[ChartPoint, ...]
    colour: str = TOTAL_COLOUR
    key: str = "total"  # category or geography code: stable, for tests and CSS
    width: float = 2.5


@dataclass(frozen=True, slots=True)
class ChartMarker:
    """A marked point: the baseline."""

    period: str
    x: date
    value: float


@dataclass(frozen=True, slots=True)
class ChartTarget:
    period: str
    x: date
    value: float


@dataclass(frozen=True, slots=True)
class ChartProjection:
    """The least-squares line from the latest period to the target period."""

    x0: date
    y0: float
    x1: date
    y1: float
    period: str  # the target period's label
    on_track: bool | None = None


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    value: float | None  # None when suppressed
    key: str = ""
    suppressed: bool = False
    colour: str = CATEGORY_COLOURS[0]


@dataclass(frozen=True, slots=True)
class GapPoint:
    period: str
    x: date
    gap: float | None  # None when a category value under it is suppressed
    highest: str = ""  # category names
    lowest: str = ""
    suppressed: bool = False


@dataclass(frozen=True)
class Axis:
    """How values of a unit read: d3 number format, prefix and suffix."""

    format: str = ",.1f"
    prefix: str = ""
    suffix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


UNIT_AXES: dict[str, Axis] = {
    "percent": Axis(",.1f", suffix="%"),
    "count": Axis(",.0f"),
    "rate": Axis(",.1f"),
    "currency": Axis(",.0f", prefix="$"),
    "score": Axis(",.1f"),
}


def axis_for(unit: str) -> Axis:
    return UNIT_AXES.get(unit, Axis())


def format_value(value: float | None, unit: str) -> str:
    """A value as the charts show it (for tables and captions beside them)."""
    if value is None:
        return ""
    axis = axis_for(unit)
    decimals = 0 if axis.format.endswith(".0f") else 1
    return f"{axis.prefix}{value:,.{decimals}f}{axis.suffix}"


# --- layout ------------------------------------------------------------------------


def gap_axis(unit: str) -> Axis:
    """A difference between two values: percentage points for percents."""
    return Axis(",.1f", suffix=" pts") if unit == "percent" else axis_for(unit)


def format_gap(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    axis = gap_axis(unit)
    decimals = 0 if axis.format.endswith(".0f") else 1
    return f"{axis.prefix}{value:,.{decimals}f}{axis.suffix}"


def _base_layout(
    *, height: int, compact: bool, unit: str, axis: Axis | None = None
) -> dict[str, Any]:
    axis = axis or axis_for(unit)
    return {
        "height": height,
        "autosize": True,
        "font": {"family": FONT_FAMILY, "size": 12 if compact else 13, "color": TEXT_COLOUR},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 8, "r": 12, "t": 12 if compact else 24, "b": 8},
        "hovermode": "x unified",
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "modebar": {
            "bgcolor": "rgba(255,255,255,0.85)",
            "color": MUTED_COLOUR,
            "activecolor": TEXT_COLOUR,
        },
        "showlegend": not compact,
        # Legend below the plot: a phone's width is all for the lines.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.14,
            "yanchor": "top",
            "font": {"size": 12},
        },
        "yaxis": {
            "automargin": True,
            "gridcolor": GRID_COLOUR,
            "zeroline": False,
            "tickformat": axis.format.replace(".1f", ".1~f"),
            "tickprefix": axis.prefix,
            "ticksuffix": axis.suffix,
            "hoverformat": axis.format,
            "fixedrange": True,
        },
        "xaxis": {
            "automargin": True,
            "showgrid": False,
            "linecolor": GRID_COLOUR,
            "ticks": "outside",
            "tickcolor": GRID_COLOUR,
            "fixedrange": True,
        },
    }


def _period_ticks(periods: dict[date, str], *, most: int) -> tuple[list[date], list[str]]:
    """Ticks at the periods' starts, labelled with the period labels, thinned to
    at most ``most`` (always keeping the last)."""
    xs = sorted(periods)
    if not xs:
        return [], []
    step = max(1, -(-len(xs) // most))
    kept = xs[::-1][::step][::-1]
    return kept, [periods[x] for x in kept]


def _figure(spec: dict[str, Any]) -> go.Figure:
    """A validated plotly Figure of a spec, with no template (the spec styles it all),
    so a static image (kaleido) looks like the page."""
    figure = go.Figure(spec)
    figure.update_layout(template="none")
    return figure


def _iso(x: date) -> str:
    return x.isoformat()


def _line(series: ChartSeries, *, unit: str, compact: bool) -> dict[str, Any]:
    axis = axis_for(unit)
    return {
        "type": "scatter",
        "x": [_iso(p.x) for p in series.points],
        "y": [p.value for p in series.points],
        "name": series.name,
        "mode": "lines+markers" if len(series.points) < 40 else "lines",
        "line": {"color": series.colour, "width": series.width if not compact else 2},
        "marker": {"size": 6 if not compact else 4, "color": series.colour},
        "connectgaps": False,
        "customdata": [p.period + (" (derived)" if p.derived else "") for p in series.points],
        "hovertemplate": (
            f"{series.name}: {axis.prefix}%{{y:{axis.format}}}{axis.suffix}"
            "<extra>%{customdata}</extra>"
        ),
        "meta": {"key": series.key},
    }


def _ranked(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Legend order: the lines in the order given, then target, projection, baseline."""
    for rank, trace in enumerate(traces, start=1):
        trace["legendrank"] = rank
    return traces


def _marker_trace(
    *, key: str, name: str, x: date, y: float, symbol: str, size: int, colour: str, unit: str,
    period: str, legend: bool,
) -> dict[str, Any]:  # fmt: skip
    axis = axis_for(unit)
    return {
        "type": "scatter",
        "x": [_iso(x)],
        "y": [y],
        "name": name,
        "mode": "markers",
        "showlegend": legend,
        "marker": {"symbol": symbol, "size": size, "color": colour, "line": {"width": 2}},
        "hovertemplate": (
            f"{name.split(' ')[0]}: {axis.prefix}%{{y:{axis.format}}}{axis.suffix}"
            f"<extra>{period}</extra>"
        ),
        "meta": {"key": key},
    }


def trend_spec(
    series: ChartSeries | Sequence[ChartSeries],
    *,
    unit: str = "",
    target: ChartTarget | None = None,
    baseline: ChartMarker | None = None,
    projection: ChartProjection | None = None,
    compact: bool = False,
    annotations: bool = True,
    height: int | None = None,
) -> dict[str, Any]:
    """``trend_figure`` as a plain dict (what plotly.js reads), built without
    plotly's validation for pages that draw many charts."""
    many = [series] if isinstance(series, ChartSeries) else list(series)
    axis = axis_for(unit)
    layout = _base_layout(height=height or (240 if compact else 400), compact=compact, unit=unit)
    # The first series (the total) is drawn last, on top, and listed first.
    data = _ranked([_line(s, unit=unit, compact=compact) for s in many])[::-1]
    periods = {p.x: p.period for s in many for p in s.points}
    if target is not None:
        periods[target.x] = target.period
        data.append(
            {
                "type": "scatter",
                "x": [_iso(min(periods)), _iso(target.x)],
                "y": [target.value, target.value],
                "name": f"Target {format_value(target.value, unit)} by {target.period}",
                "mode": "lines",
                "line": {"color": TARGET_COLOUR, "width": 1.5, "dash": "dash"},
                "hoverinfo": "skip",
                "meta": {"key": "target"},
            }
        )
        data.append(
            _marker_trace(
                key="target-point",
                name="Target",
                x=target.x,
                y=target.value,
                symbol="star",
                size=12,
                colour=TARGET_COLOUR,
                unit=unit,
                period=target.period,
                legend=False,
            )
        )
    if projection is not None:
        periods.setdefault(projection.x1, projection.period)
        state = {True: " (on track)", False: " (off track)"}.get(projection.on_track, "")
        data.append(
            {
                "type": "scatter",
                "x": [_iso(projection.x0), _iso(projection.x1)],
                "y": [projection.y0, projection.y1],
                "name": f"Projection to {projection.period}{state}",
                "mode": "lines",
                "line": {"color": PROJECTION_COLOUR, "width": 1.5, "dash": "dot"},
                "hovertemplate": (
                    f"Projection: {axis.prefix}%{{y:{axis.format}}}{axis.suffix}<extra></extra>"
                ),
                "meta": {"key": "projection"},
            }
        )
    if baseline is not None:
        data.append(
            _marker_trace(
                key="baseline",
                name=f"Baseline {baseline.period}",
                x=baseline.x,
                y=baseline.value,
                symbol="diamond-open",
                size=10 if compact else 13,
                colour=TEXT_COLOUR,
                unit=unit,
                period=baseline.period,
                legend=not compact,
            )
        )
    ticks, labels = _period_ticks(periods, most=4 if compact else 8)
    layout["xaxis"].update(tickvals=[_iso(t) for t in ticks], ticktext=labels)
    if annotations and not compact:
        layout["annotations"] = [
            _note(p, s.colour) for s in many for p in s.points if p.note and p.value is not None
        ]
    return {"data": data, "layout": layout}


def trend_figure(
    series: ChartSeries | Sequence[ChartSeries],
    *,
    unit: str = "",
    target: ChartTarget | None = None,
    baseline: ChartMarker | None = None,
    projection: ChartProjection | None = None,
    compact: bool = False,
    annotations: bool = True,
    height: int | None = None,
) -> go.Figure:
    """The indicator trend chart. ``series``: the total alone, or one series per
    category (give the total first, it is drawn on top). ``compact`` drops the
    legend and the notes for the outcome area page's small multiples."""
    return _figure(
        trend_spec(
            series,
            unit=unit,
            target=target,
            baseline=baseline,
            projection=projection,
            compact=compact,
            annotations=annotations,
            height=height,
        )
    )


def _note(point: ChartPoint, colour: str) -> dict[str, Any]:
    text = point.note if len(point.note) <= 40 else point.note[:38].rstrip() + "…"
    return {
        "x": _iso(point.x),
        "y": point.value,
        "text": text,
        "hovertext": f"{point.period}: {point.note}",
        "showarrow": True,
        "arrowhead": 0,
        "arrowcolor": colour,
        "ax": 0,
        "ay": -36,
        "font": {"size": 11, "color": TEXT_COLOUR},
        "bgcolor": "rgba(255,255,255,0.9)",
        "bordercolor": colour,
        "borderpad": 3,
    }


def geography_comparison_spec(
    rows: Sequence[BarRow],
    *,
    unit: str = "",
    target: float | None = None,
    higher_is_better: bool = True,
) -> dict[str, Any]:
    """``geography_comparison_figure`` as a plain dict."""
    axis = axis_for(unit)
    shown = [r for r in rows if r.value is not None]
    # Plotly draws the first bar at the bottom: the best goes last, on top.
    shown.sort(key=lambda r: r.value, reverse=not higher_is_better)
    layout = _base_layout(height=max(160, 60 + 24 * len(shown)), compact=False, unit=unit)
    layout["hovermode"] = "closest"
    layout["showlegend"] = False
    layout["xaxis"], layout["yaxis"] = layout["yaxis"], layout["xaxis"]
    layout["yaxis"].update(ticks="", automargin=True, linecolor=GRID_COLOUR)
    layout["xaxis"].update(rangemode="tozero")
    layout["bargap"] = 0.25
    data = [
        {
            "type": "bar",
            "x": [r.value for r in shown],
            "y": [r.label for r in shown],
            "orientation": "h",
            "marker": {"color": [r.colour for r in shown]},
            "hovertemplate": (
                f"%{{y}}: {axis.prefix}%{{x:{axis.format}}}{axis.suffix}<extra></extra>"
            ),
            "meta": {"keys": [r.key for r in shown]},
        }
    ]
    if target is not None:
        layout["shapes"] = [
            {
                "type": "line", "xref": "x", "yref": "paper", "x0": target, "x1": target,
                "y0": 0, "y1": 1, "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
            }
        ]  # fmt: skip
        layout["annotations"] = [
            {
                "x": target, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
                "showarrow": False, "text": f"Target {format_value(target, unit)}",
                "font": {"size": 11, "color": TARGET_COLOUR},
            }
        ]  # fmt: skip
        layout["margin"]["t"] = 28
    return {"data": data, "layout": layout}


def geography_comparison_figure(
    rows: Sequence[BarRow],
    *,
    unit: str = "",
    target: float | None = None,
    higher_is_better: bool = True,
) -> go.Figure:
    """Latest values by geography as horizontal bars, best at the top; suppressed
    rows are left out of the chart (the table beside it says "n<10")."""
    return _figure(
        geography_comparison_spec(rows, unit=unit, target=target, higher_is_better=higher_is_better)
    )


def equity_gap_spec(
    points: Sequence[GapPoint],
    *,
    unit: str = "",
    dimension_name: str = "",
    compact: bool = False,
) -> dict[str, Any]:
    """``equity_gap_figure`` as a plain dict."""
    axis = gap_axis(unit)
    layout = _base_layout(height=220 if compact else 300, compact=compact, unit=unit, axis=axis)
    layout["showlegend"] = False
    layout["hovermode"] = "closest"
    ticks, labels = _period_ticks({p.x: p.period for p in points}, most=4 if compact else 8)
    layout["xaxis"].update(tickvals=[_iso(t) for t in ticks], ticktext=labels)
    layout["yaxis"].update(rangemode="tozero")
    data = [
        {
            "type": "bar",
            "x": [_iso(p.x) for p in points],
            "y": [p.gap for p in points],
            "name": f"Gap by {dimension_name}" if dimension_name else "Gap",
            "marker": {"color": GAP_COLOUR},
            "customdata": [[p.period, p.highest, p.lowest] for p in points],
            "hovertemplate": (
                f"Gap: {axis.prefix}%{{y:{axis.format}}}{axis.suffix}<br>"
                "highest %{customdata[1]}, lowest %{customdata[2]}"
                "<extra>%{customdata[0]}</extra>"
            ),
            "meta": {"key": "gap"},
        }
    ]
    return {"data": data, "layout": layout}


def equity_gap_figure(
    points: Sequence[GapPoint],
    *,
    unit: str = "",
    dimension_name: str = "",
    compact: bool = False,
) -> go.Figure:
    """The gap between the highest and the lowest category at each period, as
    columns (periods whose gap rests on a suppressed value are left empty)."""
    return _figure(
        equity_gap_spec(points, unit=unit, dimension_name=dimension_name, compact=compact)
    )


def sparkline_spec(
    series: ChartSeries,
    *,
    unit: str = "",
    target: float | None = None,
    height: int = 44,
) -> dict[str, Any]:
    """``sparkline_figure`` as a plain dict."""
    points = [p for p in series.points if p.value is not None]
    data: list[dict[str, Any]] = []
    if target is not None and points:
        data.append(
            {
                "type": "scatter",
                "x": [_iso(points[0].x), _iso(points[-1].x)],
                "y": [target, target],
                "mode": "lines",
                "line": {"color": TARGET_COLOUR, "width": 1, "dash": "dot"},
                "meta": {"key": "target"},
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": [_iso(p.x) for p in points],
            "y": [p.value for p in points],
            "mode": "lines",
            "line": {"color": series.colour, "width": 2},
            "name": series.name,
            "meta": {"key": series.key, "format": axis_for(unit).format},
        }
    )
    if points:
        data.append(
            {
                "type": "scatter",
                "x": [_iso(points[-1].x)],
                "y": [points[-1].value],
                "mode": "markers",
                "marker": {"color": series.colour, "size": 5},
                "meta": {"key": "latest"},
            }
        )
    layout = {
        "height": height,
        "autosize": True,
        "margin": {"l": 2, "r": 4, "t": 4, "b": 4},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "xaxis": {"visible": False, "fixedrange": True},
        "yaxis": {"visible": False, "fixedrange": True},
        "hovermode": False,
    }
    return {"data": data, "layout": layout}


def sparkline_figure(
    series: ChartSeries,
    *,
    unit: str = "",
    target: float | None = None,
    height: int = 44,
) -> go.Figure:
    """A small line with no axes, its latest point marked; a faint target line."""
    return _figure(sparkline_spec(series, unit=unit, target=target, height=height))


# --- how plotly.js shows them ------------------------------------------------------


def chart_config(*, filename: str = "chart", static: bool = False) -> dict[str, Any]:
    """plotly.js configuration: no Plotly logo, a PNG download button named after
    the chart, responsive to its box; ``static`` for sparklines (no toolbar)."""
    if static:
        return {"staticPlot": True, "responsive": True, "displayModeBar": False}
    return {
        "displaylogo": False,
        "responsive": True,
        "displayModeBar": True,
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }
