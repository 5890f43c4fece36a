"""The short sentence a report prints under each indicator's chart, computed from
its trend, and the formatting of values by unit that the sentence and the tables
share:

    Kindergarten readiness rose from 48.0% in 2018-19 to 57.2% in 2023-24; on
    track for its 2025-26 target of 60%.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from indicators import trends
from indicators.models import Unit

_ONE_PLACE = Decimal("0.1")
_WHOLE = Decimal("1")


def _rounded(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def _trimmed(value: Decimal) -> str:
    """A number without trailing zeros, grouped by thousands: 60, 12.5, 1,250."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: Decimal | float | None, unit: str, *, exact: bool = False) -> str:
    """A value as a report prints it: counts and money whole, percents
    with one decimal, rates and scores with one decimal unless whole (a score of
    245); grouped by thousands. ``exact`` keeps the value's own
    precision without trailing zeros (targets: "60%", not "60.0%")."""
    if value is None:
        return "–"
    value = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if exact:
        text = _trimmed(value.normalize())
    elif unit in (Unit.COUNT, Unit.CURRENCY) or (
        unit != Unit.PERCENT and value == value.to_integral_value()
    ):
        text = f"{_rounded(value, _WHOLE):,}"
    else:
        text = f"{_rounded(value, _ONE_PLACE):,}"
    if unit == Unit.PERCENT:
        return f"{text}%"
    if unit == Unit.CURRENCY:
        return f"${text}" if not text.startswith("-") else f"-${text[1:]}"
    return text


def format_change(value: Decimal | None, unit: str) -> str:
    """A change with its sign: +9.2 points for percents, +120 for counts."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    if unit == Unit.PERCENT:
        return f"{sign}{_rounded(value, _ONE_PLACE):,} points"
    return sign + format_value(value, unit)


def format_gap(value: Decimal | None, unit: str) -> str:
    """An equity gap: percentage points for percents, the unit's own form otherwise."""
    if value is None:
        return "–"
    if unit == Unit.PERCENT:
        return f"{_rounded(value, _ONE_PLACE):,} points"
    return format_value(value, unit)


def trend_sentence(
    *,
    indicator: Any,
    figures: trends.Figures,
    baseline_label: str | None,
    latest_label: str | None,
    suppressed: bool = False,
    min_cell_size: int = 10,
) -> str:
    """One sentence saying how the indicator moved from its baseline to its latest
    value and, with a target, whether it is on track. ``indicator`` needs ``name``,
    ``unit``, ``target_value`` and ``target_period`` (with a ``label``)."""
    name, unit = indicator.name, indicator.unit
    if figures.n_points == 0:
        return f"{name} has no approved data in this period."
    if suppressed:
        return (
            f"{name}: {_status_words(figures.status)} from {baseline_label} to {latest_label}; "
            f"the values rest on groups smaller than {min_cell_size} and are not shown."
        )
    latest = format_value(figures.latest_value, unit)
    if figures.n_points == 1:
        return f"{name} was {latest} in {latest_label}; a trend needs at least two values."
    baseline = format_value(figures.baseline_value, unit)
    if figures.latest_value > figures.baseline_value:
        moved = f"rose from {baseline} in {baseline_label} to {latest} in {latest_label}"
    elif figures.latest_value < figures.baseline_value:
        moved = f"fell from {baseline} in {baseline_label} to {latest} in {latest_label}"
    else:
        moved = f"held at {latest} from {baseline_label} to {latest_label}"
    return f"{name} {moved}{_target_clause(indicator, figures)}."


def _status_words(status: str) -> str:
    return {
        "improving": "improving",
        "worsening": "worsening",
        "no_change": "no meaningful change",
        "insufficient_data": "too little data for a trend",
    }[status]


def _target_clause(indicator: Any, figures: trends.Figures) -> str:
    if indicator.target_value is None or figures.on_track is None:
        return ""
    target = format_value(indicator.target_value, indicator.unit, exact=True)
    when = indicator.target_period.label
    if figures.on_track:
        return f"; on track for its {when} target of {target}"
    projected = format_value(Decimal(str(round(figures.projection, 6))), indicator.unit)
    return f"; not on track for its {when} target of {target} (the trend points to {projected})"
