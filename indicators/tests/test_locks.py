"""Locked periods: backbone staff lock an approved period; every data point
service (so the pages, the import, the API and the admin) refuses to change its
data until they unlock it; locking and unlocking are both recorded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.locks import ensure_unlocked, locked_period_ids, period_lock, period_unlock
from indicators.models import (
    DataPoint,
    DataPointChange,
    DataStatus,
    LockAction,
    PeriodLock,
    PeriodLockEvent,
)
from indicators.services import (
    datapoint_create,
    datapoint_delete,
    datapoint_set_status,
    datapoint_update,
    period_get,
)
from partnership.tests.factories import DataPointFactory, GeographyFactory

REASON = "Published in the 2023 report card"


@pytest.fixture
def sy(world):
    return period_get(label="2022-23", kind="school_year")


@pytest.fixture
def approved(world, sy) -> DataPoint:
    """An approved point of the world's indicator in 2022-23."""
    return DataPointFactory(indicator=world.indicator, period=sy, status=DataStatus.APPROVED)


def lock(world, sy, user: str = "backbone") -> PeriodLock:
    return period_lock(
        partnership=world.partnership, period=sy, user=world.users[user], reason=REASON
    )


def locked_message(world, period_label: str = "2022-23") -> str:
    today = timezone.localdate().isoformat()
    return (
        f"{period_label} is locked for Riverside Cradle to Career since {today} by backbone "
        f"({REASON}); ask backbone staff to unlock it."
    )


# --- locking -------------------------------------------------------------------


def test_backbone_locks_an_approved_period_and_it_is_recorded(world, sy, approved):
    period_lock_row = lock(world, sy)

    assert period_lock_row.locked_by == world.users["backbone"]
    assert PeriodLock.objects.get().period == sy
    event = PeriodLockEvent.objects.get()
    assert (event.action, event.period, event.changed_by, event.reason) == (
        LockAction.LOCKED,
        sy,
        world.users["backbone"],
        REASON,
    )


@pytest.mark.parametrize("role", ["steward", "other_steward", "viewer", "funder", "outsider"])
def test_only_backbone_staff_lock_and_unlock(world, sy, approved, role):
    with pytest.raises(PermissionDenied):
        lock(world, sy, user=role)
    assert not PeriodLock.objects.exists()

    lock(world, sy)
    with pytest.raises(PermissionDenied):
        period_unlock(
            partnership=world.partnership, period=sy, user=world.users[role], reason="Fix"
        )
    assert PeriodLock.objects.exists()
    assert PeriodLockEvent.objects.count() == 1


def test_nobody_locks_without_a_user(world, sy, approved):
    with pytest.raises(PermissionDenied):
        period_lock(partnership=world.partnership, period=sy, user=None, reason=REASON)


def test_a_period_with_unapproved_data_cannot_be_locked_and_the_message_names_it(
    world, sy, approved
):
    for code, status in (("D1", DataStatus.DRAFT), ("D2", DataStatus.RETURNED)):
        geography = GeographyFactory(partnership=world.partnership, code=code)
        DataPointFactory(indicator=world.indicator, period=sy, geography=geography, status=status)
    DataPointFactory(indicator=world.other_indicator, period=sy, status=DataStatus.SUBMITTED)

    with pytest.raises(ValidationError) as exc:
        lock(world, sy)

    assert exc.value.message_dict["period"] == [
        "2022-23 cannot be locked: 3 data points are not approved yet (k-ready: 1 draft, "
        "1 returned; summer-reading: 1 submitted). Approve or delete them first; only "
        "approved periods can be locked."
    ]
    assert not PeriodLock.objects.exists()
    assert not PeriodLockEvent.objects.exists()


def test_unapproved_data_of_another_period_or_partnership_does_not_stop_a_lock(world, sy, approved):
    DataPointFactory(
        indicator=world.indicator,
        period=period_get(label="2023-24", kind="school_year"),
        status=DataStatus.DRAFT,
    )
    DataPointFactory(indicator=world.foreign_indicator, period=sy, status=DataStatus.DRAFT)

    assert lock(world, sy).period == sy


def test_locking_a_locked_period_is_a_clear_error(world, sy, approved):
    lock(world, sy)
    with pytest.raises(ValidationError, match="2022-23 is locked already for Riverside"):
        lock(world, sy)
    assert PeriodLockEvent.objects.count() == 1


# --- a locked period refuses every write ------------------------------------------


def _create(world, sy, point):
    datapoint_create(
        indicator=world.other_indicator, period=sy, value="40", user=world.users["backbone"]
    )


def _update(world, sy, point):
    datapoint_update(
        point=point, expected_version=point.version, value="41", user=world.users["backbone"]
    )


def _reopen(world, sy, point):
    datapoint_set_status(
        point=point,
        status=DataStatus.DRAFT,
        expected_version=point.version,
        user=world.users["backbone"],
    )


def _delete(world, sy, point):
    datapoint_delete(point=point, expected_version=point.version, user=world.users["backbone"])


WRITES: dict[str, Callable[..., Any]] = {
    "create": _create,
    "update": _update,
    "status change": _reopen,
    "delete": _delete,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_data_point_service_refuses_to_write_in_a_locked_period(world, sy, approved, write):
    lock(world, sy)

    with pytest.raises(ValidationError) as exc:
        write(world, sy, approved)

    assert exc.value.message_dict["period"] == [locked_message(world)]
    assert list(DataPoint.objects.values_list("pk", "value", "status", "version")) == [
        (approved.pk, approved.value, DataStatus.APPROVED, approved.version)
    ]
    assert not DataPointChange.objects.exists()


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_other_periods_are_not_locked(world, sy, approved, write):
    lock(world, sy)
    next_year = period_get(label="2023-24", kind="school_year")
    point = DataPointFactory(indicator=world.indicator, period=next_year)

    write(world, next_year, point)

    assert DataPointChange.objects.count() == 1


def test_the_same_period_of_another_partnership_is_not_locked(world, sy, approved):
    lock(world, sy)

    point = datapoint_create(
        indicator=world.foreign_indicator, period=sy, value="40", user=world.users["outsider"]
    )

    assert point.period == sy
    assert locked_period_ids(partnership=world.other_partnership) == set()


def test_the_lock_message_says_who_locked_when_and_why(world, sy, approved):
    lock(world, sy)
    with pytest.raises(ValidationError) as exc:
        ensure_unlocked(indicator=world.indicator, period=sy)
    assert exc.value.message_dict == {"period": [locked_message(world)]}


# --- unlocking -----------------------------------------------------------------------


def test_unlocking_needs_a_reason(world, sy, approved):
    lock(world, sy)
    with pytest.raises(ValidationError) as exc:
        period_unlock(
            partnership=world.partnership, period=sy, user=world.users["backbone"], reason=" "
        )
    assert "reason" in exc.value.message_dict
    assert PeriodLock.objects.exists()


def test_unlocking_allows_edits_again_and_both_are_recorded(world, sy, approved):
    lock(world, sy)
    period_unlock(
        partnership=world.partnership,
        period=sy,
        user=world.users["superuser"],
        reason="Correction from the district",
    )

    _update(world, sy, approved)

    approved.refresh_from_db()
    assert (approved.value, approved.status) == (41, DataStatus.DRAFT)
    assert not PeriodLock.objects.exists()
    events = list(
        PeriodLockEvent.objects.order_by("id").values_list(
            "action", "changed_by__username", "reason"
        )
    )
    assert events == [
        (LockAction.LOCKED, "backbone", REASON),
        (LockAction.UNLOCKED, "superuser", "Correction from the district"),
    ]


def test_unlocking_a_period_that_is_not_locked_is_a_clear_error(world, sy):
    with pytest.raises(ValidationError, match="2022-23 is not locked for Riverside"):
        period_unlock(
            partnership=world.partnership, period=sy, user=world.users["backbone"], reason="x"
        )
    assert not PeriodLockEvent.objects.exists()


# --- for importers ------------------------------------------------------------------


def test_locked_period_ids_is_one_query(world, sy, approved, django_assert_num_queries):
    lock(world, sy)
    older = period_get(label="2019-20", kind="school_year")
    period_lock(partnership=world.partnership, period=older, user=world.users["backbone"])
    period_lock(
        partnership=world.other_partnership, period=sy, user=world.users["outsider"], reason=""
    )

    with django_assert_num_queries(1):
        ids = locked_period_ids(partnership=world.partnership)

    assert ids == {sy.pk, older.pk}


# --- locking waits for writers (PostgreSQL) ---------------------------------------------


def _in_thread(function: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run ``function`` on its own database connection; its result or exception
    lands in the returned list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                outcome.append(function())
        except Exception as exc:  # handed to the test
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.postgres
def test_a_lock_waits_for_a_draft_being_written_then_refuses(world, sy, transactional_db, postgres):
    DataPointFactory(indicator=world.indicator, period=sy, status=DataStatus.APPROVED)
    with transaction.atomic():
        datapoint_create(indicator=world.other_indicator, period=sy, value="40")
        thread, outcome = _in_thread(lambda: lock(world, sy))
        thread.join(1)
        assert thread.is_alive(), "the lock should wait for the writer's transaction"
    thread.join(15)

    assert isinstance(outcome[0], ValidationError), outcome
    assert "summer-reading: 1 draft" in str(outcome[0])
    assert not PeriodLock.objects.exists()


@pytest.mark.postgres
def test_a_writer_waits_for_a_lock_being_taken_then_refuses(world, sy, transactional_db, postgres):
    DataPointFactory(indicator=world.indicator, period=sy, status=DataStatus.APPROVED)
    with transaction.atomic():
        lock(world, sy)
        thread, outcome = _in_thread(
            lambda: datapoint_create(indicator=world.other_indicator, period=sy, value="40")
        )
        thread.join(1)
        assert thread.is_alive(), "the writer should wait for the locker's transaction"
    thread.join(15)

    assert isinstance(outcome[0], ValidationError), outcome
    assert outcome[0].message_dict["period"] == [locked_message(world)]
    assert not DataPoint.objects.filter(indicator=world.other_indicator).exists()


# --- the admin ----------------------------------------------------------------------------


def admin_url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:indicators_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client_as):
    return client_as("superuser")


def test_the_admin_locks_a_period_through_the_service(admin_client, world, sy, approved):
    response = admin_client.post(
        admin_url(PeriodLock, "add"),
        {"partnership": world.partnership.pk, "period": sy.pk, "reason": REASON},
    )

    assert response.status_code == 302
    assert PeriodLock.objects.get().locked_by == world.users["superuser"]
    assert PeriodLockEvent.objects.get().action == LockAction.LOCKED


def test_the_admin_shows_why_a_period_cannot_be_locked(admin_client, world, sy, approved):
    DataPointFactory(indicator=world.other_indicator, period=sy, status=DataStatus.SUBMITTED)

    response = admin_client.post(
        admin_url(PeriodLock, "add"),
        {"partnership": world.partnership.pk, "period": sy.pk, "reason": REASON},
    )

    assert response.status_code == 200
    assert "summer-reading: 1 submitted" in str(response.context["adminform"].form.errors)
    assert not PeriodLock.objects.exists()


def test_the_admin_unlocks_a_period_with_a_reason(admin_client, world, sy, approved):
    period_lock_row = lock(world, sy)
    url = admin_url(PeriodLock, "delete", period_lock_row.pk)

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()

    without = admin_client.post(url, {"post": "yes", "reason": ""}, follow=True)
    assert without.redirect_chain == [(url, 302)]
    assert any("Say why" in str(m) for m in without.context["messages"])
    assert PeriodLock.objects.exists()

    done = admin_client.post(url, {"post": "yes", "reason": "Correction"})
    assert done.status_code == 302
    assert not PeriodLock.objects.exists()
    unlocked = PeriodLockEvent.objects.get(action=LockAction.UNLOCKED)
    assert (unlocked.changed_by, unlocked.reason) == (world.users["superuser"], "Correction")


def test_locks_are_not_edited_nor_unlocked_in_bulk_and_their_record_is_read_only(
    admin_client, world, sy, approved
):
    period_lock_row = lock(world, sy)
    change = admin_client.get(admin_url(PeriodLock, "change", period_lock_row.pk))
    assert change.status_code == 200
    assert not change.context["has_change_permission"]
    changelist = admin_client.get(admin_url(PeriodLock, "changelist"))
    assert list(changelist.context["cl"].result_list) == [period_lock_row]
    actions = changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request)
    assert "delete_selected" not in actions

    event = PeriodLockEvent.objects.get()
    assert admin_client.get(admin_url(PeriodLockEvent, "add")).status_code == 403
    assert admin_client.get(admin_url(PeriodLockEvent, "delete", event.pk)).status_code == 403
    events = admin_client.get(admin_url(PeriodLockEvent, "changelist"))
    assert list(events.context["cl"].result_list) == [event]


@pytest.mark.parametrize("model", [PeriodLock, PeriodLockEvent], ids=lambda m: m.__name__)
def test_lock_changelist_queries_do_not_grow_with_rows(
    admin_client, world, model, django_assert_max_num_queries
):
    def add_locks(years: range) -> None:
        for year in years:
            period = period_get(label=str(year), kind="year")
            lock(world, period)

    url = admin_url(model, "changelist")
    add_locks(range(1950, 1953))
    admin_client.get(url)  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200

    add_locks(range(1953, 1990))
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 40
