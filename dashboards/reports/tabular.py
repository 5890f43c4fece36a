"""The report as data to analyse: an Excel workbook (a sheet per outcome area with
values by period, a trends sheet, a definitions sheet) and a CSV file in tidy
long form (one row per indicator, period and category).

Both hold the same values as the PDF, suppressed for funders. Column names are
the API's (DOMAIN.md, "names on the wire"). Text cells pass through
``indicators.imports.exports.neutralise``, so that no spreadsheet program runs
what somebody typed into a name or a definition; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indicators.imports.exports import neutralise
from indicators.models import Period, Unit

from .data import AreaSection, IndicatorSection, ReportData, Value

NUMBER_FORMATS = {
    Unit.PERCENT: '0.0"%"',
    Unit.COUNT: "#,##0",
    Unit.RATE: "#,##0.0",
    Unit.CURRENCY: '"$"#,##0',
    Unit.SCORE: "#,##0.0",
}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="0B3D62")
TITLE_FONT = Font(bold=True, size=14)

CSV_COLUMNS = (
    "outcome_area", "indicator", "name", "unit", "period", "period_start", "dimension",
    "category", "value", "numerator", "denominator", "derived", "suppressed", "note",
)  # fmt: skip

TREND_COLUMNS = (
    "outcome_area", "indicator", "name", "unit", "direction", "n_points", "baseline_period",
    "baseline_value", "latest_period", "latest_value", "change", "status", "slope",
    "current_run", "progress_to_target", "target_value", "target_period", "projection",
    "on_track", "suppressed",
)  # fmt: skip

DEFINITION_COLUMNS = (
    "outcome_area", "indicator", "name", "definition", "kind", "unit", "direction",
    "frequency", "aggregation", "data_source", "steward", "baseline_period", "target_value",
    "target_period", "threshold", "dimensions",
)  # fmt: skip


def _text(value: Any) -> str:
    return neutralise(value)


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _series_rows(section: IndicatorSection) -> Iterator[tuple[str, str, str, list[Value]]]:
    """(dimension code, category code, category name, values) for the total, then
    each category when the report is disaggregated."""
    yield "", "", "Total", section.headline
    for series in section.categories:
        yield series.dimension_code, series.category.code, series.category.name, series.values


# --- CSV ---------------------------------------------------------------------------


def csv_rows(data: ReportData) -> Iterator[list[Any]]:
    """The report's values in tidy long form, one row per indicator, period and
    category (the total has no category); a suppressed value is empty with
    ``suppressed`` true."""
    for area in data.areas:
        for section in area.indicators:
            indicator = section.indicator
            for dimension, category, _name, values in _series_rows(section):
                for v in values:
                    yield [
                        area.area.slug,
                        indicator.code,
                        _text(indicator.name),
                        indicator.unit,
                        v.period.label,
                        v.period.start.isoformat(),
                        dimension,
                        category,
                        _plain(v.value),
                        _plain(v.numerator),
                        _plain(v.denominator),
                        "true" if v.derived else "false",
                        "true" if v.suppressed else "false",
                        _text(v.note),
                    ]


def _plain(value: Decimal | None) -> str:
    """A decimal without trailing zeros (48.5, not 48.500000); empty for none."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def build_csv(data: ReportData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(data))
    # A byte order mark lets Excel open the file as UTF-8 (names with accents).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- Excel -------------------------------------------------------------------------


def _header(sheet: Worksheet, columns: list[str] | tuple[str, ...], row: int = 1) -> None:
    for col, name in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=col, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)


def _widths(sheet: Worksheet, widths: dict[int, float]) -> None:
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = width


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet title: at most 31 characters, none of []:*?/\\."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


# ``series`` names the row for people: "Total", or the category's name.
AREA_FIXED = ("indicator", "name", "unit", "dimension", "category", "series")


def _area_sheet(book: Workbook, area: AreaSection, data: ReportData, taken: set[str]) -> None:
    """Values by period: a row per indicator (and per category when disaggregated),
    a column per period, oldest first."""
    sheet = book.create_sheet(sheet_title(area.area.name, taken))
    periods: dict[int, Period] = {}
    for section in area.indicators:
        for _d, _c, _n, values in _series_rows(section):
            periods.update({v.period.pk: v.period for v in values})
    ordered = sorted(periods.values(), key=lambda p: (p.start, p.end))
    column_of = {p.pk: len(AREA_FIXED) + i for i, p in enumerate(ordered, start=1)}
    _header(sheet, [*AREA_FIXED, *(p.label for p in ordered)])
    hidden_text = f"n<{data.min_cell_size}"
    row = 2
    for section in area.indicators:
        indicator = section.indicator
        number_format = NUMBER_FORMATS.get(indicator.unit, "General")
        for dimension, category, category_name, values in _series_rows(section):
            fixed = [
                indicator.code,
                indicator.name,
                indicator.unit,
                dimension,
                category,
                category_name,
            ]
            for col, value in enumerate(fixed, start=1):
                sheet.cell(row=row, column=col, value=_text(value))
            for v in values:
                cell = sheet.cell(row=row, column=column_of[v.period.pk])
                if v.suppressed:
                    cell.value = hidden_text
                    cell.alignment = Alignment(horizontal="right")
                else:
                    cell.value = _number(v.value)
                    cell.number_format = number_format
            row += 1
    sheet.freeze_panes = sheet.cell(row=2, column=len(AREA_FIXED) + 1)
    _widths(sheet, {1: 24, 2: 44, 3: 10, 4: 14, 5: 16, 6: 22})
    for col in column_of.values():
        sheet.column_dimensions[get_column_letter(col)].width = 10


def _trend_row(area: AreaSection, section: IndicatorSection) -> list[Any]:
    indicator, fig = section.indicator, section.figures
    hidden = section.figures_suppressed

    def shown(value: Any) -> Any:
        return None if hidden else _number(value)

    progress = fig.progress_to_target
    return [
        _text(area.area.slug),
        _text(indicator.code),
        _text(indicator.name),
        indicator.unit,
        indicator.direction,
        fig.n_points,
        section.baseline_period.label if section.baseline_period else None,
        shown(fig.baseline_value),
        section.latest_period.label if section.latest_period else None,
        shown(fig.latest_value),
        shown(fig.change),
        fig.status,
        shown(fig.slope),
        fig.current_run,
        None if hidden or progress is None else float(progress),
        _number(indicator.target_value),
        indicator.target_period.label if indicator.target_period else None,
        shown(fig.projection),
        fig.on_track,
        hidden,
    ]


def _trends_sheet(book: Workbook, data: ReportData) -> None:
    sheet = book.create_sheet("Trends")
    _header(sheet, TREND_COLUMNS)
    value_columns = {"baseline_value", "latest_value", "change", "target_value", "projection"}
    row = 2
    for area in data.areas:
        for section in area.indicators:
            number_format = NUMBER_FORMATS.get(section.indicator.unit, "General")
            for col, (name, value) in enumerate(
                zip(TREND_COLUMNS, _trend_row(area, section), strict=True), start=1
            ):
                cell = sheet.cell(row=row, column=col, value=value)
                if name in value_columns:
                    cell.number_format = number_format
                elif name == "slope":
                    cell.number_format = "0.00"
                elif name == "progress_to_target":
                    cell.number_format = "0%"
            row += 1
    sheet.freeze_panes = "D2"
    _widths(sheet, {1: 24, 2: 24, 3: 44, **{c: 13 for c in range(4, len(TREND_COLUMNS) + 1)}})


def _definitions_sheet(book: Workbook, data: ReportData) -> None:
    sheet = book.create_sheet("Definitions")
    _header(sheet, DEFINITION_COLUMNS)
    row = 2
    for area in data.areas:
        for section in area.indicators:
            i = section.indicator
            dimensions = sorted({c.dimension_code for c in section.categories})
            values = [
                area.area.slug, i.code, i.name, i.definition, i.kind, i.unit, i.direction,
                i.frequency, i.aggregation, i.data_source, i.steward.slug if i.steward else "",
                i.baseline_period.label if i.baseline_period else "",
                _number(i.target_value),
                i.target_period.label if i.target_period else "",
                _number(i.threshold), " ".join(dimensions),
            ]  # fmt: skip
            for col, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=col)
                cell.value = value if isinstance(value, float) else _text(value)
                cell.alignment = Alignment(vertical="top", wrap_text=col == 4)
            row += 1
    sheet.freeze_panes = "C2"
    _widths(sheet, {1: 24, 2: 24, 3: 40, 4: 60, **{c: 14 for c in range(5, 17)}})


def _about_sheet(book: Workbook, data: ReportData) -> None:
    sheet = book.active
    sheet.title = "About"
    lines = [
        (f"{data.partnership.name}: progress report", TITLE_FONT),
        (f"Periods: {data.span_label}", None),
        (f"Scope: {data.scope_label}", None),
        (f"Prepared {data.generated_at:%Y-%m-%d %H:%M %Z} from approved data only.", None),
        ("", None),
        ("Sheets: one per outcome area with values by period; Trends (computed from those "
         "values, see the definitions in the PDF); Definitions of the indicators.", None),
        (f"Values whose denominator is below {data.min_cell_size} are shown as "
         f'"n<{data.min_cell_size}" and left out of every figure computed from them.', None),
        ("Percent values are in percent (48.5 means 48.5%); changes of percents are in "
         "percentage points.", None),
    ]  # fmt: skip
    for row, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=_text(text))
        if font is not None:
            cell.font = font
    sheet.column_dimensions["A"].width = 110


def build_xlsx(data: ReportData) -> bytes:
    book = Workbook()
    _about_sheet(book, data)
    taken = {"about", "trends", "definitions"}
    for area in data.areas:
        _area_sheet(book, area, data, taken)
    _trends_sheet(book, data)
    _definitions_sheet(book, data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
