"""Signed-in pages: the list of the user's partnerships and a partnership's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from indicators.data_requests import requests_owed_by_partnership
from indicators.selectors import indicator_catalogue
from partnership.models import Role
from partnership.permissions import Action, can, get_partnership_or_404, role_in
from partnership.selectors import organization_list, partnership_list_for_user


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


@login_required
def partnership_overview(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = get_partnership_or_404(request.user, slug)
    # The navigation context processor reads it to show this partnership's menu.
    request.partnership = partnership
    role = role_in(request.user, partnership)
    context = {
        "partnership": partnership,
        "role": role,
        "role_label": Role(role).label,
        "outcome_areas": indicator_catalogue(partnership=partnership),
        "organizations": organization_list(partnership=partnership),
        "can_see_unapproved": can(request.user, Action.APPROVE_DATA, partnership),
    }
    return render(request, "dashboards/partnership_overview.html", context)
