"""Admin for partnerships, organizations and memberships (superusers only).

The product's own pages are where backbone staff work; the admin is the
superuser's tool for looking at and repairing any partnership's data.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from indicators.models import Indicator

from .models import (
    ActivityEvent,
    AgendaEndorsement,
    AgendaVersion,
    ApiToken,
    Benchmark,
    BenchmarkAssessment,
    Contact,
    ContactChange,
    Gateway,
    Invitation,
    Membership,
    MembershipChange,
    Organization,
    Partnership,
)
from .tokens import token_revoke


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
    list_filter = ("created_at", "min_cell_size")
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners on /account/tokens/, where the key is
    shown once. Here they are looked at and revoked, never edited or deleted (a
    revoked token stays for the record), and the key's hash is never shown."""

    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    list_display = ("name", "prefix", "user", "is_active", "created_at", "last_used_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "^prefix", "user__username", "user__email")
    search_help_text = "Token name, the key's first characters, or the owner's username or email."
    date_hierarchy = "created_at"
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="active", boolean=True, ordering="revoked_at")
    def is_active(self, obj: ApiToken) -> bool:
        return obj.active

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = sum(
            token_revoke(user=token.user, token_id=token.pk)
            for token in queryset.filter(revoked_at__isnull=True)
        )
        self.message_user(
            request, f"Revoked {revoked} token{'' if revoked == 1 else 's'}.", messages.SUCCESS
        )


# --- running the partnership -------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are history (agenda versions, assessments, contact changes,
    activity events): the superuser looks, nobody edits them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EndorsementInline(admin.TabularInline):
    model = AgendaEndorsement
    extra = 0
    can_delete = False
    readonly_fields = ("organization", "endorsed_on", "statement", "recorded_by", "recorded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgendaVersion)
class AgendaVersionAdmin(ReadOnlyAdmin):
    list_display = ("partnership", "number", "adopted_on", "created_by", "created_at", "summary")
    list_filter = ("partnership", "adopted_on")
    list_select_related = ("partnership", "created_by")
    search_fields = ("partnership__name", "summary")
    date_hierarchy = "created_at"
    inlines = (EndorsementInline,)
    ordering = ("partnership__name", "-number")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "organization", "email", "phone")
    list_filter = ("organization__partnership",)
    list_select_related = ("organization",)
    search_fields = ("name", "email", "organization__name")
    autocomplete_fields = ("organization",)
    readonly_fields = ("version", "updated_at")


@admin.register(ContactChange)
class ContactChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "organization", "subject_name", "action", "changed_by")
    list_select_related = ("organization", "changed_by")
    list_filter = ("action", "organization__partnership")
    search_fields = ("contact__name", "organization__name", "changed_by__username")
    search_help_text = "Contact name, organization name or the username of who changed it."
    date_hierarchy = "changed_at"


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent and revoked from the partner directory (the email and
    its signed link are made there)."""

    list_display = ("email", "partnership", "role", "organization", "sent_at", "expires_at")
    list_filter = ("partnership", "role")
    list_select_related = ("partnership", "organization")
    search_fields = ("email",)
    exclude = ("nonce",)


class BenchmarkInline(admin.TabularInline):
    model = Benchmark
    extra = 0
    fields = ("order", "text", "retired_at")


@admin.register(Gateway)
class GatewayAdmin(admin.ModelAdmin):
    list_display = ("partnership", "order", "stage")
    list_filter = ("partnership", "stage")
    list_select_related = ("partnership",)
    search_fields = ("partnership__name", "description")
    inlines = (BenchmarkInline,)
    ordering = ("partnership__name", "order")


@admin.register(BenchmarkAssessment)
class BenchmarkAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("benchmark", "status", "assessed_by", "assessed_at")
    list_filter = ("status", "benchmark__gateway__partnership")
    list_select_related = ("benchmark", "assessed_by")
    search_fields = ("benchmark__text", "evidence", "assessed_by__username")
    date_hierarchy = "assessed_at"


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "partnership", "kind", "text", "actor")
    list_filter = ("partnership", "kind")
    list_select_related = ("partnership", "actor")
    search_fields = ("text", "actor__username")
    date_hierarchy = "created_at"


@admin.register(MembershipChange)
class MembershipChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "partnership", "member", "old_role", "new_role", "changed_by")
    list_filter = ("partnership", "new_role")
    list_select_related = ("partnership", "member", "changed_by")
    search_fields = ("member__username", "member__email", "changed_by__username")
    search_help_text = "Username or email of the member, or the username of who changed it."
    date_hierarchy = "changed_at"
