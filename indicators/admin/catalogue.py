"""Catalogue: periods, geographies, disaggregation dimensions and categories,
and indicators. Geographies get their ``path`` from the geography services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from outcomes.models import OutcomeArea
from partnership.admin import FixedOnChangeMixin, count_of

from ..models import (
    FREQUENCY_PERIOD_KIND,
    Category,
    DataPoint,
    Dimension,
    Geography,
    Indicator,
    IndicatorDimension,
    Period,
)
from ..periods import PeriodError, PeriodKind, parse_period
from ..services import (
    geography_create,
    geography_move,
    indicator_fixed_with_data,
    indicator_update,
)
from .base import ServiceErrorsMixin

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
        if self.instance.pk:
            # The instance still holds the stored settings here (the form's values
            # are put on it after clean()).
            refused = indicator_fixed_with_data(indicator=self.instance, changed=self.changed_data)
            for name, message in refused.items():
                self.add_error(name, message)
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
class IndicatorAdmin(ServiceErrorsMixin, FixedOnChangeMixin, admin.ModelAdmin):
    """Changes go through ``indicator_update``, which refuses what the form missed
    (someone added data meanwhile) and, when a setting the trends are computed
    from changes, marks them stale and queues their recompute."""

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

    def save_model(self, request: HttpRequest, obj: Indicator, form: Any, change: bool) -> None:
        if change:
            indicator_update(indicator=obj)
        else:
            # A new indicator has no data, hence no trends; its dimensions are
            # saved by the inline afterwards.
            super().save_model(request, obj, form, change)
