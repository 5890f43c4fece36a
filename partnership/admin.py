"""Admin for partnerships, organizations and memberships (superusers only).

The product's own pages are where backbone staff work; the admin is the
superuser's tool for looking at and repairing any partnership's data.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from indicators.models import Indicator

from .models import Membership, Organization, Partnership


class FixedOnChangeMixin:
    """Fields that say what an object belongs to (its partnership, a category's
    dimension, a data point's series) are chosen when it is created and cannot
    change afterwards: moving an object between partnerships would leave its
    data pointing across them.

    The fields stay in the form, disabled, so that the form still validates the
    unique constraints they take part in.
    """

    fixed_on_change: tuple[str, ...] = ("partnership",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            for name in self.fixed_on_change:
                if name in form.base_fields:
                    # A copy: a field declared on a custom form is shared by every
                    # form class built from it.
                    field = copy.deepcopy(form.base_fields[name])
                    field.disabled = True
                    field.help_text = "Fixed once created."
                    form.base_fields[name] = field
        return form


def count_of(model: type[Model], field: str = "partnership") -> Coalesce:
    """How many ``model`` rows point at the outer row through ``field``.

    A subquery per count, not ``Count(..., distinct=True)`` over joins, which
    would multiply a partnership's organizations by its members by its indicators.
    """
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "min_cell_size",
        "organization_count",
        "member_count",
        "indicator_count",
        "created_at",
    )
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partnership]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_organizations=count_of(Organization),
                n_members=count_of(Membership),
                n_indicators=count_of(Indicator),
            )
        )

    @admin.display(description="Organizations", ordering="n_organizations")
    def organization_count(self, obj: Partnership) -> int:
        return obj.n_organizations

    @admin.display(description="Members", ordering="n_members")
    def member_count(self, obj: Partnership) -> int:
        return obj.n_members

    @admin.display(description="Indicators", ordering="n_indicators")
    def indicator_count(self, obj: Partnership) -> int:
        return obj.n_indicators


@admin.register(Organization)
class OrganizationAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "partnership", "role", "sector", "joined_on")
    list_filter = ("partnership", "role", "sector")
    list_select_related = ("partnership",)
    search_fields = ("name", "slug")
    autocomplete_fields = ("partnership",)
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("partnership__name", "name")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    """The model's ``clean()`` checks that a data steward has an organization and
    that the organization is one of this partnership's; the admin's model form
    calls it and shows its errors on the organization field."""

    fixed_on_change = ("user", "partnership")
    list_display = ("user", "partnership", "role", "organization", "created_at")
    list_filter = ("partnership", "role")
    list_select_related = ("user", "partnership", "organization")
    search_fields = (
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "organization__name",
    )
    autocomplete_fields = ("user", "partnership", "organization")
    readonly_fields = ("created_at",)
    ordering = ("partnership__name", "user__username")
