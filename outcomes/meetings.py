"""Meetings, their decisions and action items.

Every member reads the partnership's meetings, decisions and action items. Backbone
staff (``MANAGE_NETWORKS``) schedule and edit meetings, record decisions and assign
action items. The owner of an action item (the person, or any member of the owning
organization) may mark it done; backbone staff may also drop it or reopen it.

An action item is **overdue** when it is open and its due date is before today (in
``TIME_ZONE``); it is **upcoming** when it is open and due today or later.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from partnership.models import Membership, Partnership
from partnership.permissions import Action, can, membership_in

from .history import (
    check_version,
    record,
    record_removal,
    versioned_create,
    versioned_delete,
    versioned_update,
)
from .models import ActionItem, ActionItemStatus, ChangeSubject, Decision, Meeting, OutcomeChange

MEETING_FIELDS = (
    "title",
    "network",
    "starts_at",
    "ends_at",
    "location",
    "agenda",
    "notes",
    "attending_organizations",
)
ACTION_ITEM_FIELDS = ("description", "owner_user", "owner_organization", "due_date", "status")


def _require_manage(user: Any, partnership: Partnership) -> None:
    if not can(user, Action.MANAGE_NETWORKS, partnership):
        raise PermissionDenied(
            "Only backbone staff may schedule meetings and record decisions and action items."
        )


# --- meetings --------------------------------------------------------------------


def meeting_create(*, user: Any, partnership: Partnership, values: dict[str, Any]) -> Meeting:
    _require_manage(user, partnership)
    return versioned_create(
        model=Meeting,
        partnership=partnership,
        subject=ChangeSubject.MEETING,
        user=user,
        values=values,
        fields=MEETING_FIELDS,
        extra={"partnership": partnership},
    )


def meeting_update(
    *, user: Any, meeting: Meeting, expected_version: int | None, values: dict[str, Any]
) -> Meeting:
    _require_manage(user, meeting.partnership)
    return versioned_update(
        obj=meeting,
        partnership=meeting.partnership,
        subject=ChangeSubject.MEETING,
        user=user,
        values=values,
        fields=MEETING_FIELDS,
        expected_version=expected_version,
    )


@transaction.atomic
def meeting_delete(*, user: Any, meeting: Meeting, expected_version: int | None) -> None:
    """Remove a wrongly entered meeting with its decisions and action items (backbone
    staff). Each of them gets its own ``deleted`` history row with its last values."""
    _require_manage(user, meeting.partnership)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_version(ChangeSubject.MEETING, current, expected_version)
    partnership = current.partnership
    for decision in current.decisions.select_for_update().order_by("id"):
        record_removal(
            partnership=partnership,
            subject=ChangeSubject.DECISION,
            obj=decision,
            user=user,
            fields=("meeting", "text"),
        )
    for item in current.action_items.select_for_update().order_by("id"):
        record_removal(
            partnership=partnership,
            subject=ChangeSubject.ACTION_ITEM,
            obj=item,
            user=user,
            fields=ACTION_ITEM_FIELDS,
        )
    versioned_delete(
        obj=current,
        partnership=partnership,
        subject=ChangeSubject.MEETING,
        user=user,
        fields=MEETING_FIELDS,
        expected_version=expected_version,
    )


def meetings_upcoming_and_past(
    *, partnership: Partnership, now: datetime | None = None
) -> tuple[list[Meeting], list[Meeting]]:
    """Meetings not yet over (soonest first) and those over (latest first)."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(partnership=partnership).select_related("network")
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at", "id"))
    past = list(meetings.filter(ends_at__lt=now).order_by("-starts_at", "-id"))
    return upcoming, past


# --- decisions -------------------------------------------------------------------


@transaction.atomic
def decision_add(*, user: Any, meeting: Meeting, text: str) -> Decision:
    _require_manage(user, meeting.partnership)
    decision = Decision(meeting=meeting, text=text.strip(), created_by=user)
    decision.full_clean(exclude=["created_by"])
    decision.save()
    record(
        partnership=meeting.partnership,
        subject=ChangeSubject.DECISION,
        obj=decision,
        action="created",
        user=user,
        old={},
        new={"meeting": meeting.pk, "text": decision.text},
    )
    return decision


def decision_version(decision: Decision) -> int:
    """A decision's version: how many history rows it has (decisions have no version
    column; every change to one writes exactly one row)."""
    return OutcomeChange.objects.filter(
        subject=ChangeSubject.DECISION, object_id=decision.pk
    ).count()


@transaction.atomic
def decision_update(
    *, user: Any, decision: Decision, expected_version: int | None, text: str
) -> Decision:
    """Correct a decision's text (backbone staff), if nobody changed it since the editor
    loaded it; one history row with the old and new text."""
    _require_manage(user, decision.meeting.partnership)
    current = (
        Decision.objects.select_related("meeting__partnership")
        .select_for_update(of=("self",))
        .get(pk=decision.pk)
    )
    current.version = decision_version(current)  # read by check_version and record
    check_version(ChangeSubject.DECISION, current, expected_version)
    old = {"text": current.text}
    current.text = text.strip()
    current.full_clean(exclude=["created_by"])
    if current.text == old["text"]:
        return current
    current.save(update_fields=["text"])
    current.version += 1
    record(
        partnership=current.meeting.partnership,
        subject=ChangeSubject.DECISION,
        obj=current,
        action="updated",
        user=user,
        old=old,
        new={"text": current.text},
    )
    return current


def recent_decisions(partnership: Partnership, since: datetime) -> list[Decision]:
    """Decisions recorded since ``since``, newest first, with their meetings."""
    return list(
        Decision.objects.filter(meeting__partnership=partnership, created_at__gte=since)
        .select_related("meeting", "meeting__network")
        .order_by("-created_at", "-id")
    )


# --- action items ----------------------------------------------------------------


def _check_owner(partnership: Partnership, values: dict[str, Any]) -> None:
    person, organization = values.get("owner_user"), values.get("owner_organization")
    if (person is None) == (organization is None):
        message = "Choose one owner: a person or an organization, not both."
        if person is None:
            message = "Choose who owns it: a person or an organization."
        raise ValidationError({"owner_user": message})
    if person is not None and not (
        Membership.objects.filter(user=person, partnership=partnership).exists()
    ):
        raise ValidationError(
            {"owner_user": f"{person} is not a member of {partnership.name}; choose a member."}
        )


def action_item_add(*, user: Any, meeting: Meeting, values: dict[str, Any]) -> ActionItem:
    _require_manage(user, meeting.partnership)
    _check_owner(meeting.partnership, values)
    return versioned_create(
        model=ActionItem,
        partnership=meeting.partnership,
        subject=ChangeSubject.ACTION_ITEM,
        user=user,
        values=values,
        fields=ACTION_ITEM_FIELDS,
        extra={"meeting": meeting},
    )


def action_item_update(
    *, user: Any, item: ActionItem, expected_version: int | None, values: dict[str, Any]
) -> ActionItem:
    """Correct an action item's text, owner or due date (backbone staff); its status
    changes through ``action_item_set_status``."""
    partnership = item.meeting.partnership
    _require_manage(user, partnership)
    _check_owner(partnership, values)
    editable = ("description", "owner_user", "owner_organization", "due_date")
    return versioned_update(
        obj=item,
        partnership=partnership,
        subject=ChangeSubject.ACTION_ITEM,
        user=user,
        values={k: v for k, v in values.items() if k in editable},
        fields=ACTION_ITEM_FIELDS,
        expected_version=expected_version,
    )


def owns(user: Any, item: ActionItem) -> bool:
    """Is the user the item's owner, or a member of the owning organization?"""
    if item.owner_user_id is not None:
        return item.owner_user_id == getattr(user, "pk", None)
    membership = membership_in(user, item.meeting.partnership)
    return membership is not None and membership.organization_id == item.owner_organization_id


def may_set_status(user: Any, item: ActionItem, status: str) -> bool:
    """Backbone staff set any status; an owner may mark their open item done."""
    if can(user, Action.MANAGE_NETWORKS, item.meeting.partnership):
        return True
    return status == ActionItemStatus.DONE and owns(user, item)


def action_item_set_status(
    *, user: Any, item: ActionItem, status: str, expected_version: int | None
) -> ActionItem:
    if status not in ActionItemStatus.values:
        raise ValidationError({"status": f"'{status}' is not a status: open, done or dropped."})
    if not may_set_status(user, item, status):
        raise PermissionDenied(
            "Only the owner of an action item may mark it done, and only backbone staff "
            "may drop or reopen it."
        )
    closed = status != ActionItemStatus.OPEN
    with transaction.atomic():
        current = ActionItem.objects.select_for_update().get(pk=item.pk)
        if current.status == status and expected_version in (None, current.version):
            return current  # already so: nothing to record
        item = versioned_update(
            obj=item,
            partnership=item.meeting.partnership,
            subject=ChangeSubject.ACTION_ITEM,
            user=user,
            values={"status": status},
            fields=ACTION_ITEM_FIELDS,
            expected_version=expected_version,
            action=status,
        )
        item.closed_at = timezone.now() if closed else None
        item.closed_by = user if closed else None
        item.save(update_fields=["closed_at", "closed_by"])
    return item


def _open_items(partnership: Partnership) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(meeting__partnership=partnership, status=ActionItemStatus.OPEN)
        .select_related("meeting__partnership", "owner_user", "owner_organization")
        .order_by("due_date", "id")
    )


def overdue_action_items(partnership: Partnership, today: date | None = None) -> list[ActionItem]:
    """Open action items due before today, the longest overdue first."""
    today = today or timezone.localdate()
    return list(_open_items(partnership).filter(due_date__lt=today))


def upcoming_action_items(
    partnership: Partnership, today: date | None = None, days: int | None = None
) -> list[ActionItem]:
    """Open action items due today or later (within ``days`` days if given), soonest first."""
    today = today or timezone.localdate()
    items = _open_items(partnership).filter(due_date__gte=today)
    if days is not None:
        items = items.filter(due_date__lte=today + timedelta(days=days))
    return list(items)
