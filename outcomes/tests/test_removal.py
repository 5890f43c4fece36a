"""Removing a wrongly entered activity, meeting, funding commitment or action network:
the confirmation page for every role, what is removed (all of it or nothing), the
history it leaves, the version check, the steward's own-organization rule and the
rule that a network still in use is not removed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outcomes.activities import activity_delete
from outcomes.history import EditConflictError
from outcomes.meetings import meeting_delete
from outcomes.models import (
    ActionItem,
    ActionNetwork,
    Activity,
    ChangeSubject,
    Decision,
    FundingCommitment,
    Meeting,
    OutcomeChange,
)
from outcomes.networks import network_delete
from partnership.tests.world import ROLE_NAMES

from .factories import ActionNetworkFactory

BACKBONE = ("superuser", "backbone")
MAY_REMOVE_DISTRICTS = ("superuser", "backbone", "steward")  # ow.activity is the district's


def _expected(role: str, allowed: tuple[str, ...]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


def _unused_network(ow) -> ActionNetwork:
    return ActionNetworkFactory(
        partnership=ow.partnership,
        outcome_area=ow.indicator.outcome_area,
        name="Entered by mistake",
        slug="mistake",
        lead_organization=ow.partner_org,
        members=[ow.partner_org],
    )


def _urls(ow, network: ActionNetwork) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {
        "activity": (f"/p/riverside/activities/{ow.activity.pk}/remove/", MAY_REMOVE_DISTRICTS),
        "meeting": (f"/p/riverside/meetings/{ow.past_meeting.pk}/remove/", BACKBONE),
        "funding": (f"/p/riverside/funding/{ow.commitment.pk}/remove/", BACKBONE),
        "network": (f"/p/riverside/networks/{network.slug}/remove/", BACKBONE),
    }


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_confirmation_pages_for_every_role(client_as, ow, role):
    client = client_as(role)
    for url, allowed in _urls(ow, _unused_network(ow)).values():
        response = client.get(url)
        assert response.status_code == _expected(role, allowed), url
        if response.status_code == 200:
            assert "Remove the" in response.content.decode()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_removal_by_post_for_every_role(client_as, ow, role):
    client = client_as(role)
    network = _unused_network(ow)
    objects = {
        "activity": (Activity, ow.activity.pk, 1),
        "meeting": (Meeting, ow.past_meeting.pk, 1),
        "funding": (FundingCommitment, ow.commitment.pk, 1),
    }
    for name, (url, allowed) in _urls(ow, network).items():
        if name == "network":
            model, pk, version = ActionNetwork, network.pk, network.version
        else:
            model, pk, version = objects[name]
        response = client.post(url, {"version": version})
        status = _expected(role, allowed)
        if status == 200:
            assert response.status_code == 302, name
            assert not model.objects.filter(pk=pk).exists(), name
        else:
            assert response.status_code == status, name
            assert model.objects.filter(pk=pk).exists(), name


def test_another_partnerships_objects_are_not_found(client_as, ow):
    client = client_as("backbone")
    for url in (
        f"/p/riverside/activities/{ow.foreign_activity.pk}/remove/",
        f"/p/riverside/meetings/{ow.foreign_meeting.pk}/remove/",
        f"/p/riverside/funding/{ow.foreign_commitment.pk}/remove/",
        f"/p/riverside/networks/{ow.foreign_network.slug}/remove/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"version": 1}).status_code == 404, url
    assert Activity.objects.filter(pk=ow.foreign_activity.pk).exists()
    assert Meeting.objects.filter(pk=ow.foreign_meeting.pk).exists()
    assert FundingCommitment.objects.filter(pk=ow.foreign_commitment.pk).exists()
    assert ActionNetwork.objects.filter(pk=ow.foreign_network.pk).exists()


def test_confirmation_page_shows_what_will_be_removed(client_as, ow):
    html = client_as("backbone").get(f"/p/riverside/meetings/{ow.past_meeting.pk}/remove/")
    text = html.content.decode()
    assert "Partnership leadership table" in text
    assert "1 decision(s) and 2 action item(s)" in text
    assert 'name="version" value="1"' in text


def test_removed_activity_leaves_history_with_its_old_values(client_as, ow):
    client = client_as("steward")
    pk = ow.activity.pk
    response = client.post(f"/p/riverside/activities/{pk}/remove/", {"version": 1})
    assert response.status_code == 302 and response["Location"] == "/p/riverside/activities/"
    change = OutcomeChange.objects.get(subject=ChangeSubject.ACTIVITY, object_id=pk)
    assert change.action == "deleted" and change.label == "Pre-K enrolment drive"
    assert change.changed_by == ow.users["steward"] and change.new == {}
    assert change.old["title"] == "Pre-K enrolment drive"
    assert change.old["network"] == "ready-for-k"
    assert change.old["indicators"] == [ow.indicator.code]
    listing = client.get("/p/riverside/activities/").content.decode()
    assert "Removed the activity “Pre-K enrolment drive”. Its history is kept." in listing
    assert "Pre-K enrolment drive" not in client.get("/p/riverside/activities/").content.decode()


def test_steward_may_remove_only_their_own_organizations_activity(client_as, ow):
    steward = ow.users["steward"]
    with pytest.raises(PermissionDenied):
        activity_delete(user=steward, activity=ow.other_activity, expected_version=1)
    assert Activity.objects.filter(pk=ow.other_activity.pk).exists()
    response = client_as("steward").post(
        f"/p/riverside/activities/{ow.other_activity.pk}/remove/", {"version": 1}
    )
    assert response.status_code == 403
    assert Activity.objects.filter(pk=ow.other_activity.pk).exists()
    activity_delete(user=steward, activity=ow.activity, expected_version=1)
    assert not Activity.objects.filter(pk=ow.activity.pk).exists()


def test_meeting_removal_takes_decisions_and_items_and_records_each(client_as, ow):
    meeting = ow.past_meeting
    decision_pk = ow.decision.pk
    item_pks = {ow.overdue_item.pk, ow.upcoming_item.pk}
    response = client_as("backbone").post(
        f"/p/riverside/meetings/{meeting.pk}/remove/", {"version": meeting.version}
    )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not Decision.objects.filter(pk=decision_pk).exists()
    assert not ActionItem.objects.filter(pk__in=item_pks).exists()
    removed = OutcomeChange.objects.filter(action="deleted")
    assert set(removed.values_list("subject", "object_id")) == {
        (ChangeSubject.MEETING, meeting.pk),
        (ChangeSubject.DECISION, decision_pk),
        *((ChangeSubject.ACTION_ITEM, pk) for pk in item_pks),
    }
    decision_change = removed.get(subject=ChangeSubject.DECISION)
    assert decision_change.old == {
        "meeting": meeting.pk,
        "text": "Adopt the kindergarten readiness target.",
    }
    item_change = removed.get(subject=ChangeSubject.ACTION_ITEM, object_id=ow.overdue_item.pk)
    assert item_change.old["owner_user"] == ow.users["steward"].username
    client = client_as("backbone")
    client.get("/p/riverside/meetings/")  # shows (and consumes) the message
    assert (
        "Partnership leadership table" not in client.get("/p/riverside/meetings/").content.decode()
    )


def test_a_failing_meeting_removal_removes_nothing(ow, monkeypatch):
    """Everything happens in one transaction: if the last step fails, the decisions,
    items and their history rows are all still as they were."""
    meeting = ow.past_meeting

    def broken(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Meeting, "delete", broken)
    with pytest.raises(RuntimeError):
        meeting_delete(user=ow.users["backbone"], meeting=meeting, expected_version=1)
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert meeting.decisions.count() == 1 and meeting.action_items.count() == 2
    assert not OutcomeChange.objects.filter(action="deleted").exists()


def test_stale_confirmation_answers_409_and_removes_nothing(client_as, ow):
    client = client_as("backbone")
    network = _unused_network(ow)
    cases = [
        (f"/p/riverside/activities/{ow.activity.pk}/remove/", Activity, ow.activity),
        (f"/p/riverside/meetings/{ow.past_meeting.pk}/remove/", Meeting, ow.past_meeting),
        (f"/p/riverside/funding/{ow.commitment.pk}/remove/", FundingCommitment, ow.commitment),
        (f"/p/riverside/networks/{network.slug}/remove/", ActionNetwork, network),
    ]
    for url, model, obj in cases:
        model.objects.filter(pk=obj.pk).update(version=obj.version + 1)  # someone edited it
        response = client.post(url, {"version": obj.version})
        assert response.status_code == 409, url
        assert "after you opened it" in response.content.decode()
        assert f'name="version" value="{obj.version + 1}"' in response.content.decode()
        assert model.objects.filter(pk=obj.pk).exists(), url
    assert not OutcomeChange.objects.filter(action="deleted").exists()
    assert ow.past_meeting.decisions.count() == 1


def test_network_in_use_is_not_removed(client_as, ow):
    network = ow.network  # has an activity, a meeting and a funding commitment
    page = client_as("backbone").get(f"/p/riverside/networks/{network.slug}/remove/")
    assert "It cannot be removed while it still has 1 activity" in page.content.decode()
    assert "Remove the action network</button>" not in page.content.decode()
    response = client_as("backbone").post(
        f"/p/riverside/networks/{network.slug}/remove/", {"version": network.version}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "still has 1 activity, 1 meeting, 1 funding commitment. Move them" in text
    assert ActionNetwork.objects.filter(pk=network.pk).exists()
    assert not OutcomeChange.objects.filter(action="deleted").exists()
    with pytest.raises(ValidationError, match="Move them to another network"):
        network_delete(user=ow.users["backbone"], network=network, expected_version=None)


def test_unused_network_is_removed_with_history(client_as, ow):
    network = _unused_network(ow)
    page = client_as("backbone").get(f"/p/riverside/networks/{network.slug}/remove/")
    assert "Remove the action network</button>" in page.content.decode()
    response = client_as("backbone").post(
        f"/p/riverside/networks/{network.slug}/remove/", {"version": network.version}
    )
    assert response.status_code == 302 and response["Location"] == "/p/riverside/networks/"
    assert not ActionNetwork.objects.filter(pk=network.pk).exists()
    change = OutcomeChange.objects.get(subject=ChangeSubject.NETWORK, action="deleted")
    assert change.object_id == network.pk and change.old["members"] == [ow.partner_org.slug]


def test_network_removal_needs_backbone(ow):
    with pytest.raises(PermissionDenied):
        network_delete(user=ow.users["steward"], network=_unused_network(ow), expected_version=1)


def test_removed_commitment_leaves_the_summary_and_keeps_history(client_as, ow):
    client = client_as("backbone")
    pk = ow.commitment.pk
    assert client.post(f"/p/riverside/funding/{pk}/remove/", {"version": 1}).status_code == 302
    assert not FundingCommitment.objects.filter(pk=pk).exists()
    change = OutcomeChange.objects.get(subject=ChangeSubject.FUNDING, object_id=pk)
    assert change.action == "deleted" and change.old["amount"] == "300000.00"
    client.get("/p/riverside/funding/")  # shows (and consumes) the message
    assert "300,000" not in client.get("/p/riverside/funding/").content.decode()


def test_stale_service_call_raises_a_conflict_naming_who_changed_it(ow):
    Activity.objects.filter(pk=ow.activity.pk).update(version=2)
    with pytest.raises(EditConflictError, match="after you opened it"):
        activity_delete(user=ow.users["backbone"], activity=ow.activity, expected_version=1)
    assert Activity.objects.filter(pk=ow.activity.pk).exists()
