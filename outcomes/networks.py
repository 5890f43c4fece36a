"""Action networks: working groups of organizations on one outcome area.

Every member of a partnership reads its networks; backbone staff (``MANAGE_NETWORKS``)
create and edit them. The lead organization is always a member. The indicators a
network aims to move are those its activities are linked to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from indicators.models import Indicator
from partnership.models import Membership, Organization, Partnership
from partnership.permissions import Action, can

from .history import check_version, versioned_create, versioned_delete, versioned_update
from .models import ActionNetwork, Activity, ChangeSubject, Meeting, OutcomeArea

NETWORK_FIELDS = (
    "name",
    "slug",
    "outcome_area",
    "purpose",
    "lead_organization",
    "lead_person",
    "members",
)


@dataclass(frozen=True)
class AreaNetworks:
    outcome_area: OutcomeArea
    networks: list[ActionNetwork]


@dataclass(frozen=True)
class NetworkDetail:
    network: ActionNetwork
    members: list[Organization]
    activities: list[Activity]
    indicators: list[Indicator]
    upcoming_meetings: list[Meeting]
    past_meetings: list[Meeting]


# --- selectors -------------------------------------------------------------------


def network_list(*, partnership: Partnership) -> list[AreaNetworks]:
    """Every outcome area in continuum order with its networks (member and active
    activity counts annotated), areas without networks included."""
    networks = (
        ActionNetwork.objects.filter(partnership=partnership)
        .select_related("lead_organization", "lead_person")
        .annotate(
            n_members=Count("members", distinct=True),
            n_active=Count("activities", filter=Q(activities__status="active"), distinct=True),
        )
        .order_by("name")
    )
    areas = partnership.outcome_areas.order_by("order").prefetch_related(
        Prefetch("action_networks", queryset=networks, to_attr="network_list")
    )
    return [AreaNetworks(area, area.network_list) for area in areas]


def network_detail(*, network: ActionNetwork, now: datetime | None = None) -> NetworkDetail:
    now = now or timezone.now()
    activities = list(
        network.activities.select_related("organization")
        .prefetch_related("indicators")
        .order_by("status", "start_date", "title")
    )
    indicators = {i.pk: i for a in activities for i in a.indicators.all()}
    meetings = network.meetings.order_by("starts_at")
    return NetworkDetail(
        network=network,
        members=list(network.members.order_by("name")),
        activities=activities,
        indicators=sorted(indicators.values(), key=lambda i: i.code),
        upcoming_meetings=list(meetings.filter(ends_at__gte=now)),
        past_meetings=list(meetings.filter(ends_at__lt=now).reverse()[:5]),
    )


# --- services --------------------------------------------------------------------


def _require_manage(user: Any, partnership: Partnership) -> None:
    if not can(user, Action.MANAGE_NETWORKS, partnership):
        raise PermissionDenied("Only backbone staff may create or edit action networks.")


def _clean_values(
    partnership: Partnership, values: dict[str, Any], network: ActionNetwork | None = None
) -> dict[str, Any]:
    """The lead organization joins the members; the lead person must be a member
    of the partnership. Values not given keep the network's current ones."""
    values = dict(values)
    lead = values.get("lead_organization", network.lead_organization if network else None)
    if "members" in values or "lead_organization" in values:
        members = list(
            values["members"] if "members" in values else (network.members.all() if network else [])
        )
        if lead is not None and lead not in members:
            members.append(lead)
        values["members"] = members
    person = values.get("lead_person")
    if person is not None and not (
        Membership.objects.filter(user=person, partnership=partnership).exists()
    ):
        raise ValidationError(
            {"lead_person": f"{person} is not a member of {partnership.name}; choose a member."}
        )
    return values


def network_create(*, user: Any, partnership: Partnership, values: dict[str, Any]) -> ActionNetwork:
    _require_manage(user, partnership)
    return versioned_create(
        model=ActionNetwork,
        partnership=partnership,
        subject=ChangeSubject.NETWORK,
        user=user,
        values=_clean_values(partnership, values),
        fields=NETWORK_FIELDS,
        extra={"partnership": partnership},
    )


def network_update(
    *, user: Any, network: ActionNetwork, expected_version: int | None, values: dict[str, Any]
) -> ActionNetwork:
    _require_manage(user, network.partnership)
    return versioned_update(
        obj=network,
        partnership=network.partnership,
        subject=ChangeSubject.NETWORK,
        user=user,
        values=_clean_values(network.partnership, values, network),
        fields=NETWORK_FIELDS,
        expected_version=expected_version,
    )


def network_dependents(network: ActionNetwork) -> list[str]:
    """What still points at the network, in words ("2 activities", "1 meeting"); empty
    when nothing does."""
    counts = (
        (network.activities.count(), "activity", "activities"),
        (network.meetings.count(), "meeting", "meetings"),
        (network.funding_commitments.count(), "funding commitment", "funding commitments"),
    )
    return [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]


def network_delete(*, user: Any, network: ActionNetwork, expected_version: int | None) -> None:
    """Remove a wrongly entered network (backbone staff). Refused while activities,
    meetings or funding commitments still point at it: move or remove those first, so
    that nothing loses its network without someone deciding where it belongs."""
    _require_manage(user, network.partnership)
    with transaction.atomic():
        current = ActionNetwork.objects.select_for_update().get(pk=network.pk)
        check_version(ChangeSubject.NETWORK, current, expected_version)
        still = network_dependents(current)
        if still:
            raise ValidationError(
                f"{current.name} still has {', '.join(still)}. Move them to another network "
                "(or remove them) first, then remove the network."
            )
        versioned_delete(
            obj=current,
            partnership=current.partnership,
            subject=ChangeSubject.NETWORK,
            user=user,
            fields=NETWORK_FIELDS,
            expected_version=expected_version,
        )
