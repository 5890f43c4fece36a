"""Makes and inserts the data points that ``scale.plan`` planned.

On PostgreSQL the points go in with COPY (one connection in the caller's
transaction, or several at once with ``load_parallel``); elsewhere with
``bulk_create`` in large batches. The database's integrity triggers check every
row either way, and they are most of the cost: about 100 microseconds a row.
"""

from __future__ import annotations

import io
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from indicators.models import DataPoint, DataStatus, Indicator, Unit

from .scale import Plan, ScaleError, SeriesPlan, delete_data

BATCH_SIZE = 5000
COPY_CHUNK = 50_000
SEED = 1_000_003

# One row of indicators_datapoint: ids, then value, numerator and denominator as text.
PointRow = tuple[int, int, int | None, int | None, str, str | None, str | None]
Progress = Callable[[int], Any]


def _series_values(
    unit: str, length: int, rng: random.Random
) -> list[tuple[str, str | None, str | None]]:
    """One series: a random level, trend and noise; percents from a numerator and
    denominator (some denominators below 10, for small-cell suppression)."""
    level, slope = rng.uniform(20, 80), rng.uniform(-2, 2)
    size = int(rng.lognormvariate(4.5, 1.2)) + 1
    values: list[tuple[str, str | None, str | None]] = []
    for k in range(length):
        x = level + slope * k + rng.gauss(0, 1.5)
        if unit == Unit.PERCENT:
            den = max(1, size + rng.randint(-2, 2))
            num = min(den, max(0, round(den * x / 100)))
            values.append((f"{100 * num / den:.1f}", str(num), str(den)))
        elif unit == Unit.COUNT:
            values.append((str(max(0, round(x * 20))), None, None))
        elif unit == Unit.CURRENCY:
            values.append((str(round(x * 800)), None, None))
        else:  # rate per 1,000 or score
            values.append((f"{max(0.0, x):.1f}", None, None))
    return values


def _index_order(row: PointRow) -> tuple[int, bool, int, bool, int]:
    """(period, geography, category) with NULLs last, as the unique index sorts them."""
    _, period_id, geography_id, category_id, *_ = row
    return (
        period_id,
        geography_id is None,
        geography_id or 0,
        category_id is None,
        category_id or 0,
    )


def series_rows(series: SeriesPlan, geography_ids: list[int | None]) -> list[PointRow]:
    """The indicator's share of points, in the order of the unique index (indicator,
    period, geography, category), so that inserts touch few index pages."""
    rng = random.Random(SEED + series.position)
    rows: list[PointRow] = []
    for geography_id in geography_ids:
        for category_id in series.category_ids:
            values = _series_values(series.unit, len(series.period_ids), rng)
            rows.extend(
                (series.indicator_id, period_id, geography_id, category_id, v, n, d)
                for period_id, (v, n, d) in zip(series.period_ids, values, strict=True)
            )
    rows = rows[: series.points]
    rows.sort(key=_index_order)
    return rows


def rows(series: Iterable[SeriesPlan], geography_ids: list[int | None]) -> Iterator[PointRow]:
    for item in series:
        if item.points:
            yield from series_rows(item, geography_ids)


def _batches(source: Iterator[PointRow], size: int) -> Iterator[list[PointRow]]:
    batch: list[PointRow] = []
    for row in source:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_bulk_create(source: Iterator[PointRow], progress: Progress) -> int:
    loaded = 0
    for batch in _batches(source, BATCH_SIZE):
        points = [
            DataPoint(
                indicator_id=i,
                period_id=p,
                geography_id=g,
                category_id=c,
                value=v,
                numerator=n,
                denominator=d,
                status=DataStatus.APPROVED,
            )
            for i, p, g, c, v, n, d in batch
        ]
        DataPoint.objects.bulk_create(points, batch_size=BATCH_SIZE)
        loaded += len(batch)
        progress(len(batch))
    return loaded


COPY_COLUMNS = (
    "indicator_id, period_id, geography_id, category_id, value, numerator, denominator, "
    "note, source, status, version, created_at, updated_at"
)


def _copy_text(batch: list[PointRow], tail: str) -> str:
    """CSV for COPY, where an empty field is NULL. Every field is a number or a
    fixed word, so nothing needs quoting."""
    return "".join(
        f"{i},{p},{'' if g is None else g},{'' if c is None else c},{v},"
        f"{'' if n is None else n},{'' if d is None else d},{tail}\n"
        for i, p, g, c, v, n, d in batch
    )


def load_copy(source: Iterator[PointRow], progress: Progress) -> int:
    """COPY ... FROM STDIN in chunks, on this thread's connection."""
    now = timezone.now().isoformat()
    # note and source are empty strings (quoted: an empty field would be NULL),
    # then status, version, created_at and updated_at.
    tail = f'"","",{DataStatus.APPROVED.value},1,{now},{now}'
    sql = f"COPY {DataPoint._meta.db_table} ({COPY_COLUMNS}) FROM STDIN WITH (FORMAT csv)"
    loaded = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
        for batch in _batches(source, COPY_CHUNK):
            raw.copy_expert(sql, io.StringIO(_copy_text(batch, tail)))
            loaded += len(batch)
            progress(len(batch))
    return loaded


def can_copy() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy_expert")


def data_changed(plan: Plan) -> None:
    """Approved data changed: any trends computed before are stale now."""
    Indicator.objects.filter(partnership=plan.partnership).update(
        data_version=F("data_version") + 1
    )


def load(plan: Plan, method: str, progress: Progress) -> int:
    """Insert the plan's points in the caller's transaction; ``method`` is "copy",
    "bulk_create" or "auto" (COPY where the database has it)."""
    if method == "auto":
        method = "copy" if can_copy() else "bulk_create"
    if method == "copy" and not can_copy():
        raise ScaleError("COPY needs PostgreSQL with psycopg2; use --method bulk_create.")
    loader = load_copy if method == "copy" else load_bulk_create
    loaded = loader(rows(plan.series, plan.geography_ids), progress)
    data_changed(plan)
    return loaded


def load_parallel(plan: Plan, workers: int, progress: Progress) -> int:
    """COPY on ``workers`` connections at once, each loading every n-th indicator in
    its own transaction. The catalogue must be committed first, so that the other
    connections see it. If any worker fails, every point of the partnership is
    deleted again and the first error is raised."""
    if not can_copy():
        raise ScaleError("Loading with several workers needs PostgreSQL with psycopg2.")
    lock = threading.Lock()
    errors: list[BaseException] = []
    counts: list[int] = []

    def report(n: int) -> None:
        with lock:
            progress(n)

    def work(share: list[SeriesPlan]) -> None:
        try:
            with transaction.atomic():
                loaded = load_copy(rows(share, plan.geography_ids), report)
            with lock:
                counts.append(loaded)
        except BaseException as exc:  # handed to the main thread below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=work, args=(plan.series[k::workers],)) for k in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        with transaction.atomic():
            delete_data(plan.partnership)
        raise errors[0]
    data_changed(plan)
    return sum(counts)
