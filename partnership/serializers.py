"""API shapes of partnerships, organizations, memberships and tokens.

Output and input serializers are separate: outputs name related objects by
slug or code; inputs resolve those codes inside the request's partnership.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from .api_base import ScopedSlugField
from .models import Membership, Organization, Partnership
from .permissions import role_in


class PartnershipOut(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="The caller's role in the partnership.")

    class Meta:
        model = Partnership
        fields = ["slug", "name", "description", "min_cell_size", "role"]

    def get_role(self, partnership: Partnership) -> str | None:
        return role_in(self.context["request"].user, partnership)


class PartnershipIn(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = ["slug", "name", "description", "min_cell_size"]


class OrganizationOut(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "sector", "role"]


class OrganizationIn(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "sector", "role", "website"]
        # Uniqueness is checked by full_clean against the partnership's constraints.
        validators: list = []


class MembershipOut(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["user", "organization", "role"]


class MembershipIn(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )
    organization = ScopedSlugField(Organization, "slug", allow_null=True, required=False)

    class Meta:
        model = Membership
        fields = ["user", "organization", "role"]
        validators: list = []


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, default="API token", max_length=100)


class TokenOut(serializers.Serializer):
    token = serializers.CharField(help_text="The key: shown this once, keep it secret.")
    prefix = serializers.CharField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
