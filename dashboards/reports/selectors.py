"""Reads about recorded reports, scoped by who asks: backbone staff see every
report of their partnership, including those being built or failed; funders see
the ready ones, which is what they came to download."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dashboards.models import Report, ReportStatus
from partnership.models import Partnership
from partnership.permissions import Action, can, require


def reports_visible_to(*, user: Any, partnership: Partnership) -> QuerySet[Report]:
    """The partnership's reports this user may see (raises 404/403 for anyone who
    may not see reports at all), newest first."""
    require(user, Action.VIEW_REPORTS, partnership)
    reports = Report.objects.filter(partnership=partnership).select_related(
        "created_by", "period_from", "period_to", "partnership"
    )
    if not can(user, Action.CREATE_REPORT, partnership):
        reports = reports.filter(status=ReportStatus.READY)
    return reports.order_by("-created_at", "-id")


def report_get(*, user: Any, partnership: Partnership, code: Any) -> Report:
    """One report by its code, if this user may see it; 404 otherwise."""
    try:
        return reports_visible_to(user=user, partnership=partnership).get(code=code)
    except (Report.DoesNotExist, ValueError, TypeError):  # a malformed code is not found
        raise Http404("No such report.") from None
