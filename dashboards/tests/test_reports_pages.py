"""The reports pages (issue 6): backbone staff build reports in the background and
every report is kept; funders find and download the ready ones; data stewards and
viewers may not (403); outsiders do not even learn the page exists (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboards.models import Report, ReportFormat, ReportStatus
from dashboards.reports.services import report_claim, report_request
from dashboards.reports.tasks import build_report
from partnership.tests.factories import period
from partnership.tests.world import ROLE_NAMES

from .test_reports_data import reported_fixture  # noqa: F401

LIST = "/p/riverside/reports/"
MAY_READ = {"superuser", "backbone", "funder"}
MAY_BUILD = {"superuser", "backbone"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _expected(role: str, allowed: set[str]) -> int:
    if role == "outsider":
        return 404
    return 200 if role in allowed else 403


def _ready(world, fmt=ReportFormat.CSV, django_capture_on_commit_callbacks=None, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = report_request(
            partnership=world.partnership, user=world.users["backbone"], formats=[fmt], **kwargs
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.READY, report.error
    return report


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_reports_page_per_role(client_as, reported, role):
    response = client_as(role).get(LIST)
    assert response.status_code == _expected(role, MAY_READ)
    if response.status_code == 200:
        assert ("Build a report" in response.content.decode()) == (role in MAY_BUILD)


def test_reports_page_asks_anonymous_visitors_to_sign_in(client_as, reported):
    response = client_as("anonymous").get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_backbone_staff_build_reports(
    client_as, reported, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(role).post(LIST, {"formats": ["csv"]})
    if role in MAY_BUILD:
        report = Report.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("report_detail", args=["riverside", report.code])
        assert (
            report.status == ReportStatus.READY and report.created_by == reported.world.users[role]
        )
    else:
        assert response.status_code == _expected(role, set())
        assert not Report.objects.exists()


def test_builder_records_scope_range_and_formats(
    client_as, reported, django_capture_on_commit_callbacks
):
    start, end = period("2019-20", "school_year"), period("2022-23", "school_year")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("backbone").post(
            LIST,
            {
                "formats": ["csv", "xlsx"],
                "outcome_areas": ["kindergarten-readiness"],
                "period_from": start.pk,
                "period_to": end.pk,
                "disaggregate": "on",
            },
        )
    assert response.status_code == 302 and response["Location"] == LIST
    reports = Report.objects.order_by("format")
    assert [r.format for r in reports] == ["csv", "xlsx"]
    for report in reports:
        assert report.status == ReportStatus.READY
        assert report.outcome_areas == ["kindergarten-readiness"]
        assert report.scope_label == "Kindergarten readiness"
        assert (report.period_from, report.period_to, report.disaggregate) == (start, end, True)
        assert report.indicator_count == 1 and report.size > 0 and report.file.name
    content = reports[0].file.open("rb").read().decode("utf-8-sig")
    assert "2018-19" not in content and "2019-20" in content and "2023-24" not in content


def test_builder_says_what_is_wrong(client_as, reported):
    client = client_as("backbone")
    none = client.post(LIST, {})
    assert none.status_code == 400
    assert "Tick at least one format" in none.content.decode()
    backwards = client.post(
        LIST,
        {
            "formats": ["csv"],
            "period_from": period("2022-23", "school_year").pk,
            "period_to": period("2019-20", "school_year").pk,
        },
    )
    assert backwards.status_code == 400
    assert "before it starts" in backwards.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_download_per_role(client_as, reported, role, django_capture_on_commit_callbacks):
    report = _ready(
        reported.world, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    url = reverse("report_download", args=["riverside", report.code])
    response = client_as(role).get(url)
    assert response.status_code == _expected(role, MAY_READ)
    if response.status_code == 200:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert body.startswith("outcome_area,indicator,name")
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_detail_and_status_per_role(client_as, reported, role, django_capture_on_commit_callbacks):
    report = _ready(
        reported.world, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    for name in ("report_detail", "report_status"):
        response = client_as(role).get(reverse(name, args=["riverside", report.code]))
        assert response.status_code == _expected(role, MAY_READ)
    if role in MAY_READ:
        status = client_as(role).get(reverse("report_status", args=["riverside", report.code]))
        assert status.json() == {
            "status": "ready", "label": "Ready", "progress": 100, "message": "Ready",
            "running": False,
        }  # fmt: skip


def test_funders_see_ready_reports_only(client_as, reported):
    """A report being built, or one that failed, is backbone staff's business."""
    world = reported.world
    (queued,) = report_request(
        partnership=world.partnership, user=world.users["backbone"], formats=["pdf"]
    )  # never queued: the transaction's on_commit callbacks do not run here
    page = client_as("funder").get(LIST)
    assert queued not in page.context["reports"]
    detail = reverse("report_detail", args=["riverside", queued.code])
    assert client_as("funder").get(detail).status_code == 404
    backbone = client_as("backbone").get(detail)
    assert backbone.status_code == 200
    content = backbone.content.decode()
    assert 'id="progress-bar"' in content and "js/import-progress.js" in content
    assert (
        client_as("backbone")
        .get(reverse("report_download", args=["riverside", queued.code]))
        .status_code
        == 404
    )


def test_another_partnerships_report_is_not_found(client_as, reported, world):
    from partnership.tests.factories import MembershipFactory

    hillcrest_report = Report.objects.create(
        partnership=world.other_partnership, format="csv", scope_label="The whole partnership"
    )
    url = reverse("report_detail", args=["riverside", hillcrest_report.code])
    assert client_as("backbone").get(url).status_code == 404
    MembershipFactory(user=world.users["funder"], partnership=world.other_partnership,
                      role="viewer")  # fmt: skip
    other = reverse("report_list", args=["hillcrest"])
    assert client_as("funder").get(other).status_code == 403


def test_task_delivered_twice_builds_once(reported):
    world = reported.world
    (report,) = report_request(
        partnership=world.partnership, user=world.users["backbone"], formats=["csv"]
    )
    assert build_report(report.pk) == "ready"
    finished = Report.objects.get(pk=report.pk).finished_at
    assert build_report(report.pk) == "skipped"
    assert report_claim(report.pk) is None
    assert Report.objects.get(pk=report.pk).finished_at == finished


def test_a_report_that_cannot_be_drawn_fails_with_a_reason(reported, monkeypatch, client_as):
    """Without Chromium on the PATH the PDF cannot have its charts: the report fails
    and says why, instead of hanging or shipping a PDF without charts."""
    monkeypatch.setenv("PATH", "/nonexistent")
    world = reported.world
    (report,) = report_request(
        partnership=world.partnership, user=world.users["backbone"], formats=["pdf"]
    )
    assert build_report(report.pk) == "failed"
    report.refresh_from_db()
    assert "Chromium" in report.error and not report.file
    page = client_as("backbone").get(reverse("report_detail", args=["riverside", report.code]))
    assert "The report could not be built" in page.content.decode()
    assert "install the &#x27;chromium&#x27; package" in page.content.decode()


def test_reports_list_query_count(client_as, reported, django_assert_max_num_queries):
    world = reported.world
    for _ in range(5):
        Report.objects.create(
            partnership=world.partnership, format="csv", scope_label="x",
            created_by=world.users["backbone"], period_from=period("2019-20", "school_year"),
        )  # fmt: skip
    client = client_as("backbone")
    with django_assert_max_num_queries(16):
        assert client.get(LIST).status_code == 200
