"""The approval queue: backbone staff approve or return submitted data, one point
at a time or many at once, with outliers flagged."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnership.models import Organization
from partnership.permissions import Action, require
from partnership.view_helpers import partnership_for

from . import entry_selectors as selectors
from .entry_services import CONFLICT, SAVED, points_set_status
from .models import DataPoint, DataStatus, Indicator

QUEUE_PAGE_SIZE = 50
FILTERS = ("indicator", "organization", "period")
DECISIONS = {"approve": DataStatus.APPROVED, "return": DataStatus.RETURNED}


@login_required
def approval_queue(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    require(request.user, Action.APPROVE_DATA, partnership)
    if request.method == "POST":
        return _decide(request, partnership)
    filters = {name: request.GET.get(name, "").strip() for name in FILTERS}
    queue = selectors.approval_queue(partnership=partnership, **filters)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    flags = selectors.outlier_flags(rows)
    context = {
        "partnership": partnership,
        "page": page,
        "rows": [(point, flags.get(point.pk, [])) for point in rows],
        "filters": filters,
        "query": _without_page(request),
        "indicators": Indicator.objects.filter(partnership=partnership).order_by("code"),
        "organizations": Organization.objects.filter(
            partnership=partnership, stewarded_indicators__isnull=False
        )
        .distinct()
        .order_by("name"),
    }
    return render(request, "indicators/approval_queue.html", context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _decide(request: HttpRequest, partnership) -> HttpResponse:
    """Approve or return the checked points (``point`` = "id:version"), then show the
    queue again with one message per refused point."""
    back = redirect(f"{request.path}?{request.POST.get('query', '')}")
    status = DECISIONS.get(request.POST.get("decision", ""))
    versions = []
    for raw in request.POST.getlist("point"):
        pk, _, version = raw.partition(":")
        if pk.isdigit() and version.isdigit():
            versions.append((int(pk), int(version)))
    if status is None or not versions:
        messages.error(request, "Tick at least one data point, then approve or return it.")
        return back
    comment = request.POST.get("comment", "").strip()
    if status == DataStatus.RETURNED and not comment:
        messages.error(request, "Say what needs fixing when you return data; nothing was returned.")
        return back
    outcomes = points_set_status(
        points=DataPoint.objects.filter(indicator__partnership=partnership),
        versions=versions,
        status=status,
        user=request.user,
        comment=comment,
    )
    done = sum(1 for o in outcomes if o.result == SAVED)
    if done:
        verb = "Approved" if status == DataStatus.APPROVED else "Returned"
        messages.success(request, f"{verb} {done} data point{'s' if done != 1 else ''}.")
    for outcome in outcomes:
        if outcome.result == SAVED:
            continue
        label = outcome.key.get("label", f"Data point {outcome.key['id']}")
        prefix = "Not changed (conflict)" if outcome.result == CONFLICT else "Not changed"
        messages.error(request, f"{prefix}: {label}: {outcome.message}")
    return back
