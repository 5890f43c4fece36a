"""Change history: of one data point, and of every point of an indicator
(including points deleted since)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from partnership.permissions import Action, require
from partnership.view_helpers import partnership_for

from . import entry_selectors as selectors
from .models import DataPoint, DataPointChange
from .services import TRACKED_FIELDS
from .views_entry import indicator_for

HISTORY_PAGE_SIZE = 50


def _shown(value: Any) -> Any:
    """A field's value as the history shows it: missing and blank are both nothing."""
    return None if value in (None, "") else value


def change_rows(changes: list[DataPointChange]) -> list[tuple[DataPointChange, list[dict]]]:
    """Each change with the fields it changed: name, old and new value. A field
    that was empty before and is empty after (a blank note on a new point) is no
    change and is left out."""
    rows = []
    for change in changes:
        diff = []
        for name in TRACKED_FIELDS:
            old, new = _shown(change.old.get(name)), _shown(change.new.get(name))
            if old != new:
                diff.append({"field": name, "old": old, "new": new})
        rows.append((change, diff))
    return rows


def _render(request: HttpRequest, indicator: Any, changes, point=None) -> HttpResponse:
    page = Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "partnership": indicator.partnership,
        "indicator": indicator,
        "point": point,
        "page": page,
        "rows": change_rows(list(page.object_list)),
    }
    return render(request, "indicators/history.html", context)


@login_required
def indicator_history(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    indicator = indicator_for(request, slug, code, Action.VIEW_HISTORY)
    return _render(request, indicator, selectors.indicator_history(indicator=indicator))


@login_required
def datapoint_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug)
    point = get_object_or_404(
        DataPoint.objects.select_related(
            "indicator__partnership", "period", "geography", "category"
        ),
        pk=pk,
        indicator__partnership=partnership,
    )
    require(request.user, Action.VIEW_HISTORY, point.indicator)
    return _render(request, point.indicator, selectors.datapoint_history(point=point), point=point)
