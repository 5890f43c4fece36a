"""Reading import files: CSV (any common encoding and delimiter) and XLSX.

A file becomes a ``Table``: its columns by canonical name (DOMAIN.md, "Names on
the wire") and its rows as text, each numbered as a spreadsheet shows it (the
header is row 1, the first data row is row 2). Blank rows are skipped but keep
their numbers. Problems with the file as a whole raise ``ImportFileError``.

A row is a tuple of texts in the order of ``Table.columns`` (not a dict: a file
may hold 100,000 rows, and a dict per row costs several times the memory).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from operator import itemgetter
from typing import IO, Any, NoReturn

from .results import ImportFileError, Issue

MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024

COLUMNS = (
    "indicator",
    "period",
    "geography",
    "dimension",
    "category",
    "value",
    "numerator",
    "denominator",
    "note",
    "source",
)
POSITION = {name: i for i, name in enumerate(COLUMNS)}
REQUIRED = ("indicator", "period", "value")
# "Geography code" or "Indicator name" mean the same column: each takes a code or a name.
_SUFFIXED = {"indicator", "geography", "dimension", "category"}
CSV_DELIMITERS = (",", ";", "\t")
EXCEL_TYPES = (".xlsx", ".xlsm")
CSV_TYPES = (".csv", ".txt", ".tsv")

_SEPARATORS = re.compile(r"[\s_]+")


class RawRow:
    """One row of the file: its number and its texts for all of ``COLUMNS``, in
    that order (empty for a column the file does not have)."""

    __slots__ = ("number", "values")

    def __init__(self, number: int, values: tuple[str, ...]):
        self.number = number
        self.values = values

    def get(self, column: str) -> str:
        return self.values[POSITION[column]]

    @property
    def cells(self) -> dict[str, str]:
        return dict(zip(COLUMNS, self.values, strict=True))


@dataclass
class Table:
    columns: list[str]
    rows: list[RawRow]
    headers: dict[str, str]  # canonical name -> the header as the file writes it
    delimiter: str = ""  # CSV only


def _expected() -> str:
    return (
        f"the columns are {', '.join(COLUMNS)} "
        f"({', '.join(REQUIRED[:-1])} and {REQUIRED[-1]} are required)"
    )


def canonical_column(header: str) -> str | None:
    """The canonical name for a header ('Geography Code ' -> 'geography'), or None."""
    name = _SEPARATORS.sub(" ", header.strip().lower()).strip()
    if name in COLUMNS:
        return name
    base, _, suffix = name.rpartition(" ")
    if base in _SUFFIXED and suffix in {"code", "name"}:
        return base
    return None


def _file_error(
    message: str, row: int | None = None, column: str = "", value: str = ""
) -> NoReturn:
    raise ImportFileError([Issue(row, column, value, message)])


def read_bytes(file: bytes | IO[bytes]) -> bytes:
    """The file's content, refusing anything larger than MAX_BYTES."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _file_error(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB, the most that can be "
            "imported at once. Split it into smaller files, each with the header row."
        )
    if not data.strip():
        _file_error(f"The file is empty. Its first row must be the header: {_expected()}.")
    return data


def read_table(file: bytes | IO[bytes], filename: str, encoding: str | None = None) -> Table:
    """Read an import file; the type follows the file name (.csv/.txt/.tsv or .xlsx)."""
    data = read_bytes(file)
    name = filename.lower()
    if name.endswith(EXCEL_TYPES) or data.startswith(b"PK\x03\x04"):
        return _table(_xlsx_rows(data))
    if name.endswith(".xls"):
        _file_error(
            "This is the old Excel format (.xls). Save it as an Excel workbook (.xlsx) "
            "or as CSV, then import that."
        )
    if not name.endswith(CSV_TYPES):
        _file_error(
            f"'{filename}' is neither a CSV file nor an Excel workbook; import a .csv or "
            ".xlsx file."
        )
    text = decode(data, encoding)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = _table(reader, text=True)
    table.delimiter = delimiter
    return table


def decode(data: bytes, encoding: str | None = None) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, else
    Latin-1; or exactly the encoding asked for."""
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError:
            _file_error(f"'{encoding}' is not an encoding this system knows; try utf-8.")
        except UnicodeDecodeError as exc:
            _file_error(
                f"The file is not valid {encoding} (byte {exc.start + 1} cannot be read). "
                "Choose another encoding, or save the file as CSV UTF-8."
            )
    for candidate in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter the header line uses most: comma, semicolon or tab."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])  # ties go to the comma
    return best if counts[best] else ","


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        _file_error(
            "The file could not be read as an Excel workbook (.xlsx). Open it in a "
            "spreadsheet program and save it again as .xlsx or as CSV."
        )
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def cell_text(value: Any, column: str = "") -> str:
    """A spreadsheet cell as text, numbers as written: 0.1 stays '0.1'."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime | date):
        return _date_text(value, column)
    return str(value).strip()


def _date_text(value: date, column: str) -> str:
    """Spreadsheets turn '2021-07' into the date 1 July 2021: read it back as the month."""
    if isinstance(value, datetime):
        if value.time() != time(0):
            return value.isoformat(sep=" ")
        value = value.date()
    if column == "period" and value.day == 1:
        return f"{value.year}-{value.month:02d}"
    return value.isoformat()


def _table(records: Iterable[list[Any]], *, text: bool = False) -> Table:
    """``text``: every cell is a string already (CSV), so only strip it."""
    records = iter(records)
    header = next(records, None)
    while header is not None and not any(cell_text(c) for c in header):
        header = next(records, None)  # skip blank lines above the header
    if header is None:
        _file_error(f"The file is empty. Its first row must be the header: {_expected()}.")
    positions, headers = _header(header)
    named = {i for i, _ in positions}
    unnamed = [i for i in range(len(header)) if i not in named]
    width = len(header)
    # Where each of COLUMNS is in a record padded with blanks to one past the
    # header's width: a column the file does not have reads that last blank.
    where = {name: i for i, name in positions}
    at = [(where.get(name, width), name) for name in COLUMNS]
    pick = itemgetter(*(i for i, _ in at))
    padding = [""] * (width + 1)
    rows: list[RawRow] = []
    for number, record in enumerate(records, start=2):
        size = len(record)
        if unnamed or size > width:
            _check_unnamed(record, unnamed, width, number)
        if size <= width:
            record = [*record, *padding[: width + 1 - size]]
        if text:
            values = tuple(map(str.strip, pick(record)))
        else:
            values = tuple(cell_text(record[i], name) for i, name in at)
        if not any(values):
            continue
        if len(rows) == MAX_ROWS:
            _file_error(
                f"The file has more than {MAX_ROWS:,} rows of data, the most that can be "
                f"imported at once. Split it into files of at most {MAX_ROWS:,} rows, each "
                "with the header row."
            )
        rows.append(RawRow(number, values))
    return Table([name for _, name in positions], rows, headers)


def _header(header: list[Any]) -> tuple[list[tuple[int, str]], dict[str, str]]:
    """Which position holds which column; raises for unknown, repeated or missing ones."""
    issues: list[Issue] = []
    positions: list[tuple[int, str]] = []
    headers: dict[str, str] = {}
    for i, raw in enumerate(header):
        text = cell_text(raw)
        if not text:
            continue
        name = canonical_column(text)
        if name is None:
            message = f"Unknown column '{text}'; {_expected()}. Rename or remove the column."
            issues.append(Issue(1, text, text, message))
        elif name in headers:
            message = f"The columns '{headers[name]}' and '{text}' both give the {name}; keep one."
            issues.append(Issue(1, text, text, message))
        else:
            positions.append((i, name))
            headers[name] = text
    for name in REQUIRED:
        if name not in headers:
            message = f"The required column '{name}' is missing; {_expected()}."
            issues.append(Issue(1, name, "", message))
    if issues:
        raise ImportFileError(issues)
    return positions, headers


def _check_unnamed(record: list[Any], unnamed: list[int], width: int, number: int) -> None:
    """A value in a column without a header would be lost silently: refuse it."""
    extra = [i for i in unnamed if i < len(record)] + list(range(width, len(record)))
    for i in extra:
        if text := cell_text(record[i]):
            _file_error(
                f"Row {number} has a value in column {i + 1}, which has no header. "
                "Give the column one of the expected names, or delete it.",
                row=number,
                column=f"column {i + 1}",
                value=text,
            )
