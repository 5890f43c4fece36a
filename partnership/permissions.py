"""The one place that answers "may this user do this to that?".

Every view, API endpoint, task and management command asks here. Roles
(DOMAIN.md): ``backbone`` staff have full control of their partnership;
``data_steward`` members enter and submit data for the indicators their
organization stewards; ``viewer`` members read dashboards; ``funder`` members
read dashboards and reports. Superusers may do everything. Nobody may do
anything in a partnership they are not a member of, and for outsiders the
partnership does not exist (views answer 404, not 403).

Querysets ask here too: ``allowed_filter`` is the filter that keeps the objects
on which a user may do an action, so a list and ``can`` never disagree;
``can_somewhere`` and ``can_for_organization`` answer the same question for menus
and pages without a query. A few actions concern the whole site rather than one
partnership (``SITE_ACTIONS``): they take no target and belong to superusers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Organization, Partnership, Role


class Action(StrEnum):
    # Reading
    VIEW_PARTNERSHIP = "view_partnership"  # the partnership, its catalogue and dashboards
    VIEW_SMALL_CELLS = "view_small_cells"  # values below the minimum cell size, unsuppressed
    VIEW_UNAPPROVED_DATA = "view_unapproved_data"  # drafts, submissions, returns (per indicator)
    VIEW_HISTORY = "view_history"  # change history of data points (per indicator)
    VIEW_REPORTS = "view_reports"  # list and download progress reports
    # Writing partner data
    ENTER_DATA = "enter_data"  # create and edit drafts (per indicator)
    SUBMIT_DATA = "submit_data"  # send drafts for approval (per indicator)
    APPROVE_DATA = "approve_data"  # approve or return submissions
    LOCK_PERIOD = "lock_period"  # lock and unlock approved periods
    IMPORT_DATA = "import_data"  # upload files (each row is checked with ENTER_DATA)
    VIEW_ALL_IMPORTS = "view_all_imports"  # every member's imports, not only one's own
    REQUEST_DATA = "request_data"  # ask an organization for data
    # Running the partnership
    MANAGE_CATALOGUE = (
        "manage_catalogue"  # outcome areas, indicators, geographies, dimensions, organizations
    )
    MANAGE_MEMBERS = "manage_members"
    EDIT_AGENDA = "edit_agenda"
    CREATE_REPORT = "create_report"
    RECOMPUTE_TRENDS = "recompute_trends"
    MANAGE_SETTINGS = "manage_settings"  # minimum cell size, public report card
    # Action networks, their meetings (decisions, action items) and every organization's
    # activities.
    MANAGE_NETWORKS = "manage_networks"
    # Add, edit and remove an organization's activities (per organization): backbone
    # staff for any organization, a data steward for their own.
    EDIT_ACTIVITIES = "edit_activities"
    VIEW_FUNDING = "view_funding"  # funders' commitments and the investment summary
    MANAGE_FUNDING = "manage_funding"  # record and edit funding commitments
    # Record an organization's endorsement of the adopted common agenda: backbone staff
    # for any organization, stewards and funders for their own (``can_endorse_for``).
    ENDORSE_AGENDA = "endorse_agenda"
    # Theory of Action: edit the benchmarks and record assessments.
    ASSESS_THEORY_OF_ACTION = "assess_theory_of_action"
    # The whole site, no partnership: superusers only (target None).
    CREATE_PARTNERSHIP = "create_partnership"  # through the API
    USE_DJANGO_ADMIN = "use_django_admin"  # it shows every partnership's records


SITE_ACTIONS = frozenset({Action.CREATE_PARTNERSHIP, Action.USE_DJANGO_ADMIN})
_ALL = frozenset(Action) - SITE_ACTIONS  # everything in a partnership
_READ = frozenset({Action.VIEW_PARTNERSHIP})

# What each role may do anywhere in its partnership. Steward rights that depend
# on the object (its indicator's steward, or the organization it belongs to) are
# granted per object in ``_steward_may``.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.BACKBONE: _ALL,
    Role.DATA_STEWARD: _READ | {Action.IMPORT_DATA, Action.ENDORSE_AGENDA},
    Role.VIEWER: _READ,
    Role.FUNDER: _READ | {Action.VIEW_REPORTS, Action.VIEW_FUNDING, Action.ENDORSE_AGENDA},
}

_STEWARD_PER_INDICATOR = frozenset(
    {Action.ENTER_DATA, Action.SUBMIT_DATA, Action.VIEW_UNAPPROVED_DATA, Action.VIEW_HISTORY}
)
_STEWARD_PER_ORGANIZATION = frozenset({Action.EDIT_ACTIVITIES})
_STEWARD_PER_OBJECT = _STEWARD_PER_INDICATOR | _STEWARD_PER_ORGANIZATION

# Filters that keep every row and no row: an empty IN matches nothing, its negation
# everything, and Django leaves either out of the SQL it writes.
_EVERYTHING = ~Q(pk__in=[])
_NOTHING = Q(pk__in=[])

_CACHE_ATTR = "_ci_memberships"


def partnership_of(target: Any) -> Partnership:
    """The partnership a target belongs to: a Partnership, or any object with a
    ``partnership`` (directly, or through its indicator or dimension)."""
    if isinstance(target, Partnership):
        return target
    for attr in ("partnership", "indicator", "dimension"):
        if hasattr(target, attr):
            return partnership_of(getattr(target, attr))
    raise TypeError(f"Cannot tell which partnership {target!r} belongs to.")


def _memberships(user: Any) -> dict[int, Membership]:
    """The user's memberships by partnership id, read once per user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {m.partnership_id: m for m in Membership.objects.filter(user=user)}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def membership_in(user: Any, partnership: Partnership) -> Membership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return _memberships(user).get(partnership.pk)


def role_in(user: Any, partnership: Partnership) -> str | None:
    """The user's role in the partnership; superusers without a membership count
    as backbone staff."""
    membership = membership_in(user, partnership)
    if membership is not None:
        return membership.role
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return Role.BACKBONE
    return None


def _steward_organization_id(user: Any, partnership: Partnership) -> int | None:
    """The organization a data steward acts for; None for every other role."""
    membership = membership_in(user, partnership)
    if membership is None or membership.role != Role.DATA_STEWARD:
        return None
    return membership.organization_id


def _indicator_of(target: Any) -> Any | None:
    if hasattr(target, "steward_id") and hasattr(target, "code"):
        return target
    return getattr(target, "indicator", None)


def _organization_id_of(target: Any) -> int | None:
    """An organization's id, or that of the organization an object (an activity)
    belongs to."""
    if isinstance(target, Organization):
        return target.pk
    return getattr(target, "organization_id", None)


def _steward_may(membership: Membership, action: Action, target: Any) -> bool:
    """Per-object steward rights: data of the indicators their organization
    stewards, and their own organization's activities."""
    if action in _STEWARD_PER_ORGANIZATION:
        organization_id = _organization_id_of(target)
    else:
        indicator = _indicator_of(target)
        organization_id = None if indicator is None else indicator.steward_id
    return organization_id is not None and organization_id == membership.organization_id


def can(user: Any, action: Action | str, target: Any = None) -> bool:
    """May ``user`` do ``action`` on ``target`` (a partnership or an object in one;
    none for the site-wide actions)?"""
    action = Action(action)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if action in SITE_ACTIONS:
        return user.is_superuser
    partnership = partnership_of(target)
    if user.is_superuser:
        return True
    membership = membership_in(user, partnership)
    if membership is None:
        return False
    if action in ROLE_ACTIONS[membership.role]:
        return True
    if membership.role == Role.DATA_STEWARD and action in _STEWARD_PER_OBJECT:
        return _steward_may(membership, action, target)
    return False


def require(user: Any, action: Action | str, target: Any = None) -> None:
    """Raise if ``user`` may not do ``action``: 404 for outsiders (the partnership
    does not exist for them), 403 for members without the right (and for everyone
    but superusers on the site-wide actions)."""
    if can(user, action, target):
        return
    action = Action(action)
    if action not in SITE_ACTIONS and role_in(user, partnership_of(target)) is None:
        raise Http404("No such partnership.")
    raise PermissionDenied(f"Your role does not allow this ({action.value}).")


def role_can(role: str, action: Action | str) -> bool:
    """May every member with ``role`` do ``action`` across their partnership? For
    rules that concern a role rather than a person: a progress report hides what a
    funder may not see, whoever builds it."""
    return Action(action) in ROLE_ACTIONS[Role(role)]


def _own_organization_id(user: Any, action: Action, partnership: Partnership) -> int | None:
    """The organization whose objects a data steward may do ``action`` on, when the
    right is per object; None otherwise."""
    if action not in _STEWARD_PER_OBJECT:
        return None
    return _steward_organization_id(user, partnership)


def can_somewhere(user: Any, action: Action | str, partnership: Partnership) -> bool:
    """May ``user`` do ``action`` on at least some of the partnership's objects, as
    far as the role tells (no query)? Backbone staff may enter data anywhere; a data
    steward may enter data for their organization's indicators, even if it stewards
    none yet."""
    action = Action(action)
    if can(user, action, partnership):
        return True
    return _own_organization_id(user, action, partnership) is not None


def can_for_organization(user: Any, action: Action | str, organization: Organization) -> bool:
    """May ``user`` do ``action`` on everything of ``organization`` (the indicators
    it stewards for the data actions, itself for ``EDIT_ACTIVITIES``)? The answer
    ``allowed_filter`` gives for each of them, without a query."""
    action = Action(action)
    partnership = organization.partnership
    if can(user, action, partnership):
        return True
    own = _own_organization_id(user, action, partnership)
    return own is not None and own == organization.pk


def can_endorse_for(user: Any, organization: Organization) -> bool:
    """May ``user`` record ``organization``'s endorsement of the adopted common
    agenda? Those who edit the agenda (backbone staff), for any organization; the
    other members with ``ENDORSE_AGENDA`` (stewards and funders), for their own."""
    partnership = organization.partnership
    if can(user, Action.EDIT_AGENDA, partnership):
        return True
    if not can(user, Action.ENDORSE_AGENDA, partnership):
        return False
    membership = membership_in(user, partnership)
    return membership is not None and membership.organization_id == organization.pk


def can_commit_import(user: Any, job: Any) -> bool:
    """May ``user`` import the rows of this previewed import job? Only the person
    who uploaded it: not backbone staff, who may see everyone's imports, nor
    superusers. The browser and the API both ask here."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return job.user_id == user.pk


def allowed_filter(
    user: Any, action: Action | str, partnership: Partnership, *, organization: str
) -> Q:
    """The filter that keeps the partnership's objects on which ``user`` may do
    ``action``: all of them where the role allows it across the partnership, those
    of a data steward's own organization where the right is per object, none
    otherwise (anonymous and inactive users, outsiders, other roles).

    ``organization`` is the lookup from the queried model to the organization the
    per-object rule compares: the indicator's steward for the data actions
    (``"steward"`` on indicators, ``"indicator__steward"`` on data points), the
    organization itself for ``EDIT_ACTIVITIES`` (``"pk"`` on organizations,
    ``"organization"`` on activities). Scope the queryset to the partnership
    first: the filter keeps everything when the role allows it."""
    action = Action(action)
    if can(user, action, partnership):
        return _EVERYTHING
    organization_id = _own_organization_id(user, action, partnership)
    if organization_id is not None:
        return Q(**{organization: organization_id})
    return _NOTHING


def visible_partnerships(user: Any) -> QuerySet[Partnership]:
    """The partnerships a user may see: their memberships, or all for superusers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Partnership.objects.none()
    if user.is_superuser:
        return Partnership.objects.all()
    return Partnership.objects.filter(memberships__user=user)


def get_partnership_or_404(user: Any, slug: str) -> Partnership:
    """The partnership with this slug if the user may see it; 404 otherwise, so
    that outsiders cannot even learn that it exists."""
    try:
        return visible_partnerships(user).get(slug=slug)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership.") from None
