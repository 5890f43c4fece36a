"""Importing data points from a file: a preview that writes nothing, and a commit
that applies the whole file or nothing.

Both need ``Action.IMPORT_DATA`` on the partnership; each row then needs the
right to enter data for its indicator (see ``RowChecker.check_writable``).
Views, the API and the background task for large files call these two functions.
"""

from __future__ import annotations

import hashlib
from collections import Counter
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
    PreviewRow,
    RowStatus,
)
from .validate import RowPlan, plan_rows


def import_preview(
    *,
    partnership: Partnership,
    user: Any,
    file: bytes | IO[bytes],
    filename: str,
    encoding: str | None = None,
) -> ImportPreview:
    """What importing the file would do, row by row: create, update, unchanged or
    error, with every problem's row, column and how to fix it. Writes nothing."""
    _require_import(user, partnership)
    try:
        table = read_table(file, filename, encoding)
    except ImportFileError as exc:
        return ImportPreview(filename=filename, file_issues=exc.issues)
    plans = plan_rows(table, partnership, user, lock=False)
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
    try:
        table = read_table(file, filename, encoding)
    except ImportFileError as exc:
        raise ImportRejected(ImportPreview(filename=filename, file_issues=exc.issues)) from None
    with transaction.atomic():
        plans = plan_rows(table, partnership, user, lock=True)
        if any(plan.status == RowStatus.ERROR for plan in plans):
            raise ImportRejected(_preview(filename, table, plans))
        if expected_basis is not None and expected_basis != _basis(plans):
            raise ImportStaleError(filename)
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
        rows=[_preview_row(plan) for plan in plans],
        basis=_basis(plans),
    )


def _preview_row(plan: RowPlan) -> PreviewRow:
    cells = plan.raw.cells
    return PreviewRow(
        number=plan.raw.number,
        status=plan.status,
        indicator=plan.indicator.code if plan.indicator else cells.get("indicator", ""),
        period=plan.span.label if plan.span else cells.get("period", ""),
        geography=plan.geography.code if plan.geography else cells.get("geography", ""),
        category=plan.category.code if plan.category else cells.get("category", ""),
        value=cells.get("value", ""),
        issues=plan.issues,
        old=plan.old,
        new=plan.new if plan.status != RowStatus.ERROR else None,
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
