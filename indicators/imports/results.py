"""What an import reports: issues, rows, the preview and the result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, islice
from typing import Any

from .points import snapshot_of


class RowStatus(StrEnum):
    CREATE = "create"  # a new data point, as a draft
    UPDATE = "update"  # changes an existing data point
    UNCHANGED = "unchanged"  # the data point already holds exactly this
    ERROR = "error"  # cannot be imported; see the row's issues


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, where the user sees it: ``row`` as numbered in a spreadsheet
    (the header is row 1; ``None`` for the file as a whole) and ``column`` by its
    name in the file's header."""

    row: int | None
    column: str
    value: str
    message: str


@dataclass(slots=True)
class PreviewRow:
    number: int
    status: RowStatus
    indicator: str = ""
    period: str = ""
    geography: str = ""
    category: str = ""
    value: str = ""
    issues: list[Issue] = field(default_factory=list)
    # The tracked fields before (updates and unchanged rows) and after (all but
    # errors), in the history's snapshot form.
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


# One row's outcome, compact (a preview may describe 100,000 rows): number,
# status, indicator, period, geography, category, value, issues (or None), and
# the tracked fields before and after as tuples (``points.Tracked``, or None).
Outcome = tuple[int, RowStatus, str, str, str, str, str, Any, Any, Any]


@dataclass
class ImportPreview:
    """A dry run: what importing the file would do, row by row. ``file_issues`` are
    problems with the file as a whole (its size, type or header); when there are
    any, there are no rows.

    Each row is kept as a compact ``Outcome``; ``rows`` and ``first_rows`` make
    ``PreviewRow`` objects of them when asked."""

    filename: str
    columns: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    file_issues: list[Issue] = field(default_factory=list)
    # Identifies the versions of the existing points the preview compared with, so
    # that a commit can insist that nobody changed them in between.
    basis: str = ""

    @property
    def rows(self) -> list[PreviewRow]:
        return [_preview_row(outcome) for outcome in self.outcomes]

    def first_rows(self, limit: int) -> list[PreviewRow]:
        """At most ``limit`` rows, errors first, each group in file order."""
        errors = islice((o for o in self.outcomes if o[1] == RowStatus.ERROR), limit)
        rest = (o for o in self.outcomes if o[1] != RowStatus.ERROR)
        return [_preview_row(outcome) for outcome in islice(chain(errors, rest), limit)]

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(outcome[1] for outcome in self.outcomes)
        return {status.value: found.get(status, 0) for status in RowStatus}

    @property
    def issues(self) -> list[Issue]:
        found = (issue for outcome in self.outcomes if outcome[7] for issue in outcome[7])
        return [*self.file_issues, *found]

    @property
    def ok(self) -> bool:
        """True when the file can be imported as a whole."""
        return not self.file_issues and not any(o[1] == RowStatus.ERROR for o in self.outcomes)


def _preview_row(outcome: Outcome) -> PreviewRow:
    number, status, indicator, period, geography, category, value, issues, old, new = outcome
    return PreviewRow(
        number=number,
        status=status,
        indicator=indicator,
        period=period,
        geography=geography,
        category=category,
        value=value,
        issues=list(issues or ()),
        old=snapshot_of(old) if old is not None else None,
        new=snapshot_of(new) if new is not None else None,
    )


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    updated: int
    unchanged: int
    # Codes of the indicators whose approved data changed (their trends are queued).
    approved_changed: list[str]


class ImportFileError(Exception):
    """The file as a whole cannot be read: too big, of an unknown type, or with a
    header that does not name the expected columns."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(" ".join(issue.message for issue in issues))


class ImportRejected(Exception):  # noqa: N818 (the name the product uses)
    """The commit applied nothing because the file has errors; ``preview`` lists them."""

    def __init__(self, preview: ImportPreview):
        self.preview = preview
        n = len(preview.issues)
        super().__init__(
            f"Nothing was imported: {preview.filename} has {n} error{'s' * (n != 1)}. "
            "Fix them (the error report lists each row and column) and import the file again."
        )


class ImportStaleError(Exception):
    """Data the file touches changed between the preview and the commit."""

    def __init__(self, filename: str):
        super().__init__(
            f"Someone changed data that {filename} touches since you previewed it. "
            "Preview the file again to see what it would change now."
        )
