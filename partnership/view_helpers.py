"""Small pieces the partnership pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest

from .models import Partnership
from .permissions import Action, get_partnership_or_404, require


def partnership_for(request: HttpRequest, slug: str, action: Action | None = None) -> Partnership:
    """The partnership (404 for outsiders), shown in the navigation; with ``action``,
    403 for members whose role does not allow it."""
    partnership = get_partnership_or_404(request.user, slug)
    require(request.user, action or Action.VIEW_PARTNERSHIP, partnership)
    request.partnership = partnership
    return partnership


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's errors on the form fields they name, the rest above it."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for name, messages_ in errors.items():
        form.add_error(name if name in form.fields else None, messages_)
