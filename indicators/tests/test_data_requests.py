"""Data requests: asking partners for data, what they owe on the home page,
overdue requests, completeness, reminder emails, and every page for every role."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from indicators import data_requests as dr
from indicators.models import DataRequest, DataRequestStatus, DataStatus
from indicators.reminder_tasks import send_data_request_reminders
from indicators.services import datapoint_create, datapoint_set_status
from partnership.tests.factories import (
    DataPointFactory,
    IndicatorFactory,
    OrganizationFactory,
    period,
)
from partnership.tests.world import ROLE_NAMES

TODAY = timezone.localdate


def ask(world, indicator=None, label="2023-24", due_in=14, **kwargs):
    """A request made by backbone staff, due in ``due_in`` days."""
    indicator = indicator or world.indicator
    return dr.data_request_create(
        user=world.users["backbone"],
        indicator=indicator,
        period=period(label, indicator.period_kind),
        due_date=TODAY() + timedelta(days=due_in),
        **kwargs,
    )


def make_overdue(data_request, days=3):
    DataRequest.objects.filter(pk=data_request.pk).update(due_date=TODAY() - timedelta(days=days))


def submit(world, indicator, label, user="backbone"):
    """Data for the indicator and period, entered and submitted through the services."""
    point = datapoint_create(
        indicator=indicator,
        period=period(label, indicator.period_kind),
        value="50",
        user=world.users[user],
    )
    return datapoint_set_status(
        point=point, status=DataStatus.SUBMITTED, expected_version=point.version, user=None
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# ---------- Creating and validating ----------


def test_a_request_goes_to_the_indicators_steward_by_default(world):
    created = ask(world, message="Fall counts, please.")
    assert created.organization == world.partner_org
    assert created.partnership == world.partnership
    assert created.status == DataRequestStatus.OPEN
    assert created.requested_by == world.users["backbone"]
    assert created.message == "Fall counts, please."


def test_a_request_may_name_another_organization_of_the_partnership(world):
    assert ask(world, organization=world.other_org).organization == world.other_org


def test_a_period_of_the_wrong_kind_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        dr.data_request_create(
            user=world.users["backbone"],
            indicator=world.indicator,
            period=period("2023", "year"),
            due_date=TODAY() + timedelta(days=5),
        )
    (message,) = errors_of(excinfo)["period"]
    assert "k-ready is reported by school year" in message
    assert "'2023' is not such a period" in message


def test_a_due_date_in_the_past_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        ask(world, due_in=-1)
    assert "is in the past; choose today or a later day" in errors_of(excinfo)["due_date"][0]
    assert ask(world, due_in=0).due_date == TODAY()  # today is fine


def test_an_organization_of_another_partnership_is_refused(world):
    foreign = OrganizationFactory(partnership=world.other_partnership, name="Hillcrest Schools")
    with pytest.raises(ValidationError) as excinfo:
        ask(world, organization=foreign)
    assert errors_of(excinfo)["organization"] == [
        "Hillcrest Schools belongs to another partnership; choose one of "
        "Riverside Cradle to Career's organizations."
    ]


def test_an_indicator_without_steward_needs_an_organization(world):
    orphan = IndicatorFactory(
        partnership=world.partnership, outcome_area=world.indicator.outcome_area, steward=None
    )
    with pytest.raises(ValidationError) as excinfo:
        ask(world, indicator=orphan)
    assert "has no steward organization" in errors_of(excinfo)["organization"][0]


def test_a_second_open_request_for_the_same_data_is_refused_until_cancelled(world):
    first = ask(world)
    with pytest.raises(ValidationError) as excinfo:
        ask(world, due_in=30)
    (message,) = errors_of(excinfo)[NON_FIELD_ERRORS]
    assert "Riverside District already has an open request for k-ready 2023-24" in message
    # Another organization, or another period, is a different request.
    ask(world, organization=world.other_org)
    ask(world, label="2024-25")
    dr.data_request_cancel(user=world.users["backbone"], data_request=first)
    assert ask(world).status == DataRequestStatus.OPEN


def test_the_database_refuses_a_second_open_request(world):
    first = ask(world)
    duplicate = DataRequest(
        partnership=first.partnership,
        organization=first.organization,
        indicator=first.indicator,
        period=first.period,
        due_date=first.due_date,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_data_already_submitted_needs_no_request(world):
    submit(world, world.indicator, "2023-24")
    with pytest.raises(ValidationError) as excinfo:
        ask(world)
    assert "has already been submitted" in excinfo.value.messages[0]


@pytest.mark.parametrize("name", ["steward", "viewer", "funder", "outsider"])
def test_only_backbone_staff_may_request_or_cancel(world, name):
    with pytest.raises(PermissionDenied):
        dr.data_request_create(
            user=world.users[name],
            indicator=world.indicator,
            period=period("2023-24", "school_year"),
            due_date=TODAY(),
        )
    with pytest.raises(PermissionDenied):
        dr.data_request_cancel(user=world.users[name], data_request=ask(world, label="2030-31"))


def test_a_fulfilled_or_cancelled_request_cannot_be_cancelled(world):
    cancelled = ask(world)
    dr.data_request_cancel(user=world.users["backbone"], data_request=cancelled)
    assert cancelled.status == DataRequestStatus.CANCELLED
    assert cancelled.cancelled_by == world.users["backbone"]
    with pytest.raises(ValidationError, match="already fulfilled or cancelled"):
        dr.data_request_cancel(user=world.users["backbone"], data_request=cancelled)
    fulfilled = ask(world, label="2024-25")
    submit(world, world.indicator, "2024-25")
    with pytest.raises(ValidationError, match="already fulfilled or cancelled"):
        dr.data_request_cancel(user=world.users["backbone"], data_request=fulfilled)


def test_asking_every_steward_for_a_period(world):
    ask(world, indicator=world.other_indicator)  # already asked: skipped
    IndicatorFactory(  # reported by quarter: not part of a school-year request
        partnership=world.partnership,
        outcome_area=world.indicator.outcome_area,
        steward=world.other_org,
        frequency="quarterly",
    )
    result = dr.data_request_create_for_stewards(
        user=world.users["backbone"],
        partnership=world.partnership,
        frequency="school_year",
        period_label="2023-24",
        due_date=TODAY() + timedelta(days=7),
    )
    assert [(r.indicator.code, r.organization.slug) for r in result.created] == [
        ("k-ready", "district")
    ]
    assert [(i.code, "already has an open request" in why) for i, why in result.skipped] == [
        ("summer-reading", True)
    ]


# ---------- Fulfilment and what partners owe ----------


def test_a_request_is_fulfilled_when_its_data_is_submitted(world):
    created = ask(world)
    steward = world.users["steward"]
    assert [r.pk for r in dr.requests_owed(user=steward, partnership=world.partnership)] == [
        created.pk
    ]
    point = datapoint_create(
        indicator=world.indicator, period=created.period, value="40", user=steward
    )
    # A draft is not a delivery.
    assert dr.requests_owed(user=steward, partnership=world.partnership)
    datapoint_set_status(
        point=point, status=DataStatus.SUBMITTED, expected_version=point.version, user=steward
    )
    assert dr.requests_owed(user=steward, partnership=world.partnership) == []
    (listed,) = dr.data_request_list(user=steward, partnership=world.partnership)
    assert listed.state == dr.RequestState.FULFILLED
    # The daily refresh records it, with the time of the submission.
    assert dr.data_request_refresh_status() == 1
    created.refresh_from_db()
    assert created.status == DataRequestStatus.FULFILLED
    submitted_at = point.changes.get(action="submitted").changed_at
    assert created.fulfilled_at == submitted_at
    assert dr.data_request_refresh_status() == 0


def test_owed_requests_come_overdue_first_for_every_member_of_the_organization(world):
    later = ask(world, label="2023-24", due_in=20)
    overdue = ask(world, label="2022-23", due_in=5)
    make_overdue(overdue)
    ask(world, indicator=world.other_indicator)  # owed by the YMCA, not the district
    for name in ("steward", "viewer"):
        owed = dr.requests_owed(user=world.users[name], partnership=world.partnership)
        assert [(r.pk, r.state) for r in owed] == [
            (overdue.pk, dr.RequestState.OVERDUE),
            (later.pk, dr.RequestState.OPEN),
        ]
    assert dr.requests_owed(user=world.users["backbone"], partnership=world.partnership) == []
    assert dr.requests_owed(user=world.users["outsider"], partnership=world.partnership) == []


def test_home_shows_the_steward_what_they_owe_with_overdue_standing_out(client_as, world):
    ask(world, label="2023-24", due_in=20)
    make_overdue(ask(world, label="2022-23"), days=3)
    html = client_as("steward").get(reverse("home")).content.decode()
    assert "Data your organization owes" in html
    assert html.index("2022-23") < html.index("2023-24")  # overdue first
    assert '<span class="badge badge--overdue">Overdue</span>' in html
    assert "due 3\xa0days ago" in html
    assert reverse("data_request_list", args=["riverside"]) in html
    # Backbone staff owe nothing; the YMCA's steward owes nothing here.
    for name in ("backbone", "other_steward"):
        assert (
            "Data your organization owes"
            not in client_as(name).get(reverse("home")).content.decode()
        )


# ---------- Completeness ----------


def test_completeness_per_organization_and_indicator(world):
    # District (k-ready): one fulfilled on time, one fulfilled late.
    ask(world, label="2021-22", due_in=10)
    submit(world, world.indicator, "2021-22")
    make_overdue(ask(world, label="2022-23"), days=5)
    submit(world, world.indicator, "2022-23")  # today, five days late
    # YMCA (summer-reading): one overdue, one not yet due.
    make_overdue(ask(world, indicator=world.other_indicator, label="2021-22"))
    ask(world, indicator=world.other_indicator, label="2022-23")
    # Cancelled requests do not count.
    dr.data_request_cancel(user=world.users["backbone"], data_request=ask(world, label="2024-25"))

    result = dr.completeness(partnership=world.partnership)

    def numbers(t):
        return (t.requested, t.fulfilled, t.overdue, t.on_time, t.settled, t.on_time_share)

    by_org = {t.subject.slug: numbers(t) for t in result.organizations}
    assert by_org == {"district": (2, 2, 0, 1, 2, 0.5), "ymca": (2, 0, 1, 0, 1, 0.0)}
    by_indicator = {t.subject.code: numbers(t) for t in result.indicators}
    assert by_indicator == {
        "k-ready": (2, 2, 0, 1, 2, 0.5),
        "summer-reading": (2, 0, 1, 0, 1, 0.0),
    }
    assert numbers(result.total) == (4, 2, 1, 1, 3, 1 / 3)
    assert [t.subject.slug for t in result.organizations] == ["ymca", "district"]  # overdue first


def test_on_time_uses_the_first_submission_even_if_the_data_changed_later(world):
    created = ask(world, label="2021-22", due_in=2)
    point = submit(world, world.indicator, "2021-22")
    point.changes.filter(action="submitted").update(changed_at=timezone.now() - timedelta(days=20))
    make_overdue(created, days=10)  # due ten days ago; submitted twenty days ago
    (tally,) = dr.completeness(partnership=world.partnership).organizations
    assert (tally.fulfilled, tally.on_time, tally.on_time_share) == (1, 1, 1.0)


def test_data_loaded_without_history_counts_from_its_creation(world):
    ask(world, label="2021-22")
    DataPointFactory(
        indicator=world.indicator, period=period("2021-22", "school_year"), status="approved"
    )
    assert dr.completeness(partnership=world.partnership).total.on_time == 1


# ---------- Reminders ----------


def test_reminders_are_sent_once_before_and_once_after_the_due_date(world, settings):
    settings.DATA_REQUEST_REMINDER_DAYS_BEFORE = 3
    soon = ask(world, label="2023-24", due_in=2, message="Use the fall count.")
    late = ask(world, indicator=world.other_indicator, due_in=5)
    make_overdue(late, days=1)
    ask(world, label="2024-25", due_in=10)  # not due soon: no reminder yet
    delivered = ask(world, indicator=world.other_indicator, label="2024-25", due_in=1)
    submit(world, world.other_indicator, "2024-25")
    cancelled = ask(world, label="2025-26", due_in=1)
    dr.data_request_cancel(user=world.users["backbone"], data_request=cancelled)

    first = send_data_request_reminders.delay().get()
    second = send_data_request_reminders.delay().get()

    assert first == {"before": 1, "after": 1, "no_recipients": 0, "failed": 0}
    assert second == {"before": 0, "after": 0, "no_recipients": 0, "failed": 0}
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    due_soon = soon.due_date
    assert [to for to, _ in sent] == [
        "other_steward@example.org",
        "steward@example.org",
        "viewer@example.org",
    ]
    assert sent[0][1].startswith("Overdue: summer-reading 2023-24 data was due")
    assert sent[1][1].startswith("Reminder: k-ready 2023-24 data is due")
    body = next(m.body for m in mail.outbox if m.to == ["steward@example.org"])
    assert "Use the fall count." in body
    assert str(due_soon.year) in body
    delivered.refresh_from_db()
    assert delivered.status == DataRequestStatus.FULFILLED

    # Once the soon one is overdue too, its second reminder goes, once.
    make_overdue(soon, days=1)
    assert send_data_request_reminders.delay().get()["after"] == 1
    assert send_data_request_reminders.delay().get()["after"] == 0
    assert len(mail.outbox) == 5


def test_a_reminder_claimed_by_another_worker_is_not_sent_again(world):
    claimed = ask(world, due_in=1)
    DataRequest.objects.filter(pk=claimed.pk).update(reminded_before_at=timezone.now())
    assert send_data_request_reminders.delay().get()["before"] == 0
    assert mail.outbox == []


def test_a_failed_send_is_tried_again_on_the_next_run(world):
    created = ask(world, due_in=1)
    with mock.patch("indicators.reminder_tasks.send_mass_mail", side_effect=OSError("down")):
        assert send_data_request_reminders.delay().get()["failed"] == 1
    created.refresh_from_db()
    assert created.reminded_before_at is None
    assert send_data_request_reminders.delay().get()["before"] == 1
    assert len(mail.outbox) == 2  # the steward and the viewer of the district


def test_an_organization_with_nobody_to_email_is_counted(world):
    ask(world, organization=world.other_org, due_in=1)
    world.users["other_steward"].email = ""
    world.users["other_steward"].save()
    assert send_data_request_reminders.delay().get()["no_recipients"] == 1
    assert mail.outbox == []


def test_beat_runs_the_reminders_daily(settings):
    from celery.schedules import crontab

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-data-request-reminders"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=settings.DATA_REQUEST_REMINDER_HOUR, minute=0)


# ---------- Pages: who may do what ----------

LIST = reverse("data_request_list", args=["riverside"])
NEW = reverse("data_request_create", args=["riverside"])
NEW_STEWARDS = reverse("data_request_create_for_stewards", args=["riverside"])
COMPLETENESS = reverse("completeness", args=["riverside"])
STAFF = {"superuser", "backbone"}


def expected_status(name: str, staff_only: bool) -> int:
    if name == "outsider":
        return 404
    if staff_only and name not in STAFF:
        return 403
    return 200


@pytest.mark.parametrize("name", ROLE_NAMES)
@pytest.mark.parametrize(
    "url, staff_only", [(LIST, False), (NEW, True), (COMPLETENESS, True)], ids=str
)
def test_who_may_open_each_page(client_as, world, name, url, staff_only):
    assert client_as(name).get(url).status_code == expected_status(name, staff_only)


@pytest.mark.parametrize("url", [LIST, NEW, COMPLETENESS])
def test_anonymous_visitors_are_sent_to_sign_in(client_as, world, url):
    response = client_as("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# Which of the two requests (the district's k-ready, the YMCA's summer-reading) each
# member sees in the list: staff see all, everyone else their organization's.
SEES = {
    "superuser": {"k-ready", "summer-reading"},
    "backbone": {"k-ready", "summer-reading"},
    "steward": {"k-ready"},
    "viewer": {"k-ready"},  # a viewer of the district
    "other_steward": {"summer-reading"},
    "funder": set(),
}


@pytest.mark.parametrize("name", SEES)
def test_the_list_shows_each_member_their_organizations_requests(client_as, world, name):
    ask(world)
    ask(world, indicator=world.other_indicator)
    response = client_as(name).get(LIST)
    shown = {r.indicator.code for r in response.context["page"].object_list}
    assert shown == SEES[name]
    html = response.content.decode()
    assert ("Request data" in html) == (name in STAFF)
    assert (">Cancel</button>" in html) == (name in STAFF and bool(shown))


def test_the_list_filters_by_status_organization_and_overdue(client_as, world):
    make_overdue(ask(world, label="2022-23"))
    ask(world, label="2023-24")
    ask(world, indicator=world.other_indicator)
    submit(world, world.other_indicator, "2023-24")
    client = client_as("backbone")

    def shown(**params):
        page = client.get(LIST, params).context["page"]
        return [(r.indicator.code, r.period.label, r.state) for r in page.object_list]

    assert shown() == [
        ("k-ready", "2022-23", "overdue"),
        ("k-ready", "2023-24", "open"),
        ("summer-reading", "2023-24", "fulfilled"),
    ]
    assert shown(status="open") == shown()[:2]
    assert shown(status="fulfilled") == shown()[2:]
    assert shown(overdue="on") == shown()[:1]
    assert shown(organization="ymca") == shown()[2:]
    html = client.get(LIST).content.decode()
    assert '<span class="badge badge--overdue">Overdue</span>' in html
    assert 'class="request request--overdue"' in html


def test_backbone_asks_through_the_form(client_as, world):
    client = client_as("backbone")
    due = TODAY() + timedelta(days=10)
    response = client.post(
        NEW, {"indicator": "k-ready", "period": "2023-24", "due_date": due.isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    created = DataRequest.objects.get()
    assert (created.organization, created.period.label, created.due_date) == (
        world.partner_org,
        "2023-24",
        due,
    )
    html = client.get(LIST).content.decode()
    assert "Asked Riverside District for k-ready 2023-24" in html


def test_the_form_shows_each_error_on_its_field(client_as, world):
    response = client_as("backbone").post(
        NEW,
        {
            "indicator": "k-ready",
            "period": "2023-Q1",
            "due_date": (TODAY() + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert (
        "a quarter, but this indicator is reported by school year"
        in (response.context["form"].errors["period"][0])
    )
    past = (TODAY() - timedelta(days=1)).isoformat()
    response = client_as("backbone").post(
        NEW, {"indicator": "k-ready", "period": "2023-24", "due_date": past}
    )
    assert "is in the past" in response.context["form"].errors["due_date"][0]
    assert DataRequest.objects.count() == 0


def test_backbone_asks_every_steward_through_the_form(client_as, world):
    response = client_as("backbone").post(
        NEW_STEWARDS,
        {
            "frequency": "school_year",
            "period": "2023-24",
            "due_date": (TODAY() + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert DataRequest.objects.count() == 2


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_only_staff_may_ask_every_steward(client_as, world, name):
    due = (TODAY() + timedelta(days=10)).isoformat()
    response = client_as(name).post(
        NEW_STEWARDS, {"frequency": "school_year", "period": "2023-24", "due_date": due}
    )
    assert response.status_code == (302 if name in STAFF else expected_status(name, True))


@pytest.mark.parametrize("name", [*ROLE_NAMES, "anonymous"])
def test_who_may_cancel(client_as, world, name):
    created = ask(world)
    url = reverse("data_request_cancel", args=["riverside", created.code])
    response = client_as(name).post(url)
    created.refresh_from_db()
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (302 if name in STAFF else expected_status(name, True))
    cancelled = created.status == DataRequestStatus.CANCELLED
    assert cancelled == (name in STAFF)


def test_cancel_is_post_only_and_scoped_to_the_partnership(client_as, world):
    created = ask(world)
    client = client_as("backbone")
    url = reverse("data_request_cancel", args=["riverside", created.code])
    assert client.get(url).status_code == 405
    # The same request under a partnership the outsider runs is not found.
    client = client_as("outsider")
    assert (
        client.post(reverse("data_request_cancel", args=["hillcrest", created.code])).status_code
        == 404
    )


def test_the_completeness_page_highlights_overdue(client_as, world):
    make_overdue(ask(world, indicator=world.other_indicator))
    html = client_as("backbone").get(COMPLETENESS).content.decode()
    assert '<span class="badge badge--overdue">1 overdue</span>' in html
    assert "Riverside YMCA" in html
    assert "0% <span" in html


# ---------- Query counts do not grow with the data ----------

# Session, user, partnership, memberships, the navigation's partnerships, then the
# page's own: the list counts its rows, reads a page and the filter's organizations;
# completeness reads the requests once.
LIST_QUERY_BUDGET = 8
COMPLETENESS_QUERY_BUDGET = 6


def _grow(world, size: int) -> None:
    for i in range(size):
        org = OrganizationFactory(partnership=world.partnership)
        indicator = IndicatorFactory(
            partnership=world.partnership, outcome_area=world.indicator.outcome_area, steward=org
        )
        for label in ("2021-22", "2022-23"):
            ask(world, indicator=indicator, label=label)
        if i % 2:
            submit(world, indicator, "2021-22")
        else:
            make_overdue(ask(world, indicator=indicator, label="2023-24"))


@pytest.mark.parametrize("size", [0, 8], ids=["small", "large"])
@pytest.mark.parametrize("url", [LIST, COMPLETENESS])
def test_query_count_does_not_grow(client_as, world, size, url, django_assert_max_num_queries):
    _grow(world, size)
    client = client_as("backbone")
    budget = LIST_QUERY_BUDGET if url == LIST else COMPLETENESS_QUERY_BUDGET
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [0, 8], ids=["small", "large"])
def test_home_query_count_does_not_grow_with_what_is_owed(
    client_as, world, size, django_assert_max_num_queries
):
    for year in range(2000, 2000 + size):
        make_overdue(ask(world, label=f"{year}-{(year + 1) % 100:02d}"))
    client = client_as("steward")
    with django_assert_max_num_queries(6):  # dashboards' HOME_QUERY_BUDGET
        response = client.get(reverse("home"))
    assert response.content.decode().count("badge--overdue") == min(size, 5)
