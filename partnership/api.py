"""API: tokens, the caller's partnerships, their organizations and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .api_base import ApiViewSet, CatalogueViewSet
from .api_http import AnonThrottle
from .models import Membership, Organization
from .permissions import Action, can, visible_partnerships
from .serializers import (
    MembershipIn,
    MembershipOut,
    OrganizationIn,
    OrganizationOut,
    PartnershipIn,
    PartnershipOut,
    TokenOut,
    TokenRequest,
)
from .tokens import token_create


class TokenViewSet(ApiViewSet):
    """``POST auth/token/`` with a username and password answers a new token."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]
    authentication_classes: list = []  # the password is the credential here
    serializer_classes = {"default": TokenRequest}

    @extend_schema(request=TokenRequest, responses={201: TokenOut})
    def create(self, request: Any) -> Response:
        data = self.validated()
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            return Response(
                {"detail": "Wrong username or password."}, status=status.HTTP_400_BAD_REQUEST
            )
        new = token_create(user=user, name=data["name"])
        body = {
            "token": new.key,
            "prefix": new.token.prefix,
            "name": new.token.name,
            "created_at": new.token.created_at,
        }
        return Response(TokenOut(body).data, status=status.HTTP_201_CREATED)


class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The partnerships the caller belongs to (every partnership for superusers)."""

    lookup_field = "slug"
    ordering_fields = ("name", "slug")
    serializer_classes = {"default": PartnershipOut, "create": PartnershipIn}

    def get_queryset(self) -> Any:
        return visible_partnerships(self.request.user).order_by("name")

    @extend_schema(request=PartnershipIn, responses={201: PartnershipOut})
    def create(self, request: Any) -> Response:
        if not can(request.user, Action.CREATE_PARTNERSHIP):
            raise PermissionDenied("Only superusers create partnerships.")
        partnership = PartnershipIn.Meta.model(**self.validated())
        partnership.full_clean()
        partnership.save()
        return self.output(partnership, status.HTTP_201_CREATED)


class OrganizationViewSet(CatalogueViewSet):
    lookup_field = "slug"
    ordering_fields = ("name", "slug")
    output_serializer = OrganizationOut
    input_serializer = OrganizationIn

    model = Organization

    def scoped_queryset(self) -> Any:
        return Organization.objects.filter(partnership=self.partnership).order_by("name")


class MembershipViewSet(CatalogueViewSet):
    """Backbone staff see and manage every membership; everyone else sees their own."""

    model = Membership
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    write_action = Action.MANAGE_MEMBERS
    ordering_fields = ("role",)
    output_serializer = MembershipOut
    input_serializer = MembershipIn

    def scoped_queryset(self) -> Any:
        memberships = Membership.objects.filter(partnership=self.partnership).select_related(
            "user", "organization"
        )
        if not can(self.request.user, Action.MANAGE_MEMBERS, self.partnership):
            memberships = memberships.filter(user=self.request.user)
        return memberships.order_by("user__username")
