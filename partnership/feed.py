"""The partnership's activity feed: what happened lately, newest first.

``activity_feed`` merges four sources into one list of ``FeedItem``:

- recorded ``ActivityEvent`` rows: agenda adoptions and endorsements, trend changes
  of an indicator's headline series (written by the trend engine through
  ``record_trend_changes``), people joining, gateways reached;
- approved data, read from the data points' history (``DataPointChange`` rows that
  approved a value), one item per indicator and day, so approving 500 values is
  one line (and a day with approvals of many indicators, one line for the day);
- data awaiting approval (submitted, not yet approved or returned), one item per
  indicator, shown only to people who may see unapproved data of that indicator
  (backbone staff, the indicator's stewards);
- meeting decisions and overdue action items (``outcomes.meetings``).

Viewers and funders never see an item about unapproved data; outsiders get
nothing (callers check ``VIEW_PARTNERSHIP`` first, as every page does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from .models import ActivityEvent, EventKind, Partnership
from .permissions import Action, allowed_filter, can, can_somewhere

# How far back the feed looks for data approvals, submissions and decisions.
FEED_DAYS = 60
# More indicators than this with data approved (or submitted) on one day: one item.
MAX_INDICATORS_PER_DAY = 3


@dataclass(frozen=True)
class FeedItem:
    kind: str  # an EventKind value, "data_approved", "data_submitted", "decision", "overdue"
    at: datetime
    text: str
    link: str = ""
    label: str = ""  # the badge text

    @property
    def day(self) -> date:
        return timezone.localtime(self.at).date()


LABELS = {
    EventKind.AGENDA_ADOPTED: "Agenda",
    EventKind.AGENDA_ENDORSED: "Endorsement",
    EventKind.TREND_CHANGED: "Trend",
    EventKind.MEMBER_JOINED: "People",
    EventKind.GATEWAY_REACHED: "Theory of Action",
    "data_approved": "Data approved",
    "data_submitted": "Awaiting approval",
    "decision": "Decision",
    "overdue": "Overdue",
}


def record_event(
    *,
    partnership: Partnership,
    kind: str,
    text: str,
    link: str = "",
    actor: Any = None,
    at: datetime | None = None,
) -> ActivityEvent:
    """Record something every member of the partnership may see."""
    event = ActivityEvent(
        partnership=partnership,
        kind=EventKind(kind),
        text=text[:300],
        link=link[:300],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at or timezone.now(),
    )
    event.full_clean()
    event.save()
    return event


def record_trend_changes(
    *, indicator: Any, old_status: str | None, new_status: str | None, at: datetime | None = None
) -> ActivityEvent | None:
    """Called by the trend engine with the status of an indicator's headline series
    (partnership-wide total) before and after a recompute: an event when it changed.
    The first computation of a series (no old status) is not a change."""
    if old_status is None or new_status is None or old_status == new_status:
        return None
    from indicators.models import TrendStatus

    old_label, new_label = TrendStatus(old_status).label, TrendStatus(new_status).label
    return record_event(
        partnership=indicator.partnership,
        kind=EventKind.TREND_CHANGED,
        text=f"{indicator.code} · {indicator.name}: now {new_label.lower()} "
        f"(was {old_label.lower()})",
        link=_indicator_link(indicator.partnership, indicator.code),
        at=at,
    )


def _indicator_link(partnership: Partnership, code: str) -> str:
    """The indicator's page where the dashboards provide one, else the overview."""
    try:
        return reverse("indicator_detail", args=[partnership.slug, code])
    except NoReverseMatch:
        return reverse("partnership_overview", args=[partnership.slug]) + f"#ind-{code}"


def _approved_items(partnership: Partnership, since: datetime) -> list[FeedItem]:
    """Data approvals per indicator and day, in one grouped query. A day with approvals
    of more than ``MAX_INDICATORS_PER_DAY`` indicators (a yearly load, an import) is
    one item for the day."""
    from indicators.models import ChangeAction, DataPointChange

    rows = DataPointChange.objects.filter(
        indicator__partnership=partnership, action=ChangeAction.APPROVED, changed_at__gte=since
    )
    grouped = (
        rows.annotate(day=TruncDate("changed_at"))
        .values("indicator__code", "indicator__name", "day")
        .annotate(n=Count("id"), last=Max("changed_at"))
        .order_by("-day", "-last")
    )
    kind, verb = "data_approved", "approved"
    by_day: dict[date, list[dict[str, Any]]] = {}
    for row in grouped:
        by_day.setdefault(row["day"], []).append(row)
    items = []
    for day_rows in by_day.values():
        if len(day_rows) > MAX_INDICATORS_PER_DAY:
            n = sum(row["n"] for row in day_rows)
            items.append(
                FeedItem(
                    kind=kind,
                    at=max(row["last"] for row in day_rows),
                    text=f"{n:,} values of {len(day_rows)} indicators {verb}",
                    link=_data_link(partnership, kind, None),
                    label=LABELS[kind],
                )
            )
            continue
        for row in day_rows:
            n, code = row["n"], row["indicator__code"]
            values = "value" if n == 1 else "values"
            items.append(
                FeedItem(
                    kind=kind,
                    at=row["last"],
                    text=f"{n:,} {values} of {code} · {row['indicator__name']} {verb}",
                    link=_data_link(partnership, kind, code),
                    label=LABELS[kind],
                )
            )
    return items


def _data_link(partnership: Partnership, kind: str, code: str | None) -> str:
    if code is None:
        return reverse("partnership_overview", args=[partnership.slug])
    return _indicator_link(partnership, code)


def _awaiting_items(partnership: Partnership, indicator_ids: list[int] | None) -> list[FeedItem]:
    """Data submitted and not yet approved or returned, one item per indicator (read
    from the data points' status, which the approval queue's index serves)."""
    from indicators.models import DataPoint, DataStatus

    rows = DataPoint.objects.filter(indicator__partnership=partnership, status=DataStatus.SUBMITTED)
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=indicator_ids)
    grouped = (
        rows.values("indicator__code", "indicator__name")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .order_by("-last")
    )
    queue = reverse("approval_queue", args=[partnership.slug])
    return [
        FeedItem(
            kind="data_submitted",
            at=row["last"],
            text=f"{row['n']:,} {'value' if row['n'] == 1 else 'values'} of "
            f"{row['indicator__code']} · {row['indicator__name']} awaiting approval",
            link=queue,
            label=LABELS["data_submitted"],
        )
        for row in grouped
    ]


def _unapproved_scope(user: Any, partnership: Partnership) -> list[int] | bool | None:
    """Which indicators' submissions the user may see: None for all, a list of ids,
    or False for none."""
    view = Action.VIEW_UNAPPROVED_DATA
    if can(user, view, partnership):
        return None
    if not can_somewhere(user, view, partnership):
        return False
    mine = allowed_filter(user, view, partnership, organization="steward")
    return list(partnership.indicators.filter(mine).values_list("id", flat=True))


def _owner_name(item: Any) -> str:
    if item.owner_organization_id:
        return item.owner_organization.name
    user = item.owner_user
    return user.get_full_name() or user.get_username()


def _outcomes_items(partnership: Partnership, since: datetime) -> list[FeedItem]:
    """Meeting decisions since ``since`` and overdue action items (outcomes app)."""
    from outcomes.meetings import overdue_action_items, recent_decisions

    items = [
        FeedItem(
            kind="decision",
            at=decision.created_at,
            text=f"{decision.meeting.title}: {decision.text}"[:300],
            link=_meeting_link(partnership, decision.meeting_id),
            label=LABELS["decision"],
        )
        for decision in recent_decisions(partnership, since)
    ]
    for item in overdue_action_items(partnership):
        due = timezone.make_aware(datetime.combine(item.due_date, time(0, 0)))
        items.append(
            FeedItem(
                kind="overdue",
                at=due,
                text=f"Overdue since {date_format(item.due_date)}: {item.description} "
                f"({_owner_name(item)})",
                link=_meeting_link(partnership, item.meeting_id),
                label=LABELS["overdue"],
            )
        )
    return items


def _meeting_link(partnership: Partnership, meeting_id: int) -> str:
    return reverse("meeting_detail", args=[partnership.slug, meeting_id])


def activity_feed(partnership: Partnership, user: Any, limit: int = 20) -> list[FeedItem]:
    """The latest ``limit`` things that happened, newest first, that ``user`` may see.
    Overdue action items are listed by their due date."""
    if not can(user, Action.VIEW_PARTNERSHIP, partnership):
        return []
    since = timezone.now() - timedelta(days=FEED_DAYS)
    events = ActivityEvent.objects.filter(partnership=partnership).order_by("-created_at", "-id")
    items = [
        FeedItem(kind=e.kind, at=e.created_at, text=e.text, link=e.link, label=LABELS[e.kind])
        for e in events[:limit]
    ]
    items += _approved_items(partnership, since)
    scope = _unapproved_scope(user, partnership)
    if scope is not False:
        items += _awaiting_items(partnership, scope)
    items += _outcomes_items(partnership, since)
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
