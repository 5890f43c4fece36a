"""Activities: pages for every role, who may edit whose activities, bad input,
version conflicts, history, and the public selectors other apps call."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from outcomes.activities import (
    activities_by_organization,
    activities_for_indicator,
    activity_create,
    activity_update,
    editable_organizations,
    may_edit_activities_of,
)
from outcomes.models import Activity, ActivityStatus, ChangeSubject, OutcomeChange
from partnership.tests.world import ROLE_NAMES

from .conftest import MEMBERS

BACKBONE = ("superuser", "backbone")
MAY_ADD = ("superuser", "backbone", "steward", "other_steward")
MAY_EDIT_DISTRICTS = ("superuser", "backbone", "steward")  # ow.activity is the district's


def _expected(role: str, allowed: tuple[str, ...]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_activity_pages_for_every_role(client_as, ow, role):
    client = client_as(role)
    pk = ow.activity.pk
    assert client.get("/p/riverside/activities/").status_code == _expected(role, MEMBERS)
    assert client.get(f"/p/riverside/activities/{pk}/").status_code == _expected(role, MEMBERS)
    assert client.get("/p/riverside/activities/new/").status_code == _expected(role, MAY_ADD)
    edit = client.get(f"/p/riverside/activities/{pk}/edit/")
    assert edit.status_code == _expected(role, MAY_EDIT_DISTRICTS)


def test_another_partnerships_activity_is_not_found(client_as, ow):
    client = client_as("backbone")
    pk = ow.foreign_activity.pk
    assert client.get(f"/p/riverside/activities/{pk}/").status_code == 404
    assert client.get(f"/p/riverside/activities/{pk}/edit/").status_code == 404


def test_the_rule_backbone_any_steward_own(ow):
    users = ow.users
    assert may_edit_activities_of(users["backbone"], ow.other_org)
    assert may_edit_activities_of(users["steward"], ow.partner_org)
    assert not may_edit_activities_of(users["steward"], ow.other_org)
    assert not may_edit_activities_of(users["viewer"], ow.partner_org)  # viewer of the district
    assert not may_edit_activities_of(users["funder"], ow.funder_org)
    assert not may_edit_activities_of(users["outsider"], ow.partner_org)
    assert list(editable_organizations(user=users["steward"], partnership=ow.partnership)) == [
        ow.partner_org
    ]


def _form(ow, **overrides):
    data = {
        "title": "Attendance nudges",
        "organization": ow.partner_org.pk,
        "network": "",
        "status": "active",
        "start_date": "2025-09-01",
        "end_date": "2026-06-30",
        "indicators": [ow.indicator.pk],
        "description": "Text messages to families.",
        "version": "",
    }
    data.update(overrides)
    return data


def test_steward_adds_an_activity_for_their_organization(client_as, ow):
    response = client_as("steward").post("/p/riverside/activities/new/", _form(ow))
    assert response.status_code == 302
    activity = Activity.objects.get(title="Attendance nudges")
    assert activity.organization == ow.partner_org and activity.version == 1
    assert list(activity.indicators.all()) == [ow.indicator]
    change = OutcomeChange.objects.get(subject=ChangeSubject.ACTIVITY, object_id=activity.pk)
    assert change.action == "created" and change.new["indicators"] == ["k-ready"]


def test_steward_cannot_add_for_another_organization(client_as, ow):
    response = client_as("steward").post(
        "/p/riverside/activities/new/", _form(ow, organization=ow.other_org.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["organization"][0]
    with pytest.raises(PermissionDenied):
        activity_create(
            user=ow.users["steward"],
            partnership=ow.partnership,
            values={"organization": ow.other_org, "title": "x"},
        )


def test_steward_cannot_hand_an_activity_to_another_organization(ow):
    with pytest.raises(PermissionDenied):
        activity_update(
            user=ow.users["steward"],
            activity=ow.activity,
            expected_version=1,
            values={"organization": ow.other_org},
        )
    with pytest.raises(PermissionDenied):
        activity_update(
            user=ow.users["other_steward"],
            activity=ow.activity,
            expected_version=1,
            values={"title": "Taken over"},
        )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "required"),
        ({"start_date": ""}, "start_date", "required"),
        ({"start_date": "2025-13-01"}, "start_date", "valid date"),
        ({"end_date": "2025-01-01"}, "end_date", "before the start date"),
        ({"status": "paused"}, "status", "valid choice"),
        ({"indicators": ["999999"]}, "indicators", "valid choice"),
    ],
)
def test_bad_input_is_explained(client_as, ow, overrides, field, message):
    response = client_as("backbone").post("/p/riverside/activities/new/", _form(ow, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Activity.objects.filter(title="Attendance nudges").exists()


def test_another_partnerships_indicator_cannot_be_linked(client_as, ow):
    response = client_as("backbone").post(
        "/p/riverside/activities/new/", _form(ow, indicators=[ow.foreign_indicator.pk])
    )
    assert "valid choice" in response.context["form"].errors["indicators"][0]
    with pytest.raises(ValidationError) as exc:
        activity_update(
            user=ow.users["backbone"],
            activity=ow.activity,
            expected_version=1,
            values={"indicators": [ow.foreign_indicator]},
        )
    assert "another partnership" in exc.value.message_dict["indicators"][0]


def test_two_editors_one_wins_the_other_is_told(client_as, ow):
    url = f"/p/riverside/activities/{ow.activity.pk}/edit/"
    steward = client_as("steward")
    assert (
        steward.post(url, _form(ow, title="Pre-K enrolment drive 2025", version=1)).status_code
        == 302
    )
    backbone = client_as("backbone")
    stale = backbone.post(url, _form(ow, title="Stale title", status="stopped", version=1))
    assert stale.status_code == 409
    (message,) = [str(m) for m in stale.context["messages"]]
    assert message.startswith(ow.users["steward"].get_full_name())
    assert "your changes were not saved" in message
    ow.activity.refresh_from_db()
    assert ow.activity.title == "Pre-K enrolment drive 2025" and ow.activity.version == 2
    # Their version is what the form shows now; saving it again succeeds.
    assert stale.context["form"]["title"].value() == "Pre-K enrolment drive 2025"
    again = backbone.post(url, _form(ow, title="Pre-K drive", status="completed", version=2))
    assert again.status_code == 302


def test_history_records_who_when_old_and_new(client_as, ow):
    url = f"/p/riverside/activities/{ow.activity.pk}/edit/"
    client_as("steward").post(
        url, _form(ow, title="Pre-K enrolment drive", status="completed", version=1)
    )
    change = OutcomeChange.objects.get(subject=ChangeSubject.ACTIVITY, object_id=ow.activity.pk)
    assert change.changed_by == ow.users["steward"] and change.version == 2
    assert change.old["status"] == "active" and change.new["status"] == "completed"
    assert change.old["end_date"] is None and change.new["end_date"] == "2026-06-30"
    assert "title" not in change.new  # unchanged fields are not recorded
    page = client_as("viewer").get(f"/p/riverside/activities/{ow.activity.pk}/")
    html = page.content.decode()
    assert "History" in html and "completed" in html and "2026-06-30" in html


def test_database_refuses_an_end_before_the_start(ow):
    ow.activity.end_date = ow.activity.start_date.replace(year=2020)
    with pytest.raises(IntegrityError), transaction.atomic():
        ow.activity.save()


def test_filter_by_organization_and_status(client_as, ow):
    client = client_as("viewer")
    html = client.get("/p/riverside/activities/?organization=ymca&status=active").content.decode()
    assert "Summer bridge camps" in html and "Pre-K enrolment drive" not in html
    assert "Reading buddies" not in html


def test_activities_by_organization_and_for_indicator(ow):
    by_org = activities_by_organization(ow.partnership)
    assert [a.title for a in by_org[ow.partner_org.pk]] == ["Pre-K enrolment drive"]
    # Active first, then planned.
    assert [a.status for a in by_org[ow.other_org.pk]] == [
        ActivityStatus.ACTIVE,
        ActivityStatus.PLANNED,
    ]
    assert ow.foreign_activity.organization_id not in by_org
    titles = [a.title for a in activities_for_indicator(ow.indicator)]
    assert sorted(titles) == ["Pre-K enrolment drive", "Summer bridge camps"]
    assert [a.title for a in activities_for_indicator(ow.other_indicator)] == [
        "Reading buddies (planned)"
    ]


def test_list_query_count_is_bounded(client_as, ow, django_assert_max_num_queries):
    from .factories import ActivityFactory

    for n in range(10):
        ActivityFactory(
            partnership=ow.partnership,
            organization=ow.other_org,
            title=f"More {n}",
            indicators=[ow.indicator, ow.other_indicator],
        )
    client = client_as("backbone")
    with django_assert_max_num_queries(12):
        assert client.get("/p/riverside/activities/").status_code == 200
