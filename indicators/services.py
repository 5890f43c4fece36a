"""Writes to shared measurement data. Views, the API, imports, tasks and commands
all call these functions, so each rule exists once.

Every change to a data point is recorded in ``DataPointChange`` (who, when, old
and new values, why). Edits carry the version they were based on; an edit of a
version that someone else has changed since is refused with ``EditConflictError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from partnership.models import Partnership
from partnership.permissions import Action, can

from .locks import ensure_unlocked
from .models import (
    FREQUENCY_PERIOD_KIND,
    PERCENT_TOLERANCE,
    Category,
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataStatus,
    Dimension,
    Geography,
    Indicator,
    Period,
    TrendRequest,
    Unit,
)
from .periods import PeriodError, PeriodKind, PeriodSpan, parse_period

logger = logging.getLogger(__name__)

# The fields of a data point that its history records.
TRACKED_FIELDS = ("value", "numerator", "denominator", "note", "source", "status")


class EditConflictError(Exception):
    """Someone else changed the data point since the editor loaded it."""

    def __init__(self, current: DataPoint):
        self.current = current
        super().__init__(
            f"{current.indicator.code} {current.period.label} was changed by "
            f"{current.updated_by or 'someone else'} since you opened it; its value is "
            f"now {current.value}. Reload to see their change, then apply yours again."
        )


# --- periods ---------------------------------------------------------------


def period_from_span(span: PeriodSpan) -> Period:
    """The Period row for a parsed span, created the first time it is used."""
    period, _ = Period.objects.get_or_create(
        kind=span.kind, label=span.label, defaults={"start": span.start, "end": span.end}
    )
    return period


def period_get(*, label: str, kind: str | None = None) -> Period:
    """The Period for a label (optionally of a required kind); raises ValidationError."""
    try:
        span = parse_period(label, kind)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from None
    return period_from_span(span)


# --- geographies -----------------------------------------------------------


def geography_create(
    *,
    partnership: Partnership,
    code: str,
    name: str,
    kind: str,
    parent: Geography | None = None,
) -> Geography:
    geography = Geography(partnership=partnership, code=code, name=name, kind=kind, parent=parent)
    _set_path(geography)
    geography.full_clean()
    geography.save()
    return geography


def _set_path(geography: Geography) -> None:
    if geography.parent is not None:
        if geography.parent.partnership_id != geography.partnership_id:
            raise ValidationError(
                {"parent": "The parent geography belongs to another partnership."}
            )
        geography.path = f"{geography.parent.path}{geography.code}/"
        geography.depth = geography.parent.depth + 1
    else:
        geography.path = f"/{geography.code}/"
        geography.depth = 0


@transaction.atomic
def geography_move(*, geography: Geography, parent: Geography | None) -> Geography:
    """Put a geography (and its subtree) under a new parent, or give it a new code.

    A new parent changes the derived totals of its old and new ancestors: every
    indicator with approved data in the moved subtree has its trends marked
    stale and recomputed after the move is saved."""
    if parent is not None and parent.path.startswith(geography.path):
        raise ValidationError({"parent": "A geography cannot be placed inside its own subtree."})
    old_path = geography.path
    old_depth = geography.depth
    old_parent_id = Geography.objects.filter(pk=geography.pk).values_list("parent_id", flat=True)[0]
    geography.parent = parent
    _set_path(geography)
    geography.full_clean()
    geography.save()
    for child in Geography.objects.filter(
        partnership=geography.partnership, path__startswith=old_path
    ).exclude(pk=geography.pk):
        child.path = geography.path + child.path[len(old_path) :]
        child.depth = child.depth - old_depth + geography.depth
        child.save(update_fields=["path", "depth"])
    if geography.parent_id != old_parent_id:
        trends_invalidate(indicators=_indicators_with_data_under(geography))
    return geography


def _indicators_with_data_under(geography: Geography) -> list[Indicator]:
    """The indicators with approved data at this geography or below it."""
    ids = (
        DataPoint.objects.filter(
            geography__partnership_id=geography.partnership_id,
            geography__path__startswith=geography.path,
            status=DataStatus.APPROVED,
        )
        .order_by()
        .values("indicator_id")
        .distinct()
    )
    return list(Indicator.objects.filter(pk__in=ids).order_by("pk"))


# --- data points -----------------------------------------------------------


def _to_decimal(raw: Any, field: str, errors: dict[str, str]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors[field] = f"'{raw}' is not a number; write digits such as 42 or 57.3."
        return None
    if not value.is_finite():
        errors[field] = f"'{raw}' is not a finite number."
        return None
    return value


@dataclass(frozen=True)
class CleanValues:
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None


def validate_values(
    *,
    indicator: Indicator,
    value: Any,
    numerator: Any = None,
    denominator: Any = None,
) -> CleanValues:
    """Check a value (and its numerator/denominator) against the indicator.

    Raises ``ValidationError`` keyed by field, each message saying how to fix it.
    """
    errors: dict[str, str] = {}
    val = _to_decimal(value, "value", errors)
    num = _to_decimal(numerator, "numerator", errors)
    den = _to_decimal(denominator, "denominator", errors)
    if val is None and "value" not in errors:
        errors["value"] = "A value is required."
    if (num is None) != (den is None) and not errors.keys() & {"numerator", "denominator"}:
        missing = "denominator" if den is None else "numerator"
        errors[missing] = "Give both numerator and denominator, or neither."
    if den is not None and den <= 0:
        errors["denominator"] = "The denominator must be greater than 0."
    if num is not None and num < 0:
        errors["numerator"] = "The numerator cannot be negative."
    if val is not None and indicator.unit == Unit.PERCENT:
        if not Decimal(0) <= val <= Decimal(100):
            errors["value"] = f"{val} is not a percent; write a number from 0 to 100."
        elif num is not None and den is not None and den > 0 and not errors:
            expected = Decimal(100) * num / den
            if abs(val - expected) > PERCENT_TOLERANCE:
                errors["value"] = (
                    f"{val}% does not match {num} / {den} = {expected:.1f}%; "
                    "correct the value or the numerator and denominator."
                )
    if errors:
        raise ValidationError(errors)
    assert val is not None
    return CleanValues(val, num, den)


def validate_series_key(
    *, indicator: Indicator, geography: Geography | None, category: Category | None
) -> None:
    errors = {}
    if geography is not None and geography.partnership_id != indicator.partnership_id:
        errors["geography"] = "This geography belongs to another partnership."
    if category is not None and not indicator.dimensions.filter(pk=category.dimension_id).exists():
        errors["category"] = (
            f"{indicator.code} is not disaggregated by {category.dimension.name}; "
            "leave the category empty for the total, or add the dimension to the indicator."
        )
    if errors:
        raise ValidationError(errors)


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text without trailing zeros: 48.500000 -> '48.5'."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def snapshot(point: DataPoint) -> dict[str, Any]:
    data = {}
    for name in TRACKED_FIELDS:
        value = getattr(point, name)
        data[name] = decimal_text(value) if isinstance(value, Decimal) else value
    return data


def _record(
    point: DataPoint,
    action: str,
    user: Any,
    old: dict[str, Any],
    new: dict[str, Any],
    comment: str = "",
) -> DataPointChange:
    return DataPointChange.objects.create(
        data_point=point,
        indicator=point.indicator,
        period_label=point.period.label,
        geography_code=point.geography.code if point.geography_id else "",
        category_code=point.category.code if point.category_id else "",
        action=action,
        changed_by=user if getattr(user, "is_authenticated", False) else None,
        old=old,
        new=new,
        comment=comment,
    )


def _lock(point: DataPoint) -> DataPoint:
    """Re-read a data point and lock its row until the transaction ends."""
    return (
        DataPoint.objects.select_for_update(of=("self",))
        .select_related("indicator", "period", "geography", "category", "updated_by")
        .get(pk=point.pk)
    )


# Past this many changed series, a recompute of the whole indicator is cheaper
# than tracking each one.
MAX_TRACKED_SERIES = 500

SeriesKey = tuple[int | None, int | None]  # (geography id, category id)


def approved_data_changed(
    *, indicator: Indicator, series: Iterable[SeriesKey] | None = None
) -> None:
    """Approved data of this indicator changed, in the given series (geography id,
    category id), or in unknown ones when ``series`` is None. Its trends are now
    stale: the changed series are recorded for the engine, which recomputes them
    and their roll-ups, and a recompute is queued for when the transaction commits."""
    Indicator.objects.filter(pk=indicator.pk).update(data_version=F("data_version") + 1)
    keys = None if series is None else set(series)
    if keys is None or len(keys) > MAX_TRACKED_SERIES:
        requests = [TrendRequest(indicator=indicator, whole_indicator=True)]
    else:
        requests = [
            TrendRequest(indicator=indicator, geography_id=geo, category_id=cat)
            for geo, cat in sorted(keys, key=lambda k: (k[0] or 0, k[1] or 0))
        ]
    TrendRequest.objects.bulk_create(requests)
    trends_request_recompute(indicator_ids=[indicator.pk])


def _series_of(point: DataPoint) -> list[SeriesKey]:
    return [(point.geography_id, point.category_id)]


# A queued recompute that has not started after this long is taken as lost
# (say, the broker was down) and may be queued again.
RECOMPUTE_REQUEST_TTL = timedelta(minutes=5)


def trends_request_recompute(*, indicator_ids: Iterable[int]) -> list[int]:
    """Queue one trend recompute per indicator, after the current transaction commits.

    The request is recorded on the indicator first, in the same transaction as
    the data change, so a burst of changes (an import of 50,000 rows, or many
    edits in a row) queues one recompute per indicator, not one per row; and if
    the broker is down, the periodic sweep finds the stale indicator later.
    Returns the ids that were queued now.
    """
    now = timezone.now()
    queued = []
    for pk in sorted(set(indicator_ids)):
        taken = (
            Indicator.objects.filter(pk=pk)
            .filter(
                Q(recompute_requested_at__isnull=True)
                | Q(recompute_requested_at__lt=now - RECOMPUTE_REQUEST_TTL)
            )
            .update(recompute_requested_at=now)
        )
        if taken:
            queued.append(pk)
            transaction.on_commit(partial(_enqueue_recompute, pk))
    return queued


def _enqueue_recompute(indicator_id: int) -> None:
    from .tasks import recompute_indicator_trends

    try:
        recompute_indicator_trends.delay(indicator_id)
    except Exception:  # e.g. the broker is down: the sweep will find the stale indicator
        logger.warning(
            "The trend recompute of indicator %s could not be queued or run; the "
            "periodic sweep will pick it up.",
            indicator_id,
            exc_info=True,
        )


def _require(user: Any, action: Action, target: Any) -> None:
    if user is not None and not can(user, action, target):
        raise PermissionDenied(f"You may not {action.value.replace('_', ' ')} for {target}.")


@transaction.atomic
def datapoint_create(
    *,
    indicator: Indicator,
    period: Period,
    value: Any,
    geography: Geography | None = None,
    category: Category | None = None,
    numerator: Any = None,
    denominator: Any = None,
    note: str = "",
    source: str = "",
    user: Any = None,
    comment: str = "",
) -> DataPoint:
    """Create a draft data point. ``user=None`` is the system (seeds, migrations)."""
    _require(user, Action.ENTER_DATA, indicator)
    ensure_unlocked(indicator=indicator, period=period)
    if period.kind != indicator.period_kind:
        raise ValidationError(
            {
                "period": f"{indicator.code} is reported by "
                f"{indicator.get_frequency_display().lower()}; "
                f"'{period.label}' is not such a period."
            }
        )
    clean = validate_values(
        indicator=indicator, value=value, numerator=numerator, denominator=denominator
    )
    validate_series_key(indicator=indicator, geography=geography, category=category)
    point = DataPoint(
        indicator=indicator,
        period=period,
        geography=geography,
        category=category,
        value=clean.value,
        numerator=clean.numerator,
        denominator=clean.denominator,
        note=note,
        source=source,
        status=DataStatus.DRAFT,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        updated_by=user if getattr(user, "is_authenticated", False) else None,
    )
    point.full_clean()
    point.save()
    _record(point, ChangeAction.CREATED, user, {}, snapshot(point), comment)
    return point


@transaction.atomic
def datapoint_update(
    *,
    point: DataPoint,
    expected_version: int,
    user: Any = None,
    comment: str = "",
    **changes: Any,
) -> DataPoint:
    """Change a data point's value, numerator, denominator, note or source.

    Approved or submitted data goes back to draft when its value changes, so it
    is approved again before it reaches dashboards. Raises ``EditConflictError`` when
    the point has changed since ``expected_version``.
    """
    unknown = set(changes) - {"value", "numerator", "denominator", "note", "source"}
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    _require(user, Action.ENTER_DATA, point.indicator)
    current = _lock(point)
    ensure_unlocked(indicator=current.indicator, period=current.period)
    if current.version != expected_version:
        raise EditConflictError(current)
    old = snapshot(current)
    values = {
        "value": changes.get("value", current.value),
        "numerator": changes.get("numerator", current.numerator),
        "denominator": changes.get("denominator", current.denominator),
    }
    clean = validate_values(indicator=current.indicator, **values)
    current.value, current.numerator, current.denominator = (
        clean.value,
        clean.numerator,
        clean.denominator,
    )
    current.note = changes.get("note", current.note)
    current.source = changes.get("source", current.source)
    was_approved = current.status == DataStatus.APPROVED
    new = snapshot(current)
    values_changed = any(new[f] != old[f] for f in ("value", "numerator", "denominator"))
    if values_changed and current.status in (DataStatus.APPROVED, DataStatus.SUBMITTED):
        current.status = DataStatus.DRAFT
    new = snapshot(current)
    if new == old:
        return current
    current.version += 1
    current.updated_by = user if getattr(user, "is_authenticated", False) else None
    current.full_clean()
    current.save()
    _record(current, ChangeAction.UPDATED, user, old, new, comment)
    if was_approved:
        approved_data_changed(indicator=current.indicator, series=_series_of(current))
    return current


# Which status changes exist, which action each is, and the right it needs.
TRANSITIONS: dict[tuple[str, str], tuple[str, Action]] = {
    (DataStatus.DRAFT, DataStatus.SUBMITTED): (ChangeAction.SUBMITTED, Action.SUBMIT_DATA),
    (DataStatus.RETURNED, DataStatus.SUBMITTED): (ChangeAction.SUBMITTED, Action.SUBMIT_DATA),
    (DataStatus.SUBMITTED, DataStatus.APPROVED): (ChangeAction.APPROVED, Action.APPROVE_DATA),
    (DataStatus.DRAFT, DataStatus.APPROVED): (ChangeAction.APPROVED, Action.APPROVE_DATA),
    (DataStatus.SUBMITTED, DataStatus.RETURNED): (ChangeAction.RETURNED, Action.APPROVE_DATA),
    (DataStatus.APPROVED, DataStatus.RETURNED): (ChangeAction.RETURNED, Action.APPROVE_DATA),
    (DataStatus.APPROVED, DataStatus.DRAFT): (ChangeAction.REOPENED, Action.APPROVE_DATA),
}


@transaction.atomic
def datapoint_set_status(
    *,
    point: DataPoint,
    status: str,
    expected_version: int,
    user: Any = None,
    comment: str = "",
) -> DataPoint:
    """Move a data point through the workflow: submit, approve, return, reopen.

    The server decides who may make which move (see ``TRANSITIONS``); returning
    data needs a comment that tells the steward what to fix.
    """
    current = _lock(point)
    if current.version != expected_version:
        raise EditConflictError(current)
    transition = TRANSITIONS.get((current.status, status))
    if transition is None:
        raise ValidationError(
            {
                "status": f"A {current.get_status_display().lower()} data point "
                f"cannot become {status}."
            }
        )
    action, right = transition
    _require(user, right, current.indicator)
    ensure_unlocked(indicator=current.indicator, period=current.period)
    if status == DataStatus.RETURNED and not comment.strip():
        raise ValidationError({"comment": "Say what needs fixing when you return data."})
    old = snapshot(current)
    was_approved = current.status == DataStatus.APPROVED
    current.status = status
    current.version += 1
    current.updated_by = user if getattr(user, "is_authenticated", False) else None
    current.save(update_fields=["status", "version", "updated_by", "updated_at"])
    _record(current, action, user, old, snapshot(current), comment)
    if was_approved or status == DataStatus.APPROVED:
        approved_data_changed(indicator=current.indicator, series=_series_of(current))
    return current


@transaction.atomic
def datapoint_delete(
    *, point: DataPoint, expected_version: int, user: Any = None, comment: str = ""
) -> None:
    """Delete a data point; its history stays, with the deletion as the last entry."""
    current = _lock(point)
    if current.version != expected_version:
        raise EditConflictError(current)
    right = Action.APPROVE_DATA if current.status == DataStatus.APPROVED else Action.ENTER_DATA
    _require(user, right, current.indicator)
    ensure_unlocked(indicator=current.indicator, period=current.period)
    _record(current, ChangeAction.DELETED, user, snapshot(current), {}, comment)
    was_approved = current.status == DataStatus.APPROVED
    indicator, series = current.indicator, _series_of(current)
    current.delete()
    if was_approved:
        approved_data_changed(indicator=indicator, series=series)


# --- catalogue -------------------------------------------------------------


def dimension_create(
    *, partnership: Partnership, code: str, name: str, categories: list[tuple[str, str]]
) -> Any:
    """A dimension with its categories, given as (code, name) pairs in display order."""
    from .models import Dimension

    dimension = Dimension(partnership=partnership, code=code, name=name)
    dimension.full_clean()
    dimension.save()
    for order, (cat_code, cat_name) in enumerate(categories):
        category = Category(dimension=dimension, code=cat_code, name=cat_name, order=order)
        category.full_clean()
        category.save()
    return dimension


@transaction.atomic
def indicator_create(
    *,
    partnership: Partnership,
    dimensions: list[Any] | tuple[Any, ...] = (),
    **fields: Any,
) -> Indicator:
    """Create an indicator after checking every field and cross-partnership reference."""
    indicator = Indicator(partnership=partnership, **fields)
    errors: dict[str, str] = {}
    for name in ("outcome_area", "steward"):
        related = getattr(indicator, name, None)
        if related is not None and related.partnership_id != partnership.pk:
            errors[name] = f"This {name.replace('_', ' ')} belongs to another partnership."
    for dimension in dimensions:
        if dimension.partnership_id != partnership.pk:
            errors["dimensions"] = f"The dimension {dimension.code} belongs to another partnership."
    if errors:
        raise ValidationError(errors)
    indicator.full_clean()
    indicator.save()
    indicator.dimensions.set(dimensions)
    return indicator


# The indicator's settings its trends are computed from (read by the trend engine
# and the roll-ups): a change to any of them leaves every stored trend of the
# indicator out of date. Its dimensions are not among them: one can only be added
# before it has data, or removed once its data is gone, and neither moves a figure.
TREND_FIELDS = (
    "unit",
    "direction",
    "aggregation",
    "threshold",
    "baseline_period",
    "target_value",
    "target_period",
)

# What an admin or API client may change on an existing indicator.
INDICATOR_EDITABLE_FIELDS = (
    "code",
    "name",
    "definition",
    "outcome_area",
    "kind",
    "performance_tag",
    "steward",
    "data_source",
    "frequency",
    "expected_min",
    "expected_max",
    *TREND_FIELDS,
)


def trends_invalidate(*, indicators: Iterable[Indicator]) -> None:
    """Every stored trend of these indicators is out of date (their settings or the
    geography tree changed, not their data): each gets a new data version, so
    pages show its trends as stale, and a recompute of all its series is
    queued for when the transaction commits."""
    for indicator in sorted(indicators, key=lambda i: i.pk):
        approved_data_changed(indicator=indicator, series=None)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def indicator_fixed_with_data(*, indicator: Indicator, changed: Iterable[str]) -> dict[str, str]:
    """Why the ``changed`` settings among frequency and unit cannot change, keyed by
    field: the indicator (as stored) has data points, which were checked against
    the current ones. Empty when the change is allowed."""
    fixed = [name for name in ("frequency", "unit") if name in set(changed)]
    if not fixed or indicator.pk is None:
        return {}
    n = DataPoint.objects.filter(indicator_id=indicator.pk).count()
    if not n:
        return {}
    points = _count(n, "data point")
    errors = {}
    if "frequency" in fixed:
        errors["frequency"] = (
            f"{indicator.code} has {points} reported by "
            f"{indicator.get_frequency_display().lower()}, whose periods would not fit a new "
            f"frequency; remove its {points} first or create a new indicator."
        )
    if "unit" in fixed:
        errors["unit"] = (
            f"{indicator.code} has {points} measured as "
            f"{indicator.get_unit_display().lower()}, which were checked against that unit; "
            f"remove its {points} first or create a new indicator."
        )
    return errors


def _indicator_errors(
    indicator: Indicator, stored: Indicator, dimensions: Sequence[Dimension] | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if indicator.partnership_id != stored.partnership_id:
        errors["partnership"] = "An indicator cannot move to another partnership."
    for name in ("outcome_area", "steward"):
        related = getattr(indicator, name, None)
        if related is not None and related.partnership_id != stored.partnership_id:
            errors[name] = f"This {name.replace('_', ' ')} belongs to another partnership."
    kind = indicator.period_kind if indicator.frequency in FREQUENCY_PERIOD_KIND else None
    for name in ("baseline_period", "target_period"):
        period = getattr(indicator, name)
        if kind and period is not None and period.kind != kind:
            errors[name] = (
                f"'{period.label}' is a {period.get_kind_display().lower()}; this indicator "
                f"is reported by {PeriodKind(kind).label.lower()}."
            )
    if dimensions is not None:
        kept = {d.pk for d in dimensions}
        for dimension in dimensions:
            if dimension.partnership_id != stored.partnership_id:
                errors["dimensions"] = (
                    f"The dimension {dimension.code} belongs to another partnership."
                )
        removed = stored.dimensions.exclude(pk__in=kept)
        for dimension in removed.filter(categories__data_points__indicator=stored).distinct():
            errors["dimensions"] = (
                f"There is data broken down by {dimension.name}; delete it before "
                "removing the dimension."
            )
    return errors


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    dimensions: Sequence[Dimension] | None = None,
    **changes: Any,
) -> Indicator:
    """Change an indicator's settings (given as ``changes``, or already set on
    ``indicator``, as the admin does) and, with ``dimensions``, the dimensions it
    is disaggregated by.

    Refused with a ``ValidationError`` that says how to fix it: a reference to
    another partnership, a baseline or target period of another frequency, a new
    frequency or unit while the indicator has data points, removing a dimension
    its data is broken down by. A change to a setting its trends are computed
    from (``TREND_FIELDS``) marks them stale and queues a recompute of all of
    them after commit; other changes (name, definition, steward...) do not.
    """
    unknown = set(changes) - set(INDICATOR_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    stored = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for name, value in changes.items():
        setattr(indicator, name, value)
    changed = {
        name
        for name in INDICATOR_EDITABLE_FIELDS
        if _stored_value(stored, name) != _stored_value(indicator, name)
    }
    errors = _indicator_errors(indicator, stored, dimensions)
    errors |= indicator_fixed_with_data(indicator=stored, changed=changed)
    if errors:
        raise ValidationError(errors)
    indicator.full_clean()
    # Not data_version nor recompute_requested_at: they belong to the data services
    # and the trend engine, which may have moved them since this copy was read.
    indicator.save(update_fields=[*INDICATOR_EDITABLE_FIELDS, "updated_at"])
    if dimensions is not None:
        indicator.dimensions.set(dimensions)
    if changed & set(TREND_FIELDS):
        trends_invalidate(indicators=[indicator])
        indicator.refresh_from_db(fields=["data_version", "recompute_requested_at"])
    return indicator


def _stored_value(indicator: Indicator, name: str) -> Any:
    return getattr(indicator, Indicator._meta.get_field(name).attname)
