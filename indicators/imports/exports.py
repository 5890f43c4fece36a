"""Files that help people import: a template per indicator, and the error report.

Cells that a spreadsheet program would run as a formula (starting with = + - @,
a tab or a carriage return) are written with a leading apostrophe, so opening
a file never runs what somebody typed into a note or a name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta

from ..models import Category, Geography, Indicator, IndicatorDimension, Unit
from ..periods import PeriodSpan, period_containing
from .readers import COLUMNS
from .results import ImportPreview

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A plausible value, numerator and denominator for each unit.
EXAMPLE_VALUES: dict[str, tuple[str, str, str]] = {
    Unit.PERCENT: ("48.5", "97", "200"),
    Unit.COUNT: ("1250", "", ""),
    Unit.RATE: ("12.4", "", ""),
    Unit.CURRENCY: ("25000", "", ""),
    Unit.SCORE: ("245", "", ""),
}


def neutralise(cell: object) -> str:
    """The cell as text that no spreadsheet program will run as a formula."""
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue()


def _recent_period(kind: str, today: date | None = None) -> PeriodSpan:
    """The last period of this kind that has ended."""
    current = period_containing(today or date.today(), kind)
    return period_containing(current.start - timedelta(days=1), kind)


def import_template_csv(indicator: Indicator) -> str:
    """A CSV with the import header and a few example rows for this indicator,
    using real codes of its partnership: partnership-wide, one geography and one
    category, as far as the partnership has them."""
    period = _recent_period(indicator.period_kind).label
    value, numerator, denominator = EXAMPLE_VALUES[indicator.unit]
    example = {
        "indicator": indicator.code,
        "period": period,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "source": indicator.data_source,
    }
    rows = [{**example, "note": "Partnership-wide total: geography and category left empty"}]
    geography = Geography.objects.filter(partnership_id=indicator.partnership_id).order_by("path")
    if first_geography := geography.first():
        rows.append({**example, "geography": first_geography.code})
    if category := _first_category(indicator):
        rows.append({**example, "dimension": category.dimension.code, "category": category.code})
    return _csv(COLUMNS, ([row.get(column, "") for column in COLUMNS] for row in rows))


def _first_category(indicator: Indicator) -> Category | None:
    dimension_ids = IndicatorDimension.objects.filter(indicator=indicator).values("dimension_id")
    return (
        Category.objects.filter(dimension_id__in=dimension_ids)
        .select_related("dimension")
        .order_by("dimension__code", "order", "code")
        .first()
    )


def error_report_csv(preview: ImportPreview) -> str:
    """One line per problem: the row as a spreadsheet numbers it (empty for the
    file as a whole), the column, the value found and how to fix it."""
    issues = sorted(preview.issues, key=lambda issue: issue.row or 0)
    return _csv(
        ("row", "column", "value", "message"),
        ((issue.row or "", issue.column, issue.value, issue.message) for issue in issues),
    )
