"""The permission module over the full matrix: every role, every action, own and
other organizations' indicators, and another partnership."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnership.permissions import (
    Action,
    can,
    get_partnership_or_404,
    require,
    role_in,
    visible_partnerships,
)

A = Action
READ = {A.VIEW_PARTNERSHIP}
STEWARD_OWN = {A.ENTER_DATA, A.SUBMIT_DATA, A.VIEW_UNAPPROVED_DATA, A.VIEW_HISTORY}

# What each role may do on the partnership itself.
ON_PARTNERSHIP = {
    "superuser": set(A),
    "backbone": set(A),
    "steward": READ | {A.IMPORT_DATA, A.ENDORSE_AGENDA},
    "other_steward": READ | {A.IMPORT_DATA, A.ENDORSE_AGENDA},
    "viewer": READ,
    "funder": READ | {A.VIEW_REPORTS, A.VIEW_FUNDING, A.ENDORSE_AGENDA},
    "outsider": set(),
}

# What each role may do on world.indicator (stewarded by partner_org, the
# steward's organization; other_steward belongs to other_org).
ON_OWN_INDICATOR = {
    **ON_PARTNERSHIP,
    "steward": READ | {A.IMPORT_DATA, A.ENDORSE_AGENDA} | STEWARD_OWN,
}


def _allowed(user, target):
    return {action for action in A if can(user, action, target)}


@pytest.mark.parametrize("role", list(ON_PARTNERSHIP))
def test_partnership_level_matrix(world, role):
    assert _allowed(world.users[role], world.partnership) == ON_PARTNERSHIP[role]


@pytest.mark.parametrize("role", list(ON_OWN_INDICATOR))
def test_indicator_level_matrix(world, role):
    assert _allowed(world.users[role], world.indicator) == ON_OWN_INDICATOR[role]


def test_steward_cannot_touch_another_organizations_indicator(world):
    assert _allowed(world.users["steward"], world.other_indicator) == READ | {
        A.IMPORT_DATA,
        A.ENDORSE_AGENDA,
    }
    assert STEWARD_OWN <= _allowed(world.users["other_steward"], world.other_indicator)


@pytest.mark.parametrize("role", [r for r in ON_PARTNERSHIP if r != "superuser"])
def test_nobody_reaches_another_partnership(world, role):
    # The outsider is backbone staff of the other partnership: full rights there,
    # and (above) none in riverside. Riverside's members have none there.
    expected = set(A) if role == "outsider" else set()
    assert _allowed(world.users[role], world.foreign_indicator) == expected
    assert _allowed(world.users[role], world.other_partnership) == expected


def test_object_in_a_partnership_resolves_through_its_indicator(world):
    from partnership.tests.factories import DataPointFactory

    point = DataPointFactory(indicator=world.indicator)
    assert can(world.users["steward"], A.ENTER_DATA, point)
    assert not can(world.users["other_steward"], A.ENTER_DATA, point)
    assert not can(world.users["outsider"], A.VIEW_PARTNERSHIP, point)


def test_anonymous_and_inactive_users_may_do_nothing(world):
    inactive = world.users["backbone"]
    inactive.is_active = False
    for action in A:
        assert not can(AnonymousUser(), action, world.partnership)
        assert not can(inactive, action, world.partnership)


def test_require_answers_404_to_outsiders_and_403_to_members(world):
    with pytest.raises(Http404):
        require(world.users["outsider"], A.VIEW_PARTNERSHIP, world.partnership)
    with pytest.raises(PermissionDenied):
        require(world.users["viewer"], A.APPROVE_DATA, world.partnership)
    require(world.users["backbone"], A.APPROVE_DATA, world.partnership)


def test_visible_partnerships_are_the_users_memberships(world):
    assert list(visible_partnerships(world.users["viewer"])) == [world.partnership]
    assert list(visible_partnerships(world.users["outsider"])) == [world.other_partnership]
    assert set(visible_partnerships(world.users["superuser"])) == {
        world.partnership,
        world.other_partnership,
    }
    assert not visible_partnerships(AnonymousUser()).exists()


def test_outsider_cannot_even_find_the_partnership(world):
    with pytest.raises(Http404):
        get_partnership_or_404(world.users["outsider"], "riverside")
    with pytest.raises(Http404):
        get_partnership_or_404(world.users["viewer"], "no-such-partnership")
    assert get_partnership_or_404(world.users["viewer"], "riverside") == world.partnership


def test_role_in_names_the_membership_role(world):
    assert role_in(world.users["funder"], world.partnership) == "funder"
    assert role_in(world.users["outsider"], world.partnership) is None
    assert role_in(world.users["superuser"], world.partnership) == "backbone"


def test_memberships_are_read_once_per_user(world, django_assert_num_queries):
    user = world.users["steward"]
    with django_assert_num_queries(1):
        for action in A:
            can(user, action, world.partnership)
            can(user, action, world.indicator)
