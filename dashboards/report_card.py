"""The public report card (issue 5, item 8): services that switch it on and off and
edit it (backbone staff, every change recorded), and the selector that reads what
the public page shows.

What the public sees, whoever asks (even a signed-in backbone member): approved
data only, read from the computed trends, derived totals and approved points, with
small cells suppressed as for the most restricted role (``CellPolicy`` that never
reveals). A partnership without an enabled card has no public page (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from indicators.models import Indicator, IndicatorKind
from indicators.selectors import STATUSES, scorecard
from outcomes.models import OutcomeArea
from partnership.models import Partnership
from partnership.permissions import Action, can

from .models import PublicReportCard, PublicReportCardEvent, ReportCardAction
from .selectors import IndicatorChartData, headline_chart_data

# --- services ---------------------------------------------------------------------


class ReportCardConflictError(ValidationError):
    """Someone else changed the report card since the editor opened it."""


def _snapshot(card: PublicReportCard | None, area_slugs: Iterable[str]) -> dict[str, Any]:
    if card is None:
        return {"enabled": False, "title": "", "intro": "", "outcome_areas": []}
    return {
        "enabled": card.enabled,
        "title": card.title,
        "intro": card.intro,
        "outcome_areas": sorted(area_slugs),
    }


@transaction.atomic
def report_card_save(
    *,
    user: Any,
    partnership: Partnership,
    expected_version: int,
    enabled: bool,
    title: str = "",
    intro: str = "",
    outcome_areas: Iterable[OutcomeArea] = (),
) -> PublicReportCard:
    """Switch the partnership's public report card on or off and set its text and
    outcome areas (none: every area). Backbone staff only. ``expected_version`` is
    the version the editor saw (0 when there was no card yet); if the card changed
    since, nothing is saved and ``ReportCardConflictError`` says so. Each change is
    recorded in ``PublicReportCardEvent`` (switched on, switched off, edited)."""
    if not can(user, Action.MANAGE_SETTINGS, partnership):
        raise PermissionDenied("Only backbone staff may change the public report card.")
    areas = list(outcome_areas)
    foreign = [a.name for a in areas if a.partnership_id != partnership.pk]
    if foreign:
        raise ValidationError(
            {"outcome_areas": f"{', '.join(foreign)} belong(s) to another partnership."}
        )
    card, created = PublicReportCard.objects.select_for_update().get_or_create(
        partnership=partnership
    )
    current = 0 if created else card.version
    if current != expected_version:
        who = card.updated_by or "someone else"
        raise ReportCardConflictError(
            f"{who} changed the report card at {timezone.localtime(card.updated_at):%H:%M} "
            "since you opened this page. Reload to see their changes, then make yours again."
        )
    old = _snapshot(None if created else card, card.outcome_areas.values_list("slug", flat=True))
    new = {
        "enabled": enabled,
        "title": title.strip(),
        "intro": intro.strip(),
        "outcome_areas": sorted(a.slug for a in areas),
    }
    if new == old and not created:
        return card
    card.enabled = enabled
    card.title = new["title"]
    card.intro = new["intro"]
    if enabled and not old["enabled"]:
        card.published_at = timezone.now()
    card.version = current + 1
    card.updated_by = user if getattr(user, "is_authenticated", False) else None
    card.full_clean()
    card.save()
    card.outcome_areas.set(areas)
    _record(user=user, partnership=partnership, old=old, new=new)
    return card


def _record(*, user: Any, partnership: Partnership, old: dict, new: dict) -> None:
    by = user if getattr(user, "is_authenticated", False) else None
    events = []
    if new["enabled"] != old["enabled"]:
        action = ReportCardAction.ENABLED if new["enabled"] else ReportCardAction.DISABLED
        events.append((action, {"enabled": old["enabled"]}, {"enabled": new["enabled"]}))
    changed = [k for k in ("title", "intro", "outcome_areas") if new[k] != old[k]]
    if changed:
        events.append(
            (
                ReportCardAction.EDITED,
                {k: old[k] for k in changed},
                {k: new[k] for k in changed},
            )
        )
    PublicReportCardEvent.objects.bulk_create(
        PublicReportCardEvent(partnership=partnership, action=a, changed_by=by, old=o, new=n)
        for a, o, n in events
    )


# --- selectors --------------------------------------------------------------------


def report_card_for(partnership: Partnership) -> PublicReportCard | None:
    """The partnership's report card settings, or None if never saved."""
    return (
        PublicReportCard.objects.filter(partnership=partnership)
        .select_related("updated_by")
        .first()
    )


def report_card_history(partnership: Partnership, *, limit: int = 20) -> list:
    return list(
        PublicReportCardEvent.objects.filter(partnership=partnership)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def published_partnership(slug: str) -> tuple[Partnership, PublicReportCard] | None:
    """The partnership and its card when its public report card is switched on."""
    card = (
        PublicReportCard.objects.filter(partnership__slug=slug, enabled=True)
        .select_related("partnership")
        .first()
    )
    return (card.partnership, card) if card else None


@dataclass
class PublicArea:
    outcome_area: OutcomeArea
    counts: dict[str, int]
    headlines: list[IndicatorChartData] = field(default_factory=list)


@dataclass
class PublicReportCardData:
    partnership: Partnership
    card: PublicReportCard
    counts: dict[str, int]
    areas: list[PublicArea]
    last_computed_at: datetime | None

    @property
    def title(self) -> str:
        return self.card.title or self.partnership.name


def _shown_areas(partnership: Partnership, card: PublicReportCard) -> list[OutcomeArea]:
    chosen = {a.pk for a in card.outcome_areas.all()}
    areas = list(OutcomeArea.objects.filter(partnership=partnership).order_by("order"))
    return [a for a in areas if not chosen or a.pk in chosen]


def _counts_of(areas: list[dict]) -> dict[str, int]:
    return {key: sum(a[key] for a in areas) for key in ("total", *STATUSES)}


def trends_computed_at(partnership: Partnership) -> datetime | None:
    """When the partnership's trends were last recomputed. One query."""
    return Indicator.objects.filter(partnership=partnership).aggregate(
        last=Max("trend_state__computed_at")
    )["last"]


def public_report_card(
    partnership: Partnership,
    card: PublicReportCard,
    *,
    last_computed_at: datetime | None = None,
) -> PublicReportCardData:
    """What the public report card shows: the scorecard of the chosen outcome areas
    and, per area, each core indicator's headline series with its trend. Approved
    data only, small cells suppressed. Seven queries, whatever the size (six when
    ``last_computed_at`` is given)."""
    areas = _shown_areas(partnership, card)
    card_counts = {a["slug"]: a for a in scorecard(partnership=partnership)["outcome_areas"]}
    indicators = list(
        Indicator.objects.filter(
            partnership=partnership, outcome_area__in=areas, kind=IndicatorKind.CORE
        )
        .select_related("partnership", "target_period")
        .order_by("outcome_area__order", "code")
    )
    # Read as nobody: approved data only, every small cell suppressed.
    charts = headline_chart_data(indicators, user=AnonymousUser())
    by_area = {
        a.pk: PublicArea(a, card_counts.get(a.slug) or {"total": 0, **dict.fromkeys(STATUSES, 0)})
        for a in areas
    }
    for indicator in indicators:
        by_area[indicator.outcome_area_id].headlines.append(charts[indicator.pk])
    last = last_computed_at or trends_computed_at(partnership)
    shown = [card_counts[a.slug] for a in areas if a.slug in card_counts]
    return PublicReportCardData(
        partnership=partnership,
        card=card,
        counts=_counts_of(shown),
        areas=list(by_area.values()),
        last_computed_at=last,
    )
