"""Fast bulk inserts of plain tuples: COPY on PostgreSQL, executemany elsewhere.

For the trend engine and the benchmark loader, which write tens of thousands of
rows whose values they already hold: building model instances for them would
cost more than the database does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model

COPY_CHUNK = 50_000


def _escape(text: str) -> str:
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
    return "\t".join("\\N" if v is None else _escape(v) if type(v) is str else str(v) for v in row)


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, database column names)
    into the model's table. Returns how many rows went in."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):
            chunk: list[str] = []
            for row in rows:
                chunk.append(_line(row))
                if len(chunk) >= COPY_CHUNK:
                    count += _copy(raw, table, names, chunk)
                    chunk = []
            if chunk:
                count += _copy(raw, table, names, chunk)
        else:
            params = ", ".join(["%s"] * len(columns))
            batch = [tuple(_plain(v) for v in row) for row in rows]
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({params})", batch)
            count = len(batch)
    return count


def _copy(raw: Any, table: str, names: str, lines: list[str]) -> int:
    raw.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO("\n".join(lines) + "\n"))
    return len(lines)


def _plain(value: Any) -> Any:
    """A value adapted as Django adapts it for this database (e.g. an aware datetime
    becomes naive UTC text on SQLite)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
