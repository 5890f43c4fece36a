"""Resolving and checking the rows of an import for one partnership and one user.

Each row goes through two steps. ``RowChecker.resolve`` finds what the row is
about (indicator, period, geography, category) and whether the user may write
it; once the existing data points of the whole file are read, ``settle`` checks
the values against the indicator and classifies the row as create, update,
unchanged or error. The value rules are the services' own (``validate_values``,
``validate_series_key``); this module only finds the objects and says where in
the file a problem is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from partnership.models import Partnership
from partnership.permissions import Action, can

from ..locks import locked_period_labels
from ..models import Category, DataPoint, DataStatus, Geography, Indicator, Period
from ..periods import PeriodError, PeriodSpan, parse_period
from ..services import decimal_text, snapshot, validate_series_key, validate_values
from .catalogue import Catalogue, periods_for
from .points import VALUE_FIELDS, PointFields, PointKey, change_point, existing_points
from .readers import RawRow, Table
from .results import Issue, RowStatus

SOURCE_MAX_LENGTH = DataPoint._meta.get_field("source").max_length


@dataclass(slots=True)
class RowPlan:
    """One row of the file: what it refers to, what it would change, its issues."""

    raw: RawRow
    issues: list[Issue] = field(default_factory=list)
    indicator: Indicator | None = None
    span: PeriodSpan | None = None
    period: Period | None = None  # None until the period exists in the database
    geography: Geography | None = None
    category: Category | None = None
    key_found: bool = False  # indicator, period, geography and category all found
    # The existing data point (changed in memory by settle), or the one a create adds.
    point: PointFields | None = None
    status: RowStatus = RowStatus.ERROR
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None

    def problem(self, column: str, message: str) -> None:
        self.issues.append(Issue(self.raw.number, column, self.raw.cells.get(column, ""), message))

    @property
    def file_key(self) -> tuple[Any, ...] | None:
        """The data point this row is about, as far as the file can tell."""
        if not self.key_found or self.indicator is None or self.span is None:
            return None
        geography_id = self.geography.pk if self.geography else None
        category_id = self.category.pk if self.category else None
        return (self.indicator.pk, self.span.label, geography_id, category_id)

    @property
    def point_key(self) -> PointKey | None:
        if self.indicator is None or self.period is None:
            return None
        geography_id = self.geography.pk if self.geography else None
        category_id = self.category.pk if self.category else None
        return (self.indicator.pk, self.period.pk, geography_id, category_id)


class RowChecker:
    """Checks rows for one catalogue and one user, remembering every answer that
    does not depend on the row (periods, permissions, series rules) so a file of
    100,000 rows asks each question once."""

    def __init__(self, catalogue: Catalogue, user: Any, table: Table):
        self.catalogue = catalogue
        self.user = user
        self.table = table
        self._spans: dict[tuple[str, str], PeriodSpan | str] = {}
        self._refusals: dict[tuple[int, str | None], tuple[str, str] | None] = {}
        self._series: dict[tuple[Any, ...], dict[str, list[str]]] = {}
        self._locked = locked_period_labels(partnership=catalogue.partnership)

    # --- step 1: what the row is about ------------------------------------

    def resolve(self, raw: RawRow) -> RowPlan:
        plan = RowPlan(raw)
        plan.indicator = self._indicator(plan)
        if plan.indicator is None:
            return plan
        plan.span = self._span(plan, plan.indicator)
        plan.geography = self._geography(plan)
        plan.category = self._category(plan, plan.indicator)
        plan.key_found = not plan.issues
        self._check_series(plan, plan.indicator)
        self.check_writable(plan, plan.indicator)
        return plan

    def _indicator(self, plan: RowPlan) -> Indicator | None:
        text = plan.raw.cells.get("indicator", "")
        found = self.catalogue.indicators.find(text) if text else []
        if len(found) == 1:
            return found[0]
        examples = self.catalogue.examples(self.catalogue.indicators)
        if not text:
            message = f"The indicator is empty; give its code ({examples})."
        elif found:
            codes = ", ".join(i.code for i in found)
            message = f"Several indicators are named '{text}' ({codes}); use the code."
        else:
            message = (
                f"There is no indicator '{text}' in {self.catalogue.partnership.name}; use an "
                f"indicator code ({examples}) or its exact name."
            )
        plan.problem("indicator", message)
        return None

    def _span(self, plan: RowPlan, indicator: Indicator) -> PeriodSpan | None:
        text = plan.raw.cells.get("period", "")
        key = (text, indicator.period_kind)
        if key not in self._spans:
            try:
                self._spans[key] = parse_period(text, indicator.period_kind)
            except PeriodError as exc:
                self._spans[key] = str(exc)
        span = self._spans[key]
        if isinstance(span, str):
            plan.problem("period", span)
            return None
        return span

    def _geography(self, plan: RowPlan) -> Geography | None:
        text = plan.raw.cells.get("geography", "")
        if not text:
            return None  # partnership-wide
        found = self.catalogue.geographies.find(text)
        if len(found) == 1:
            return found[0]
        if found:
            codes = ", ".join(g.code for g in found)
            plan.problem(
                "geography", f"Several geographies are named '{text}' ({codes}); use the code."
            )
        else:
            examples = self.catalogue.examples(self.catalogue.geographies) or "none yet"
            plan.problem(
                "geography",
                f"There is no geography '{text}'; use a geography code ({examples}) or its exact "
                "name, or leave it empty for partnership-wide data.",
            )
        return None

    def _category(self, plan: RowPlan, indicator: Indicator) -> Category | None:
        cells = plan.raw.cells
        text, dimension_text = cells.get("category", ""), cells.get("dimension", "")
        if not text:
            if dimension_text:
                plan.problem(
                    "dimension",
                    "A dimension is given without a category; give the category too, or "
                    "leave both empty for the total.",
                )
            return None  # the total
        if dimension_text:
            return self._category_in_dimension(plan, text, dimension_text)
        categories = self.catalogue.categories
        found = categories.find(text, self.catalogue.categories_of(indicator)) or categories.find(
            text
        )
        if len(found) > 1:
            names = " and ".join(sorted({c.dimension.name for c in found}))
            plan.problem(
                "category",
                f"'{text}' is a category of {names}; say which in the dimension column.",
            )
            return None
        if not found:
            examples = self.catalogue.examples(categories, self.catalogue.categories_of(indicator))
            hint = (
                f"use one of {indicator.code}'s category codes ({examples}) or " if examples else ""
            )
            plan.problem(
                "category",
                f"There is no category '{text}'; {hint}leave it empty for the total.",
            )
            return None
        return found[0]

    def _category_in_dimension(
        self, plan: RowPlan, text: str, dimension_text: str
    ) -> Category | None:
        dimensions = self.catalogue.dimensions.find(dimension_text)
        if len(dimensions) != 1:
            examples = self.catalogue.examples(self.catalogue.dimensions) or "none yet"
            plan.problem(
                "dimension",
                f"There is no single dimension '{dimension_text}'; use a dimension code "
                f"({examples}), or leave it empty.",
            )
            return None
        dimension = dimensions[0]
        dimension_id = dimension.pk

        def in_dimension(category: Category) -> bool:
            return category.dimension_id == dimension_id

        found = self.catalogue.categories.find(text, in_dimension)
        if not found:
            examples = self.catalogue.examples(self.catalogue.categories, in_dimension)
            plan.problem(
                "category",
                f"{dimension.name} has no category '{text}'; its categories are {examples}.",
            )
            return None
        return found[0]

    def _check_series(self, plan: RowPlan, indicator: Indicator) -> None:
        """The services' rules for geography and category, asked once per
        (indicator, geography's partnership, category's dimension)."""
        geography, category = plan.geography, plan.category
        key = (
            indicator.pk,
            geography.partnership_id if geography else None,
            category.dimension_id if category else None,
        )
        if key not in self._series:
            try:
                validate_series_key(indicator=indicator, geography=geography, category=category)
                self._series[key] = {}
            except ValidationError as exc:
                self._series[key] = exc.message_dict
        for column, messages in self._series[key].items():
            for message in messages:
                plan.problem(column, message)

    def check_writable(self, plan: RowPlan, indicator: Indicator) -> None:
        """The one place that decides whether this user may write this row.

        Every check that can refuse a row for who is writing or what it writes to
        (the right to enter data for the indicator; a locked period, once periods
        can be locked) belongs in ``_refusal``, and nowhere else in the import."""
        key = (indicator.pk, plan.span.label if plan.span else None)
        if key not in self._refusals:
            self._refusals[key] = self._refusal(indicator, plan.span)
        if refusal := self._refusals[key]:
            plan.problem(*refusal)

    def _refusal(self, indicator: Indicator, span: PeriodSpan | None) -> tuple[str, str] | None:
        """Why this user may not write data of this indicator and period, as
        (column, message), or None. Asked once per indicator and period."""
        if not can(self.user, Action.ENTER_DATA, indicator):
            steward = indicator.steward.name if indicator.steward else "backbone staff alone"
            return (
                "indicator",
                f"You may not enter data for {indicator.code}: it is stewarded by {steward}. "
                "Remove its rows, or ask a member of that organization to import them.",
            )
        if span is not None and (span.kind, span.label) in self._locked:
            return (
                "period",
                f"{span.label} is locked for {self.catalogue.partnership}: approved data "
                "for it was published. Remove its rows, or ask backbone staff to unlock it.",
            )
        return None

    # --- step 2: the values, against the existing data point ---------------

    def settle(self, plan: RowPlan, point: PointFields | None) -> None:
        """Check the row's values and classify it; ``point`` is the existing data
        point for its key, if any. Columns the file leaves out keep the existing
        point's values, as in an edit that changes only some fields."""
        plan.point = point
        values = self._values(plan)
        if plan.issues or plan.indicator is None:
            plan.status = RowStatus.ERROR
            return
        note, source = self._text(plan, "note"), self._text(plan, "source")
        if point is None:
            plan.point = new_point(plan, values, note, source)
            plan.new = snapshot(plan.point)
            plan.status = RowStatus.CREATE
            return
        plan.old, plan.new = change_point(point, values, note, source)
        plan.status = RowStatus.UNCHANGED if plan.new == plan.old else RowStatus.UPDATE

    def _given(self, plan: RowPlan, column: str) -> Any:
        if column in self.table.columns:
            return plan.raw.cells[column]
        kept = getattr(plan.point, column) if plan.point is not None else None
        return decimal_text(kept) if isinstance(kept, Decimal) else kept

    def _values(self, plan: RowPlan) -> dict[str, Any]:
        if plan.indicator is None or self._decimal_commas(plan):
            return {}
        given = {column: self._given(plan, column) for column in VALUE_FIELDS}
        try:
            clean = validate_values(indicator=plan.indicator, **given)
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                for message in messages:
                    plan.problem(column, message)
            return {}
        return {
            "value": clean.value,
            "numerator": clean.numerator,
            "denominator": clean.denominator,
        }

    def _decimal_commas(self, plan: RowPlan) -> bool:
        """Semicolon files come from locales that write 48,5 for 48.5; the services
        read a comma as a thousands separator, so refuse the guess."""
        if self.table.delimiter != ";":
            return False
        found = False
        for column in VALUE_FIELDS:
            if "," in plan.raw.cells.get(column, ""):
                plan.problem(
                    column,
                    "This number has a comma; write the decimal point as '.', e.g. 48.5, "
                    "and no thousands separator.",
                )
                found = True
        return found

    def _text(self, plan: RowPlan, column: str) -> str:
        text = self._given(plan, column) or ""
        if column == "source" and len(text) > SOURCE_MAX_LENGTH:
            plan.problem(
                "source", f"The source is longer than {SOURCE_MAX_LENGTH} characters; shorten it."
            )
        return text


def new_point(plan: RowPlan, values: dict[str, Any], note: str, source: str) -> PointFields:
    """The draft a create row would add (its period is set when it is written)."""
    assert plan.indicator is not None
    return PointFields(
        indicator_id=plan.indicator.pk,
        period_id=plan.period.pk if plan.period else None,
        geography_id=plan.geography.pk if plan.geography else None,
        category_id=plan.category.pk if plan.category else None,
        note=note,
        source=source,
        status=DataStatus.DRAFT,
        **values,
    )


def mark_duplicates(plans: list[RowPlan]) -> None:
    """Two rows about the same data point: an error on each, naming both."""
    rows: dict[tuple[Any, ...], list[RowPlan]] = defaultdict(list)
    for plan in plans:
        if (key := plan.file_key) is not None:
            rows[key].append(plan)
    for same in rows.values():
        if len(same) < 2:
            continue
        numbers = [p.raw.number for p in same]
        listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
        for plan in same:
            plan.problem(
                "indicator",
                f"Rows {listed} are about the same data point (indicator, period, geography "
                "and category); keep only one of them.",
            )


def plan_rows(
    table: Table,
    partnership: Partnership,
    user: Any,
    *,
    lock: bool,
    on_rows: Callable[[int], None] | None = None,
    every: int = 5_000,
) -> list[RowPlan]:
    """Every row of the table, resolved, checked and classified against the data
    as it is now; with ``lock``, the existing points stay locked until the
    transaction ends. A fixed number of queries for the catalogue, one for the
    periods, and one per hundred indicators for the existing points.
    ``on_rows(n)`` is told every ``every`` rows resolved (for a progress bar)."""
    checker = RowChecker(Catalogue(partnership), user, table)
    plans = []
    for raw in table.rows:
        plans.append(checker.resolve(raw))
        if on_rows is not None and len(plans) % every == 0:
            on_rows(len(plans))
    mark_duplicates(plans)
    periods = periods_for(plan.span for plan in plans if plan.span)
    pairs: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        if plan.span is not None and plan.indicator is not None:
            plan.period = periods.get((plan.span.kind, plan.span.label))
            if plan.period is not None:
                pairs[plan.indicator.pk].add(plan.period.pk)
    existing = existing_points(pairs, lock=lock)
    for plan in plans:
        key = plan.point_key
        checker.settle(plan, existing.get(key) if key else None)
    return plans
