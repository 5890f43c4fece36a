"""Static images of the dashboards' Plotly figures for the PDF report.

The figures are the dashboards' own (``dashboards.figures.trend_figure``), fed
with the report's data (its period range, suppressed for funders). kaleido 1.x
draws them as SVG in a headless Chromium, one browser per report (see
``svg_images``). SVG keeps the charts crisp at any zoom.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import shutil
import threading
from collections.abc import Callable, Sequence
from typing import Any

import kaleido
import plotly.graph_objects as go

from dashboards import figures
from dashboards.figures import (
    ChartMarker,
    ChartPoint,
    ChartProjection,
    ChartSeries,
    ChartTarget,
)
from indicators.trends import period_x

from .data import IndicatorSection, Value

CHART_WIDTH = 680  # CSS pixels: the PDF's text width at 96 dpi, less a margin
CHART_HEIGHT = 300
# Charts drawn at once in the browser: a second tab saved no time on two cores and
# cost 200 MB (bench/reports.py).
TABS = 1
RELOAD_EVERY = 20

_lock = threading.Lock()  # one batch (one browser) at a time per process
# kaleido and the browser driver log every tab they open at INFO.
for _name in ("kaleido", "choreographer", "logistro"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class ChartsUnavailableError(RuntimeError):
    """Charts cannot be drawn: Chromium (which kaleido drives) is missing or failed."""


def charts_available() -> bool:
    """Whether a Chromium for kaleido is installed on this machine."""
    return any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome"))


def _points(values: Sequence[Value]) -> tuple[ChartPoint, ...]:
    return tuple(
        ChartPoint(
            period=v.period.label,
            x=v.period.start,
            value=None if v.value is None else float(v.value),
            suppressed=v.suppressed,
            derived=v.derived,
            note=v.note,
        )
        for v in values
    )


def _decorations(
    section: IndicatorSection,
) -> tuple[ChartTarget | None, ChartMarker | None, ChartProjection | None]:
    """The target line, the baseline marker and the projection, as the dashboards'
    selector makes them; no baseline or projection when they rest on a small cell."""
    indicator, fig = section.indicator, section.figures
    target = None
    if indicator.target_value is not None and indicator.target_period is not None:
        target = ChartTarget(
            indicator.target_period.label,
            indicator.target_period.start,
            float(indicator.target_value),
        )
    if section.figures_suppressed or section.baseline_period is None:
        return target, None, None
    baseline = ChartMarker(
        section.baseline_period.label, section.baseline_period.start, float(fig.baseline_value)
    )
    latest = section.latest_period
    if target is None or fig.projection is None or fig.slope is None or latest.start >= target.x:
        return target, baseline, None
    years = period_x(target.x) - period_x(latest.start)
    projection = ChartProjection(
        x0=latest.start,
        y0=fig.projection - fig.slope * years,
        x1=target.x,
        y1=fig.projection,
        period=target.period,
        on_track=fig.on_track,
    )
    return target, baseline, projection


def report_figure(section: IndicatorSection) -> go.Figure:
    """The indicator's trend chart as its dashboard draws it: the total, one line per
    category of its first dimension when the report is disaggregated, the target,
    the baseline, the projection to the target period and the partners' notes."""
    series = [ChartSeries("Total", _points(section.headline))]
    first_dimension = [c for c in section.categories if c.dimension_code == _first(section)]
    colours = figures.category_colours([c.category for c in first_dimension])
    series += [
        ChartSeries(
            c.category.name,
            _points(c.values),
            colour=colours[c.category.pk],
            key=c.category.code,
            width=2,
        )
        for c in first_dimension
    ]
    target, baseline, projection = _decorations(section)
    figure = figures.trend_figure(
        series,
        unit=section.indicator.unit,
        target=target,
        baseline=baseline,
        projection=projection,
        height=CHART_HEIGHT,
    )
    # Paper is white (a transparent background prints black in some viewers' dark
    # modes), and the legend sits lower than on the page, clear of the period labels.
    figure.update_layout(
        paper_bgcolor="white", plot_bgcolor="white", legend={"y": -0.2}, margin={"b": 4}
    )
    return figure


def _first(section: IndicatorSection) -> str | None:
    return section.categories[0].dimension_code if section.categories else None


class _ReportBrowser(kaleido.Kaleido):
    """kaleido reloads a tab, and plotly.js with it, after every chart: three quarters
    of a chart's CPU time (bench/reports.py: 66 charts took 23.6 s of CPU, 6.5 s
    without the reloads, with the same images but for plotly's random clip-path
    ids). A report's charts are all alike, so a tab is reloaded only every
    ``RELOAD_EVERY`` charts, which bounds whatever a page could accumulate. With
    another kaleido, where this hook does not exist, every chart reloads again:
    slower, never wrong."""

    _returned = 0

    async def _return_kaleido_tab(self, tab: Any) -> None:
        self._returned += 1
        if self._returned % RELOAD_EVERY == 0:
            await super()._return_kaleido_tab(tab)
        else:
            await self.tabs_ready.put(tab)


async def _draw(
    figs: Sequence[go.Figure], opts: dict[str, Any], done: queue.Queue[bool | None]
) -> list[bytes]:
    """Draw every figure in one browser, ``TABS`` at a time; report each one done."""
    async with _ReportBrowser(n=TABS, mathjax=False) as browser:

        async def one(fig: go.Figure) -> bytes:
            image = await browser.calc_fig(fig, opts=opts)
            done.put(True)
            return image

        return await asyncio.gather(*(one(fig) for fig in figs))


def svg_images(
    figs: Sequence[go.Figure],
    *,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """The figures as SVG documents, in order. ``progress(done)`` is called (in the
    calling thread, so it may write to the database) after each one.

    One browser serves the whole batch and is closed after it: a worker does not
    keep an idle Chromium, and the PDF's layout does not run beside one. Batches
    are serialized: two reports at once would hold two browsers."""
    if not charts_available():
        raise ChartsUnavailableError(
            "Charts need Chromium, and none is installed on this server "
            "(install the 'chromium' package)."
        )
    if not figs:
        return []
    opts = {"format": "svg", "width": width, "height": height}
    done: queue.Queue[bool | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        # In a thread of its own: the caller may be inside an event loop already.
        try:
            outcome["images"] = asyncio.run(_draw(figs, opts, done))
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
        finally:
            done.put(None)

    with _lock:
        thread = threading.Thread(target=run, name="report-charts", daemon=True)
        thread.start()
        count = 0
        while done.get() is not None:
            count += 1
            if progress is not None:
                progress(count)
        thread.join()
    if "error" in outcome:
        error = outcome["error"]
        raise ChartsUnavailableError(f"Chromium could not draw the charts: {error}") from error
    return [image.decode("utf-8") for image in outcome["images"]]
