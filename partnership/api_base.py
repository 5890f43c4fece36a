"""The one base every API view shares: authentication (session or token),
authenticated by default, page-number pagination, throttling, filtering and
allow-listed ordering, the error mapping, and scoping to one partnership.

A partnership-scoped view finds its partnership through ``get_partnership_or_404``,
so for someone who is not a member the partnership, and everything in it, is
not found (404); a member without the right gets 403.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler
from rest_framework.viewsets import GenericViewSet

from .api_http import AnonThrottle, Pagination, UserThrottle
from .api_schema import ApiAutoSchema
from .authentication import TokenAuthentication
from .models import Partnership
from .permissions import Action, get_partnership_or_404, require
from .privacy import CellPolicy, cell_policy


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes ``Authorization: Token <key>`` in the OpenAPI schema."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <key>, from POST /api/v1/auth/token/ or /account/tokens/.",
        }


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus: a model or service ValidationError is a 400 with field
    errors, and deleting something still in use is a 409."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ProtectedError):
        return Response(
            {"detail": "This is still in use (for example by indicators or data points)."},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)


class ApiViewSet(GenericViewSet):
    """The shared base. Subclasses list their ``ordering_fields`` explicitly; with
    none, ordering is not offered at all."""

    schema = ApiAutoSchema()
    # Token first: its WWW-Authenticate header makes anonymous requests answer 401.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    throttle_classes = [AnonThrottle, UserThrottle]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields: tuple[str, ...] = ()
    # Serializers per action: "list"/"retrieve" read, "create"/"partial_update" write;
    # "default" is the output serializer.
    serializer_classes: dict[str, type[serializers.Serializer]] = {}

    def check_permissions(self, request: Any) -> None:
        # DRF throttles after the permission check, so anonymous floods would only
        # ever meet a cheap 401; throttle them first (once per request).
        if not request.user.is_authenticated:
            self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request: Any) -> None:
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True
        super().check_throttles(request)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.serializer_classes.get(self.action, self.serializer_classes["default"])

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        serializer_class = self.serializer_classes["default"]
        return Response(
            serializer_class(instance, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def validated(self, instance: Any = None, partial: bool = False) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema(
    parameters=[OpenApiParameter("partnership_slug", str, OpenApiParameter.PATH)],
)
class PartnershipApiViewSet(ApiViewSet):
    """A resource inside one partnership: ``/partnerships/{partnership_slug}/...``.
    Subclasses name their ``model`` and define ``scoped_queryset``."""

    model: type | None = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return self.model.objects.none()
        return self.scoped_queryset()

    @cached_property
    def partnership(self) -> Partnership:
        return get_partnership_or_404(self.request.user, self.kwargs["partnership_slug"])

    @cached_property
    def cells(self) -> CellPolicy:
        return cell_policy(user=self.request.user, partnership=self.partnership)

    def require(self, action: Action, target: Any = None) -> None:
        require(self.request.user, action, self.partnership if target is None else target)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if "partnership_slug" in self.kwargs:  # absent while the schema is generated
            context["partnership"] = self.partnership
            context["cells"] = self.cells
        return context


@extend_schema_field(OpenApiTypes.STR)
class ScopedSlugField(serializers.SlugRelatedField):
    """A reference by code or slug, looked up only inside the request's partnership
    (``scope`` is the path from the model to its partnership)."""

    def __init__(self, model: type, slug_field: str, scope: str = "partnership", **kwargs: Any):
        self.model, self.scope = model, scope
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self) -> Any:
        return self.model.objects.filter(**{self.scope: self.context["partnership"]})


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipApiViewSet):
    """Read for every member; create, change and delete with ``write_action``
    (backbone staff). Writes validate an input serializer, then hand the
    validated fields to ``create_object``/``update_object`` (a service where one
    exists; ``full_clean`` and save otherwise) and answer with the output shape."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_action = Action.MANAGE_CATALOGUE
    output_serializer: type[serializers.Serializer]
    input_serializer: type[serializers.Serializer] | None = None  # default: the output one

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "output_serializer"):
            written = cls.input_serializer or cls.output_serializer
            cls.serializer_classes = {
                "default": cls.output_serializer,
                "create": written,
                "partial_update": written,
            }

    def create(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        self.require(self.write_action)
        return self.output(self.create_object(self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        self.require(self.write_action)
        return self.output(self.update_object(instance, self.validated(instance, partial=True)))

    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        self.require(self.write_action)
        instance.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def create_object(self, data: dict[str, Any]) -> Any:
        instance = self.get_queryset().model(partnership=self.partnership, **data)
        instance.full_clean()
        instance.save()
        return instance

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        for name, value in data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        return instance
