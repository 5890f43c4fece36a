"""pytest plugin (loaded from pytest.ini) with the shared test world.

``world`` is a partnership with a backbone member, a data steward of a partner
organization, a steward of another organization, a viewer, a funder, a
superuser, and an outsider who is backbone staff of a second partnership.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

# This module is loaded as a plugin before Django is set up, so it imports
# models and factories inside the fixtures only.
PASSWORD = "correct-horse-battery"


def need_service(reason: str) -> None:
    """A test cannot run without a service (PostgreSQL, a broker, Chromium): skip it
    with the reason, except in CI (CI=true), where a missing service is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres(db):
    """For tests marked ``postgres``: behaviour that only PostgreSQL has (row locks)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        need_service("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")


@dataclass
class World:
    partnership: Any
    other_partnership: Any
    backbone_org: Any
    partner_org: Any
    other_org: Any
    funder_org: Any
    users: dict[str, Any]
    indicator: Any  # stewarded by partner_org
    other_indicator: Any  # stewarded by other_org
    foreign_indicator: Any  # in other_partnership
    password: str = PASSWORD

    def membership(self, name: str) -> Any:
        from partnership.models import Membership

        return Membership.objects.filter(
            user=self.users[name], partnership=self.partnership
        ).first()


# Every role a test should try, including the people with no business here.
ROLE_NAMES = ("superuser", "backbone", "steward", "other_steward", "viewer", "funder", "outsider")


@pytest.fixture
def world(db) -> World:
    from partnership.models import OrganizationRole, Role

    from .factories import (
        IndicatorFactory,
        MembershipFactory,
        OrganizationFactory,
        OutcomeAreaFactory,
        PartnershipFactory,
        UserFactory,
    )

    p = PartnershipFactory(name="Riverside Cradle to Career", slug="riverside")
    other = PartnershipFactory(name="Hillcrest Promise", slug="hillcrest")
    backbone_org = OrganizationFactory(
        partnership=p, slug="backbone", name="Riverside Backbone", role=OrganizationRole.BACKBONE
    )
    partner_org = OrganizationFactory(partnership=p, slug="district", name="Riverside District")
    other_org = OrganizationFactory(partnership=p, slug="ymca", name="Riverside YMCA")
    funder_org = OrganizationFactory(
        partnership=p, slug="foundation", name="Community Foundation", role=OrganizationRole.FUNDER
    )
    other_backbone = OrganizationFactory(
        partnership=other,
        slug="hc-backbone",
        name="Hillcrest Backbone",
        role=OrganizationRole.BACKBONE,
    )
    users = {name: UserFactory(username=name) for name in ROLE_NAMES}
    users["superuser"].is_superuser = True
    users["superuser"].is_staff = True
    users["superuser"].save()
    MembershipFactory(
        user=users["backbone"], partnership=p, role=Role.BACKBONE, organization=backbone_org
    )
    MembershipFactory(
        user=users["steward"], partnership=p, role=Role.DATA_STEWARD, organization=partner_org
    )
    MembershipFactory(
        user=users["other_steward"], partnership=p, role=Role.DATA_STEWARD, organization=other_org
    )
    MembershipFactory(
        user=users["viewer"], partnership=p, role=Role.VIEWER, organization=partner_org
    )
    MembershipFactory(
        user=users["funder"], partnership=p, role=Role.FUNDER, organization=funder_org
    )
    MembershipFactory(
        user=users["outsider"], partnership=other, role=Role.BACKBONE, organization=other_backbone
    )
    area = OutcomeAreaFactory(
        partnership=p, slug="kindergarten-readiness", name="Kindergarten readiness", order=1
    )
    indicator = IndicatorFactory(
        partnership=p, outcome_area=area, code="k-ready", steward=partner_org
    )
    other_indicator = IndicatorFactory(
        partnership=p, outcome_area=area, code="summer-reading", steward=other_org
    )
    foreign_indicator = IndicatorFactory(
        partnership=other,
        outcome_area=OutcomeAreaFactory(partnership=other, slug="early-grade-reading", order=1),
        code="g3-reading",
        steward=other_backbone,
    )
    return World(
        partnership=p,
        other_partnership=other,
        backbone_org=backbone_org,
        partner_org=partner_org,
        other_org=other_org,
        funder_org=funder_org,
        users=users,
        indicator=indicator,
        other_indicator=other_indicator,
        foreign_indicator=foreign_indicator,
    )


@pytest.fixture
def client_as(client, world):
    """``client_as("viewer")`` returns the test client signed in as that world user."""

    def sign_in(name: str):
        client.logout()
        if name != "anonymous":
            client.force_login(world.users[name])
        return client

    return sign_in


@pytest.fixture
def api(world):
    """``api("viewer")`` is an API client acting as that world user. The API's
    throttles count requests in the cache: start each test with a clean count."""

    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()

    def as_user(name: str) -> Any:
        client = APIClient()
        if name != "anonymous":
            client.force_authenticate(world.users[name])
        return client

    return as_user
