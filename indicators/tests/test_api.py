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
from indicators.models import DataPoint, DataStatus
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
])  # fmt: skip
def test_datapoint_filters(api, measured, query, count):
    assert len(results(api("backbone").get(f"{BASE}/datapoints/", query))) == count


def test_filters_refuse_bad_input_and_undocumented_ordering(api, measured):
    client = api("backbone")
    assert client.get(f"{BASE}/datapoints/", {"period_from": "last year"}).status_code == 400
    assert client.get(f"{BASE}/datapoints/", {"status": "lost"}).status_code == 400
    ordered = results(client.get(f"{BASE}/datapoints/", {"ordering": "-period__start"}))
    assert ordered[0]["period"] == "2023-24"
    ignored = results(client.get(f"{BASE}/datapoints/", {"ordering": "note"}))
    assert ignored[0]["period"] == "2019-20"


def test_trend_filters(api, measured):
    client = api("viewer")
    assert {t["geography"] for t in results(client.get(f"{BASE}/trends/",
                                                       {"geography": "D1"}))} == {"D1"}  # fmt: skip
    assert results(client.get(f"{BASE}/trends/", {"indicator": "summer-reading"})) == []
    assert client.get(f"{BASE}/trends/", {"status": "lost"}).status_code == 400


def test_page_size_is_capped(api, measured):
    body = api("backbone").get(f"{BASE}/datapoints/", {"page_size": 10_000}).json()
    assert body["count"] == 7 and len(body["results"]) == 7


@pytest.mark.parametrize("resource", ["datapoints", "trends", "indicators"])
def test_list_queries_do_not_grow_with_items(api, world, resource, django_assert_max_num_queries):
    dimension = DimensionFactory(partnership=world.partnership)
    world.indicator.dimensions.add(dimension)
    client = api("viewer")

    def add(n: int) -> None:
        for _ in range(n):
            geography = GeographyFactory(partnership=world.partnership)
            category = CategoryFactory(dimension=dimension)
            DataPointFactory(indicator=world.indicator, geography=geography, category=category,
                             numerator=1, denominator=2, value="50")  # fmt: skip
        trend_engine.recompute_indicator(world.indicator.pk, force=True)

    add(5)
    with django_assert_max_num_queries(12) as five:
        client.get(f"{BASE}/{resource}/")
    add(45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        client.get(f"{BASE}/{resource}/")


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
