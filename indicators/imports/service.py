"""Importing data points from a file: a preview that writes nothing, and a commit
that applies the whole file or nothing.

Both need ``Action.IMPORT_DATA`` on the partnership; each row then needs the
right to enter data for its indicator (see ``RowChecker.check_writable``).
Views, the API and the background task for large files call these two functions.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from partnership.models import Partnership
from partnership.permissions import Action, can

from .apply import apply_plans
from .readers import Table, read_table
from .results import (
    ImportFileError,
    ImportPreview,
    ImportRejected,
    ImportResult,
    ImportStaleError,
    Outcome,
    RowStatus,
)
from .validate import RowPlan, plan_rows

# ``progress(percent, message)``: told at each phase and every few thousand rows,
# for the background task's progress bar. Inside the commit's transaction, what a
# hook writes to the database is only seen when the transaction ends.
Progress = Callable[[int, str], None]


def _rows_hook(progress: Progress | None, total: int, start: int, end: int, verb: str):
    """A ``plan_rows`` hook mapping rows checked to percents from ``start`` to ``end``."""
    if progress is None:
        return None

    def on_rows(done: int) -> None:
        progress(start + (end - start) * done // max(total, 1), f"{verb} row {done:,} of {total:,}")

    return on_rows


def _tell(progress: Progress | None, percent: int, message: str) -> None:
    if progress is not None:
        progress(percent, message)


def import_preview(
    *,
    partnership: Partnership,
    user: Any,
    file: bytes | IO[bytes],
    filename: str,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """What importing the file would do, row by row: create, update, unchanged or
    error, with every problem's row, column and how to fix it. Writes nothing."""
    _require_import(user, partnership)
    _tell(progress, 0, "Reading the file")
    try:
        table = read_table(file, filename, encoding)
    except ImportFileError as exc:
        return ImportPreview(filename=filename, file_issues=exc.issues)
    total = len(table.rows)
    _tell(progress, 10, f"Checking {total:,} rows")
    hook = _rows_hook(progress, total, 10, 90, "Checked")
    plans = plan_rows(table, partnership, user, lock=False, on_rows=hook)
    _tell(progress, 95, "Preparing the preview")
    return _preview(filename, table, plans)


def import_commit(
    *,
    partnership: Partnership,
    user: Any,
    file: bytes | IO[bytes],
    filename: str,
    encoding: str | None = None,
    comment: str = "",
    expected_basis: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the whole file in one transaction, or nothing.

    Every row is checked again against the data as it is now. If any row has an
    error, raises ``ImportRejected`` (its ``preview`` lists the errors). With
    ``expected_basis`` (a preview's ``basis``), raises ``ImportStaleError`` when data
    the file touches changed since that preview. New points are drafts; changes
    follow ``datapoint_update``; each is recorded in the history with a comment
    naming the file.
    """
    _require_import(user, partnership)
    _tell(progress, 0, "Reading the file")
    try:
        table = read_table(file, filename, encoding)
    except ImportFileError as exc:
        raise ImportRejected(ImportPreview(filename=filename, file_issues=exc.issues)) from None
    total = len(table.rows)
    _tell(progress, 10, f"Checking {total:,} rows against the data as it is now")
    hook = _rows_hook(progress, total, 10, 50, "Checked")
    with transaction.atomic():
        plans = plan_rows(table, partnership, user, lock=True, on_rows=hook)
        if any(plan.status == RowStatus.ERROR for plan in plans):
            raise ImportRejected(_preview(filename, table, plans))
        if expected_basis is not None and expected_basis != _basis(plans):
            raise ImportStaleError(filename)
        _tell(progress, 50, f"Writing {total:,} rows")
        changed = apply_plans(plans, user=user, comment=_comment(filename, comment))
    counts = Counter(plan.status for plan in plans)
    return ImportResult(
        filename=filename,
        created=counts[RowStatus.CREATE],
        updated=counts[RowStatus.UPDATE],
        unchanged=counts[RowStatus.UNCHANGED],
        approved_changed=sorted(indicator.code for indicator in changed),
    )


def _require_import(user: Any, partnership: Partnership) -> None:
    if not can(user, Action.IMPORT_DATA, partnership):
        raise PermissionDenied(
            f"You may not import data into {partnership.name}; data stewards and "
            "backbone staff may."
        )


def _comment(filename: str, comment: str) -> str:
    imported = f"Imported from {filename}"
    return f"{imported}: {comment.strip()}" if comment.strip() else imported


def _preview(filename: str, table: Table, plans: list[RowPlan]) -> ImportPreview:
    return ImportPreview(
        filename=filename,
        columns=table.columns,
        outcomes=[_outcome(plan) for plan in plans],
        basis=_basis(plans),
    )


def _outcome(plan: RowPlan) -> Outcome:
    get = plan.raw.get
    error = plan.status == RowStatus.ERROR
    return (
        plan.raw.number,
        plan.status,
        plan.indicator.code if plan.indicator else get("indicator"),
        plan.span.label if plan.span else get("period"),
        plan.geography.code if plan.geography else get("geography"),
        plan.category.code if plan.category else get("category"),
        get("value"),
        plan.issues,
        None if error else plan.old,
        None if error else plan.new,
    )


def _basis(plans: list[RowPlan]) -> str:
    """A digest of what each row was compared with: the existing point and its
    version, or nothing. Any change to those changes the digest."""
    digest = hashlib.sha256()
    for plan in plans:
        point = plan.point
        pk, version = (point.pk, point.version) if point is not None else (None, None)
        digest.update(f"{plan.raw.number}:{plan.status}:{pk}:{version};".encode())
    return digest.hexdigest()
