"""Resolving and checking the rows of an import for one partnership and one user.

Each row goes through two steps. ``RowChecker.resolve`` finds what the row is
about (indicator, period, geography, category) and whether the user may write
it; once the existing data points of the whole file are read, ``settle`` checks
the values against the indicator and classifies the row as create, update,
unchanged or error. The value rules are the services' own (``validate_values``,
``validate_series_key``); this module only finds the objects and says where in
the file a problem is.

A file of 100,000 rows names a few hundred indicators, periods, geographies and
categories, so every answer that depends on one cell (or on the indicator and
one cell) is worked out once and remembered, problems included: resolving a
row is a handful of dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from partnership.models import Partnership
from partnership.permissions import Action, can

from ..locks import locked_period_labels
from ..models import Category, DataPoint, DataStatus, Geography, Indicator
from ..periods import PeriodError, PeriodSpan, parse_period
from ..services import decimal_text, validate_series_key, validate_values
from .catalogue import Catalogue, periods_for
from .points import VALUE_FIELDS, PointFields, PointKey, Tracked, change_point, existing_points
from .readers import COLUMNS, RawRow, Table
from .results import Issue, RowStatus

SOURCE_MAX_LENGTH = DataPoint._meta.get_field("source").max_length
# Rows are read by position: the key's five columns, then the three numbers.
assert COLUMNS[:8] == (
    "indicator",
    "period",
    "geography",
    "dimension",
    "category",
    *VALUE_FIELDS,
)
# (column, message): a problem found once and given to every row it concerns.
Problem = tuple[str, str]
NO_PROBLEMS: tuple[Problem, ...] = ()


@dataclass(slots=True)
class RowPlan:
    """One row of the file: what it refers to, what it would change, its issues.

    ``new`` holds the tracked fields the row would write (create and update) or
    finds already stored (unchanged); ``point`` is the existing data point."""

    raw: RawRow
    issues: list[Issue] | None = None  # None until the row has a problem
    indicator: Indicator | None = None
    span: PeriodSpan | None = None
    geography: Geography | None = None
    category: Category | None = None
    key_found: bool = False  # indicator, period, geography and category all found
    point: PointFields | None = None
    status: RowStatus = RowStatus.ERROR
    new: Tracked | None = None

    def problem(self, column: str, message: str) -> None:
        issue = Issue(self.raw.number, column, self.raw.get(column), message)
        if self.issues is None:
            self.issues = [issue]
        else:
            self.issues.append(issue)

    def problems(self, found: tuple[Problem, ...]) -> None:
        for column, message in found:
            self.problem(column, message)

    @property
    def file_key(self) -> tuple[Any, ...] | None:
        """The data point this row is about, as far as the file can tell."""
        if not self.key_found or self.indicator is None or self.span is None:
            return None
        geography_id = self.geography.id if self.geography else None
        category_id = self.category.id if self.category else None
        return (self.indicator.id, self.span.label, geography_id, category_id)

    @property
    def old(self) -> Tracked | None:
        return self.point.tracked if self.point is not None else None


def _remembered(
    cache: dict[Any, Any], key: Hashable, find: Callable[[], tuple[Any, tuple[Problem, ...]]]
) -> tuple[Any, tuple[Problem, ...]]:
    found = cache.get(key)
    if found is None:
        found = cache[key] = find()
    return found


class RowChecker:
    """Checks rows for one catalogue and one user, remembering every answer that
    does not depend on the row (names, periods, permissions, series rules) so a
    file of 100,000 rows asks each question once."""

    def __init__(self, catalogue: Catalogue, user: Any, table: Table):
        self.catalogue = catalogue
        self.user = user
        self.table = table
        self._indicators: dict[str, tuple[Indicator | None, tuple[Problem, ...]]] = {}
        self._spans: dict[tuple[str, str], tuple[PeriodSpan | None, tuple[Problem, ...]]] = {}
        self._geographies: dict[str, tuple[Geography | None, tuple[Problem, ...]]] = {}
        self._categories: dict[tuple[Any, ...], tuple[Category | None, tuple[Problem, ...]]] = {}
        self._series: dict[tuple[Any, ...], tuple[None, tuple[Problem, ...]]] = {}
        self._refusals: dict[tuple[int, str | None], tuple[None, tuple[Problem, ...]]] = {}
        self._locked = locked_period_labels(partnership=catalogue.partnership)
        # The value columns the file has; the others keep the existing point's values.
        self._all_values = all(column in table.columns for column in VALUE_FIELDS)
        self._given_columns = {c for c in (*VALUE_FIELDS, "note", "source") if c in table.columns}

    # --- step 1: what the row is about ------------------------------------

    def resolve(self, raw: RawRow) -> RowPlan:
        plan = RowPlan(raw)
        text, period, geography, dimension, category = raw.values[:5]
        indicator, problems = _remembered(self._indicators, text, lambda: self._indicator(text))
        if indicator is None:
            plan.problems(problems)
            return plan
        plan.indicator = indicator
        plan.span, span_problems = _remembered(
            self._spans, (period, indicator.period_kind), lambda: self._span(period, indicator)
        )
        plan.geography, geography_problems = _remembered(
            self._geographies, geography, lambda: self._geography(geography)
        )
        plan.category, category_problems = _remembered(
            self._categories,
            (indicator.id, dimension, category),
            lambda: self._category(indicator, category, dimension),
        )
        if span_problems or geography_problems or category_problems:
            plan.problems(span_problems + geography_problems + category_problems)
        else:
            plan.key_found = True
        self._check_series(plan, indicator)
        self.check_writable(plan, indicator)
        return plan

    def _indicator(self, text: str) -> tuple[Indicator | None, tuple[Problem, ...]]:
        found = self.catalogue.indicators.find(text) if text else []
        if len(found) == 1:
            return found[0], NO_PROBLEMS
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
        return None, (("indicator", message),)

    def _span(
        self, text: str, indicator: Indicator
    ) -> tuple[PeriodSpan | None, tuple[Problem, ...]]:
        try:
            return parse_period(text, indicator.period_kind), NO_PROBLEMS
        except PeriodError as exc:
            return None, (("period", str(exc)),)

    def _geography(self, text: str) -> tuple[Geography | None, tuple[Problem, ...]]:
        if not text:
            return None, NO_PROBLEMS  # partnership-wide
        found = self.catalogue.geographies.find(text)
        if len(found) == 1:
            return found[0], NO_PROBLEMS
        if found:
            codes = ", ".join(g.code for g in found)
            message = f"Several geographies are named '{text}' ({codes}); use the code."
        else:
            examples = self.catalogue.examples(self.catalogue.geographies) or "none yet"
            message = (
                f"There is no geography '{text}'; use a geography code ({examples}) or its exact "
                "name, or leave it empty for partnership-wide data."
            )
        return None, (("geography", message),)

    def _category(
        self, indicator: Indicator, text: str, dimension_text: str
    ) -> tuple[Category | None, tuple[Problem, ...]]:
        if not text:
            if dimension_text:
                message = (
                    "A dimension is given without a category; give the category too, or "
                    "leave both empty for the total."
                )
                return None, (("dimension", message),)
            return None, NO_PROBLEMS  # the total
        if dimension_text:
            return self._category_in_dimension(text, dimension_text)
        categories = self.catalogue.categories
        found = categories.find(text, self.catalogue.categories_of(indicator)) or categories.find(
            text
        )
        if len(found) > 1:
            names = " and ".join(sorted({c.dimension.name for c in found}))
            message = f"'{text}' is a category of {names}; say which in the dimension column."
            return None, (("category", message),)
        if not found:
            examples = self.catalogue.examples(categories, self.catalogue.categories_of(indicator))
            hint = (
                f"use one of {indicator.code}'s category codes ({examples}) or " if examples else ""
            )
            message = f"There is no category '{text}'; {hint}leave it empty for the total."
            return None, (("category", message),)
        return found[0], NO_PROBLEMS

    def _category_in_dimension(
        self, text: str, dimension_text: str
    ) -> tuple[Category | None, tuple[Problem, ...]]:
        dimensions = self.catalogue.dimensions.find(dimension_text)
        if len(dimensions) != 1:
            examples = self.catalogue.examples(self.catalogue.dimensions) or "none yet"
            message = (
                f"There is no single dimension '{dimension_text}'; use a dimension code "
                f"({examples}), or leave it empty."
            )
            return None, (("dimension", message),)
        dimension = dimensions[0]
        dimension_id = dimension.pk

        def in_dimension(category: Category) -> bool:
            return category.dimension_id == dimension_id

        found = self.catalogue.categories.find(text, in_dimension)
        if not found:
            examples = self.catalogue.examples(self.catalogue.categories, in_dimension)
            message = f"{dimension.name} has no category '{text}'; its categories are {examples}."
            return None, (("category", message),)
        return found[0], NO_PROBLEMS

    def _check_series(self, plan: RowPlan, indicator: Indicator) -> None:
        """The services' rules for geography and category, asked once per
        (indicator, geography's partnership, category's dimension)."""
        geography, category = plan.geography, plan.category
        key = (
            indicator.id,
            geography.partnership_id if geography else None,
            category.dimension_id if category else None,
        )
        _, problems = _remembered(
            self._series, key, lambda: self._series_problems(indicator, geography, category)
        )
        plan.problems(problems)

    @staticmethod
    def _series_problems(
        indicator: Indicator, geography: Geography | None, category: Category | None
    ) -> tuple[None, tuple[Problem, ...]]:
        try:
            validate_series_key(indicator=indicator, geography=geography, category=category)
        except ValidationError as exc:
            return None, tuple(
                (column, message)
                for column, messages in exc.message_dict.items()
                for message in messages
            )
        return None, NO_PROBLEMS

    def check_writable(self, plan: RowPlan, indicator: Indicator) -> None:
        """The one place that decides whether this user may write this row.

        Every check that can refuse a row for who is writing or what it writes to
        (the right to enter data for the indicator; a locked period) belongs in
        ``_refusal``, and nowhere else in the import."""
        span = plan.span
        key = (indicator.id, span.label if span else None)
        _, problems = _remembered(self._refusals, key, lambda: self._refusal(indicator, span))
        plan.problems(problems)

    def _refusal(
        self, indicator: Indicator, span: PeriodSpan | None
    ) -> tuple[None, tuple[Problem, ...]]:
        """Why this user may not write data of this indicator and period, as
        (column, message), or nothing. Asked once per indicator and period."""
        if not can(self.user, Action.ENTER_DATA, indicator):
            steward = indicator.steward.name if indicator.steward else "backbone staff alone"
            message = (
                f"You may not enter data for {indicator.code}: it is stewarded by {steward}. "
                "Remove its rows, or ask a member of that organization to import them."
            )
            return None, (("indicator", message),)
        if span is not None and (span.kind, span.label) in self._locked:
            message = (
                f"{span.label} is locked for {self.catalogue.partnership}: approved data "
                "for it was published. Remove its rows, or ask backbone staff to unlock it."
            )
            return None, (("period", message),)
        return None, NO_PROBLEMS

    # --- step 2: the values, against the existing data point ---------------

    def settle(self, plan: RowPlan, point: PointFields | None) -> None:
        """Check the row's values and classify it; ``point`` is the existing data
        point for its key, if any. Columns the file leaves out keep the existing
        point's values, as in an edit that changes only some fields."""
        plan.point = point
        values = self._values(plan) if plan.indicator is not None else None
        if plan.issues or values is None:
            plan.status = RowStatus.ERROR
            return
        note, source = self._text(plan, "note"), self._text(plan, "source")
        if plan.issues:
            plan.status = RowStatus.ERROR
            return
        if point is None:
            plan.new = (*values, note, source, DataStatus.DRAFT)  # type: ignore[assignment]
            plan.status = RowStatus.CREATE
            return
        plan.new = change_point(point, (*values, note, source, point.status))  # type: ignore[arg-type]
        plan.status = RowStatus.UNCHANGED if plan.new == point.tracked else RowStatus.UPDATE

    def _given(self, plan: RowPlan, column: str) -> Any:
        if column in self._given_columns:
            return plan.raw.get(column)
        kept = getattr(plan.point, column) if plan.point is not None else None
        return decimal_text(kept) if column in VALUE_FIELDS and kept is not None else kept

    def _values(self, plan: RowPlan) -> tuple[Any, ...] | None:
        """The row's clean value, numerator and denominator; None after a problem."""
        assert plan.indicator is not None
        if self._decimal_commas(plan):
            return None
        if self._all_values:
            given = plan.raw.values[5:8]
        else:
            given = tuple(self._given(plan, column) for column in VALUE_FIELDS)
        values, problems = self._check_values(plan.indicator, given)
        plan.problems(problems)
        return values

    @staticmethod
    def _check_values(
        indicator: Indicator, given: tuple[Any, ...]
    ) -> tuple[tuple[Any, ...] | None, tuple[Problem, ...]]:
        try:
            value, numerator, denominator = given
            clean = validate_values(
                indicator=indicator, value=value, numerator=numerator, denominator=denominator
            )
        except ValidationError as exc:
            return None, tuple(
                (column, message)
                for column, messages in exc.message_dict.items()
                for message in messages
            )
        return (clean.value, clean.numerator, clean.denominator), NO_PROBLEMS

    def _decimal_commas(self, plan: RowPlan) -> bool:
        """Semicolon files come from locales that write 48,5 for 48.5; the services
        read a comma as a thousands separator, so refuse the guess."""
        if self.table.delimiter != ";":
            return False
        found = False
        for column in VALUE_FIELDS:
            if "," in plan.raw.get(column):
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


def mark_duplicates(plans: list[RowPlan]) -> None:
    """Two rows about the same data point: an error on each, naming both."""
    first: dict[tuple[Any, ...], RowPlan] = {}
    repeated: dict[tuple[Any, ...], list[RowPlan]] = {}
    for plan in plans:
        if (key := plan.file_key) is None:
            continue
        if key not in first:
            first[key] = plan
        elif key in repeated:
            repeated[key].append(plan)
        else:
            repeated[key] = [first[key], plan]
    for same in repeated.values():
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
    # Labels alone can clash (2011-12 is a school year and a month): by kind and label.
    spans = {(p.span.kind, p.span.label): p.span for p in plans if p.span is not None}
    period_ids = {key: period.pk for key, period in periods_for(spans.values()).items()}
    keys: list[PointKey | None] = []
    pairs: dict[int, set[int]] = {}
    for plan in plans:
        key = None
        if plan.key_found and plan.indicator is not None and plan.span is not None:
            period_id = period_ids.get((plan.span.kind, plan.span.label))
            if period_id is not None:
                key = (
                    plan.indicator.id,
                    period_id,
                    plan.geography.id if plan.geography else None,
                    plan.category.id if plan.category else None,
                )
                pairs.setdefault(key[0], set()).add(period_id)
        keys.append(key)
    existing = existing_points(pairs, lock=lock)
    for plan, key in zip(plans, keys, strict=True):
        checker.settle(plan, existing.get(key) if key is not None else None)
    return plans
