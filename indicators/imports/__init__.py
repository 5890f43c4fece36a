"""Importing data points from CSV and XLSX files (docs/import.md describes the format).

``import_preview`` is a dry run; ``import_commit`` applies a whole file or nothing.
"""

from .exports import error_report_csv, import_template_csv
from .readers import COLUMNS, MAX_BYTES, MAX_ROWS, REQUIRED
from .results import (
    ImportFileError,
    ImportPreview,
    ImportRejected,
    ImportResult,
    ImportStaleError,
    Issue,
    PreviewRow,
    RowStatus,
)
from .service import import_commit, import_preview

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "ImportFileError",
    "ImportPreview",
    "ImportRejected",
    "ImportResult",
    "ImportStaleError",
    "Issue",
    "PreviewRow",
    "RowStatus",
    "error_report_csv",
    "import_commit",
    "import_preview",
    "import_template_csv",
]
