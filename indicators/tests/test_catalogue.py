"""Catalogue services: indicators and dimensions are checked before they are saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from indicators.services import dimension_create, indicator_create
from partnership.tests.factories import DimensionFactory, OutcomeAreaFactory


def _fields(world, **overrides):
    return {
        "code": "g3-reading",
        "name": "3rd grade reading proficiency",
        "outcome_area": world.indicator.outcome_area,
        "kind": "core",
        "unit": "percent",
        "direction": "higher_is_better",
        "frequency": "school_year",
        "aggregation": "ratio",
        **overrides,
    }


def test_indicator_with_its_dimensions(world):
    race = dimension_create(
        partnership=world.partnership,
        code="race",
        name="Race/ethnicity",
        categories=[("black", "Black"), ("hispanic", "Hispanic/Latino")],
    )
    assert [c.code for c in race.categories.order_by("order")] == ["black", "hispanic"]
    indicator = indicator_create(partnership=world.partnership, dimensions=[race], **_fields(world))
    assert list(indicator.dimensions.all()) == [race]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "performance"}, "__all__"),  # a performance measure needs its tag
        ({"code": "k-ready"}, "__all__"),  # the code is taken in this partnership
        ({"unit": "furlongs"}, "unit"),
    ],
)
def test_bad_indicators_are_refused_with_the_field(world, overrides, field):
    with pytest.raises(ValidationError) as exc:
        indicator_create(partnership=world.partnership, **_fields(world, **overrides))
    assert field in exc.value.message_dict


def test_references_to_another_partnership_are_refused(world):
    foreign_area = OutcomeAreaFactory(partnership=world.other_partnership)
    with pytest.raises(ValidationError, match="another partnership"):
        indicator_create(partnership=world.partnership, **_fields(world, outcome_area=foreign_area))
    foreign_dimension = DimensionFactory(partnership=world.other_partnership)
    with pytest.raises(ValidationError, match="another partnership"):
        indicator_create(
            partnership=world.partnership, dimensions=[foreign_dimension], **_fields(world)
        )
