"""Which computed figures rest on small groups: the denominators under each
trend's equity gap. The rule itself (``partnership.privacy.cell_policy``) decides
whether a denominator is too small; this module only finds the denominators."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Q

from .models import DataPoint, DataStatus, DerivedPoint, EquityGap, Trend


def equity_gap_denominators(*, trends: Sequence[Trend]) -> dict[int, list[Decimal | None]]:
    """By trend id, the denominators of every category value its equity gap was
    taken from: each category of the gap's dimension, in the trend's geography, at
    the gap's latest and baseline periods (the reported point, else the derived
    one). A gap is as small a group as its smallest category. Two queries for the
    gaps' periods and values, whatever the number of trends; none without gaps."""
    with_gap = [t for t in trends if t.equity_gap is not None and t.equity_dimension_id]
    if not with_gap:
        return {}
    gaps = EquityGap.objects.filter(
        indicator_id__in={t.indicator_id for t in with_gap},
        dimension_id__in={t.equity_dimension_id for t in with_gap},
    ).values_list("indicator_id", "geography_id", "dimension_id", "latest_period_id",
                  "baseline_period_id")  # fmt: skip
    periods = {(i, g, d): {latest, baseline} - {None} for i, g, d, latest, baseline in gaps}
    geographies = {t.geography_id for t in with_gap}
    where = Q(geography_id__in=geographies - {None})
    if None in geographies:
        where |= Q(geography__isnull=True)
    where &= Q(
        indicator_id__in={t.indicator_id for t in with_gap},
        category__dimension_id__in={t.equity_dimension_id for t in with_gap},
        period_id__in={p for found in periods.values() for p in found},
    )
    found: dict[tuple, Decimal | None] = {}
    for rows in (  # reported values win over derived ones: read them last
        DerivedPoint.objects.filter(where),
        DataPoint.objects.filter(where, status=DataStatus.APPROVED),
    ):
        for *key, denominator in rows.values_list(
            "indicator_id", "geography_id", "category__dimension_id", "period_id",
            "category_id", "denominator",
        ):  # fmt: skip
            found[tuple(key)] = denominator
    by_gap: dict[tuple, list[Decimal | None]] = defaultdict(list)
    for (indicator, geography, dimension, period, _category), denominator in found.items():
        if period in periods.get((indicator, geography, dimension), ()):
            by_gap[(indicator, geography, dimension)].append(denominator)
    return {
        t.pk: by_gap.get((t.indicator_id, t.geography_id, t.equity_dimension_id), [])
        for t in with_gap
    }
