"""The trend engine with a real Celery worker on a real broker (Redis in CI) and
PostgreSQL: an edit reaches its trend within seconds, and a worker killed in the
middle of a recompute leaves nothing half-written."""

from __future__ import annotations

from decimal import Decimal

import psycopg2
import pytest
from django.db import OperationalError, connection, transaction

from indicators.models import DataPoint, DataStatus, Trend, TrendState
from indicators.services import approved_data_changed, datapoint_set_status, datapoint_update
from indicators.tasks import recompute_pending_trends
from partnership.tests.factories import GeographyFactory, period

from .conftest import wait_for

pytestmark = pytest.mark.worker


def _approved_point(world):
    return DataPoint.objects.create(
        indicator=world.indicator,
        period=period("2021-22"),
        value=Decimal(50),
        numerator=Decimal(50),
        denominator=Decimal(100),
        status=DataStatus.APPROVED,
    )


def test_an_edit_updates_its_trend_within_seconds(world, start_worker):
    start_worker()
    DataPoint.objects.create(
        indicator=world.indicator,
        period=period("2020-21"),
        value=Decimal(40),
        status=DataStatus.APPROVED,
    )
    point = _approved_point(world)
    approved_data_changed(indicator=world.indicator)  # autocommit: queued at once

    def first_trend():
        """the first trend"""
        return Trend.objects.filter(indicator=world.indicator, geography=None).first()

    assert wait_for(first_trend).latest_value == 50

    backbone = world.users["backbone"]
    point = datapoint_update(
        point=point, expected_version=point.version, user=backbone, value="62", numerator="62"
    )
    datapoint_set_status(
        point=point, status="approved", expected_version=point.version, user=backbone
    )

    def updated():
        """the edited value in the trend, computed from the latest data version

        The edit (back to draft) and the approval each queue a recompute; the first
        may already read the approved value while recording the older version, and
        the second then brings the version up to date."""
        trend = first_trend()
        current = type(world.indicator).objects.get(pk=world.indicator.pk).data_version
        return trend and trend.latest_value == 62 and trend.data_version == current and trend

    trend = wait_for(updated, timeout=10)
    assert trend.status == "improving"


def _big_indicator(world, schools=40, years=range(2000, 2024)):
    """An indicator with enough data that its recompute takes a noticeable while."""
    geos = [
        GeographyFactory(partnership=world.partnership, code=f"S{i}", kind="school")
        for i in range(schools)
    ]
    categories = [None]
    rows = []
    for y in years:
        p = period(f"{y}-{(y + 1) % 100:02d}")
        for g in geos:
            for c in categories:
                value = Decimal(30 + (y - 2000) + (hash(g.code) % 7))
                rows.append(
                    DataPoint(
                        indicator=world.indicator,
                        period=p,
                        geography=g,
                        category=c,
                        value=value,
                        status=DataStatus.APPROVED,
                    )
                )
    DataPoint.objects.bulk_create(rows)
    return len(rows)


def _libpq_params():
    db = connection.settings_dict
    return {
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
    }


def _recompute_in_progress(indicator_id):
    """a worker holding the indicator's TrendState lock"""
    try:
        with transaction.atomic():
            TrendState.objects.select_for_update(nowait=True).filter(
                indicator_id=indicator_id
            ).exists()
        return False
    except OperationalError:
        return True


def test_a_killed_worker_leaves_nothing_half_written(world, start_worker):
    from indicators.trend_engine import recompute_indicator

    _big_indicator(world)
    # A first, complete result computed in this process.
    recompute_indicator(world.indicator.pk, force=True)
    before = set(Trend.objects.filter(indicator=world.indicator).values_list("id", flat=True))
    version_before = TrendState.objects.get(indicator=world.indicator).computed_version

    # New data, and a worker that starts recomputing it...
    connection.cursor().execute(
        "UPDATE indicators_datapoint SET value = value + 1 WHERE indicator_id = %s",
        [world.indicator.pk],
    )
    worker = start_worker()
    # Hold one old trend row locked from another connection, so that the worker's
    # DELETE waits inside its recompute transaction: the kill lands mid-recompute.
    blocker = psycopg2.connect(**_libpq_params())
    blocker.cursor().execute(
        "SELECT id FROM indicators_trend WHERE id = %s FOR UPDATE", [min(before)]
    )
    try:
        approved_data_changed(indicator=world.indicator)  # autocommit: queued at once
        wait_for(lambda: _recompute_in_progress(world.indicator.pk), timeout=20, interval=0.01)
        worker.kill()  # ...and dies in the middle.
    finally:
        blocker.rollback()
        blocker.close()

    # Nothing half-written: the previous trends are all still there, unchanged.
    after = set(Trend.objects.filter(indicator=world.indicator).values_list("id", flat=True))
    assert after == before
    assert TrendState.objects.get(indicator=world.indicator).computed_version == version_before

    # The next run (the periodic sweep, with a new worker) completes it.
    start_worker()
    recompute_pending_trends.delay()

    def completed():
        """the recompute completed by the next run"""
        state = TrendState.objects.get(indicator=world.indicator)
        world.indicator.refresh_from_db()
        return state.computed_version == world.indicator.data_version

    wait_for(completed, timeout=30)
    trends = Trend.objects.filter(indicator=world.indicator)
    assert not set(trends.values_list("id", flat=True)) & before
    assert trends.count() == len(before)
