"""Locked periods: once a partnership's data for a period is approved (say, a
report card was published from it), backbone staff lock the period, and every
change to that data is refused until they unlock it.

A lock covers every indicator of the partnership for that period. The data point
services call ``ensure_unlocked`` before they write, so the pages, the import,
the API and the admin all refuse alike; an importer checks all its rows at once
with ``locked_period_ids``. Locking and unlocking are both recorded in
``PeriodLockEvent``.

Locking and writing cannot overlap: on PostgreSQL, a writer holds a shared
advisory lock on (partnership, period) until its transaction ends and a locker
an exclusive one, so a lock never lands on a draft that was being written while
it was checked. SQLite needs nothing: its transactions start IMMEDIATE, one
writer at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from partnership.models import Partnership
from partnership.permissions import Action, can

from .models import (
    DataPoint,
    DataStatus,
    Indicator,
    LockAction,
    Period,
    PeriodLock,
    PeriodLockEvent,
)

# The top bits of the advisory lock keys taken here, so that they cannot meet
# another feature's advisory locks ("PL" in ASCII).
ADVISORY_NAMESPACE = 0x504C
MASK = 0xFFFFFF


def _hold(*, partnership_id: int, period_id: int, exclusive: bool) -> None:
    """Hold (partnership, period) until the transaction ends: shared for writers
    of data, exclusive for the locker. PostgreSQL only (see the module's notes)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    # One bigint key: the namespace, then 24 bits each of the partnership and the
    # period. Ids beyond 2^24 could share a key, which only makes a writer wait.
    key = (ADVISORY_NAMESPACE << 48) | ((partnership_id & MASK) << 24) | (period_id & MASK)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])


def _require_lock_right(user: Any, partnership: Partnership) -> None:
    """Locks are a person's decision: unlike the data services there is no
    system user here."""
    if not can(user, Action.LOCK_PERIOD, partnership):
        raise PermissionDenied(f"Only backbone staff may lock or unlock periods of {partnership}.")


def validate_lockable(*, partnership: Partnership, period: Period) -> None:
    """Refuse to lock a period that is locked already or whose data is not all
    approved, naming the indicators and how many of their points are pending."""
    if PeriodLock.objects.filter(partnership=partnership, period=period).exists():
        raise ValidationError({"period": f"{period.label} is locked already for {partnership}."})
    pending = (
        DataPoint.objects.filter(indicator__partnership=partnership, period=period)
        .exclude(status=DataStatus.APPROVED)
        .values("indicator__code", "status")
        .annotate(n=Count("id"))
        .order_by("indicator__code", "status")
    )
    by_indicator: dict[str, list[str]] = {}
    total = 0
    for row in pending:
        by_indicator.setdefault(row["indicator__code"], []).append(f"{row['n']} {row['status']}")
        total += row["n"]
    if total:
        listed = "; ".join(f"{code}: {', '.join(parts)}" for code, parts in by_indicator.items())
        points = "1 data point is" if total == 1 else f"{total} data points are"
        raise ValidationError(
            {
                "period": f"{period.label} cannot be locked: {points} not approved yet "
                f"({listed}). Approve or delete them first; only approved periods can be locked."
            }
        )


@transaction.atomic
def period_lock(
    *, partnership: Partnership, period: Period, user: Any, reason: str = ""
) -> PeriodLock:
    """Lock a period of a partnership whose data is all approved (backbone staff)."""
    _require_lock_right(user, partnership)
    _hold(partnership_id=partnership.pk, period_id=period.pk, exclusive=True)
    validate_lockable(partnership=partnership, period=period)
    lock = PeriodLock(partnership=partnership, period=period, locked_by=user, reason=reason.strip())
    try:
        # A savepoint: the unique constraint decides if another locker got here first.
        with transaction.atomic():
            lock.save()
    except IntegrityError:
        raise ValidationError(
            {"period": f"{period.label} is locked already for {partnership}."}
        ) from None
    _record(
        partnership=partnership,
        period=period,
        action=LockAction.LOCKED,
        user=user,
        reason=lock.reason,
    )
    return lock


@transaction.atomic
def period_unlock(*, partnership: Partnership, period: Period, user: Any, reason: str) -> None:
    """Unlock a locked period (backbone staff), saying why: the data can change again."""
    _require_lock_right(user, partnership)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the period is unlocked; it is recorded."})
    deleted, _ = PeriodLock.objects.filter(partnership=partnership, period=period).delete()
    if not deleted:
        raise ValidationError({"period": f"{period.label} is not locked for {partnership}."})
    _record(
        partnership=partnership,
        period=period,
        action=LockAction.UNLOCKED,
        user=user,
        reason=reason.strip(),
    )


def _record(
    *, partnership: Partnership, period: Period, action: str, user: Any, reason: str
) -> PeriodLockEvent:
    return PeriodLockEvent.objects.create(
        partnership=partnership,
        period=period,
        action=action,
        changed_by=user,
        reason=reason,
    )


def locked_period_ids(*, partnership: Partnership) -> set[int]:
    """The ids of the partnership's locked periods, in one query.

    For importers and other bulk writers: read this once, refuse every row whose
    ``period.pk`` is in it (with the ``ensure_unlocked`` message, or "period
    2021-22 is locked"), and write the rest through the data point services, which
    check each row again inside their transaction (so a lock taken meanwhile
    still holds).
    """
    return set(
        PeriodLock.objects.filter(partnership=partnership).values_list("period_id", flat=True)
    )


def locked_period_labels(*, partnership: Partnership) -> set[tuple[str, str]]:
    """The (kind, label) of the partnership's locked periods, in one query: for an
    importer that reads period labels before their Period rows exist."""
    return set(
        PeriodLock.objects.filter(partnership=partnership).values_list(
            "period__kind", "period__label"
        )
    )


def ensure_unlocked_periods(*, partnership: Partnership, period_ids: Iterable[int]) -> None:
    """For a bulk writer, inside its transaction and before it writes: hold every
    period it writes (so no lock can be taken meanwhile) and refuse if one of them
    has been locked since the rows were checked."""
    ids = sorted(set(period_ids))
    for period_id in ids:
        _hold(partnership_id=partnership.pk, period_id=period_id, exclusive=False)
    locked = list(
        PeriodLock.objects.filter(partnership=partnership, period_id__in=ids).values_list(
            "period__label", flat=True
        )
    )
    if locked:
        raise ValidationError(
            {"period": f"{', '.join(sorted(locked))} was locked meanwhile; nothing was written."}
        )


def ensure_unlocked(*, indicator: Indicator, period: Period) -> None:
    """Refuse a write to the indicator's data for a locked period, saying who
    locked it, when and why. Call inside the writing transaction, before writing."""
    _hold(partnership_id=indicator.partnership_id, period_id=period.pk, exclusive=False)
    lock = (
        PeriodLock.objects.filter(partnership_id=indicator.partnership_id, period=period)
        .select_related("partnership", "locked_by")
        .first()
    )
    if lock is None:
        return
    when = timezone.localdate(lock.locked_at).isoformat()
    who = lock.locked_by or "someone no longer here"
    why = f" ({lock.reason})" if lock.reason else ""
    raise ValidationError(
        {
            "period": f"{period.label} is locked for {lock.partnership} since {when} by {who}"
            f"{why}; ask backbone staff to unlock it."
        }
    )
