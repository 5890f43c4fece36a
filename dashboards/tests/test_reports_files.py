"""The report's files (issue 6): the Excel workbook read back with openpyxl and the
CSV match the database; the PDF's text (pdftotext) shows the headings and the
figures of the trends; its pages are rendered to images (pdftoppm) for a look."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dashboards.reports.charts import charts_available, report_figure
from dashboards.reports.data import report_data
from dashboards.reports.pdf import build_pdf, render_html
from dashboards.reports.tabular import CSV_COLUMNS, TREND_COLUMNS, build_csv, build_xlsx
from indicators.models import DataPoint, DataStatus, Trend
from partnership.tests.world import need_service

from .test_reports_data import K_READY, NOTE, SUMMER, reported_fixture  # noqa: F401


def _approved_totals(indicator) -> dict[str, Decimal]:
    points = DataPoint.objects.filter(
        indicator=indicator, status=DataStatus.APPROVED, geography__isnull=True,
        category__isnull=True,
    ).select_related("period")  # fmt: skip
    return {p.period.label: p.value for p in points}


# --- Excel ---------------------------------------------------------------------------


def test_workbook_matches_the_database(reported):
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    book = load_workbook(io.BytesIO(build_xlsx(data)))
    assert book.sheetnames == [
        "About", "Kindergarten readiness", "Early grade reading", "Trends", "Definitions",
    ]  # fmt: skip

    sheet = book["Kindergarten readiness"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["indicator", "name", "unit", "dimension", "category", "series"]
    assert header[6:] == list(K_READY)  # approved periods only, oldest first
    rows = {(r[0], r[4] or ""): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    total = rows[("k-ready", "")]
    expected = _approved_totals(reported.k_ready)
    assert {label: Decimal(str(v)) for label, v in zip(header[6:], total[6:], strict=True)} == (
        expected
    )
    not_low = rows[("k-ready", "not-low")]
    assert not_low[header.index("2023-24")] == "n<10"  # the 8-child cell
    assert not_low[header.index("2018-19")] == 55
    assert sheet.freeze_panes == "G2"
    assert sheet.cell(row=2, column=7).number_format == '0.0"%"'

    summer = book["Early grade reading"]
    assert [c.value for c in summer[1]][6:] == list(SUMMER)
    assert summer.cell(row=2, column=7).number_format == "#,##0"


def test_trends_sheet_is_the_stored_trends(reported):
    data = report_data(partnership=reported.world.partnership)
    sheet = load_workbook(io.BytesIO(build_xlsx(data)))["Trends"]
    assert [c.value for c in sheet[1]] == list(TREND_COLUMNS)
    assert sheet.freeze_panes == "D2"
    for row in sheet.iter_rows(min_row=2, values_only=True):
        line = dict(zip(TREND_COLUMNS, row, strict=True))
        trend = Trend.objects.get(
            indicator__code=line["indicator"], geography__isnull=True, category__isnull=True
        )
        assert line["status"] == trend.status
        assert line["n_points"] == trend.n_points
        assert line["baseline_period"] == trend.baseline_period.label
        assert Decimal(str(line["latest_value"])) == trend.latest_value
        assert line["change"] == pytest.approx(float(trend.change))
        assert line["on_track"] == trend.on_track


def test_text_that_could_run_as_a_formula_is_neutralised(reported):
    data = report_data(partnership=reported.world.partnership)
    sheet = load_workbook(io.BytesIO(build_xlsx(data)))["Definitions"]
    definitions = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil") children assessed ready' in definitions
    assert all(not str(d).startswith("=") for d in definitions if d)


# --- CSV -----------------------------------------------------------------------------


def _csv(data) -> list[dict[str, str]]:
    text = build_csv(data).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    return list(reader)


def test_csv_is_the_same_data_in_long_form(reported):
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    rows = _csv(data)
    totals = {r["period"]: Decimal(r["value"]) for r in rows
              if r["indicator"] == "k-ready" and not r["category"]}  # fmt: skip
    assert totals == _approved_totals(reported.k_ready)
    small = next(r for r in rows if r["category"] == "not-low" and r["period"] == "2023-24")
    assert small["suppressed"] == "true"
    assert small["value"] == small["numerator"] == small["denominator"] == ""
    noted = next(r for r in rows if r["note"])
    assert (noted["period"], noted["note"]) == ("2021-22", "'" + NOTE)  # neutralised
    summer = [r for r in rows if r["indicator"] == reported.summer.code]
    assert [(r["period"], r["value"]) for r in summer] == list(SUMMER.items())
    assert {r["outcome_area"] for r in summer} == {"early-grade-reading"}
    # Three series of k-ready (total and two categories) and summer-reading's total.
    assert len(rows) == len(K_READY) + 2 + 2 + len(SUMMER)


def test_csv_without_disaggregation_holds_totals_only(reported):
    rows = _csv(report_data(partnership=reported.world.partnership))
    assert all(r["category"] == "" for r in rows)
    assert len(rows) == len(K_READY) + len(SUMMER)


# --- PDF -----------------------------------------------------------------------------


def test_pdf_html_holds_every_section_without_network(reported):
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    html = render_html(data, charts={})
    for heading in ("Scorecard", "1. Kindergarten readiness", "Equity",
                    "Definitions and data notes", "Every indicator at a glance"):  # fmt: skip
        assert heading in html
    assert "http://" not in html.replace("http://evil", "")  # no remote fonts or images
    assert "counter(pages)" in html  # page numbers


def test_report_chart_is_the_dashboard_figure_without_hidden_values(reported):
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    figure = report_figure(data.indicators[0])
    keys = [trace.meta["key"] for trace in figure.data if trace.meta]
    assert {"total", "low", "not-low", "target", "baseline", "projection"} <= set(keys)
    not_low = next(t for t in figure.data if t.meta and t.meta["key"] == "not-low")
    assert list(not_low.y) == [55.0, None]  # the 8-child value is not in the figure
    # The partner's note shows on the chart, as on the dashboard.
    assert [a.hovertext for a in figure.layout.annotations] == [f"2021-22: {NOTE}"]


def test_pdf_holds_the_common_agenda_in_force(reported):
    from datetime import date

    from partnership.agenda import agenda_adopt, agenda_save

    world = reported.world
    draft = agenda_save(
        user=world.users["backbone"], partnership=world.partnership, based_on=0,
        vision="Every child in Riverside succeeds, cradle to career.",
        problem_statement="Too few children arrive at kindergarten ready.",
        goals="Ready for kindergarten\nReading by third grade",
        equity_commitment="We close gaps by race and income.",
    )  # fmt: skip
    data = report_data(partnership=world.partnership)
    assert "Our common agenda" not in render_html(data, charts={})  # only a draft yet
    agenda_adopt(user=world.users["backbone"], version=draft, adopted_on=date(2026, 9, 1))
    html = render_html(data, charts={})
    assert "Our common agenda" in html and "adopted 1 September 2026" in html
    assert "Every child in Riverside succeeds" in html and "<li>Reading by third grade</li>" in html


@pytest.fixture
def chromium():
    if not charts_available():
        need_service("the PDF's charts need Chromium (/usr/bin/chromium) for kaleido")
    if not shutil.which("pdftotext"):
        need_service("reading the PDF needs pdftotext (poppler-utils)")


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def test_pdf_shows_the_headings_and_the_trend_figures(reported, chromium, tmp_path):
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    text = _pdf_text(build_pdf(data), tmp_path)
    flat = " ".join(text.split())
    assert "Riverside Cradle to Career" in flat and "Progress report" in flat
    for heading in ("Scorecard", "1. Kindergarten readiness", "Early grade reading",
                    "Equity", "Definitions and data notes"):  # fmt: skip
        assert heading in flat
    assert "2 of 2 indicators improved since their baseline" in flat
    trend = Trend.objects.get(
        indicator=reported.k_ready, geography__isnull=True, category__isnull=True
    )
    assert f"{trend.baseline_value:.1f}%" in flat and f"{trend.latest_value:.1f}%" in flat
    assert (
        "Kindergarten readiness rose from 48.0% in 2018-19 to 57.2% in 2023-24; "
        "on track for its 2025-26 target of 60%." in flat
    )
    assert "Children in summer reading rose from 1,200 in 2019 to 1,405 in 2022." in flat
    assert "n<10" in flat  # the suppressed cell
    assert f"2021-22: {NOTE}" in flat  # the partner's note, in full under the chart
    assert "99.9" not in flat  # the unapproved value
    assert "Page 2 of" in flat


def test_pdf_pages_render_to_images(reported, chromium, tmp_path):
    """The pages as PNG files for a look (kept in the test's temporary folder)."""
    if not shutil.which("pdftoppm"):
        need_service("rendering the pages needs pdftoppm (poppler-utils)")
    data = report_data(partnership=reported.world.partnership, disaggregate=True)
    path = tmp_path / "report.pdf"
    path.write_bytes(build_pdf(data))
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5  # cover, scorecard, two areas, equity, definitions
    assert all(p.stat().st_size > 5_000 for p in pages)  # none blank
