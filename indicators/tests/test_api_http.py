"""HTTP behaviour of the API's heavy reads and of every caller: conditional
requests (ETag, If-None-Match, 304) on data points, trends and the scorecard, and
throttling of anonymous and signed-in traffic."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from indicators import trend_engine
from indicators.models import DataStatus
from indicators.services import datapoint_delete, datapoint_update
from partnership.tests.factories import DataPointFactory, period

BASE = "/api/v1/partnerships/riverside"
HEAVY = ("datapoints", "trends", "scorecard")


@pytest.fixture
def data(world):
    kind = world.indicator.period_kind
    points = [
        DataPointFactory(
            indicator=world.indicator,
            period=period(label, kind),
            value=value,
            numerator=value,
            denominator=100,
        )
        for label, value in (("2020-21", 40), ("2021-22", 45), ("2022-23", 50))
    ]
    trend_engine.recompute_indicator(world.indicator.pk)
    return points


def revalidate(client, url: str, etag: str, **query):
    return client.get(url, query, HTTP_IF_NONE_MATCH=etag)


@pytest.mark.parametrize("resource", HEAVY)
def test_a_repeat_with_the_etag_answers_304_without_a_body(api, data, resource):
    client = api("viewer")
    url = f"{BASE}/{resource}/"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    assert "private" in first["Cache-Control"] and "Authorization" in first["Vary"]
    again = revalidate(client, url, first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert revalidate(client, url, 'W/"something-else"').status_code == 200
    assert revalidate(client, url, f'"x", {first["ETag"]}').status_code == 304  # a list
    assert revalidate(client, url, "*").status_code == 304


def test_304_skips_serialising(api, data, monkeypatch):
    from indicators import serializers

    client = api("viewer")
    etag = client.get(f"{BASE}/datapoints/")["ETag"]

    def refuse(*args, **kwargs):
        raise AssertionError("serialised on a 304")

    monkeypatch.setattr(serializers.DataPointOut, "to_representation", refuse)
    assert revalidate(client, f"{BASE}/datapoints/", etag).status_code == 304


@pytest.mark.parametrize(
    "change",
    ["edit", "approve", "delete", "new point", "indicator code", "min cell size"],
)
def test_every_change_that_shows_changes_the_etag(api, world, data, change):
    client = api("backbone")
    url = f"{BASE}/datapoints/"
    etag = client.get(url)["ETag"]
    point = data[0]
    if change == "edit":
        datapoint_update(point=point, expected_version=1, note="checked")
    elif change == "approve":
        draft = DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT,
                                 period=period("2023-24", world.indicator.period_kind))  # fmt: skip
        etag = client.get(url)["ETag"]
        from indicators.services import datapoint_set_status

        datapoint_set_status(point=draft, status=DataStatus.APPROVED, expected_version=1)
    elif change == "delete":
        datapoint_delete(point=data[1], expected_version=1)
    elif change == "new point":
        DataPointFactory(indicator=world.indicator, period=period("2018-19", "school_year"))
    elif change == "indicator code":
        world.indicator.code = "k-ready-2"
        world.indicator.save()
    else:
        world.partnership.min_cell_size = 200
        world.partnership.save()
    assert revalidate(client, url, etag).status_code == 200


def test_etags_differ_by_what_the_caller_may_see(api, world, data):
    DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT,
                     period=period("2023-24", world.indicator.period_kind))  # fmt: skip
    url = f"{BASE}/datapoints/"
    backbone, viewer = api("backbone").get(url), api("viewer").get(url)
    assert backbone["ETag"] != viewer["ETag"]
    assert revalidate(api("viewer"), url, backbone["ETag"]).status_code == 200
    # Small cells: the same points, shown to backbone and hidden from the funder.
    world.partnership.min_cell_size = 200
    world.partnership.save()
    funder = api("funder").get(url)
    assert revalidate(api("viewer"), url, funder["ETag"]).status_code == 304  # same view
    assert revalidate(api("funder"), url, api("backbone").get(url)["ETag"]).status_code == 200


def test_trends_etag_changes_with_a_recompute_and_filters(api, world, data):
    client = api("viewer")
    url = f"{BASE}/trends/"
    etag = client.get(url)["ETag"]
    assert revalidate(client, url, etag, indicator="k-ready").status_code == 200  # another query
    datapoint_update(point=data[2], expected_version=1, value="55", numerator=55)
    assert revalidate(client, url, etag).status_code == 200  # stale now, says so
    stale_etag = client.get(url)["ETag"]
    trend_engine.recompute_indicator(world.indicator.pk)
    assert revalidate(client, url, stale_etag).status_code == 200


def test_scorecard_etag_changes_with_a_status(api, world, data):
    client = api("funder")
    url = f"{BASE}/scorecard/"
    etag = client.get(url)["ETag"]
    for point in data[1:]:
        point.refresh_from_db()
        datapoint_update(point=point, expected_version=point.version, value="10", numerator=10)
    trend_engine.recompute_indicator(world.indicator.pk, force=True)
    assert revalidate(client, url, etag).status_code == 200


# --- throttling ---------------------------------------------------------------------


@pytest.fixture
def tiny_rates():
    rates = {"anon": "2/minute", "user": "3/minute"}
    cache.clear()  # the throttles' history lives in the cache
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK,
                                           "DEFAULT_THROTTLE_RATES": rates}):  # fmt: skip
        yield
    cache.clear()


def test_signed_in_callers_are_throttled_per_user(api, world, tiny_rates):
    viewer = api("viewer")
    assert [viewer.get(f"{BASE}/indicators/").status_code for _ in range(3)] == [200] * 3
    refused = viewer.get(f"{BASE}/indicators/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "throttled" in refused.json()["detail"].lower()
    # Another user has their own allowance.
    assert api("funder").get(f"{BASE}/indicators/").status_code == 200


def test_anonymous_callers_are_throttled_by_address(api, world, tiny_rates):
    anonymous = api("anonymous")
    assert [anonymous.get(f"{BASE}/indicators/").status_code for _ in range(2)] == [401, 401]
    assert anonymous.get(f"{BASE}/indicators/").status_code == 429
    token = anonymous.post(
        "/api/v1/auth/token/", {"username": "viewer", "password": world.password}, format="json"
    )
    assert token.status_code == 429  # password guessing is throttled too


def test_rates_come_from_the_settings_with_safe_defaults():
    from config import settings as project_settings

    rates = project_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates == {
        "anon": project_settings.API_THROTTLE_ANON,
        "user": project_settings.API_THROTTLE_USER,
    }
    assert all(rate.split("/")[1] in {"second", "minute", "hour", "day"} for rate in rates.values())
