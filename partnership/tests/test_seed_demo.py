"""seed_demo builds the promised demo, and running it again changes nothing.

The demo is loaded once for the module (twice, to compare) inside a transaction
that is rolled back at the end, so the other test modules never see it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Q

from indicators.models import (
    Aggregation,
    ChangeAction,
    DataPoint,
    DataPointChange,
    DataStatus,
    Direction,
    Frequency,
    Geography,
    Indicator,
    IndicatorKind,
    Unit,
)
from partnership.demo import DEMO_PASSWORD, LOADED_COMMENT
from partnership.models import Membership, Organization, OrganizationRole, Partnership, Role
from partnership.permissions import visible_partnerships

AREAS = [
    "kindergarten-readiness",
    "early-grade-reading",
    "middle-grade-math",
    "high-school-graduation",
    "postsecondary-enrollment",
    "postsecondary-completion",
    "employment",
]


def _counts() -> dict[str, Any]:
    return {
        "partnerships": Partnership.objects.count(),
        "organizations": Organization.objects.count(),
        "indicators": Indicator.objects.count(),
        "geographies": Geography.objects.count(),
        "points": DataPoint.objects.count(),
        "changes": DataPointChange.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "data_versions": sorted(Indicator.objects.values_list("data_version", flat=True)),
        "last_update": Indicator.objects.aggregate(m=Max("updated_at"))["m"],
    }


@dataclass
class Seeded:
    first: dict[str, Any]
    second: dict[str, Any]
    second_output: str


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", quiet=True, stdout=StringIO())
        first = _counts()
        out = StringIO()
        call_command("seed_demo", quiet=True, stdout=out)
        yield Seeded(first, _counts(), out.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def riverside(seeded: Seeded, db: Any) -> Partnership:
    return Partnership.objects.get(slug="riverside")


def _headline(indicator: Indicator) -> list[DataPoint]:
    """The partnership-wide total series, in period order."""
    return list(
        indicator.data_points.filter(geography=None, category=None)
        .select_related("period")
        .order_by("period__start")
    )


def _better(indicator: Indicator, baseline: Decimal, latest: Decimal) -> Decimal:
    change = latest - baseline
    return change if indicator.direction == Direction.HIGHER_IS_BETTER else -change


def test_outcome_areas_follow_the_continuum_with_goals(riverside: Partnership) -> None:
    areas = list(riverside.outcome_areas.order_by("order"))
    assert [a.slug for a in areas] == AREAS
    assert all(a.goal for a in areas)


def test_catalogue_covers_every_kind_unit_direction_and_frequency(
    riverside: Partnership,
) -> None:
    indicators = list(riverside.indicators.prefetch_related("dimensions"))
    assert {i.kind for i in indicators} == set(IndicatorKind.values)
    assert {i.unit for i in indicators} == set(Unit.values)
    assert {i.direction for i in indicators} == set(Direction.values)
    assert {i.frequency for i in indicators} == {
        Frequency.SCHOOL_YEAR,
        Frequency.ANNUAL,
        Frequency.QUARTERLY,
    }
    for i in indicators:
        assert i.steward_id and i.baseline_period_id and i.data_source and i.definition
        assert bool(i.performance_tag) == (i.kind == IndicatorKind.PERFORMANCE)
        expected = {Unit.PERCENT: Aggregation.RATIO, Unit.COUNT: Aggregation.SUM}
        assert i.aggregation == expected.get(i.unit, Aggregation.NONE)
    assert sum(i.target_value is not None for i in indicators) > len(indicators) / 2
    assert any(i.threshold > 0 for i in indicators)
    disaggregated = [i for i in indicators if i.dimensions.all()]
    assert any(i.unit == Unit.PERCENT for i in disaggregated)
    assert {d.code for i in disaggregated for d in i.dimensions.all()} == {"race", "income"}


def test_at_least_53_indicators_of_community_level_outcomes(riverside: Partnership) -> None:
    """The issue's promise: 53+ core and contributing indicators (program performance
    measures come on top) across the outcome areas, percents and rates with numerator and
    denominator, counts, higher and lower is better."""
    community = list(
        riverside.indicators.filter(
            kind__in=[IndicatorKind.CORE, IndicatorKind.CONTRIBUTING]
        ).select_related("outcome_area")
    )
    assert len(community) >= 53
    per_area = Counter(i.outcome_area.slug for i in community)
    assert set(per_area) == set(AREAS) and min(per_area.values()) >= 5
    assert {Unit.PERCENT, Unit.COUNT, Unit.RATE} <= {i.unit for i in community}
    directions = Counter(i.direction for i in community)
    assert directions[Direction.HIGHER_IS_BETTER] >= 30
    assert directions[Direction.LOWER_IS_BETTER] >= 10
    ratios = DataPoint.objects.filter(
        indicator__in=[i for i in community if i.unit in (Unit.PERCENT, Unit.RATE)]
    )
    assert ratios.exists()
    assert not ratios.filter(Q(numerator__isnull=True) | Q(denominator__isnull=True)).exists()


def test_organizations_have_one_backbone_and_several_funders(riverside: Partnership) -> None:
    roles = dict(riverside.organizations.values_list("role").annotate(n=Count("id")).order_by())
    assert sum(roles.values()) >= 20
    assert roles[OrganizationRole.BACKBONE] == 1
    assert roles[OrganizationRole.FUNDER] >= 3
    assert riverside.organizations.values("sector").distinct().count() >= 8


def test_geographies_are_a_region_of_three_districts_and_their_schools(
    riverside: Partnership,
) -> None:
    geographies = Geography.objects.filter(partnership=riverside)
    region = geographies.get(kind="region")
    districts = list(geographies.filter(kind="district"))
    schools = list(geographies.filter(kind="school").select_related("parent"))
    assert region.path == f"/{region.code}/" and region.depth == 0
    assert len(districts) == 3 and all(d.parent_id == region.pk for d in districts)
    assert 25 <= len(schools) <= 35
    for school in schools:
        assert school.parent.kind == "district"
        assert school.path == f"{school.parent.path}{school.code}/" and school.depth == 2


def test_dimensions_are_race_ethnicity_and_income(riverside: Partnership) -> None:
    categories = {
        d.code: [c.name for c in d.categories.order_by("order")] for d in riverside.dimensions.all()
    }
    assert {"Black", "Hispanic/Latino", "White", "Asian", "Two or more races"} <= set(
        categories["race"]
    )
    assert categories["income"] == ["Low income", "Not low income"]


def test_years_of_approved_data_with_small_cells(riverside: Partnership) -> None:
    points = DataPoint.objects.filter(indicator__partnership=riverside)
    assert 20_000 <= points.count() <= 60_000
    assert not points.exclude(status=DataStatus.APPROVED).exists()
    school_years = points.filter(period__kind="school_year").values("period").distinct()
    assert school_years.count() >= 6
    assert points.filter(denominator__lt=10).count() > 50
    levels = {
        "wide total": points.filter(geography=None, category=None),
        "wide categories": points.filter(geography=None, category__isnull=False),
        "district categories": points.filter(geography__kind="district", category__isnull=False),
        "school totals": points.filter(geography__kind="school", category=None),
    }
    assert all(qs.exists() for qs in levels.values())


def test_some_periods_are_missing(riverside: Partnership) -> None:
    reading = riverside.indicators.get(code="egr-g3-reading")
    labels = [p.period.label for p in _headline(reading)]
    assert "2018-19" in labels and "2019-20" not in labels  # no state tests in spring 2020


def test_trends_improve_worsen_and_stay_flat(riverside: Partnership) -> None:
    statuses = defaultdict(list)
    for indicator in riverside.indicators.all():
        series = _headline(indicator)
        at_baseline = [p for p in series if p.period_id == indicator.baseline_period_id]
        baseline = (at_baseline or series)[0].value
        better = _better(indicator, baseline, series[-1].value)
        if better > indicator.threshold:
            statuses["improving"].append(indicator.code)
        elif better < -indicator.threshold:
            statuses["worsening"].append(indicator.code)
        else:
            statuses["no_change"].append(indicator.code)
    assert len(statuses["improving"]) >= 20
    assert len(statuses["worsening"]) >= 5
    assert len(statuses["no_change"]) >= 2


def _race_gap(indicator: Indicator, label: str) -> Decimal:
    values = indicator.data_points.filter(
        geography=None, category__dimension__code="race", period__label=label
    ).values_list("value", flat=True)
    return max(values) - min(values)


def test_equity_gaps_narrow_for_some_and_widen_for_others(riverside: Partnership) -> None:
    readiness = riverside.indicators.get(code="kr-ready")
    reading = riverside.indicators.get(code="egr-g3-reading")
    assert _race_gap(readiness, "2023-24") < _race_gap(readiness, "2018-19")
    assert _race_gap(reading, "2023-24") > _race_gap(reading, "2018-19")


def test_every_data_point_has_its_history(riverside: Partnership) -> None:
    points = DataPoint.objects.filter(indicator__partnership=riverside)
    assert not points.filter(changes__isnull=True).exists()
    changes = DataPointChange.objects.filter(indicator__partnership=riverside)
    assert changes.count() == 2 * points.count()
    assert set(changes.values_list("action", flat=True)) == {
        ChangeAction.CREATED,
        ChangeAction.APPROVED,
    }
    assert set(changes.values_list("changed_by__username", "comment").distinct()) == {
        ("backbone", LOADED_COMMENT)
    }


def test_indicators_with_data_are_marked_changed(riverside: Partnership) -> None:
    assert not riverside.indicators.filter(data_version=0).exists()


@pytest.mark.parametrize(
    ("username", "role"),
    [
        ("backbone", Role.BACKBONE),
        ("steward", Role.DATA_STEWARD),
        ("viewer", Role.VIEWER),
        ("funder", Role.FUNDER),
    ],
)
def test_demo_users_sign_in_with_their_role(
    riverside: Partnership, username: str, role: str
) -> None:
    user = authenticate(username=username, password=DEMO_PASSWORD)
    assert user is not None
    membership = Membership.objects.get(user=user, partnership=riverside)
    assert membership.role == role and membership.organization is not None
    # Riverside members never see Lakeside.
    assert list(visible_partnerships(user)) == [riverside]


def test_steward_works_for_an_organization_that_stewards_indicators(
    riverside: Partnership,
) -> None:
    membership = Membership.objects.get(user__username="steward", partnership=riverside)
    assert membership.organization.stewarded_indicators.count() >= 3


def test_admin_is_a_superuser(seeded: Seeded, db: Any) -> None:
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert admin is not None and admin.is_superuser and admin.is_staff


def test_lakeside_is_a_small_separate_partnership(seeded: Seeded, db: Any) -> None:
    lakeside = Partnership.objects.get(slug="lakeside")
    assert 1 <= lakeside.indicators.count() < 10
    assert DataPoint.objects.filter(indicator__partnership=lakeside).exists()
    assert not lakeside.memberships.exists()


def test_running_twice_changes_nothing(seeded: Seeded, db: Any) -> None:
    assert seeded.second == seeded.first
    assert "0 new data points" in seeded.second_output


# Added to the catalogue after the first demo databases were seeded.
ADDED_LATER = [
    "kr-prenatal-care",
    "egr-school-mobility",
    "mgm-chronic-absence-6-8",
    "hsg-juvenile-arrests",
    "pse-enroll-4yr",
    "psc-gateway-math",
    "psc-bachelors-6yr",
    "emp-apprentices",
]


def test_a_database_seeded_before_new_indicators_gets_them_once(seeded: Seeded, db: Any) -> None:
    added = Indicator.objects.filter(partnership__slug="riverside", code__in=ADDED_LATER)
    assert added.count() == len(ADDED_LATER)
    # What the previous edition of seed_demo left: everything but these indicators.
    points = DataPoint.objects.filter(indicator__in=added)
    missing = points.count()
    points.delete()
    added.delete()
    assert _counts()["indicators"] == seeded.first["indicators"] - len(ADDED_LATER)
    out = StringIO()
    call_command("seed_demo", quiet=True, stdout=out)
    assert f" {missing} new data points" in out.getvalue()
    after = _counts()
    del after["last_update"]
    assert after == {k: v for k, v in seeded.first.items() if k != "last_update"}


def test_networks_activities_meetings_and_funding(riverside: Partnership) -> None:
    from django.utils import timezone

    from outcomes.activities import contribution_map
    from outcomes.demo import seed_outcomes
    from outcomes.meetings import overdue_action_items, upcoming_action_items
    from outcomes.models import OutcomeChange

    def counts() -> tuple[int, ...]:
        return (
            riverside.action_networks.count(),
            riverside.activities.count(),
            riverside.meetings.count(),
            riverside.funding_commitments.count(),
            OutcomeChange.objects.filter(partnership=riverside).count(),
        )

    assert set(riverside.action_networks.values_list("outcome_area__slug", flat=True)) == set(AREAS)
    assert 28 <= riverside.activities.count() <= 40
    cmap = contribution_map(riverside)
    assert len(cmap.orphans) >= 3 and len(cmap.reinforced) >= 3
    now = timezone.now()
    assert riverside.meetings.filter(ends_at__lt=now).exists()
    assert riverside.meetings.filter(starts_at__gt=now).exists()
    assert overdue_action_items(riverside) and upcoming_action_items(riverside)
    assert riverside.funding_commitments.values("purpose").distinct().count() == 3
    # Every row was written through the services, with its history; again adds nothing.
    before = counts()
    assert before[-1] >= sum(before[:-1])
    seed_outcomes(riverside, get_user_model().objects.get(username="backbone"))
    assert counts() == before


def test_agenda_contacts_invitation_and_theory_of_action(riverside: Partnership) -> None:
    from partnership.agenda import agenda_versions, current_agenda
    from partnership.demo_running import seed_running
    from partnership.feed import activity_feed
    from partnership.models import ActivityEvent, BenchmarkAssessment, Contact, Invitation
    from partnership.toa import theory_of_action

    def counts() -> tuple[int, ...]:
        return (
            riverside.agenda_versions.count(),
            sum(v.endorsements.count() for v in agenda_versions(riverside)),
            Contact.objects.filter(organization__partnership=riverside).count(),
            Invitation.objects.filter(partnership=riverside).count(),
            BenchmarkAssessment.objects.filter(benchmark__gateway__partnership=riverside).count(),
            ActivityEvent.objects.filter(partnership=riverside).count(),
        )

    current = current_agenda(riverside)
    assert current is not None and current.number == 2
    assert len(current.goal_list) == 6
    assert current.endorsements.count() >= 15
    assert Contact.objects.filter(organization__partnership=riverside).count() >= 24
    pending = Invitation.objects.get(partnership=riverside, accepted_at__isnull=True)
    assert pending.role == Role.DATA_STEWARD and pending.organization is not None
    toa = theory_of_action(partnership=riverside)
    assert toa.reached.gateway.stage == "emerging"
    assert 0 < len(toa.next.left) < toa.next.total
    viewer = Membership.objects.get(user__username="viewer", partnership=riverside).user
    kinds = {item.kind for item in activity_feed(riverside, viewer)}
    assert {"data_approved", "agenda_adopted"} <= kinds
    before = counts()
    backbone = Membership.objects.get(user__username="backbone", partnership=riverside).user
    seed_running(riverside, backbone)
    assert counts() == before


def test_the_public_report_card_is_published_once(riverside: Partnership, client: Any) -> None:
    from dashboards.models import PublicReportCardEvent
    from partnership.demo_load import seed_report_card

    response = client.get(f"/public/{riverside.slug}/")
    assert response.status_code == 200
    assert "Kindergarten readiness" in response.content.decode()
    events = PublicReportCardEvent.objects.filter(partnership=riverside).count()
    backbone = Membership.objects.get(user__username="backbone", partnership=riverside).user
    seed_report_card(riverside, backbone)
    assert events > 0  # switched on (and its text set), on the first run only
    assert PublicReportCardEvent.objects.filter(partnership=riverside).count() == events
