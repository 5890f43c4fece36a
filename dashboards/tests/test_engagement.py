"""Engagement (issue 5, item 9): expected and reported periods, on time, overdue
requests, per organization and for the partnership; the backbone page and its
permissions; a constant number of queries."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.engagement import (
    engagement_by_organization,
    expected_periods,
    latest_ended_period,
    partnership_engagement,
)
from indicators.models import DataPoint, DataRequest, DataRequestStatus, DataStatus
from partnership.tests.factories import (
    DataPointFactory,
    GeographyFactory,
    IndicatorFactory,
    OrganizationFactory,
    period,
)
from partnership.tests.world import ROLE_NAMES

TODAY = date(2023, 1, 15)  # the latest ended school year is 2021-22


def _entered(point: DataPoint, day: date) -> None:
    """Pretend the point was entered on ``day`` (created_at is set on insert)."""
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    DataPoint.objects.filter(pk=point.pk).update(created_at=moment)


def _request(world, indicator, label: str, due: date, organization=None, **extra) -> DataRequest:
    return DataRequest.objects.create(
        partnership=world.partnership,
        organization=organization or indicator.steward,
        indicator=indicator,
        period=period(label, indicator.period_kind),
        due_date=due,
        **extra,
    )


@pytest.fixture
def reported(world):
    """k-ready (steward: the district) has a baseline of 2019-20 and totals for
    2019-20 (on time), 2020-21 (late) and a 2021-22 draft; summer-reading (the YMCA)
    has no data at all."""
    indicator = world.indicator
    indicator.baseline_period = period("2019-20", "school_year")
    indicator.save(update_fields=["baseline_period"])
    early = DataPointFactory(indicator=indicator, period=period("2019-20", "school_year"))
    late = DataPointFactory(
        indicator=indicator, period=period("2020-21", "school_year"), status=DataStatus.SUBMITTED
    )
    draft = DataPointFactory(
        indicator=indicator, period=period("2021-22", "school_year"), status=DataStatus.DRAFT
    )
    # Before the baseline: neither expected nor counted.
    before = DataPointFactory(indicator=indicator, period=period("2018-19", "school_year"))
    _entered(before, date(2019, 8, 1))
    _entered(early, date(2020, 9, 1))  # period ended 2020-06-30: within 90 days
    _entered(late, date(2022, 1, 10))  # period ended 2021-06-30: 194 days later
    return {"early": early, "late": late, "draft": draft}


def _row(rows, org):
    return next(r for r in rows if r.organization == org)


def test_latest_ended_period_and_expected_periods():
    assert latest_ended_period("school_year", TODAY).label == "2021-22"
    assert latest_ended_period("quarter", TODAY).label == "2022-Q4"
    assert latest_ended_period("month", date(2023, 3, 1)).label == "2023-02"
    assert latest_ended_period("year", date(2023, 12, 31)).label == "2022"
    labels = [
        p.label
        for p in expected_periods(
            kind="quarter", baseline_start=date(2022, 4, 1), first_start=None, today=TODAY
        )
    ]
    assert labels == ["2022-Q2", "2022-Q3", "2022-Q4"]
    # Without a baseline, from the first period with data; with neither, the latest one.
    assert len(expected_periods(kind="year", baseline_start=None, first_start=date(2019, 1, 1),
                                today=TODAY)) == 4  # fmt: skip
    only = expected_periods(kind="year", baseline_start=None, first_start=None, today=TODAY)
    assert [p.label for p in only] == ["2022"]
    # A baseline that has not ended yet expects nothing.
    assert (
        expected_periods(
            kind="year", baseline_start=date(2023, 1, 1), first_start=None, today=TODAY
        )
        == []
    )


def test_reported_share_counts_delivered_totals_from_the_baseline(world, reported):
    rows = engagement_by_organization(world.partnership, today=TODAY)
    district = _row(rows, world.partner_org)
    assert district.indicators == 1
    assert district.expected == 3  # 2019-20, 2020-21, 2021-22, partnership-wide
    assert district.reported == 2  # the draft is not in yet; 2018-19 is before the baseline
    assert district.reported_share == pytest.approx(2 / 3)
    assert district.behind == ["k-ready"]  # nothing delivered for 2021-22
    assert district.last_reported_at.date() == date(2022, 1, 10)


def test_on_time_uses_the_grace_period_or_the_request_due_date(world, reported, settings):
    district = _row(engagement_by_organization(world.partnership, today=TODAY), world.partner_org)
    assert (district.on_time, district.on_time_share) == (1, 0.5)
    # A request for 2020-21 due after the late entry makes it on time.
    _request(
        world,
        world.indicator,
        "2020-21",
        date(2022, 1, 31),
        status=DataRequestStatus.FULFILLED,
        fulfilled_at=timezone.now(),
    )
    district = _row(engagement_by_organization(world.partnership, today=TODAY), world.partner_org)
    assert district.on_time == 2
    # A shorter grace period makes the 2019-20 entry late.
    settings.ENGAGEMENT_ON_TIME_DAYS = 30
    district = _row(engagement_by_organization(world.partnership, today=TODAY), world.partner_org)
    assert district.on_time == 1


def test_every_geography_it_reports_for_is_expected(world, reported):
    district = GeographyFactory(partnership=world.partnership, code="D1")
    DataPointFactory(
        indicator=world.indicator, period=period("2021-22", "school_year"), geography=district
    )
    row = _row(engagement_by_organization(world.partnership, today=TODAY), world.partner_org)
    assert row.expected == 6  # 3 periods x (partnership-wide, D1)
    assert row.reported == 3
    assert row.behind == []  # 2021-22 has a delivered total (for D1)


def test_an_indicator_without_data_expects_its_latest_period(world, reported):
    ymca = _row(engagement_by_organization(world.partnership, today=TODAY), world.other_org)
    assert (ymca.expected, ymca.reported, ymca.reported_share) == (1, 0, 0.0)
    assert ymca.on_time_share is None
    assert ymca.behind == ["summer-reading"]
    assert ymca.last_reported_at is None


def test_overdue_requests_count_for_the_organization_asked(world, reported):
    _request(world, world.indicator, "2021-22", date(2022, 12, 1))  # overdue, the district
    _request(world, world.indicator, "2021-22", date(2022, 12, 1), organization=world.funder_org)
    _request(world, world.other_indicator, "2021-22", date(2023, 2, 1))  # open, not overdue
    _request(
        world,
        world.other_indicator,
        "2020-21",
        date(2022, 12, 1),
        status=DataRequestStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )
    rows = engagement_by_organization(world.partnership, today=TODAY)
    assert (_row(rows, world.partner_org).overdue_requests, _row(rows, world.partner_org)
            .open_requests) == (1, 1)  # fmt: skip
    funder = _row(rows, world.funder_org)  # stewards nothing, but was asked
    assert (funder.indicators, funder.overdue_requests, funder.reported_share) == (0, 1, None)
    ymca = _row(rows, world.other_org)
    assert (ymca.open_requests, ymca.overdue_requests) == (1, 0)
    # The backbone organization stewards nothing and owes nothing: no row.
    assert world.backbone_org not in [r.organization for r in rows]
    # Least up to date first.
    assert rows[0].organization == world.other_org


def test_partnership_engagement_adds_every_indicator(world, reported):
    IndicatorFactory(partnership=world.partnership, code="unowned", steward=None)
    total = partnership_engagement(world.partnership, today=TODAY)
    assert total.indicators == 3
    assert total.expected == 3 + 1 + 1
    assert total.reported == 2
    assert sorted(total.behind) == ["k-ready", "summer-reading", "unowned"]


def test_other_partnerships_data_does_not_count(world, reported):
    DataPointFactory(indicator=world.foreign_indicator, period=period("2021-22", "school_year"))
    orgs = [r.organization for r in engagement_by_organization(world.partnership, today=TODAY)]
    assert all(o.partnership_id == world.partnership.pk for o in orgs)
    assert partnership_engagement(world.other_partnership, today=TODAY).reported == 1


def test_query_count_does_not_grow_with_the_data(world, reported, django_assert_num_queries):
    with django_assert_num_queries(5):
        engagement_by_organization(world.partnership, today=TODAY)
    for n in range(6):
        org = OrganizationFactory(partnership=world.partnership)
        indicator = IndicatorFactory(partnership=world.partnership, steward=org)
        geography = GeographyFactory(partnership=world.partnership)
        for label in ("2019-20", "2020-21"):
            DataPointFactory(indicator=indicator, period=period(label, "school_year"))
            DataPointFactory(
                indicator=indicator, period=period(label, "school_year"), geography=geography
            )
        _request(world, indicator, "2021-22", date(2022, 12, n + 1))
    with django_assert_num_queries(5):
        rows = engagement_by_organization(world.partnership, today=TODAY)
    assert len(rows) == 8
    with django_assert_num_queries(4):
        partnership_engagement(world.partnership, today=TODAY)


# --- the page ------------------------------------------------------------------

EXPECTED_STATUS = {
    "superuser": 200,
    "backbone": 200,
    "steward": 403,
    "other_steward": 403,
    "viewer": 403,
    "funder": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_engagement_page_is_for_backbone_staff(client_as, world, reported, role):
    response = client_as(role).get(reverse("engagement", args=[world.partnership.slug]))
    assert response.status_code == EXPECTED_STATUS[role]
    if response.status_code == 200:
        body = response.content.decode()
        assert "Riverside District" in body
        assert reverse("data_request_create", args=[world.partnership.slug]) in body
    else:
        assert b"Riverside District" not in response.content


def test_engagement_page_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(reverse("engagement", args=[world.partnership.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_engagement_page_shows_the_figures(client_as, world, reported):
    _request(world, world.indicator, "2021-22", timezone.localdate() - timezone.timedelta(days=3))
    body = client_as("backbone").get(reverse("engagement", args=["riverside"])).content.decode()
    assert "Riverside YMCA" in body
    assert "summer-reading" in body  # behind on its latest period
    assert "1 overdue" in body
    assert f"?organization={world.partner_org.slug}" in body


def test_engagement_link_in_the_navigation_for_backbone_only(client_as, world):
    url = reverse("engagement", args=["riverside"])
    overview = reverse("partnership_overview", args=["riverside"])
    assert url in client_as("backbone").get(overview).content.decode()
    assert url not in client_as("viewer").get(overview).content.decode()


def test_engagement_summary_include_renders(world, reported):
    from django.template.loader import render_to_string

    html = render_to_string(
        "dashboards/_engagement_summary.html",
        {
            "partnership": world.partnership,
            "engagement": partnership_engagement(world.partnership, today=TODAY),
        },
    )
    assert "50%" in html and "(2 of 4)" in html
    assert reverse("engagement", args=["riverside"]) in html  # the page's own copy has none
