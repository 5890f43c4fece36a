"""Versions and history for networks, activities, meetings, action items and funding.

Every edit goes through ``versioned_create`` or ``versioned_update``: the row is
read under a lock, its ``version`` must still be the one the editor loaded (else
``EditConflictError``: nothing is saved and the editor is told who changed it), the new
values are validated with ``full_clean``, the version goes up by one, and one
``OutcomeChange`` row records who changed what from which old value to which new.
Many-to-many fields are recorded as the sorted codes or slugs of their members.

Removing a row goes through ``versioned_delete``: the same lock and version check, then
one ``deleted`` history row with every recorded field's last value. ``OutcomeChange``
names its object by subject, id and label (no foreign key), so the history outlives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime

from partnership.models import Partnership

from .models import OutcomeChange

M = TypeVar("M", bound=models.Model)


class EditConflictError(ValidationError):
    """Someone else saved the object after the editor loaded it."""


def _key(obj: Any) -> Any:
    """How a related object is named in history: its code, slug or username."""
    for attr in ("code", "slug", "username"):
        value = getattr(obj, attr, None)
        if value:
            return value
    return obj.pk


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return _key(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """The JSON-ready values of ``fields`` (many-to-many ones as sorted keys)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(_key(o)) for o in getattr(obj, name).all())
        else:
            values[name] = _plain(getattr(obj, name))
    return values


def record(
    *,
    partnership: Partnership,
    subject: str,
    obj: models.Model,
    action: str,
    user: Any,
    old: dict[str, Any],
    new: dict[str, Any],
) -> OutcomeChange:
    """One history row with only the fields whose value changed."""
    changed = [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    return OutcomeChange.objects.create(
        partnership=partnership,
        subject=subject,
        object_id=obj.pk,
        label=str(obj)[:200],
        action=action,
        version=getattr(obj, "version", 1),
        changed_by=user if getattr(user, "is_authenticated", False) else None,
        old={k: old.get(k) for k in changed if k in old},
        new={k: new.get(k) for k in changed if k in new},
    )


def history_of(subject: str, obj: models.Model) -> list[OutcomeChange]:
    """The object's changes, newest first."""
    return list(
        OutcomeChange.objects.filter(subject=subject, object_id=obj.pk)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def check_version(subject: str, current: models.Model, expected: int | None) -> None:
    """Raise ``EditConflictError`` unless ``current`` is still at the version the editor
    loaded (``None`` skips the check: a service acting on the latest version)."""
    if expected is None or current.version == expected:
        return
    last = (
        OutcomeChange.objects.filter(subject=subject, object_id=current.pk)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
        .first()
    )
    who = "Someone else"
    if last is not None and last.changed_by is not None:
        who = last.changed_by.get_full_name() or last.changed_by.get_username()
    when = (
        f" on {date_format(localtime(last.changed_at), 'DATETIME_FORMAT')}"
        if last is not None
        else ""
    )
    raise EditConflictError(
        f"{who} changed “{current}”{when}, after you opened it, so your changes were not "
        "saved. The form now shows their version: make your changes again and save."
    )


def scope_errors(partnership: Partnership, values: dict[str, Any]) -> dict[str, str]:
    """Errors for related objects (single or many) that belong to another partnership."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        items = value if isinstance(value, Iterable) and not isinstance(value, str) else [value]
        for item in items:
            owner = getattr(item, "partnership_id", None)
            if isinstance(item, models.Model) and owner is not None and owner != partnership.pk:
                errors[name] = (
                    f"{item} belongs to another partnership; choose one of {partnership.name}'s."
                )
    return errors


def _split(model: type[models.Model], values: dict[str, Any]) -> tuple[dict, dict]:
    scalars, many = {}, {}
    for name, value in values.items():
        (many if model._meta.get_field(name).many_to_many else scalars)[name] = value
    return scalars, many


@transaction.atomic
def versioned_create(
    *,
    model: type[M],
    partnership: Partnership,
    subject: str,
    user: Any,
    values: dict[str, Any],
    fields: Sequence[str],
    extra: dict[str, Any] | None = None,
) -> M:
    """Validate and create a row of ``model`` with its many-to-many values and a
    ``created`` history row."""
    errors = scope_errors(partnership, values)
    if errors:
        raise ValidationError(errors)
    scalars, many = _split(model, values)
    obj = model(**scalars, **(extra or {}))
    obj.full_clean()
    obj.save()
    for name, items in many.items():
        getattr(obj, name).set(items)
    record(
        partnership=partnership,
        subject=subject,
        obj=obj,
        action="created",
        user=user,
        old={},
        new=snapshot(obj, fields),
    )
    return obj


@transaction.atomic
def versioned_update(
    *,
    obj: M,
    partnership: Partnership,
    subject: str,
    user: Any,
    values: dict[str, Any],
    fields: Sequence[str],
    expected_version: int | None,
    action: str = "updated",
) -> M:
    """Apply ``values`` to the current row if it is still at ``expected_version``;
    nothing is written (not even history) when nothing changed."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(subject, current, expected_version)
    errors = scope_errors(partnership, values)
    if errors:
        raise ValidationError(errors)
    old = snapshot(current, fields)
    scalars, many = _split(type(obj), values)
    for name, value in scalars.items():
        setattr(current, name, value)
    current.full_clean()
    for name, items in many.items():
        getattr(current, name).set(items)
    new = snapshot(current, fields)
    if new == old:
        return current
    current.version += 1
    current.save()
    record(
        partnership=partnership,
        subject=subject,
        obj=current,
        action=action,
        user=user,
        old=old,
        new=new,
    )
    return current


@transaction.atomic
def versioned_delete(
    *,
    obj: models.Model,
    partnership: Partnership,
    subject: str,
    user: Any,
    fields: Sequence[str],
    expected_version: int | None,
) -> OutcomeChange:
    """Remove the row if it is still at ``expected_version``, recording its last values
    in a ``deleted`` history row (written before the row goes, in the same transaction)."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    check_version(subject, current, expected_version)
    change = record_removal(
        partnership=partnership, subject=subject, obj=current, user=user, fields=fields
    )
    current.delete()
    return change


def record_removal(
    *, partnership: Partnership, subject: str, obj: models.Model, user: Any, fields: Sequence[str]
) -> OutcomeChange:
    """The ``deleted`` history row of ``obj``, with all its recorded fields' old values."""
    old = snapshot(obj, fields)
    return OutcomeChange.objects.create(
        partnership=partnership,
        subject=subject,
        object_id=obj.pk,
        label=str(obj)[:200],
        action="deleted",
        version=getattr(obj, "version", 1),
        changed_by=user if getattr(user, "is_authenticated", False) else None,
        old=old,
        new={},
    )
