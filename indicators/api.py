"""API: the indicator catalogue, data points (entry and workflow), trends and
the scorecard of one partnership. Writes go through ``indicators.services``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partnership.api_base import CatalogueViewSet, PartnershipApiViewSet

from . import selectors, services
from .filters import DataPointFilter, IndicatorFilter, TrendFilter
from .models import DataPoint, DataStatus, Dimension, Geography, Indicator, Trend
from .serializers import (
    ConflictOut,
    DataPointChangeIn,
    DataPointIn,
    DataPointOut,
    DimensionIn,
    DimensionOut,
    GeographyIn,
    GeographyOut,
    IndicatorIn,
    IndicatorOut,
    ScorecardOut,
    TransitionIn,
    TrendOut,
)


class IndicatorViewSet(CatalogueViewSet):
    model = Indicator
    lookup_field = "code"
    filterset_class = IndicatorFilter
    ordering_fields = ("code", "name")
    output_serializer = IndicatorOut
    input_serializer = IndicatorIn

    def scoped_queryset(self) -> Any:
        return (
            Indicator.objects.filter(partnership=self.partnership)
            .select_related("outcome_area", "steward", "baseline_period", "target_period")
            .prefetch_related("dimensions")
            .order_by("outcome_area__order", "code")
        )

    def create_object(self, data: dict[str, Any]) -> Indicator:
        return services.indicator_create(partnership=self.partnership, **data)

    @transaction.atomic
    def update_object(self, instance: Indicator, data: dict[str, Any]) -> Indicator:
        dimensions = data.pop("dimensions", None)
        instance = super().update_object(instance, data)
        if dimensions is not None:
            instance.dimensions.set(dimensions)
        return instance


class GeographyViewSet(CatalogueViewSet):
    model = Geography
    lookup_field = "code"
    lookup_value_regex = "[^/]+"  # codes may hold dots, e.g. 360.041
    ordering_fields = ("code", "name")
    output_serializer = GeographyOut
    input_serializer = GeographyIn

    def scoped_queryset(self) -> Any:
        return (
            Geography.objects.filter(partnership=self.partnership)
            .select_related("parent")
            .order_by("path")
        )

    def create_object(self, data: dict[str, Any]) -> Geography:
        return services.geography_create(partnership=self.partnership, **data)

    @transaction.atomic
    def update_object(self, instance: Geography, data: dict[str, Any]) -> Geography:
        if data.get("code", instance.code) != instance.code:
            raise ValidationError({"code": "A geography's code cannot change."})
        if "parent" in data and data["parent"] != instance.parent:
            instance = services.geography_move(geography=instance, parent=data["parent"])
        data = {k: v for k, v in data.items() if k in ("name", "kind")}
        return super().update_object(instance, data)


class DimensionViewSet(CatalogueViewSet):
    """Dimensions with their categories. Changing a dimension changes its name;
    categories are given when it is created."""

    model = Dimension
    lookup_field = "code"
    ordering_fields = ("code", "name")
    output_serializer = DimensionOut
    input_serializer = DimensionIn

    def scoped_queryset(self) -> Any:
        return (
            Dimension.objects.filter(partnership=self.partnership)
            .prefetch_related("categories")
            .order_by("name")
        )

    @transaction.atomic
    def create_object(self, data: dict[str, Any]) -> Dimension:
        categories = [(c["code"], c["name"]) for c in data.get("categories", [])]
        return services.dimension_create(
            partnership=self.partnership,
            code=data["code"],
            name=data["name"],
            categories=categories,
        )

    def update_object(self, instance: Dimension, data: dict[str, Any]) -> Dimension:
        if set(data) - {"name"}:
            raise ValidationError({"detail": "Only a dimension's name can change."})
        return super().update_object(instance, data)


class DataPointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipApiViewSet):
    """Data points: approved data for every member; drafts, submissions and returns
    for backbone staff and the stewards of the indicator."""

    model = DataPoint
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = DataPointFilter
    ordering_fields = ("id", "updated_at", "period__start")
    ordering = ("indicator__code", "period__start", "id")
    serializer_classes = {
        "default": DataPointOut,
        "create": DataPointIn,
        "partial_update": DataPointChangeIn,
        "submit": TransitionIn,
        "approve": TransitionIn,
        "return_": TransitionIn,
    }

    def scoped_queryset(self) -> Any:
        return selectors.datapoints_visible_to(
            user=self.request.user, partnership=self.partnership
        ).select_related("indicator", "period", "geography", "category__dimension")

    @extend_schema(request=DataPointIn, responses={201: DataPointOut})
    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        point = services.datapoint_create(user=request.user, **self.validated())
        return self.output(point, status.HTTP_201_CREATED)

    @extend_schema(
        request=DataPointChangeIn,
        responses={200: DataPointOut, 409: OpenApiResponse(ConflictOut, "Changed since.")},
    )
    def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        changes = dict(self.validated())  # every field but version is optional
        version, comment = changes.pop("version"), changes.pop("comment", "")
        return self._change(
            services.datapoint_update, expected_version=version, comment=comment, **changes
        )

    def _change(self, service: Any, **arguments: Any) -> Response:
        try:
            point = service(point=self.get_object(), user=self.request.user, **arguments)
        except services.EditConflictError as conflict:
            body = {"detail": str(conflict), "current": conflict.current}
            return Response(
                ConflictOut(body, context=self.get_serializer_context()).data,
                status=status.HTTP_409_CONFLICT,
            )
        return self.output(point)

    def _transition(self, new_status: str) -> Response:
        data = self.validated()
        return self._change(
            services.datapoint_set_status,
            status=new_status,
            expected_version=data["version"],
            comment=data["comment"],
        )

    @extend_schema(request=TransitionIn, responses={200: DataPointOut, 409: ConflictOut})
    @action(detail=True, methods=["post"])
    def submit(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Send a draft (or returned) data point for approval."""
        return self._transition(DataStatus.SUBMITTED)

    @extend_schema(request=TransitionIn, responses={200: DataPointOut, 409: ConflictOut})
    @action(detail=True, methods=["post"])
    def approve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Approve a submitted data point (backbone staff)."""
        return self._transition(DataStatus.APPROVED)

    @extend_schema(request=TransitionIn, responses={200: DataPointOut, 409: ConflictOut})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Return a data point to its steward; the comment says what to fix."""
        return self._transition(DataStatus.RETURNED)


class TrendViewSet(mixins.ListModelMixin, PartnershipApiViewSet):
    """The computed trend of every series (indicator x geography x category)."""

    model = Trend
    filterset_class = TrendFilter
    ordering_fields = ("computed_at",)
    ordering = ("indicator__code", "geography__path", "category__code", "id")
    serializer_classes = {"default": TrendOut}

    def scoped_queryset(self) -> Any:
        return Trend.objects.filter(partnership=self.partnership).select_related(
            "indicator", "geography", "category", "baseline_period", "latest_period"
        )

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        trends = args[0] if args else []
        context = kwargs.pop("context", None) or self.get_serializer_context()
        context["trend_denominators"] = selectors.trend_denominators(trends=list(trends))
        return TrendOut(*args, context=context, **kwargs)


class ScorecardViewSet(PartnershipApiViewSet):
    """Counts of indicators by the status of their headline series."""

    model = Indicator
    pagination_class = None
    serializer_classes = {"default": ScorecardOut}

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return Response(ScorecardOut(selectors.scorecard(partnership=self.partnership)).data)
