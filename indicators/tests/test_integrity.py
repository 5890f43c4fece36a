"""The database itself refuses data that breaks the model's rules, so that a
bulk insert, a script or a bug cannot store it (the triggers of migrations 0002
and 0007 and the named constraints), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from indicators.models import Category, DataPoint, Indicator, IndicatorDimension, Unit
from partnership.models import Membership, Role
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    IndicatorFactory,
    OrganizationFactory,
    OutcomeAreaFactory,
    UserFactory,
    period,
)


def _refused(rule: str, make):
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        make()


def test_one_value_per_indicator_period_geography_and_category(world):
    geo = GeographyFactory(partnership=world.partnership)
    race = DimensionFactory(partnership=world.partnership)
    black = CategoryFactory(dimension=race)
    world.indicator.dimensions.add(race)
    for key in ({}, {"geography": geo}, {"category": black}, {"geography": geo, "category": black}):
        DataPointFactory(indicator=world.indicator, **key)
        with pytest.raises(IntegrityError), transaction.atomic():
            DataPointFactory(indicator=world.indicator, **key)
    assert DataPoint.objects.count() == 4


def test_bulk_insert_cannot_bypass_the_category_rule(world):
    race = DimensionFactory(partnership=world.partnership)
    black = CategoryFactory(dimension=race)
    point = DataPoint(
        indicator=world.indicator, period=period("2021-22"), category=black, value=Decimal(5)
    )
    _refused(
        "datapoint_category_of_indicator_dimension", lambda: DataPoint.objects.bulk_create([point])
    )


def test_period_must_fit_the_frequency(world):
    _refused(
        "datapoint_period_fits_frequency",
        lambda: DataPointFactory(indicator=world.indicator, period=period("2021")),
    )


def test_geography_must_share_the_partnership(world):
    foreign = GeographyFactory(partnership=world.other_partnership)
    _refused(
        "datapoint_geography_in_partnership",
        lambda: DataPointFactory(indicator=world.indicator, geography=foreign),
    )


def test_percent_must_be_a_percent_and_match_its_ratio(world):
    _refused(
        "datapoint_percent_in_range",
        lambda: DataPointFactory(indicator=world.indicator, value=Decimal("101")),
    )
    _refused(
        "datapoint_percent_matches_ratio",
        lambda: DataPointFactory(
            indicator=world.indicator,
            value=Decimal("60"),
            numerator=Decimal("97"),
            denominator=Decimal("200"),
        ),
    )
    DataPointFactory(
        indicator=world.indicator,
        value=Decimal("48.5"),
        numerator=Decimal("97"),
        denominator=Decimal("200"),
    )


def test_counts_are_not_held_to_percent_rules(world):
    counts = IndicatorFactory(partnership=world.partnership, unit=Unit.COUNT, aggregation="sum")
    DataPointFactory(
        indicator=counts, value=Decimal("250"), numerator=Decimal("250"), denominator=Decimal("1")
    )


def test_numerator_and_denominator_come_together_and_denominator_is_positive(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPointFactory(indicator=world.indicator, numerator=Decimal(5))
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPointFactory(
            indicator=world.indicator,
            value=Decimal(0),
            numerator=Decimal(0),
            denominator=Decimal(0),
        )


def test_indicator_references_stay_in_its_partnership(world):
    foreign_area = OutcomeAreaFactory(partnership=world.other_partnership)
    _refused(
        "indicator_outcome_area_same_partnership",
        lambda: IndicatorFactory(partnership=world.partnership, outcome_area=foreign_area),
    )
    foreign_org = OrganizationFactory(partnership=world.other_partnership)
    _refused(
        "indicator_steward_same_partnership",
        lambda: IndicatorFactory(partnership=world.partnership, steward=foreign_org),
    )
    foreign_dimension = DimensionFactory(partnership=world.other_partnership)
    _refused(
        "indicator_dimension_same_partnership",
        lambda: IndicatorDimension.objects.create(
            indicator=world.indicator, dimension=foreign_dimension
        ),
    )


def test_indicator_code_is_unique_in_its_partnership_only(world):
    IndicatorFactory(partnership=world.other_partnership, code=world.indicator.code)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(partnership=world.partnership, code=world.indicator.code)


def test_frequency_cannot_change_once_there_is_data(world):
    DataPointFactory(indicator=world.indicator)
    world.indicator.frequency = "annual"
    _refused("indicator_frequency_fixed_with_data", world.indicator.save)


def test_unit_cannot_change_once_there_is_data(world):
    counts = IndicatorFactory(partnership=world.partnership, unit=Unit.COUNT, aggregation="sum")
    DataPointFactory(indicator=counts, value=Decimal("250"))
    _refused(
        "indicator_unit_fixed_with_data",
        lambda: Indicator.objects.filter(pk=counts.pk).update(unit=Unit.PERCENT),
    )
    counts.refresh_from_db()
    assert counts.unit == Unit.COUNT


def test_unit_of_an_indicator_without_data_can_change(world):
    Indicator.objects.filter(pk=world.other_indicator.pk).update(unit=Unit.COUNT)
    world.other_indicator.refresh_from_db()
    assert world.other_indicator.unit == Unit.COUNT


def test_a_used_category_cannot_move_to_another_dimension(world):
    race, income = (DimensionFactory(partnership=world.partnership) for _ in range(2))
    world.indicator.dimensions.add(race)
    black, unused = CategoryFactory(dimension=race), CategoryFactory(dimension=race)
    DataPointFactory(indicator=world.indicator, category=black)
    _refused(
        "category_dimension_fixed_when_used",
        lambda: Category.objects.filter(pk=black.pk).update(dimension=income),
    )
    assert Category.objects.filter(pk=black.pk, dimension=race).exists()
    Category.objects.filter(pk=unused.pk).update(dimension=income)  # nothing uses it
    assert Category.objects.filter(pk=unused.pk, dimension=income).exists()


@pytest.mark.postgres
def test_a_statement_over_many_rows_is_refused_whole(world, postgres):
    """On PostgreSQL the rules are checked once per statement, over every row it
    changed: one row that breaks a rule refuses the statement, and nothing moves."""
    counts = IndicatorFactory(partnership=world.partnership, unit=Unit.COUNT, aggregation="sum")
    DataPointFactory(indicator=counts, value=Decimal("250"))
    _refused(
        "indicator_unit_fixed_with_data",
        lambda: Indicator.objects.filter(partnership=world.partnership).update(unit=Unit.PERCENT),
    )
    assert Indicator.objects.get(pk=counts.pk).unit == Unit.COUNT
    race, income = (DimensionFactory(partnership=world.partnership) for _ in range(2))
    world.indicator.dimensions.add(race)
    used, unused = CategoryFactory(dimension=race), CategoryFactory(dimension=race)
    DataPointFactory(indicator=world.indicator, category=used)
    _refused(
        "category_dimension_fixed_when_used",
        lambda: Category.objects.filter(dimension=race).update(dimension=income),
    )
    assert set(race.categories.all()) == {used, unused}


@pytest.mark.postgres
def test_a_dimension_with_data_cannot_be_removed_from_the_indicator(world, postgres):
    race = DimensionFactory(partnership=world.partnership)
    world.indicator.dimensions.add(race)
    DataPointFactory(indicator=world.indicator, category=CategoryFactory(dimension=race))
    _refused("indicator_dimension_in_use", lambda: world.indicator.dimensions.remove(race))


def test_geography_parent_and_membership_organization_share_the_partnership(world):
    foreign_parent = GeographyFactory(partnership=world.other_partnership)
    _refused(
        "geography_parent_same_partnership",
        lambda: GeographyFactory(partnership=world.partnership, parent=foreign_parent),
    )
    foreign_org = OrganizationFactory(partnership=world.other_partnership)
    _refused(
        "membership_organization_same_partnership",
        lambda: Membership.objects.create(
            user=UserFactory(),
            partnership=world.partnership,
            organization=foreign_org,
            role=Role.VIEWER,
        ),
    )


def test_data_steward_must_have_an_organization(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), partnership=world.partnership, role=Role.DATA_STEWARD
        )


def test_period_starts_before_it_ends(db):
    from indicators.models import Period

    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.create(kind="year", label="bad", start="2021-12-31", end="2021-01-01")
