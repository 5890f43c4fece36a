"""The common agenda: versions, adoption and partners' endorsements.

Every save is a new, numbered ``AgendaVersion``; nothing is overwritten. Editing
starts from the latest version, and a save based on an older version than the
latest is refused (someone else saved in between), so no edit silently replaces
another. A version becomes the agenda in force when backbone staff adopt it on a
date; the adopted version with the highest number is in force.

Who may do what (partnership/permissions.py): every member reads the agenda;
backbone staff (``EDIT_AGENDA``) save and adopt versions and may record any
organization's endorsement; data stewards and funders (``ENDORSE_AGENDA``) may
record their own organization's endorsement. Viewers only read. Only adopted
versions can be endorsed, once per organization.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .feed import record_event
from .models import AgendaEndorsement, AgendaVersion, EventKind, Organization, Partnership
from .permissions import Action, can, can_endorse_for, require

FIELDS = ("vision", "problem_statement", "goals", "equity_commitment")
FIELD_LABELS = {
    "vision": "Vision",
    "problem_statement": "Problem statement",
    "goals": "Goals",
    "equity_commitment": "Equity commitment",
}


class AgendaConflictError(ValidationError):
    """The save was based on an older version than the latest one."""

    def __init__(self, latest: AgendaVersion | None, based_on: int):
        self.latest = latest
        number = latest.number if latest else 0
        super().__init__(
            f"Someone saved version {number} of the agenda while you were editing version "
            f"{based_on}. Your changes were not saved: open the editor again to start from "
            f"version {number}, and copy your changes into it."
        )


# --- reads -------------------------------------------------------------------


def current_agenda(partnership: Partnership) -> AgendaVersion | None:
    """The agenda in force: the adopted version with the highest number, or None."""
    return (
        AgendaVersion.objects.filter(partnership=partnership, adopted_on__isnull=False)
        .order_by("-number")
        .first()
    )


def latest_agenda_version(partnership: Partnership) -> AgendaVersion | None:
    """The newest saved version, draft or adopted: where editing starts."""
    return AgendaVersion.objects.filter(partnership=partnership).order_by("-number").first()


def agenda_versions(partnership: Partnership) -> list[AgendaVersion]:
    """Every version, newest first, with its endorsements (and their organizations)."""
    endorsements = AgendaEndorsement.objects.select_related("organization").order_by(
        "organization__name"
    )
    return list(
        AgendaVersion.objects.filter(partnership=partnership)
        .select_related("created_by", "adopted_by")
        .prefetch_related(Prefetch("endorsements", queryset=endorsements))
        .order_by("-number")
    )


@dataclass(frozen=True)
class FieldDiff:
    field: str
    label: str
    changed: bool
    # (op, text) with op "equal", "delete" or "insert": the words of the older
    # version and the newer one, in reading order.
    segments: list[tuple[str, str]]


def _words(text: str) -> list[str]:
    """Words and line breaks, so a diff keeps the text's lines."""
    return re.findall(r"\S+|\n", text)


def agenda_diff(older: AgendaVersion | None, newer: AgendaVersion) -> list[FieldDiff]:
    """What changed from ``older`` to ``newer``, field by field, word by word."""
    diffs = []
    for name in FIELDS:
        before = getattr(older, name) if older else ""
        after = getattr(newer, name)
        a, b = _words(before), _words(after)
        segments: list[tuple[str, str]] = []
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                segments.append(("equal", " ".join(a[i1:i2])))
                continue
            if i2 > i1:
                segments.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", " ".join(b[j1:j2])))
        diffs.append(FieldDiff(name, FIELD_LABELS[name], before != after, segments))
    return diffs


def endorsable_organizations(*, user: Any, partnership: Partnership) -> list[Organization]:
    """The organizations whose endorsement this user may record."""
    if not can(user, Action.ENDORSE_AGENDA, partnership):
        return []  # no query for those who may not endorse at all
    organizations = partnership.organizations.order_by("name")
    return [o for o in organizations if can_endorse_for(user, o)]


# --- writes ------------------------------------------------------------------


def _day(day: date) -> str:
    return date_format(day)


def _agenda_link(partnership: Partnership) -> str:
    return reverse("agenda", args=[partnership.slug])


def agenda_save(
    *,
    user: Any,
    partnership: Partnership,
    based_on: int,
    vision: str,
    problem_statement: str,
    goals: str,
    equity_commitment: str,
    summary: str = "",
) -> AgendaVersion:
    """Save a new draft version. ``based_on`` is the number of the version the
    editor started from (0 when the partnership had none); it must still be the
    latest, else ``AgendaConflictError``. Saving the same text again is refused."""
    require(user, Action.EDIT_AGENDA, partnership)
    values = {
        "vision": vision.strip(),
        "problem_statement": problem_statement.strip(),
        "goals": "\n".join(line.strip() for line in goals.strip().splitlines() if line.strip()),
        "equity_commitment": equity_commitment.strip(),
    }
    try:
        with transaction.atomic():
            latest = latest_agenda_version(partnership)
            number = latest.number if latest else 0
            if based_on != number:
                raise AgendaConflictError(latest, based_on)
            if latest is not None and all(getattr(latest, k) == v for k, v in values.items()):
                raise ValidationError(
                    "Nothing changed since version "
                    f"{latest.number}: edit the text before saving a new version."
                )
            version = AgendaVersion(
                partnership=partnership,
                number=number + 1,
                summary=summary.strip()[:300],
                created_by=user,
                **values,
            )
            version.full_clean(validate_constraints=False)
            version.save()
    except IntegrityError:
        # Another save took the same number between our read and our insert.
        raise AgendaConflictError(latest_agenda_version(partnership), based_on) from None
    return version


def agenda_adopt(*, user: Any, version: AgendaVersion, adopted_on: date) -> AgendaVersion:
    """Adopt a draft on a date (today or earlier). Only a version newer than the one
    in force can be adopted, on or after the date that one was adopted."""
    partnership = version.partnership
    require(user, Action.EDIT_AGENDA, partnership)
    with transaction.atomic():
        version = AgendaVersion.objects.select_for_update().get(pk=version.pk)
        if version.adopted_on is not None:
            raise ValidationError(
                f"Version {version.number} was already adopted on {_day(version.adopted_on)}."
            )
        if adopted_on > timezone.localdate():
            raise ValidationError(
                {"adopted_on": "The adoption date cannot be in the future: adopt it on the day."}
            )
        current = current_agenda(partnership)
        if current is not None and current.number > version.number:
            raise ValidationError(
                f"Version {current.number} is already in force; version {version.number} is "
                "older. Save a new version from the current text instead."
            )
        if current is not None and adopted_on < current.adopted_on:
            raise ValidationError(
                {
                    "adopted_on": f"Version {current.number} was adopted on "
                    f"{_day(current.adopted_on)}; choose that date or a later one."
                }
            )
        version.adopted_on = adopted_on
        version.adopted_by = user
        version.save(update_fields=["adopted_on", "adopted_by"])
        record_event(
            partnership=partnership,
            kind=EventKind.AGENDA_ADOPTED,
            text=f"Common agenda version {version.number} adopted",
            link=_agenda_link(partnership),
            actor=user,
        )
    return version


def agenda_endorse(
    *,
    user: Any,
    version: AgendaVersion,
    organization: Organization,
    endorsed_on: date,
    statement: str = "",
) -> AgendaEndorsement:
    """Record that an organization endorses an adopted version (once)."""
    partnership = version.partnership
    require(user, Action.ENDORSE_AGENDA, partnership)
    if organization.partnership_id != partnership.pk:
        raise ValidationError({"organization": "Choose one of this partnership's organizations."})
    if organization not in endorsable_organizations(user=user, partnership=partnership):
        raise PermissionDenied("You may record the endorsement of your own organization only.")
    if version.adopted_on is None:
        raise ValidationError(
            f"Version {version.number} is a draft: partners endorse an adopted agenda."
        )
    if endorsed_on > timezone.localdate():
        raise ValidationError({"endorsed_on": "The endorsement date cannot be in the future."})
    if endorsed_on < version.adopted_on:
        raise ValidationError(
            {
                "endorsed_on": f"Version {version.number} was adopted on "
                f"{_day(version.adopted_on)}; an endorsement cannot be earlier."
            }
        )
    endorsement = AgendaEndorsement(
        version=version,
        organization=organization,
        endorsed_on=endorsed_on,
        statement=statement.strip(),
        recorded_by=user,
    )
    try:
        with transaction.atomic():
            endorsement.save()
    except IntegrityError:
        raise ValidationError(
            {"organization": f"{organization.name} has already endorsed version {version.number}."}
        ) from None
    record_event(
        partnership=partnership,
        kind=EventKind.AGENDA_ENDORSED,
        text=f"{organization.name} endorsed the common agenda (version {version.number})",
        link=_agenda_link(partnership),
        actor=user,
    )
    return endorsement
