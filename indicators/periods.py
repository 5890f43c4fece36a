"""Period labels: parse and format the four forms DOMAIN.md names.

========================  ===========  =========================
label                     kind         span (inclusive)
========================  ===========  =========================
``2021``                  year         2021-01-01 .. 2021-12-31
``2021-22``               school_year  2021-07-01 .. 2022-06-30
``2021-Q3``               quarter      2021-07-01 .. 2021-09-30
``2021-07``               month        2021-07-01 .. 2021-07-31
========================  ===========  =========================

``2011-12`` reads as both the school year 2011-12 and December 2011; when the
caller knows the kind it expects (an indicator's frequency), it passes it, and
otherwise the school year wins, since school years are the common case in
cradle-to-career data and months that old are rare.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.db import models


class PeriodKind(models.TextChoices):
    YEAR = "year", "Calendar year"
    SCHOOL_YEAR = "school_year", "School year (July–June)"
    QUARTER = "quarter", "Quarter"
    MONTH = "month", "Month"


MIN_YEAR = 1900
MAX_YEAR = 2200

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_TWO_PARTS = re.compile(r"^(\d{4})[-/](\d{2})$")

EXAMPLES = {
    PeriodKind.YEAR: "2021",
    PeriodKind.SCHOOL_YEAR: "2021-22",
    PeriodKind.QUARTER: "2021-Q3",
    PeriodKind.MONTH: "2021-07",
}


class PeriodError(ValueError):
    """A period label that cannot be read; the message says how to write it."""


@dataclass(frozen=True, order=True)
class PeriodSpan:
    start: date
    end: date
    kind: str
    label: str


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def year_span(year: int) -> PeriodSpan:
    return PeriodSpan(date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR, f"{year}")


def school_year_span(first_year: int) -> PeriodSpan:
    label = f"{first_year}-{(first_year + 1) % 100:02d}"
    return PeriodSpan(
        date(first_year, 7, 1), date(first_year + 1, 6, 30), PeriodKind.SCHOOL_YEAR, label
    )


def quarter_span(year: int, quarter: int) -> PeriodSpan:
    first_month = 3 * (quarter - 1) + 1
    return PeriodSpan(
        date(year, first_month, 1),
        _month_end(year, first_month + 2),
        PeriodKind.QUARTER,
        f"{year}-Q{quarter}",
    )


def month_span(year: int, month: int) -> PeriodSpan:
    return PeriodSpan(
        date(year, month, 1), _month_end(year, month), PeriodKind.MONTH, f"{year}-{month:02d}"
    )


def _check_year(year: int, label: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            f"'{label}' is outside the years {MIN_YEAR}–{MAX_YEAR} this system accepts."
        )


def _expected(kind: str | None) -> str:
    if kind:
        return f"write it like '{EXAMPLES[kind]}' ({PeriodKind(kind).label.lower()})"
    return (
        "write a calendar year '2021', a school year '2021-22', a quarter "
        "'2021-Q3' or a month '2021-07'"
    )


def parse_period(label: str, kind: str | None = None) -> PeriodSpan:
    """Read a period label; with ``kind``, accept only that kind of period.

    Raises ``PeriodError`` with a message that says how to write the label.
    """
    text = (label or "").strip()
    if not text:
        raise PeriodError(f"The period is empty; {_expected(kind)}.")
    candidates: list[PeriodSpan] = []
    if m := _YEAR.match(text):
        year = int(m.group(1))
        _check_year(year, text)
        candidates.append(year_span(year))
    elif m := _QUARTER.match(text):
        year = int(m.group(1))
        _check_year(year, text)
        candidates.append(quarter_span(year, int(m.group(2))))
    elif m := _TWO_PARTS.match(text):
        year, second = int(m.group(1)), int(m.group(2))
        _check_year(year, text)
        if second == (year + 1) % 100:
            candidates.append(school_year_span(year))
        if 1 <= second <= 12:
            candidates.append(month_span(year, second))
        if not candidates:
            raise PeriodError(
                f"'{text}' is neither a school year (the second part of "
                f"'{year}-{(year + 1) % 100:02d}' is the next year) nor a month "
                f"(01–12); {_expected(kind)}."
            )
    else:
        raise PeriodError(f"'{text}' is not a period label; {_expected(kind)}.")

    if kind is None:
        return candidates[0]
    for span in candidates:
        if span.kind == kind:
            return span
    found = PeriodKind(candidates[0].kind).label.lower()
    raise PeriodError(
        f"'{text}' is a {found}, but this indicator is reported by "
        f"{PeriodKind(kind).label.lower()}; {_expected(kind)}."
    )


def period_containing(day: date, kind: str) -> PeriodSpan:
    """The period of ``kind`` that contains ``day``."""
    if kind == PeriodKind.YEAR:
        return year_span(day.year)
    if kind == PeriodKind.SCHOOL_YEAR:
        return school_year_span(day.year if day.month >= 7 else day.year - 1)
    if kind == PeriodKind.QUARTER:
        return quarter_span(day.year, (day.month - 1) // 3 + 1)
    if kind == PeriodKind.MONTH:
        return month_span(day.year, day.month)
    raise PeriodError(f"Unknown period kind {kind!r}.")


def next_period(span: PeriodSpan) -> PeriodSpan:
    """The period of the same kind that follows ``span``."""
    from datetime import timedelta

    return period_containing(span.end + timedelta(days=1), span.kind)


def periods_between(first: PeriodSpan, last: PeriodSpan) -> list[PeriodSpan]:
    """Every period of ``first``'s kind from ``first`` to ``last``, inclusive."""
    spans = []
    current = first
    while current.start <= last.start:
        spans.append(current)
        current = next_period(current)
    return spans
