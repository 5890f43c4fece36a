"""Invitations: the email and its link, sign-up and sign-in, expiry, single use,
resend and revoke, the wrong address, and who may invite."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from partnership import invitations
from partnership.models import ActivityEvent, EventKind, Invitation, Membership, Role
from partnership.tests.factories import UserFactory
from partnership.tests.world import ROLE_NAMES

LINK = re.compile(r"http://testserver(/invitations/[^/\s]+/)")


def invite(world, email="new.person@example.org", role=Role.DATA_STEWARD, org="partner_org"):
    return invitations.invitation_create(
        user=world.users["backbone"],
        partnership=world.partnership,
        email=email,
        role=role,
        organization=getattr(world, org) if org else None,
        link_for=lambda path: f"http://testserver{path}",
    )


def last_link() -> str:
    return LINK.search(mail.outbox[-1].body).group(1)


SIGN_UP = {
    "first_name": "Nia",
    "last_name": "Park",
    "username": "nia",
    "password1": "a-long-passphrase-42",
    "password2": "a-long-passphrase-42",
}


def test_an_invitation_emails_a_link_that_signs_up_and_joins(world, client):
    invitation = invite(world)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Riverside Cradle to Career" in message.subject
    assert "as data steward for Riverside District" in message.body
    link = last_link()
    page = client.get(link)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()
    response = client.post(link, SIGN_UP)
    assert response.status_code == 302
    assert response.url == "/p/riverside/"
    user = get_user_model().objects.get(username="nia")
    assert user.email == "new.person@example.org"
    membership = Membership.objects.get(user=user, partnership=world.partnership)
    assert (membership.role, membership.organization) == (Role.DATA_STEWARD, world.partner_org)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert ActivityEvent.objects.get(kind=EventKind.MEMBER_JOINED).text == (
        "Nia Park joined as data steward, Riverside District"
    )
    # Signed in now: the partnership is theirs.
    assert client.get("/p/riverside/agenda/").status_code == 200


def test_a_link_works_once(world, client):
    invite(world)
    link = last_link()
    client.post(link, SIGN_UP)
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "already used" in response.content.decode()
    response = client.post(link, {**SIGN_UP, "username": "nia2"})
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="nia2").exists()


@override_settings(INVITATION_EXPIRY_DAYS=2)
def test_links_expire_after_the_configured_days(world, client):
    invitation = invite(world)
    assert invitation.expires_at - invitation.sent_at == timedelta(days=2)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(last_link())
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert client.post(last_link(), SIGN_UP).status_code == 410
    assert not Membership.objects.filter(user__username="nia").exists()


def test_resending_replaces_the_link_and_revoking_withdraws_it(world, client):
    invitation = invite(world)
    old = last_link()
    invitations.invitation_resend(
        user=world.users["backbone"],
        invitation=invitation,
        link_for=lambda path: f"http://testserver{path}",
    )
    new = last_link()
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200
    invitations.invitation_revoke(user=world.users["backbone"], invitation=invitation)
    response = client.get(new)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    with pytest.raises(ValidationError, match="revoked"):
        invitations.invitation_revoke(user=world.users["backbone"], invitation=invitation)


def test_a_tampered_link_is_not_found(world, client):
    invite(world)
    link = last_link()
    assert client.get(link[:-3] + "xx/").status_code == 404
    assert client.get("/invitations/nonsense/").status_code == 404


def test_a_signed_in_user_with_another_address_cannot_accept(world, client):
    invite(world)
    link = last_link()
    client.force_login(world.users["viewer"])  # viewer@example.org
    page = client.get(link).content.decode()
    assert "this invitation is for new.person@example.org" in page
    client.post(link)
    assert not Membership.objects.filter(
        partnership=world.partnership, role=Role.DATA_STEWARD, user=world.users["viewer"]
    ).exists()
    with pytest.raises(ValidationError, match=r"was sent to new\.person@example\.org"):
        invitations.invitation_accept(token=link.split("/")[2], user=world.users["viewer"])


def test_an_existing_account_signs_in_and_joins(world, client):
    person = UserFactory(username="kim", email="Kim@Example.org")
    invite(world, email="kim@example.org", role=Role.VIEWER, org=None)
    link = last_link()
    page = client.get(link).content.decode()
    assert "Sign in to accept" in page
    assert client.post(link, {**SIGN_UP, "username": "kim2"}).status_code == 200
    assert not get_user_model().objects.filter(username="kim2").exists()
    client.force_login(person)
    assert "Join as kim" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=person, partnership=world.partnership).role == Role.VIEWER


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"role": Role.DATA_STEWARD, "org": None}, "organization", "belongs to an organization"),
        ({"role": Role.FUNDER, "org": None}, "organization", "belongs to an organization"),
        ({"email": "viewer@example.org", "role": Role.VIEWER}, "email", "already a member"),
    ],
)
def test_invitations_are_checked(world, values, field, message):
    with pytest.raises(ValidationError) as exc:
        invite(world, **values)
    assert message in " ".join(exc.value.message_dict[field])


def test_one_open_invitation_per_address(world):
    invitation = invite(world)
    with pytest.raises(ValidationError, match="already has an open invitation"):
        invite(world, email="New.Person@example.org")
    # Once expired, a new invitation replaces it.
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invite(world)
    assert Invitation.objects.filter(revoked_at__isnull=True, accepted_at__isnull=True).count() == 1


def test_the_sign_up_form_says_what_is_wrong(world, client):
    invite(world)
    response = client.post(
        last_link(), {**SIGN_UP, "username": "backbone", "password2": "something-else"}
    )
    page = response.content.decode()
    assert "A user with that username already exists." in page
    assert "password fields didn" in page
    assert not Membership.objects.filter(user__email="new.person@example.org").exists()


# --- the invitations page -------------------------------------------------------------

MANAGE = {"superuser": 200, "backbone": 200, "steward": 403, "other_steward": 403}
MANAGE |= {"viewer": 403, "funder": 403, "outsider": 404}


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_the_invitations_page_by_role(world, client_as, name):
    invitation = invite(world)
    client = client_as(name)
    assert client.get("/p/riverside/partners/invitations/").status_code == MANAGE[name]
    posted = {**MANAGE, "superuser": 302, "backbone": 302}[name]
    url = f"/p/riverside/partners/invitations/{invitation.pk}/resend/"
    assert client.post(url).status_code == posted
    response = client.post(
        "/p/riverside/partners/invitations/",
        {"email": f"{name}.x@example.org", "role": "viewer", "organization": ""},
    )
    assert response.status_code == posted


def test_the_page_invites_lists_resends_and_revokes(world, client_as):
    client = client_as("backbone")
    response = client.post(
        "/p/riverside/partners/invitations/",
        {"email": "dee@ymca.org", "role": "data_steward", "organization": "ymca"},
        follow=True,
    )
    page = response.content.decode()
    assert "Sent an invitation to dee@ymca.org; the link works for 7 days." in page
    assert "dee@ymca.org" in page and "Riverside YMCA" in page
    invitation = Invitation.objects.get(email="dee@ymca.org")
    client.post(f"/p/riverside/partners/invitations/{invitation.pk}/resend/")
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    client.post(f"/p/riverside/partners/invitations/{invitation.pk}/revoke/")
    page = client.get("/p/riverside/partners/invitations/").content.decode()
    assert "No pending invitations." in page
    response = client.post(
        "/p/riverside/partners/invitations/",
        {"email": "no-org@example.org", "role": "data_steward", "organization": ""},
    )
    assert "belongs to an organization" in response.content.decode()


def test_another_partnerships_invitations_are_not_found(world, client_as):
    foreign = invitations.invitation_create(
        user=world.users["outsider"],
        partnership=world.other_partnership,
        email="x@hillcrest.org",
        role=Role.VIEWER,
        organization=None,
        link_for=lambda path: path,
    )
    client = client_as("backbone")
    assert client.post(f"/p/riverside/partners/invitations/{foreign.pk}/revoke/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_only_backbone_staff_invite(world):
    with pytest.raises(PermissionDenied):
        invitations.invitation_create(
            user=world.users["steward"],
            partnership=world.partnership,
            email="x@example.org",
            role=Role.VIEWER,
            organization=None,
            link_for=lambda path: path,
        )


# --- members and their roles ------------------------------------------------------------


def change(world, name, role, org=None, expected=None, user="backbone"):
    from partnership import members

    membership = world.membership(name)
    expected_role, expected_org = expected or (membership.role, membership.organization_id)
    return members.membership_change(
        user=world.users[user],
        membership=membership,
        role=role,
        organization=org,
        expected_role=expected_role,
        expected_organization_id=expected_org,
    )


def test_a_role_change_is_kept_in_the_history(world):
    from partnership.models import MembershipChange

    changed = change(world, "viewer", Role.DATA_STEWARD, world.other_org)
    assert (changed.role, changed.organization) == (Role.DATA_STEWARD, world.other_org)
    record = MembershipChange.objects.get()
    assert (record.old_role, record.new_role) == (Role.VIEWER, Role.DATA_STEWARD)
    assert (record.old_organization, record.new_organization) == (
        world.partner_org,
        world.other_org,
    )
    assert record.changed_by == world.users["backbone"]


def test_role_change_rules(world):
    with pytest.raises(ValidationError, match="belongs to an organization"):
        change(world, "viewer", Role.FUNDER, None)
    with pytest.raises(ValidationError, match="only backbone member"):
        change(world, "backbone", Role.VIEWER, None)
    with pytest.raises(ValidationError, match="Someone changed"):
        change(world, "viewer", Role.FUNDER, world.funder_org, expected=(Role.FUNDER, None))
    with pytest.raises(ValidationError, match="this partnership's organizations"):
        change(world, "viewer", Role.VIEWER, world.other_partnership.organizations.get())
    with pytest.raises(PermissionDenied):
        change(world, "viewer", Role.BACKBONE, None, user="steward")


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_changing_a_role_through_the_page_by_role(world, client_as, name):
    viewer = world.membership("viewer")
    response = client_as(name).post(
        f"/p/riverside/partners/members/{viewer.pk}/",
        {
            "role": "funder",
            "organization": "foundation",
            "expected_role": "viewer",
            "expected_organization": world.partner_org.pk,
        },
    )
    assert response.status_code == {**MANAGE, "superuser": 302, "backbone": 302}[name]
    viewer.refresh_from_db()
    assert viewer.role == ("funder" if name in ("superuser", "backbone") else "viewer")


def test_the_people_page_lists_members_and_says_what_went_wrong(world, client_as):
    client = client_as("backbone")
    page = client.get("/p/riverside/partners/invitations/").content.decode()
    assert "other_steward" in page and "Members" in page
    backbone = world.membership("backbone")
    response = client.post(
        f"/p/riverside/partners/members/{backbone.pk}/",
        {
            "role": "viewer",
            "organization": "",
            "expected_role": "backbone",
            "expected_organization": world.backbone_org.pk,
        },
        follow=True,
    )
    assert "is the only backbone member" in response.content.decode()
    foreign = Membership.objects.get(user=world.users["outsider"])
    response = client.post(
        f"/p/riverside/partners/members/{foreign.pk}/",
        {"role": "viewer", "expected_role": "backbone"},
    )
    assert response.status_code == 404
