"""People in a partnership: the member list and role changes (``MANAGE_MEMBERS``).

A change names the role and organization the editor saw; if someone changed the
membership since, the change is refused rather than silently overwriting theirs.
Every change is kept in ``MembershipChange``. A partnership always keeps at least
one backbone member, and data stewards and funders belong to an organization.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Membership, MembershipChange, Organization, Partnership, Role
from .permissions import Action, require

NEEDS_ORGANIZATION = (Role.DATA_STEWARD, Role.FUNDER)


def member_list(*, partnership: Partnership) -> list[Membership]:
    return list(
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "organization")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def membership_changes(*, partnership: Partnership, limit: int = 10) -> list[MembershipChange]:
    return list(
        MembershipChange.objects.filter(partnership=partnership).select_related(
            "member", "changed_by", "old_organization", "new_organization"
        )[:limit]
    )


def membership_change(
    *,
    user: Any,
    membership: Membership,
    role: str,
    organization: Organization | None,
    expected_role: str,
    expected_organization_id: int | None,
) -> Membership:
    """Give a member another role (and organization)."""
    partnership = membership.partnership
    require(user, Action.MANAGE_MEMBERS, partnership)
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        )
        name = current.user.get_full_name() or current.user.get_username()
        if (current.role, current.organization_id) != (expected_role, expected_organization_id):
            raise ValidationError(
                f"Someone changed {name}'s role while you were looking: they are now "
                f"{Role(current.role).label.lower()}. Check it and change it again if needed."
            )
        if role in NEEDS_ORGANIZATION and organization is None:
            raise ValidationError(
                {"organization": f"A {Role(role).label.lower()} belongs to an organization."}
            )
        if organization is not None and organization.partnership_id != partnership.pk:
            raise ValidationError(
                {"organization": "Choose one of this partnership's organizations."}
            )
        if (
            current.role == Role.BACKBONE
            and role != Role.BACKBONE
            and not Membership.objects.filter(partnership=partnership, role=Role.BACKBONE)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError(
                f"{name} is the only backbone member: make someone else backbone staff first."
            )
        if (current.role, current.organization_id) == (role, getattr(organization, "pk", None)):
            return current
        change = MembershipChange(
            partnership=partnership,
            member=current.user,
            old_role=current.role,
            new_role=role,
            old_organization_id=current.organization_id,
            new_organization=organization,
            changed_by=user,
        )
        current.role = role
        current.organization = organization
        current.full_clean()
        current.save(update_fields=["role", "organization"])
        change.save()
    return current
