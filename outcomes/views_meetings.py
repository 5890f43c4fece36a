"""Pages for meetings, their decisions and action items, and the .ics download.

Every member reads them; backbone staff schedule and edit meetings and add
decisions and action items; an action item's owner marks it done
(outcomes/meetings.py). Outsiders get 404, other members 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from partnership.permissions import Action, can
from partnership.view_helpers import add_errors, partnership_for

from . import meetings as services
from .forms import ActionItemEditForm, ActionItemForm, DecisionEditForm, DecisionForm, MeetingForm
from .history import EditConflictError, history_of
from .ics import meeting_ics
from .models import ActionItem, ActionItemStatus, ChangeSubject, Decision, Meeting
from .views_base import confirm_removal, render_form, save_form


def _meeting(partnership, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("network"), partnership=partnership, pk=pk
    )


@login_required
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    upcoming, past = services.meetings_upcoming_and_past(partnership=partnership)
    context = {
        "partnership": partnership,
        "upcoming": upcoming,
        "past": past,
        "can_manage": can(request.user, Action.MANAGE_NETWORKS, partnership),
    }
    return render(request, "outcomes/meetings.html", context)


def _detail(request: HttpRequest, partnership, meeting: Meeting, **forms_) -> HttpResponse:
    can_manage = can(request.user, Action.MANAGE_NETWORKS, partnership)
    items = list(
        meeting.action_items.select_related("owner_user", "owner_organization").order_by(
            "due_date", "id"
        )
    )
    for item in items:
        item.may_mark_done = item.status == ActionItemStatus.OPEN and services.may_set_status(
            request.user, item, ActionItemStatus.DONE
        )
    context = {
        "partnership": partnership,
        "meeting": meeting,
        "attending": meeting.attending_organizations.order_by("name"),
        "decisions": meeting.decisions.all(),
        "action_items": items,
        "today": timezone.localdate(),
        "history": history_of(ChangeSubject.MEETING, meeting),
        "can_manage": can_manage,
        "decision_form": forms_.get("decision_form") or (can_manage and DecisionForm()),
        "item_form": forms_.get("item_form")
        or (can_manage and ActionItemForm(partnership=partnership)),
    }
    return render(request, "outcomes/meeting_detail.html", context)


@login_required
def meeting_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug)
    return _detail(request, partnership, _meeting(partnership, pk))


def _meeting_form(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    instance = _meeting(partnership, pk) if pk else Meeting(partnership=partnership)
    form = MeetingForm(request.POST or None, instance=instance, partnership=partnership)

    def save() -> Meeting:
        if pk is None:
            return services.meeting_create(
                user=request.user, partnership=partnership, values=form.values()
            )
        return services.meeting_update(
            user=request.user,
            meeting=_meeting(partnership, pk),
            expected_version=form.expected_version,
            values=form.values(),
        )

    saved, conflict = save_form(request, form, save)
    if saved is not None:
        return redirect("meeting_detail", slug=partnership.slug, pk=saved.pk)
    if conflict:
        form = MeetingForm(instance=_meeting(partnership, pk), partnership=partnership)
    return render_form(
        request,
        partnership,
        form,
        conflict=conflict,
        title=f"Edit “{instance.title}”" if pk else "New meeting",
        lead=f"Times are in {timezone.get_current_timezone_name()}.",
        cancel_url=(
            reverse("meeting_detail", args=[partnership.slug, pk])
            if pk
            else reverse("meeting_list", args=[partnership.slug])
        ),
        submit="Save the meeting",
    )


@login_required
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _meeting_form(request, slug, None)


@login_required
def meeting_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _meeting_form(request, slug, pk)


@login_required
def meeting_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    meeting = _meeting(partnership, pk)
    n_decisions, n_items = meeting.decisions.count(), meeting.action_items.count()
    return confirm_removal(
        request,
        partnership,
        obj=meeting,
        kind="meeting",
        details=[
            ("Starts", date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")),
            ("Action network", meeting.network.name if meeting.network else ""),
            ("Location", meeting.location),
        ],
        consequences=(
            f"Its {n_decisions} decision(s) and {n_items} action item(s) are removed with it."
        ),
        remove=lambda version: services.meeting_delete(
            user=request.user, meeting=meeting, expected_version=version
        ),
        done_url=reverse("meeting_list", args=[partnership.slug]),
        cancel_url=reverse("meeting_detail", args=[partnership.slug, pk]),
    )


@require_POST
@login_required
def decision_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    meeting = _meeting(partnership, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_add(
                user=request.user, meeting=meeting, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Recorded the decision.")
            return redirect("meeting_detail", slug=partnership.slug, pk=meeting.pk)
    return _detail(request, partnership, meeting, decision_form=form)


@require_POST
@login_required
def action_item_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    meeting = _meeting(partnership, pk)
    form = ActionItemForm(request.POST, partnership=partnership)
    if form.is_valid():
        try:
            services.action_item_add(user=request.user, meeting=meeting, values=form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Added the action item.")
            return redirect("meeting_detail", slug=partnership.slug, pk=meeting.pk)
    return _detail(request, partnership, meeting, item_form=form)


def _decision(partnership, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.select_related("meeting__partnership"),
        meeting__partnership=partnership,
        pk=pk,
    )


@login_required
def decision_edit(request: HttpRequest, slug: str, decision: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    obj = _decision(partnership, decision)
    form = DecisionEditForm(
        request.POST or None, instance=obj, version=services.decision_version(obj)
    )
    saved, conflict = save_form(
        request,
        form,
        lambda: services.decision_update(
            user=request.user,
            decision=_decision(partnership, decision),
            expected_version=form.cleaned_data.get("version"),
            text=form.cleaned_data["text"],
        ),
    )
    if saved is not None:
        messages.success(request, "Saved the decision.")
        return redirect("meeting_detail", slug=partnership.slug, pk=obj.meeting_id)
    if conflict:
        fresh = _decision(partnership, decision)
        form = DecisionEditForm(instance=fresh, version=services.decision_version(fresh))
    return render_form(
        request,
        partnership,
        form,
        conflict=conflict,
        title="Edit a decision",
        lead=f"Of “{obj.meeting.title}”.",
        cancel_url=reverse("meeting_detail", args=[partnership.slug, obj.meeting_id]),
        submit="Save the decision",
        history=history_of(ChangeSubject.DECISION, obj),
    )


def _item(partnership, pk: int) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.select_related("meeting__partnership"),
        meeting__partnership=partnership,
        pk=pk,
    )


@login_required
def action_item_edit(request: HttpRequest, slug: str, item: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_NETWORKS)
    obj = _item(partnership, item)
    form = ActionItemEditForm(request.POST or None, instance=obj, partnership=partnership)
    saved, conflict = save_form(
        request,
        form,
        lambda: services.action_item_update(
            user=request.user,
            item=_item(partnership, item),
            expected_version=form.cleaned_data.get("version"),
            values=form.values(),
        ),
    )
    if saved is not None:
        messages.success(request, f"Saved the action item “{saved.description}”.")
        return redirect("meeting_detail", slug=partnership.slug, pk=obj.meeting_id)
    if conflict:
        form = ActionItemEditForm(instance=_item(partnership, item), partnership=partnership)
    return render_form(
        request,
        partnership,
        form,
        conflict=conflict,
        title="Edit an action item",
        lead=f"Of “{obj.meeting.title}”. Its status is set on the meeting page.",
        cancel_url=reverse("meeting_detail", args=[partnership.slug, obj.meeting_id]),
        submit="Save the action item",
        history=history_of(ChangeSubject.ACTION_ITEM, obj),
    )


@require_POST
@login_required
def action_item_status(request: HttpRequest, slug: str, item: int) -> HttpResponse:
    partnership = partnership_for(request, slug)
    obj = get_object_or_404(
        ActionItem.objects.select_related("meeting"), meeting__partnership=partnership, pk=item
    )
    status = request.POST.get("status", "")
    if not services.may_set_status(request.user, obj, status):
        raise PermissionDenied("Only the owner may mark an action item done.")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.action_item_set_status(
            user=request.user, item=obj, status=status, expected_version=version
        )
    except EditConflictError as exc:
        messages.error(request, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = ActionItemStatus(status).label.lower()
        messages.success(request, f"Marked “{obj.description}” {label}.")
    target = request.POST.get("next", "")
    if target == "action_items":
        return redirect("action_items", slug=partnership.slug)
    return redirect("meeting_detail", slug=partnership.slug, pk=obj.meeting_id)


@login_required
def meeting_ics_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug)
    meeting = _meeting(partnership, pk)
    url = request.build_absolute_uri(reverse("meeting_detail", args=[partnership.slug, pk]))
    response = HttpResponse(
        meeting_ics(meeting, url=url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
def action_items(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    today = timezone.localdate()
    overdue = services.overdue_action_items(partnership, today)
    upcoming = services.upcoming_action_items(partnership, today)
    for item in [*overdue, *upcoming]:
        item.may_mark_done = services.may_set_status(request.user, item, ActionItemStatus.DONE)
        item.days_overdue = (today - item.due_date).days
    context = {
        "partnership": partnership,
        "overdue": overdue,
        "upcoming": upcoming,
        "today": today,
    }
    return render(request, "outcomes/action_items.html", context)
