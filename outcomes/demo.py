"""The demo's action networks, activities, meetings and funding for Riverside.

``seed_outcomes`` is called by ``seed_demo`` (partnership/demo_load.py) after the
catalogue and users exist. It writes through the services, as backbone staff, so
every row has its history. Each row is keyed on a stable name and created only when
missing: a second run changes nothing, and edits made in the demo are kept.
Meeting dates and due dates are set relative to the day of the first load, so a
fresh demo always has past and upcoming meetings and some overdue action items.
A few indicators are deliberately left without activities (orphans).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnership.models import Organization, Partnership

from . import activities, funding, meetings, networks
from .demo_data import ACTIVITIES, FUNDING, MEETINGS, NETWORKS, MeetingDef
from .models import (
    ActionItem,
    ActionItemStatus,
    ActionNetwork,
    Activity,
    Decision,
    FundingCommitment,
    FundingPurpose,
    Meeting,
)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _seed_networks(partnership: Partnership, user: Any, orgs: dict[str, Organization]) -> None:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["steward"])}
    areas = {a.slug: a for a in partnership.outcome_areas.all()}
    for spec in NETWORKS:
        if ActionNetwork.objects.filter(partnership=partnership, slug=spec.slug).exists():
            continue
        networks.network_create(
            user=user,
            partnership=partnership,
            values={
                "slug": spec.slug,
                "name": spec.name,
                "outcome_area": areas[spec.area],
                "purpose": spec.purpose,
                "lead_organization": orgs[spec.lead],
                "lead_person": users.get(spec.lead_person),
                "members": [orgs[slug] for slug in spec.members],
            },
        )


def _seed_activities(partnership: Partnership, user: Any, orgs: dict[str, Organization]) -> None:
    indicators = {i.code: i for i in partnership.indicators.all()}
    nets = {n.slug: n for n in partnership.action_networks.all()}
    for spec in ACTIVITIES:
        organization = orgs[spec.organization]
        if Activity.objects.filter(
            partnership=partnership, organization=organization, title=spec.title
        ).exists():
            continue
        activities.activity_create(
            user=user,
            partnership=partnership,
            values={
                "title": spec.title,
                "organization": organization,
                "network": nets.get(spec.network),
                "status": spec.status,
                "start_date": _date(spec.start),
                "end_date": _date(spec.end),
                "description": spec.description,
                "indicators": [indicators[code] for code in spec.indicators],
            },
        )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _seed_meeting(
    partnership: Partnership, user: Any, orgs: dict[str, Organization], spec: MeetingDef
) -> None:
    today = timezone.localdate()
    meeting = Meeting.objects.filter(partnership=partnership, title=spec.title).first()
    if meeting is None:
        day = today + dt.timedelta(days=spec.in_days)
        meeting = meetings.meeting_create(
            user=user,
            partnership=partnership,
            values={
                "title": spec.title,
                "network": partnership.action_networks.filter(slug=spec.network).first(),
                "starts_at": _at(day, 15),
                "ends_at": _at(day, 17),
                "location": spec.location,
                "agenda": spec.agenda,
                "notes": spec.notes,
                "attending_organizations": [orgs[slug] for slug in spec.attending],
            },
        )
    for text in spec.decisions:
        if not Decision.objects.filter(meeting=meeting, text=text).exists():
            meetings.decision_add(user=user, meeting=meeting, text=text)
    owners = {u.username: u for u in get_user_model().objects.filter(username="steward")}
    for item in spec.items:
        if ActionItem.objects.filter(meeting=meeting, description=item.description).exists():
            continue
        created = meetings.action_item_add(
            user=user,
            meeting=meeting,
            values={
                "description": item.description,
                "owner_user": owners.get(item.owner_user),
                "owner_organization": orgs.get(item.owner_organization),
                "due_date": today + dt.timedelta(days=item.due_in_days),
            },
        )
        if item.status != ActionItemStatus.OPEN:
            meetings.action_item_set_status(
                user=user, item=created, status=item.status, expected_version=created.version
            )


def _seed_funding(partnership: Partnership, user: Any, orgs: dict[str, Organization]) -> None:
    nets = {n.slug: n for n in partnership.action_networks.all()}
    areas = {a.slug: a for a in partnership.outcome_areas.all()}
    for spec in FUNDING:
        values = {
            "funder": orgs[spec.funder],
            "amount": Decimal(spec.amount),
            "currency": "USD",
            "start_year": spec.start_year,
            "end_year": spec.end_year,
            "purpose": spec.purpose,
            "network": nets.get(spec.target) if spec.purpose == FundingPurpose.NETWORK else None,
            "outcome_area": (
                areas.get(spec.target) if spec.purpose == FundingPurpose.OUTCOME_AREA else None
            ),
            "note": spec.note,
        }
        key = {k: values[k] for k in ("funder", "start_year", "end_year", "purpose")}
        if FundingCommitment.objects.filter(
            partnership=partnership,
            network=values["network"],
            outcome_area=values["outcome_area"],
            **key,
        ).exists():
            continue
        funding.funding_create(user=user, partnership=partnership, values=values)


def seed_outcomes(partnership: Partnership, user: Any) -> None:
    """Networks, activities, meetings and funding for the Riverside demo, as ``user``
    (backbone staff); only what is missing is added."""
    orgs = {o.slug: o for o in partnership.organizations.all()}
    _seed_networks(partnership, user, orgs)
    _seed_activities(partnership, user, orgs)
    for spec in MEETINGS:
        _seed_meeting(partnership, user, orgs, spec)
    _seed_funding(partnership, user, orgs)
