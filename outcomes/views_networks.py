"""Pages for action networks, activities and the contribution map.

Every member reads them; backbone staff create and edit networks and any
organization's activities; a data steward adds and edits their own organization's
activities (outcomes/activities.py). Outsiders get 404, other members 403 on forms.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format

from partnership.permissions import Action, can
from partnership.view_helpers import partnership_for

from . import activities as activity_services
from . import networks as network_services
from .forms import ActivityFilterForm, ActivityForm, NetworkForm
from .history import history_of
from .models import ActionNetwork, Activity, ChangeSubject
from .views_base import confirm_removal, render_form, save_form

# --- networks --------------------------------------------------------------------


@login_required
def network_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    context = {
        "partnership": partnership,
        "areas": network_services.network_list(partnership=partnership),
        "can_manage": can(request.user, Action.MANAGE_NETWORKS, partnership),
    }
    return render(request, "outcomes/networks.html", context)


@login_required
def network_detail(request: HttpRequest, slug: str, network: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    obj = get_object_or_404(
        ActionNetwork.objects.select_related("outcome_area", "lead_organization", "lead_person"),
        partnership=partnership,
        slug=network,
    )
    context = {
        "partnership": partnership,
        "detail": network_services.network_detail(network=obj),
        "history": history_of(ChangeSubject.NETWORK, obj),
        "can_manage": can(request.user, Action.MANAGE_NETWORKS, partnership),
        "can_add_activity": activity_services.editable_organizations(
            user=request.user, partnership=partnership
        ).exists(),
    }
    return render(request, "outcomes/network_detail.html", context)


def _network_form(request: HttpRequest, slug: str, network: str | None) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    scope = ActionNetwork.objects.filter(partnership=partnership)
    instance = (
        get_object_or_404(scope, slug=network)
        if network
        else ActionNetwork(partnership=partnership)
    )
    form = NetworkForm(request.POST or None, instance=instance, partnership=partnership)

    def save() -> ActionNetwork:
        if network is None:
            return network_services.network_create(
                user=request.user, partnership=partnership, values=form.values()
            )
        return network_services.network_update(
            user=request.user,
            network=scope.get(slug=network),
            expected_version=form.expected_version,
            values=form.values(),
        )

    saved, conflict = save_form(request, form, save)
    if saved is not None:
        return redirect("network_detail", slug=partnership.slug, network=saved.slug)
    if conflict:
        form = NetworkForm(instance=scope.get(slug=network), partnership=partnership)
    return render_form(
        request,
        partnership,
        form,
        conflict=conflict,
        title=f"Edit {instance.name}" if network else "New action network",
        cancel_url=(
            reverse("network_detail", args=[partnership.slug, network])
            if network
            else reverse("network_list", args=[partnership.slug])
        ),
        submit="Save the network",
    )


@login_required
def network_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _network_form(request, slug, None)


@login_required
def network_edit(request: HttpRequest, slug: str, network: str) -> HttpResponse:
    return _network_form(request, slug, network)


@login_required
def network_remove(request: HttpRequest, slug: str, network: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    obj = get_object_or_404(
        ActionNetwork.objects.select_related("outcome_area", "lead_organization"),
        partnership=partnership,
        slug=network,
    )
    still = network_services.network_dependents(obj)
    return confirm_removal(
        request,
        partnership,
        obj=obj,
        kind="action network",
        details=[
            ("Outcome area", obj.outcome_area.name),
            ("Lead organization", obj.lead_organization.name),
            ("Members", ", ".join(o.name for o in obj.members.order_by("name"))),
            ("Purpose", obj.purpose),
        ],
        consequences=(
            f"It cannot be removed while it still has {', '.join(still)}: move them to "
            "another network or remove them first."
            if still
            else ""
        ),
        blocked=bool(still),
        remove=lambda version: network_services.network_delete(
            user=request.user, network=obj, expected_version=version
        ),
        done_url=reverse("network_list", args=[partnership.slug]),
        cancel_url=reverse("network_detail", args=[partnership.slug, obj.slug]),
    )


# --- activities ------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    form = ActivityFilterForm(request.GET or None, partnership=partnership)
    filters = form.cleaned_data if form.is_valid() else {}
    context = {
        "partnership": partnership,
        "form": form,
        "activities": activity_services.activity_list(
            partnership=partnership,
            organization=filters.get("organization"),
            status=filters.get("status", ""),
        ),
        "can_add": activity_services.editable_organizations(
            user=request.user, partnership=partnership
        ).exists(),
    }
    return render(request, "outcomes/activities.html", context)


def _activity(partnership, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("organization", "network"),
        partnership=partnership,
        pk=pk,
    )


@login_required
def activity_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug)
    activity = _activity(partnership, pk)
    context = {
        "partnership": partnership,
        "activity": activity,
        "indicators": activity.indicators.select_related("outcome_area").order_by("code"),
        "history": activity_services.activity_history(activity=activity),
        "can_edit": activity_services.may_edit_activities_of(request.user, activity.organization),
    }
    return render(request, "outcomes/activity_detail.html", context)


def _activity_form(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    partnership = partnership_for(request, slug)
    organizations = activity_services.editable_organizations(
        user=request.user, partnership=partnership
    )
    instance = _activity(partnership, pk) if pk else Activity(partnership=partnership)
    if pk and not activity_services.may_edit_activities_of(request.user, instance.organization):
        raise PermissionDenied("You may edit your own organization's activities only.")
    if not organizations.exists():
        raise PermissionDenied("Your role does not allow adding activities.")
    form = ActivityForm(
        request.POST or None,
        instance=instance,
        partnership=partnership,
        organizations=organizations,
    )

    def save() -> Activity:
        if pk is None:
            return activity_services.activity_create(
                user=request.user, partnership=partnership, values=form.values()
            )
        return activity_services.activity_update(
            user=request.user,
            activity=_activity(partnership, pk),
            expected_version=form.expected_version,
            values=form.values(),
        )

    saved, conflict = save_form(request, form, save)
    if saved is not None:
        return redirect("activity_detail", slug=partnership.slug, pk=saved.pk)
    if conflict:
        form = ActivityForm(
            instance=_activity(partnership, pk),
            partnership=partnership,
            organizations=organizations,
        )
    return render_form(
        request,
        partnership,
        form,
        conflict=conflict,
        title=f"Edit “{instance.title}”" if pk else "New activity",
        cancel_url=(
            reverse("activity_detail", args=[partnership.slug, pk])
            if pk
            else reverse("activity_list", args=[partnership.slug])
        ),
        submit="Save the activity",
    )


@login_required
def activity_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _activity_form(request, slug, None)


@login_required
def activity_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _activity_form(request, slug, pk)


@login_required
def activity_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug)
    activity = _activity(partnership, pk)
    if not activity_services.may_edit_activities_of(request.user, activity.organization):
        raise PermissionDenied("You may remove your own organization's activities only.")
    return confirm_removal(
        request,
        partnership,
        obj=activity,
        kind="activity",
        details=[
            ("Organization", activity.organization.name),
            ("Action network", activity.network.name if activity.network else ""),
            ("Status", activity.get_status_display()),
            (
                "Dates",
                f"{date_format(activity.start_date)} – "
                + (date_format(activity.end_date) if activity.end_date else "ongoing"),
            ),
            ("Indicators", ", ".join(i.code for i in activity.indicators.order_by("code"))),
        ],
        remove=lambda version: activity_services.activity_delete(
            user=request.user, activity=activity, expected_version=version
        ),
        done_url=reverse("activity_list", args=[partnership.slug]),
        cancel_url=reverse("activity_detail", args=[partnership.slug, pk]),
    )


# --- the contribution map ----------------------------------------------------------


@login_required
def contributions(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    context = {
        "partnership": partnership,
        "map": activity_services.contribution_map(partnership),
    }
    return render(request, "outcomes/contributions.html", context)
