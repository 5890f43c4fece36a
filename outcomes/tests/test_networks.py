"""Action network pages for every role, creating and editing networks (with the
version check and history), and the service rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outcomes import networks as services
from outcomes.history import EditConflictError
from outcomes.models import ActionNetwork, ChangeSubject, OutcomeChange
from partnership.tests.world import ROLE_NAMES

from .conftest import MEMBERS

BACKBONE = ("superuser", "backbone")


def _expected(role: str, allowed: tuple[str, ...]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_network_pages_for_every_role(client_as, ow, role):
    client = client_as(role)
    base = "/p/riverside/networks/"
    assert client.get(base).status_code == _expected(role, MEMBERS)
    assert client.get(f"{base}ready-for-k/").status_code == _expected(role, MEMBERS)
    assert client.get(f"{base}new/").status_code == _expected(role, BACKBONE)
    assert client.get(f"{base}ready-for-k/edit/").status_code == _expected(role, BACKBONE)


def test_anonymous_is_sent_to_sign_in(client, ow):
    response = client.get("/p/riverside/networks/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_partnerships_network_is_not_found(client_as, ow):
    client = client_as("backbone")
    assert client.get("/p/riverside/networks/hc-reading/").status_code == 404
    assert client.get("/p/riverside/networks/hc-reading/edit/").status_code == 404
    assert client.get("/p/hillcrest/networks/").status_code == 404


def test_list_groups_networks_by_outcome_area(client_as, ow):
    response = client_as("viewer").get("/p/riverside/networks/")
    html = response.content.decode()
    assert "Kindergarten readiness" in html and "Ready for K Network" in html
    assert "Hillcrest Reading" not in html
    assert "New action network" not in html  # viewers do not manage networks
    assert "2 member organizations" in html and "1 active activity" in html


def test_detail_shows_members_activities_indicators_and_meetings(client_as, ow):
    html = client_as("funder").get("/p/riverside/networks/ready-for-k/").content.decode()
    for text in (
        "Riverside District",  # lead
        "Riverside YMCA",  # member
        "Pre-K enrolment drive",
        "k-ready",
        "Ready for K: monthly meeting",
    ):
        assert text in html


def _post(client, url, **overrides):
    data = {
        "name": "Third Grade Reading Network",
        "slug": "",
        "outcome_area": "",
        "purpose": "Tutoring and attendance.",
        "lead_organization": "",
        "lead_person": "",
        "members": [],
        "version": "",
    }
    data.update(overrides)
    return client.post(url, data)


def test_backbone_creates_a_network_lead_joins_members(client_as, ow):
    client = client_as("backbone")
    area = ow.indicator.outcome_area
    response = _post(
        client,
        "/p/riverside/networks/new/",
        outcome_area=area.pk,
        lead_organization=ow.other_org.pk,
        lead_person=ow.users["other_steward"].pk,
        members=[ow.partner_org.pk],
    )
    assert response.status_code == 302
    network = ActionNetwork.objects.get(slug="third-grade-reading-network")
    assert response["Location"] == "/p/riverside/networks/third-grade-reading-network/"
    assert set(network.members.all()) == {ow.partner_org, ow.other_org}
    change = OutcomeChange.objects.get(subject=ChangeSubject.NETWORK, object_id=network.pk)
    assert change.action == "created" and change.changed_by == ow.users["backbone"]
    assert change.new["members"] == ["district", "ymca"]


def test_bad_input_is_explained(client_as, ow):
    client = client_as("backbone")
    response = _post(
        client, "/p/riverside/networks/new/", name="Ready for K Network", slug="ready-for-k"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "outcome_area" in errors and "lead_organization" in errors
    assert "Another network already uses" in errors["slug"][0]
    assert "already a network called" in errors["name"][0]
    # Another partnership's organization cannot be chosen.
    foreign = ow.other_partnership.organizations.get()
    response = _post(
        client,
        "/p/riverside/networks/new/",
        name="X",
        outcome_area=ow.indicator.outcome_area.pk,
        lead_organization=foreign.pk,
    )
    assert "Select a valid choice" in response.context["form"].errors["lead_organization"][0]


def test_lead_person_must_be_a_member(ow):
    values = {
        "name": "N",
        "slug": "n",
        "outcome_area": ow.indicator.outcome_area,
        "lead_organization": ow.partner_org,
        "lead_person": ow.users["outsider"],
        "members": [],
    }
    with pytest.raises(ValidationError) as exc:
        services.network_create(
            user=ow.users["backbone"], partnership=ow.partnership, values=values
        )
    assert "lead_person" in exc.value.message_dict


def test_only_backbone_may_create_through_the_service(ow):
    with pytest.raises(PermissionDenied):
        services.network_create(user=ow.users["steward"], partnership=ow.partnership, values={})


def test_a_stale_edit_is_refused_and_history_kept(client_as, ow):
    client = client_as("backbone")
    url = "/p/riverside/networks/ready-for-k/edit/"
    common = {
        "name": "Ready for K Network",
        "slug": "ready-for-k",
        "outcome_area": ow.network.outcome_area_id,
        "lead_organization": ow.partner_org.pk,
        "members": [ow.partner_org.pk, ow.other_org.pk],
        "version": 1,
    }
    first = client.post(url, {**common, "purpose": "First edit."})
    assert first.status_code == 302
    second = client.post(url, {**common, "purpose": "Second edit, from an old page."})
    assert second.status_code == 409
    assert "after you opened it" in second.content.decode()
    ow.network.refresh_from_db()
    assert ow.network.purpose == "First edit." and ow.network.version == 2
    # The re-shown form carries the new version, so saving again works.
    assert second.context["form"]["version"].value() == 2
    change = OutcomeChange.objects.get(subject=ChangeSubject.NETWORK, action="updated")
    assert change.old == {"purpose": "Home visiting, pre-K enrolment and summer bridge programs."}
    assert change.new == {"purpose": "First edit."}
    history = client_as("viewer").get("/p/riverside/networks/ready-for-k/").context["history"]
    assert [c.action for c in history] == ["updated"]  # the factory wrote no "created" row


def test_saving_without_changes_writes_no_history(ow):
    network = services.network_update(
        user=ow.users["backbone"],
        network=ow.network,
        expected_version=1,
        values={"purpose": ow.network.purpose},
    )
    assert network.version == 1
    assert not OutcomeChange.objects.filter(subject=ChangeSubject.NETWORK).exists()


def test_conflict_error_names_who_changed_it(ow):
    services.network_update(
        user=ow.users["backbone"], network=ow.network, expected_version=1, values={"purpose": "a"}
    )
    with pytest.raises(EditConflictError) as exc:
        services.network_update(
            user=ow.users["superuser"],
            network=ow.network,
            expected_version=1,
            values={"purpose": "b"},
        )
    assert exc.value.messages[0].startswith(
        f"{ow.users['backbone'].get_full_name()} changed “Ready for K Network” on "
    )


def test_list_query_count_does_not_grow_with_networks(client_as, ow, django_assert_max_num_queries):
    from .factories import ActionNetworkFactory, ActivityFactory

    for n in range(5):
        ActionNetworkFactory(
            partnership=ow.partnership,
            outcome_area=ow.indicator.outcome_area,
            lead_organization=ow.other_org,
            slug=f"extra-{n}",
        )
    for _ in range(8):
        ActivityFactory(
            partnership=ow.partnership,
            organization=ow.other_org,
            network=ow.network,
            indicators=[ow.indicator, ow.other_indicator],
        )
    client = client_as("viewer")
    with django_assert_max_num_queries(10):
        assert client.get("/p/riverside/networks/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/p/riverside/networks/ready-for-k/").status_code == 200
