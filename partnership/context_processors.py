"""Template context for the navigation bar: the user's partnerships and their role
in the one being viewed, so the menu shows only what that role may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from indicators.entry_selectors import may_enter_some_data

from .models import Role
from .permissions import Action, can, role_in, visible_partnerships


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "partnership", None)
    context: dict[str, Any] = {
        "nav_partnerships": list(visible_partnerships(user).only("name", "slug").order_by("name")),
        "nav_partnership": current,
        "nav_django_admin": can(user, Action.USE_DJANGO_ADMIN),
    }
    if current is not None:
        role = role_in(user, current)
        context["nav_role"] = role
        context["nav_role_label"] = Role(role).label if role else ""
        context["nav_enter_data"] = may_enter_some_data(user=user, partnership=current)
        context["nav_can"] = {
            action.value: can(user, action, current)
            for action in (
                Action.VIEW_PARTNERSHIP,
                Action.MANAGE_CATALOGUE,
                Action.APPROVE_DATA,
                Action.REQUEST_DATA,
                Action.IMPORT_DATA,
                Action.VIEW_REPORTS,
                Action.MANAGE_MEMBERS,
                Action.MANAGE_SETTINGS,
                Action.VIEW_FUNDING,
            )
        }
    return context
