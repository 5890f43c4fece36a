"""The partner directory and contacts: pages by role, validation, history, conflicts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from partnership import directory
from partnership.models import Contact, ContactChange
from partnership.tests.world import ROLE_NAMES

READ = {"superuser": 200, "backbone": 200, "steward": 200, "other_steward": 200}
READ |= {"viewer": 200, "funder": 200, "outsider": 404}
MANAGE = {**READ, "steward": 403, "other_steward": 403, "viewer": 403, "funder": 403}

ANA = {"name": "Ana Ruiz", "title": "Director of Research", "email": "ana@district.org"}


def contact(world, **values):
    return directory.contact_create(
        user=world.users["backbone"], organization=world.partner_org, **{**ANA, **values}
    )


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_pages_by_role(world, client_as, name):
    c = contact(world)
    client = client_as(name)
    assert client.get("/p/riverside/partners/").status_code == READ[name]
    assert client.get("/p/riverside/partners/district/").status_code == READ[name]
    assert client.get("/p/riverside/partners/district/contacts/new/").status_code == MANAGE[name]
    assert (
        client.get(f"/p/riverside/partners/district/contacts/{c.pk}/").status_code == MANAGE[name]
    )
    response = client.post(f"/p/riverside/partners/district/contacts/{c.pk}/delete/")
    assert response.status_code == {**MANAGE, "superuser": 302, "backbone": 302}[name]


def test_another_partnerships_organizations_and_contacts_are_not_found(world, client_as):
    foreign_org = world.other_partnership.organizations.get()
    foreign = directory.contact_create(
        user=world.users["outsider"], organization=foreign_org, name="Hal", email="hal@h.org"
    )
    client = client_as("backbone")
    assert client.get(f"/p/riverside/partners/{foreign_org.slug}/").status_code == 404
    assert client.get(f"/p/riverside/partners/district/contacts/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/p/riverside/partners/district/contacts/{foreign.pk}/delete/").status_code
        == 404
    )
    assert client.get("/p/hillcrest/partners/").status_code == 404
    assert Contact.objects.filter(pk=foreign.pk).exists()


def test_the_directory_lists_sector_role_contacts_and_indicators(world, client_as):
    contact(world, phone="(555) 010-2368")
    page = client_as("viewer").get("/p/riverside/partners/").content.decode()
    assert "Riverside District" in page
    assert "Ana Ruiz" in page and "Director of Research" in page
    assert "mailto:ana@district.org" in page
    assert "<code>k-ready</code>" in page  # the indicator the district stewards
    assert "Funder" in page and "Backbone organization" in page
    assert 'href="/p/riverside/partners/district/"' in page
    assert "Invite people" not in page
    assert "Invite people" in client_as("backbone").get("/p/riverside/partners/").content.decode()


def test_the_directory_reads_in_a_fixed_number_of_queries(
    world, client_as, django_assert_max_num_queries
):
    for n in range(5):
        contact(world, name=f"Person {n}", email=f"p{n}@district.org")
    client = client_as("viewer")
    with django_assert_max_num_queries(14):
        assert client.get("/p/riverside/partners/").status_code == 200


def test_the_organization_page_shows_contacts_indicators_and_members(world, client_as):
    contact(world)
    page = client_as("funder").get("/p/riverside/partners/district/").content.decode()
    assert "Ana Ruiz" in page
    assert "<code>k-ready</code>" in page
    assert "steward" in page  # the district's members
    assert 'href="/p/riverside/organizations/district/"' in page  # its dashboard
    assert "Contact changes" not in page
    assert (
        "Contact changes"
        in client_as("backbone").get("/p/riverside/partners/district/").content.decode()
    )


def test_adding_a_contact_through_the_page(world, client_as):
    client = client_as("backbone")
    response = client.post(
        "/p/riverside/partners/district/contacts/new/",
        {"name": "Bo Chen", "title": "", "email": "", "phone": "+1 555 010 2368"},
    )
    assert response.status_code == 302
    created = Contact.objects.get(name="Bo Chen")
    assert created.organization == world.partner_org
    assert ContactChange.objects.get(contact=created).action == "created"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "", "email": "a@b.org"}, "This field is required."),
        ({"name": "X", "email": "not-an-email"}, "Enter a valid email address."),
        ({"name": "X", "phone": "call me"}, "Write a phone number with its area code"),
        ({"name": "X"}, "Give an email address or a phone number, or both."),
    ],
)
def test_the_contact_form_says_what_is_wrong(world, client_as, values, message):
    response = client_as("backbone").post("/p/riverside/partners/district/contacts/new/", values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_changes_keep_history_and_stale_edits_are_refused(world, client_as):
    c = contact(world)
    user = world.users["backbone"]
    directory.contact_update(
        user=user, contact=c, expected_version=1, **{**ANA, "title": "Chief Data Officer"}
    )
    with pytest.raises(directory.ContactConflictError):
        directory.contact_update(user=user, contact=c, expected_version=1, **{**ANA, "title": "x"})
    response = client_as("backbone").post(
        f"/p/riverside/partners/district/contacts/{c.pk}/", {**ANA, "version": 1, "title": "Old"}
    )
    assert response.status_code == 200
    assert "Someone changed Ana Ruiz" in response.content.decode()
    assert response.context["form"].initial["title"] == "Chief Data Officer"
    directory.contact_delete(user=user, contact=c)
    history = list(ContactChange.objects.filter(organization=world.partner_org).order_by("id"))
    assert [h.action for h in history] == ["created", "updated", "deleted"]
    assert history[1].old["title"] == "Director of Research"
    assert history[1].new["title"] == "Chief Data Officer"
    assert history[2].old["name"] == "Ana Ruiz"


@pytest.mark.parametrize("name", ["steward", "viewer", "funder"])
def test_only_backbone_staff_keep_contacts(world, name):
    with pytest.raises(PermissionDenied):
        directory.contact_create(
            user=world.users[name], organization=world.partner_org, name="X", email="x@y.org"
        )
