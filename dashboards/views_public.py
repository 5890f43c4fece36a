"""The public report card, readable without signing in: /public/<slug>/ and its
embeddable version /public/<slug>/embed/ (for an ``<iframe>`` on a partner's
website). A partnership that has not switched its card on has no such pages (404).

Both show approved data only with small cells suppressed, whoever asks, and link to
no private page. Responses may be cached by browsers and proxies for a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from indicators.models import Indicator

from .figures import format_value
from .report_card import public_report_card, published_partnership, trends_computed_at
from .selectors import Headline, IndicatorChartData

# Short: a change to the card or new trends show up within minutes.
PUBLIC_MAX_AGE = 300


@dataclass
class HeadlineView:
    """One indicator on the card, with what the template shows beside its chart."""

    chart: IndicatorChartData
    figure: dict[str, Any]  # a plotly.js spec (dashboards.figures.trend_spec)
    latest: str
    baseline: str

    @property
    def indicator(self) -> Indicator:
        return self.chart.indicator

    @property
    def headline(self) -> Headline:
        return self.chart.headline

    @property
    def rows(self) -> list[tuple[str, str]]:
        """(period, value as shown) for the table under the chart; "" when suppressed."""
        unit = self.chart.indicator.unit
        return [(p.period, format_value(p.value, unit)) for p in self.chart.total.points]


def _headline_view(chart: IndicatorChartData) -> HeadlineView:
    unit = chart.indicator.unit
    baseline = format_value(_float(chart.headline.value("baseline_value")), unit)
    return HeadlineView(
        chart=chart,
        figure=chart.trend_spec(compact=True),
        latest=chart.latest_display,
        baseline=baseline,
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _page(request: HttpRequest, slug: str, template: str) -> HttpResponse:
    """The card rendered once and kept in the cache until its settings change, the
    trends are recomputed, or ``PUBLIC_MAX_AGE`` passes: the page is the same for
    every reader, and drawing dozens of figures is the costly part."""
    found = published_partnership(slug)
    if found is None:
        raise Http404("This partnership has no public report card.")
    partnership, card = found
    computed = trends_computed_at(partnership)
    # The minimum cell size is in the key: raising it must hide values at once.
    key = "public-report-card:{}:{}:{}:{}:{}".format(
        card.pk,
        card.updated_at.isoformat(),
        computed.isoformat() if computed else "-",
        partnership.min_cell_size,
        template,
    )
    html = cache.get(key)
    if html is None:
        data = public_report_card(partnership, card, last_computed_at=computed)
        context = {
            "data": data,
            "partnership": partnership,
            "areas": [(a, [_headline_view(h) for h in a.headlines]) for a in data.areas],
            "min_cell_size": partnership.min_cell_size,
        }
        html = render_to_string(template, context, request)
        cache.set(key, html, PUBLIC_MAX_AGE)
    return HttpResponse(html)


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def report_card(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, slug, "dashboards/public/report_card.html")


@require_safe
@xframe_options_exempt
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def report_card_embed(request: HttpRequest, slug: str) -> HttpResponse:
    response = _page(request, slug, "dashboards/public/embed.html")
    # Any site may frame this page (and only this one: every other page says DENY).
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response
