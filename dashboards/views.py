"""Signed-in dashboards: the list of the user's partnerships, a partnership's home
(the scorecard), an outcome area, an indicator and an organization.

Every page reads computed trends through ``page_selectors`` and ``selectors``,
which apply small-cell suppression; views only fetch the objects of the URL
(404 for outsiders and for other partnerships' objects) and render.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from indicators.data_requests import requests_owed_by_partnership
from indicators.entry_selectors import may_enter_some_data
from indicators.models import Indicator
from outcomes.activities import activities_for_indicator
from outcomes.models import OutcomeArea
from partnership.agenda import current_agenda
from partnership.feed import activity_feed
from partnership.models import Organization, Partnership, Role
from partnership.permissions import Action, can, role_in
from partnership.selectors import partnership_list_for_user
from partnership.view_helpers import partnership_for

from . import page_selectors
from .selectors import indicator_chart_data


@login_required
def home(request: HttpRequest) -> HttpResponse:
    summaries = partnership_list_for_user(user=request.user)
    # What the user's organization owes in each partnership, overdue first.
    owed = requests_owed_by_partnership(
        user=request.user, partnerships=[s.partnership for s in summaries]
    )
    context = {
        "summaries": summaries,
        "cards": [(s, owed.get(s.partnership.pk, [])) for s in summaries],
        "today": timezone.localdate(),
    }
    return render(request, "dashboards/home.html", context)


def _role_context(request: HttpRequest, partnership: Partnership) -> dict:
    role = role_in(request.user, partnership)
    return {"partnership": partnership, "role": role, "role_label": Role(role).label}


# How many recent events the partnership home lists.
FEED_ITEMS = 8


@login_required
def partnership_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """The partnership's home: agenda, scorecard, outcome areas, freshness."""
    partnership = partnership_for(request, slug)
    context = {
        **_role_context(request, partnership),
        "page": page_selectors.partnership_home(partnership=partnership, user=request.user),
        "agenda": current_agenda(partnership),
        "feed": activity_feed(partnership, request.user, limit=FEED_ITEMS),
        "may_enter_data": may_enter_some_data(user=request.user, partnership=partnership),
        "may_approve": can(request.user, Action.APPROVE_DATA, partnership),
    }
    return render(request, "dashboards/partnership_home.html", context)


@login_required
def outcome_area(request: HttpRequest, slug: str, area: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    area_obj = get_object_or_404(OutcomeArea, partnership=partnership, slug=area)
    context = {
        **_role_context(request, partnership),
        "area": area_obj,
        "charts": page_selectors.area_charts(area=area_obj, user=request.user),
    }
    return render(request, "dashboards/outcome_area.html", context)


@login_required
def indicator_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    indicator = get_object_or_404(
        Indicator.objects.select_related(
            "partnership", "outcome_area", "steward", "baseline_period", "target_period"
        ),
        partnership=partnership,
        code=code,
    )
    data = indicator_chart_data(
        indicator,
        user=request.user,
        dimension=request.GET.get("dimension") or None,
        level=request.GET.get("level", ""),
    )
    context = {
        **_role_context(request, partnership),
        "indicator": indicator,
        "data": data,
        "activities": activities_for_indicator(indicator),
    }
    return render(request, "dashboards/indicator.html", context)


@login_required
def organization_dashboard(request: HttpRequest, slug: str, org: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    organization = get_object_or_404(
        Organization.objects.select_related("partnership"), partnership=partnership, slug=org
    )
    context = {
        **_role_context(request, partnership),
        "organization": organization,
        "page": page_selectors.organization_page(organization=organization, user=request.user),
        "today": timezone.localdate(),
    }
    return render(request, "dashboards/organization.html", context)
