"""Writing an import's creates and updates in bulk, with their history.

The caller holds the transaction and has checked every row. On PostgreSQL the
new points go in with COPY, their ids are read back by key in one query per
hundred indicators, and their history rows go in with COPY too; updates go in
with one ``UPDATE ... FROM (VALUES ...)`` per thousand rows. Rows are formatted
as they stream into the database, never gathered into lists of objects: a few
statements per tens of thousands of rows, never one per row. On SQLite the same
rows go in with ``executemany``.

The rules are those of ``services.datapoint_create`` and ``datapoint_update``:
new points are drafts, every change raises the version and is recorded with
who, when, old and new, and approved data that changes is told to the trend
engine once per indicator.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .. import bulk
from ..locks import ensure_unlocked_periods
from ..models import (
    Category,
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataStatus,
    Geography,
    Indicator,
)
from ..periods import PeriodSpan
from ..services import TRACKED_FIELDS, approved_data_changed, period_from_span
from .catalogue import periods_for
from .points import PointKey, Snapshots, point_filters
from .results import RowStatus
from .validate import RowPlan

UPDATE_BATCH = 1000
KEY_COLUMNS = ("indicator_id", "period_id", "geography_id", "category_id")
# A new point's columns: its key, the fields its history tracks
# (services.TRACKED_FIELDS), then the book-keeping the import sets.
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


NULL = "\\N"  # COPY's NULL


class Writer:
    """Formats one import's rows for the database: who and when are the same for
    every row. On PostgreSQL rows become COPY lines directly (formatting each
    value by its known type is several times faster than ``bulk.insert_rows``);
    elsewhere they are tuples for ``executemany``."""

    def __init__(self, *, user: Any, comment: str):
        self.now = timezone.now()
        self.user_id = user.pk if getattr(user, "is_authenticated", False) else None
        self.comment = comment
        self.snapshots = Snapshots()
        self.copy = connection.vendor == "postgresql"

    def points(self, keyed: Iterable[tuple[PointKey, RowPlan]]) -> Iterator[Any]:
        """New points (version 1) from (key, row) pairs, in POINT_COLUMNS order."""
        user_id, now = self.user_id, self.now
        if not self.copy:
            for key, plan in keyed:
                yield (*key, *plan.new, 1, user_id, now, user_id, now)  # type: ignore[misc]
            return
        who = f"{NULL if user_id is None else user_id}\t{now}"
        for (indicator_id, period_id, geography_id, category_id), plan in keyed:
            value, numerator, denominator, note, source, status = plan.new  # type: ignore[misc]
            yield (
                f"{indicator_id}\t{period_id}\t{NULL if geography_id is None else geography_id}\t"
                f"{NULL if category_id is None else category_id}\t{value}\t"
                f"{NULL if numerator is None else numerator}\t"
                f"{NULL if denominator is None else denominator}\t"
                f"{bulk.escape(note)}\t{bulk.escape(source)}\t{status}\t1\t{who}\t{who}"
            )

    def history(self, rows: Iterable[tuple[int, RowPlan]], action: str) -> Iterator[Any]:
        """History rows for (data point id, row) pairs, in CHANGE_COLUMNS order:
        who, when, old, new, why."""
        json, escape = self.snapshots.json, bulk.escape
        user_id, now, comment = self.user_id, self.now, self.comment
        who = f"{action}\t{NULL if user_id is None else user_id}\t{now}"
        why = escape(comment)
        codes: dict[int, str] = {}  # escaped codes of geographies and categories, by id()
        for pk, plan in rows:
            assert plan.indicator is not None and plan.span is not None and plan.new is not None
            geography, category, old = plan.geography, plan.category, plan.old
            if not self.copy:
                yield (
                    pk,
                    plan.indicator.id,
                    plan.span.label,
                    geography.code if geography else "",
                    category.code if category else "",
                    action,
                    user_id,
                    now,
                    "{}" if old is None else json(old),
                    json(plan.new),
                    comment,
                )
                continue
            where = codes.get(id(geography)) or _code(codes, geography)
            which = codes.get(id(category)) or _code(codes, category)
            yield (
                f"{pk}\t{plan.indicator.id}\t{escape(plan.span.label)}\t{where}\t{which}\t"
                f"{who}\t{'{}' if old is None else escape(json(old))}\t"
                f"{escape(json(plan.new))}\t{why}"
            )

    def insert(self, model: type[Model], columns: tuple[str, ...], rows: Iterable[Any]) -> None:
        if self.copy:
            bulk.copy_lines(model, columns, rows)
        else:
            bulk.insert_rows(model, columns, rows)


def _code(codes: dict[int, str], thing: Geography | Category | None) -> str:
    """A geography's or category's code as COPY text, remembered by object."""
    codes[id(thing)] = code = bulk.escape(thing.code) if thing is not None else ""
    return code


def apply_plans(plans: list[RowPlan], *, user: Any, comment: str) -> list[Indicator]:
    """Write the creates and updates; returns the indicators whose approved data
    changed (each told once, with ``approved_data_changed``)."""
    creates = [plan for plan in plans if plan.status == RowStatus.CREATE]
    updates = [plan for plan in plans if plan.status == RowStatus.UPDATE]
    if not creates and not updates:
        return []
    writer = Writer(user=user, comment=comment)
    period_ids = _period_ids([*creates, *updates])
    _guard_locks(creates, updates, period_ids)
    _insert_points(writer, creates, period_ids)
    _update_points(writer, updates)
    return _tell_trends(updates)


def _period_ids(plans: list[RowPlan]) -> dict[tuple[str, str], int]:
    """The Period ids of these rows by kind and label, creating the ones that do
    not exist yet: one query, and one more per new period (not per row)."""
    spans: dict[tuple[str, str], PeriodSpan] = {}
    for plan in plans:
        assert plan.span is not None
        spans.setdefault((plan.span.kind, plan.span.label), plan.span)
    found = {key: period.pk for key, period in periods_for(spans.values()).items()}
    for key, span in spans.items():
        if key not in found:
            found[key] = period_from_span(span).pk
    return found


def _guard_locks(
    creates: list[RowPlan], updates: list[RowPlan], ids: dict[tuple[str, str], int]
) -> None:
    """Hold every period the import writes, and refuse if one was locked after the
    rows were checked (PostgreSQL; SQLite has one writer at a time anyway)."""
    written = creates or updates
    assert written[0].indicator is not None
    ensure_unlocked_periods(partnership=written[0].indicator.partnership, period_ids=ids.values())


def _key(plan: RowPlan, period_ids: dict[tuple[str, str], int]) -> PointKey:
    assert plan.indicator is not None and plan.span is not None
    return (
        plan.indicator.pk,
        period_ids[(plan.span.kind, plan.span.label)],
        plan.geography.pk if plan.geography else None,
        plan.category.pk if plan.category else None,
    )


def _index_order(key: PointKey) -> tuple[Any, ...]:
    """The unique index's order (NULLs last), so inserts touch few index pages."""
    i, p, g, c = key
    return (i, p, g is None, g or 0, c is None, c or 0)


def _insert_points(
    writer: Writer, creates: list[RowPlan], period_ids: dict[tuple[str, str], int]
) -> None:
    if not creates:
        return
    keyed = sorted(
        ((_key(plan, period_ids), plan) for plan in creates), key=lambda kp: _index_order(kp[0])
    )
    writer.insert(DataPoint, POINT_COLUMNS, writer.points(keyed))
    ids = _read_back_ids([key for key, _ in keyed])
    history = writer.history(
        zip(ids, (plan for _, plan in keyed), strict=True), ChangeAction.CREATED
    )
    writer.insert(DataPointChange, CHANGE_COLUMNS, history)


def _read_back_ids(keys: list[PointKey]) -> list[int]:
    """The ids of the points just inserted with these keys, in their order: COPY
    does not return them. One query per hundred indicators; cheaper than taking
    100,000 ids from the sequence one ``nextval`` at a time."""
    pairs: dict[int, set[int]] = {}
    for indicator_id, period_id, _, _ in keys:
        pairs.setdefault(indicator_id, set()).add(period_id)
    found: dict[tuple[Any, ...], int] = {}
    for condition in point_filters(pairs):
        for pk, *key in (
            DataPoint.objects.filter(condition)
            .order_by()
            .values_list("pk", "indicator_id", "period_id", "geography_id", "category_id")
        ):
            found[tuple(key)] = pk
    return [found[key] for key in keys]


def _update_points(writer: Writer, updates: list[RowPlan]) -> None:
    if not updates:
        return
    rows = []
    for plan in updates:
        assert plan.point is not None and plan.new is not None
        rows.append((plan.point.pk, *plan.new, plan.point.version + 1, writer.user_id, writer.now))
    if connection.vendor == "postgresql":
        _update_from_values(rows)
    else:
        _update_each(rows)
    del rows
    history = writer.history(
        ((plan.point.pk, plan) for plan in updates if plan.point), ChangeAction.UPDATED
    )
    writer.insert(DataPointChange, CHANGE_COLUMNS, history)


def _update_each(rows: list[tuple[Any, ...]]) -> None:
    """Elsewhere (SQLite): one UPDATE statement run for every row by
    ``executemany``, in process; ``bulk_update``'s CASE per field costs more."""
    quote = connection.ops.quote_name
    fields = [DataPoint._meta.get_field(name) for name in UPDATE_FIELDS]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(DataPoint._meta.db_table)} SET {assignments} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*(bulk.plain(v) for v in row[1:]), row[0]) for row in rows])


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


def _tell_trends(updates: list[RowPlan]) -> list[Indicator]:
    """Approved data that changed makes its indicator's trends stale: tell each
    indicator once, with the series that changed."""
    series: dict[int, set[tuple[int | None, int | None]]] = {}
    indicators: dict[int, Indicator] = {}
    for plan in updates:
        point = plan.point
        if plan.indicator is None or point is None or point.status != DataStatus.APPROVED:
            continue
        indicators[plan.indicator.pk] = plan.indicator
        series.setdefault(plan.indicator.pk, set()).add((point.geography_id, point.category_id))
    for pk, indicator in indicators.items():
        approved_data_changed(indicator=indicator, series=series[pk])
    return list(indicators.values())
