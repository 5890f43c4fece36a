"""The entry grid's JSON endpoints: saving changed cells (saved, error, conflict per
cell; never a silent overwrite), locked periods, and submit/approve/return."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.locks import period_lock
from indicators.models import ChangeAction, DataPoint, DataPointChange, DataStatus
from indicators.services import datapoint_update
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    period,
)


def post(client, url_name, world, body, code="k-ready"):
    url = reverse(url_name, args=[world.partnership.slug, code])
    return client.post(url, json.dumps(body), content_type="application/json")


def save(client, world, *cells, category=""):
    response = post(client, "entry_save", world, {"category": category, "cells": list(cells)})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def cell(period="2022-23", geography="", value="41", version=0, **extra):
    return {"period": period, "geography": geography, "value": value, "version": version, **extra}


def test_new_values_are_created_as_drafts_and_answered_with_their_version(client_as, world):
    GeographyFactory(partnership=world.partnership, code="D1")
    results = save(
        client_as("steward"),
        world,
        cell(),
        cell(geography="D1", value="40", numerator="20", denominator="50"),
    )
    assert [r["result"] for r in results] == ["saved", "saved"]
    assert results[1]["point"]["numerator"] == "20"
    assert results[1]["point"]["version"] == 1
    point = DataPoint.objects.get(geography__code="D1")
    assert (point.value, point.status, point.created_by) == (
        Decimal("40"),
        DataStatus.DRAFT,
        world.users["steward"],
    )


def test_an_edit_with_the_current_version_updates(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.APPROVED)
    results = save(client_as("steward"), world, cell(period="2021-22", value="52", version=1))
    assert results[0]["result"] == "saved"
    assert results[0]["point"]["status"] == "draft"  # a changed approved value goes back to draft
    point.refresh_from_db()
    assert (point.value, point.version) == (Decimal("52"), 2)


def test_an_edit_of_an_older_version_is_a_conflict_with_the_other_value(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT)
    datapoint_update(point=point, expected_version=1, user=world.users["backbone"], value="61")
    results = save(client_as("steward"), world, cell(period="2021-22", value="52", version=1))
    assert results[0]["result"] == "conflict"
    assert results[0]["current"]["value"] == "61"
    assert results[0]["current"]["updated_by"] == world.users["backbone"].get_full_name()
    assert "61" in results[0]["message"]
    point.refresh_from_db()
    assert point.value == Decimal("61")  # never silently overwritten


def test_emptying_a_cell_removes_its_value_and_keeps_the_history(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT)
    blank = cell(period="2021-22", value="", version=1, numerator="", denominator="")
    results = save(client_as("steward"), world, blank)
    assert results[0]["result"] == "deleted"
    assert not DataPoint.objects.filter(pk=point.pk).exists()
    change = DataPointChange.objects.filter(indicator=world.indicator).latest("pk")
    assert change.action == ChangeAction.DELETED and change.changed_by == world.users["steward"]


def test_emptying_a_cell_someone_changed_meanwhile_is_a_conflict(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT)
    datapoint_update(point=point, expected_version=1, user=world.users["backbone"], value="61")
    results = save(client_as("steward"), world, cell(period="2021-22", value="", version=1))
    assert results[0]["result"] == "conflict"
    assert DataPoint.objects.filter(pk=point.pk).exists()


def test_a_steward_cannot_empty_an_approved_value(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.APPROVED)
    results = save(client_as("steward"), world, cell(period="2021-22", value="", version=1))
    assert results[0]["result"] == "error"
    assert DataPoint.objects.filter(pk=point.pk).exists()


def test_a_new_value_where_someone_created_one_meanwhile_is_a_conflict(client_as, world):
    DataPointFactory(indicator=world.indicator, value=Decimal("70"))
    results = save(client_as("steward"), world, cell(period="2021-22", value="52", version=0))
    assert results[0]["result"] == "conflict"
    assert results[0]["current"]["value"] == "70"


def test_invalid_cells_are_errors_by_field_and_the_valid_ones_still_save(client_as, world):
    results = save(
        client_as("steward"),
        world,
        cell(period="2019-20", value="abc"),
        cell(period="2020-21", value="140"),
        cell(period="2021-22", value="40", numerator="10", denominator="50"),
        cell(period="2021-Q3", value="40"),
        cell(geography="NOPE"),
        cell(period="2022-23", value="45"),
    )
    assert [r["result"] for r in results] == ["error"] * 5 + ["saved"]
    assert "not a number" in results[0]["errors"]["value"]
    assert "0 to 100" in results[1]["errors"]["value"]
    assert "does not match" in results[2]["errors"]["value"]
    assert "period" in results[3]["errors"]
    assert "geography" in results[4]["errors"]
    assert DataPoint.objects.count() == 1


def test_a_locked_period_refuses_the_save_and_writes_nothing(client_as, world):
    DataPointFactory(indicator=world.indicator, status=DataStatus.APPROVED)
    period_lock(
        partnership=world.partnership,
        period=period("2021-22", "school_year"),
        user=world.users["backbone"],
        reason="Report card 2022",
    )
    GeographyFactory(partnership=world.partnership, code="D1")
    before = DataPointChange.objects.count()
    results = save(
        client_as("backbone"),
        world,
        cell(period="2021-22", value="52", version=1),
        cell(period="2021-22", geography="D1", value="1", version=0),
    )
    assert [r["result"] for r in results] == ["error", "error"]
    assert "is locked" in results[0]["errors"]["period"]
    assert "ask backbone staff to unlock it" in results[0]["errors"]["period"]
    assert "is locked" in results[1]["errors"]["period"]
    assert DataPoint.objects.get().value == Decimal("50")
    assert DataPointChange.objects.count() == before


def test_the_grid_marks_locked_periods_read_only(client_as, world):
    DataPointFactory(indicator=world.indicator, status=DataStatus.APPROVED)
    period_lock(
        partnership=world.partnership,
        period=period("2021-22", "school_year"),
        user=world.users["backbone"],
    )
    html = client_as("steward").get(reverse("entry_grid", args=["riverside", "k-ready"])).content
    html = html.decode()
    assert 'aria-readonly="true"' in html
    assert "Locked" in html


def test_values_of_one_category_are_saved_and_shown_apart_from_the_total(client_as, world):
    dimension = DimensionFactory(partnership=world.partnership, code="income")
    low = CategoryFactory(dimension=dimension, code="low", name="Low income")
    world.indicator.dimensions.add(dimension)
    results = save(client_as("steward"), world, cell(value="33"), category="income:low")
    assert results[0]["result"] == "saved"
    assert DataPoint.objects.get().category == low
    url = reverse("entry_grid", args=["riverside", "k-ready"])
    client = client_as("steward")
    total = client.get(url).context["grid"]
    by_low = client.get(url, {"category": "income:low"}).context["grid"]
    assert total.points == {}
    assert by_low.category == low and len(by_low.points) == 1


def test_an_unknown_category_or_a_malformed_body_is_a_400(client_as, world):
    client = client_as("steward")
    body = {"category": "income:nope", "cells": [cell()]}
    assert post(client, "entry_save", world, body).status_code == 400
    assert post(client, "entry_save", world, {"cells": "x"}).status_code == 400
    assert not DataPoint.objects.exists()


def test_the_grid_shows_partnership_wide_first_then_the_tree_in_path_order(client_as, world):
    region = GeographyFactory(partnership=world.partnership, code="R", name="Region")
    GeographyFactory(partnership=world.partnership, code="S2", name="School 2", parent=region)
    GeographyFactory(partnership=world.partnership, code="A1", name="Another root")
    grid = client_as("steward").get(reverse("entry_grid", args=["riverside", "k-ready"]))
    rows = grid.context["grid"].rows
    assert [(r.code, r.depth) for r in rows] == [("", 0), ("A1", 1), ("R", 1), ("S2", 2)]


def test_periods_run_from_the_earliest_data_to_now_and_can_be_extended(client_as, world):
    DataPointFactory(indicator=world.indicator, period=period("2019-20", "school_year"))
    url = reverse("entry_grid", args=["riverside", "k-ready"])
    client = client_as("steward")
    labels = [p.label for p in client.get(url).context["grid"].periods]
    assert labels[0] == "2019-20" and len(labels) >= 5
    wider = client.get(url, {"from": "2017-18", "to": labels[-1]}).context["grid"].periods
    assert wider[0].label == "2017-18" and wider[-1].label == labels[-1]


# ---------- submit, approve, return from the grid ----------


def status(client, world, action, points, comment=""):
    body = {
        "action": action,
        "points": [{"id": p.pk, "version": p.version} for p in points],
        "comment": comment,
    }
    response = post(client, "entry_status", world, body)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_steward_submits_drafts_and_backbone_approves_them(client_as, world):
    drafts = [
        DataPointFactory(
            indicator=world.indicator, period=period(label, "school_year"), status="draft"
        )
        for label in ("2020-21", "2021-22")
    ]
    results = status(client_as("steward"), world, "submit", drafts)
    assert [r["result"] for r in results] == ["saved", "saved"]
    for point in drafts:
        point.refresh_from_db()
        assert (point.status, point.version) == (DataStatus.SUBMITTED, 2)
    results = status(client_as("backbone"), world, "approve", drafts)
    assert {r["point"]["status"] for r in results} == {"approved"}


def test_returning_needs_a_comment_and_is_recorded_with_it(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.SUBMITTED)
    client = client_as("backbone")
    assert status(client, world, "return", [point])[0]["result"] == "error"
    point.refresh_from_db()
    assert point.status == DataStatus.SUBMITTED
    assert status(client, world, "return", [point], "Check the denominator")[0]["result"] == "saved"
    change = DataPointChange.objects.get(action=ChangeAction.RETURNED)
    assert change.comment == "Check the denominator"


def test_a_status_change_on_an_old_version_is_a_conflict(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT)
    stale = DataPoint.objects.get(pk=point.pk)
    datapoint_update(point=point, expected_version=1, user=world.users["backbone"], value="60")
    results = status(client_as("steward"), world, "submit", [stale])
    assert results[0]["result"] == "conflict"
    assert results[0]["current"]["value"] == "60"
    point.refresh_from_db()
    assert point.status == DataStatus.DRAFT


def test_a_steward_cannot_reach_another_indicators_points_through_the_grid(client_as, world):
    other = DataPointFactory(indicator=world.other_indicator, status=DataStatus.DRAFT)
    results = status(client_as("steward"), world, "submit", [other])
    assert results[0]["result"] == "conflict"  # not found in this indicator: untouched
    other.refresh_from_db()
    assert other.status == DataStatus.DRAFT


@pytest.mark.parametrize("action", ["", "delete", None])
def test_an_unknown_action_is_a_400(client_as, world, action):
    response = post(client_as("steward"), "entry_status", world, {"action": action})
    assert response.status_code == 400
