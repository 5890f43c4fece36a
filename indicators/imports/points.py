"""The data points an import touches: read in a few queries, compared in memory.

``existing_points`` reads the points of the indicators and periods a file names,
one query per hundred indicators, as ``PointFields`` (plain slots, not model
instances: a file may hold 100,000 rows). ``change_point`` applies an edit with
the rules of ``services.datapoint_update``.

A point's tracked fields (``services.TRACKED_FIELDS``: value, numerator,
denominator, note, source, status) travel as a ``Tracked`` tuple in that order,
and become the history's snapshot form (decimals as text) only when written:
``snapshot_of`` for a dict, ``snapshot_json`` for the stored JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Q

from ..models import DataPoint, DataStatus
from ..services import TRACKED_FIELDS, decimal_text

# A data point's identity: indicator, period, geography and category ids.
PointKey = tuple[int, int, int | None, int | None]
# value, numerator, denominator, note, source, status (TRACKED_FIELDS' order).
Tracked = tuple[Decimal, Decimal | None, Decimal | None, str, str, str]
# How many indicators one query for existing points covers.
INDICATORS_PER_QUERY = 100
VALUE_FIELDS = ("value", "numerator", "denominator")
assert TRACKED_FIELDS == (*VALUE_FIELDS, "note", "source", "status")


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
    """The fields of an existing data point that an import reads, compares and
    writes. Plain slots rather than model instances, since a file may hold
    100,000 of them; ``services.snapshot`` reads them like a DataPoint."""

    indicator_id: int
    period_id: int
    geography_id: int | None
    category_id: int | None
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    source: str
    status: str
    version: int
    pk: int

    @property
    def tracked(self) -> Tracked:
        return (self.value, self.numerator, self.denominator, self.note, self.source, self.status)


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
            point = PointFields(*values)
            found[point_key(point)] = point
    return found


def change_point(point: PointFields, new: Tracked) -> Tracked:
    """The point's tracked fields after an edit to ``new`` (whose status is the
    point's own), as ``services.datapoint_update`` rules: a changed value,
    numerator or denominator sends submitted or approved data back to draft."""
    if point.status in (DataStatus.APPROVED, DataStatus.SUBMITTED) and (
        new[0] != point.value or new[1] != point.numerator or new[2] != point.denominator
    ):
        return (*new[:5], DataStatus.DRAFT)  # type: ignore[return-value]
    return new


class Snapshots:
    """The history's snapshot form of tracked tuples, remembering each decimal's
    text (a file repeats values, and ``decimal_text`` is the costly part)."""

    def __init__(self) -> None:
        self._texts: dict[Decimal, str] = {}

    def text(self, value: Decimal | None) -> str | None:
        if value is None:
            return None
        text = self._texts.get(value)
        if text is None:
            text = decimal_text(value)
            if len(self._texts) < 100_000:
                self._texts[value] = text
        return text

    def of(self, tracked: Tracked) -> dict[str, Any]:
        """The snapshot as ``services.snapshot`` writes it."""
        value, numerator, denominator, note, source, status = tracked
        return {
            "value": self.text(value),
            "numerator": self.text(numerator),
            "denominator": self.text(denominator),
            "note": note,
            "source": source,
            "status": status,
        }

    def json(self, tracked: Tracked) -> str:
        """``json.dumps(self.of(tracked))``, written directly: it runs once per row."""
        value, numerator, denominator, note, source, status = tracked
        return (
            f'{{"value": "{self.text(value)}", "numerator": {_number(self.text(numerator))}, '
            f'"denominator": {_number(self.text(denominator))}, "note": {_string(note)}, '
            f'"source": {_string(source)}, "status": "{status}"}}'
        )


def _number(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'


def _string(text: str) -> str:
    return json.encoder.encode_basestring_ascii(text) if text else '""'  # type: ignore[attr-defined]


def snapshot_of(tracked: Tracked) -> dict[str, Any]:
    return Snapshots().of(tracked)
