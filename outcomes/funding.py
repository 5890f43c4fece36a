"""Funders' commitments and the summary of investment by outcome area and by year.

Who sees funding: backbone staff and funders read every commitment of the
partnership (``VIEW_FUNDING``); data stewards and viewers do not (their pages answer
403), since what each funder gives is between the funders and the backbone. Only
backbone staff record and edit commitments (``MANAGE_FUNDING``).

A commitment funds exactly one purpose: backbone operations, an action network or an
outcome area (a database constraint holds it). In the summary, a commitment to an
action network counts toward the network's outcome area; backbone operations have
their own row. **A multi-year commitment is spread evenly over its years**, first and
last inclusive: each year gets the amount divided by the number of years, rounded
down to the cent, and the cents left over go one each to the earliest years, so the
years always add up to the amount exactly (100.00 over 3 years: 33.34, 33.33, 33.33).
Amounts in different currencies are never added: there is one summary per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from partnership.models import OrganizationRole, Partnership
from partnership.permissions import Action, can

from .history import versioned_create, versioned_delete, versioned_update
from .models import ChangeSubject, FundingCommitment, FundingPurpose, OutcomeArea

FUNDING_FIELDS = (
    "funder",
    "amount",
    "currency",
    "start_year",
    "end_year",
    "purpose",
    "network",
    "outcome_area",
    "note",
)
CENT = Decimal("0.01")
BACKBONE_ROW = "Backbone operations"


def spread_evenly(amount: Decimal, start_year: int, end_year: int) -> dict[int, Decimal]:
    """``amount`` over the years ``start_year``..``end_year`` (inclusive), in cents,
    remainder cents to the earliest years; the values add up to ``amount``."""
    if end_year < start_year:
        raise ValueError("end_year is before start_year")
    years = list(range(start_year, end_year + 1))
    cents = int((amount / CENT).to_integral_value())
    share, remainder = divmod(cents, len(years))
    return {year: (share + (1 if i < remainder else 0)) * CENT for i, year in enumerate(years)}


# --- services --------------------------------------------------------------------


def _require_manage(user: Any, partnership: Partnership) -> None:
    if not can(user, Action.MANAGE_FUNDING, partnership):
        raise PermissionDenied("Only backbone staff may record or edit funding commitments.")


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Keep only the target the purpose calls for; check the funder's role."""
    values = dict(values)
    purpose = values.get("purpose")
    errors: dict[str, str] = {}
    if purpose != FundingPurpose.NETWORK:
        values["network"] = None
    elif values.get("network") is None:
        errors["network"] = "Choose the action network this commitment funds."
    if purpose != FundingPurpose.OUTCOME_AREA:
        values["outcome_area"] = None
    elif values.get("outcome_area") is None:
        errors["outcome_area"] = "Choose the outcome area this commitment funds."
    funder = values.get("funder")
    if funder is not None and funder.role != OrganizationRole.FUNDER:
        errors["funder"] = (
            f"{funder.name} is not a funder of the partnership; choose a funder, or give "
            "the organization the funder role first."
        )
    if values.get("currency"):
        values["currency"] = values["currency"].strip().upper()
    if errors:
        raise ValidationError(errors)
    return values


def funding_create(
    *, user: Any, partnership: Partnership, values: dict[str, Any]
) -> FundingCommitment:
    _require_manage(user, partnership)
    return versioned_create(
        model=FundingCommitment,
        partnership=partnership,
        subject=ChangeSubject.FUNDING,
        user=user,
        values=_clean_values(values),
        fields=FUNDING_FIELDS,
        extra={"partnership": partnership},
    )


def funding_update(
    *,
    user: Any,
    commitment: FundingCommitment,
    expected_version: int | None,
    values: dict[str, Any],
) -> FundingCommitment:
    _require_manage(user, commitment.partnership)
    return versioned_update(
        obj=commitment,
        partnership=commitment.partnership,
        subject=ChangeSubject.FUNDING,
        user=user,
        values=_clean_values(values),
        fields=FUNDING_FIELDS,
        expected_version=expected_version,
    )


def funding_delete(
    *, user: Any, commitment: FundingCommitment, expected_version: int | None
) -> None:
    """Remove a wrongly entered commitment (backbone staff), keeping its last values in
    history."""
    _require_manage(user, commitment.partnership)
    versioned_delete(
        obj=commitment,
        partnership=commitment.partnership,
        subject=ChangeSubject.FUNDING,
        user=user,
        fields=FUNDING_FIELDS,
        expected_version=expected_version,
    )


# --- selectors -------------------------------------------------------------------


def funding_list(*, partnership: Partnership) -> list[FundingCommitment]:
    return list(
        FundingCommitment.objects.filter(partnership=partnership)
        .select_related("funder", "network", "network__outcome_area", "outcome_area")
        .order_by("start_year", "funder__name", "id")
    )


@dataclass
class InvestmentRow:
    label: str
    outcome_area: OutcomeArea | None  # None for backbone operations
    by_year: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), Decimal("0"))

    # by_year in the summary's year order, zeros included (for the table)
    amounts: list[Decimal] = field(default_factory=list)


@dataclass
class InvestmentSummary:
    currency: str
    years: list[int]
    rows: list[InvestmentRow]

    @property
    def totals_by_year(self) -> list[Decimal]:
        return [
            sum((r.by_year.get(y, Decimal("0")) for r in self.rows), Decimal("0"))
            for y in self.years
        ]

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), Decimal("0"))


def _row_for(commitment: FundingCommitment) -> OutcomeArea | None:
    if commitment.purpose == FundingPurpose.NETWORK:
        return commitment.network.outcome_area
    if commitment.purpose == FundingPurpose.OUTCOME_AREA:
        return commitment.outcome_area
    return None


def investment_summary(
    *, partnership: Partnership, commitments: list[FundingCommitment] | None = None
) -> list[InvestmentSummary]:
    """One summary per currency: backbone operations and every outcome area (in
    continuum order, funded or not) by year, each commitment spread evenly."""
    if commitments is None:
        commitments = funding_list(partnership=partnership)
    areas = list(partnership.outcome_areas.order_by("order"))
    by_currency: dict[str, dict[int | None, dict[int, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal))
    )
    for commitment in commitments:
        area = _row_for(commitment)
        cells = by_currency[commitment.currency][area.pk if area else None]
        spread = spread_evenly(commitment.amount, commitment.start_year, commitment.end_year)
        for year, amount in spread.items():
            cells[year] += amount
    summaries = []
    for currency in sorted(by_currency):
        cells = by_currency[currency]
        years = sorted({year for per_row in cells.values() for year in per_row})
        rows = [InvestmentRow(BACKBONE_ROW, None, dict(cells.get(None, {})))]
        rows += [InvestmentRow(a.name, a, dict(cells.get(a.pk, {}))) for a in areas]
        for row in rows:
            row.amounts = [row.by_year.get(year, Decimal("0")) for year in years]
        summaries.append(InvestmentSummary(currency, years, rows))
    return summaries
