"""Funding: who sees and edits it, the purpose/target rule in forms and in the
database, and the arithmetic of the investment summary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from outcomes.funding import BACKBONE_ROW, investment_summary, spread_evenly
from outcomes.models import ChangeSubject, FundingCommitment, FundingPurpose, OutcomeChange
from partnership.tests.world import ROLE_NAMES

from .factories import FundingCommitmentFactory

READERS = ("superuser", "backbone", "funder")
BACKBONE = ("superuser", "backbone")


def _expected(role: str, allowed: tuple[str, ...]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_funding_pages_for_every_role(client_as, ow, role):
    client = client_as(role)
    pk = ow.commitment.pk
    assert client.get("/p/riverside/funding/").status_code == _expected(role, READERS)
    assert client.get("/p/riverside/funding/new/").status_code == _expected(role, BACKBONE)
    assert client.get(f"/p/riverside/funding/{pk}/edit/").status_code == _expected(role, BACKBONE)


def test_another_partnerships_commitment_is_not_found(client_as, ow):
    client = client_as("backbone")
    assert client.get(f"/p/riverside/funding/{ow.foreign_commitment.pk}/edit/").status_code == 404


def test_funding_link_in_the_menu_only_for_readers(client_as, ow):
    assert "/p/riverside/funding/" in client_as("funder").get("/p/riverside/").content.decode()
    assert "/p/riverside/funding/" not in client_as("viewer").get("/p/riverside/").content.decode()
    html = client_as("steward").get("/p/riverside/").content.decode()
    assert "/p/riverside/funding/" not in html and "/p/riverside/networks/" in html


def _form(ow, **overrides):
    data = {
        "funder": ow.funder_org.pk,
        "amount": "100.00",
        "currency": "usd",
        "start_year": "2025",
        "end_year": "2027",
        "purpose": "outcome_area",
        "network": "",
        "outcome_area": ow.indicator.outcome_area_id,
        "note": "",
        "version": "",
    }
    data.update(overrides)
    return data


def test_backbone_records_a_commitment(client_as, ow):
    response = client_as("backbone").post("/p/riverside/funding/new/", _form(ow))
    assert response.status_code == 302
    commitment = FundingCommitment.objects.get(amount=Decimal("100.00"))
    assert commitment.currency == "USD" and commitment.network is None
    assert OutcomeChange.objects.filter(
        subject=ChangeSubject.FUNDING, object_id=commitment.pk, action="created"
    ).exists()


def test_a_target_the_purpose_does_not_call_for_is_dropped(client_as, ow):
    data = _form(ow, purpose="backbone", network=ow.network.pk)
    assert client_as("backbone").post("/p/riverside/funding/new/", data).status_code == 302
    commitment = FundingCommitment.objects.get(amount=Decimal("100.00"))
    assert commitment.network is None and commitment.outcome_area is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "0"}, "amount", "greater than or equal to 0.01"),
        ({"amount": "12.345"}, "amount", "2 decimal places"),
        ({"amount": "lots"}, "amount", "number"),
        ({"currency": "US"}, "currency", "three-letter"),
        ({"end_year": "2024"}, "end_year", "before the first year"),
        ({"start_year": "1850"}, "start_year", "greater than or equal to 1900"),
        ({"purpose": "network"}, "network", "Choose the action network"),
        ({"outcome_area": ""}, "outcome_area", "Choose the outcome area"),
        ({"purpose": "salaries"}, "purpose", "valid choice"),
        ({"funder": "PARTNER"}, "funder", "valid choice"),
    ],
)
def test_bad_input_is_explained(client_as, ow, overrides, field, message):
    if overrides.get("funder") == "PARTNER":
        overrides = {"funder": ow.partner_org.pk}  # not a funder
    response = client_as("backbone").post("/p/riverside/funding/new/", _form(ow, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


@pytest.mark.parametrize(
    ("purpose", "network", "area"),
    [
        (FundingPurpose.BACKBONE, True, False),
        (FundingPurpose.NETWORK, False, False),
        (FundingPurpose.NETWORK, True, True),
        (FundingPurpose.OUTCOME_AREA, False, False),
    ],
)
def test_database_holds_exactly_one_target_for_the_purpose(ow, purpose, network, area):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingCommitment.objects.create(
            partnership=ow.partnership,
            funder=ow.funder_org,
            amount=Decimal("10"),
            start_year=2025,
            end_year=2025,
            purpose=purpose,
            network=ow.network if network else None,
            outcome_area=ow.indicator.outcome_area if area else None,
        )


def test_stale_edit_is_refused(client_as, ow):
    client = client_as("backbone")
    url = f"/p/riverside/funding/{ow.commitment.pk}/edit/"
    data = _form(ow, purpose="network", network=ow.network.pk, amount="300000.00", version=1)
    assert client.post(url, {**data, "note": "Renewed"}).status_code == 302
    assert client.post(url, {**data, "note": "Old page"}).status_code == 409
    ow.commitment.refresh_from_db()
    assert ow.commitment.note == "Renewed"
    page = client.get(url)
    assert [c.new for c in page.context["history"]] == [{"note": "Renewed"}]
    assert "Renewed" in page.content.decode()


def test_spread_evenly_examples():
    assert spread_evenly(Decimal("100.00"), 2025, 2027) == {
        2025: Decimal("33.34"),
        2026: Decimal("33.33"),
        2027: Decimal("33.33"),
    }
    assert spread_evenly(Decimal("0.02"), 2025, 2027) == {
        2025: Decimal("0.01"),
        2026: Decimal("0.01"),
        2027: Decimal("0"),
    }
    assert spread_evenly(Decimal("5000"), 2026, 2026) == {2026: Decimal("5000.00")}


@given(
    cents=st.integers(min_value=1, max_value=10**12),
    start=st.integers(min_value=1990, max_value=2100),
    years=st.integers(min_value=1, max_value=12),
)
def test_spread_adds_up_and_is_even(cents, start, years):
    amount = Decimal(cents) / 100
    spread = spread_evenly(amount, start, start + years - 1)
    assert list(spread) == list(range(start, start + years))
    assert sum(spread.values()) == amount
    assert max(spread.values()) - min(spread.values()) <= Decimal("0.01")


def test_investment_summary_by_area_and_year(ow):
    area = ow.indicator.outcome_area  # the network's area too
    FundingCommitmentFactory(
        partnership=ow.partnership,
        funder=ow.funder_org,
        amount=Decimal("50000.00"),
        start_year=2026,
        end_year=2026,
        purpose=FundingPurpose.BACKBONE,
    )
    FundingCommitmentFactory(
        partnership=ow.partnership,
        funder=ow.funder_org,
        amount=Decimal("1000.00"),
        currency="EUR",
        start_year=2025,
        end_year=2026,
        purpose=FundingPurpose.OUTCOME_AREA,
        outcome_area=area,
    )
    eur, usd = investment_summary(partnership=ow.partnership)
    assert (eur.currency, usd.currency) == ("EUR", "USD")
    assert usd.years == [2025, 2026, 2027]
    rows = {row.label: row for row in usd.rows}
    assert rows[BACKBONE_ROW].amounts == [Decimal("0"), Decimal("50000.00"), Decimal("0")]
    # 300,000 over three years to the network counts toward its outcome area.
    assert rows[area.name].amounts == [Decimal("100000.00")] * 3
    assert usd.totals_by_year == [Decimal("100000.00"), Decimal("150000.00"), Decimal("100000.00")]
    assert usd.total == Decimal("350000.00")
    assert eur.total == Decimal("1000.00") and eur.years == [2025, 2026]
    # Hillcrest's 90,000 USD is not in Riverside's total (350,000 above).


def test_funding_page_shows_the_summary_and_the_rule(client_as, ow):
    html = client_as("funder").get("/p/riverside/funding/").content.decode()
    assert "spread evenly over its years" in html
    assert "100,000.00" in html and "300,000.00" in html
    assert "Record a commitment" not in html  # funders read only
