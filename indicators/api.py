"""API: the indicator catalogue, data points (entry and workflow), trends and
the scorecard of one partnership. Writes go through ``indicators.services``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partnership.api_base import CatalogueViewSet, PartnershipApiViewSet
from partnership.api_http import (
    ConditionalListMixin,
    KeysetPagination,
    conditional,
    make_etag,
)

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
from .suppression import equity_gap_denominators


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

    def update_object(self, instance: Indicator, data: dict[str, Any]) -> Indicator:
        return services.indicator_update(indicator=instance, **data)


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


NOT_MODIFIED = OpenApiResponse(description="Not modified: your copy (If-None-Match) is current.")
CONDITIONAL = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="The ETag of the copy you hold; 304 when it is still current.",
)


@extend_schema(
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
)
class DataPointViewSet(
    ConditionalListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipApiViewSet
):
    """Data points: approved data for every member; drafts, submissions and returns
    for backbone staff and the stewards of the indicator. Paged by keyset (a
    cursor in ``next``), so that a page costs the same on a million points."""

    model = DataPoint
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = DataPointFilter
    pagination_class = KeysetPagination
    lookup_value_regex = r"\d+"
    ordering_fields = ("id",)
    ordering = ("id",)
    serializer_classes = {
        "default": DataPointOut,
        "create": DataPointIn,
        "partial_update": DataPointChangeIn,
        "submit": TransitionIn,
        "approve": TransitionIn,
        "return_": TransitionIn,
    }

    # What a page of data points reads of its related rows (the indicator alone has
    # some thirty columns): building fewer fields saves a fifth of a page's CPU time.
    LIST_FIELDS = (
        *[f.name for f in DataPoint._meta.concrete_fields],
        "indicator__code", "indicator__updated_at", "period__label", "geography__code",
        "category__code", "category__dimension__code",
    )  # fmt: skip

    def scoped_queryset(self) -> Any:
        points = selectors.datapoints_visible_to(
            user=self.request.user, partnership=self.partnership
        ).select_related("indicator", "period", "geography", "category__dimension")
        return points.only(*self.LIST_FIELDS) if self.action == "list" else points

    def fingerprint(self, points: list[DataPoint]) -> list[tuple]:
        # The version rises with every change of a point; the indicator's
        # updated_at with a change of its code.
        return [(p.pk, p.version, p.updated_at, p.indicator.updated_at) for p in points]

    @extend_schema(parameters=[CONDITIONAL], responses={200: DataPointOut(many=True),
                                                        304: NOT_MODIFIED})  # fmt: skip
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version", int, required=True, description="The version you are deleting."
            ),
            OpenApiParameter("comment", str, description="Why, for the history."),
        ],
        responses={
            204: OpenApiResponse(description="Deleted; its history stays."),
            400: OpenApiResponse(description="No version, or the period is locked."),
            409: OpenApiResponse(ConflictOut, "Changed since the version you sent."),
        },
    )
    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Delete a data point (its steward while unapproved; backbone staff always),
        naming the ``version`` you read; its history keeps the deletion."""
        point = self.get_object()
        version = request.query_params.get("version", "")
        if not version.isdigit():
            raise ValidationError({"version": "Send the version you read, e.g. ?version=3."})
        try:
            services.datapoint_delete(
                point=point,
                user=request.user,
                expected_version=int(version),
                comment=request.query_params.get("comment", ""),
            )
        except services.EditConflictError as conflict:
            return self._conflict(conflict)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=DataPointIn, responses={201: DataPointOut})
    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        point = services.datapoint_create(user=request.user, **self.validated())
        return self.output(point, status.HTTP_201_CREATED)

    @extend_schema(
        request=DataPointChangeIn,
        responses={200: DataPointOut, 409: OpenApiResponse(ConflictOut, "Changed since.")},
    )
    def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        point = self.get_object()  # not found comes before invalid
        changes = dict(self.validated())  # every field but version is optional
        version, comment = changes.pop("version"), changes.pop("comment", "")
        return self._change(
            services.datapoint_update, point, expected_version=version, comment=comment, **changes
        )

    def _change(self, service: Any, point: DataPoint, **arguments: Any) -> Response:
        try:
            point = service(point=point, user=self.request.user, **arguments)
        except services.EditConflictError as conflict:
            return self._conflict(conflict)
        return self.output(point)

    def _conflict(self, conflict: services.EditConflictError) -> Response:
        """409 with the point as it is now: re-read, re-apply, send again."""
        body = {"detail": str(conflict), "current": conflict.current}
        return Response(
            ConflictOut(body, context=self.get_serializer_context()).data,
            status=status.HTTP_409_CONFLICT,
        )

    def _transition(self, new_status: str) -> Response:
        point = self.get_object()
        data = self.validated()
        return self._change(
            services.datapoint_set_status,
            point,
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


class TrendViewSet(ConditionalListMixin, mixins.ListModelMixin, PartnershipApiViewSet):
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

    def fingerprint(self, trends: list[Trend]) -> list[tuple]:
        # A recompute changes computed_at; a change of approved data (which may
        # change what is suppressed) raises the indicator's data_version.
        return [
            (t.pk, t.computed_at, t.data_version, t.indicator.data_version,
             t.indicator.updated_at)
            for t in trends
        ]  # fmt: skip

    @extend_schema(parameters=[CONDITIONAL], responses={200: TrendOut(many=True),
                                                        304: NOT_MODIFIED})  # fmt: skip
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        trends = list(args[0]) if args else []
        context = kwargs.pop("context", None) or self.get_serializer_context()
        context["trend_denominators"] = selectors.trend_denominators(trends=trends)
        context["gap_denominators"] = equity_gap_denominators(trends=trends)
        return TrendOut(*args, context=context, **kwargs)


class ScorecardViewSet(PartnershipApiViewSet):
    """Counts of indicators by the status of their headline series."""

    model = Indicator
    pagination_class = None
    answers_one_object = True  # for the schema: its list route answers one object
    serializer_classes = {"default": ScorecardOut}

    @extend_schema(parameters=[CONDITIONAL], responses={200: ScorecardOut, 304: NOT_MODIFIED})
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """Counts only: no values, so nothing in it rests on a small group."""
        counts = selectors.scorecard(partnership=self.partnership)
        etag = make_etag([request.get_full_path(), counts])
        return conditional(request, etag, lambda: Response(ScorecardOut(counts).data))
