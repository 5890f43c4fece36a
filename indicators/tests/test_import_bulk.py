"""Imports at size: all or nothing over many rows, a history row for every
change, a bounded number of queries, and text carried exactly through the bulk
writes (COPY on PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.import_tasks import preview_json
from indicators.imports import ImportRejected, RowStatus, import_commit, import_preview
from indicators.models import (
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataStatus,
    Frequency,
    IndicatorDimension,
    Period,
    TrendRequest,
)
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    IndicatorFactory,
    period,
)

HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source"
PERIODS = ("2022-23", "2023-24")


def csv_bytes(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines]).encode()


def commit(world, data: bytes, filename: str = "big.csv", **kw):
    return import_commit(
        partnership=world.partnership,
        user=world.users["steward"],
        file=data,
        filename=filename,
        **kw,
    )


def preview(world, data: bytes):
    return import_preview(
        partnership=world.partnership, user=world.users["steward"], file=data, filename="big.csv"
    )


@pytest.fixture
def grid(world):
    """k-ready disaggregated by race (3 categories), 40 districts, two periods:
    40 x 4 x 2 = 320 data points a file can name."""
    race = DimensionFactory(partnership=world.partnership, code="race", name="Race")
    for order, code in enumerate(("black", "white", "asian"), start=1):
        CategoryFactory(dimension=race, code=code, name=code.title(), order=order)
    IndicatorDimension.objects.create(indicator=world.indicator, dimension=race)
    geographies = [GeographyFactory(partnership=world.partnership) for _ in range(40)]
    for label in PERIODS:
        period(label, "school_year")
    return [
        (label, geography.code, category)
        for label in PERIODS
        for geography in geographies
        for category in ("", "black", "white", "asian")
    ]


def rows(keys, value: str = "40", note: str = "") -> list[str]:
    return [f"k-ready,{p},{g},,{c},{value},,,{note}," for p, g, c in keys]


def test_a_big_file_with_a_bad_last_row_writes_nothing(world, grid):
    before = (DataPoint.objects.count(), DataPointChange.objects.count(), Period.objects.count())
    lines = [*rows(grid), "k-ready,2031-32,,,,148.5,,,,"]
    with pytest.raises(ImportRejected) as exc:
        commit(world, csv_bytes(*lines))
    assert [issue.row for issue in exc.value.preview.issues] == [len(lines) + 1]
    assert exc.value.preview.counts == {"create": 320, "update": 0, "unchanged": 0, "error": 1}
    after = (DataPoint.objects.count(), DataPointChange.objects.count(), Period.objects.count())
    assert after == before


def test_every_created_and_updated_point_has_its_history(world, grid):
    first = commit(world, csv_bytes(*rows(grid[:200])), filename="first.csv")
    assert first.created == 200
    created = DataPointChange.objects.filter(action=ChangeAction.CREATED)
    assert created.count() == 200
    for change in created.select_related("data_point__period", "data_point__geography"):
        point = change.data_point
        assert change.indicator_id == point.indicator_id == world.indicator.pk
        assert change.period_label == point.period.label
        assert change.geography_code == point.geography.code
        assert change.category_code == (point.category.code if point.category_id else "")
        assert change.changed_by == world.users["steward"]
        assert change.changed_at == point.created_at
        assert change.old == {}
        assert change.new == {
            "value": "40",
            "numerator": None,
            "denominator": None,
            "note": "",
            "source": "",
            "status": "draft",
        }
        assert change.comment == "Imported from first.csv"
    # 100 updated, 100 unchanged, 120 created
    second = commit(world, csv_bytes(*rows(grid[:100], "41"), *rows(grid[100:])), "second.csv")
    assert (second.created, second.updated, second.unchanged) == (120, 100, 100)
    assert DataPointChange.objects.count() == 200 + 100 + 120
    updated = DataPointChange.objects.filter(action=ChangeAction.UPDATED)
    for change in updated.select_related("data_point"):
        assert change.old["value"] == "40" and change.new["value"] == "41"
        assert change.data_point.value == Decimal("41") and change.data_point.version == 2
        assert change.comment == "Imported from second.csv"
    assert {c.data_point_id for c in updated} == set(
        DataPoint.objects.filter(value=41).values_list("pk", flat=True)
    )
    assert DataPoint.objects.filter(version=1).count() == 220


def test_changed_approved_data_asks_for_one_recompute_per_indicator(world, grid):
    points = [
        DataPointFactory(indicator=world.indicator, period=period(label, "school_year"))
        for label in PERIODS
    ]
    assert {p.status for p in points} == {DataStatus.APPROVED}
    TrendRequest.objects.all().delete()
    version = world.indicator.data_version
    result = commit(world, csv_bytes(*(f"k-ready,{label},,,,55,,,," for label in PERIODS)))
    assert result.approved_changed == ["k-ready"]
    world.indicator.refresh_from_db()
    assert world.indicator.data_version == version + 1
    assert list(TrendRequest.objects.values_list("geography_id", "category_id")) == [(None, None)]


def test_an_import_over_many_approved_points_queues_one_recompute(
    world, grid, django_capture_on_commit_callbacks
):
    """A burst: every one of the 320 approved points changes in one file, and the
    trend engine is asked once, for the whole indicator, after the commit."""
    from indicators.models import Category, Geography
    from indicators.services import _enqueue_recompute

    geographies = {g.code: g for g in Geography.objects.filter(partnership=world.partnership)}
    categories = {c.code: c for c in Category.objects.filter(dimension__code="race")}
    DataPoint.objects.bulk_create(
        DataPoint(
            indicator=world.indicator,
            period=period(label, "school_year"),
            geography=geographies[geo],
            category=categories.get(cat),
            value=Decimal(40),
            status=DataStatus.APPROVED,
        )
        for label, geo, cat in grid
    )
    TrendRequest.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = commit(world, csv_bytes(*rows(grid, "42")))
    assert result.updated == 320 and result.approved_changed == ["k-ready"]
    queued = [cb for cb in callbacks if getattr(cb, "func", None) is _enqueue_recompute]
    assert [cb.args for cb in queued] == [(world.indicator.pk,)]
    # The engine is told which series changed (320 of them: each geography and
    # category), to recompute only those and their roll-ups.
    requested = set(TrendRequest.objects.values_list("geography__code", "category__code"))
    assert requested == {(geo, cat or None) for _label, geo, cat in grid}


def test_commit_queries_do_not_grow_with_the_rows(world, grid, django_assert_max_num_queries):
    commit(world, csv_bytes(*rows(grid[::2])))  # half exist, so files create and update
    with CaptureQueriesContext(connection) as queries:
        small = commit(world, csv_bytes(*rows([*grid[:2], *grid[160:162]], "42")))
    assert (small.created, small.updated) == (2, 2)
    large = rows([*grid[8:160], *grid[168:]], "43")  # both periods, like the small file
    with django_assert_max_num_queries(len(queries)):
        result = commit(world, csv_bytes(*large))
    assert (result.created, result.updated) == (152, 152)


def test_text_reaches_the_database_and_the_history_exactly(world):
    note = 'Tab\there, "quoted", back\\slash \\N, line\nbreak, é ü 中文 =1+1'
    quoted = note.replace('"', '""')
    commit(world, csv_bytes(f'k-ready,2022-23,,,,48.5,,,"{quoted}","src\\t\\\\"'))
    point = DataPoint.objects.get()
    assert point.note == note and point.source == "src\\t\\\\"
    change = DataPointChange.objects.get()
    assert change.new["note"] == note and change.new["source"] == "src\\t\\\\"


def test_the_same_label_in_two_kinds_of_period_stays_apart(world):
    """2011-12 is a school year and also December 2011."""
    IndicatorFactory(
        partnership=world.partnership,
        code="monthly",
        frequency=Frequency.MONTHLY,
        steward=world.partner_org,
    )
    result = commit(world, csv_bytes("k-ready,2011-12,,,,40,,,,", "monthly,2011-12,,,,41,,,,"))
    assert result.created == 2
    kinds = dict(DataPoint.objects.values_list("indicator__code", "period__kind"))
    assert kinds == {"k-ready": "school_year", "monthly": "month"}


def test_the_preview_page_shows_errors_first_then_rows_in_file_order(world, grid):
    lines = rows(grid[:30])
    lines[20] = "k-ready,2022-23,nowhere,,,40,,,,"
    lines[25] = "k-ready,2022-23,,,,400,,,,"
    result = preview(world, csv_bytes(*lines))
    first = result.first_rows(5)
    assert [(row.number, row.status) for row in first] == [
        (22, RowStatus.ERROR),
        (27, RowStatus.ERROR),
        (2, RowStatus.CREATE),
        (3, RowStatus.CREATE),
        (4, RowStatus.CREATE),
    ]
    assert first[0].geography == "nowhere" and first[0].new is None
    assert first[2].new is not None and first[2].new["value"] == "40"
    shown = preview_json(result)
    assert shown["total"] == 30 and shown["counts"]["error"] == 2
    assert [row["number"] for row in shown["rows"][:3]] == [22, 27, 2]
    assert [issue[0] for issue in shown["issues"]] == [22, 27]
