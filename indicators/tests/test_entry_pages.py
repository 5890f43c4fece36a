"""Who may open the data entry pages and post to them: every role of the shared
world, the outsider and the anonymous visitor; and how many queries each page costs."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from indicators.models import DataPoint, DataStatus
from indicators.services import datapoint_create, datapoint_set_status
from partnership.tests.factories import DataPointFactory, GeographyFactory, period

ROLES = ("superuser", "backbone", "steward", "other_steward", "viewer", "funder", "outsider")

# What each role gets on each page of k-ready (stewarded by the steward's organization).
EXPECTED = {
    #                 home grid queue history
    "superuser": (200, 200, 200, 200),
    "backbone": (200, 200, 200, 200),
    "steward": (200, 200, 403, 200),
    "other_steward": (200, 403, 403, 403),
    "viewer": (403, 403, 403, 403),
    "funder": (403, 403, 403, 403),
    "outsider": (404, 404, 404, 404),
}


def page_urls(world, point) -> list[str]:
    slug, code = world.partnership.slug, world.indicator.code
    return [
        reverse("data_home", args=[slug]),
        reverse("entry_grid", args=[slug, code]),
        reverse("approval_queue", args=[slug]),
        reverse("indicator_history", args=[slug, code]),
        reverse("datapoint_history", args=[slug, point.pk]),
    ]


@pytest.fixture
def point(world):
    return DataPointFactory(indicator=world.indicator, status=DataStatus.DRAFT)


@pytest.mark.parametrize("name", ROLES)
def test_every_page_answers_each_role_as_its_rights_say(client_as, world, point, name):
    home, grid, queue, history = EXPECTED[name]
    expected = [home, grid, queue, history, history]
    client = client_as(name)
    got = [client.get(url).status_code for url in page_urls(world, point)]
    assert got == expected


def test_anonymous_is_sent_to_sign_in_everywhere(client_as, world, point):
    client = client_as("anonymous")
    for url in page_urls(world, point):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_unknown_indicator_is_404(client_as, world):
    url = reverse("entry_grid", args=["riverside", "no-such-code"])
    assert client_as("backbone").get(url).status_code == 404


def test_another_partnerships_point_is_404(client_as, world):
    foreign = DataPointFactory(indicator=world.foreign_indicator)
    url = reverse("datapoint_history", args=["riverside", foreign.pk])
    assert client_as("backbone").get(url).status_code == 404


def save(client, world, indicator=None, cells=None):
    indicator = indicator or world.indicator
    url = reverse("entry_save", args=[world.partnership.slug, indicator.code])
    cells = cells or [{"period": "2022-23", "geography": "", "value": "41", "version": 0}]
    return client.post(url, json.dumps({"cells": cells}), content_type="application/json")


@pytest.mark.parametrize(
    "name, status",
    [
        ("superuser", 200),
        ("backbone", 200),
        ("steward", 200),
        ("other_steward", 403),
        ("viewer", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_saving_needs_the_right_to_enter_this_indicator(client_as, world, name, status):
    response = save(client_as(name), world)
    assert response.status_code == status
    assert DataPoint.objects.filter(indicator=world.indicator).count() == (status == 200)


def test_a_steward_cannot_save_another_organizations_indicator(client_as, world):
    response = save(client_as("steward"), world, indicator=world.other_indicator)
    assert response.status_code == 403
    assert not DataPoint.objects.exists()


def test_anonymous_cannot_save(client_as, world):
    assert save(client_as("anonymous"), world).status_code == 302
    assert not DataPoint.objects.exists()


def status_post(client, world, point, action, comment=""):
    url = reverse("entry_status", args=[world.partnership.slug, point.indicator.code])
    body = {"action": action, "points": [{"id": point.pk, "version": point.version}]}
    return client.post(
        url, json.dumps({**body, "comment": comment}), content_type="application/json"
    )


@pytest.mark.parametrize("name", ["steward", "other_steward", "viewer", "funder"])
def test_only_backbone_approves_or_returns(client_as, world, name):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.SUBMITTED)
    client = client_as(name)
    assert status_post(client, world, point, "approve").status_code == 403
    assert status_post(client, world, point, "return", "fix").status_code == 403
    queue = reverse("approval_queue", args=["riverside"])
    form = {"point": f"{point.pk}:{point.version}", "decision": "approve"}
    assert client.post(queue, form).status_code == 403
    point.refresh_from_db()
    assert (point.status, point.version) == (DataStatus.SUBMITTED, 1)


def test_outsider_gets_404_on_status_and_queue_posts(client_as, world):
    point = DataPointFactory(indicator=world.indicator, status=DataStatus.SUBMITTED)
    client = client_as("outsider")
    assert status_post(client, world, point, "approve").status_code == 404
    queue = reverse("approval_queue", args=["riverside"])
    assert client.post(queue, {"point": f"{point.pk}:1", "decision": "approve"}).status_code == 404


# ---------- navigation ----------


@pytest.mark.parametrize(
    "name, enter, approve",
    [
        ("superuser", True, True),
        ("backbone", True, True),
        ("steward", True, False),
        ("viewer", False, False),
        ("funder", False, False),
    ],
)
def test_navigation_links_follow_the_role(client_as, world, name, enter, approve):
    html = client_as(name).get(reverse("partnership_overview", args=["riverside"])).content.decode()
    assert (reverse("data_home", args=["riverside"]) in html) is enter
    assert (reverse("approval_queue", args=["riverside"]) in html) is approve


# ---------- query counts: constant for small and larger data ----------


def build_data(world, n_geographies: int, labels: list[str]) -> None:
    """Submitted points (with their history) for both indicators, by the services."""
    geographies = [
        GeographyFactory(partnership=world.partnership, code=f"D{i}") for i in range(n_geographies)
    ]
    for geography in [None, *geographies]:
        for label in labels:
            for indicator in (world.indicator, world.other_indicator):
                point = datapoint_create(
                    indicator=indicator,
                    geography=geography,
                    period=period(label, "school_year"),
                    value="50",
                )
                datapoint_set_status(point=point, status=DataStatus.SUBMITTED, expected_version=1)


SMALL = (1, ["2021-22"])
LARGE = (8, ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23"])


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
@pytest.mark.parametrize(
    "url_name, max_queries",
    [
        ("data_home", 6),
        ("entry_grid", 11),
        ("approval_queue", 10),
        ("indicator_history", 8),
        ("datapoint_history", 8),
    ],
)
def test_pages_run_a_constant_number_of_queries(
    client_as, world, django_assert_max_num_queries, size, url_name, max_queries
):
    build_data(world, *size)
    args = {
        "data_home": ["riverside"],
        "approval_queue": ["riverside"],
        "datapoint_history": [
            "riverside",
            DataPoint.objects.filter(indicator=world.indicator)[0].pk,
        ],
    }.get(url_name, ["riverside", "k-ready"])
    client = client_as("backbone")
    with django_assert_max_num_queries(max_queries):
        response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
