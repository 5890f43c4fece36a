"""The data points an import touches: read in a few queries, changed in memory.

``existing_points`` reads the points of the indicators and periods a file names,
one query per hundred indicators, as ``PointFields`` (plain slots, not model
instances: a file may hold 100,000 rows). ``change_point`` applies an edit with
the rules of ``services.datapoint_update``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Q

from ..models import DataPoint, DataStatus
from ..services import snapshot

# A data point's identity: indicator, period, geography and category ids (the
# period is None only for a new point whose period is not stored yet).
PointKey = tuple[int, int | None, int | None, int | None]
# How many indicators one query for existing points covers.
INDICATORS_PER_QUERY = 100
VALUE_FIELDS = ("value", "numerator", "denominator")


def point_filters(pairs: dict[int, set[int]]) -> Iterator[Q]:
    """Filters for the data points of these indicators' periods (indicator id ->
    period ids), a hundred indicators each."""
    indicator_ids = sorted(pairs)
    for start in range(0, len(indicator_ids), INDICATORS_PER_QUERY):
        condition = Q()
        for indicator_id in indicator_ids[start : start + INDICATORS_PER_QUERY]:
            condition |= Q(indicator_id=indicator_id, period_id__in=sorted(pairs[indicator_id]))
        yield condition


@dataclass(slots=True)
class PointFields:
    """The fields of a data point that an import reads, compares and writes: an
    existing point as read, or the draft a row would create (``pk`` None until it
    is written). Plain slots rather than model instances, since a file may hold
    100,000 of them; ``services.snapshot`` reads them like a DataPoint."""

    indicator_id: int
    period_id: int | None
    geography_id: int | None
    category_id: int | None
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    source: str
    status: str
    version: int = 1
    pk: int | None = None


def point_key(point: PointFields) -> PointKey:
    return (point.indicator_id, point.period_id, point.geography_id, point.category_id)


def existing_points(pairs: dict[int, set[int]], *, lock: bool) -> dict[PointKey, PointFields]:
    """The existing data points of these indicators' periods; with ``lock``, their
    rows stay locked until the transaction ends, so nobody edits them meanwhile."""
    names = [f.name for f in fields(PointFields)]
    columns = [name if name != "pk" else "id" for name in names]
    found: dict[PointKey, PointFields] = {}
    for condition in point_filters(pairs):
        points = DataPoint.objects.filter(condition).order_by()
        if lock:
            points = points.select_for_update()
        for values in points.values_list(*columns):
            point = PointFields(**dict(zip(names, values, strict=True)))
            found[point_key(point)] = point
    return found


def change_point(
    point: PointFields, values: dict[str, Any], note: str, source: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply an edit to ``point`` in memory, as ``services.datapoint_update`` does:
    a changed value, numerator or denominator sends submitted or approved data
    back to draft. Returns the history snapshots before and after."""
    old = snapshot(point)
    point.value, point.numerator, point.denominator = (
        values["value"],
        values["numerator"],
        values["denominator"],
    )
    point.note, point.source = note, source
    new = snapshot(point)
    values_changed = any(new[f] != old[f] for f in VALUE_FIELDS)
    if values_changed and point.status in (DataStatus.APPROVED, DataStatus.SUBMITTED):
        point.status = new["status"] = DataStatus.DRAFT
    return old, new
