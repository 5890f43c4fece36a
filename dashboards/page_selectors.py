"""What each dashboard page shows, read in a fixed number of queries.

The pages read computed trends (``indicators.models.Trend``) and the approved or
derived points of the series on show, never every data point: their query count
and their cost stay the same as a partnership's data grows. Charts come from
``dashboards.selectors``; suppression is applied there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from indicators.data_requests import data_request_list
from indicators.models import DataPoint, DataStatus, Indicator
from indicators.selectors import recompute_state, scorecard
from outcomes.models import OutcomeArea
from partnership.models import Organization, Partnership
from partnership.permissions import Action, can_for_organization
from partnership.privacy import cell_policy
from partnership.selectors import organization_list

from .selectors import IndicatorChartData, headline_chart_data

# A recompute normally lands within a second of a change; trends still behind
# their data after this long deserve a warning on the home page.
STALE_AFTER_MINUTES = 10


def partnership_indicators(*, partnership: Partnership) -> QuerySet[Indicator]:
    """The partnership's indicators with what their cards show, in continuum order."""
    return (
        Indicator.objects.filter(partnership=partnership)
        .select_related("partnership", "outcome_area", "steward", "target_period")
        .order_by("outcome_area__order", "code")
    )


@dataclass
class AreaSummary:
    outcome_area: OutcomeArea
    counts: dict[str, int]
    charts: list[IndicatorChartData] = field(default_factory=list)


@dataclass
class Freshness:
    latest_period: Any  # the most recent period of any headline series (a Period)
    last_recompute: Any
    stale: int  # indicators whose trends are behind their data

    @property
    def warn(self) -> bool:
        """Trends behind their data for longer than a recompute takes."""
        if not self.stale:
            return False
        if self.last_recompute is None:
            return True
        age = timezone.now() - self.last_recompute
        return age.total_seconds() > STALE_AFTER_MINUTES * 60


def _latest_period(charts: Iterable[IndicatorChartData]) -> Any:
    periods = [c.headline.trend.latest_period for c in charts if c.headline.trend]
    periods = [p for p in periods if p is not None]
    return max(periods, key=lambda p: (p.end, p.start), default=None)


@dataclass
class PartnershipHome:
    scorecard: dict
    areas: list[AreaSummary]
    freshness: Freshness
    organizations: list[Organization]

    @property
    def headline(self) -> str:
        """ "34 of 53 indicators improving since baseline"."""
        total = self.scorecard["total"]
        noun = "indicator" if total == 1 else "indicators"
        return f"{self.scorecard['improving']} of {total} {noun} improving since baseline"


def _empty_counts() -> dict[str, int]:
    return {"total": 0, "improving": 0, "worsening": 0, "no_change": 0, "insufficient_data": 0}


def partnership_home(*, partnership: Partnership, user: Any) -> PartnershipHome:
    """The scorecard, each outcome area (continuum order) with its counts by status
    and its indicators' headline series, data freshness and the organizations.
    Nine queries whatever the partnership's size."""
    card = scorecard(partnership=partnership)
    counts = {area["slug"]: area for area in card["outcome_areas"]}
    areas = {
        area.pk: AreaSummary(area, counts.get(area.slug, _empty_counts()))
        for area in OutcomeArea.objects.filter(partnership=partnership).order_by("order")
    }
    indicators = list(partnership_indicators(partnership=partnership))
    charts = headline_chart_data(indicators, user=user)
    for indicator in indicators:
        areas[indicator.outcome_area_id].charts.append(charts[indicator.pk])
    state = recompute_state(partnership=partnership)
    return PartnershipHome(
        scorecard=card,
        areas=list(areas.values()),
        freshness=Freshness(_latest_period(charts.values()), **state),
        organizations=organization_list(partnership=partnership),
    )


def area_charts(*, area: OutcomeArea, user: Any) -> list[IndicatorChartData]:
    """The area's indicators with their headline series. Four queries."""
    indicators = list(
        partnership_indicators(partnership=area.partnership).filter(outcome_area=area)
    )
    charts = headline_chart_data(indicators, user=user)
    return [charts[i.pk] for i in indicators]


@dataclass(frozen=True)
class Submission:
    point: DataPoint
    value: str  # "n<10" when suppressed


@dataclass
class OrganizationPage:
    organization: Organization
    charts: list[IndicatorChartData]
    may_see_submissions: bool
    status_counts: dict[str, int]
    submissions: list[Submission]
    owed: list[Any]


RECENT_SUBMISSIONS = 15


def _submissions_visible(*, user: Any, organization: Organization) -> bool:
    """Backbone staff see every organization's drafts, submissions and returns; a
    data steward sees those of the indicators their own organization stewards
    (``permissions``: VIEW_UNAPPROVED_DATA per indicator)."""
    return can_for_organization(user, Action.VIEW_UNAPPROVED_DATA, organization)


def organization_page(*, organization: Organization, user: Any) -> OrganizationPage:
    """The organization's indicators with their headline series; its recent data
    by status for those who may see unapproved data; what it owes (the requests
    the user may see). At most nine queries."""
    partnership = organization.partnership
    indicators = list(partnership_indicators(partnership=partnership).filter(steward=organization))
    charts = headline_chart_data(indicators, user=user)
    visible = _submissions_visible(user=user, organization=organization)
    counts: dict[str, int] = {}
    submissions: list[Submission] = []
    if visible and indicators:
        points = DataPoint.objects.filter(indicator__in=indicators)
        counts = dict(
            points.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        policy = cell_policy(user=user, partnership=partnership)
        recent = (
            # Through the status index: the few points not yet approved, not all of them.
            points.filter(status__in=[DataStatus.DRAFT, DataStatus.SUBMITTED, DataStatus.RETURNED])
            .select_related("indicator", "period", "geography", "category", "updated_by")
            .order_by("-updated_at", "-pk")[:RECENT_SUBMISSIONS]
        )
        submissions = [
            Submission(
                p,
                f"n<{policy.min_cell_size}" if policy.hides(p.denominator) else _plain(p.value),
            )
            for p in recent
        ]
    owed = list(
        data_request_list(
            user=user, partnership=partnership, status="open", organization=organization
        )
    )
    return OrganizationPage(
        organization=organization,
        charts=[charts[i.pk] for i in indicators],
        may_see_submissions=visible,
        status_counts={s: counts.get(s, 0) for s in DataStatus.values},
        submissions=submissions,
        owed=owed,
    )


def _plain(value: Any) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
