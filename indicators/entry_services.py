"""Writes from the entry grid and the approval queue: many cells or points in one
request, each through the data point services, each with its own result.

A request is one transaction; every cell is a savepoint inside it, so a cell
that is refused (invalid, locked, changed by someone else) writes nothing and
the others still save. Nothing is ever overwritten silently: a cell based on an
older version comes back as a conflict carrying the other person's value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from partnership.models import Partnership

from .models import Category, DataPoint, Geography, Indicator, Period
from .services import (
    EditConflictError,
    datapoint_create,
    datapoint_delete,
    datapoint_set_status,
    datapoint_update,
    decimal_text,
    period_get,
)

SAVED = "saved"
DELETED = "deleted"
ERROR = "error"
CONFLICT = "conflict"


@dataclass
class Outcome:
    """What became of one cell or point of a request."""

    key: dict[str, Any]
    result: str
    point: DataPoint | None = None
    errors: dict[str, str] = field(default_factory=dict)
    current: DataPoint | None = None  # the other person's version, on a conflict

    @property
    def message(self) -> str:
        if self.result == CONFLICT:
            return conflict_message(self.current)
        return " ".join(self.errors.values())

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {**self.key, "result": self.result}
        if self.point is not None:
            data["point"] = point_json(self.point)
        if self.result == ERROR:
            data["errors"] = self.errors
        if self.result == CONFLICT:
            data["current"] = point_json(self.current) if self.current else None
            data["message"] = self.message
        return data


def _text(value: Any) -> str | None:
    return None if value is None else decimal_text(value)


def point_json(point: DataPoint) -> dict[str, Any]:
    """A point as the grid reads it: values as plain text, who changed it last."""
    by = point.updated_by
    return {
        "id": point.pk,
        "value": _text(point.value),
        "numerator": _text(point.numerator),
        "denominator": _text(point.denominator),
        "status": point.status,
        "status_label": point.get_status_display(),
        "version": point.version,
        "updated_by": (by.get_full_name() or by.get_username()) if by else "",
        "updated_at": point.updated_at.isoformat() if point.updated_at else "",
    }


def conflict_message(current: DataPoint | None) -> str:
    if current is None:
        return "Someone else deleted this value since you opened the page."
    who = point_json(current)["updated_by"] or "someone else"
    return (
        f"{who} changed this value since you opened the page; it is now "
        f"{decimal_text(current.value)} ({current.get_status_display().lower()})."
    )


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {name: " ".join(messages) for name, messages in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _blank(raw: Any) -> Any:
    return None if raw is None or (isinstance(raw, str) and not raw.strip()) else raw


def _version(raw: Any) -> int:
    try:
        return max(int(raw), 0)
    except (TypeError, ValueError):
        return 0


@transaction.atomic
def grid_save(
    *, indicator: Indicator, category: Category | None, cells: list[dict[str, Any]], user: Any
) -> list[Outcome]:
    """Save the changed cells of one indicator's grid (one category, None: the
    total). Each cell names its ``period`` label, ``geography`` code ("" for
    partnership-wide), ``value``, optional ``numerator``/``denominator``, and
    the ``version`` it was based on (0 for a new value). A cell with every
    field empty and a version removes the saved value."""
    geographies = {
        g.code: g
        for g in Geography.objects.filter(
            partnership_id=indicator.partnership_id,
            code__in={str(c.get("geography") or "") for c in cells},
        )
    }
    periods: dict[str, Period | ValidationError] = {}
    for label in {str(c.get("period") or "") for c in cells}:
        try:
            periods[label] = period_get(label=label, kind=indicator.period_kind)
        except ValidationError as exc:
            periods[label] = exc
    existing = _existing_points(indicator, category, periods, geographies)
    outcomes = []
    for cell in cells:
        key = {
            "period": str(cell.get("period") or ""),
            "geography": str(cell.get("geography") or ""),
        }
        period, geography = periods[key["period"]], geographies.get(key["geography"])
        if isinstance(period, ValidationError):
            outcomes.append(Outcome(key, ERROR, errors=_errors(period)))
        elif key["geography"] and geography is None:
            message = f"There is no geography '{key['geography']}' in this partnership."
            outcomes.append(Outcome(key, ERROR, errors={"geography": message}))
        else:
            point = existing.get((period.pk, geography.pk if geography else None))
            outcomes.append(
                _save_cell(indicator, category, period, geography, point, cell, key, user)
            )
    return outcomes


def _existing_points(
    indicator: Indicator,
    category: Category | None,
    periods: dict[str, Any],
    geographies: dict[str, Geography],
) -> dict[tuple[int, int | None], DataPoint]:
    period_ids = [p.pk for p in periods.values() if isinstance(p, Period)]
    points = DataPoint.objects.filter(indicator=indicator, period_id__in=period_ids).filter(
        Q(geography__isnull=True) | Q(geography__in=list(geographies.values()))
    )
    points = points.filter(category=category) if category else points.filter(category__isnull=True)
    return {(p.period_id, p.geography_id): p for p in points.select_related("updated_by")}


def _save_cell(
    indicator: Indicator,
    category: Category | None,
    period: Period,
    geography: Geography | None,
    point: DataPoint | None,
    cell: dict[str, Any],
    key: dict[str, Any],
    user: Any,
) -> Outcome:
    values = {name: _blank(cell.get(name)) for name in ("value", "numerator", "denominator")}
    version = _version(cell.get("version"))
    try:
        with transaction.atomic():
            if version == 0 and point is None:
                saved = datapoint_create(
                    indicator=indicator,
                    period=period,
                    geography=geography,
                    category=category,
                    user=user,
                    **values,
                )
            elif point is None:
                return Outcome(key, CONFLICT)
            elif version == 0:
                raise EditConflictError(point)
            elif all(v is None for v in values.values()):
                # An emptied cell removes its value; the history keeps it.
                datapoint_delete(point=point, expected_version=version, user=user)
                return Outcome(key, DELETED)
            else:
                saved = datapoint_update(point=point, expected_version=version, user=user, **values)
    except EditConflictError as exc:
        return Outcome(key, CONFLICT, current=exc.current)
    except ValidationError as exc:
        return Outcome(key, ERROR, errors=_errors(exc))
    except PermissionDenied as exc:
        return Outcome(key, ERROR, errors={"__all__": str(exc)})
    except IntegrityError:
        # Someone created the same value between our read and our insert.
        current = _current(indicator, category, period, geography)
        return Outcome(key, CONFLICT, current=current)
    return Outcome(key, SAVED, point=saved)


def _current(
    indicator: Indicator, category: Category | None, period: Period, geography: Geography | None
) -> DataPoint | None:
    return (
        DataPoint.objects.filter(
            indicator=indicator, period=period, geography=geography, category=category
        )
        .select_related("updated_by")
        .first()
    )


@transaction.atomic
def points_set_status(
    *,
    points: QuerySet[DataPoint],
    versions: Iterable[tuple[int, int]],
    status: str,
    user: Any,
    comment: str = "",
) -> list[Outcome]:
    """Move each (point id, version) through the workflow to ``status``; ``points``
    is the queryset the ids must come from (the user's scope), so an id outside it
    is reported as gone, never touched."""
    versions = list(versions)
    found = {
        p.pk: p
        for p in points.filter(pk__in=[pk for pk, _ in versions]).select_related(
            "indicator", "period", "geography", "category"
        )
    }
    outcomes = []
    for pk, version in versions:
        key = {"id": pk}
        point = found.get(pk)
        if point is None:
            outcomes.append(Outcome(key, CONFLICT))
            continue
        key["label"] = point_label(point)
        try:
            with transaction.atomic():
                saved = datapoint_set_status(
                    point=point, status=status, expected_version=version, user=user, comment=comment
                )
        except EditConflictError as exc:
            outcomes.append(Outcome(key, CONFLICT, current=exc.current))
        except ValidationError as exc:
            outcomes.append(Outcome(key, ERROR, errors=_errors(exc)))
        except PermissionDenied as exc:
            outcomes.append(Outcome(key, ERROR, errors={"__all__": str(exc)}))
        else:
            outcomes.append(Outcome(key, SAVED, point=saved))
    return outcomes


def point_label(point: DataPoint) -> str:
    """'k-ready 2021-22, D1, black' – how a person names a point in a message."""
    parts = [point.indicator.code, point.period.label]
    parts.append(point.geography.name if point.geography_id else "partnership-wide")
    if point.category_id:
        parts.append(point.category.name)
    return f"{parts[0]} {parts[1]}, " + ", ".join(parts[2:])


def scoped_points(*, partnership: Partnership) -> QuerySet:
    return DataPoint.objects.filter(indicator__partnership=partnership)
