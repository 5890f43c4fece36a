"""The approval queue (filters, bulk approve and return, conflicts per row), its
outlier flags, and the history pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.entry_selectors import outlier_flags
from indicators.locks import period_lock
from indicators.models import ChangeAction, DataPoint, DataStatus
from indicators.services import datapoint_delete, datapoint_update
from partnership.tests.factories import DataPointFactory, GeographyFactory, period

QUEUE = reverse("approval_queue", args=["riverside"])


def submitted(world, label="2022-23", indicator=None, value="50", **extra):
    return DataPointFactory(
        indicator=indicator or world.indicator,
        period=period(label, "school_year"),
        value=Decimal(value),
        status=DataStatus.SUBMITTED,
        **extra,
    )


def approved_history(world, values, geography=None):
    labels = ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20", "2020-21"]
    for label, value in zip(labels, values, strict=False):
        DataPointFactory(
            indicator=world.indicator,
            geography=geography,
            period=period(label, "school_year"),
            value=Decimal(value),
        )


# ---------- outliers ----------


def test_a_value_far_from_its_series_history_is_flagged(world):
    approved_history(world, ["50", "52", "51", "49"])
    far, near = submitted(world, value="80"), submitted(world, "2021-22", value="51")
    flags = outlier_flags([far, near])
    assert list(flags) == [far.pk]
    assert "standard deviations" in flags[far.pk][0]


def test_fewer_than_three_history_values_flag_nothing(world):
    approved_history(world, ["50", "52"])
    assert outlier_flags([submitted(world, value="99")]) == {}


def test_history_is_per_series_and_only_approved_values_count(world):
    school = GeographyFactory(partnership=world.partnership, code="S1")
    approved_history(world, ["10", "11", "12"], geography=school)  # another series
    DataPointFactory(
        indicator=world.indicator, period=period("2019-20", "school_year"), status="draft"
    )
    assert outlier_flags([submitted(world, value="90")]) == {}


def test_values_outside_the_expected_range_are_flagged(world):
    world.indicator.expected_min, world.indicator.expected_max = Decimal("20"), Decimal("80")
    world.indicator.save()
    low, high, fine = (
        submitted(world, value="5"),
        submitted(world, "2021-22", value="95"),
        submitted(world, "2020-21", value="50"),
    )
    flags = outlier_flags(list(DataPoint.objects.select_related("indicator")))
    assert "below the expected minimum 20" in flags[low.pk][0]
    assert "above the expected maximum 80" in flags[high.pk][0]
    assert fine.pk not in flags


def test_outliers_cost_one_query_for_a_whole_page(world, django_assert_num_queries):
    approved_history(world, ["50", "52", "51", "49"])
    points = [submitted(world, label) for label in ("2021-22", "2022-23", "2023-24")]
    points += [submitted(world, "2021-22", indicator=world.other_indicator)]
    points = list(
        DataPoint.objects.filter(pk__in=[p.pk for p in points]).select_related("indicator")
    )
    with django_assert_num_queries(1):
        outlier_flags(points)
    with django_assert_num_queries(0):
        assert outlier_flags([]) == {}


# ---------- the queue ----------


def test_the_queue_lists_submitted_points_with_their_flags_and_filters(client_as, world):
    approved_history(world, ["50", "52", "51", "49"])
    far = submitted(world, value="95")
    other = submitted(world, indicator=world.other_indicator)
    DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT)
    client = client_as("backbone")
    response = client.get(QUEUE)
    rows = response.context["rows"]
    assert {p.pk for p, _ in rows} == {far.pk, other.pk}
    assert dict(rows)[far] and not dict(rows)[other]
    assert "Outlier:" in response.content.decode()
    assert [p for p, _ in client.get(QUEUE, {"indicator": "summer-reading"}).context["rows"]] == [
        other
    ]
    assert [p for p, _ in client.get(QUEUE, {"organization": "district"}).context["rows"]] == [far]
    assert client.get(QUEUE, {"period": "2019-20"}).context["rows"] == []


def test_approve_selected_approves_each_and_reports_conflicts_per_row(client_as, world):
    a, b = submitted(world, "2021-22"), submitted(world, "2022-23")
    stale_version = b.version
    datapoint_update(point=b, expected_version=1, user=world.users["steward"], value="55")
    response = client_as("backbone").post(
        QUEUE,
        {"point": [f"{a.pk}:{a.version}", f"{b.pk}:{stale_version}"], "decision": "approve"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "Approved 1 data point." in messages
    assert any("conflict" in m and "k-ready 2022-23" in m and "55" in m for m in messages)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == (DataStatus.APPROVED, DataStatus.DRAFT)


def test_return_selected_needs_a_comment(client_as, world):
    point = submitted(world)
    client = client_as("backbone")
    form = {"point": f"{point.pk}:1", "decision": "return"}
    response = client.post(QUEUE, form, follow=True)
    assert "Say what needs fixing" in response.content.decode()
    point.refresh_from_db()
    assert point.status == DataStatus.SUBMITTED
    client.post(QUEUE, {**form, "comment": "Wrong year"})
    point.refresh_from_db()
    assert point.status == DataStatus.RETURNED
    assert point.changes.get(action=ChangeAction.RETURNED).comment == "Wrong year"


def test_approving_in_a_locked_period_is_refused_with_a_clear_error(client_as, world):
    point = submitted(world, "2021-22")
    period_lock(
        partnership=world.partnership,
        period=period("2020-21", "school_year"),
        user=world.users["backbone"],
    )
    locked = submitted(world, "2020-21")  # slipped in past the lock (say, by a script)
    response = client_as("backbone").post(
        QUEUE,
        {"point": [f"{locked.pk}:1", f"{point.pk}:1"], "decision": "approve"},
        follow=True,
    )
    html = response.content.decode()
    assert "is locked" in html
    locked.refresh_from_db(), point.refresh_from_db()
    assert (locked.status, point.status) == (DataStatus.SUBMITTED, DataStatus.APPROVED)


def test_the_queue_is_paginated(client_as, world, settings):
    from indicators import views_approvals

    for i in range(3):
        submitted(world, f"20{10 + i}-{11 + i}")
    views_approvals.QUEUE_PAGE_SIZE, old = 2, views_approvals.QUEUE_PAGE_SIZE
    try:
        client = client_as("backbone")
        assert len(client.get(QUEUE).context["rows"]) == 2
        assert len(client.get(QUEUE, {"page": 2}).context["rows"]) == 1
    finally:
        views_approvals.QUEUE_PAGE_SIZE = old


# ---------- history ----------


@pytest.fixture
def edited_point(world):
    from indicators.services import datapoint_create, datapoint_set_status

    steward, backbone = world.users["steward"], world.users["backbone"]
    point = datapoint_create(
        indicator=world.indicator, period=period("2021-22", "school_year"), value="40", user=steward
    )
    point = datapoint_set_status(point=point, status="submitted", expected_version=1, user=steward)
    point = datapoint_set_status(
        point=point, status="returned", expected_version=2, user=backbone, comment="Too low?"
    )
    return datapoint_update(point=point, expected_version=3, user=steward, value="44")


def test_a_points_history_shows_who_when_what_and_why(client_as, world, edited_point):
    response = client_as("steward").get(
        reverse("datapoint_history", args=["riverside", edited_point.pk])
    )
    html = response.content.decode()
    actions = [change.action for change, _ in response.context["rows"]]
    assert actions == ["updated", "returned", "submitted", "created"]
    assert "Too low?" in html and "Returned" in html
    assert "<del>40</del>" in html and "<ins>44</ins>" in html


def test_a_new_points_history_lists_only_the_fields_it_set(client_as, world, edited_point):
    response = client_as("steward").get(
        reverse("datapoint_history", args=["riverside", edited_point.pk])
    )
    created = dict(response.context["rows"])[edited_point.changes.order_by("pk").first()]
    fields = {d["field"] for d in created}
    assert "value" in fields
    # A blank note or source on a new point is not a change worth a line.
    assert not fields & {"note", "source", "numerator", "denominator"}


def test_deleted_points_stay_in_the_indicators_history(client_as, world, edited_point):
    datapoint_delete(point=edited_point, expected_version=4, user=world.users["backbone"])
    response = client_as("backbone").get(
        reverse("indicator_history", args=["riverside", "k-ready"])
    )
    html = response.content.decode()
    assert response.context["rows"][0][0].action == "deleted"
    assert "(deleted)" in html
    assert len(response.context["rows"]) == 5
