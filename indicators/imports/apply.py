"""Writing an import's creates and updates in bulk, with their history.

The caller holds the transaction and has checked every row. Creates go in with
``indicators.bulk.insert_rows`` (COPY on PostgreSQL), updates with one UPDATE
per batch, history rows with one more bulk insert: a few statements per
thousands of rows, never one per row. The rules are those of
``services.datapoint_create`` and ``datapoint_update``: new points are drafts,
every change raises the version and is recorded with who, when, old and new.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from .. import bulk
from ..locks import ensure_unlocked_periods
from ..models import ChangeAction, DataPoint, DataPointChange, DataStatus, Indicator, Period
from ..services import TRACKED_FIELDS, approved_data_changed, period_from_span
from .points import PointFields, point_filters, point_key
from .results import RowStatus
from .validate import RowPlan

UPDATE_BATCH = 1000
# A data point's key, then the fields its history tracks (services.TRACKED_FIELDS),
# then the book-keeping the import sets.
KEY_COLUMNS = ("indicator_id", "period_id", "geography_id", "category_id")
POINT_COLUMNS = (
    *KEY_COLUMNS,
    *TRACKED_FIELDS,
    "version",
    "created_by_id",
    "created_at",
    "updated_by_id",
    "updated_at",
)
UPDATE_FIELDS = (*TRACKED_FIELDS, "version", "updated_by", "updated_at")
CHANGE_COLUMNS = (
    "data_point_id",
    "indicator_id",
    "period_label",
    "geography_code",
    "category_code",
    "action",
    "changed_by_id",
    "changed_at",
    "old",
    "new",
    "comment",
)


def apply_plans(plans: list[RowPlan], *, user: Any, comment: str) -> list[Indicator]:
    """Write the creates and updates; returns the indicators whose approved data
    changed (each told once, with ``approved_data_changed``)."""
    now = timezone.now()
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    creates = [plan for plan in plans if plan.status == RowStatus.CREATE]
    updates = [plan for plan in plans if plan.status == RowStatus.UPDATE]
    _guard_locks(creates, updates)
    _insert_points(creates, user_id, now)
    _update_points(updates, user_id, now)
    bulk.insert_rows(
        DataPointChange,
        CHANGE_COLUMNS,
        _history(creates, ChangeAction.CREATED, user_id, now, comment),
    )
    bulk.insert_rows(
        DataPointChange,
        CHANGE_COLUMNS,
        _history(updates, ChangeAction.UPDATED, user_id, now, comment),
    )
    changed = {
        plan.indicator.pk: plan.indicator
        for plan in updates
        if plan.indicator is not None and plan.old and plan.old["status"] == DataStatus.APPROVED
    }
    for indicator in changed.values():
        approved_data_changed(
            indicator=indicator,
            series={
                (plan.point.geography_id, plan.point.category_id)
                for plan in updates
                if plan.indicator is indicator and plan.point is not None
            },
        )
    return list(changed.values())


def _guard_locks(creates: list[RowPlan], updates: list[RowPlan]) -> None:
    """Hold every period the import writes, and refuse if one was locked after the
    rows were checked (PostgreSQL; SQLite has one writer at a time anyway)."""
    written = [plan for plan in [*creates, *updates] if plan.indicator is not None]
    if not written:
        return
    _periods(creates)
    ensure_unlocked_periods(
        partnership=written[0].indicator.partnership,
        period_ids={plan.point.period_id for plan in written if plan.point is not None},
    )


def _periods(creates: list[RowPlan]) -> None:
    """Create the Period rows that new points need and do not exist yet: one per
    distinct label, not per row."""
    made: dict[tuple[str, str], Period] = {}
    for plan in creates:
        if plan.period is None and plan.span is not None:
            key = (plan.span.kind, plan.span.label)
            if key not in made:
                made[key] = period_from_span(plan.span)
            plan.period = made[key]
        assert plan.point is not None and plan.period is not None
        plan.point.period_id = plan.period.pk


def _insert_points(creates: list[RowPlan], user_id: int | None, now: datetime) -> None:
    if not creates:
        return
    _periods(creates)
    points = sorted((plan.point for plan in creates if plan.point), key=_index_order)
    rows = ((*point_key(p), *_tracked(p), p.version, user_id, now, user_id, now) for p in points)
    bulk.insert_rows(DataPoint, POINT_COLUMNS, rows)
    _read_back_ids(creates)


def _index_order(point: PointFields) -> tuple[Any, ...]:
    """The unique index's order (NULLs last), so inserts touch few index pages."""
    i, p, g, c = point_key(point)
    return (i, p, g is None, g or 0, c is None, c or 0)


def _read_back_ids(creates: list[RowPlan]) -> None:
    """COPY does not return ids: read them back by key (one query per hundred
    indicators), for the history rows that point at the new data points."""
    by_key = {point_key(plan.point): plan.point for plan in creates if plan.point}
    pairs: dict[int, set[int]] = defaultdict(set)
    for indicator_id, period_id, _, _ in by_key:
        pairs[indicator_id].add(period_id)
    for condition in point_filters(pairs):
        for pk, *key in (
            DataPoint.objects.filter(condition)
            .order_by()
            .values_list("pk", "indicator_id", "period_id", "geography_id", "category_id")
        ):
            if (point := by_key.get(tuple(key))) is not None:  # type: ignore[arg-type]
                point.pk = pk


def _update_points(updates: list[RowPlan], user_id: int | None, now: datetime) -> None:
    rows = []
    for plan in updates:
        assert plan.point is not None
        plan.point.version += 1
        rows.append((plan.point.pk, *_tracked(plan.point), plan.point.version, user_id, now))
    if connection.vendor == "postgresql":
        _update_from_values(rows)
    else:
        attnames = [DataPoint._meta.get_field(name).attname for name in UPDATE_FIELDS]
        points = [DataPoint(pk=row[0], **dict(zip(attnames, row[1:], strict=True))) for row in rows]
        DataPoint.objects.bulk_update(points, UPDATE_FIELDS, batch_size=UPDATE_BATCH)


def _tracked(point: PointFields) -> tuple[Any, ...]:
    return tuple(getattr(point, name) for name in TRACKED_FIELDS)


def _update_from_values(rows: list[tuple[Any, ...]]) -> None:
    """``UPDATE ... FROM (VALUES ...)``, a thousand rows a statement. Django's
    ``bulk_update`` writes a CASE per field whose cost grows with the square of
    the batch: 100,000 rows took minutes with it, and take seconds this way."""
    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    fields = [DataPoint._meta.get_field(name) for name in UPDATE_FIELDS]
    assignments = ", ".join(
        f"{quote(f.column)} = CAST(v.{quote(f.column)} AS {f.db_type(connection)})" for f in fields
    )
    names = ", ".join(quote(column) for column in ["id", *(f.column for f in fields)])
    sql = (
        f"UPDATE {quote(DataPoint._meta.db_table)} AS d SET {assignments} "
        f"FROM (VALUES %s) AS v({names}) WHERE d.id = v.id"
    )
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, page_size=UPDATE_BATCH)


def _history(
    plans: Iterable[RowPlan], action: str, user_id: int | None, now: datetime, comment: str
) -> Iterable[tuple[Any, ...]]:
    for plan in plans:
        assert plan.point is not None and plan.indicator is not None and plan.span is not None
        yield (
            plan.point.pk,
            plan.indicator.pk,
            plan.span.label,
            plan.geography.code if plan.geography else "",
            plan.category.code if plan.category else "",
            action,
            user_id,
            now,
            json.dumps(plan.old or {}),
            json.dumps(plan.new or {}),
            comment,
        )
