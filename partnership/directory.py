"""The partner directory: organizations with their contacts, the indicators they
steward, their members and (from the outcomes app) the activities they run; and
the contacts that backbone staff keep (``MANAGE_CATALOGUE``), with their history."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Prefetch, When

from .models import (
    Contact,
    ContactChange,
    Membership,
    Organization,
    OrganizationRole,
    Partnership,
)
from .permissions import Action, require

CONTACT_FIELDS = ("name", "title", "email", "phone")


class ContactConflictError(ValidationError):
    def __init__(self, contact: Contact):
        self.contact = contact
        super().__init__(
            f"Someone changed {contact.name}'s details while you were editing them. "
            "The form now shows their latest details: make your change again."
        )


@dataclass
class DirectoryEntry:
    organization: Organization
    contacts: list[Contact]
    indicators: list[Any]
    members: int
    activities: list[Any] = field(default_factory=list)


def activities_available() -> bool:
    try:
        importlib.import_module("outcomes.activities")
    except ImportError:
        return False
    return True


def _activities(partnership: Partnership) -> dict[int, list[Any]]:
    if not activities_available():
        return {}
    module = importlib.import_module("outcomes.activities")
    return module.activities_by_organization(partnership)


def partner_directory(
    *, partnership: Partnership, organization: Organization | None = None
) -> list[DirectoryEntry]:
    """Every organization (backbone first, then partners, then funders; by name), or
    only ``organization``."""
    from indicators.models import Indicator

    organizations = partnership.organizations.all()
    if organization is not None:
        organizations = organizations.filter(pk=organization.pk)
    organizations = (
        organizations.annotate(n_members=Count("memberships", distinct=True))
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name")),
            Prefetch(
                "stewarded_indicators",
                queryset=Indicator.objects.order_by("code").only(
                    "id", "code", "name", "steward_id"
                ),
            ),
        )
        .annotate(
            role_order=Case(
                When(role=OrganizationRole.BACKBONE, then=0),
                When(role=OrganizationRole.PARTNER, then=1),
                default=2,
            )
        )
        .order_by("role_order", "name")
    )
    activities = _activities(partnership)
    return [
        DirectoryEntry(
            organization=org,
            contacts=list(org.contacts.all()),
            indicators=list(org.stewarded_indicators.all()),
            members=org.n_members,
            activities=activities.get(org.pk, []),
        )
        for org in organizations
    ]


def organization_members(*, organization: Organization) -> list[Membership]:
    return list(
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )


def contact_values(contact: Contact) -> dict[str, str]:
    return {name: getattr(contact, name) for name in CONTACT_FIELDS}


def _record(contact: Contact, action: str, user: Any, old: dict, new: dict) -> None:
    ContactChange.objects.create(
        contact=contact,
        organization_id=contact.organization_id,
        action=action,
        old=old,
        new=new,
        changed_by=user if getattr(user, "is_authenticated", False) else None,
    )


def _clean_values(values: dict[str, str]) -> dict[str, str]:
    return {name: (values.get(name) or "").strip() for name in CONTACT_FIELDS}


def contact_create(*, user: Any, organization: Organization, **values: str) -> Contact:
    require(user, Action.MANAGE_CATALOGUE, organization)
    contact = Contact(organization=organization, **_clean_values(values))
    contact.full_clean()
    with transaction.atomic():
        contact.save()
        _record(contact, "created", user, {}, contact_values(contact))
    return contact


def contact_update(*, user: Any, contact: Contact, expected_version: int, **values: str) -> Contact:
    """Change a contact; ``ContactConflictError`` when someone changed it since
    ``expected_version``."""
    require(user, Action.MANAGE_CATALOGUE, contact.organization)
    with transaction.atomic():
        current = Contact.objects.select_for_update().get(pk=contact.pk)
        if current.version != expected_version:
            raise ContactConflictError(current)
        old = contact_values(current)
        for name, value in _clean_values(values).items():
            setattr(current, name, value)
        current.full_clean()
        new = contact_values(current)
        if new == old:
            return current
        current.version += 1
        current.save()
        _record(current, "updated", user, old, new)
    return current


def contact_delete(*, user: Any, contact: Contact) -> None:
    """Remove a contact; the history keeps their details."""
    require(user, Action.MANAGE_CATALOGUE, contact.organization)
    with transaction.atomic():
        _record(contact, "deleted", user, contact_values(contact), {})
        contact.delete()


def contact_history(*, organization: Organization, limit: int = 20) -> list[ContactChange]:
    return list(
        ContactChange.objects.filter(organization=organization).select_related("changed_by")[:limit]
    )
