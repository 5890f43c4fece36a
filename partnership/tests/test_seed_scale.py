"""seed_scale loads exactly the number of points asked for, and only into its own partnership."""

from __future__ import annotations

import math
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from indicators.models import DataPoint, DataPointChange, DataStatus, Geography
from partnership import scale
from partnership.models import Partnership

from .factories import PartnershipFactory


def _seed(points: int, *args: str) -> str:
    out = StringIO()
    call_command("seed_scale", "--points", str(points), "--quiet", *args, stdout=out)
    return out.getvalue()


def _points(slug: str = "scale") -> Any:
    return DataPoint.objects.filter(indicator__partnership__slug=slug)


def test_loads_exactly_the_points_asked_for(db: Any) -> None:
    output = _seed(5000)
    assert _points().count() == 5000
    assert _points().filter(status=DataStatus.APPROVED).count() == 5000
    assert not DataPointChange.objects.exists()  # benchmarks need no history
    assert _points().filter(denominator__lt=10).exists()  # small cells to suppress
    assert "Loaded 5,000 data points" in output


def test_refuses_to_load_twice_unless_asked_to_replace(db: Any) -> None:
    _seed(1200)
    with pytest.raises(CommandError, match="--replace"):
        _seed(1200)
    _seed(700, "--replace")
    assert _points().count() == 700


def test_leaves_other_partnerships_alone(db: Any) -> None:
    PartnershipFactory(slug="riverside")
    with pytest.raises(CommandError, match="not made by seed_scale"):
        _seed(10, "--partnership", "riverside")


def test_plans_enough_geographies_for_a_million_points(db: Any) -> None:
    partnership = scale.scale_partnership("scale")
    plan = scale.plan(partnership, 1_000_000)
    per_geography = sum(s.capacity(1) for s in plan.series)
    assert sum(s.points for s in plan.series) == 1_000_000
    assert len(plan.geography_ids) == math.ceil(1_000_000 / per_geography)
    kinds = set(Geography.objects.filter(partnership=partnership).values_list("kind", flat=True))
    assert kinds == {"region", "district", "school"}
    assert Partnership.objects.get(slug="scale").indicators.count() == scale.INDICATOR_COUNT
