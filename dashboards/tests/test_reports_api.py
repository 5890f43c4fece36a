"""The reports endpoint of the REST API (issue 7, item 1): POST asks for a report
(202 with its URL), GET lists and tells status and progress, ``download/`` serves
the file. Every role x own and other partnership."""

from __future__ import annotations

import pytest

from dashboards.models import Report, ReportStatus
from dashboards.reports.services import report_request
from partnership.tests.api_helpers import EVERYONE, MEMBERS, REFUSED, results

from .test_reports_data import reported_fixture  # noqa: F401

BASE = "/api/v1/partnerships/riverside/reports/"
OTHER = "/api/v1/partnerships/hillcrest/reports/"
READERS = ("superuser", "backbone", "funder")
BUILDERS = ("superuser", "backbone")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _expected(role: str, allowed: tuple[str, ...], ok: int = 200) -> int:
    if role in allowed:
        return ok
    return REFUSED.get(role, 403)


@pytest.fixture
def ready(reported, django_capture_on_commit_callbacks):
    world = reported.world
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = report_request(
            partnership=world.partnership, user=world.users["backbone"], formats=["xlsx"]
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    return report


@pytest.mark.parametrize("role", EVERYONE)
def test_list_per_role(api, ready, role):
    response = api(role).get(BASE)
    assert response.status_code == _expected(role, READERS)
    if response.status_code == 200:
        (item,) = results(response)
        assert item["code"] == str(ready.code) and item["status"] == "ready"
        assert item["download_url"].endswith(f"/reports/{ready.code}/download/")


@pytest.mark.parametrize("role", MEMBERS)
def test_another_partnerships_reports_are_not_found(api, ready, role):
    expected = 200 if role == "superuser" else 404
    assert api(role).get(OTHER).status_code == expected
    created = api(role).post(OTHER, {"format": "csv"}, format="json")
    assert created.status_code == (202 if role == "superuser" else 404)
    # A riverside report is not reachable under hillcrest.
    assert api(role).get(f"{OTHER}{ready.code}/").status_code == 404


@pytest.mark.parametrize("role", EVERYONE)
def test_create_per_role(api, reported, role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(role).post(
            BASE,
            {"format": "csv", "outcome_areas": ["kindergarten-readiness"],
             "period_from": "2019-20", "period_to": "2022-23", "disaggregate": True},
            format="json",
        )  # fmt: skip
    assert response.status_code == _expected(role, BUILDERS, 202), response.content
    if response.status_code != 202:
        assert not Report.objects.exists()
        return
    body = response.json()
    report = Report.objects.get()
    assert body["url"] == f"http://testserver{BASE}{report.code}/"
    assert (body["period_from"], body["period_to"]) == ("2019-20", "2022-23")
    assert body["outcome_areas"] == ["kindergarten-readiness"] and body["disaggregate"]
    # Tasks run in-process in tests: the report is ready by the time the answer comes.
    follow = api(role).get(body["url"]).json()
    assert follow["status"] == "ready" and follow["progress"] == 100
    download = api(role).get(follow["download_url"])
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("outcome_area,indicator")


@pytest.mark.parametrize("role", EVERYONE)
def test_detail_and_download_per_role(api, ready, role):
    detail = api(role).get(f"{BASE}{ready.code}/")
    assert detail.status_code == _expected(role, READERS)
    download = api(role).get(f"{BASE}{ready.code}/download/")
    assert download.status_code == _expected(role, READERS)
    if download.status_code == 200:
        assert download["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )


def test_create_validation_errors_name_the_field(api, reported):
    client = api("backbone")
    cases = {
        "format": {"format": "docx"},
        "outcome_areas": {"format": "csv", "outcome_areas": ["nowhere"]},
        "period_from": {"format": "csv", "period_from": "sometime"},
        "period_to": {"format": "csv", "period_from": "2022-23", "period_to": "2019-20"},
    }
    for field, payload in cases.items():
        response = client.post(BASE, payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json(), response.json()
    assert not Report.objects.exists()


def test_a_report_being_built_has_no_download_yet(api, reported):
    world = reported.world
    (report,) = report_request(
        partnership=world.partnership, user=world.users["backbone"], formats=["pdf"]
    )  # queued: the on_commit callback does not run inside the test's transaction
    body = api("backbone").get(f"{BASE}{report.code}/").json()
    assert body["status"] == "queued" and body["download_url"] is None
    assert api("backbone").get(f"{BASE}{report.code}/download/").status_code == 404
    # Funders see ready reports only.
    assert api("funder").get(f"{BASE}{report.code}/").status_code == 404


def test_list_query_count(api, ready, django_assert_max_num_queries):
    for _ in range(5):
        Report.objects.create(
            partnership=ready.partnership, format="csv", scope_label="x",
            created_by=ready.created_by,
        )  # fmt: skip
    client = api("backbone")
    with django_assert_max_num_queries(8):
        assert len(results(client.get(BASE))) == 6
