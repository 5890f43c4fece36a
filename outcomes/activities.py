"""Activities and commitments of organizations, and the contribution map.

Who may edit an activity: backbone staff (``MANAGE_NETWORKS``) for any organization;
a data steward for their own organization's activities (and may not hand one to
another organization). Viewers and funders read. Every member reads every activity
of the partnership. Each change keeps history and is checked against the version the
editor loaded (outcomes/history.py).

The contribution map counts **active** activities only (planned, completed and
stopped ones are work that is not happening now): an indicator is *reinforced*
where two or more organizations have active activities aimed at it, and an
*orphan* where none has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When

from indicators.models import Indicator
from partnership.models import Organization, Partnership
from partnership.permissions import Action, allowed_filter, can

from .history import history_of, versioned_create, versioned_delete, versioned_update
from .models import Activity, ActivityStatus, ChangeSubject, OutcomeArea, OutcomeChange

ACTIVITY_FIELDS = (
    "title",
    "description",
    "organization",
    "network",
    "start_date",
    "end_date",
    "status",
    "indicators",
)

# Lists show active work first, then planned, completed and stopped.
STATUS_ORDER = Case(
    *(
        When(status=status, then=Value(i))
        for i, status in enumerate(
            (
                ActivityStatus.ACTIVE,
                ActivityStatus.PLANNED,
                ActivityStatus.COMPLETED,
                ActivityStatus.STOPPED,
            )
        )
    ),
    output_field=IntegerField(),
)


# --- who may edit ----------------------------------------------------------------


def may_edit_activities_of(user: Any, organization: Organization) -> bool:
    """Backbone staff for any organization; a data steward for their own."""
    return can(user, Action.EDIT_ACTIVITIES, organization)


def editable_organizations(*, user: Any, partnership: Partnership) -> QuerySet[Organization]:
    """The organizations whose activities the user may add or edit."""
    return partnership.organizations.filter(
        allowed_filter(user, Action.EDIT_ACTIVITIES, partnership, organization="pk")
    ).order_by("name")


def _require_edit(user: Any, organization: Organization) -> None:
    if not may_edit_activities_of(user, organization):
        raise PermissionDenied(
            f"You may not add or change {organization.name}'s activities: backbone staff "
            "edit any organization's, a data steward their own organization's."
        )


# --- services --------------------------------------------------------------------


def activity_create(*, user: Any, partnership: Partnership, values: dict[str, Any]) -> Activity:
    organization = values.get("organization")
    if organization is None:
        raise ValidationError({"organization": "Choose the organization that runs it."})
    _require_edit(user, organization)
    return versioned_create(
        model=Activity,
        partnership=partnership,
        subject=ChangeSubject.ACTIVITY,
        user=user,
        values=values,
        fields=ACTIVITY_FIELDS,
        extra={"partnership": partnership},
    )


def activity_update(
    *, user: Any, activity: Activity, expected_version: int | None, values: dict[str, Any]
) -> Activity:
    # Whose activity it is now, from the database (a form may have changed the object).
    current = Organization.objects.get(activities__pk=activity.pk)
    _require_edit(user, current)
    organization = values.get("organization", current)
    if organization is None:
        raise ValidationError({"organization": "Choose the organization that runs it."})
    if organization != current:
        _require_edit(user, organization)
    return versioned_update(
        obj=activity,
        partnership=activity.partnership,
        subject=ChangeSubject.ACTIVITY,
        user=user,
        values=values,
        fields=ACTIVITY_FIELDS,
        expected_version=expected_version,
    )


def activity_delete(*, user: Any, activity: Activity, expected_version: int | None) -> None:
    """Remove a wrongly entered activity: backbone staff any, a data steward their own
    organization's. Its last values stay in history."""
    _require_edit(user, Organization.objects.get(activities__pk=activity.pk))
    versioned_delete(
        obj=activity,
        partnership=activity.partnership,
        subject=ChangeSubject.ACTIVITY,
        user=user,
        fields=ACTIVITY_FIELDS,
        expected_version=expected_version,
    )


# --- selectors -------------------------------------------------------------------


def activity_list(
    *,
    partnership: Partnership,
    organization: Organization | None = None,
    status: str = "",
    network: Any = None,
) -> QuerySet[Activity]:
    activities = Activity.objects.filter(partnership=partnership)
    if organization is not None:
        activities = activities.filter(organization=organization)
    if status:
        activities = activities.filter(status=status)
    if network is not None:
        activities = activities.filter(network=network)
    return (
        activities.select_related("organization", "network")
        .prefetch_related("indicators")
        .annotate(status_rank=STATUS_ORDER)
        .order_by("status_rank", "organization__name", "start_date", "title", "id")
    )


def activity_history(*, activity: Activity) -> list[OutcomeChange]:
    return history_of(ChangeSubject.ACTIVITY, activity)


def activities_by_organization(partnership: Partnership) -> dict[int, list[Activity]]:
    """Every activity of the partnership by organization id, active ones first."""
    result: dict[int, list[Activity]] = defaultdict(list)
    for activity in activity_list(partnership=partnership):
        result[activity.organization_id].append(activity)
    return dict(result)


def activities_for_indicator(indicator: Indicator) -> list[Activity]:
    """The activities (any status, active first) that aim to move the indicator."""
    return list(
        activity_list(partnership=indicator.partnership).filter(indicators=indicator).distinct()
    )


# --- the contribution map ----------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    # organization id -> number of its active activities aimed at the indicator
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def n_organizations(self) -> int:
        return len(self.counts)

    @property
    def reinforced(self) -> bool:
        return self.n_organizations >= 2

    @property
    def orphan(self) -> bool:
        return self.n_organizations == 0

    # the counts in the map's column order, filled in by ``contribution_map``
    cells: list[int] = field(default_factory=list)


@dataclass
class AreaBlock:
    outcome_area: OutcomeArea
    rows: list[IndicatorRow]
    # organization id -> how many of the area's indicators it works on
    counts: dict[int, int] = field(default_factory=dict)

    cells: list[int] = field(default_factory=list)


@dataclass
class ContributionMap:
    organizations: list[Organization]  # those with at least one active activity, by name
    areas: list[AreaBlock]

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for area in self.areas for row in area.rows]

    @property
    def orphans(self) -> list[Indicator]:
        return [row.indicator for row in self.rows if row.orphan]

    @property
    def reinforced(self) -> list[Indicator]:
        return [row.indicator for row in self.rows if row.reinforced]


def contribution_map(partnership: Partnership) -> ContributionMap:
    """Organizations x outcome areas and indicators, from active activities (three
    queries whatever the size)."""
    links = Activity.indicators.through.objects.filter(
        activity__partnership=partnership, activity__status=ActivityStatus.ACTIVE
    ).values_list("indicator_id", "activity__organization_id")
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for indicator_id, organization_id in links:
        counts[indicator_id][organization_id] += 1
    org_ids = {org for per_org in counts.values() for org in per_org}
    organizations = list(partnership.organizations.filter(pk__in=org_ids).order_by("name"))
    indicators = partnership.indicators.select_related("outcome_area").order_by(
        "outcome_area__order", "code"
    )
    blocks: dict[int, AreaBlock] = {}
    for indicator in indicators:
        area = indicator.outcome_area
        block = blocks.setdefault(area.pk, AreaBlock(area, []))
        row_counts = dict(counts.get(indicator.pk, {}))
        block.rows.append(IndicatorRow(indicator, row_counts))
        for organization_id in row_counts:
            block.counts[organization_id] = block.counts.get(organization_id, 0) + 1
    for block in blocks.values():
        block.cells = [block.counts.get(o.pk, 0) for o in organizations]
        for row in block.rows:
            row.cells = [row.counts.get(o.pk, 0) for o in organizations]
    return ContributionMap(organizations=organizations, areas=list(blocks.values()))
