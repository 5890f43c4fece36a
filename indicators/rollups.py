"""Derived totals: values for geographies that did not report them, rolled up
from their child geographies level by level (school -> district -> region ->
partnership-wide), by the indicator's aggregation rule.

- ``sum``: the sum of the children's values (numerators and denominators are
  summed too when every child has them);
- ``ratio``: the summed numerators over the summed denominators, on the
  indicator's scale (x100 for percents; for rates, the scale the children's
  values show, e.g. per 1,000);
- ``none``: nothing is derived.

A value is derived for a geography, category and period only where the
geography has no reported value and every child that reports this indicator
(any category, any period) has a value for that category and period, so a
missing school never silently shrinks a district's total. Reported values
always win. Pure functions, no database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from .models import Aggregation

SIX_PLACES = Decimal("0.000001")
WIDE = None  # the partnership-wide "geography"


class Cell(NamedTuple):
    """One value of a series (a named tuple: a recompute reads a million of them)."""

    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    n_children: int = 0  # 0: reported

    @property
    def derived(self) -> bool:
        return self.n_children > 0


# (geography id or None, category id or None) -> {period id: Cell}
Series = dict[tuple[int | None, int | None], dict[int, Cell]]


def ratio_scale(cells: Iterable[Cell], is_percent: bool) -> Decimal:
    """The factor between value and numerator/denominator: 100 for a percent;
    otherwise the power of ten the reported values show (1, 1,000, 100,000...)."""
    if is_percent:
        return Decimal(100)
    for cell in cells:
        if cell.numerator and cell.denominator:
            factor = cell.value * cell.denominator / cell.numerator
            if factor > 0:
                exponent = round(factor.log10())
                return Decimal(10) ** exponent
    return Decimal(1)


def _combine(children: list[Cell], aggregation: str, scale: Decimal) -> Cell | None:
    with_ratio = all(c.numerator is not None and c.denominator is not None for c in children)
    num = sum((c.numerator for c in children), Decimal(0)) if with_ratio else None
    den = sum((c.denominator for c in children), Decimal(0)) if with_ratio else None
    if aggregation == Aggregation.SUM:
        value = sum((c.value for c in children), Decimal(0))
    elif aggregation == Aggregation.RATIO:
        if not with_ratio or not den:
            return None
        value = scale * num / den
    else:
        return None
    return Cell(value.quantize(SIX_PLACES), num, den, len(children))


def derive(
    reported: Series,
    parent_of: Mapping[int, int | None],
    depth_of: Mapping[int, int],
    aggregation: str,
    is_percent: bool = False,
) -> Series:
    """The derived cells, keyed like ``reported``; never a key that was reported."""
    if aggregation == Aggregation.NONE or not reported:
        return {}
    scale = ratio_scale((c for cells in reported.values() for c in cells.values()), is_percent)
    children_of: dict[int | None, list[int]] = defaultdict(list)
    for geo, parent in parent_of.items():
        children_of[parent].append(geo)
    values: Series = {key: dict(cells) for key, cells in reported.items()}
    derived: Series = {}
    categories = {cat for _geo, cat in reported}
    # Deepest parents first, the partnership as a whole last.
    parents = sorted(
        (g for g in children_of if g is not WIDE), key=lambda g: depth_of[g], reverse=True
    )
    reporting_geos = {geo for geo, _cat in values}
    for parent in [*parents, WIDE]:
        reporting = [c for c in children_of[parent] if c in reporting_geos]
        if not reporting:
            continue
        for cat in categories:
            # Every child that reports the indicator must have this category's value.
            kids = [values.get((c, cat), {}) for c in reporting]
            own = values.get((parent, cat), {})
            periods = set.intersection(*(set(cells) for cells in kids)) - set(own)
            for period in periods:
                cell = _combine([cells[period] for cells in kids], aggregation, scale)
                if cell is not None:
                    values.setdefault((parent, cat), {})[period] = cell
                    derived.setdefault((parent, cat), {})[period] = cell
                    reporting_geos.add(parent)
    return derived
