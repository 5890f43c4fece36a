"""The engagement page (/p/<slug>/engagement/): how up to date each organization's
data is, for backbone staff (who can chase it). Other members get 403, outsiders 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from partnership.permissions import Action, get_partnership_or_404, require

from .engagement import engagement_overview, on_time_days


@login_required
def engagement(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = get_partnership_or_404(request.user, slug)
    require(request.user, Action.REQUEST_DATA, partnership)
    request.partnership = partnership
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
