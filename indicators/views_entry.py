"""Pages for logging partner data: the data home and each indicator's entry grid,
with the JSON endpoints the grid saves and submits through."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from partnership.permissions import Action, can, require
from partnership.view_helpers import partnership_for

from . import entry_selectors as selectors
from .entry_services import grid_save, point_json, points_set_status
from .models import Category, DataPoint, DataStatus, Indicator
from .periods import next_period


def indicator_for(request: HttpRequest, slug: str, code: str, action: Action) -> Indicator:
    """The partnership's indicator with this code, if the user may do ``action`` to
    it: 404 for outsiders and unknown codes, 403 for members without the right."""
    partnership = partnership_for(request, slug)
    indicator = get_object_or_404(
        Indicator.objects.select_related(
            "partnership", "outcome_area", "steward", "baseline_period"
        ),
        partnership=partnership,
        code=code,
    )
    require(request.user, action, indicator)
    return indicator


@login_required
def data_home(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    if not selectors.may_enter_some_data(user=request.user, partnership=partnership):
        raise PermissionDenied("Your role does not enter data.")
    context = {
        "partnership": partnership,
        "areas": selectors.data_home(user=request.user, partnership=partnership),
        "can_approve": can(request.user, Action.APPROVE_DATA, partnership),
    }
    return render(request, "indicators/data_home.html", context)


def _selected_category(dimensions: list, choice: str) -> Category | None:
    """The category named ``dimension:category`` among the indicator's, or None (the total)."""
    dimension_code, _, category_code = choice.partition(":")
    for dimension in dimensions:
        if dimension.code == dimension_code:
            for category in dimension.categories.all():
                if category.code == category_code:
                    return category
    return None


@login_required
def entry_grid(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    indicator = indicator_for(request, slug, code, Action.ENTER_DATA)
    periods = selectors.grid_periods(
        indicator=indicator,
        first_label=request.GET.get("from", ""),
        last_label=request.GET.get("to", ""),
    )
    dimensions = selectors.indicator_dimensions(indicator=indicator)
    category = _selected_category(dimensions, request.GET.get("category", ""))
    grid = selectors.entry_grid(
        indicator=indicator, periods=periods, dimensions=dimensions, category=category
    )
    rows = [
        (row, [_cell(span, point, lock) for span, point, lock in cells])
        for row, cells in grid.cells()
    ]
    category_key = f"{category.dimension.code}:{category.code}" if category else ""
    context = {
        "partnership": indicator.partnership,
        "indicator": indicator,
        "grid": grid,
        "rows": rows,
        "category_key": category_key,
        "columns": [(span, grid.locked.get(span.label)) for span in periods],
        "first_label": periods[0].label,
        "last_label": periods[-1].label,
        "earlier": selectors.previous_period(periods[0]).label,
        "later": next_period(periods[-1]).label,
        "has_ratio": indicator.unit in ("percent", "rate"),
        "can_submit": can(request.user, Action.SUBMIT_DATA, indicator),
        "can_approve": can(request.user, Action.APPROVE_DATA, indicator),
        "can_history": can(request.user, Action.VIEW_HISTORY, indicator),
        "config": {
            "unit": indicator.unit,
            "category": category_key,
            "expectedMin": _float(indicator.expected_min),
            "expectedMax": _float(indicator.expected_max),
        },
    }
    return render(request, "indicators/entry_grid.html", context)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _cell(span: Any, point: DataPoint | None, lock: Any) -> dict[str, Any]:
    return {
        "period": span.label,
        "point": point_json(point) if point else None,
        "lock": lock,
    }


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _json_refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_required
@require_POST
def entry_save(request: HttpRequest, slug: str, code: str) -> JsonResponse:
    """Save the grid's changed cells: ``{"category": "dim:cat" or "", "cells": [...]}``;
    answers each cell with saved, error or conflict."""
    indicator = indicator_for(request, slug, code, Action.ENTER_DATA)
    body = _json_body(request)
    cells = body.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return _json_refusal("Send a JSON object with a list of cells.", 400)
    category = None
    if body.get("category"):
        category = _selected_category(
            selectors.indicator_dimensions(indicator=indicator), str(body["category"])
        )
        if category is None:
            return _json_refusal(f"{indicator.code} has no category {body['category']}.", 400)
    outcomes = grid_save(indicator=indicator, category=category, cells=cells, user=request.user)
    return JsonResponse({"results": [o.as_json() for o in outcomes]})


# What each grid action moves a point to, and the right it needs.
STATUS_ACTIONS = {
    "submit": (DataStatus.SUBMITTED, Action.SUBMIT_DATA),
    "approve": (DataStatus.APPROVED, Action.APPROVE_DATA),
    "return": (DataStatus.RETURNED, Action.APPROVE_DATA),
}


@login_required
@require_POST
def entry_status(request: HttpRequest, slug: str, code: str) -> JsonResponse:
    """Submit, approve or return points of the grid:
    ``{"action": "submit", "points": [{"id": 1, "version": 2}], "comment": ""}``."""
    body = _json_body(request)
    action = STATUS_ACTIONS.get(str(body.get("action")))
    if action is None:
        indicator_for(request, slug, code, Action.ENTER_DATA)
        return _json_refusal("Say which action: submit, approve or return.", 400)
    status, right = action
    indicator = indicator_for(request, slug, code, right)
    try:
        versions = [(int(p["id"]), int(p["version"])) for p in body.get("points") or []]
    except (KeyError, TypeError, ValueError):
        return _json_refusal("Each point needs an id and a version.", 400)
    outcomes = points_set_status(
        points=DataPoint.objects.filter(indicator=indicator),
        versions=versions,
        status=status,
        user=request.user,
        comment=str(body.get("comment") or ""),
    )
    return JsonResponse({"results": [o.as_json() for o in outcomes]})
