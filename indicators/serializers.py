"""API shapes of the indicator catalogue, data points and trends.

Field names are DOMAIN.md's "Names on the wire"; related objects appear as their
codes or slugs; decimals are strings without trailing zeros ("48.5"). Output and
input serializers are separate: inputs resolve codes inside the request's
partnership, and hand services exactly the arguments they take.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


def _label() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="label", read_only=True)


def _code() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", read_only=True)


# --- catalogue ---------------------------------------------------------------


class IndicatorOut(serializers.ModelSerializer):
    outcome_area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    steward = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    baseline_period = _label()
    target_period = _label()
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
    parent = _code()

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
    geography = _code()
    dimension = serializers.SlugRelatedField(
        source="category.dimension", slug_field="code", read_only=True, allow_null=True
    )
    category = _code()
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
    geography = _code()
    category = _code()
    baseline_period = _label()
    latest_period = _label()
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
