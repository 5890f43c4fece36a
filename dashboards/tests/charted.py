"""A charted riverside for the dashboard tests: ``world.indicator`` (k-ready, a
percent, higher is better) with a baseline, a target, a district and two schools,
a race dimension, notes, and its trends computed. Some values rest on small
groups, with values found nowhere else, so a test can search a page for them:

- ``SECRET_CATEGORY``: Black students partnership-wide in 2020-21 (6 students);
- ``SECRET_SCHOOL``: the latest value of school S2 (8 students a year).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from indicators.models import DataStatus
from indicators.trend_engine import recompute_indicator
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    period,
)

YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23"]
TOTALS = [48.0, 50.5, 49.8, 53.1, 55.0]
SECRET_CATEGORY = Decimal("61.73")  # 6 students: suppressed for all but backbone
SECRET_SCHOOL = Decimal("87.5")  # 7 of 8 students
NOTE = "New kindergarten entry assessment introduced"


@dataclass
class Charted:
    world: Any
    indicator: Any
    district: Any
    s1: Any
    s2: Any
    race: Any
    black: Any
    white: Any


def _percent(num: int | Decimal, den: int) -> Decimal:
    return (Decimal(100) * Decimal(num) / Decimal(den)).quantize(Decimal("0.000001"))


def build_charted(world: Any) -> Charted:
    ind = world.indicator
    ind.name = "Kindergarten readiness"
    ind.baseline_period = period("2018-19")
    ind.target_value = Decimal(60)
    ind.target_period = period("2025-26")
    ind.save()
    p = world.partnership
    district = GeographyFactory(partnership=p, code="D1", name="Riverside District 1")
    s1 = GeographyFactory(
        partnership=p, code="S1", name="Oak School", parent=district, kind="school"
    )
    s2 = GeographyFactory(
        partnership=p, code="S2", name="Tiny School", parent=district, kind="school"
    )
    race = DimensionFactory(partnership=p, code="race", name="Race/ethnicity")
    black = CategoryFactory(dimension=race, code="black", name="Black", order=0)
    white = CategoryFactory(dimension=race, code="white", name="White", order=1)
    ind.dimensions.add(race)
    for i, label in enumerate(YEARS):
        year = period(label)
        DataPointFactory(
            indicator=ind,
            period=year,
            value=Decimal(str(TOTALS[i])),
            note=NOTE if label == "2020-21" else "",
        )
        DataPointFactory(
            indicator=ind, period=year, geography=s1, value=_percent(40 + 3 * i, 100),
            numerator=40 + 3 * i, denominator=100,
        )  # fmt: skip
        small = 7 if label == YEARS[-1] else 3 + i % 3
        DataPointFactory(
            indicator=ind, period=year, geography=s2, value=_percent(small, 8),
            numerator=small, denominator=8,
        )  # fmt: skip
        if label == "2020-21":
            black_value, black_num, black_den = SECRET_CATEGORY, Decimal("3.7038"), 6
        else:
            black_num, black_den = 80 + 6 * i, 200
            black_value = _percent(black_num, black_den)
        DataPointFactory(
            indicator=ind, period=year, category=black, value=black_value,
            numerator=black_num, denominator=black_den,
        )  # fmt: skip
        DataPointFactory(
            indicator=ind, period=year, category=white, value=_percent(140 + 2 * i, 200),
            numerator=140 + 2 * i, denominator=200,
        )  # fmt: skip
    # Not approved: never on a dashboard.
    DataPointFactory(
        indicator=ind, period=period("2023-24"), value=Decimal("99.9"), status=DataStatus.DRAFT
    )
    recompute_indicator(ind.pk, force=True)
    return Charted(world, ind, district, s1, s2, race, black, white)


@pytest.fixture
def charted(world) -> Charted:
    return build_charted(world)
