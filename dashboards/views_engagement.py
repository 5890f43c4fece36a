"""The engagement page (/p/<slug>/engagement/): how up to date each organization's
data is, for backbone staff (who can chase it). Other members get 403, outsiders 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from partnership.permissions import Action
from partnership.view_helpers import partnership_for

from .engagement import engagement_overview, on_time_days


@login_required
def engagement(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.REQUEST_DATA)
    today = timezone.localdate()
    overview = engagement_overview(partnership, today=today)
    context = {
        "partnership": partnership,
        "rows": overview.organizations,
        "engagement": overview.partnership,
        "grace_days": on_time_days(),
        "today": today,
    }
    return render(request, "dashboards/backbone/engagement.html", context)
