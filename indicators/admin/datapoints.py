"""Data points: every write goes through the data point services, so it is
checked, versioned and recorded in the history like any other change.

The form checks what the services would refuse, with their validators, so that
a mistake comes back as a form error; what only a service can see (someone else
saved in between) comes back as an error message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from partnership.admin import FixedOnChangeMixin

from ..models import DataPoint, DataStatus, Indicator
from ..services import (
    TRANSITIONS,
    EditConflictError,
    datapoint_create,
    datapoint_delete,
    datapoint_set_status,
    datapoint_update,
    validate_series_key,
    validate_values,
)
from .base import ServiceErrorsMixin, error_text
from .history import DataPointChangeInline

# The data point fields ``datapoint_update`` changes.
EDITABLE_VALUES = ("value", "numerator", "denominator", "note", "source")

# The page of the "return selected" action that asks for the stewards' comment.
RETURN_TEMPLATE = "admin/indicators/datapoint/return_selected.html"


def describe(point: DataPoint) -> str:
    """A data point's series key as codes: ``k-ready 2021-22 D1 black``."""
    parts = [point.indicator.code, point.period.label]
    if point.geography_id:
        parts.append(point.geography.code)
    if point.category_id:
        parts.append(point.category.code)
    return " ".join(parts)


class DataPointAdminForm(forms.ModelForm):
    """Checks what the data point services would refuse, with their validators."""

    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with this change in the history. Required when returning data.",
    )
    # The version the editor loaded; a save based on an older one is a conflict.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    class Meta:
        model = DataPoint
        fields = (
            "indicator",
            "period",
            "geography",
            "category",
            *EDITABLE_VALUES,
            "status",
            "version",
        )
        help_texts = {
            "status": (
                "The status after saving. Changing the value of submitted or approved data "
                "sends it back to draft first; saving it as approved re-approves it."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        point, adding = self.instance, self.instance._state.adding
        indicator = cleaned.get("indicator")
        if indicator is None:
            return cleaned
        if not adding and cleaned.get("version") != point.version:
            raise ValidationError(str(EditConflictError(point)))
        if not any(self.has_error(name) for name in ("value", "numerator", "denominator")):
            self._validate(
                validate_values,
                indicator=indicator,
                value=cleaned.get("value"),
                numerator=cleaned.get("numerator"),
                denominator=cleaned.get("denominator"),
            )
        if adding:
            self._check_series_key(indicator, cleaned)
        self._check_status(cleaned)
        return cleaned

    def _check_series_key(self, indicator: Indicator, cleaned: dict[str, Any]) -> None:
        period = cleaned.get("period")
        if period is not None and period.kind != indicator.period_kind:
            self.add_error(
                "period",
                f"{indicator.code} is reported by {indicator.get_frequency_display().lower()}; "
                f"'{period.label}' is not such a period.",
            )
        self._validate(
            validate_series_key,
            indicator=indicator,
            geography=cleaned.get("geography"),
            category=cleaned.get("category"),
        )

    def _validate(self, validator: Callable[..., None], **kwargs: Any) -> None:
        """Runs one of the services' validators; what it refuses is a form error."""
        try:
            validator(**kwargs)
        except ValidationError as exc:
            self.add_error(None, exc)

    def _check_status(self, cleaned: dict[str, Any]) -> None:
        """The chosen status must be reachable from the status the point will
        have after its values are saved (a changed value of submitted or approved
        data makes it a draft)."""
        target = cleaned.get("status")
        if not target:
            return
        if self.instance._state.adding:
            current = DataStatus.DRAFT
        else:
            current = self.instance.status
            values_changed = {"value", "numerator", "denominator"} & set(self.changed_data)
            if values_changed and current in (DataStatus.SUBMITTED, DataStatus.APPROVED):
                current = DataStatus.DRAFT
        if target == current:
            return
        if (current, target) not in TRANSITIONS:
            self.add_error(
                "status",
                f"A {DataStatus(current).label.lower()} data point cannot become "
                f"{DataStatus(target).label.lower()}.",
            )
        elif target == DataStatus.RETURNED and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what needs fixing when you return data.")


class ReturnForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Tell the stewards what to fix; it is recorded in each point's history.",
    )


@admin.register(DataPoint)
class DataPointAdmin(ServiceErrorsMixin, FixedOnChangeMixin, admin.ModelAdmin):
    """Every write goes through the data point services, so it is checked,
    versioned and recorded in the history like any other change."""

    form = DataPointAdminForm
    fixed_on_change = ("indicator", "period", "geography", "category")
    inlines = (DataPointChangeInline,)
    list_display = (
        "__str__",
        "geography",
        "category",
        "value",
        "numerator",
        "denominator",
        "status",
        "version",
        "partnership",
        "updated_at",
        "updated_by",
    )
    # The choice filters cost nothing; geography, indicator and period filters
    # would list thousands of choices, so those are searched instead.
    list_filter = ("status", "indicator__partnership", "period__kind")
    # Prefix and exact matches, which indexes can serve on a table of millions:
    # "k-ready 2021-22" finds that indicator's points for that school year.
    search_fields = ("^indicator__code", "=period__label", "^geography__code", "=category__code")
    search_help_text = "Indicator code, period label, geography code or category code."
    show_full_result_count = False
    # Newest first: served by datapoint_updated_idx, unlike the model's ordering.
    ordering = ("-updated_at",)
    autocomplete_fields = ("indicator", "period", "geography", "category")
    readonly_fields = ("created_by", "created_at", "updated_by", "updated_at")
    actions = ("approve_selected", "return_selected")
    fieldsets = (
        ("Series", {"fields": ("indicator", "period", "geography", "category")}),
        ("Value", {"fields": ("value", ("numerator", "denominator"), "note", "source")}),
        ("Workflow", {"fields": ("status", "comment", "version")}),
        ("Record", {"fields": (("created_by", "created_at"), ("updated_by", "updated_at"))}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataPoint]:
        # Everything the list and the change page show. (The changelist ignores
        # list_select_related once get_queryset selects related rows.)
        return (
            super()
            .get_queryset(request)
            .select_related(
                "indicator__partnership",
                "period",
                "geography",
                "category__dimension",
                "updated_by",
            )
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fieldsets if obj is not None else self.fieldsets[:-1]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    @admin.display(ordering="indicator__partnership__name")
    def partnership(self, obj: DataPoint) -> Any:
        return obj.indicator.partnership

    # --- writes through the services ---------------------------------------

    def save_model(self, request: HttpRequest, obj: DataPoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        comment = data.get("comment", "")
        if change:
            point, status, version = obj, form.initial["status"], data["version"]
            edits = {name: data[name] for name in EDITABLE_VALUES if name in form.changed_data}
            if edits:
                point = datapoint_update(
                    point=obj, expected_version=version, user=request.user, comment=comment, **edits
                )
                status, version = point.status, point.version
        else:
            point = datapoint_create(
                indicator=obj.indicator,
                period=obj.period,
                geography=obj.geography,
                category=obj.category,
                value=obj.value,
                numerator=obj.numerator,
                denominator=obj.denominator,
                note=obj.note,
                source=obj.source,
                user=request.user,
                comment=comment,
            )
            status, version = point.status, point.version
        if data["status"] != status:
            point = datapoint_set_status(
                point=point,
                status=data["status"],
                expected_version=version,
                user=request.user,
                comment=comment,
            )
        # The admin goes on with ``obj`` (its log entry, its redirect).
        for field in DataPoint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(point, field.attname))
        obj._state.adding, obj._state.db = False, point._state.db

    def delete_model(self, request: HttpRequest, obj: DataPoint) -> None:
        datapoint_delete(
            point=obj,
            expected_version=obj.version,
            user=request.user,
            comment="Deleted in the admin.",
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DataPoint]) -> None:
        for point in list(queryset):
            self.delete_model(request, point)

    # --- workflow actions ----------------------------------------------------

    @admin.action(description="Approve selected submitted data points", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[DataPoint]) -> None:
        self._move_submitted(request, queryset, DataStatus.APPROVED, comment="")

    @admin.action(
        description="Return selected submitted data points to their stewards",
        permissions=["change"],
    )
    def return_selected(
        self, request: HttpRequest, queryset: QuerySet[DataPoint]
    ) -> HttpResponse | None:
        """Asks for the comment the stewards will read, then returns the points."""
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._move_submitted(
                request, queryset, DataStatus.RETURNED, comment=form.cleaned_data["comment"]
            )
            return None
        points = list(queryset)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": "Return data points to their stewards",
            "opts": self.opts,
            "form": form,
            "shown": points[:50],
            "more": max(len(points) - 50, 0),
            "selected": [point.pk for point in points],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, RETURN_TEMPLATE, context)

    def _move_submitted(
        self, request: HttpRequest, queryset: QuerySet[DataPoint], status: str, comment: str
    ) -> None:
        """Moves each submitted point to ``status``; reports how many moved and
        which could not, and why."""
        verb, done = {
            DataStatus.APPROVED: ("approve", "Approved"),
            DataStatus.RETURNED: ("return", "Returned"),
        }[status]
        moved, failed = 0, []
        for point in queryset:
            if point.status != DataStatus.SUBMITTED:
                failed.append(f"{describe(point)} (it is {point.get_status_display().lower()})")
                continue
            try:
                datapoint_set_status(
                    point=point,
                    status=status,
                    expected_version=point.version,
                    user=request.user,
                    comment=comment,
                )
            except (EditConflictError, ValidationError, PermissionDenied) as exc:
                failed.append(f"{describe(point)} ({error_text(exc)})")
            else:
                moved += 1
        if moved:
            self.message_user(request, f"{done} {_data_points(moved)}.", messages.SUCCESS)
        if failed:
            listed = "; ".join(failed[:10]) + (
                f"; and {len(failed) - 10} more" if len(failed) > 10 else ""
            )
            self.message_user(
                request,
                f"Could not {verb} {_data_points(len(failed))}: {listed}.",
                messages.WARNING,
            )


def _data_points(n: int) -> str:
    return f"{n} data point" if n == 1 else f"{n} data points"
