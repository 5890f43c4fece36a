"""Correcting a decision's text and an action item's text, owner and due date after
the meeting: who may, the version check, history, and bad input."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from outcomes.history import EditConflictError
from outcomes.meetings import decision_add, decision_update, decision_version
from outcomes.models import ActionItem, ChangeSubject, Decision, OutcomeChange
from partnership.tests.world import ROLE_NAMES

BACKBONE = ("superuser", "backbone")


def _expected(role: str, allowed: tuple[str, ...]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


def _item_form(ow, **overrides):
    data = {
        "description": "Send the enrolment data by school",
        "owner_user": "",
        "owner_organization": ow.other_org.pk,
        "due_date": "2031-01-15",
        "version": ow.overdue_item.version,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_edit_pages_for_every_role(client_as, ow, role):
    client = client_as(role)
    decision_url = f"/p/riverside/decisions/{ow.decision.pk}/edit/"
    item_url = f"/p/riverside/action-items/{ow.overdue_item.pk}/edit/"
    assert client.get(decision_url).status_code == _expected(role, BACKBONE)
    assert client.get(item_url).status_code == _expected(role, BACKBONE)
    response = client.post(decision_url, {"text": "Changed.", "version": 0})
    assert response.status_code == (302 if role in BACKBONE else _expected(role, BACKBONE))
    response = client.post(item_url, _item_form(ow))
    assert response.status_code == (302 if role in BACKBONE else _expected(role, BACKBONE))
    ow.decision.refresh_from_db()
    ow.overdue_item.refresh_from_db()
    changed = role in BACKBONE
    assert (ow.decision.text == "Changed.") is changed
    assert (ow.overdue_item.description == "Send the enrolment data by school") is changed


def test_another_partnerships_items_are_not_found(client_as, ow):
    client = client_as("backbone")
    url = f"/p/riverside/action-items/{ow.foreign_item.pk}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, _item_form(ow, version=1)).status_code == 404
    foreign = Decision.objects.create(meeting=ow.foreign_meeting, text="Hillcrest decides.")
    assert client.get(f"/p/riverside/decisions/{foreign.pk}/edit/").status_code == 404


def test_meeting_page_links_to_the_edit_pages_for_backbone_only(client_as, ow):
    url = f"/p/riverside/meetings/{ow.past_meeting.pk}/"
    html = client_as("backbone").get(url).content.decode()
    assert f"/p/riverside/decisions/{ow.decision.pk}/edit/" in html
    assert f"/p/riverside/action-items/{ow.overdue_item.pk}/edit/" in html
    html = client_as("viewer").get(url).content.decode()
    assert "/edit/" not in html.split("decisions-title", 1)[1]


def test_action_item_correction_keeps_history(client_as, ow):
    item = ow.overdue_item
    response = client_as("backbone").post(
        f"/p/riverside/action-items/{item.pk}/edit/", _item_form(ow)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner_organization == ow.other_org and item.owner_user is None
    assert item.due_date.isoformat() == "2031-01-15" and item.version == 2
    assert item.status == "open"
    change = OutcomeChange.objects.get(subject=ChangeSubject.ACTION_ITEM, object_id=item.pk)
    assert change.old == {
        "description": "Send the enrolment data",
        "owner_user": ow.users["steward"].username,
        "owner_organization": None,
        "due_date": change.old["due_date"],
    }
    assert change.new["owner_organization"] == ow.other_org.slug


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"owner_organization": ""}, "Choose who owns it"),
        ({"owner_user": "USER"}, "Choose a person or an organization, not both"),
        ({"due_date": "15/01/2031"}, "Enter a valid date"),
        ({"description": ""}, "This field is required"),
    ],
)
def test_action_item_correction_explains_bad_input(client_as, ow, overrides, message):
    if overrides.get("owner_user") == "USER":
        overrides["owner_user"] = ow.users["viewer"].pk
    response = client_as("backbone").post(
        f"/p/riverside/action-items/{ow.overdue_item.pk}/edit/", _item_form(ow, **overrides)
    )
    assert response.status_code == 200 and message in response.content.decode()
    ow.overdue_item.refresh_from_db()
    assert ow.overdue_item.version == 1


def test_stale_action_item_correction_is_refused(client_as, ow):
    item = ow.overdue_item
    ActionItem.objects.filter(pk=item.pk).update(version=2, description="Newer text")
    response = client_as("backbone").post(
        f"/p/riverside/action-items/{item.pk}/edit/", _item_form(ow, version=1)
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "after you opened it" in text and "Newer text" in text
    item.refresh_from_db()
    assert item.description == "Newer text" and item.owner_user == ow.users["steward"]


def test_decision_correction_is_version_checked_with_history(client_as, ow):
    backbone = ow.users["backbone"]
    decision = decision_add(user=backbone, meeting=ow.past_meeting, text="Fund two coaches.")
    assert decision_version(decision) == 1
    url = f"/p/riverside/decisions/{decision.pk}/edit/"
    page = client_as("backbone").get(url).content.decode()
    assert 'name="version" value="1"' in page
    decision_update(user=backbone, decision=decision, expected_version=1, text="Fund 3 coaches.")
    stale = client_as("backbone").post(url, {"text": "Fund four coaches.", "version": 1})
    assert stale.status_code == 409 and "Fund 3 coaches." in stale.content.decode()
    decision.refresh_from_db()
    assert decision.text == "Fund 3 coaches."
    fresh = client_as("backbone").post(url, {"text": "Fund four coaches.", "version": 2})
    assert fresh.status_code == 302
    changes = OutcomeChange.objects.filter(
        subject=ChangeSubject.DECISION, object_id=decision.pk, action="updated"
    ).order_by("id")
    assert [(c.old, c.new, c.version) for c in changes] == [
        ({"text": "Fund two coaches."}, {"text": "Fund 3 coaches."}, 2),
        ({"text": "Fund 3 coaches."}, {"text": "Fund four coaches."}, 3),
    ]
    with pytest.raises(EditConflictError):
        decision_update(user=backbone, decision=decision, expected_version=2, text="Other.")


def test_decision_correction_needs_text_and_backbone(client_as, ow):
    url = f"/p/riverside/decisions/{ow.decision.pk}/edit/"
    response = client_as("backbone").post(url, {"text": "  ", "version": 0})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    with pytest.raises(PermissionDenied):
        decision_update(
            user=ow.users["steward"], decision=ow.decision, expected_version=None, text="X"
        )
    ow.decision.refresh_from_db()
    assert ow.decision.text == "Adopt the kindergarten readiness target."
