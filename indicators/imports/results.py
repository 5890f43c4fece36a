"""What an import reports: issues, rows, the preview and the result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


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
    # For updates: the tracked fields before and after (history's snapshot form).
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


@dataclass
class ImportPreview:
    """A dry run: what importing the file would do, row by row. ``file_issues`` are
    problems with the file as a whole (its size, type or header); when there are
    any, ``rows`` is empty."""

    filename: str
    columns: list[str] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    file_issues: list[Issue] = field(default_factory=list)
    # Identifies the versions of the existing points the preview compared with, so
    # that a commit can insist that nobody changed them in between.
    basis: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.status for row in self.rows)
        return {status.value: found.get(status, 0) for status in RowStatus}

    @property
    def issues(self) -> list[Issue]:
        return [*self.file_issues, *(issue for row in self.rows for issue in row.issues)]

    @property
    def ok(self) -> bool:
        """True when the file can be imported as a whole."""
        return not self.file_issues and not any(r.status == RowStatus.ERROR for r in self.rows)


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
