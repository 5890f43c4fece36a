"""Engagement: how up to date each organization's data is, and the partnership's.

Definitions (docs/engagement.md explains them for users):

- An indicator **expects** one total (no category) per period of its frequency, from
  its baseline period (else the first period it has data for, else the latest ended
  period) to the latest period that has **ended** before today, for every geography
  it reports for (the geographies, partnership-wide included, that have any total
  of it, whatever its status; partnership-wide when it has none yet).
- A cell (indicator, period, geography) is **reported** when its total is submitted
  or approved (drafts and returned values are not in yet).
- A reported cell is **on time** when it was entered (the data point's
  ``created_at``, in ``TIME_ZONE``) no later than its deadline: the due date of a
  data request for that indicator and period (the latest one, if several; cancelled
  requests do not count), else ``ENGAGEMENT_ON_TIME_DAYS`` (default 90) days after
  the period's end.
- An organization's figures add up the indicators it stewards; the partnership's add
  up every indicator. **Overdue requests** are open requests past their due date.

Everything is read in five queries, whatever the size of the partnership: data is
counted by the database grouped by indicator, period and day of entry; only those
groups (a few per indicator and period) reach Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Max, Min, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from indicators.data_requests import DELIVERED, RequestState, with_state
from indicators.models import (
    FREQUENCY_PERIOD_KIND,
    DataPoint,
    DataRequest,
    DataRequestStatus,
    Indicator,
)
from indicators.periods import PeriodSpan, period_containing, periods_between
from partnership.models import Organization, Partnership

DEFAULT_ON_TIME_DAYS = 90


def on_time_days() -> int:
    """Days after a period's end within which data without a request is on time."""
    return int(getattr(settings, "ENGAGEMENT_ON_TIME_DAYS", DEFAULT_ON_TIME_DAYS))


@dataclass
class Engagement:
    """Engagement of a group of indicators (an organization's, or the partnership's)."""

    indicators: int = 0
    expected: int = 0
    reported: int = 0
    on_time: int = 0
    open_requests: int = 0
    overdue_requests: int = 0
    last_reported_at: datetime | None = None
    # Codes of the indicators whose latest ended period has no reported total at all.
    behind: list[str] = field(default_factory=list)

    @property
    def reported_share(self) -> float | None:
        """Share of the expected totals that are reported (None: nothing expected)."""
        return min(self.reported / self.expected, 1.0) if self.expected else None

    @property
    def on_time_share(self) -> float | None:
        """Share of the reported totals that came in by their deadline."""
        return self.on_time / self.reported if self.reported else None

    def add(self, other: Engagement) -> None:
        self.indicators += other.indicators
        self.expected += other.expected
        self.reported += other.reported
        self.on_time += other.on_time
        self.open_requests += other.open_requests
        self.overdue_requests += other.overdue_requests
        self.behind.extend(other.behind)
        if other.last_reported_at and (
            self.last_reported_at is None or other.last_reported_at > self.last_reported_at
        ):
            self.last_reported_at = other.last_reported_at


@dataclass
class OrgEngagement(Engagement):
    organization: Organization | None = None


def latest_ended_period(kind: str, today: date) -> PeriodSpan:
    """The most recent period of ``kind`` that ended before ``today``."""
    current = period_containing(today, kind)
    return period_containing(current.start - timedelta(days=1), kind)


def expected_periods(
    *, kind: str, baseline_start: date | None, first_start: date | None, today: date
) -> list[PeriodSpan]:
    """The periods an indicator is expected to have reported by ``today``."""
    last = latest_ended_period(kind, today)
    start = baseline_start or first_start
    first = period_containing(start, kind) if start else last
    if first.start > last.start:
        return []
    return periods_between(first, last)


@dataclass(frozen=True)
class _Request:
    organization_id: int
    indicator_id: int
    period_id: int
    due_date: date
    state: str


def _requests(*, partnership: Partnership, today: date) -> list[_Request]:
    """The partnership's requests that were not cancelled, with their state. One query."""
    rows = with_state(
        DataRequest.objects.filter(partnership=partnership).exclude(
            status=DataRequestStatus.CANCELLED
        ),
        today=today,
    ).values_list("organization_id", "indicator_id", "period_id", "due_date", "state")
    return [_Request(*row) for row in rows]


def _reach(totals: QuerySet[DataPoint]) -> dict[int, dict[str, Any]]:
    """By indicator: its first period's start and the geographies it reports for
    (any status). One query."""
    rows = (
        totals.order_by()
        .values("indicator_id")
        .annotate(
            first_start=Min("period__start"),
            n_geographies=Count("geography", distinct=True),
            has_wide=Max(
                Case(
                    When(geography__isnull=True, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
    )
    return {row["indicator_id"]: row for row in rows}


def _delivered(totals: QuerySet[DataPoint]) -> dict[int, list[dict[str, Any]]]:
    """By indicator: its submitted and approved totals counted by period and day of
    entry. One query; a few rows per indicator and period."""
    delivered: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        totals.filter(status__in=DELIVERED)
        .order_by()
        .values("indicator_id", "period_id", "period__start", "period__end")
        .annotate(day=TruncDate("created_at"), n=Count("id"), last=Max("created_at"))
    ):
        delivered[row["indicator_id"]].append(row)
    return delivered


def _engagement_of(
    indicator: Indicator,
    *,
    reach: dict[str, Any],
    delivered: list[dict[str, Any]],
    deadlines: dict[tuple[int, int], date],
    open_states: list[str],
    today: date,
) -> Engagement:
    periods = expected_periods(
        kind=FREQUENCY_PERIOD_KIND[indicator.frequency],
        baseline_start=indicator.baseline_period.start if indicator.baseline_period else None,
        first_start=reach.get("first_start"),
        today=today,
    )
    n_geographies = (reach.get("n_geographies", 0) + reach.get("has_wide", 0)) or 1
    engagement = Engagement(
        indicators=1,
        expected=len(periods) * n_geographies,
        open_requests=len(open_states),
        overdue_requests=open_states.count(RequestState.OVERDUE),
    )
    grace = timedelta(days=on_time_days())
    window = (periods[0].start, periods[-1].start) if periods else None
    latest_reported = False
    for row in delivered:
        if engagement.last_reported_at is None or row["last"] > engagement.last_reported_at:
            engagement.last_reported_at = row["last"]
        if window is None or not window[0] <= row["period__start"] <= window[1]:
            continue
        engagement.reported += row["n"]
        deadline = deadlines.get((indicator.pk, row["period_id"]), row["period__end"] + grace)
        if row["day"] <= deadline:
            engagement.on_time += row["n"]
        latest_reported |= row["period__start"] == window[1]
    if window is not None and not latest_reported:
        engagement.behind.append(indicator.code)
    return engagement


def _indicator_engagement(
    *, partnership: Partnership, requests: list[_Request], today: date
) -> list[tuple[Indicator, Engagement]]:
    """Engagement of each of the partnership's indicators (its open requests count
    whoever was asked). Three queries."""
    indicators = list(
        Indicator.objects.filter(partnership=partnership)
        .select_related("baseline_period")
        .only("code", "frequency", "steward_id", "baseline_period__start")
        .order_by("code")
    )
    totals = DataPoint.objects.filter(indicator__partnership=partnership, category__isnull=True)
    reach = _reach(totals)
    delivered = _delivered(totals)
    deadlines: dict[tuple[int, int], date] = {}
    open_by_indicator: dict[int, list[str]] = defaultdict(list)
    for request in requests:
        key = (request.indicator_id, request.period_id)
        deadlines[key] = max(request.due_date, deadlines.get(key, request.due_date))
        if request.state in (RequestState.OPEN, RequestState.OVERDUE):
            open_by_indicator[request.indicator_id].append(request.state)
    return [
        (
            indicator,
            _engagement_of(
                indicator,
                reach=reach.get(indicator.pk, {}),
                delivered=delivered.get(indicator.pk, []),
                deadlines=deadlines,
                open_states=open_by_indicator.get(indicator.pk, []),
                today=today,
            ),
        )
        for indicator in indicators
    ]


@dataclass
class EngagementOverview:
    partnership: Engagement
    organizations: list[OrgEngagement]


def engagement_overview(
    partnership: Partnership, *, today: date | None = None
) -> EngagementOverview:
    """The partnership's engagement (every indicator, stewarded or not) and each
    organization's: those that steward an indicator or were asked for data, least
    up to date first. Five queries, whatever the size."""
    today = today or timezone.localdate()
    by_org: dict[int, OrgEngagement] = {
        org.pk: OrgEngagement(organization=org)
        for org in Organization.objects.filter(partnership=partnership)
    }
    requests = _requests(partnership=partnership, today=today)
    total = Engagement()
    for indicator, engagement in _indicator_engagement(
        partnership=partnership, requests=requests, today=today
    ):
        total.add(engagement)
        if indicator.steward_id in by_org:
            by_org[indicator.steward_id].add(engagement)
    # Requests count for the organization asked, which need not be the steward.
    for org in by_org.values():
        org.open_requests = org.overdue_requests = 0
    asked = set()
    for request in requests:
        if request.state in (RequestState.OPEN, RequestState.OVERDUE):
            asked.add(request.organization_id)
            by_org[request.organization_id].open_requests += 1
            by_org[request.organization_id].overdue_requests += (
                request.state == RequestState.OVERDUE
            )
    rows = [e for e in by_org.values() if e.indicators or e.organization.pk in asked]
    rows.sort(
        key=lambda e: (
            e.reported_share if e.reported_share is not None else 2.0,
            -e.overdue_requests,
            e.organization.name,
        )
    )
    return EngagementOverview(partnership=total, organizations=rows)


def engagement_by_organization(
    partnership: Partnership, *, today: date | None = None
) -> list[OrgEngagement]:
    """Each organization's engagement (see ``engagement_overview``). Five queries."""
    return engagement_overview(partnership, today=today).organizations


def partnership_engagement(partnership: Partnership, *, today: date | None = None) -> Engagement:
    """The partnership's engagement: every indicator, stewarded or not. Four queries,
    whatever the size."""
    today = today or timezone.localdate()
    total = Engagement()
    requests = _requests(partnership=partnership, today=today)
    for _indicator, engagement in _indicator_engagement(
        partnership=partnership, requests=requests, today=today
    ):
        total.add(engagement)
    return total
