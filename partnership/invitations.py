"""Inviting people to a partnership by email.

Backbone staff (``MANAGE_MEMBERS``) invite an address with a role (and, for data
stewards and funders, an organization). The email carries a link with a signed
token naming the invitation and its current nonce. The link works until the
invitation expires (``INVITATION_EXPIRY_DAYS``, default 7), is accepted (once: the
acceptance claims the row with a conditional UPDATE), or is revoked. Resending
makes a new nonce, so only the latest link works, and a new expiry.

Accepting needs an account with the invited address: a signed-in user whose email
matches, or a new account made on the sign-up page (the address is the invited one).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format

from .feed import record_event
from .models import EventKind, Invitation, Membership, Organization, Partnership, Role
from .permissions import Action, require

SALT = "partnership.invitation"
NEEDS_ORGANIZATION = (Role.DATA_STEWARD, Role.FUNDER)

# What is wrong with a link, for the page that says so.
INVALID, EXPIRED, USED, REVOKED = "invalid", "expired", "used", "revoked"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)


def _expiry(sent_at: datetime) -> datetime:
    return sent_at + timedelta(days=settings.INVITATION_EXPIRY_DAYS)


def _send(invitation: Invitation, link_for: Callable[[str], str]) -> None:
    link = link_for(reverse("invitation_accept", args=[invitation_token(invitation)]))
    partnership = invitation.partnership
    inviter = invitation.invited_by
    who = (inviter.get_full_name() or inviter.get_username()) if inviter else "Backbone staff"
    role = Role(invitation.role).label.lower()
    org = f" for {invitation.organization.name}" if invitation.organization_id else ""
    expires = date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    body = (
        f"{who} invites you to join {partnership.name} on Collective Impact as {role}{org}.\n\n"
        f"Accept the invitation here (you can choose a username and password):\n{link}\n\n"
        f"The link works once and until {expires}. If you did not expect this email, "
        "you can ignore it."
    )
    send_mail(
        subject=f"You are invited to {partnership.name}",
        message=body,
        from_email=None,
        recipient_list=[invitation.email],
    )


def _check_role(
    partnership: Partnership, role: str, organization: Organization | None
) -> dict[str, str]:
    errors = {}
    if role not in Role.values:
        errors["role"] = f"Choose one of: {', '.join(Role.labels)}."
    elif role in NEEDS_ORGANIZATION and organization is None:
        errors["organization"] = (
            f"A {Role(role).label.lower()} belongs to an organization: choose theirs."
        )
    if organization is not None and organization.partnership_id != partnership.pk:
        errors["organization"] = "Choose one of this partnership's organizations."
    return errors


def invitation_create(
    *,
    user: Any,
    partnership: Partnership,
    email: str,
    role: str,
    organization: Organization | None,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite an address and send the email. ``link_for`` makes a path absolute."""
    require(user, Action.MANAGE_MEMBERS, partnership)
    email = get_user_model().objects.normalize_email(email.strip())
    errors = _check_role(partnership, role, organization)
    if Membership.objects.filter(partnership=partnership, user__email__iexact=email).exists():
        errors["email"] = f"{email} is already a member of {partnership.name}."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        # An open invitation that has expired makes way for the new one.
        Invitation.objects.filter(
            partnership=partnership,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__lte=now,
        ).update(revoked_at=now)
        invitation = Invitation(
            partnership=partnership,
            email=email,
            role=role,
            organization=organization,
            nonce=secrets.token_hex(16),
            invited_by=user,
            sent_at=now,
            expires_at=_expiry(now),
        )
        invitation.full_clean(validate_constraints=False)
        if Invitation.objects.filter(
            partnership=partnership,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).exists():
            raise ValidationError(
                {"email": f"{email} already has an open invitation: resend or revoke it below."}
            )
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            raise ValidationError(
                {"email": f"{email} already has an open invitation: resend or revoke it below."}
            ) from None
    _send(invitation, link_for)
    return invitation


def pending_invitations(*, partnership: Partnership) -> list[Invitation]:
    """Open invitations (not accepted, not revoked), expired ones included."""
    return list(
        Invitation.objects.filter(
            partnership=partnership, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("organization", "invited_by")
        .order_by("-sent_at", "-id")
    )


def _open(invitation: Invitation) -> Invitation:
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.accepted_at is not None:
        raise ValidationError(f"The invitation of {current.email} was already accepted.")
    if current.revoked_at is not None:
        raise ValidationError(f"The invitation of {current.email} was revoked.")
    return current


def invitation_resend(
    *, user: Any, invitation: Invitation, link_for: Callable[[str], str]
) -> Invitation:
    """Send a fresh link (the previous one stops working) with a new expiry."""
    require(user, Action.MANAGE_MEMBERS, invitation.partnership)
    with transaction.atomic():
        current = _open(invitation)
        current.nonce = secrets.token_hex(16)
        current.sent_at = timezone.now()
        current.send_count += 1
        current.expires_at = _expiry(current.sent_at)
        current.invited_by = user
        current.save(update_fields=["nonce", "sent_at", "send_count", "expires_at", "invited_by"])
    _send(current, link_for)
    return current


def invitation_revoke(*, user: Any, invitation: Invitation) -> Invitation:
    require(user, Action.MANAGE_MEMBERS, invitation.partnership)
    with transaction.atomic():
        current = _open(invitation)
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
    return current


@dataclass(frozen=True)
class LinkCheck:
    invitation: Invitation | None
    problem: str | None  # None when the link can be accepted


def invitation_check(token: str) -> LinkCheck:
    """What a link is worth: its invitation, and what (if anything) is wrong with it."""
    try:
        data = signing.loads(token, salt=SALT)
        pk, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return LinkCheck(None, INVALID)
    invitation = (
        Invitation.objects.select_related("partnership", "organization").filter(pk=pk).first()
    )
    if invitation is None:
        return LinkCheck(None, INVALID)
    if invitation.accepted_at is not None:
        return LinkCheck(invitation, USED)
    if invitation.revoked_at is not None:
        return LinkCheck(invitation, REVOKED)
    if not constant_time_compare(nonce, invitation.nonce):
        # An older link of an invitation that was sent again.
        return LinkCheck(invitation, EXPIRED)
    if invitation.expires_at <= timezone.now():
        return LinkCheck(invitation, EXPIRED)
    return LinkCheck(invitation, None)


def email_matches(user: Any, invitation: Invitation) -> bool:
    return bool(user.email) and user.email.strip().lower() == invitation.email.lower()


def account_exists(invitation: Invitation) -> bool:
    return get_user_model().objects.filter(email__iexact=invitation.email).exists()


def invitation_accept(*, token: str, user: Any) -> Membership:
    """Make ``user`` a member as invited, using the link up. The user's email must be
    the invited address."""
    check = invitation_check(token)
    if check.problem is not None:
        raise ValidationError(f"This invitation link is {check.problem}.")
    invitation = check.invitation
    if not email_matches(user, invitation):
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.get_username()} ({user.email or 'no email address'})."
        )
    now = timezone.now()
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            nonce=invitation.nonce,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).update(accepted_at=now, accepted_by=user)
        if claimed != 1:
            raise ValidationError("This invitation link was used or withdrawn a moment ago.")
        if Membership.objects.filter(user=user, partnership=invitation.partnership).exists():
            raise ValidationError(
                f"You are already a member of {invitation.partnership.name}; "
                "backbone staff can change your role."
            )
        membership = Membership(
            user=user,
            partnership=invitation.partnership,
            role=invitation.role,
            organization=invitation.organization,
        )
        membership.full_clean()
        membership.save()
        name = user.get_full_name() or user.get_username()
        org = f", {invitation.organization.name}" if invitation.organization_id else ""
        record_event(
            partnership=invitation.partnership,
            kind=EventKind.MEMBER_JOINED,
            text=f"{name} joined as {Role(invitation.role).label.lower()}{org}",
            link=reverse("partner_directory", args=[invitation.partnership.slug]),
            actor=user,
        )
    return membership


def invitation_sign_up(*, token: str, username: str, password: str, **names: str) -> Any:
    """Create an account with the invited address and accept the invitation with it.
    The caller has validated the username and password (the sign-up form)."""
    check = invitation_check(token)
    if check.problem is not None:
        raise ValidationError(f"This invitation link is {check.problem}.")
    if account_exists(check.invitation):
        raise ValidationError(
            f"An account with {check.invitation.email} exists already: sign in to accept."
        )
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username, email=check.invitation.email, password=password, **names
        )
        invitation_accept(token=token, user=user)
    return user
