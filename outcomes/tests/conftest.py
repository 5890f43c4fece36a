"""The outcomes world: the shared test world plus an action network, activities,
meetings with decisions and action items, and funding, and the same kinds of object
in the other partnership (which nobody in riverside may reach)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from partnership.tests.browser import (  # noqa: F401
    browser_type_launch_args,
    console_errors,
    live_world,
    screenshot_dir,
)


@dataclass
class OutcomesWorld:
    world: Any
    network: Any
    activity: Any  # partner_org's, on world.indicator
    other_activity: Any  # other_org's, on world.indicator
    meeting: Any  # upcoming, of the network
    past_meeting: Any
    decision: Any
    overdue_item: Any  # owned by the steward (a person)
    upcoming_item: Any  # owned by other_org
    commitment: Any
    foreign_network: Any
    foreign_activity: Any
    foreign_meeting: Any
    foreign_item: Any
    foreign_commitment: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def build(world: Any) -> OutcomesWorld:
    from outcomes.models import ActivityStatus, FundingPurpose

    from .factories import (
        ActionItemFactory,
        ActionNetworkFactory,
        ActivityFactory,
        DecisionFactory,
        FundingCommitmentFactory,
        MeetingFactory,
    )

    p, other = world.partnership, world.other_partnership
    area = world.indicator.outcome_area
    now = timezone.now()
    today = timezone.localdate()
    network = ActionNetworkFactory(
        partnership=p,
        outcome_area=area,
        name="Ready for K Network",
        slug="ready-for-k",
        purpose="Home visiting, pre-K enrolment and summer bridge programs.",
        lead_organization=world.partner_org,
        members=[world.other_org],
    )
    activity = ActivityFactory(
        partnership=p,
        organization=world.partner_org,
        network=network,
        title="Pre-K enrolment drive",
        indicators=[world.indicator],
    )
    other_activity = ActivityFactory(
        partnership=p,
        organization=world.other_org,
        title="Summer bridge camps",
        indicators=[world.indicator],
    )
    ActivityFactory(
        partnership=p,
        organization=world.other_org,
        title="Reading buddies (planned)",
        status=ActivityStatus.PLANNED,
        indicators=[world.other_indicator],
    )
    meeting = MeetingFactory(
        partnership=p,
        network=network,
        title="Ready for K: monthly meeting",
        starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=5, hours=2),
        agenda="1. Enrolment numbers\n2. Summer plans",
    )
    past = MeetingFactory(
        partnership=p,
        title="Partnership leadership table",
        starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=30) + dt.timedelta(hours=2),
    )
    decision = DecisionFactory(meeting=past, text="Adopt the kindergarten readiness target.")
    overdue = ActionItemFactory(
        meeting=past,
        description="Send the enrolment data",
        owner_user=world.users["steward"],
        owner_organization=None,
        due_date=today - dt.timedelta(days=3),
    )
    upcoming = ActionItemFactory(
        meeting=past,
        description="Book the summer venue",
        owner_organization=world.other_org,
        due_date=today + dt.timedelta(days=10),
    )
    commitment = FundingCommitmentFactory(
        partnership=p,
        funder=world.funder_org,
        amount=Decimal("300000.00"),
        start_year=2025,
        end_year=2027,
        purpose=FundingPurpose.NETWORK,
        network=network,
    )
    foreign_area = world.foreign_indicator.outcome_area
    foreign_org = other.organizations.get()
    foreign_network = ActionNetworkFactory(
        partnership=other,
        outcome_area=foreign_area,
        slug="hc-reading",
        name="Hillcrest Reading",
        lead_organization=foreign_org,
    )
    foreign_activity = ActivityFactory(
        partnership=other, organization=foreign_org, indicators=[world.foreign_indicator]
    )
    foreign_meeting = MeetingFactory(partnership=other, title="Hillcrest table")
    foreign_item = ActionItemFactory(meeting=foreign_meeting, owner_organization=foreign_org)
    foreign_funder = foreign_org  # a funder role is not needed to exist in the table
    foreign_commitment = FundingCommitmentFactory(partnership=other, funder=foreign_funder)
    return OutcomesWorld(
        world=world,
        network=network,
        activity=activity,
        other_activity=other_activity,
        meeting=meeting,
        past_meeting=past,
        decision=decision,
        overdue_item=overdue,
        upcoming_item=upcoming,
        commitment=commitment,
        foreign_network=foreign_network,
        foreign_activity=foreign_activity,
        foreign_meeting=foreign_meeting,
        foreign_item=foreign_item,
        foreign_commitment=foreign_commitment,
    )


@pytest.fixture
def ow(world) -> OutcomesWorld:
    return build(world)


MEMBERS = ("superuser", "backbone", "steward", "other_steward", "viewer", "funder")
