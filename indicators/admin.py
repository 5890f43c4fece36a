"""Admin for shared measurement (superusers only).

Writes that have rules go through ``indicators.services`` here as everywhere:
geographies get their ``path`` from ``geography_create``/``geography_move``, and
data points are created, edited, moved through the workflow and deleted by the
data point services, so every admin change lands in the history. The history
(``DataPointChange``) and the computed trends are read-only.

Forms check what the services would refuse (with the services' own validators
where they exist), so that a mistake comes back as a form error; what only the
service can see (someone else saved in between) comes back as an error message.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.response import TemplateResponse

from outcomes.models import OutcomeArea
from partnership.admin import FixedOnChangeMixin, count_of

from .models import (
    FREQUENCY_PERIOD_KIND,
    Category,
    DataPoint,
    DataPointChange,
    DataStatus,
    DerivedPoint,
    Dimension,
    EquityGap,
    Geography,
    Indicator,
    IndicatorDimension,
    Period,
    Trend,
    TrendState,
)
from .periods import PeriodError, PeriodKind, parse_period
from .services import (
    TRANSITIONS,
    EditConflictError,
    datapoint_create,
    datapoint_delete,
    datapoint_set_status,
    datapoint_update,
    geography_create,
    geography_move,
    validate_series_key,
    validate_values,
)

# The data point fields ``datapoint_update`` changes.
EDITABLE_VALUES = ("value", "numerator", "denominator", "note", "source")


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class ServiceErrorsMixin:
    """Shows what a service refuses after the form was valid (someone else saved
    the object in between) as an error message on a fresh page instead of a
    server error. The admin's transaction has been rolled back by then."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (EditConflictError, ValidationError) as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)
        except (EditConflictError, ValidationError) as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the system writes: they can be looked at, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- periods ---------------------------------------------------------------


class PeriodAdminForm(forms.ModelForm):
    """A period is typed as its label; the start and end follow from it."""

    class Meta:
        model = Period
        fields = ("kind", "label")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind, label = cleaned.get("kind"), cleaned.get("label")
        if kind and label:
            try:
                span = parse_period(label, kind)
            except PeriodError as exc:
                self.add_error("label", str(exc))
            else:
                cleaned["label"] = span.label
                self.instance.start, self.instance.end = span.start, span.end
        return cleaned


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    form = PeriodAdminForm
    fields = ("kind", "label", "start", "end")
    readonly_fields = ("start", "end")
    list_display = ("label", "kind", "start", "end")
    list_filter = ("kind",)
    search_fields = ("label",)
    ordering = ("-start", "kind")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Periods are calendar facts shared by every partnership's data: a
        # changed label or span would silently move data to another time.
        return False


# --- geographies -----------------------------------------------------------


class GeographyAdminForm(forms.ModelForm):
    class Meta:
        model = Geography
        fields = ("partnership", "code", "name", "kind", "parent")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if "/" in code:
            raise ValidationError("A code cannot contain '/': it separates codes in the path.")
        return code

    def clean(self) -> dict[str, Any]:
        # The same rules as the services, checked here so they come back as
        # form errors; the services check them again when saving.
        cleaned = super().clean()
        parent, partnership = cleaned.get("parent"), cleaned.get("partnership")
        if parent is None or partnership is None:
            return cleaned
        if parent.partnership_id != partnership.pk:
            self.add_error("parent", "The parent geography belongs to another partnership.")
        elif self.instance.pk and parent.path.startswith(self.instance.path):
            self.add_error("parent", "A geography cannot be placed inside its own subtree.")
        return cleaned


@admin.register(Geography)
class GeographyAdmin(ServiceErrorsMixin, FixedOnChangeMixin, admin.ModelAdmin):
    form = GeographyAdminForm
    fields = ("partnership", "code", "name", "kind", "parent", "path", "depth")
    readonly_fields = ("path", "depth")
    list_display = ("name", "code", "kind", "partnership", "parent", "path", "depth")
    list_filter = ("partnership", "kind", "depth")
    list_select_related = ("partnership", "parent")
    search_fields = ("code", "name", "path")
    autocomplete_fields = ("partnership", "parent")
    ordering = ("partnership__name", "path")

    def save_model(self, request: HttpRequest, obj: Geography, form: Any, change: bool) -> None:
        if not change:
            saved = geography_create(
                partnership=obj.partnership,
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                parent=obj.parent,
            )
            obj.pk, obj.path, obj.depth = saved.pk, saved.path, saved.depth
            obj._state.adding, obj._state.db = False, saved._state.db
        elif {"parent", "code"} & set(form.changed_data):
            # A new code or parent changes the path of the whole subtree.
            geography_move(geography=obj, parent=obj.parent)
        else:
            obj.save()


# --- disaggregation --------------------------------------------------------


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ("code", "name", "order")
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    inlines = (CategoryInline,)
    list_display = ("name", "code", "partnership", "category_count", "indicator_count")
    list_filter = ("partnership",)
    list_select_related = ("partnership",)
    search_fields = ("name", "code")
    autocomplete_fields = ("partnership",)
    prepopulated_fields = {"code": ("name",)}
    ordering = ("partnership__name", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dimension]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_categories=count_of(Category, "dimension"),
                n_indicators=count_of(IndicatorDimension, "dimension"),
            )
        )

    @admin.display(description="Categories", ordering="n_categories")
    def category_count(self, obj: Dimension) -> int:
        return obj.n_categories

    @admin.display(description="Indicators", ordering="n_indicators")
    def indicator_count(self, obj: Dimension) -> int:
        return obj.n_indicators


@admin.register(Category)
class CategoryAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    fixed_on_change = ("dimension",)
    list_display = ("name", "code", "dimension", "partnership", "order")
    list_filter = ("dimension__partnership",)
    search_fields = ("name", "code", "dimension__name", "dimension__code")
    autocomplete_fields = ("dimension",)
    ordering = ("dimension__partnership__name", "dimension__name", "order", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        # A category's name includes its dimension's, in autocomplete results too.
        # (The changelist ignores list_select_related once get_queryset selects.)
        return super().get_queryset(request).select_related("dimension__partnership")

    @admin.display(ordering="dimension__partnership__name")
    def partnership(self, obj: Category) -> Any:
        return obj.dimension.partnership


# --- indicators ------------------------------------------------------------


class OutcomeAreaFilter(admin.SimpleListFilter):
    """Outcome areas named with their partnership (two partnerships may both
    have a "Kindergarten readiness"), narrowed to the chosen partnership."""

    title = "outcome area"
    parameter_name = "outcome_area"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[int, str]]:
        areas = OutcomeArea.objects.select_related("partnership").order_by(
            "partnership__name", "order"
        )
        partnership = request.GET.get("partnership__id__exact", "")
        if partnership.isdigit():
            areas = areas.filter(partnership_id=partnership)
        return [(area.pk, f"{area.partnership.name}: {area.name}") for area in areas]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(outcome_area_id=self.value())
        return queryset


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = (
            "partnership",
            "code",
            "name",
            "definition",
            "outcome_area",
            "kind",
            "performance_tag",
            "unit",
            "direction",
            "frequency",
            "aggregation",
            "steward",
            "data_source",
            "baseline_period",
            "target_value",
            "target_period",
            "threshold",
            "expected_min",
            "expected_max",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        partnership = cleaned.get("partnership")
        if partnership is not None:
            for name in ("outcome_area", "steward"):
                related = cleaned.get(name)
                if related is not None and related.partnership_id != partnership.pk:
                    label = name.replace("_", " ")
                    self.add_error(name, f"This {label} belongs to another partnership.")
        frequency = cleaned.get("frequency")
        if frequency:
            kind = FREQUENCY_PERIOD_KIND[frequency]
            for name in ("baseline_period", "target_period"):
                period = cleaned.get(name)
                if period is not None and period.kind != kind:
                    self.add_error(
                        name,
                        f"'{period.label}' is a {period.get_kind_display().lower()}; this "
                        f"indicator is reported by {PeriodKind(kind).label.lower()}.",
                    )
            if (
                self.instance.pk
                and "frequency" in self.changed_data
                and self.instance.data_points.exists()
            ):
                self.add_error(
                    "frequency",
                    "This indicator has data for its current frequency; delete that data "
                    "before changing how often it is reported.",
                )
        return cleaned


class IndicatorDimensionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        indicator = self.instance
        errors = []
        for form in self.forms:
            dimension = getattr(form, "cleaned_data", {}).get("dimension")
            if dimension is None:
                continue
            if form.cleaned_data.get("DELETE"):
                if (
                    indicator.pk
                    and DataPoint.objects.filter(
                        indicator=indicator, category__dimension=dimension
                    ).exists()
                ):
                    errors.append(
                        f"There is data broken down by {dimension.name}; delete it before "
                        "removing the dimension."
                    )
            elif indicator.partnership_id and dimension.partnership_id != indicator.partnership_id:
                errors.append(f"The dimension {dimension.name} belongs to another partnership.")
        if errors:
            raise ValidationError(errors)


class IndicatorDimensionInline(admin.TabularInline):
    model = IndicatorDimension
    formset = IndicatorDimensionFormSet
    autocomplete_fields = ("dimension",)
    extra = 0
    verbose_name = "disaggregation dimension"


@admin.register(Indicator)
class IndicatorAdmin(FixedOnChangeMixin, admin.ModelAdmin):
    form = IndicatorAdminForm
    inlines = (IndicatorDimensionInline,)
    list_display = (
        "code",
        "name",
        "partnership",
        "outcome_area",
        "kind",
        "unit",
        "direction",
        "frequency",
        "steward",
    )
    list_display_links = ("code", "name")
    list_filter = (
        "partnership",
        OutcomeAreaFilter,
        "kind",
        "unit",
        "direction",
        "frequency",
        "aggregation",
    )
    list_select_related = ("partnership", "outcome_area", "steward")
    search_fields = ("code", "name", "data_source")
    autocomplete_fields = (
        "partnership",
        "outcome_area",
        "steward",
        "baseline_period",
        "target_period",
    )
    readonly_fields = ("data_version", "created_at", "updated_at")
    ordering = ("partnership__name", "outcome_area__order", "code")
    fieldsets = (
        (None, {"fields": ("partnership", "code", "name", "definition", "outcome_area")}),
        (
            "Measurement",
            {
                "fields": (
                    ("kind", "performance_tag"),
                    ("unit", "direction"),
                    ("frequency", "aggregation"),
                    "steward",
                    "data_source",
                )
            },
        ),
        (
            "Baseline and target",
            {
                "fields": (
                    "baseline_period",
                    ("target_value", "target_period"),
                    "threshold",
                    ("expected_min", "expected_max"),
                )
            },
        ),
        ("Record", {"fields": ("data_version", "created_at", "updated_at")}),
    )


# --- data points -----------------------------------------------------------


def describe(point: DataPoint) -> str:
    """A data point's series key as codes: ``k-ready 2021-22 D1 black``."""
    parts = [point.indicator.code, point.period.label]
    if point.geography_id:
        parts.append(point.geography.code)
    if point.category_id:
        parts.append(point.category.code)
    return " ".join(parts)


def summarize_change(change: DataPointChange) -> str:
    """``value: 50 → 55; status: approved → draft``."""
    old, new = change.old or {}, change.new or {}
    names = [
        name for name in (*old, *(k for k in new if k not in old)) if old.get(name) != new.get(name)
    ]
    return "; ".join(f"{name}: {old.get(name, '—')} → {new.get(name, '—')}" for name in names)


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
            try:
                validate_values(
                    indicator=indicator,
                    value=cleaned.get("value"),
                    numerator=cleaned.get("numerator"),
                    denominator=cleaned.get("denominator"),
                )
            except ValidationError as exc:
                self.add_error(None, exc)
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
        try:
            validate_series_key(
                indicator=indicator,
                geography=cleaned.get("geography"),
                category=cleaned.get("category"),
            )
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


class DataPointChangeInline(admin.TabularInline):
    """The data point's history, newest first."""

    model = DataPointChange
    fields = ("changed_at", "action", "changed_by", "summary", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-changed_at", "-id")
    verbose_name = "history entry"
    verbose_name_plural = "history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[DataPointChange]:
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="change")
    def summary(self, obj: DataPointChange) -> str:
        return summarize_change(obj)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Tell the stewards what to fix; it is recorded in each point's history.",
    )


RETURN_TEMPLATE = """{% extends "admin/base_site.html" %}{% load l10n admin_urls %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">Home</a>
&rsaquo; <a href="{% url 'admin:app_list' app_label=opts.app_label %}">
  {{ opts.app_config.verbose_name }}</a>
&rsaquo; <a href="{% url opts|admin_urlname:'changelist' %}">
  {{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {{ title }}</div>{% endblock %}
{% block content %}
<p>Only submitted data points are returned; the others stay as they are.</p>
<ul>{% for point in shown %}<li>{{ point }} ({{ point.get_status_display|lower }})</li>{% endfor %}
{% if more %}<li>and {{ more }} more</li>{% endif %}</ul>
<form method="post">{% csrf_token %}
{{ form.as_div }}
{% for pk in selected %}
  <input type="hidden" name="{{ action_checkbox_name }}" value="{{ pk|unlocalize }}">
{% endfor %}
<input type="hidden" name="action" value="return_selected">
<input type="hidden" name="apply" value="yes">
<div class="submit-row"><input type="submit" class="default" value="Return them">
<a href="{% url opts|admin_urlname:'changelist' %}" class="button cancel-link">Cancel</a></div>
</form>
{% endblock %}
"""


@cache
def _return_template() -> Any:
    # Kept here rather than in templates/ so that the admin lives in one module.
    return engines["django"].from_string(RETURN_TEMPLATE)


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
        return TemplateResponse(request, _return_template(), context)

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
                failed.append(f"{describe(point)} ({_error_text(exc)})")
            else:
                moved += 1
        if moved:
            noun = "data point" if moved == 1 else "data points"
            self.message_user(request, f"{done} {moved} {noun}.", messages.SUCCESS)
        if failed:
            listed = "; ".join(failed[:10]) + (
                f"; and {len(failed) - 10} more" if len(failed) > 10 else ""
            )
            noun = "data point" if len(failed) == 1 else "data points"
            self.message_user(
                request,
                f"Could not {verb} {len(failed)} {noun}: {listed}.",
                messages.WARNING,
            )


# --- history and trends (read-only) ----------------------------------------


@admin.register(DataPointChange)
class DataPointChangeAdmin(ReadOnlyAdmin):
    """The audit trail: written by the data point services only."""

    list_display = (
        "changed_at",
        "action",
        "indicator",
        "period_label",
        "geography_code",
        "category_code",
        "changed_by",
        "summary",
        "comment",
    )
    list_filter = ("action", "indicator__partnership")
    list_select_related = ("indicator", "changed_by")
    search_fields = (
        "^indicator__code",
        "=period_label",
        "=geography_code",
        "=category_code",
        "=changed_by__username",
    )
    search_help_text = "Indicator code, period label, geography or category code, or username."
    show_full_result_count = False

    @admin.display(description="change")
    def summary(self, obj: DataPointChange) -> str:
        return summarize_change(obj)


@admin.register(Trend)
class TrendAdmin(ReadOnlyAdmin):
    """What the trend engine computed; recompute trends to change them."""

    list_display = (
        "indicator",
        "geography",
        "category",
        "status",
        "n_points",
        "baseline_period",
        "baseline_value",
        "latest_period",
        "latest_value",
        "change",
        "on_track",
        "equity_gap",
        "n_derived",
        "is_stale",
        "computed_at",
        "partnership",
    )
    list_filter = ("partnership", "status", "on_track", "gap_trend")
    list_select_related = (
        "indicator",
        "partnership",
        "geography",
        "category__dimension",
        "baseline_period",
        "latest_period",
    )
    search_fields = ("^indicator__code", "^geography__code", "=category__code")
    show_full_result_count = False
    # The key's ids, served by trend_unique_geo_cat; the model's ordering would
    # sort by the indicator's own ordering through two joins.
    ordering = ("indicator_id", "geography_id", "category_id")

    @admin.display(description="stale", boolean=True)
    def is_stale(self, obj: Trend) -> bool:
        return obj.stale


@admin.register(DerivedPoint)
class DerivedPointAdmin(ReadOnlyAdmin):
    """Values the trend engine derived for geographies from their children."""

    list_display = (
        "indicator",
        "period",
        "geography",
        "category",
        "value",
        "numerator",
        "denominator",
        "n_children",
        "data_version",
    )
    list_filter = ("indicator__partnership", "period__kind")
    list_select_related = ("indicator", "period", "geography", "category__dimension")
    search_fields = ("^indicator__code", "=period__label", "^geography__code", "=category__code")
    show_full_result_count = False
    ordering = ("indicator_id", "period_id")


@admin.register(EquityGap)
class EquityGapAdmin(ReadOnlyAdmin):
    list_display = (
        "indicator",
        "geography",
        "dimension",
        "latest_period",
        "gap",
        "highest_category",
        "lowest_category",
        "baseline_period",
        "baseline_gap",
        "gap_trend",
    )
    list_filter = ("indicator__partnership", "gap_trend")
    list_select_related = (
        "indicator",
        "geography",
        "dimension",
        "latest_period",
        "baseline_period",
        "highest_category__dimension",
        "lowest_category__dimension",
    )
    search_fields = ("^indicator__code", "^geography__code", "=dimension__code")
    show_full_result_count = False
    ordering = ("indicator_id", "geography_id", "dimension_id")


@admin.register(TrendState)
class TrendStateAdmin(ReadOnlyAdmin):
    """The trend engine's book-keeping per indicator: what it last computed, and
    its last failure."""

    list_display = (
        "indicator",
        "computed_version",
        "computed_at",
        "duration_ms",
        "n_series",
        "failed_at",
        "last_error",
    )
    list_filter = ("indicator__partnership",)
    list_select_related = ("indicator",)
    search_fields = ("^indicator__code",)
