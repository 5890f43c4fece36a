"""``{% plotly_chart figure name %}`` draws a figure from ``dashboards.figures`` with
plotly.js; ``{% chart_scripts %}`` loads plotly.js (from static files) and
static/js/charts.js, which draws every chart on the page as it scrolls into view.

The figure travels as JSON in a ``<script type="application/json">`` element
beside its ``<div>``, escaped like Django's ``json_script`` so no value can close
the script element.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from plotly.utils import PlotlyJSONEncoder

from dashboards.figures import chart_config, format_gap, format_value

register = template.Library()

_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def chart_html(
    figure: go.Figure | dict[str, Any],
    name: str,
    *,
    filename: str = "",
    label: str = "",
    static: bool = False,
    css_class: str = "",
) -> SafeString:
    """The ``<div>`` plotly.js draws into and the figure's JSON beside it.
    ``figure``: a plotly Figure or a spec dict from ``dashboards.figures``."""
    config = chart_config(filename=filename or name, static=static)
    if isinstance(figure, go.Figure):
        # Plotly's encoder knows numpy arrays, dates and NaN; a spec holds plain values.
        text = json.dumps(
            {"figure": figure.to_plotly_json(), "config": config},
            cls=PlotlyJSONEncoder,
            separators=(",", ":"),
        )
    else:
        text = json.dumps({"figure": figure, "config": config}, separators=(",", ":"))
    payload = text.translate(_ESCAPES)
    element_id = f"chart-{name}"
    div = format_html(
        '<div class="chart{}" id="{}" data-chart="{}-data"{}></div>',
        f" {css_class}" if css_class else "",
        element_id,
        element_id,
        format_html(' role="img" aria-label="{}"', label) if label else "",
    )
    script = format_html(
        '<script type="application/json" id="{}-data">{}</script>',
        element_id,
        mark_safe(payload),  # escaped above: no "<", ">" or "&" left
    )
    return div + script


@register.simple_tag
def plotly_chart(
    figure: go.Figure | dict[str, Any] | None,
    name: str,
    filename: str = "",
    label: str = "",
    static: bool = False,
    css_class: str = "",
) -> SafeString:
    if figure is None:
        return mark_safe("")
    return chart_html(
        figure, name, filename=filename, label=label, static=static, css_class=css_class
    )


@register.simple_tag
def chart_scripts() -> SafeString:
    return format_html(
        '<script src="{}" defer></script><script src="{}" defer></script>',
        static("js/vendor/plotly.min.js"),
        static("js/charts.js"),
    )


@register.filter
def unit_value(value: Any, unit: str) -> str:
    """A value as the charts show it: ``57.2%``, ``$1,250``, ``1,204``."""
    if value is None or value == "":
        return ""
    return format_value(float(value), unit)


@register.filter
def share(value: float | None) -> str:
    """A fraction as a whole percent: 0.77 -> ``77%``."""
    if value is None:
        return ""
    return f"{float(value) * 100:.0f}%"


@register.filter
def bar_width(value: float | None) -> int:
    """A fraction as a progress bar width in percent, clamped to 0..100."""
    if value is None:
        return 0
    return max(0, min(100, round(float(value) * 100)))


@register.filter
def run_text(run: int | None) -> str:
    """The current run in words: ``3 improvements in a row``."""
    if not run:
        return "No run"
    n = abs(run)
    if run > 0:
        return f"{n} improvement{'s' if n > 1 else ''} in a row"
    return f"{n} decline{'s' if n > 1 else ''} in a row"


@register.filter
def signed(value: Any, unit: str) -> str:
    """A change with its sign: ``+9.2`` points, ``−2.0``."""
    if value is None:
        return ""
    number = float(value)
    text = format_value(abs(number), unit).replace("%", "")
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    suffix = " pts" if unit == "percent" else ""
    return f"{sign}{text}{suffix}"


@register.filter
def gap_value(value: Any, unit: str) -> str:
    """A gap between groups: ``12.6 pts`` for percents."""
    if value is None or value == "":
        return ""
    return format_gap(float(value), unit)
