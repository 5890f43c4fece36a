"""The partnership's catalogue, read once per import.

Rows name indicators, geographies, dimensions and categories by code or by name;
``Catalogue`` answers those look-ups from dictionaries filled by a fixed number
of queries, however long the file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Generic, TypeVar

from partnership.models import Partnership

from ..models import (
    Category,
    Dimension,
    Geography,
    Indicator,
    IndicatorDimension,
    Period,
)
from ..periods import PeriodSpan

T = TypeVar("T")


@lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


class Lookup(Generic[T]):
    """Objects by code or by exact name, both case-insensitive and trimmed. A code
    wins over a name, so a name that happens to be another object's code is
    still found by that code."""

    def __init__(self, items: Iterable[T], code: Callable[[T], str], name: Callable[[T], str]):
        self.items = list(items)
        self._by_code: dict[str, list[T]] = defaultdict(list)
        self._by_name: dict[str, list[T]] = defaultdict(list)
        for item in self.items:
            self._by_code[_folded(code(item))].append(item)
            self._by_name[_folded(name(item))].append(item)

    def find(self, text: str, where: Callable[[T], bool] | None = None) -> list[T]:
        key = _folded(text)
        for index in (self._by_code, self._by_name):
            found = [item for item in index.get(key, ()) if where is None or where(item)]
            if found:
                return found
        return []


def _by_code_and_name(items: Iterable[T]) -> Lookup[T]:
    return Lookup(items, code=lambda o: o.code, name=lambda o: o.name)


class Catalogue:
    """One partnership's indicators, geographies, dimensions and categories."""

    def __init__(self, partnership: Partnership):
        self.partnership = partnership
        indicators = Indicator.objects.filter(partnership=partnership).select_related(
            "steward", "partnership"
        )
        self.indicators = _by_code_and_name(indicators.order_by("code"))
        self.geographies = _by_code_and_name(
            Geography.objects.filter(partnership=partnership).order_by("path")
        )
        self.dimensions = _by_code_and_name(
            Dimension.objects.filter(partnership=partnership).order_by("code")
        )
        self.categories = _by_code_and_name(
            Category.objects.filter(dimension__partnership=partnership)
            .select_related("dimension")
            .order_by("dimension__code", "order")
        )
        self.indicator_dimensions: dict[int, set[int]] = defaultdict(set)
        for indicator_id, dimension_id in IndicatorDimension.objects.filter(
            indicator__partnership=partnership
        ).values_list("indicator_id", "dimension_id"):
            self.indicator_dimensions[indicator_id].add(dimension_id)

    def examples(self, lookup: Lookup[T], where: Callable[[T], bool] | None = None) -> str:
        """A few codes to show in a message, e.g. "k-ready, g3-reading"."""
        codes = [item.code for item in lookup.items if where is None or where(item)]  # type: ignore[attr-defined]
        return ", ".join(codes[:3]) + (", ..." if len(codes) > 3 else "")

    def categories_of(self, indicator: Indicator) -> Callable[[Category], bool]:
        dimension_ids = self.indicator_dimensions.get(indicator.pk, set())
        return lambda category: category.dimension_id in dimension_ids


def periods_for(spans: Iterable[PeriodSpan]) -> dict[tuple[str, str], Period]:
    """The Period rows that exist for these spans, by (kind, label); one query."""
    wanted = {(span.kind, span.label) for span in spans}
    labels = {label for _, label in wanted}
    found = Period.objects.filter(label__in=labels)
    return {(p.kind, p.label): p for p in found if (p.kind, p.label) in wanted}
