"""Reads about partnerships, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from indicators.models import Indicator
from outcomes.models import OutcomeArea

from .models import Organization, Partnership, Role
from .permissions import role_in, visible_partnerships


def _count_of(model: Any) -> Subquery:
    """How many rows of ``model`` belong to the outer partnership, as a subquery
    (so several counts do not multiply each other's joins)."""
    return Coalesce(
        Subquery(
            model.objects.filter(partnership=OuterRef("pk"))
            .order_by()
            .values("partnership")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


@dataclass(frozen=True)
class PartnershipSummary:
    partnership: Partnership
    role: str
    role_label: str
    indicator_count: int
    organization_count: int
    outcome_area_count: int


def partnership_list_for_user(*, user: Any) -> list[PartnershipSummary]:
    """The user's partnerships with their role and the size of each, in three queries."""
    partnerships = visible_partnerships(user).annotate(
        indicator_count=_count_of(Indicator),
        organization_count=_count_of(Organization),
        outcome_area_count=_count_of(OutcomeArea),
    )
    summaries = []
    for p in partnerships.order_by("name"):
        role = role_in(user, p) or Role.BACKBONE
        summaries.append(
            PartnershipSummary(
                partnership=p,
                role=role,
                role_label=Role(role).label,
                indicator_count=p.indicator_count,
                organization_count=p.organization_count,
                outcome_area_count=p.outcome_area_count,
            )
        )
    return summaries


def organization_list(*, partnership: Partnership) -> list[Organization]:
    """The partnership's organizations with how many indicators each stewards."""
    return list(
        partnership.organizations.annotate(
            stewarded=Count("stewarded_indicators", distinct=True),
            members=Count("memberships", distinct=True),
        ).order_by("role", "name")
    )
