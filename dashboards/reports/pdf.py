"""The PDF progress report: Django templates (templates/reports/) rendered by
WeasyPrint, with the dashboards' charts as SVG images. Nothing is fetched from
the network: the stylesheet is inlined, fonts are the system's, and the only
file the HTML refers to is the logo in static/, read through ``base_url``."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from indicators.models import Direction, IndicatorKind, Period, TrendStatus
from partnership.agenda import current_agenda

from .charts import report_figure, svg_images
from .data import STATUS_ORDER, IndicatorSection, ReportData
from .sentences import format_change, format_gap, format_value

Progress = Callable[[int, str], None]

# WeasyPrint logs each layout step at INFO.
logging.getLogger("weasyprint").setLevel(logging.WARNING)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _static_root() -> str:
    """Where ``base_url`` points: the folder holding static/img/favicon.svg."""
    found = finders.find("img/favicon.svg")
    return str(Path(found).parent.parent) + "/" if found else str(settings.STATIC_ROOT) + "/"


def _status_counts(counts: dict[str, int]) -> list[tuple[str, str, int, float]]:
    """(status, label, count, share of the total in percent) in the scorecard's order."""
    total = counts["total"] or 1
    return [
        (status, TrendStatus(status).label, counts[status], round(100 * counts[status] / total, 2))
        for status in STATUS_ORDER
    ]


def _category_rows(section: IndicatorSection, hidden_text: str) -> list[dict[str, str]]:
    """Each category's value at the headline's baseline and latest periods."""
    unit = section.indicator.unit
    rows = []
    for series in section.categories:
        by_period = {v.period.pk: v for v in series.values}

        def shown(period: Period | None, by_period=by_period) -> str:
            value = by_period.get(period.pk) if period else None
            if value is None:
                return "–"
            return hidden_text if value.suppressed else format_value(value.value, unit)

        rows.append(
            {
                "dimension": series.dimension_name,
                "name": series.category.name,
                "baseline": shown(section.baseline_period),
                "latest": shown(section.latest_period),
            }
        )
    return rows


def _indicator_row(section: IndicatorSection, chart: str | None, hidden_text: str) -> dict:
    """One indicator's block, every figure formatted for print."""
    indicator, fig, unit = section.indicator, section.figures, section.indicator.unit
    hidden = section.figures_suppressed
    progress = fig.progress_to_target
    return {
        "section": section,
        "indicator": indicator,
        "chart": chart,
        "kind": IndicatorKind(indicator.kind).label,
        "direction": Direction(indicator.direction).label,
        "baseline": hidden_text if hidden else format_value(fig.baseline_value, unit),
        "latest": hidden_text if hidden else format_value(fig.latest_value, unit),
        "change": "–" if hidden else format_change(fig.change, unit),
        "target": format_value(indicator.target_value, unit, exact=True),
        "progress": "–" if hidden or progress is None else f"{float(progress):.0%}",
        "on_track": fig.on_track,
        "categories": _category_rows(section, hidden_text),
        # The chart shortens notes; paper has no hover, so they are printed in full.
        "notes": [(v.period.label, v.note) for v in section.headline if v.note],
        "gaps": [
            {
                "row": gap,
                "gap": hidden_text if gap.suppressed else format_gap(gap.gap, unit),
                "baseline_gap": format_gap(gap.baseline_gap, unit),
            }
            for gap in section.gaps
        ],
    }


def pdf_context(data: ReportData, charts: dict[int, str]) -> dict:
    """What the templates show; every number is formatted here, once."""
    hidden_text = f"n<{data.min_cell_size}"
    areas = [
        {
            "area": area.area,
            "status_counts": _status_counts(area.counts),
            "total": len(area.indicators),
            "rows": [
                _indicator_row(s, charts.get(s.indicator.pk), hidden_text) for s in area.indicators
            ],
        }
        for area in data.areas
    ]
    counts = data.counts
    return {
        "data": data,
        "partnership": data.partnership,
        "agenda": current_agenda(data.partnership),
        "areas": areas,
        "counts": counts,
        "status_counts": _status_counts(counts),
        "dimension_names": sorted(
            {c.dimension_name for s in data.indicators for c in s.categories}
        ),
        "headline": (
            f"{counts['improving']} of {counts['total']} indicators improved since their baseline"
        ),
        "equity_rows": [(row, gap) for a in areas for row in a["rows"] for gap in row["gaps"]],
        "min_cell_size": data.min_cell_size,
    }


def render_html(data: ReportData, charts: dict[int, str]) -> str:
    return render_to_string("reports/report.html", pdf_context(data, charts))


def build_pdf(data: ReportData, progress: Progress | None = None) -> bytes:
    """The report as PDF bytes. ``progress(percent, message)`` follows the charts
    (most of the time) and then the layout."""
    from weasyprint import HTML

    report = progress or (lambda percent, message: None)
    sections = [s for s in data.indicators if s.headline]
    total = len(sections)

    def chart_done(done: int) -> None:
        if done % 5 == 0 or done == total:
            report(10 + 70 * done // max(total, 1), f"Drawing charts: {done} of {total}")

    report(10, f"Drawing charts: 0 of {total}")
    images = svg_images([report_figure(s) for s in sections], progress=chart_done)
    charts = {s.indicator.pk: _data_uri(svg) for s, svg in zip(sections, images, strict=True)}
    report(82, "Laying out the pages")
    html = render_html(data, charts)
    return HTML(string=html, base_url=_static_root()).write_pdf()
