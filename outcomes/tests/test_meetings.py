"""Meetings, decisions and action items: pages for every role, forms, who may mark an
item done, the overdue and upcoming lists, and the feed's selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from outcomes.meetings import (
    action_item_set_status,
    overdue_action_items,
    recent_decisions,
    upcoming_action_items,
)
from outcomes.models import ActionItem, ActionItemStatus, ChangeSubject, Meeting, OutcomeChange
from partnership.tests.world import ROLE_NAMES

from .conftest import MEMBERS

BACKBONE = ("superuser", "backbone")


def _expected(role: str, allowed: tuple[str, ...]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_meeting_pages_for_every_role(client_as, ow, role):
    client = client_as(role)
    pk = ow.meeting.pk
    assert client.get("/p/riverside/meetings/").status_code == _expected(role, MEMBERS)
    assert client.get(f"/p/riverside/meetings/{pk}/").status_code == _expected(role, MEMBERS)
    assert client.get("/p/riverside/action-items/").status_code == _expected(role, MEMBERS)
    assert client.get("/p/riverside/meetings/new/").status_code == _expected(role, BACKBONE)
    assert client.get(f"/p/riverside/meetings/{pk}/edit/").status_code == _expected(role, BACKBONE)
    decision = client.post(f"/p/riverside/meetings/{pk}/decisions/", {"text": "Go."})
    assert decision.status_code == (302 if role in BACKBONE else _expected(role, BACKBONE))


def test_another_partnerships_meeting_and_items_are_not_found(client_as, ow):
    client = client_as("backbone")
    pk = ow.foreign_meeting.pk
    for url in (
        f"/p/riverside/meetings/{pk}/",
        f"/p/riverside/meetings/{pk}/edit/",
        f"/p/riverside/meetings/{pk}/meeting.ics",
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        f"/p/riverside/action-items/{ow.foreign_item.pk}/status/", {"status": "done"}
    )
    assert response.status_code == 404
    assert client.post(f"/p/riverside/meetings/{pk}/decisions/", {"text": "x"}).status_code == 404


def test_list_splits_upcoming_and_past(client_as, ow):
    response = client_as("viewer").get("/p/riverside/meetings/")
    assert [m.title for m in response.context["upcoming"]] == ["Ready for K: monthly meeting"]
    assert [m.title for m in response.context["past"]] == ["Partnership leadership table"]
    assert "Hillcrest table" not in response.content.decode()


def _meeting_form(**overrides):
    data = {
        "title": "Data walk",
        "network": "",
        "starts_at": "2026-12-03T15:00",
        "ends_at": "2026-12-03T17:00",
        "location": "City Hall",
        "attending_organizations": [],
        "agenda": "Look at the data together.",
        "notes": "",
        "version": "",
    }
    data.update(overrides)
    return data


def test_backbone_schedules_a_meeting(client_as, ow):
    response = client_as("backbone").post(
        "/p/riverside/meetings/new/",
        _meeting_form(attending_organizations=[ow.partner_org.pk, ow.other_org.pk]),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Data walk")
    assert meeting.starts_at == dt.datetime(2026, 12, 3, 15, tzinfo=dt.UTC)
    assert meeting.attending_organizations.count() == 2
    assert OutcomeChange.objects.filter(
        subject=ChangeSubject.MEETING, object_id=meeting.pk, action="created"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "required"),
        ({"ends_at": "2026-12-03T14:00"}, "ends_at", "must end after it starts"),
        ({"starts_at": "tomorrow"}, "starts_at", "valid date/time"),
        ({"network": "999999"}, "network", "valid choice"),
    ],
)
def test_meeting_form_explains_bad_input(client_as, ow, overrides, field, message):
    response = client_as("backbone").post("/p/riverside/meetings/new/", _meeting_form(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_stale_meeting_edit_is_refused(client_as, ow):
    client = client_as("backbone")
    url = f"/p/riverside/meetings/{ow.meeting.pk}/edit/"
    start = timezone.localtime(ow.meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    end = timezone.localtime(ow.meeting.ends_at).strftime("%Y-%m-%dT%H:%M")
    data = _meeting_form(title="Renamed", starts_at=start, ends_at=end, version=1)
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "Renamed again", "version": 1})
    assert stale.status_code == 409
    ow.meeting.refresh_from_db()
    assert ow.meeting.title == "Renamed" and ow.meeting.version == 2
    detail = client_as("viewer").get(f"/p/riverside/meetings/{ow.meeting.pk}/")
    (change,) = detail.context["history"]
    assert (
        change.old["title"] == "Ready for K: monthly meeting" and change.new["title"] == "Renamed"
    )


def test_decision_needs_text(client_as, ow):
    response = client_as("backbone").post(
        f"/p/riverside/meetings/{ow.meeting.pk}/decisions/", {"text": "  "}
    )
    assert response.status_code == 200
    assert "required" in response.context["decision_form"].errors["text"][0]


def _item_form(**overrides):
    data = {"description": "Draft the summer plan", "owner_user": "", "owner_organization": ""}
    data["due_date"] = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    data.update(overrides)
    return data


def test_backbone_adds_an_action_item(client_as, ow):
    url = f"/p/riverside/meetings/{ow.meeting.pk}/action-items/"
    response = client_as("backbone").post(url, _item_form(owner_organization=ow.other_org.pk))
    assert response.status_code == 302
    item = ActionItem.objects.get(description="Draft the summer plan")
    assert item.owner == ow.other_org and item.status == ActionItemStatus.OPEN


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({}, "owner_user", "Choose who owns it"),
        ({"owner_user": "BOTH", "owner_organization": "ORG"}, "owner_organization", "not both"),
        ({"owner_organization": "ORG", "due_date": "31/12/2026"}, "due_date", "valid date"),
        ({"owner_user": "OUTSIDER"}, "owner_user", "valid choice"),
    ],
)
def test_action_item_form_explains_bad_input(client_as, ow, overrides, field, message):
    replace = {
        "BOTH": ow.users["steward"].pk,
        "ORG": ow.partner_org.pk,
        "OUTSIDER": ow.users["outsider"].pk,
    }
    data = _item_form(**{k: replace.get(v, v) for k, v in overrides.items()})
    url = f"/p/riverside/meetings/{ow.meeting.pk}/action-items/"
    response = client_as("backbone").post(url, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["item_form"].errors[field])
    assert not ActionItem.objects.filter(description="Draft the summer plan").exists()


@pytest.mark.parametrize(
    ("role", "item", "status", "allowed"),
    [
        ("steward", "overdue_item", "done", True),  # owns it (a person)
        ("other_steward", "upcoming_item", "done", True),  # works for the owning org
        ("steward", "upcoming_item", "done", False),
        ("viewer", "overdue_item", "done", False),
        ("funder", "overdue_item", "done", False),
        ("steward", "overdue_item", "dropped", False),  # owners may not drop
        ("backbone", "overdue_item", "dropped", True),
        ("superuser", "upcoming_item", "done", True),
    ],
)
def test_who_may_close_an_action_item(client_as, ow, role, item, status, allowed):
    obj = getattr(ow, item)
    response = client_as(role).post(
        f"/p/riverside/action-items/{obj.pk}/status/", {"status": status, "version": 1}
    )
    obj.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert obj.status == status and obj.closed_by == ow.users[role]
        change = OutcomeChange.objects.get(subject=ChangeSubject.ACTION_ITEM, object_id=obj.pk)
        assert change.old == {"status": "open"} and change.new == {"status": status}
    else:
        assert response.status_code == 403
        assert obj.status == ActionItemStatus.OPEN


def test_outsider_cannot_close_an_item(client_as, ow):
    response = client_as("outsider").post(
        f"/p/riverside/action-items/{ow.overdue_item.pk}/status/", {"status": "done"}
    )
    assert response.status_code == 404


def test_reopening_clears_closed_and_stale_status_change_is_refused(ow):
    backbone = ow.users["backbone"]
    item = action_item_set_status(
        user=backbone, item=ow.overdue_item, status="done", expected_version=1
    )
    assert item.closed_at is not None
    item = action_item_set_status(user=backbone, item=item, status="open", expected_version=2)
    assert item.closed_at is None and item.closed_by is None
    from outcomes.history import EditConflictError

    with pytest.raises(EditConflictError):
        action_item_set_status(user=backbone, item=item, status="done", expected_version=1)
    with pytest.raises(PermissionDenied):
        action_item_set_status(
            user=ow.users["viewer"], item=item, status="done", expected_version=None
        )


def test_overdue_and_upcoming_are_computed_from_today(ow):
    today = timezone.localdate()
    assert overdue_action_items(ow.partnership) == [ow.overdue_item]
    assert upcoming_action_items(ow.partnership) == [ow.upcoming_item]
    # Due today is not overdue yet; due yesterday is.
    assert overdue_action_items(ow.partnership, today=ow.overdue_item.due_date) == []
    later = today + dt.timedelta(days=11)
    assert overdue_action_items(ow.partnership, today=later) == [
        ow.overdue_item,
        ow.upcoming_item,
    ]
    assert upcoming_action_items(ow.partnership, today=today, days=5) == []
    assert upcoming_action_items(ow.partnership, today=today, days=10) == [ow.upcoming_item]
    # Closed items are neither.
    action_item_set_status(
        user=ow.users["steward"], item=ow.overdue_item, status="done", expected_version=None
    )
    assert overdue_action_items(ow.partnership) == []
    # Another partnership's items never appear.
    assert ow.foreign_item not in upcoming_action_items(ow.partnership)


def test_action_items_page_makes_overdue_stand_out(client_as, ow):
    response = client_as("steward").get("/p/riverside/action-items/")
    html = response.content.decode()
    assert response.context["overdue"] == [ow.overdue_item]
    assert "action-item--overdue" in html and "Overdue" in html
    assert "Mark “Send the enrolment data” done" in html  # the steward owns it
    assert "Mark “Book the summer venue” done" not in html


def test_recent_decisions_since(ow):
    since = timezone.now() - dt.timedelta(days=1)
    assert recent_decisions(ow.partnership, since) == [ow.decision]
    assert recent_decisions(ow.partnership, timezone.now() + dt.timedelta(minutes=1)) == []
    assert recent_decisions(ow.other_partnership, since) == []


def test_detail_shows_agenda_decisions_and_items(client_as, ow):
    html = client_as("viewer").get(f"/p/riverside/meetings/{ow.past_meeting.pk}/").content.decode()
    assert "Adopt the kindergarten readiness target." in html
    assert "Send the enrolment data" in html and "Book the summer venue" in html
    assert "Record the decision" not in html  # viewers do not record decisions


@pytest.mark.parametrize("role", ["backbone", "steward"])
def test_pages_query_count_does_not_grow(client_as, ow, role, django_assert_max_num_queries):
    from .factories import ActionItemFactory

    for n in range(12):
        ActionItemFactory(
            meeting=ow.past_meeting,
            owner_organization=ow.other_org,
            due_date=timezone.localdate() + dt.timedelta(days=n - 6),
        )
    client = client_as(role)
    with django_assert_max_num_queries(10):
        assert client.get("/p/riverside/action-items/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/p/riverside/meetings/{ow.past_meeting.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/p/riverside/meetings/").status_code == 200
