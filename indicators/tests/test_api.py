"""The REST API's data endpoints: data points (reading, entry, workflow,
conflicts), trends and the scorecard; small-cell suppression; filters; query
counts; golden shapes."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from indicators import trend_engine
from indicators.models import DataPoint, DataStatus, Trend
from partnership.tests.api_helpers import EVERYONE, MEMBERS, REFUSED, expected_write, results
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    period,
)

BASE = "/api/v1/partnerships/riverside"
GOLDEN = Path(__file__).parent / "golden"
YEARS = ("2019-20", "2020-21", "2021-22", "2022-23")


@pytest.fixture
def measured(world):
    """k-ready: four approved school years partnership-wide (the last on 8 of 40
    children: a small cell under the default minimum of 10), one year for
    a district and a school in it, and a steward's draft."""
    world.indicator.name = "Children ready for kindergarten"
    world.indicator.baseline_period = period("2019-20", "school_year")
    world.indicator.target_value, world.indicator.target_period = (
        75,
        period("2029-30", "school_year"),
    )
    world.indicator.save()
    region = GeographyFactory(partnership=world.partnership, code="R", kind="region")
    district = GeographyFactory(partnership=world.partnership, code="D1", parent=region)
    school = GeographyFactory(partnership=world.partnership, code="S.01", parent=district,
                              kind="school")  # fmt: skip
    kind = world.indicator.period_kind
    for label, value, (num, den) in zip(
        YEARS, ("40", "45", "50", "25"), ((16, 40), (18, 40), (20, 40), (2, 8)), strict=True
    ):
        DataPointFactory(indicator=world.indicator, period=period(label, kind), value=value,
                         numerator=num, denominator=den)  # fmt: skip
    for geography in (district, school):
        DataPointFactory(indicator=world.indicator, period=period("2021-22", kind),
                         geography=geography, value="50")  # fmt: skip
    draft = DataPointFactory(indicator=world.indicator, period=period("2023-24", kind),
                             value="55", status=DataStatus.DRAFT)  # fmt: skip
    trend_engine.recompute_indicator(world.indicator.pk)
    return draft


# --- who reads what -------------------------------------------------------------


@pytest.mark.parametrize("resource", ["datapoints", "trends", "scorecard"])
@pytest.mark.parametrize("role", EVERYONE)
def test_reads_for_members_only(api, measured, role, resource):
    response = api(role).get(f"{BASE}/{resource}/")
    assert response.status_code == (200 if role in MEMBERS else REFUSED[role])


@pytest.mark.parametrize("role", EVERYONE)
def test_drafts_visible_to_backbone_and_the_indicators_steward(api, measured, role):
    response = api(role).get(f"{BASE}/datapoints/{measured.pk}/")
    expected = {"superuser": 200, "backbone": 200, "steward": 200}.get(role, REFUSED.get(role, 404))
    assert response.status_code == expected


@pytest.mark.parametrize("role", MEMBERS)
def test_another_partnerships_data_point_is_not_found(api, world, role):
    foreign = DataPointFactory(indicator=world.foreign_indicator)
    assert api(role).get(f"{BASE}/datapoints/{foreign.pk}/").status_code == 404


# --- small cells ------------------------------------------------------------------


@pytest.mark.parametrize("role,hidden", [("backbone", False), ("superuser", False),
                                         ("viewer", True), ("steward", True),
                                         ("funder", True)])  # fmt: skip
def test_small_cells_suppressed_for_everyone_but_backbone(api, measured, role, hidden):
    client = api(role)
    points = results(client.get(f"{BASE}/datapoints/", {"period_from": "2022-23",
                                                        "status": "approved"}))  # fmt: skip
    assert len(points) == 1
    assert points[0]["suppressed"] is hidden
    assert points[0]["value"] == (None if hidden else "25")
    assert points[0]["denominator"] == (None if hidden else "8")
    trends = results(client.get(f"{BASE}/trends/", {"indicator": "k-ready"}))
    headline = next(t for t in trends if t["geography"] is None and t["category"] is None)
    assert headline["suppressed"] is hidden
    assert headline["latest_value"] == (None if hidden else "25")


# --- filters and ordering -----------------------------------------------------------


@pytest.mark.parametrize("query,count", [
    ({}, 7),
    ({"geography": "R"}, 2),  # the region's descendants
    ({"geography": "D1"}, 2),
    ({"geography": "S.01"}, 1),
    ({"geography": "nowhere"}, 0),
    ({"period_from": "2020-21", "period_to": "2021-22"}, 4),
    ({"status": "draft"}, 1),
    ({"indicator": "summer-reading"}, 0),
    ({"outcome_area": "kindergarten-readiness"}, 7),
    ({"updated_since": "2000-01-01T00:00:00Z"}, 7),
    # Offsets PostgreSQL cannot take (over 16 hours) are converted, not passed on.
    ({"updated_since": "2000-01-01T00:00:00+20:12"}, 7),
    ({"updated_since": "3000-01-01T00:00:00-20:00"}, 0),
])  # fmt: skip
def test_datapoint_filters(api, measured, query, count):
    assert len(results(api("backbone").get(f"{BASE}/datapoints/", query))) == count


def test_filters_refuse_bad_input_and_undocumented_ordering(api, measured):
    client = api("backbone")
    assert client.get(f"{BASE}/datapoints/", {"period_from": "last year"}).status_code == 400
    assert client.get(f"{BASE}/datapoints/", {"status": "lost"}).status_code == 400
    far = {"updated_since": "9999-12-31T23:59:59-20:00"}
    assert client.get(f"{BASE}/datapoints/", far).status_code == 400
    ordered = results(client.get(f"{BASE}/datapoints/", {"ordering": "-id"}))
    assert ordered[0]["period"] == "2023-24"  # the draft, entered last
    ignored = results(client.get(f"{BASE}/datapoints/", {"ordering": "note"}))
    assert ignored[0]["period"] == "2019-20"


def test_trend_filters(api, measured):
    client = api("viewer")
    assert {t["geography"] for t in results(client.get(f"{BASE}/trends/",
                                                       {"geography": "D1"}))} == {"D1"}  # fmt: skip
    assert results(client.get(f"{BASE}/trends/", {"indicator": "summer-reading"})) == []
    assert client.get(f"{BASE}/trends/", {"status": "lost"}).status_code == 400


def test_page_size_is_capped(api, measured):
    body = api("backbone").get(f"{BASE}/trends/", {"page_size": 10_000}).json()
    assert body["count"] == len(body["results"]) > 0
    from partnership.api_http import KeysetPagination, Pagination

    assert KeysetPagination.max_page_size == Pagination.max_page_size == 500


def test_datapoints_page_by_cursor_through_every_point_once(api, measured):
    client, seen = api("backbone"), []
    url, query = f"{BASE}/datapoints/", {"page_size": 3}
    while url:
        body = client.get(url, query).json()
        assert "count" not in body  # keyset pages: no count of a million rows
        seen += [point["id"] for point in body["results"]]
        url, query = body["next"], None
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7


LISTS = ("datapoints", "datapoints/?page_size=500", "trends", "indicators", "geographies",
         "dimensions", "scorecard")  # fmt: skip


@pytest.mark.parametrize("resource", LISTS)
def test_list_queries_do_not_grow_with_items(api, world, resource, django_assert_max_num_queries):
    dimension = DimensionFactory(partnership=world.partnership)
    world.indicator.dimensions.add(dimension)
    client = api("viewer")
    total = DataPointFactory(indicator=world.indicator, numerator=1, denominator=2, value="50")

    def add(n: int) -> None:
        for _ in range(n):
            geography = GeographyFactory(partnership=world.partnership)
            category = CategoryFactory(dimension=dimension)
            for where in (geography, None):  # partnership-wide categories: an equity gap
                DataPointFactory(
                    indicator=world.indicator, geography=where, category=category,
                    period=total.period, numerator=1, denominator=2, value="50",
                )  # fmt: skip
        trend_engine.recompute_indicator(world.indicator.pk, force=True)

    add(5)
    assert Trend.objects.filter(equity_gap__isnull=False).exists()
    url = f"{BASE}/{resource}" if "?" in resource else f"{BASE}/{resource}/"
    with django_assert_max_num_queries(12) as five:
        assert client.get(url).status_code == 200
    add(45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get(url).status_code == 200


# --- entry and workflow ---------------------------------------------------------------


def _point(**extra) -> dict:
    return {"indicator": "k-ready", "period": "2024-25", "value": "52.5", "numerator": "21",
            "denominator": "40", "source": "District SIS", **extra}  # fmt: skip


@pytest.mark.parametrize("role", EVERYONE)
def test_data_entered_by_the_steward_and_backbone(api, world, role):
    response = api(role).post(f"{BASE}/datapoints/", _point(), format="json")
    expected = {"steward": 201}.get(role, expected_write(role, 201))
    assert response.status_code == expected, response.content


def test_entry_errors_are_400_by_field(api, world):
    client = api("steward")
    bad = client.post(f"{BASE}/datapoints/", _point(value="75", period="2024"), format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"period"}
    mismatch = client.post(f"{BASE}/datapoints/", _point(value="75"), format="json")
    assert mismatch.status_code == 400 and "value" in mismatch.json()
    foreign = client.post(f"{BASE}/datapoints/", _point(indicator="g3-reading"), format="json")
    assert foreign.status_code == 400 and "indicator" in foreign.json()


def test_submit_approve_and_return_with_versions(api, world):
    steward, backbone = api("steward"), api("backbone")
    point = steward.post(f"{BASE}/datapoints/", _point(), format="json").json()
    url = f"{BASE}/datapoints/{point['id']}"
    submitted = steward.post(f"{url}/submit/", {"version": 1}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert steward.post(f"{url}/approve/", {"version": 2}, format="json").status_code == 403
    assert api("viewer").post(f"{url}/approve/", {"version": 2}).status_code == 404
    no_comment = backbone.post(f"{url}/return/", {"version": 2}, format="json")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()
    returned = backbone.post(f"{url}/return/", {"version": 2, "comment": "Check n"},
                             format="json")  # fmt: skip
    assert returned.json()["status"] == "returned"
    steward.post(f"{url}/submit/", {"version": 3}, format="json")
    approved = backbone.post(f"{url}/approve/", {"version": 4}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_stale_version_is_a_409_with_the_current_value(api, measured):
    client = api("steward")
    url = f"{BASE}/datapoints/{measured.pk}/"
    assert client.patch(url, {"version": 1, "value": "56"}, format="json").status_code == 200
    conflict = client.patch(url, {"version": 1, "value": "57"}, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["current"]["value"] == "56"
    assert conflict.json()["current"]["version"] == 2
    assert client.patch(url, {"value": "57"}, format="json").status_code == 400  # no version


@pytest.mark.parametrize("role", EVERYONE)
def test_patch_by_role(api, measured, role):
    response = api(role).patch(f"{BASE}/datapoints/{measured.pk}/",
                               {"version": 1, "note": role}, format="json")  # fmt: skip
    expected = {"steward": 200, "superuser": 200, "backbone": 200}.get(
        role,
        REFUSED.get(role, 404),  # others cannot even see the draft
    )
    assert response.status_code == expected


# --- shapes -------------------------------------------------------------------------------

VOLATILE = {"id", "updated_at", "computed_at"}


def _stable(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in VOLATILE}


def test_golden_shapes(api, measured):
    client = api("backbone")
    shapes = {
        "indicator": client.get(f"{BASE}/indicators/k-ready/").json(),
        "datapoint": results(client.get(f"{BASE}/datapoints/", {"geography": "S.01"}))[0],
        "trend": results(client.get(f"{BASE}/trends/", {"geography": "D1"}))[0],
    }
    actual = {name: _stable(shape) for name, shape in shapes.items()}
    golden = GOLDEN / "api_shapes.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":  # regenerate on purpose, then review the diff
        golden.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    assert golden.exists(), f"{golden} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == json.loads(golden.read_text())


def test_scorecard_counts(api, measured):
    body = api("funder").get(f"{BASE}/scorecard/").json()
    assert body["total"] == 2 and body["worsening"] == 1
    assert body["outcome_areas"][0]["slug"] == "kindergarten-readiness"
    assert Decimal(DataPoint.objects.filter(status="approved").count()) == 6


# --- deleting ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
def test_delete_a_draft_by_role(api, measured, role):
    response = api(role).delete(f"{BASE}/datapoints/{measured.pk}/?version=1&comment=typo")
    # Drafts: the indicator's steward and backbone; others cannot even see them.
    expected = {"steward": 204, "superuser": 204, "backbone": 204}.get(role, REFUSED.get(role, 404))
    assert response.status_code == expected, response.content
    assert DataPoint.objects.filter(pk=measured.pk).exists() == (expected != 204)


@pytest.mark.parametrize("role", EVERYONE)
def test_delete_approved_data_by_backbone_only(api, measured, role):
    point = DataPoint.objects.filter(status=DataStatus.APPROVED).first()
    response = api(role).delete(f"{BASE}/datapoints/{point.pk}/?version=1")
    expected = {"superuser": 204, "backbone": 204, "outsider": 404, "anonymous": 401}
    assert response.status_code == expected.get(role, 403), response.content


def test_delete_keeps_history_and_refuses_a_stale_version(api, measured):
    client = api("steward")
    url = f"{BASE}/datapoints/{measured.pk}/"
    assert client.delete(url).status_code == 400  # no version
    client.patch(url, {"version": 1, "value": "56"}, format="json")
    stale = client.delete(f"{url}?version=1")
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2 and stale.json()["current"]["value"] == "56"
    assert client.delete(f"{url}?version=2&comment=entered twice").status_code == 204
    assert client.get(url).status_code == 404
    change = measured.indicator.changes.filter(action="deleted").get()
    assert change.comment == "entered twice" and change.old["value"] == "56"


def test_deleting_another_partnerships_point_is_not_found(api, world):
    foreign = DataPointFactory(indicator=world.foreign_indicator, status=DataStatus.DRAFT)
    for role in ("backbone", "steward"):
        assert api(role).delete(f"{BASE}/datapoints/{foreign.pk}/?version=1").status_code == 404
    assert DataPoint.objects.filter(pk=foreign.pk).exists()


# --- equity gaps of small groups -----------------------------------------------------------


@pytest.fixture
def gap(world):
    """k-ready by income in two school years: 'low' is a group of 8 (a small cell),
    'not-low' of 40; the total of 48."""
    dimension = DimensionFactory(partnership=world.partnership, code="income")
    low = CategoryFactory(dimension=dimension, code="low")
    high = CategoryFactory(dimension=dimension, code="not-low")
    world.indicator.dimensions.add(dimension)
    kind = world.indicator.period_kind
    for label, (a, b) in zip(YEARS[:2], ((2, 20), (3, 24)), strict=True):
        p = period(label, kind)
        DataPointFactory(indicator=world.indicator, period=p, category=low,
                         numerator=a, denominator=8, value=Decimal(a * 100) / 8)  # fmt: skip
        DataPointFactory(indicator=world.indicator, period=p, category=high,
                         numerator=b, denominator=40, value=Decimal(b * 100) / 40)  # fmt: skip
        DataPointFactory(indicator=world.indicator, period=p, numerator=a + b,
                         denominator=48, value=Decimal((a + b) * 100) / 48)  # fmt: skip
    trend_engine.recompute_indicator(world.indicator.pk)


@pytest.mark.parametrize("role,hidden", [("backbone", False), ("superuser", False),
                                         ("viewer", True), ("steward", True),
                                         ("other_steward", True), ("funder", True)])  # fmt: skip
def test_equity_gap_of_a_small_group_is_suppressed(api, gap, role, hidden):
    trends = results(api(role).get(f"{BASE}/trends/", {"indicator": "k-ready"}))
    total = next(t for t in trends if t["geography"] is None and t["category"] is None)
    assert total["latest_value"] is not None  # the total (48) is not small
    assert total["suppressed"] is hidden
    if hidden:
        assert total["equity_gap"] is None and total["gap_trend"] is None
    else:
        assert total["equity_gap"] == pytest.approx(60 - 37.5)
        assert total["gap_trend"] == "narrowed"  # from 50 - 25
    low = next(t for t in trends if t["category"] == "low")
    assert (low["latest_value"] is None) is hidden


def test_no_value_reaches_a_viewer_from_a_small_cell(api, gap):
    """Every number in every read a viewer makes either stands on a group of at least
    the minimum size or is null."""
    client = api("viewer")
    for point in results(client.get(f"{BASE}/datapoints/", {"page_size": 500})):
        small = point["suppressed"]
        assert not small or point["value"] is point["denominator"] is point["numerator"] is None
        if point["denominator"] is not None:
            assert Decimal(point["denominator"]) >= 10
    scorecard = client.get(f"{BASE}/scorecard/").json()
    numbers = {k for k, v in scorecard.items() if not isinstance(v, list)}
    assert numbers == {"total", "improving", "worsening", "no_change", "insufficient_data"}
