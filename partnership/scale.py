"""A synthetic partnership of any size, for benchmarks (``manage.py seed_scale``).

This module builds the catalogue and plans the load; ``scale_load`` makes and
inserts the data points.

It holds exactly the number of approved data points asked for, spread over
140 indicators (seven outcome areas, every unit, both directions, three
frequencies), race/ethnicity and income categories, and as many geographies
(partnership-wide, a region, districts of ten schools) as that number needs.
The data satisfies the database's integrity triggers (a percent equals its
numerator over its denominator). There is no change history: a benchmark
measures loading, not the audit trail.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection

from indicators.models import (
    Aggregation,
    DataPoint,
    DataPointChange,
    Direction,
    Frequency,
    Geography,
    GeographyKind,
    Indicator,
    IndicatorKind,
    PerformanceTag,
    Unit,
)
from indicators.periods import PeriodSpan, periods_between, quarter_span, school_year_span
from indicators.periods import year_span as calendar_year_span
from indicators.services import geography_create, period_from_span
from outcomes.models import OutcomeArea

from .demo import AREAS, INCOME, RACE
from .demo_load import AGGREGATION, seed_dimension, upsert
from .models import Partnership

MARKER = "Synthetic partnership built by seed_scale for benchmarks; every number is random."
INDICATOR_COUNT = 140
SCHOOLS_PER_DISTRICT = 10

UNITS = [Unit.PERCENT, Unit.PERCENT, Unit.COUNT, Unit.PERCENT, Unit.RATE, Unit.SCORE, Unit.CURRENCY]
DIMENSION_PATTERNS = [("race", "income"), ("race",), ("income",), ()]
TAGS = [PerformanceTag.HOW_MUCH, PerformanceTag.HOW_WELL, PerformanceTag.BETTER_OFF]
SPANS: dict[str, list[PeriodSpan]] = {
    Frequency.SCHOOL_YEAR: [school_year_span(y) for y in range(2014, 2024)],
    Frequency.ANNUAL: [calendar_year_span(y) for y in range(2014, 2024)],
    Frequency.QUARTERLY: periods_between(quarter_span(2019, 1), quarter_span(2023, 4)),
}


class ScaleError(Exception):
    """The partnership cannot be (re)loaded as asked; the message says why."""


@dataclass(frozen=True)
class SeriesPlan:
    """One indicator's share of the load: its series are every geography x category."""

    position: int  # seeds the indicator's random numbers, whoever loads it
    indicator_id: int
    unit: str
    period_ids: list[int]
    category_ids: list[int | None]  # None first: the total
    points: int = 0  # how many of its points to load (the last ones may be cut short)

    def capacity(self, geographies: int) -> int:
        return geographies * len(self.category_ids) * len(self.period_ids)


@dataclass(frozen=True)
class Plan:
    partnership: Partnership
    points: int
    series: list[SeriesPlan]
    geography_ids: list[int | None]  # None first: partnership-wide

    def describe(self) -> str:
        counts = Counter(
            Geography.objects.filter(pk__in=[g for g in self.geography_ids if g]).values_list(
                "kind", flat=True
            )
        )
        per_geography = sum(len(s.period_ids) * len(s.category_ids) for s in self.series)
        return (
            f"{len(self.series)} indicators; {len(self.geography_ids)} geographies "
            f"(partnership-wide, region {counts['region']}, districts {counts['district']}, "
            f"schools {counts['school']}); 1-10 categories; 10-20 periods: "
            f"{per_geography:,} points per geography, loading {self.points:,}"
        )


# --- the partnership and its catalogue ------------------------------------------------


def scale_partnership(slug: str) -> Partnership:
    """The benchmark partnership, created if missing; never someone's real partnership."""
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        return upsert(
            Partnership, {"slug": slug}, {"name": f"Scale test ({slug})", "description": MARKER}
        )
    if partnership.description != MARKER:
        raise ScaleError(
            f"The partnership '{slug}' was not made by seed_scale; choose another slug "
            "with --partnership."
        )
    return partnership


def existing_points(partnership: Partnership) -> int:
    return DataPoint.objects.filter(indicator__partnership=partnership).count()


def delete_data(partnership: Partnership) -> None:
    """Delete the partnership's data points in two statements (no row-by-row collector);
    history entries stay, detached, as ``on_delete=SET_NULL`` would leave them."""
    DataPointChange.objects.filter(indicator__partnership=partnership).update(data_point=None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {DataPoint._meta.db_table} WHERE indicator_id IN "
            f"(SELECT id FROM {Indicator._meta.db_table} WHERE partnership_id = %s)",
            [partnership.pk],
        )


def _indicator_values(n: int, areas: list[OutcomeArea]) -> dict[str, Any]:
    unit = UNITS[(n // 7) % len(UNITS)]
    frequency = {9: Frequency.QUARTERLY, 3: Frequency.ANNUAL, 6: Frequency.ANNUAL}.get(
        n % 10, Frequency.SCHOOL_YEAR
    )
    kind = {0: IndicatorKind.CORE, 4: IndicatorKind.PERFORMANCE}.get(
        n % 5, IndicatorKind.CONTRIBUTING
    )
    return {
        "name": f"Synthetic indicator {n + 1:03d} ({unit})",
        "outcome_area": areas[n % len(areas)],
        "kind": kind,
        "performance_tag": TAGS[n % 3] if kind == IndicatorKind.PERFORMANCE else "",
        "unit": unit,
        "direction": Direction.LOWER_IS_BETTER if n % 3 == 2 else Direction.HIGHER_IS_BETTER,
        "frequency": frequency,
        "aggregation": AGGREGATION.get(unit, Aggregation.NONE),
        "baseline_period": period_from_span(SPANS[frequency][2]),
    }


def build_series(partnership: Partnership) -> list[SeriesPlan]:
    """Outcome areas, dimensions and indicators; what each indicator's series look like."""
    areas = [
        upsert(
            OutcomeArea,
            {"partnership": partnership, "slug": area.slug},
            {"name": area.name, "order": order, "goal": area.goal},
        )
        for order, area in enumerate(AREAS, start=1)
    ]
    dimensions = {
        d.code: seed_dimension(partnership, d.code, d.name, d.categories) for d in (RACE, INCOME)
    }
    periods = {
        frequency: [period_from_span(span).pk for span in spans]
        for frequency, spans in SPANS.items()
    }
    plans = []
    for n in range(INDICATOR_COUNT):
        values = _indicator_values(n, areas)
        indicator = upsert(Indicator, {"partnership": partnership, "code": f"s{n + 1:03d}"}, values)
        dims = [dimensions[code] for code in DIMENSION_PATTERNS[n % len(DIMENSION_PATTERNS)]]
        if set(indicator.dimensions.all()) != set(dims):
            indicator.dimensions.set(dims)
        category_ids = [c.pk for d in dims for c in d.categories.order_by("order")]
        plans.append(
            SeriesPlan(
                position=n,
                indicator_id=indicator.pk,
                unit=indicator.unit,
                period_ids=periods[indicator.frequency],
                category_ids=[None, *category_ids],
            )
        )
    return plans


def build_geographies(partnership: Partnership, count: int) -> list[int | None]:
    """``count`` geographies in loading order: partnership-wide, the region, then
    districts each followed by their schools; created where missing."""
    existing = {g.code: g for g in Geography.objects.filter(partnership=partnership)}

    def get(code: str, name: str, kind: str, parent: Geography | None) -> Geography:
        if code not in existing:
            existing[code] = geography_create(
                partnership=partnership, code=code, name=name, kind=kind, parent=parent
            )
        return existing[code]

    ids: list[int | None] = [None]
    region = get("REGION", "Synthetic region", GeographyKind.REGION, None)
    district: Geography | None = None
    while len(ids) < count:
        position = len(ids) - 1  # 0 is the region
        if position == 0:
            ids.append(region.pk)
            continue
        d, s = divmod(position - 1, SCHOOLS_PER_DISTRICT + 1)
        if s == 0:
            district = get(f"D{d + 1:03d}", f"District {d + 1}", GeographyKind.DISTRICT, region)
            ids.append(district.pk)
        else:
            code = f"D{d + 1:03d}-S{s:02d}"
            ids.append(get(code, f"School {d + 1}.{s}", GeographyKind.SCHOOL, district).pk)
    return ids


def plan(partnership: Partnership, points: int) -> Plan:
    """The catalogue, and as many geographies as ``points`` needs; indicators take
    their full share in order until the points run out."""
    series = build_series(partnership)
    per_geography = sum(s.capacity(1) for s in series)
    geographies = build_geographies(partnership, max(1, math.ceil(points / per_geography)))
    left = points
    shares = []
    for s in series:
        share = min(left, s.capacity(len(geographies)))
        shares.append(replace(s, points=share))
        left -= share
    return Plan(partnership, points, shares, geographies)
