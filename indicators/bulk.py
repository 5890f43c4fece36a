"""Fast bulk inserts of plain tuples: COPY on PostgreSQL, executemany elsewhere.

For the trend engine, imports and the benchmark loader, which write tens of thousands of
rows whose values they already hold: building model instances for them would
cost more than the database does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model

# Characters handed to the driver per read while COPY streams.
COPY_BLOCK = 256 * 1024


def escape(text: str) -> str:
    """Text as a value in COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _line(row: Sequence[Any]) -> str:
    """One row in PostgreSQL's COPY text format. ``str`` of ints, floats, decimals,
    booleans ('True' reads as true) and aware datetimes is valid COPY input."""
    return "\t".join([escape(v) if type(v) is str else "\\N" if v is None else str(v) for v in row])


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, database column names)
    into the model's table. Returns how many rows went in."""
    if connection.vendor == "postgresql":
        return copy_lines(model, columns, map(_line, rows))
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    params = ", ".join(["%s"] * len(columns))
    batch = [tuple(plain(v) for v in row) for row in rows]
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({params})", batch)
    return len(batch)


def copy_lines(model: type[Model], columns: Sequence[str], lines: Iterable[str]) -> int:
    """PostgreSQL: COPY ``lines``, each one row in COPY's text format (see
    ``_line``; ``escape`` for text), into the model's table, in one statement.

    The lines are formatted as the driver reads them, a block at a time, so the
    database stores one block while Python formats the next (two processes at
    work, not one after the other), and no list of all the lines is ever built."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    stream = _Stream(lines)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", stream, size=COPY_BLOCK)
    return stream.count


class _Stream:
    """A file-like reader over lines, for ``copy_expert``."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self.count = 0

    def read(self, size: int = COPY_BLOCK) -> str:
        parts: list[str] = []
        length = 0
        for line in self._lines:
            parts.append(line)
            length += len(line) + 1
            if length >= size:
                break
        self.count += len(parts)
        return "\n".join(parts) + "\n" if parts else ""


def plain(value: Any) -> Any:
    """A value adapted as Django adapts it for this database (e.g. an aware datetime
    becomes naive UTC text on SQLite)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
