"""What the outcomes pages share: saving a form through a service with the version
check, the edit page, and the removal confirmation (the partnership look-up is
partnership.view_helpers.partnership_for, as on every page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partnership.models import Partnership
from partnership.view_helpers import add_errors

from .history import EditConflictError

T = TypeVar("T")


def save_form(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[], T]
) -> tuple[T | None, bool]:
    """Call ``save`` for a valid POSTed form. Returns (the saved object or None,
    whether the save lost to someone else's edit); errors land on the form, and a
    conflict is announced as an error message."""
    if request.method != "POST" or not form.is_valid():
        return None, False
    try:
        return save(), False
    except EditConflictError as exc:
        messages.error(request, " ".join(exc.messages))
        return None, True
    except ValidationError as exc:
        add_errors(form, exc)
        return None, False


def render_form(
    request: HttpRequest,
    partnership: Partnership,
    form: forms.BaseForm,
    *,
    conflict: bool,
    title: str,
    cancel_url: str,
    submit: str,
    **extra: Any,
) -> HttpResponse:
    """The shared edit page of a form; 409 when the save lost to someone else's edit
    (the form then shows their version)."""
    context = {
        "partnership": partnership,
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "submit": submit,
        **extra,
    }
    return render(request, "outcomes/form.html", context, status=409 if conflict else 200)


def confirm_removal(
    request: HttpRequest,
    partnership: Partnership,
    *,
    obj: Any,
    kind: str,
    details: list[tuple[str, Any]],
    remove: Callable[[int | None], None],
    done_url: str,
    cancel_url: str,
    consequences: str = "",
    blocked: bool = False,
) -> HttpResponse:
    """The removal confirmation page: GET shows what will be removed; POST calls
    ``remove`` with the version the page was loaded at. A stale page answers 409 (nothing
    removed, the page shows the current values); a refusal shows its reason. ``blocked``
    (a removal the service would refuse) shows the reason without the button."""
    status, error = 200, ""
    if request.method == "POST":
        try:
            version: int | None = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        label = str(obj)
        try:
            remove(version)
        except EditConflictError as exc:
            status, error = 409, " ".join(exc.messages)
        except ValidationError as exc:
            status, error = 400, " ".join(exc.messages)
        else:
            messages.success(request, f"Removed the {kind} “{label}”. Its history is kept.")
            return redirect(done_url)
    context = {
        "partnership": partnership,
        "obj": obj,
        "kind": kind,
        "details": details,
        "consequences": consequences,
        "blocked": blocked,
        "error": error,
        "cancel_url": cancel_url,
    }
    return render(request, "outcomes/confirm_remove.html", context, status=status)
