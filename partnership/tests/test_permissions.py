"""The permission module over the full matrix: every role (and the people with no
role: a member of another partnership, a user with no membership, anonymous and
inactive users), every action, on the partnership, on own and other organizations'
indicators and activities, in another partnership, and on the whole site; and the
queryset filters that must agree with ``can`` on every object."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnership.models import Role
from partnership.permissions import (
    SITE_ACTIONS,
    Action,
    allowed_filter,
    can,
    can_commit_import,
    can_endorse_for,
    can_for_organization,
    can_somewhere,
    get_partnership_or_404,
    require,
    role_can,
    role_in,
    visible_partnerships,
)
from partnership.tests.factories import MembershipFactory, UserFactory

A = Action
SITE = {A.CREATE_PARTNERSHIP, A.USE_DJANGO_ADMIN}
IN_PARTNERSHIP = set(A) - SITE
READ = {A.VIEW_PARTNERSHIP}
STEWARD = READ | {A.IMPORT_DATA, A.ENDORSE_AGENDA}
FUNDER = READ | {A.VIEW_REPORTS, A.VIEW_FUNDING, A.ENDORSE_AGENDA}
STEWARD_OWN = {A.ENTER_DATA, A.SUBMIT_DATA, A.VIEW_UNAPPROVED_DATA, A.VIEW_HISTORY}
STEWARD_OWN_ORGANIZATION = {A.EDIT_ACTIVITIES}

# Everyone the matrix tries. "outsider" is backbone staff of the other partnership;
# "inactive" is a deactivated superuser who is also riverside's backbone staff.
PEOPLE = (
    "superuser",
    "backbone",
    "steward",
    "other_steward",
    "viewer",
    "funder",
    "outsider",
    "non_member",
    "anonymous",
    "inactive",
)
NOBODY = {"outsider": set(), "non_member": set(), "anonymous": set(), "inactive": set()}

# What each person may do on the partnership itself.
ON_PARTNERSHIP = {
    "superuser": IN_PARTNERSHIP,
    "backbone": IN_PARTNERSHIP,
    "steward": STEWARD,
    "other_steward": STEWARD,
    "viewer": READ,
    "funder": FUNDER,
    **NOBODY,
}
# On world.indicator (stewarded by partner_org, the steward's organization; the
# viewer belongs to it too) and on one of its data points.
ON_OWN_INDICATOR = {**ON_PARTNERSHIP, "steward": STEWARD | STEWARD_OWN}
# On world.other_indicator (stewarded by other_org, other_steward's organization).
ON_OTHER_INDICATOR = {**ON_PARTNERSHIP, "other_steward": STEWARD | STEWARD_OWN}
# On partner_org and on one of its activities.
ON_OWN_ORGANIZATION = {**ON_PARTNERSHIP, "steward": STEWARD | STEWARD_OWN_ORGANIZATION}
# On other_org.
ON_OTHER_ORGANIZATION = {**ON_PARTNERSHIP, "other_steward": STEWARD | STEWARD_OWN_ORGANIZATION}
# On the other partnership and its indicator: only its own backbone staff, and superusers.
ON_FOREIGN = {
    **{name: set() for name in PEOPLE},
    "superuser": IN_PARTNERSHIP,
    "outsider": IN_PARTNERSHIP,
}

MATRICES = {
    "partnership": ON_PARTNERSHIP,
    "own_indicator": ON_OWN_INDICATOR,
    "own_data_point": ON_OWN_INDICATOR,
    "other_indicator": ON_OTHER_INDICATOR,
    "own_organization": ON_OWN_ORGANIZATION,
    "own_activity": ON_OWN_ORGANIZATION,
    "other_organization": ON_OTHER_ORGANIZATION,
    "foreign_partnership": ON_FOREIGN,
    "foreign_indicator": ON_FOREIGN,
}


@pytest.fixture
def people(world) -> dict:
    users = dict(world.users)
    users["non_member"] = UserFactory(username="non-member")
    users["anonymous"] = AnonymousUser()
    inactive = UserFactory(username="inactive", is_active=False, is_superuser=True, is_staff=True)
    MembershipFactory(
        user=inactive,
        partnership=world.partnership,
        role=Role.BACKBONE,
        organization=world.backbone_org,
    )
    users["inactive"] = inactive
    return users


@pytest.fixture
def targets(world) -> dict:
    from outcomes.tests.factories import ActivityFactory
    from partnership.tests.factories import DataPointFactory

    return {
        "partnership": world.partnership,
        "own_indicator": world.indicator,
        "own_data_point": DataPointFactory(indicator=world.indicator),
        "other_indicator": world.other_indicator,
        "own_organization": world.partner_org,
        "own_activity": ActivityFactory(
            partnership=world.partnership, organization=world.partner_org
        ),
        "other_organization": world.other_org,
        "foreign_partnership": world.other_partnership,
        "foreign_indicator": world.foreign_indicator,
    }


def _allowed(user, target):
    return {action for action in IN_PARTNERSHIP if can(user, action, target)}


def test_the_matrix_names_every_person():
    for matrix in MATRICES.values():
        assert set(matrix) == set(PEOPLE)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("target", list(MATRICES))
def test_matrix(people, targets, target, person):
    assert _allowed(people[person], targets[target]) == MATRICES[target][person]


@pytest.mark.parametrize("person", PEOPLE)
def test_site_wide_actions_are_for_active_superusers_only(world, people, person):
    user = people[person]
    expected = SITE if person == "superuser" else set()
    assert {a for a in SITE if can(user, a)} == expected
    # Rights in a partnership do not reach the site: not even backbone staff
    # naming their own partnership.
    assert {a for a in SITE if can(user, a, world.partnership)} == expected


def test_site_actions_are_the_ones_without_a_partnership():
    assert SITE_ACTIONS == SITE


@pytest.mark.parametrize("person", ["backbone", "outsider", "non_member", "anonymous"])
def test_require_answers_403_on_site_actions(people, person):
    # There is no partnership to hide, so nobody gets a 404.
    for action in SITE:
        with pytest.raises(PermissionDenied):
            require(people[person], action)


def test_superusers_pass_site_actions(people):
    for action in SITE:
        require(people["superuser"], action)


def test_steward_rights_follow_the_object_not_the_role_alone(world, targets):
    # Per-indicator rights need an indicator, per-organization rights an organization.
    steward = world.users["steward"]
    assert not can(steward, A.ENTER_DATA, world.partner_org)
    assert not can(steward, A.EDIT_ACTIVITIES, world.indicator)
    assert not can(steward, A.EDIT_ACTIVITIES, world.partnership)
    assert not can(steward, A.ENTER_DATA, world.partnership)
    assert can(steward, A.EDIT_ACTIVITIES, targets["own_activity"])


# --- the queryset filters agree with can() on every object -------------------------


def _kept(queryset, user, action, partnership, organization):
    return set(
        queryset.filter(allowed_filter(user, action, partnership, organization=organization))
    )


def _agrees(queryset, user, action, partnership, organization):
    expected = {obj for obj in queryset if can(user, action, obj)}
    assert _kept(queryset, user, action, partnership, organization) == expected, action


@pytest.mark.parametrize("person", PEOPLE)
def test_filter_on_indicators_and_data_points_agrees_with_can(world, people, person):
    from indicators.models import DataPoint, Indicator
    from partnership.tests.factories import DataPointFactory

    for indicator in (world.indicator, world.other_indicator, world.foreign_indicator):
        DataPointFactory(indicator=indicator)
    p = world.partnership
    indicators = Indicator.objects.filter(partnership=p)
    points = DataPoint.objects.filter(indicator__partnership=p)
    for action in IN_PARTNERSHIP - STEWARD_OWN_ORGANIZATION:
        _agrees(indicators, people[person], action, p, "steward")
        _agrees(points, people[person], action, p, "indicator__steward")


@pytest.mark.parametrize("person", PEOPLE)
def test_filter_on_organizations_and_activities_agrees_with_can(world, people, person, targets):
    from outcomes.models import Activity

    p = world.partnership
    organizations = p.organizations.all()
    activities = Activity.objects.filter(partnership=p)
    for action in IN_PARTNERSHIP - STEWARD_OWN:
        _agrees(organizations, people[person], action, p, "pk")
        _agrees(activities, people[person], action, p, "organization")


def test_filter_keeps_the_stewards_own_and_nothing_for_readers(world):
    from indicators.models import Indicator

    p = world.partnership
    indicators = Indicator.objects.filter(partnership=p)
    view = A.VIEW_UNAPPROVED_DATA
    assert _kept(indicators, world.users["steward"], view, p, "steward") == {world.indicator}
    assert _kept(indicators, world.users["viewer"], view, p, "steward") == set()
    assert _kept(indicators, world.users["backbone"], view, p, "steward") == {
        world.indicator,
        world.other_indicator,
    }
    edit = A.EDIT_ACTIVITIES
    assert _kept(p.organizations.all(), world.users["other_steward"], edit, p, "pk") == {
        world.other_org
    }


# --- the answers without a query agree with the filters ----------------------------

# What each person may do somewhere in the partnership: on the partnership itself,
# and a steward on their own organization's objects.
SOMEWHERE = {
    **ON_PARTNERSHIP,
    "steward": STEWARD | STEWARD_OWN | STEWARD_OWN_ORGANIZATION,
    "other_steward": STEWARD | STEWARD_OWN | STEWARD_OWN_ORGANIZATION,
}


@pytest.mark.parametrize("person", PEOPLE)
def test_can_somewhere(world, people, person):
    user = people[person]
    assert {a for a in IN_PARTNERSHIP if can_somewhere(user, a, world.partnership)} == (
        SOMEWHERE[person]
    )
    foreign = {a for a in IN_PARTNERSHIP if can_somewhere(user, a, world.other_partnership)}
    assert foreign == ON_FOREIGN[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_can_somewhere_agrees_with_the_filters(world, people, person):
    # Somewhere means: the filter keeps an indicator (every steward's organization
    # stewards one here) or an organization.
    from indicators.models import Indicator

    user, p = people[person], world.partnership
    indicators = Indicator.objects.filter(partnership=p)
    for action in IN_PARTNERSHIP:
        kept = _kept(indicators, user, action, p, "steward") | _kept(
            p.organizations.all(), user, action, p, "pk"
        )
        assert can_somewhere(user, action, p) == bool(kept), action


@pytest.mark.parametrize("person", PEOPLE)
def test_can_for_organization_agrees_with_the_filter(world, people, person):
    user, p = people[person], world.partnership
    organizations = p.organizations.all()
    for action in IN_PARTNERSHIP:
        kept = _kept(organizations, user, action, p, "pk")
        assert {o for o in organizations if can_for_organization(user, action, o)} == kept, action


def test_can_for_organization_gives_stewards_their_own_organizations_data(world):
    view = A.VIEW_UNAPPROVED_DATA
    steward, viewer = world.users["steward"], world.users["viewer"]
    assert can_for_organization(steward, view, world.partner_org)
    assert not can_for_organization(steward, view, world.other_org)
    # The viewer belongs to the same organization but has no steward rights.
    assert not can_for_organization(viewer, view, world.partner_org)
    assert can_for_organization(world.users["backbone"], view, world.other_org)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.BACKBONE, IN_PARTNERSHIP),
        (Role.DATA_STEWARD, STEWARD),
        (Role.VIEWER, READ),
        (Role.FUNDER, FUNDER),
    ],
)
def test_role_can_names_what_every_member_with_the_role_may_do(role, expected):
    assert {a for a in A if role_can(role, a)} == expected
    # Site-wide actions belong to no role, and funders see small cells suppressed.
    assert not role_can(role, A.USE_DJANGO_ADMIN)
    assert role_can(role, A.VIEW_SMALL_CELLS) == (role == Role.BACKBONE)


# The organizations whose endorsement each person may record.
ENDORSES_FOR = {
    "superuser": {"backbone_org", "partner_org", "other_org", "funder_org", "foreign"},
    "backbone": {"backbone_org", "partner_org", "other_org", "funder_org"},
    "steward": {"partner_org"},
    "other_steward": {"other_org"},
    "viewer": set(),  # belongs to partner_org, but viewers do not endorse
    "funder": {"funder_org"},
    "outsider": {"foreign"},
    "non_member": set(),
    "anonymous": set(),
    "inactive": set(),
}


@pytest.mark.parametrize("person", PEOPLE)
def test_can_endorse_for(world, people, person):
    organizations = {
        "backbone_org": world.backbone_org,
        "partner_org": world.partner_org,
        "other_org": world.other_org,
        "funder_org": world.funder_org,
        "foreign": world.other_partnership.organizations.get(),
    }
    allowed = {name for name, o in organizations.items() if can_endorse_for(people[person], o)}
    assert allowed == ENDORSES_FOR[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_uploader_may_commit_an_import(world, people, person):
    from indicators.models import ImportJob

    job = ImportJob.objects.create(
        partnership=world.partnership, user=world.users["steward"], filename="x.csv", file="x"
    )
    # Not backbone staff, who see every import, nor superusers.
    assert can_commit_import(people[person], job) == (person == "steward")


# --- the rest of the module --------------------------------------------------------


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
    with pytest.raises(PermissionDenied):
        require(world.users["steward"], A.EDIT_ACTIVITIES, world.other_org)
    require(world.users["backbone"], A.APPROVE_DATA, world.partnership)
    require(world.users["steward"], A.EDIT_ACTIVITIES, world.partner_org)


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
            can(user, action, world.partner_org)
            can_somewhere(user, action, world.partnership)
            can_for_organization(user, action, world.partner_org)
        can_endorse_for(user, world.other_org)
