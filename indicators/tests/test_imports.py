"""Importing data points from CSV and XLSX: reading, resolving, checking, the
preview, the all-or-nothing commit, and the files that help people import."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from indicators.imports import (
    ImportRejected,
    ImportStaleError,
    RowStatus,
    error_report_csv,
    import_commit,
    import_preview,
    import_template_csv,
    readers,
)
from indicators.models import (
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataStatus,
    Frequency,
    Indicator,
    IndicatorDimension,
    Period,
    Unit,
)
from indicators.services import datapoint_update
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    IndicatorFactory,
    period,
)

HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source"


@pytest.fixture
def cat(world):
    """Two districts, race and income (both with an 'other' category); k-ready is
    disaggregated by both."""
    p = world.partnership
    north = GeographyFactory(partnership=p, code="D1", name="North District")
    GeographyFactory(partnership=p, code="D2", name="South District")
    race = DimensionFactory(partnership=p, code="race", name="Race/ethnicity")
    income = DimensionFactory(partnership=p, code="income", name="Income")
    black = CategoryFactory(dimension=race, code="black", name="Black", order=1)
    CategoryFactory(dimension=race, code="other", name="Another race", order=9)
    low = CategoryFactory(dimension=income, code="low-income", name="Low income", order=1)
    CategoryFactory(dimension=income, code="other", name="Other income", order=9)
    for dimension in (race, income):
        IndicatorDimension.objects.create(indicator=world.indicator, dimension=dimension)
    return {"north": north, "black": black, "low": low, "race": race}


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *lines]).encode(encoding)


def preview(world, data: bytes, user: str = "steward", filename: str = "data.csv", **kw):
    return import_preview(
        partnership=world.partnership, user=world.users[user], file=data, filename=filename, **kw
    )


def commit(world, data: bytes, user: str = "steward", filename: str = "data.csv", **kw):
    return import_commit(
        partnership=world.partnership, user=world.users[user], file=data, filename=filename, **kw
    )


def only_issue(result):
    assert len(result.issues) == 1, result.issues
    return result.issues[0]


# --- reading files ------------------------------------------------------------


def test_utf8_with_bom_is_read(world):
    data = "\ufeffindicator,period,value,note\nk-ready,2022-23,48.5,Café\n".encode()
    result = preview(world, data)
    assert result.ok and result.counts["create"] == 1
    assert result.rows[0].new["note"] == "Café"


def test_windows_1252_file_is_read_and_committed(world):
    data = csv_bytes("k-ready,2022-23,,,,48.5,,,Résumé – fall,", encoding="cp1252")
    commit(world, data)
    assert DataPoint.objects.get().note == "Résumé – fall"


def test_an_explicit_encoding_wins(world):
    data = csv_bytes("k-ready,2022-23,,,,48.5,,,Über,", encoding="utf-16")
    assert preview(world, data, encoding="utf-16").rows[0].new["note"] == "Über"
    wrong = preview(world, csv_bytes("k-ready,2022-23,,,,1,,,Über,"), encoding="ascii")
    assert "not valid ascii" in only_issue(wrong).message


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files_are_sniffed(world, delimiter):
    data = csv_bytes(
        delimiter.join(["k-ready", "2022-23", "48.5", "97", "200"]),
        header=delimiter.join(["indicator", "period", "value", "numerator", "denominator"]),
    )
    result = preview(world, data)
    assert result.ok and result.counts["create"] == 1


def test_semicolon_file_refuses_a_decimal_comma(world):
    data = csv_bytes("k-ready;2022-23;48,5", header="indicator;period;value")
    issue = only_issue(preview(world, data))
    assert (issue.row, issue.column, issue.value) == (2, "value", "48,5")
    assert "decimal point" in issue.message


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_numbers_are_read_as_written(world):
    count = IndicatorFactory(
        partnership=world.partnership, code="enrolled", unit=Unit.RATE, steward=world.partner_org
    )
    data = _xlsx(
        [
            ["Indicator", "Period", "Value", "Numerator", "Denominator"],
            ["k-ready", "2022-23", 48.5, 97, 200],
            [count.code, "2022-23", 0.1, None, None],
            [None, None, None, None, None],  # a blank row is skipped
            [count.code, "2021-22", 1234567.891, None, None],
        ]
    )
    commit(world, data, filename="data.xlsx")
    values = {p.period.label: p.value for p in DataPoint.objects.filter(indicator=count)}
    assert values == {"2022-23": Decimal("0.1"), "2021-22": Decimal("1234567.891")}


def test_xlsx_month_turned_into_a_date_reads_as_the_month(world):
    monthly = IndicatorFactory(
        partnership=world.partnership,
        code="attendance",
        frequency=Frequency.MONTHLY,
        steward=world.partner_org,
    )
    data = _xlsx([["indicator", "period", "value"], [monthly.code, datetime(2023, 9, 1), 91]])
    result = preview(world, data, filename="monthly.xlsx")
    assert result.ok and result.rows[0].period == "2023-09"


def test_a_broken_workbook_is_a_file_error(world):
    result = preview(world, b"PK\x03\x04 not really a zip", filename="data.xlsx")
    assert "could not be read as an Excel workbook" in only_issue(result).message


@pytest.mark.parametrize(
    "header",
    [
        " Indicator ,PERIOD,Geography Code,value,NUMERATOR,denominator",
        "indicator_code,Period,geography  name,Value ,numerator,Denominator",
    ],
)
def test_header_names_ignore_case_spaces_and_underscores(world, cat, header):
    data = csv_bytes("k-ready,2022-23,D1,48.5,97,200", header=header)
    result = preview(world, data)
    assert result.ok, result.issues
    assert result.rows[0].geography == "D1"


def test_unknown_and_missing_columns_are_named(world):
    result = preview(world, csv_bytes("k-ready,2022-23,1", header="indicator,periode,valu"))
    by_column = {issue.column: issue for issue in result.file_issues}
    assert set(by_column) == {"periode", "valu", "period", "value"}
    assert "Unknown column 'periode'" in by_column["periode"].message
    assert "indicator, period, geography, dimension, category, value" in by_column["valu"].message
    assert "required column 'value' is missing" in by_column["value"].message
    assert by_column["value"].row == 1
    assert result.rows == [] and not result.ok


def test_a_value_under_no_header_is_refused(world):
    result = preview(world, csv_bytes("k-ready,2022-23,1,oops", header="indicator,period,value,"))
    issue = only_issue(result)
    assert (issue.row, issue.column, issue.value) == (2, "column 4", "oops")


def test_limits_on_rows_and_bytes(world, monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 2)
    data = csv_bytes(
        *[f"k-ready,{y}-{(y + 1) % 100:02d},50" for y in (2019, 2020, 2021)],
        header="indicator,period,value",
    )
    assert "more than 2 rows" in only_issue(preview(world, data)).message
    monkeypatch.setattr(readers, "MAX_BYTES", 10)
    assert "larger than" in only_issue(preview(world, data)).message


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "data.csv", "The file is empty"),
        (b"indicator,period,value", "data.xls", "old Excel format"),
        (b"indicator,period,value", "data.pdf", "neither a CSV file nor an Excel workbook"),
    ],
)
def test_files_that_cannot_be_read(world, data, filename, message):
    assert message in only_issue(preview(world, data, filename=filename)).message


# --- resolving and checking rows ---------------------------------------------------


def test_codes_or_exact_names_case_insensitive(world, cat):
    name = f"  {world.indicator.name.upper()} "
    data = csv_bytes(f'"{name}",2022-23,north district,,BLACK,48.5,97,200,,')
    row = preview(world, data).rows[0]
    assert (row.status, row.indicator, row.geography, row.category) == (
        RowStatus.CREATE,
        "k-ready",
        "D1",
        "black",
    )


def test_blank_geography_and_category_are_the_partnership_wide_total(world, cat):
    commit(world, csv_bytes("k-ready,2022-23,,,,48.5,97,200,,"))
    point = DataPoint.objects.get()
    assert point.geography is None and point.category is None


def test_a_category_in_two_dimensions_needs_its_dimension(world, cat):
    result = preview(
        world,
        csv_bytes(
            "k-ready,2022-23,,,other,40,,,,",
            "k-ready,2022-23,,income,other,41,,,,",
            "k-ready,2022-23,,Race/ethnicity,low-income,42,,,,",
            "k-ready,2022-23,,race,,43,,,,",
        ),
    )
    statuses = [row.status for row in result.rows]
    assert statuses == [RowStatus.ERROR, RowStatus.CREATE, RowStatus.ERROR, RowStatus.ERROR]
    issues = {issue.row: issue for issue in result.issues}
    assert issues[2].column == "category"
    assert "Income and Race/ethnicity; say which in the dimension column" in issues[2].message
    assert "Race/ethnicity has no category 'low-income'" in issues[4].message
    assert issues[5].column == "dimension"


def test_a_category_of_a_dimension_the_indicator_does_not_use(world, cat):
    issue = only_issue(
        preview(world, csv_bytes("summer-reading,2022-23,,,black,40,,,,"), "backbone")
    )
    assert issue.column == "category"
    assert "summer-reading is not disaggregated by Race/ethnicity" in issue.message


def test_unknown_indicator_geography_and_category(world, cat):
    result = preview(world, csv_bytes("nope,2022-23,,,,1,,,,", "k-ready,2022-23,D9,,purple,1,,,,"))
    issues = [(i.row, i.column, i.value) for i in result.issues]
    assert issues == [(2, "indicator", "nope"), (3, "geography", "D9"), (3, "category", "purple")]
    assert "use an indicator code (k-ready, summer-reading)" in result.issues[0].message


def test_period_must_be_of_the_indicators_frequency(world):
    issue = only_issue(preview(world, csv_bytes("k-ready,2022,,,,48.5,,,,")))
    assert (issue.row, issue.column, issue.value) == (2, "period", "2022")
    assert "write it like '2021-22'" in issue.message


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("120,,", "value", "from 0 to 100"),
        ("60,97,200", "value", "does not match 97 / 200"),
        ("50,10,", "denominator", "both"),
        ("abc,,", "value", "not a number"),
    ],
)
def test_values_are_checked_by_the_services_rules(world, cells, column, message):
    issue = only_issue(preview(world, csv_bytes(f"k-ready,2022-23,,,,{cells},,")))
    assert (issue.row, issue.column) == (2, column)
    assert message in issue.message


def test_duplicate_rows_name_both_rows(world, cat):
    result = preview(
        world,
        csv_bytes(
            "k-ready,2022-23,D1,,,40,,,,", "k-ready,2022-24,,,,1,,,,", "k-ready,2022-23,d1,,,41,,,,"
        ),
    )
    duplicates = [i for i in result.issues if "same data point" in i.message]
    assert [i.row for i in duplicates] == [2, 4]
    assert all("Rows 2 and 4" in i.message for i in duplicates)


def test_a_steward_is_refused_per_row_for_another_organizations_indicator(world):
    result = preview(
        world, csv_bytes("k-ready,2022-23,,,,48.5,,,,", "summer-reading,2022-23,,,,50,,,,")
    )
    assert [row.status for row in result.rows] == [RowStatus.CREATE, RowStatus.ERROR]
    issue = only_issue(result)
    assert issue.column == "indicator"
    assert "You may not enter data for summer-reading: it is stewarded by Riverside YMCA" in (
        issue.message
    )


@pytest.mark.parametrize("user", ["viewer", "funder", "outsider"])
def test_members_without_the_import_right_are_refused_entirely(world, user):
    data = csv_bytes("k-ready,2022-23,,,,48.5,,,,")
    with pytest.raises(PermissionDenied):
        preview(world, data, user)
    with pytest.raises(PermissionDenied):
        commit(world, data, user)
    assert not DataPoint.objects.exists()


# --- preview and commit ----------------------------------------------------------


def _counts():
    return DataPoint.objects.count(), DataPointChange.objects.count(), Period.objects.count()


def test_preview_writes_nothing(world):
    before = _counts()
    result = preview(world, csv_bytes("k-ready,2030-31,,,,48.5,,,,"))
    assert result.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 0}
    assert _counts() == before


def test_commit_with_one_bad_row_writes_nothing(world):
    before = _counts()
    data = csv_bytes("k-ready,2030-31,,,,48.5,,,,", "k-ready,2031-32,,,,148.5,,,,")
    with pytest.raises(ImportRejected) as exc:
        commit(world, data)
    assert "Nothing was imported" in str(exc.value)
    assert [i.row for i in exc.value.preview.issues] == [3]
    assert _counts() == before


def test_commit_creates_drafts_with_history(world, cat):
    result = commit(
        world,
        csv_bytes("k-ready,2022-23,D1,,,48.5,97,200,Fall,State", "k-ready,2022-23,,,black,40,,,,"),
        filename="fall.csv",
        comment="fall data",
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    points = DataPoint.objects.order_by("value")
    assert {p.status for p in points} == {DataStatus.DRAFT}
    assert {p.created_by for p in points} == {world.users["steward"]}
    point = points.get(geography=cat["north"])
    change = DataPointChange.objects.get(data_point=point)
    assert change.action == ChangeAction.CREATED
    assert change.changed_by == world.users["steward"]
    assert change.comment == "Imported from fall.csv: fall data"
    assert (change.period_label, change.geography_code) == ("2022-23", "D1")
    assert change.new["value"] == "48.5" and change.new["note"] == "Fall"
    assert DataPointChange.objects.count() == 2


def test_updating_approved_values_sends_them_to_draft_and_records_old_and_new(world, cat):
    sy = period("2022-23", "school_year")
    point = DataPointFactory(indicator=world.indicator, period=sy, value=Decimal("50"))
    noted = DataPointFactory(indicator=world.indicator, period=sy, geography=cat["north"])
    data_version = world.indicator.data_version
    result = commit(
        world,
        csv_bytes("k-ready,2022-23,,,,52,,,,", "k-ready,2022-23,D1,,,50,,,only the note,"),
    )
    assert (result.updated, result.approved_changed) == (2, ["k-ready"])
    point.refresh_from_db()
    noted.refresh_from_db()
    assert (point.value, point.status, point.version) == (52, DataStatus.DRAFT, 2)
    assert (noted.status, noted.note, noted.version) == (DataStatus.APPROVED, "only the note", 2)
    change = DataPointChange.objects.get(data_point=point)
    assert change.action == ChangeAction.UPDATED
    assert change.old["value"] == "50" and change.old["status"] == "approved"
    assert change.new["value"] == "52" and change.new["status"] == "draft"
    assert Indicator.objects.get(pk=world.indicator.pk).data_version == data_version + 1


def test_columns_left_out_keep_the_existing_values(world):
    sy = period("2022-23", "school_year")
    point = DataPointFactory(
        indicator=world.indicator, period=sy, value=Decimal("50"), numerator=10, denominator=20
    )
    point.note = "kept"
    point.save()
    result = preview(world, csv_bytes("k-ready,2022-23,60", header="indicator,period,value"))
    issue = only_issue(result)  # 60 does not match the numerator and denominator it keeps
    assert issue.column == "value" and "does not match 10 / 20" in issue.message
    commit(world, csv_bytes("k-ready,2022-23,50.2", header="indicator,period,value"))
    point.refresh_from_db()
    assert (point.value, point.numerator, point.note) == (Decimal("50.2"), 10, "kept")


def test_reimporting_the_same_file_changes_nothing(world, cat):
    data = csv_bytes(
        "k-ready,2022-23,D1,,,48.5,97,200,Fall,State", "k-ready,2022-23,,,black,40,,,,"
    )
    commit(world, data)
    before = list(DataPoint.objects.values_list("pk", "version", "updated_at"))
    history = DataPointChange.objects.count()
    result = commit(world, data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert DataPointChange.objects.count() == history
    assert list(DataPoint.objects.values_list("pk", "version", "updated_at")) == before


def test_a_commit_based_on_an_outdated_preview_is_refused(world):
    sy = period("2022-23", "school_year")
    point = DataPointFactory(indicator=world.indicator, period=sy, status=DataStatus.DRAFT)
    data = csv_bytes("k-ready,2022-23,,,,52,,,,")
    basis = preview(world, data).basis
    datapoint_update(point=point, expected_version=1, user=world.users["backbone"], value="51")
    with pytest.raises(ImportStaleError):
        commit(world, data, expected_basis=basis)
    point.refresh_from_db()
    assert point.value == 51


def _rows(geographies, n: int) -> bytes:
    lines = []
    for k in range(n):
        year = 2000 + k // 20
        category = ["", "black", "low-income"][k % 3]
        geography = geographies[k % 20].code
        lines.append(f"k-ready,{year}-{(year + 1) % 100:02d},{geography},,{category},40,,,,")
    return csv_bytes(*lines)


def test_preview_queries_do_not_grow_with_the_rows(world, cat, django_assert_max_num_queries):
    geographies = [GeographyFactory(partnership=world.partnership) for _ in range(20)]
    DataPointFactory(indicator=world.indicator, period=period("2000-01", "school_year"))
    with CaptureQueriesContext(connection) as queries:
        assert preview(world, _rows(geographies, 10)).ok
    with django_assert_max_num_queries(len(queries)):
        result = preview(world, _rows(geographies, 200))
    assert result.counts["create"] == 200


# --- template and error report ------------------------------------------------------


def test_the_template_imports_cleanly(world, cat):
    world.indicator.data_source = "=HYPERLINK(evil)"
    world.indicator.save()
    template = import_template_csv(world.indicator)
    lines = template.splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 4  # partnership-wide, a geography, a category
    assert ",'=HYPERLINK(evil)" in lines[1]
    world.indicator.data_source = ""
    result = preview(world, template.replace("'=HYPERLINK(evil)", "").encode(), "backbone")
    assert result.ok and result.counts["create"] == 3


def test_error_report_lists_row_column_value_and_message_without_formulas(world):
    result = preview(
        world, csv_bytes('"=HYPERLINK(""http://x"")",2022-23,,,,1,,,,', "k-ready,1,,,,-5,,,,")
    )
    report = list(csv.reader(io.StringIO(error_report_csv(result))))
    assert report[0] == ["row", "column", "value", "message"]
    assert report[1][:3] == ["2", "indicator", '\'=HYPERLINK("http://x")']
    assert report[1][3].startswith("There is no indicator '=HYPERLINK")  # inside the message
    assert [line[:3] for line in report[2:]] == [["3", "period", "1"], ["3", "value", "'-5"]]


# --- a property: any numbers either import or say where they are wrong ---------------

numbers = st.one_of(
    st.just(""),
    st.integers(-5, 300).map(str),
    st.decimals(-10, 1000, places=2, allow_nan=False).map(str),
    st.sampled_from(["abc", "1,5", "nan", "1e3", " 7 "]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=numbers, numerator=numbers, denominator=numbers)
def test_any_numbers_import_or_name_the_row_and_column(world, value, numerator, denominator):
    data = csv_bytes(f'k-ready,2022-23,,,,"{value}","{numerator}","{denominator}",,')
    with transaction.atomic():
        result = preview(world, data)
        row = result.rows[0]
        if row.status == RowStatus.ERROR:
            assert row.issues
            for issue in row.issues:
                assert issue.row == 2
                assert issue.column in {"value", "numerator", "denominator"}
        else:
            commit(world, data)  # what the preview accepts, the database accepts
            assert DataPoint.objects.get().value == Decimal(value.strip().replace(",", ""))
            assert commit(world, data).unchanged == 1
        transaction.set_rollback(True)


def test_the_sample_in_the_docs_imports(world, cat):
    text = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text()
    sample = text.split("```csv\n", 1)[1].split("```", 1)[0]
    result = preview(world, sample.encode())
    assert result.ok and result.counts["create"] == 4, result.issues


def test_rows_in_a_locked_period_are_refused_and_nothing_is_written(world):
    from indicators.locks import period_lock, period_unlock

    locked = period("2021-22")
    period_lock(
        partnership=world.partnership,
        period=locked,
        user=world.users["backbone"],
        reason="Report card 2022 published",
    )
    before = _counts()
    data = csv_bytes("k-ready,2021-22,,,,48.5,,,,", "k-ready,2022-23,,,,50,,,,")
    issue = only_issue(preview(world, data))
    assert (issue.row, issue.column) == (2, "period")
    assert "locked" in issue.message and "unlock" in issue.message
    with pytest.raises(ImportRejected):
        commit(world, data)
    assert _counts() == before
    period_unlock(
        partnership=world.partnership,
        period=locked,
        user=world.users["backbone"],
        reason="Correction to 2021-22",
    )
    assert commit(world, data).created == 2
