"""factory_boy factories for the whole data model: the one shared test world."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from indicators.models import (
    Aggregation,
    Category,
    DataPoint,
    DataStatus,
    Dimension,
    Direction,
    Frequency,
    Geography,
    GeographyKind,
    Indicator,
    IndicatorKind,
    Unit,
)
from indicators.periods import parse_period
from indicators.services import period_from_span
from outcomes.models import OutcomeArea
from partnership.models import Membership, Organization, OrganizationRole, Partnership, Role, Sector

from .world import PASSWORD


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    min_cell_size = 10


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    sector = Sector.NONPROFIT
    role = OrganizationRole.PARTNER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Role.VIEWER
    organization = None


class OutcomeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeArea

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Outcome area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")
    order = factory.Sequence(lambda n: n + 1)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    partnership = factory.SubFactory(PartnershipFactory)
    outcome_area = factory.SubFactory(
        OutcomeAreaFactory, partnership=factory.SelfAttribute("..partnership")
    )
    code = factory.Sequence(lambda n: f"ind-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    kind = IndicatorKind.CORE
    unit = Unit.PERCENT
    direction = Direction.HIGHER_IS_BETTER
    frequency = Frequency.SCHOOL_YEAR
    aggregation = Aggregation.RATIO
    threshold = Decimal("0")


class GeographyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Geography

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"G{n}")
    name = factory.Sequence(lambda n: f"Geography {n}")
    kind = GeographyKind.DISTRICT
    parent = None
    path = factory.LazyAttribute(
        lambda g: f"{g.parent.path}{g.code}/" if g.parent else f"/{g.code}/"
    )
    depth = factory.LazyAttribute(lambda g: g.parent.depth + 1 if g.parent else 0)


class DimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dimension

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"dim-{n}")
    name = factory.Sequence(lambda n: f"Dimension {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    dimension = factory.SubFactory(DimensionFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


def period(label: str, kind: str | None = None):
    """The Period row for a label, created when first needed."""
    return period_from_span(parse_period(label, kind))


class DataPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataPoint

    indicator = factory.SubFactory(IndicatorFactory)
    period = factory.LazyAttribute(lambda dp: period("2021-22", dp.indicator.period_kind))
    value = Decimal("50")
    status = DataStatus.APPROVED
