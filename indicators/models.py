"""Shared measurement: indicators, geographies, disaggregation, periods, data points,
their history, and the trends the background jobs compute.

Invariants live in the database as well as in forms. The ones a CHECK cannot
express because they span tables (a category belongs to a dimension the
indicator uses; geography, indicator and category share a partnership; the
period fits the indicator's frequency; a percent agrees with its numerator and
denominator) are enforced by triggers created in migration 0002.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from outcomes.models import OutcomeArea
from partnership.models import Organization, Partnership

from .periods import PeriodKind

# A percent must equal 100 x numerator / denominator within this many points,
# which allows values rounded to a whole percent.
PERCENT_TOLERANCE = Decimal("0.5")


class Period(models.Model):
    """A labelled span of time. Periods are shared calendar facts (no partnership
    data), so one row serves every partnership."""

    kind = models.CharField(max_length=16, choices=PeriodKind.choices)
    label = models.CharField(max_length=16)
    start = models.DateField()
    end = models.DateField(help_text="Last day of the period (inclusive).")

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            # Serves label look-ups from imports, the API and URLs.
            models.UniqueConstraint(fields=["kind", "label"], name="period_label_unique"),
            models.UniqueConstraint(fields=["kind", "start"], name="period_start_unique"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="period_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.label


class GeographyKind(models.TextChoices):
    REGION = "region", "Region"
    COUNTY = "county", "County"
    CITY = "city", "City"
    DISTRICT = "district", "School district"
    NEIGHBORHOOD = "neighborhood", "Neighborhood"
    SCHOOL = "school", "School"
    ZIP_CODE = "zip_code", "ZIP code"
    OTHER = "other", "Other"


class Geography(models.Model):
    """A node of the partnership's geography tree (region > district > school).

    ``path`` is the chain of codes from the root, ``/REGION/D1/S01/``; a subtree
    is every geography whose path starts with its root's path. Services set it.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="geographies"
    )
    code = models.CharField(
        max_length=40,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                "Use letters, digits, '-', '_' or '.' (no spaces or '/'), e.g. D1 or 360-041.",
            )
        ],
        help_text="Stable code, e.g. a state school or district number.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=GeographyKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=1000, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name_plural = "geographies"
        ordering = ["partnership", "path"]
        constraints = [
            # Serves geography look-ups by code from imports, the API and URLs.
            models.UniqueConstraint(fields=["partnership", "code"], name="geography_code_unique"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="geography_not_own_parent"),
        ]
        indexes = [
            # Serves "this geography and its descendants" (path LIKE '/R/D1/%').
            models.Index(fields=["partnership", "path"], name="geography_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """A way to disaggregate data, e.g. race/ethnicity or income."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["partnership", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="dimension_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["dimension", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="category_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension.name}: {self.name}"


class IndicatorKind(models.TextChoices):
    CORE = "core", "Core outcome indicator"
    CONTRIBUTING = "contributing", "Contributing indicator"
    PERFORMANCE = "performance", "Program performance measure"


class PerformanceTag(models.TextChoices):
    HOW_MUCH = "how_much", "How much did we do?"
    HOW_WELL = "how_well", "How well did we do it?"
    BETTER_OFF = "better_off", "Is anyone better off?"


class Unit(models.TextChoices):
    PERCENT = "percent", "Percent"
    COUNT = "count", "Count"
    RATE = "rate", "Rate"
    CURRENCY = "currency", "Currency"
    SCORE = "score", "Score"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"


class Frequency(models.TextChoices):
    ANNUAL = "annual", "Annual (calendar year)"
    SCHOOL_YEAR = "school_year", "School year"
    QUARTERLY = "quarterly", "Quarterly"
    MONTHLY = "monthly", "Monthly"


FREQUENCY_PERIOD_KIND = {
    Frequency.ANNUAL: PeriodKind.YEAR,
    Frequency.SCHOOL_YEAR: PeriodKind.SCHOOL_YEAR,
    Frequency.QUARTERLY: PeriodKind.QUARTER,
    Frequency.MONTHLY: PeriodKind.MONTH,
}


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum of values"
    RATIO = "ratio", "Ratio of summed numerators to summed denominators"
    NONE = "none", "Not aggregatable"


class Indicator(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(
        max_length=40, help_text="Short stable code, unique in the partnership."
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    outcome_area = models.ForeignKey(
        OutcomeArea, on_delete=models.PROTECT, related_name="indicators"
    )
    kind = models.CharField(max_length=16, choices=IndicatorKind.choices)
    performance_tag = models.CharField(
        max_length=16,
        choices=PerformanceTag.choices,
        blank=True,
        help_text="Required for program performance measures only.",
    )
    unit = models.CharField(max_length=16, choices=Unit.choices)
    direction = models.CharField(max_length=20, choices=Direction.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    aggregation = models.CharField(max_length=8, choices=Aggregation.choices)
    steward = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stewarded_indicators",
        help_text="The organization that supplies this indicator's data.",
    )
    data_source = models.CharField(max_length=300, blank=True)
    baseline_period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    target_period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    threshold = models.DecimalField(
        max_digits=20,
        decimal_places=6,
        default=Decimal("0"),
        help_text="The smallest change that counts as meaningful (0: any change).",
    )
    expected_min = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    expected_max = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    dimensions = models.ManyToManyField(
        Dimension, through="IndicatorDimension", blank=True, related_name="indicators"
    )
    data_version = models.PositiveBigIntegerField(
        default=0,
        editable=False,
        help_text="Raised by every change to approved data; trends record the version they saw.",
    )
    recompute_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a trend recompute was last queued; cleared when a worker takes it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "outcome_area__order", "code"]
        constraints = [
            # Serves indicator look-ups by code from imports, the API and URLs.
            models.UniqueConstraint(fields=["partnership", "code"], name="indicator_code_unique"),
            models.CheckConstraint(
                condition=(Q(kind="performance") & ~Q(performance_tag=""))
                | (~Q(kind="performance") & Q(performance_tag="")),
                name="indicator_performance_tag_only_for_measures",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0), name="indicator_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True, target_period__isnull=True)
                | Q(target_value__isnull=False, target_period__isnull=False),
                name="indicator_target_value_and_period_together",
            ),
            models.CheckConstraint(
                condition=Q(expected_min__isnull=True)
                | Q(expected_max__isnull=True)
                | Q(expected_min__lte=F("expected_max")),
                name="indicator_expected_range_ordered",
            ),
        ]
        indexes = [
            # Serves the outcome area page: an area's indicators.
            models.Index(fields=["outcome_area", "code"], name="indicator_area_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def period_kind(self) -> str:
        return FREQUENCY_PERIOD_KIND[self.frequency]


class IndicatorDimension(models.Model):
    """An indicator is disaggregated by this dimension."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            # Serves the data point trigger's "does the indicator use this dimension".
            models.UniqueConstraint(
                fields=["indicator", "dimension"], name="indicator_dimension_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} by {self.dimension_id}"


class DataStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


def _one_per_series(
    prefix: str, base: tuple[str, ...] = ("indicator", "period")
) -> list[models.UniqueConstraint]:
    """One row per (indicator, period, geography, category), where NULL geography
    means partnership-wide and NULL category means the total. A plain unique
    constraint treats NULLs as distinct, so each null pattern gets its own."""
    base = list(base)
    return [
        models.UniqueConstraint(
            fields=[*base, "geography", "category"], name=f"{prefix}_unique_geo_cat"
        ),
        models.UniqueConstraint(
            fields=[*base, "geography"],
            condition=Q(category__isnull=True),
            name=f"{prefix}_unique_geo_total",
        ),
        models.UniqueConstraint(
            fields=[*base, "category"],
            condition=Q(geography__isnull=True),
            name=f"{prefix}_unique_wide_cat",
        ),
        models.UniqueConstraint(
            fields=base,
            condition=Q(geography__isnull=True, category__isnull=True),
            name=f"{prefix}_unique_wide_total",
        ),
    ]


def _person_field() -> models.ForeignKey:
    """Who did something: kept as empty when the user is deleted; nobody looks
    rows up by it, so no index."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )


class DataPoint(models.Model):
    """One value of one indicator for one period, geography and category."""

    # The composite indexes below lead with indicator, and periods are deleted only
    # when unused: separate indexes on these would slow every insert for nothing.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="data_points", db_index=False
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="data_points", db_index=False
    )
    geography = models.ForeignKey(
        Geography,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_points",
        help_text="Empty: partnership-wide.",
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_points",
        help_text="Empty: the total.",
    )
    value = models.DecimalField(max_digits=20, decimal_places=6)
    numerator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=DataStatus.choices, default=DataStatus.DRAFT)
    version = models.PositiveIntegerField(
        default=1,
        help_text="Raised on every change; an edit based on an older version is a conflict.",
    )
    created_by = _person_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = _person_field()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [
            *_one_per_series("datapoint"),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False),
                name="datapoint_numerator_with_denominator",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="datapoint_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="datapoint_numerator_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DataStatus.values), name="datapoint_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="datapoint_version_positive"),
        ]
        indexes = [
            # Serves the trend engine: an indicator's approved points by series and period.
            models.Index(
                fields=["indicator", "status", "geography", "category"],
                name="datapoint_series_idx",
            ),
            # Serves the approval queue: a partnership's submitted points.
            models.Index(fields=["status", "indicator"], name="datapoint_status_idx"),
            # Serves the API's "updated since" filter.
            models.Index(fields=["updated_at"], name="datapoint_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period.label}"


class ChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"
    REOPENED = "reopened", "Reopened as draft"
    DELETED = "deleted", "Deleted"


class DataPointChange(models.Model):
    """One entry in a data point's history: who changed what, when, and why.

    The series key (period, geography, category) is copied as codes so that the
    history outlives the data point itself.
    """

    data_point = models.ForeignKey(
        DataPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="changes")
    period_label = models.CharField(max_length=16)
    geography_code = models.CharField(max_length=40, blank=True)
    category_code = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            # Serves a data point's history page.
            models.Index(fields=["data_point", "changed_at"], name="change_point_idx"),
            # Serves an indicator's history page.
            models.Index(fields=["indicator", "changed_at"], name="change_indicator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.indicator_id} {self.period_label}"


class TrendStatus(models.TextChoices):
    IMPROVING = "improving", "Improving"
    WORSENING = "worsening", "Worsening"
    NO_CHANGE = "no_change", "No change"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"


class GapTrend(models.TextChoices):
    NARROWED = "narrowed", "Narrowed"
    WIDENED = "widened", "Widened"
    UNCHANGED = "unchanged", "Unchanged"


# Trends, derived points and equity gaps are derived data, rewritten whole by the
# trend engine from rows read in the same transaction. They keep a database
# foreign key to their indicator only: their other references are copied from
# data points, which hold those keys under constraint, and Django still cascades
# and protects on delete. Checking six more keys per row at every commit cost a
# fifth of a full recompute (docs/performance.md). Every read leads with the
# indicator or the partnership, so no single-column index serves geography,
# category or dimension either (a cascade on delete scans instead: rare).


def _derived_ref(
    to: type[models.Model] | str,
    *,
    on_delete: Any = models.CASCADE,
    optional: bool = False,
    related_name: str = "+",
) -> models.ForeignKey:
    """A reference from derived data (see above): no database constraint, no
    index of its own; Django still cascades, protects or sets null on delete."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=optional,
        blank=optional,
        related_name=related_name,
        db_index=False,
        db_constraint=False,
    )


class Trend(models.Model):
    """What the trend engine computed for one series (indicator x geography x
    category) over its approved data. See docs/trends.md for each figure."""

    # Look-ups lead with partnership or indicator through the composite indexes in
    # Meta, and nobody filters trends by period or dimension: no separate indexes.
    partnership = _derived_ref(Partnership, related_name="trends")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="trends", db_index=False
    )
    geography = _derived_ref(Geography, optional=True, related_name="trends")
    category = _derived_ref(Category, optional=True, related_name="trends")
    n_points = models.PositiveIntegerField(default=0)
    baseline_period = _derived_ref(Period, on_delete=models.PROTECT, optional=True)
    baseline_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    latest_period = _derived_ref(Period, on_delete=models.PROTECT, optional=True)
    latest_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    change = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=TrendStatus.choices, default=TrendStatus.INSUFFICIENT_DATA
    )
    slope = models.FloatField(null=True, blank=True, help_text="Units per year.")
    current_run = models.IntegerField(default=0)
    progress_to_target = models.FloatField(null=True, blank=True)
    projection = models.FloatField(null=True, blank=True)
    on_track = models.BooleanField(null=True, blank=True)
    equity_gap = models.FloatField(null=True, blank=True)
    gap_trend = models.CharField(max_length=12, choices=GapTrend.choices, blank=True)
    n_derived = models.PositiveIntegerField(
        default=0, help_text="How many of the points were derived from child geographies."
    )
    equity_dimension = _derived_ref(Dimension, on_delete=models.SET_NULL, optional=True)
    computed_at = models.DateTimeField()
    data_version = models.PositiveBigIntegerField(
        help_text="The indicator's data_version this trend was computed from."
    )

    class Meta:
        ordering = ["indicator", "geography", "category"]
        constraints = [
            *_one_per_series("trend", base=("indicator",)),
            models.CheckConstraint(
                condition=Q(status__in=TrendStatus.values), name="trend_status_valid"
            ),
        ]
        indexes = [
            # Serves the scorecard: a partnership's headline (partnership-wide total) trends.
            models.Index(
                fields=["partnership", "geography", "category"], name="trend_scorecard_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Trend of {self.indicator_id}"

    @property
    def stale(self) -> bool:
        return self.data_version < self.indicator.data_version


class DerivedPoint(models.Model):
    """A value the trend engine derived for a geography that did not report it,
    from its child geographies by the indicator's aggregation rule. Derived
    values never replace reported ones: a reported value for the same key wins."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="derived_points",
        db_index=False,
    )
    period = _derived_ref(Period, on_delete=models.PROTECT)
    geography = _derived_ref(Geography, optional=True)
    category = _derived_ref(Category, optional=True)
    value = models.DecimalField(max_digits=20, decimal_places=6)
    numerator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    n_children = models.PositiveIntegerField(help_text="How many child values it was derived from.")
    data_version = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = _one_per_series("derivedpoint")

    def __str__(self) -> str:
        return f"Derived {self.indicator_id} {self.period_id}"


class EquityGap(models.Model):
    """The gap between a dimension's categories for one geography's total series:
    max - min of the category values at the latest period, and at the baseline."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="equity_gaps", db_index=False
    )
    geography = _derived_ref(Geography, optional=True)
    dimension = _derived_ref(Dimension)
    latest_period = _derived_ref(Period, on_delete=models.PROTECT)
    gap = models.DecimalField(max_digits=20, decimal_places=6)
    highest_category = _derived_ref(Category)
    lowest_category = _derived_ref(Category)
    baseline_period = _derived_ref(Period, on_delete=models.PROTECT, optional=True)
    baseline_gap = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    gap_trend = models.CharField(max_length=12, choices=GapTrend.choices, blank=True)
    data_version = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["indicator", "geography", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "geography", "dimension"], name="equitygap_unique_geo"
            ),
            models.UniqueConstraint(
                fields=["indicator", "dimension"],
                condition=Q(geography__isnull=True),
                name="equitygap_unique_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"Gap {self.indicator_id} {self.dimension_id}"


class TrendRequest(models.Model):
    """A series whose approved data changed and whose trend (with its roll-ups and
    equity gap) awaits a recompute. Written in the same transaction as the change;
    the engine consumes the requests of an indicator in the transaction that
    stores the new trends. ``geography``/``category`` empty mean partnership-wide /
    the total; ``whole_indicator`` asks for every series (a large import, a
    settings change)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="trend_requests", db_index=False
    )
    geography = models.ForeignKey(
        Geography,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    whole_indicator = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Serves the engine's "pending requests of this indicator".
            models.Index(fields=["indicator", "id"], name="trendrequest_indicator_idx"),
        ]

    def __str__(self) -> str:
        return f"Trend request {self.indicator_id} {self.geography_id} {self.category_id}"


class TrendState(models.Model):
    """Book-keeping of the trend engine per indicator. A worker computing an
    indicator's trends holds this row locked (SELECT ... FOR UPDATE SKIP LOCKED),
    so two workers never compute the same indicator at once, and a killed
    worker's lock dies with its connection."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, primary_key=True, related_name="trend_state"
    )
    computed_version = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    n_series = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Trend state of {self.indicator_id}"


class PeriodLock(models.Model):
    """A period whose data backbone staff have locked, e.g. because a report card
    was published from it. A lock covers every indicator of the partnership whose
    frequency uses that period, and refuses every change to their data points
    until it is unlocked (see ``indicators.locks``). Unlocking deletes the row;
    ``PeriodLockEvent`` keeps the record of both."""

    # The unique constraint leads with partnership; periods are deleted only
    # when unused: separate indexes on either would serve nothing.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="period_locks", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", db_index=False)
    locked_by = _person_field()
    locked_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(
        blank=True, help_text="Why, e.g. 'Published in the 2023 report card'."
    )

    class Meta:
        ordering = ["partnership", "-period__start"]
        constraints = [
            # Serves "is this period locked for this partnership" (every data point
            # write) and "which periods are locked" (imports, the grid).
            models.UniqueConstraint(fields=["partnership", "period"], name="periodlock_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period} locked"


class LockAction(models.TextChoices):
    LOCKED = "locked", "Locked"
    UNLOCKED = "unlocked", "Unlocked"


class PeriodLockEvent(models.Model):
    """One locking or unlocking of a period: who, when and why. Outlives the lock."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="period_lock_events", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField(max_length=8, choices=LockAction.choices)
    changed_by = _person_field()
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=LockAction.values), name="periodlockevent_action_valid"
            ),
        ]
        indexes = [
            # Serves a period's lock history in a partnership, newest first.
            models.Index(fields=["partnership", "period", "id"], name="periodlockevent_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_action_display().lower()}"


class DataRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class DataRequest(models.Model):
    """Backbone staff ask an organization for an indicator's data for a period, by a
    due date. The request is met as soon as data for that indicator and period is
    submitted or approved: pages compute that from the data itself (see
    ``indicators.data_requests``); ``status`` records it as ``fulfilled`` when the
    daily reminder run refreshes it, and ``cancelled`` when staff withdraw it.

    ``reminded_before_at`` / ``reminded_after_at`` are claimed with a conditional
    UPDATE before a reminder is sent, so each is sent once even with two workers."""

    code = models.UUIDField(default=uuid.uuid4, editable=False)
    # The composite indexes below lead with partnership and indicator, and periods
    # are deleted only when unused: separate indexes on these would serve nothing.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="data_requests", db_index=False
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="data_requests",
        db_index=False,
        help_text="Who is asked; by default the indicator's steward.",
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="data_requests", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", db_index=False)
    due_date = models.DateField()
    message = models.TextField(blank=True)
    requested_by = _person_field()
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=DataRequestStatus.choices, default=DataRequestStatus.OPEN
    )
    fulfilled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the data was first submitted or approved."
    )
    cancelled_by = _person_field()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_after_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            # Serves look-ups by code from URLs (cancel).
            models.UniqueConstraint(fields=["code"], name="datarequest_code_unique"),
            # Serves "is there already an open request for this" (create, bulk create).
            models.UniqueConstraint(
                fields=["indicator", "period", "organization"],
                condition=Q(status="open"),
                name="datarequest_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DataRequestStatus.values), name="datarequest_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="fulfilled", fulfilled_at__isnull=False)
                | (~Q(status="fulfilled") & Q(fulfilled_at__isnull=True)),
                name="datarequest_fulfilled_at_when_fulfilled",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="datarequest_cancelled_at_when_cancelled",
            ),
        ]
        indexes = [
            # Serves the request list and completeness (a partnership's requests) and
            # "what an organization owes" (home page), soonest due first.
            models.Index(
                fields=["partnership", "organization", "status", "due_date"],
                name="datarequest_org_idx",
            ),
            # Serves the daily reminder run: open requests due around a date.
            models.Index(fields=["status", "due_date"], name="datarequest_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_id} from {self.organization_id}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWING = "previewing", "Checking the file"
    PREVIEWED = "previewed", "Preview ready"
    COMMITTING = "committing", "Importing"
    COMMITTED = "committed", "Imported"
    REJECTED = "rejected", "Not imported"
    FAILED = "failed", "Failed"


def _import_upload_to(job: ImportJob, filename: str) -> str:
    from django.utils import timezone

    return timezone.now().strftime(f"imports/%Y/%m/{job.code}-{filename}")


class ImportJob(models.Model):
    """One file uploaded for import, through its preview and commit. Small files
    are checked while the upload waits; large ones by a background task, which
    reports ``progress`` (0-100) and a ``progress_message`` for the page's bar.
    ``preview`` holds what the page and the error report show (counts, the first
    rows, the issues); ``basis`` the preview's digest, so that the commit refuses
    when data changed in between (``ImportStaleError``)."""

    code = models.UUIDField(default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="import_jobs", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=_import_upload_to, max_length=400)
    encoding = models.CharField(max_length=20, blank=True, help_text="Empty: recognised.")
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    basis = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Serves look-ups by code from URLs (detail, status, commit, error report).
            models.UniqueConstraint(fields=["code"], name="importjob_code_unique"),
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="importjob_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="importjob_progress_max"),
        ]
        indexes = [
            # Serves the upload page's list of a user's recent imports in a partnership.
            models.Index(fields=["partnership", "user", "-created_at"], name="importjob_user_idx"),
            # Serves backbone staff's list of every recent import of the partnership.
            models.Index(fields=["partnership", "-created_at"], name="importjob_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def running(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED,
            ImportStatus.PREVIEWING,
            ImportStatus.COMMITTING,
        )
