"""API shapes of the indicator catalogue, data points and trends.

Field names are DOMAIN.md's "Names on the wire"; related objects appear as their
codes or slugs; decimals are strings without trailing zeros ("48.5"). Output and
input serializers are separate: inputs resolve codes inside the request's
partnership, and hand services exactly the arguments they take.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outcomes.models import OutcomeArea
from partnership.api_base import ScopedSlugField
from partnership.models import Organization

from .models import (
    FREQUENCY_PERIOD_KIND,
    Category,
    DataPoint,
    Dimension,
    GapTrend,
    Geography,
    Indicator,
    Trend,
)
from .services import decimal_text, period_get


class DecimalText(serializers.DecimalField):
    """A decimal as a string, without trailing zeros."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return decimal_text(Decimal(value))


class BlankAsNull(serializers.ChoiceField):
    """A choice stored as '' when absent, sent as null."""

    def to_representation(self, value: str) -> str | None:
        return value or None


def _label(*, null: bool = False) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="label", read_only=True, allow_null=null)


def _code(*, null: bool = False) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=null)


# --- catalogue ---------------------------------------------------------------


class IndicatorOut(serializers.ModelSerializer):
    outcome_area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    steward = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    baseline_period = _label(null=True)
    target_period = _label(null=True)
    target_value = DecimalText(allow_null=True)
    threshold = DecimalText()
    dimensions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "definition", "outcome_area", "kind", "unit", "direction",
            "frequency", "aggregation", "baseline_period", "target_value", "target_period",
            "threshold", "steward", "dimensions",
        ]  # fmt: skip


class IndicatorIn(serializers.ModelSerializer):
    outcome_area = ScopedSlugField(OutcomeArea, "slug")
    steward = ScopedSlugField(Organization, "slug", allow_null=True, required=False)
    baseline_period = serializers.CharField(allow_null=True, required=False)
    target_period = serializers.CharField(allow_null=True, required=False)
    target_value = DecimalText(allow_null=True, required=False)
    threshold = DecimalText(required=False)
    dimensions = ScopedSlugField(Dimension, "code", many=True, required=False)

    class Meta:
        model = Indicator
        fields = [*IndicatorOut.Meta.fields, "performance_tag", "data_source"]
        validators: list = []  # full_clean checks uniqueness in the partnership

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Period labels become periods of the indicator's frequency."""
        frequency = attrs.get("frequency") or getattr(self.instance, "frequency", None)
        for name in ("baseline_period", "target_period"):
            if attrs.get(name):
                try:
                    attrs[name] = period_get(
                        label=attrs[name], kind=FREQUENCY_PERIOD_KIND.get(frequency)
                    )
                except Exception as exc:  # ValidationError keyed "period"
                    raise serializers.ValidationError({name: exc.messages}) from None
        return attrs


class GeographyOut(serializers.ModelSerializer):
    parent = _code(null=True)

    class Meta:
        model = Geography
        fields = ["code", "name", "kind", "parent"]


class GeographyIn(serializers.ModelSerializer):
    parent = ScopedSlugField(Geography, "code", allow_null=True, required=False)

    class Meta:
        model = Geography
        fields = ["code", "name", "kind", "parent"]
        validators: list = []


class CategorySerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)


class DimensionOut(serializers.ModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)

    class Meta:
        model = Dimension
        fields = ["code", "name", "categories"]


class DimensionIn(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=120)
    categories = CategorySerializer(many=True, required=False)


# --- data points ---------------------------------------------------------------


class SuppressedMixin(serializers.Serializer):
    """Adds ``suppressed`` and blanks ``suppressed_fields`` when the request's cell
    policy hides the object (see ``partnership.privacy``). Subclasses define
    ``hides(instance) -> bool``."""

    suppressed_fields: tuple[str, ...] = ()
    suppressed = serializers.SerializerMethodField(
        help_text="True when values are withheld because the group is too small."
    )

    def get_suppressed(self, instance: Any) -> bool:
        return self.hides(instance)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["suppressed"]:
            data.update(dict.fromkeys(self.suppressed_fields))
        return data


class DataPointOut(SuppressedMixin, serializers.ModelSerializer):
    suppressed_fields = ("value", "numerator", "denominator")
    indicator = _code()
    period = _label()
    geography = _code(null=True)
    dimension = serializers.SlugRelatedField(
        source="category.dimension", slug_field="code", read_only=True, allow_null=True
    )
    category = _code(null=True)
    value = DecimalText()
    numerator = DecimalText(allow_null=True)
    denominator = DecimalText(allow_null=True)

    class Meta:
        model = DataPoint
        fields = [
            "id", "indicator", "period", "geography", "dimension", "category", "value",
            "numerator", "denominator", "note", "source", "status", "version", "updated_at",
            "suppressed",
        ]  # fmt: skip

    def hides(self, point: DataPoint) -> bool:
        return self.context["cells"].hides(point.denominator)


class DataPointIn(serializers.Serializer):
    indicator = ScopedSlugField(Indicator, "code")
    period = serializers.CharField(help_text="A label: 2021, 2021-22, 2021-Q3 or 2021-07.")
    geography = ScopedSlugField(Geography, "code", allow_null=True, required=False)
    dimension = serializers.SlugField(allow_null=True, required=False)
    category = serializers.SlugField(allow_null=True, required=False)
    value = DecimalText()
    numerator = DecimalText(allow_null=True, required=False)
    denominator = DecimalText(allow_null=True, required=False)
    note = serializers.CharField(allow_blank=True, required=False, default="")
    source = serializers.CharField(allow_blank=True, required=False, default="", max_length=300)
    comment = serializers.CharField(allow_blank=True, required=False, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        indicator = attrs["indicator"]
        try:
            attrs["period"] = period_get(label=attrs["period"], kind=indicator.period_kind)
        except Exception as exc:
            raise serializers.ValidationError({"period": exc.messages}) from None
        dimension, category = attrs.pop("dimension", None), attrs.get("category")
        if category:
            attrs["category"] = Category.objects.filter(
                dimension__partnership=self.context["partnership"],
                dimension__code=dimension,
                code=category,
            ).first()
            if attrs["category"] is None:
                raise serializers.ValidationError(
                    {"category": f"No category '{category}' in dimension '{dimension}'."}
                )
        return attrs


class DataPointChangeIn(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version your change is based on.")
    value = DecimalText(required=False)
    numerator = DecimalText(allow_null=True, required=False)
    denominator = DecimalText(allow_null=True, required=False)
    note = serializers.CharField(allow_blank=True, required=False)
    source = serializers.CharField(allow_blank=True, required=False, max_length=300)
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class TransitionIn(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you are acting on.")
    comment = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="Required to return data."
    )


class ConflictOut(serializers.Serializer):
    detail = serializers.CharField()
    current = DataPointOut()


# --- trends and the scorecard --------------------------------------------------


class TrendOut(SuppressedMixin, serializers.ModelSerializer):
    suppressed_fields = (
        "baseline_value", "latest_value", "change", "slope", "projection",
        "progress_to_target",
    )  # fmt: skip
    indicator = _code()
    geography = _code(null=True)
    category = _code(null=True)
    baseline_period = _label(null=True)
    latest_period = _label(null=True)
    baseline_value = DecimalText(allow_null=True)
    latest_value = DecimalText(allow_null=True)
    change = DecimalText(allow_null=True)
    gap_trend = BlankAsNull(choices=GapTrend.choices, allow_null=True)
    stale = serializers.BooleanField()

    class Meta:
        model = Trend
        fields = [
            "indicator", "geography", "category", "n_points", "baseline_period",
            "baseline_value", "latest_period", "latest_value", "change", "status", "slope",
            "current_run", "progress_to_target", "projection", "on_track", "equity_gap",
            "gap_trend", "computed_at", "stale", "suppressed",
        ]  # fmt: skip

    def hides(self, trend: Trend) -> bool:
        denominators = self.context["trend_denominators"].get(trend.pk, ())
        return self.context["cells"].hides(*denominators)

    def to_representation(self, trend: Trend) -> dict[str, Any]:
        """Also withholds the equity gap (and whether it narrowed) when any category
        it compares is a small group, even if the total is not."""
        data = super().to_representation(trend)
        gap_denominators = self.context["gap_denominators"].get(trend.pk, ())
        if self.context["cells"].hides(*gap_denominators):
            data.update(equity_gap=None, gap_trend=None, suppressed=True)
        return data


class StatusCounts(serializers.Serializer):
    total = serializers.IntegerField()
    improving = serializers.IntegerField()
    worsening = serializers.IntegerField()
    no_change = serializers.IntegerField()
    insufficient_data = serializers.IntegerField()


class AreaCounts(StatusCounts):
    slug = serializers.CharField()
    name = serializers.CharField()


class ScorecardOut(StatusCounts):
    outcome_areas = AreaCounts(many=True)


# --- imports ---------------------------------------------------------------------


class ImportIn(serializers.Serializer):
    file = serializers.FileField(
        help_text="A CSV file or an Excel workbook (.xlsx); docs/import.md."
    )
    dry_run = serializers.BooleanField(
        default=True, help_text="true: only preview what the file would do; false: import it."
    )
    encoding = serializers.ChoiceField(
        choices=["", "utf-8", "cp1252", "latin-1"],
        required=False,
        default="",
        help_text="Of a CSV file; empty: recognised.",
    )


class ImportIssueOut(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="As numbered in a spreadsheet (the header is row 1)."
    )
    column = serializers.CharField(help_text="As named in the file's header.")
    value = serializers.CharField()
    message = serializers.CharField(help_text="What is wrong and how to fix it.")


class ImportRowOut(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["create", "update", "unchanged", "error"])
    indicator = serializers.CharField()
    period = serializers.CharField()
    geography = serializers.CharField()
    category = serializers.CharField()
    value = serializers.CharField()


class ImportCountsOut(serializers.Serializer):
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    error = serializers.IntegerField()


class ImportResultOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    approved_changed = serializers.ListField(
        child=serializers.CharField(), help_text="Indicators whose trends are being recomputed."
    )


class ImportJobOut(serializers.Serializer):
    """An import: its preview (counts, the first rows, every problem with its row
    and column) and, once imported, what it did."""

    id = serializers.UUIDField(source="code")
    url = serializers.SerializerMethodField()
    filename = serializers.CharField()
    status = serializers.CharField(
        help_text="previewing, previewed, committing, committed (imported), rejected "
        "(nothing imported: see issues or error) or failed."
    )
    running = serializers.BooleanField(help_text="True while a background task works on it.")
    progress = serializers.IntegerField(help_text="0-100, while running.")
    message = serializers.CharField(source="progress_message")
    ok = serializers.SerializerMethodField(help_text="Whether the file can be imported as a whole.")
    counts = serializers.SerializerMethodField()
    total_rows = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField(help_text="The first rows, errors first.")
    file_issues = serializers.SerializerMethodField()
    issues = serializers.SerializerMethodField()
    issue_count = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, job: Any) -> str:
        return self.context["request"].build_absolute_uri(self.context["job_path"](job))

    def get_ok(self, job: Any) -> bool | None:
        return job.preview.get("ok")

    @extend_schema_field(ImportCountsOut(allow_null=True))
    def get_counts(self, job: Any) -> dict | None:
        return job.preview.get("counts")

    def get_total_rows(self, job: Any) -> int | None:
        return job.preview.get("total")

    @extend_schema_field(ImportRowOut(many=True))
    def get_rows(self, job: Any) -> list[dict]:
        # A preview row's old value stays on the page: the API returns only what
        # the file itself says.
        fields = ImportRowOut().fields
        return [{k: row[k] for k in fields} for row in job.preview.get("rows", [])]

    def get_file_issues(self, job: Any) -> list[str]:
        return job.preview.get("file_issues", [])

    @extend_schema_field(ImportIssueOut(many=True))
    def get_issues(self, job: Any) -> list[dict]:
        keys = ("row", "column", "value", "message")
        return [dict(zip(keys, issue, strict=True)) for issue in job.preview.get("issues", [])]

    def get_issue_count(self, job: Any) -> int:
        return job.preview.get("issue_count", 0)

    @extend_schema_field(ImportResultOut(allow_null=True))
    def get_result(self, job: Any) -> dict | None:
        return job.result or None
