"""The API's permission matrix: every endpoint x every role x the caller's own
partnership and another one. Another partnership's objects answer 404, never
their content, whether asked for through its URL or through one's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import DataStatus, ImportJob
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    OrganizationFactory,
    OutcomeAreaFactory,
    period,
)

from .api_helpers import EVERYONE, MEMBERS, REFUSED

OWN, OTHER = "riverside", "hillcrest"
IMPORTERS = ("superuser", "backbone", "steward", "other_steward")


@dataclass
class Objects:
    """URL keys of one object of every resource in a partnership."""

    keys: dict[str, str]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _objects(partnership: Any, indicator: Any, owner: Any, tag: str) -> Objects:
    geography = GeographyFactory(partnership=partnership, code=f"geo-{tag}")
    dimension = DimensionFactory(partnership=partnership, code=f"dim-{tag}")
    CategoryFactory(dimension=dimension, code="a")
    point = DataPointFactory(indicator=indicator, period=period("2021-22", "school_year"))
    job = ImportJob.objects.create(partnership=partnership, user=owner, filename="x.csv",
                                   file=SimpleUploadedFile("x.csv", b"x"))  # fmt: skip
    return Objects(
        keys={
            "organizations": partnership.organizations.first().slug,
            "memberships": owner.username,
            "outcome-areas": indicator.outcome_area.slug,
            "indicators": indicator.code,
            "geographies": geography.code,
            "dimensions": dimension.code,
            "datapoints": str(point.pk),
            "imports": str(job.code),
        }
    )


@pytest.fixture
def both(world) -> dict[str, Objects]:
    indicator = world.indicator
    indicator.baseline_period = None
    indicator.save()
    return {
        OWN: _objects(world.partnership, indicator, world.users["steward"], "own"),
        OTHER: _objects(
            world.other_partnership, world.foreign_indicator, world.users["outsider"], "other"
        ),
    }


LISTS = ("organizations", "memberships", "outcome-areas", "indicators", "geographies",
         "dimensions", "datapoints", "trends", "scorecard", "imports")  # fmt: skip
DETAILS = ("organizations", "memberships", "outcome-areas", "indicators", "geographies",
           "dimensions", "datapoints", "imports")  # fmt: skip


def _read_expected(role: str, resource: str, detail: bool) -> int:
    if role in REFUSED:
        return REFUSED[role]
    if resource == "imports" and role not in IMPORTERS:
        return 403
    if detail and resource == "memberships" and role not in ("backbone", "superuser", "steward"):
        return 404  # only their own membership (the steward's is the one asked for) exists
    if detail and resource == "imports" and role == "other_steward":
        return 404  # someone else's import
    return 200


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("role", EVERYONE)
def test_lists_in_own_partnership(api, both, role, resource):
    response = api(role).get(f"/api/v1/partnerships/{OWN}/{resource}/")
    assert response.status_code == _read_expected(role, resource, detail=False)


@pytest.mark.parametrize("resource", DETAILS)
@pytest.mark.parametrize("role", EVERYONE)
def test_objects_in_own_partnership(api, both, role, resource):
    key = both[OWN].keys[resource]
    response = api(role).get(f"/api/v1/partnerships/{OWN}/{resource}/{key}/")
    assert response.status_code == _read_expected(role, resource, detail=True)


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("role", EVERYONE)
def test_another_partnership_does_not_exist_for_non_members(api, both, role, resource):
    response = api(role).get(f"/api/v1/partnerships/{OTHER}/{resource}/")
    if role in ("superuser", "outsider"):  # the outsider is backbone of hillcrest
        assert response.status_code == 200
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
        assert OTHER not in response.content.decode()


@pytest.mark.parametrize("resource", DETAILS)
@pytest.mark.parametrize("role", EVERYONE)
def test_another_partnerships_object_through_own_url_is_not_found(api, both, role, resource):
    key = both[OTHER].keys[resource]
    client = api(role)
    url = f"/api/v1/partnerships/{OWN}/{resource}/{key}/"
    expected = _read_expected(role, resource, detail=True)
    if expected == 200:
        expected = 404
    if resource == "memberships" and role == "outsider":
        expected = 404
    assert client.get(url).status_code == expected
    writes = [client.patch(url, {"name": "x"}, format="json"), client.delete(f"{url}?version=1")]
    for response in writes:  # refused (or not offered), and nothing of the object shown
        assert response.status_code in (401, 403, 404, 405), response.content
        assert key not in response.content.decode()


@pytest.mark.parametrize("role", EVERYONE)
def test_partnership_itself(api, both, role):
    client = api(role)
    own, other = (client.get(f"/api/v1/partnerships/{slug}/").status_code for slug in (OWN, OTHER))
    expected_own = 200 if role in MEMBERS else REFUSED[role]
    expected_other = 200 if role in ("superuser", "outsider") else REFUSED.get(role, 404)
    assert (own, other) == (expected_own, expected_other)


# --- writes on every resource x role ------------------------------------------------------

WRITERS = ("superuser", "backbone")


def _write_expected(role: str, ok: int) -> int:
    return ok if role in WRITERS else REFUSED.get(role, 403)


@pytest.mark.parametrize("role", EVERYONE)
def test_catalogue_deletes_by_backbone_only(api, world, role):
    """Objects nothing uses: an organization, an outcome area, a geography, a
    dimension, an indicator without data, a membership."""
    p = world.partnership
    org = OrganizationFactory(partnership=p, slug="spare")
    area = OutcomeAreaFactory(partnership=p, slug="spare-area", order=9)
    from partnership.tests.factories import IndicatorFactory

    urls = [
        f"organizations/{org.slug}/",
        f"geographies/{GeographyFactory(partnership=p, code='spare-geo').code}/",
        f"dimensions/{DimensionFactory(partnership=p, code='spare-dim').code}/",
        f"indicators/{IndicatorFactory(partnership=p, outcome_area=area, code='spare').code}/",
        "memberships/funder/",
    ]
    client = api(role)
    for url in urls:
        response = client.delete(f"/api/v1/partnerships/{OWN}/{url}")
        expected = _write_expected(role, 204)
        if url.startswith("memberships") and role in ("steward", "other_steward", "viewer"):
            expected = 404  # they see only their own membership
        if url.startswith("memberships") and role == "funder":
            expected = 403  # their own: visible, but not theirs to remove
        assert response.status_code == expected, (url, response.content)
    area_response = client.delete(f"/api/v1/partnerships/{OWN}/outcome-areas/spare-area/")
    assert area_response.status_code == _write_expected(role, 204)


@pytest.mark.parametrize("role", EVERYONE)
def test_membership_changes_by_backbone_only(api, world, role):
    response = api(role).patch(
        f"/api/v1/partnerships/{OWN}/memberships/viewer/", {"role": "funder"}, format="json"
    )
    expected = _write_expected(role, 200)
    if role in ("steward", "other_steward", "funder"):
        expected = 404  # the viewer's membership is not theirs to see
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", EVERYONE)
def test_workflow_actions_by_role(api, world, role):
    """Submit (the indicator's steward, backbone) and approve/return (backbone) on
    a draft and a submitted point of k-ready."""
    kind = world.indicator.period_kind
    draft = DataPointFactory(indicator=world.indicator, period=period("2019-20", kind),
                             status=DataStatus.DRAFT)  # fmt: skip
    submitted = DataPointFactory(indicator=world.indicator, period=period("2020-21", kind),
                                 status=DataStatus.SUBMITTED)  # fmt: skip
    client = api(role)
    base = f"/api/v1/partnerships/{OWN}/datapoints"
    submit = client.post(f"{base}/{draft.pk}/submit/", {"version": 1}, format="json")
    approve = client.post(f"{base}/{submitted.pk}/approve/", {"version": 1}, format="json")
    hidden = REFUSED.get(role, 404)  # unapproved data: not found for those who may not see it
    expected_submit = {"superuser": 200, "backbone": 200, "steward": 200}.get(role, hidden)
    expected_approve = {"superuser": 200, "backbone": 200, "steward": 403}.get(role, hidden)
    assert (submit.status_code, approve.status_code) == (expected_submit, expected_approve)
