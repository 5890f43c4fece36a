"""Changing an indicator or the geography tree: what may not change once there is
data (the admin and the API explain it), and that trends computed from the old
settings or tree show as stale until they are recomputed with the new ones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators import trend_engine
from indicators.models import (
    DerivedPoint,
    Direction,
    Geography,
    GeographyKind,
    Indicator,
    Trend,
    TrendRequest,
    Unit,
)
from indicators.services import geography_move, indicator_update
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    IndicatorFactory,
    period,
)
from partnership.tests.test_admin import admin_url, form_data

BASE = "/api/v1/partnerships/riverside"


@pytest.fixture
def admin_client(client_as):
    return client_as("superuser")


@pytest.fixture
def improving(world):
    """world.indicator (a percent, higher is better): the partnership-wide total
    rose from 40% to 50%, and its trends are computed."""
    for label, value in (("2018-19", 40), ("2021-22", 50)):
        DataPointFactory(indicator=world.indicator, period=period(label), value=Decimal(value))
    trend_engine.recompute_indicator(world.indicator.pk)
    world.indicator.refresh_from_db()
    return world.indicator


def headline(indicator: Indicator) -> Trend:
    return Trend.objects.select_related("indicator").get(
        indicator=indicator, geography=None, category=None
    )


def recompute_requested(indicator: Indicator) -> bool:
    return TrendRequest.objects.filter(indicator=indicator, whole_indicator=True).exists()


def admin_change(admin_client, indicator: Indicator, **changes):
    url = admin_url(Indicator, "change", indicator.pk)
    return admin_client.post(url, form_data(admin_client.get(url)) | changes)


# --- settings that trends are computed from -------------------------------------


def test_a_new_direction_in_the_admin_shows_trends_stale_until_recomputed(
    admin_client, improving, django_capture_on_commit_callbacks
):
    assert headline(improving).status == "improving"
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_change(admin_client, improving, direction=Direction.LOWER_IS_BETTER)

    assert response.status_code == 302
    assert headline(improving).stale  # pages say so until the recompute lands
    assert recompute_requested(improving)
    assert len(callbacks) == 1  # one recompute, queued after the save commits
    callbacks[0]()  # the worker's run (eager in tests)
    trend = headline(improving)
    assert (trend.status, trend.stale) == ("worsening", False)  # 40 -> 50 is now worse
    assert not TrendRequest.objects.filter(indicator=improving).exists()


def test_a_new_threshold_through_the_service_is_recomputed_after_commit(
    improving, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        indicator_update(indicator=improving, threshold=Decimal(20))
    assert len(callbacks) == 1
    trend = headline(improving)
    assert (trend.status, trend.stale) == ("no_change", False)  # +10 is under 20 points


def test_renaming_an_indicator_leaves_its_trends_alone(
    admin_client, improving, django_capture_on_commit_callbacks
):
    version = improving.data_version
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_change(
            admin_client, improving, name="Ready for kindergarten", definition="New words"
        )

    assert response.status_code == 302
    improving.refresh_from_db()
    assert (improving.name, improving.data_version) == ("Ready for kindergarten", version)
    assert callbacks == []
    assert not recompute_requested(improving)
    assert not headline(improving).stale


def test_a_new_target_through_the_api_marks_trends_stale(api, improving):
    response = api("backbone").patch(
        f"{BASE}/indicators/{improving.code}/",
        {"target_value": "70", "target_period": "2025-26"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert headline(improving).stale
    assert recompute_requested(improving)


# --- settings that cannot change once there is data ------------------------------


@pytest.fixture
def counts(world):
    """A count indicator with a value of 250: not a percent."""
    indicator = IndicatorFactory(
        partnership=world.partnership, code="enrolled", unit=Unit.COUNT, aggregation="sum"
    )
    DataPointFactory(indicator=indicator, value=Decimal(250))
    return indicator


def test_the_admin_explains_why_the_unit_of_an_indicator_with_data_cannot_change(
    admin_client, counts
):
    response = admin_change(admin_client, counts, unit=Unit.PERCENT)

    assert response.status_code == 200
    error = str(response.context["adminform"].form.errors["unit"])
    assert "enrolled has 1 data point measured as count" in error
    assert "remove its 1 data point first or create a new indicator" in error
    counts.refresh_from_db()
    assert counts.unit == Unit.COUNT


def test_the_admin_explains_why_the_frequency_of_an_indicator_with_data_cannot_change(
    admin_client, counts
):
    response = admin_change(admin_client, counts, frequency="annual")

    assert response.status_code == 200
    error = str(response.context["adminform"].form.errors["frequency"])
    assert "remove its 1 data point first or create a new indicator" in error


def test_the_unit_of_an_indicator_without_data_can_change(admin_client, world):
    response = admin_change(admin_client, world.other_indicator, unit=Unit.COUNT)

    assert response.status_code == 302
    world.other_indicator.refresh_from_db()
    assert world.other_indicator.unit == Unit.COUNT


def test_the_service_and_the_api_refuse_a_new_unit_for_an_indicator_with_data(api, counts):
    with pytest.raises(ValidationError) as refused:
        indicator_update(indicator=counts, unit=Unit.PERCENT)
    assert "remove its 1 data point first" in refused.value.message_dict["unit"][0]

    response = api("backbone").patch(
        f"{BASE}/indicators/enrolled/", {"unit": "percent"}, format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert Indicator.objects.get(pk=counts.pk).unit == Unit.COUNT


def test_the_api_cannot_remove_a_dimension_the_data_is_broken_down_by(api, world):
    race = DimensionFactory(partnership=world.partnership, code="race", name="Race")
    world.indicator.dimensions.add(race)
    DataPointFactory(indicator=world.indicator, category=CategoryFactory(dimension=race))

    response = api("backbone").patch(
        f"{BASE}/indicators/{world.indicator.code}/", {"dimensions": []}, format="json"
    )

    assert response.status_code == 400
    assert "broken down by Race" in str(response.json()["dimensions"])
    assert list(world.indicator.dimensions.all()) == [race]


# --- geography moves ----------------------------------------------------------


@pytest.fixture
def schools(world):
    """School S1 in district D1 reports world.indicator (D1 and the partnership
    total are derived from it); world.other_indicator is reported partnership-wide
    only. Trends computed."""
    d1 = GeographyFactory(partnership=world.partnership, code="D1")
    d2 = GeographyFactory(partnership=world.partnership, code="D2")
    s1 = GeographyFactory(
        partnership=world.partnership, code="S1", parent=d1, kind=GeographyKind.SCHOOL
    )
    for label, num in (("2018-19", 40), ("2021-22", 50)):
        DataPointFactory(
            indicator=world.indicator,
            period=period(label),
            geography=s1,
            value=Decimal(num),
            numerator=num,
            denominator=100,
        )
    DataPointFactory(indicator=world.other_indicator)
    trend_engine.recompute_many(world.partnership.indicators.all())
    return {"d1": d1, "d2": d2, "s1": s1}


def test_moving_a_school_recomputes_the_indicators_it_reports(
    world, schools, django_capture_on_commit_callbacks
):
    other_version = Indicator.objects.get(pk=world.other_indicator.pk).data_version
    assert Trend.objects.filter(indicator=world.indicator, geography=schools["d1"]).exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        geography_move(geography=schools["s1"], parent=schools["d2"])

    assert len(callbacks) == 1  # world.indicator only: other_indicator has no data there
    derived_at = set(
        DerivedPoint.objects.filter(indicator=world.indicator).values_list("geography", flat=True)
    )
    assert derived_at == {schools["d2"].pk, None}  # D2 and the partnership total, not D1
    assert not Trend.objects.filter(indicator=world.indicator, geography=schools["d1"]).exists()
    assert not headline(world.indicator).stale
    assert Indicator.objects.get(pk=world.other_indicator.pk).data_version == other_version


def test_a_new_parent_in_the_admin_queues_a_recompute_and_a_new_name_does_not(
    admin_client, world, schools
):
    url = admin_url(Geography, "change", schools["s1"].pk)
    renamed = admin_client.post(url, form_data(admin_client.get(url)) | {"name": "Lincoln"})
    assert renamed.status_code == 302
    assert not recompute_requested(world.indicator)

    moved = admin_client.post(url, form_data(admin_client.get(url)) | {"parent": schools["d2"].pk})

    assert moved.status_code == 302
    assert recompute_requested(world.indicator)
    assert headline(world.indicator).stale
    assert not recompute_requested(world.other_indicator)
