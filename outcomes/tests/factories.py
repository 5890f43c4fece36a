"""factory_boy factories for action networks, activities, meetings and funding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from outcomes.models import (
    ActionItem,
    ActionNetwork,
    Activity,
    ActivityStatus,
    Decision,
    FundingCommitment,
    FundingPurpose,
    Meeting,
)
from partnership.tests.factories import (
    OrganizationFactory,
    OutcomeAreaFactory,
    PartnershipFactory,
)


class ActionNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionNetwork
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    outcome_area = factory.SubFactory(
        OutcomeAreaFactory, partnership=factory.SelfAttribute("..partnership")
    )
    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    lead_organization = factory.SubFactory(
        OrganizationFactory, partnership=factory.SelfAttribute("..partnership")
    )

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.members.set([obj.lead_organization, *(extracted or [])])


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SubFactory(
        OrganizationFactory, partnership=factory.SelfAttribute("..partnership")
    )
    title = factory.Sequence(lambda n: f"Activity {n}")
    start_date = dt.date(2025, 9, 1)
    status = ActivityStatus.ACTIVE

    @factory.post_generation
    def indicators(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.indicators.set(extracted)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Meeting {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + dt.timedelta(hours=2))
    location = "Riverside Library, Room 2"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Decision {n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action item {n}")
    owner_organization = factory.SubFactory(
        OrganizationFactory, partnership=factory.SelfAttribute("..meeting.partnership")
    )
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class FundingCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingCommitment

    partnership = factory.SubFactory(PartnershipFactory)
    funder = factory.SubFactory(
        OrganizationFactory, partnership=factory.SelfAttribute("..partnership"), role="funder"
    )
    amount = Decimal("90000.00")
    currency = "USD"
    start_year = 2025
    end_year = 2027
    purpose = FundingPurpose.BACKBONE
