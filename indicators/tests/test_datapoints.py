"""Data point services: validation with clear messages, history of every change,
conflict detection, and the workflow's rules enforced on the server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.models import ChangeAction, DataPoint, DataPointChange, DataStatus, Unit
from indicators.services import (
    EditConflictError,
    datapoint_create,
    datapoint_delete,
    datapoint_set_status,
    datapoint_update,
    period_get,
)
from partnership.tests.factories import (
    CategoryFactory,
    DimensionFactory,
    GeographyFactory,
    IndicatorFactory,
)


@pytest.fixture
def sy(world):
    return period_get(label="2022-23", kind="school_year")


def _create(world, sy, user="steward", **kwargs):
    fields = {"value": "48.5", "numerator": "97", "denominator": "200", **kwargs}
    return datapoint_create(indicator=world.indicator, period=sy, user=world.users[user], **fields)


def test_steward_creates_a_draft_and_history_records_it(world, sy):
    point = _create(world, sy, note="Fall assessment")
    assert point.status == DataStatus.DRAFT
    assert point.value == Decimal("48.5")
    change = DataPointChange.objects.get(data_point=point)
    assert change.action == ChangeAction.CREATED
    assert change.changed_by == world.users["steward"]
    assert change.new["value"] == "48.5"
    assert change.period_label == "2022-23"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"value": "abc", "numerator": None, "denominator": None}, "value", "not a number"),
        ({"value": "", "numerator": None, "denominator": None}, "value", "required"),
        ({"value": "120", "numerator": None, "denominator": None}, "value", "from 0 to 100"),
        ({"value": "-1", "numerator": None, "denominator": None}, "value", "from 0 to 100"),
        ({"value": "60", "numerator": "97", "denominator": "200"}, "value", "does not match"),
        ({"value": "50", "numerator": "10", "denominator": None}, "denominator", "both"),
        ({"value": "50", "numerator": "0", "denominator": "0"}, "denominator", "greater than 0"),
        ({"value": "nan", "numerator": None, "denominator": None}, "value", "not a finite"),
    ],
)
def test_bad_values_are_refused_with_a_message_per_field(world, sy, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        _create(world, sy, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not DataPoint.objects.exists()


def test_percent_rounded_to_a_whole_number_is_accepted(world, sy):
    point = _create(world, sy, value="33", numerator="1", denominator="3")
    assert point.value == Decimal("33")


def test_count_indicator_accepts_values_above_100(world, sy):
    world.indicator.unit = Unit.COUNT
    world.indicator.save()
    assert _create(world, sy, value="1250", numerator=None, denominator=None).value == 1250


def test_period_must_fit_the_frequency(world):
    month = period_get(label="2022-09")
    with pytest.raises(ValidationError, match="school year"):
        datapoint_create(
            indicator=world.indicator, period=month, value="50", user=world.users["steward"]
        )


def test_category_must_belong_to_a_dimension_of_the_indicator(world, sy):
    race = DimensionFactory(partnership=world.partnership, code="race")
    black = CategoryFactory(dimension=race, code="black")
    with pytest.raises(ValidationError, match="not disaggregated by"):
        _create(world, sy, category=black)
    world.indicator.dimensions.add(race)
    assert _create(world, sy, category=black).category == black


def test_geography_of_another_partnership_is_refused(world, sy):
    foreign = GeographyFactory(partnership=world.other_partnership)
    with pytest.raises(ValidationError, match="another partnership"):
        _create(world, sy, geography=foreign)


@pytest.mark.parametrize("role", ["other_steward", "viewer", "funder", "outsider"])
def test_only_stewards_of_the_indicator_and_backbone_enter_data(world, sy, role):
    with pytest.raises(PermissionDenied):
        _create(world, sy, user=role)
    assert not DataPoint.objects.exists()


def test_update_records_old_and_new_values(world, sy):
    point = _create(world, sy)
    updated = datapoint_update(
        point=point,
        expected_version=point.version,
        user=world.users["steward"],
        value="50",
        numerator="100",
        comment="Corrected count",
    )
    assert updated.version == point.version + 1
    change = DataPointChange.objects.filter(action=ChangeAction.UPDATED).get()
    assert Decimal(change.old["value"]) == Decimal("48.5")
    assert Decimal(change.new["value"]) == Decimal("50")
    assert change.comment == "Corrected count"


def test_second_editor_gets_a_conflict_showing_the_other_value(world, sy):
    point = _create(world, sy)
    stale_version = point.version
    datapoint_update(
        point=point,
        expected_version=stale_version,
        user=world.users["backbone"],
        value="50",
        numerator="100",
    )
    with pytest.raises(EditConflictError) as exc:
        datapoint_update(
            point=point,
            expected_version=stale_version,
            user=world.users["steward"],
            value="49",
            numerator="98",
        )
    assert "50" in str(exc.value)
    assert exc.value.current.value == Decimal("50")
    assert DataPoint.objects.get().value == Decimal("50")


def test_unchanged_save_writes_no_history(world, sy):
    point = _create(world, sy)
    datapoint_update(point=point, expected_version=point.version, value="48.5")
    assert DataPointChange.objects.count() == 1


def test_workflow_submit_approve_return(world, sy):
    point = _create(world, sy)
    steward, backbone = world.users["steward"], world.users["backbone"]
    point = datapoint_set_status(
        point=point, status="submitted", expected_version=point.version, user=steward
    )
    with pytest.raises(PermissionDenied):
        datapoint_set_status(
            point=point, status="approved", expected_version=point.version, user=steward
        )
    with pytest.raises(ValidationError, match="what needs fixing"):
        datapoint_set_status(
            point=point, status="returned", expected_version=point.version, user=backbone
        )
    point = datapoint_set_status(
        point=point,
        status="returned",
        expected_version=point.version,
        user=backbone,
        comment="Denominator looks like last year's enrolment",
    )
    point = datapoint_set_status(
        point=point, status="submitted", expected_version=point.version, user=steward
    )
    version_before = world.indicator.data_version
    point = datapoint_set_status(
        point=point, status="approved", expected_version=point.version, user=backbone
    )
    world.indicator.refresh_from_db()
    assert world.indicator.data_version == version_before + 1
    actions = list(
        DataPointChange.objects.filter(data_point=point)
        .order_by("changed_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "submitted", "returned", "submitted", "approved"]
    returned = DataPointChange.objects.get(action="returned")
    assert returned.comment.startswith("Denominator")


def test_impossible_transition_is_refused(world, sy):
    point = _create(world, sy)
    with pytest.raises(ValidationError, match="cannot become returned"):
        datapoint_set_status(
            point=point,
            status="returned",
            expected_version=point.version,
            user=world.users["backbone"],
            comment="x",
        )


def test_editing_approved_data_sends_it_back_to_draft(world, sy):
    point = _create(world, sy, user="backbone")
    point = datapoint_set_status(
        point=point, status="approved", expected_version=point.version, user=world.users["backbone"]
    )
    point = datapoint_update(
        point=point,
        expected_version=point.version,
        user=world.users["steward"],
        value="50",
        numerator="100",
    )
    assert point.status == DataStatus.DRAFT


def test_delete_keeps_history(world, sy):
    point = _create(world, sy)
    datapoint_delete(point=point, expected_version=point.version, user=world.users["steward"])
    assert not DataPoint.objects.exists()
    actions = set(DataPointChange.objects.values_list("action", flat=True))
    assert actions == {"created", "deleted"}
    assert DataPointChange.objects.get(action="deleted").data_point is None


def test_steward_cannot_delete_approved_data(world, sy):
    point = _create(world, sy, user="backbone")
    point = datapoint_set_status(
        point=point, status="approved", expected_version=point.version, user=world.users["backbone"]
    )
    with pytest.raises(PermissionDenied):
        datapoint_delete(point=point, expected_version=point.version, user=world.users["steward"])


def test_indicator_of_another_partnership_cannot_be_a_steward_target(world, sy):
    foreign_area_indicator = IndicatorFactory(partnership=world.other_partnership)
    with pytest.raises(PermissionDenied):
        datapoint_create(
            indicator=foreign_area_indicator, period=sy, value="5", user=world.users["backbone"]
        )


def test_geography_codes_cannot_break_the_tree_path(world):
    from indicators.services import geography_create

    with pytest.raises(ValidationError, match="no spaces or '/'"):
        geography_create(partnership=world.partnership, code="D1/S1", name="Bad", kind="school")
    district = geography_create(partnership=world.partnership, code="D1", name="D", kind="district")
    school = geography_create(
        partnership=world.partnership, code="360-041", name="S", kind="school", parent=district
    )
    assert school.path == "/D1/360-041/"
