"""The REST API's foundation: tokens, the caller's partnerships, and the
catalogue endpoints (organizations, memberships, outcome areas, indicators,
geographies, dimensions) for every role."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from partnership.models import ApiToken

from .api_helpers import EVERYONE, MEMBERS, REFUSED, expected_write, results

BASE = "/api/v1/partnerships/riverside"

# One object of each catalogue resource that the world holds, by URL.
CATALOGUE_OBJECTS = {
    "organizations": "district",
    "outcome-areas": "kindergarten-readiness",
    "indicators": "k-ready",
}


def _new(resource: str, n: str) -> dict:
    """A valid new object for a catalogue resource (``n`` keeps codes apart)."""
    return {
        "organizations": {"slug": f"org-{n}", "name": f"Org {n}", "sector": "nonprofit"},
        "outcome-areas": {"slug": f"area-{n}", "name": f"Area {n}", "order": 10 + len(n)},
        "indicators": {
            "code": f"ind-{n}", "name": f"Indicator {n}", "outcome_area": "kindergarten-readiness",
            "kind": "core", "unit": "percent", "direction": "higher_is_better",
            "frequency": "school_year", "aggregation": "ratio", "steward": "district",
            "baseline_period": "2019-20", "target_value": "75", "target_period": "2029-30",
        },
        "geographies": {"code": f"G-{n}", "name": f"Geo {n}", "kind": "district"},
        "dimensions": {
            "code": f"dim-{n}", "name": f"Dim {n}",
            "categories": [{"code": "a", "name": "A"}, {"code": "b", "name": "B"}],
        },
    }[resource]  # fmt: skip


# --- tokens ------------------------------------------------------------------


def test_token_created_with_password_works_until_revoked(world):
    anonymous = APIClient()
    response = anonymous.post(
        "/api/v1/auth/token/",
        {"username": "viewer", "password": world.password, "name": "SIS"},
        format="json",
    )
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(user=world.users["viewer"])
    assert token.key_hash != key and key.startswith(token.prefix)  # stored hashed

    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{BASE}/indicators/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    browser = APIClient()
    browser.force_login(world.users["viewer"])
    assert browser.post(reverse("token_revoke", args=[token.pk])).status_code == 302
    assert client.get(f"{BASE}/indicators/").status_code == 401


def test_token_refused_for_a_wrong_password_or_key(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "viewer", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    bad = APIClient(HTTP_AUTHORIZATION="Token not-a-key")
    assert bad.get(f"{BASE}/indicators/").status_code == 401


def test_token_page_creates_shows_once_and_lists(world, client_as):
    client = client_as("steward")
    page = client.post(reverse("account_tokens"), {"name": "Export"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=world.users["steward"])
    assert page.context["new_key"].startswith(token.prefix)
    listing = client.get(reverse("account_tokens"))
    assert "Export" in listing.content.decode() and listing.context["new_key"] is None


def test_nobody_revokes_someone_elses_token(world, client_as):
    ApiToken.objects.all().delete()
    from partnership.tokens import token_create

    token = token_create(user=world.users["steward"], name="x").token
    response = client_as("viewer").post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.active


# --- partnerships ------------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
def test_partnership_list_holds_only_the_callers(api, role):
    response = api(role).get("/api/v1/partnerships/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    slugs = {p["slug"] for p in results(response)}
    expected = {
        "superuser": {"riverside", "hillcrest"},
        "outsider": {"hillcrest"},
    }.get(role, {"riverside"})
    assert slugs == expected


@pytest.mark.parametrize("role", EVERYONE)
def test_only_superusers_create_partnerships(api, role):
    new = {"slug": f"new-{role}", "name": f"New {role}", "min_cell_size": 5}
    response = api(role).post("/api/v1/partnerships/", new, format="json")
    expected = {"superuser": 201, "anonymous": 401}.get(role, 403)
    assert response.status_code == expected


# --- the catalogue, every endpoint x every role -------------------------------


@pytest.mark.parametrize("resource", ["organizations", "outcome-areas", "indicators",
                                      "geographies", "dimensions", "memberships"])  # fmt: skip
@pytest.mark.parametrize("role", EVERYONE)
def test_catalogue_lists_for_members_only(api, role, resource):
    response = api(role).get(f"{BASE}/{resource}/")
    assert response.status_code == (200 if role in MEMBERS else REFUSED[role])


@pytest.mark.parametrize("resource,key", CATALOGUE_OBJECTS.items())
@pytest.mark.parametrize("role", EVERYONE)
def test_catalogue_objects_for_members_only(api, role, resource, key):
    response = api(role).get(f"{BASE}/{resource}/{key}/")
    assert response.status_code == (200 if role in MEMBERS else REFUSED[role])


@pytest.mark.parametrize("role", MEMBERS)
def test_another_partnerships_objects_are_not_found(api, role):
    client = api(role)
    assert client.get(f"{BASE}/indicators/g3-reading/").status_code == 404
    status = 200 if role == "superuser" else 404
    assert client.get("/api/v1/partnerships/hillcrest/indicators/").status_code == status


@pytest.mark.parametrize("resource", ["organizations", "outcome-areas", "indicators",
                                      "geographies", "dimensions"])  # fmt: skip
@pytest.mark.parametrize("role", EVERYONE)
def test_catalogue_writes_by_backbone_only(api, role, resource):
    client = api(role)
    created = client.post(f"{BASE}/{resource}/", _new(resource, role), format="json")
    assert created.status_code == expected_write(role, 201), created.content
    if resource in CATALOGUE_OBJECTS:
        url = f"{BASE}/{resource}/{CATALOGUE_OBJECTS[resource]}/"
        changed = client.patch(url, {"name": f"Renamed by {role}"}, format="json")
        assert changed.status_code == expected_write(role, 200), changed.content


def test_indicator_written_and_read_with_wire_names(api):
    client = api("backbone")
    response = client.post(f"{BASE}/indicators/", _new("indicators", "x"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["steward"] == "district" and body["baseline_period"] == "2019-20"
    assert body["target_value"] == "75" and body["dimensions"] == []


def test_catalogue_validation_errors_are_400_with_fields(api):
    client = api("backbone")
    duplicate = client.post(f"{BASE}/indicators/", {**_new("indicators", "y"), "code": "k-ready"},
                            format="json")  # fmt: skip
    assert duplicate.status_code == 400
    foreign = client.post(
        f"{BASE}/indicators/",
        {**_new("indicators", "z"), "outcome_area": "early-grade-reading"},
        format="json",
    )
    assert foreign.status_code == 400 and "outcome_area" in foreign.json()
    in_use = client.delete(f"{BASE}/outcome-areas/kindergarten-readiness/")
    assert in_use.status_code == 409


@pytest.mark.parametrize("role", EVERYONE)
def test_memberships_backbone_sees_all_others_their_own(api, world, role):
    response = api(role).get(f"{BASE}/memberships/")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        return
    users = {m["user"] for m in results(response)}
    if role in ("backbone", "superuser"):
        assert users == {"backbone", "steward", "other_steward", "viewer", "funder"}
    else:
        assert users == {role}


@pytest.mark.parametrize("role", EVERYONE)
def test_memberships_managed_by_backbone(api, world, role):
    from partnership.tests.factories import UserFactory

    UserFactory(username="newcomer")
    new = {"user": "newcomer", "role": "data_steward", "organization": "ymca"}
    response = api(role).post(f"{BASE}/memberships/", new, format="json")
    assert response.status_code == expected_write(role, 201), response.content


def test_membership_rules_come_back_as_field_errors(api, world):
    response = api("backbone").post(
        f"{BASE}/memberships/", {"user": "viewer", "role": "data_steward"}, format="json"
    )
    assert response.status_code == 400


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yml")
    assert "/api/v1/partnerships/{partnership_slug}/datapoints/" in (tmp_path / "s.yml").read_text()


def test_api_docs_page_is_served_without_a_cdn(client_as):
    page = client_as("viewer").get("/api/docs/")
    assert page.status_code == 200
    assert "cdn" not in page.content.decode().lower()
