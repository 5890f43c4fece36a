"""Locked periods: locking and unlocking go through ``indicators.locks``, so the
approval of the period's data is checked and both are recorded; that record is
read-only. A lock is added (locked) or deleted (unlocked, with a reason), never
edited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from ..locks import period_lock, period_unlock, validate_lockable
from ..models import PeriodLock, PeriodLockEvent
from .base import ReadOnlyAdmin, ServiceErrorsMixin


class PeriodLockForm(forms.ModelForm):
    """Checks what ``period_lock`` would refuse, with its validator."""

    class Meta:
        model = PeriodLock
        fields = ("partnership", "period", "reason")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        partnership, period = cleaned.get("partnership"), cleaned.get("period")
        if partnership is not None and period is not None:
            try:
                validate_lockable(partnership=partnership, period=period)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class UnlockForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the period is unlocked; recorded with the unlocking.",
    )


@admin.register(PeriodLock)
class PeriodLockAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Adding a lock locks the period; deleting it unlocks the period (the
    confirmation page asks why)."""

    form = PeriodLockForm
    list_display = ("period", "partnership", "locked_at", "locked_by", "reason")
    list_filter = ("partnership", "period__kind")
    list_select_related = ("period", "partnership", "locked_by")
    search_fields = ("=period__label",)
    autocomplete_fields = ("partnership", "period")
    ordering = ("-id",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Unlocking needs a reason: one lock at a time, from its own page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: PeriodLock, form: Any, change: bool) -> None:
        lock = period_lock(
            partnership=obj.partnership, period=obj.period, user=request.user, reason=obj.reason
        )
        # The admin goes on with ``obj`` (its log entry, its redirect).
        obj.pk, obj.locked_by, obj.locked_at = lock.pk, lock.locked_by, lock.locked_at
        obj._state.adding, obj._state.db = False, lock._state.db

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        context["unlock_form"] = UnlockForm()
        return super().render_delete_form(request, context)

    def delete_model(self, request: HttpRequest, obj: PeriodLock) -> None:
        period_unlock(
            partnership=obj.partnership,
            period=obj.period,
            user=request.user,
            reason=request.POST.get("reason", ""),
        )


@admin.register(PeriodLockEvent)
class PeriodLockEventAdmin(ReadOnlyAdmin):
    """Every locking and unlocking: written by the lock services only."""

    list_display = ("changed_at", "action", "period", "partnership", "changed_by", "reason")
    list_filter = ("action", "partnership")
    list_select_related = ("period", "partnership", "changed_by")
    search_fields = ("=period__label", "=changed_by__username")
    search_help_text = "Period label or username."
    # Newest first by the primary key, which rises with changed_at.
    ordering = ("-id",)
