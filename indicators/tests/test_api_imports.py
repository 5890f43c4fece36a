"""The API's imports: preview (dry run) and import of a file with the browser's
rules and messages, small files inline and large ones by Celery tasks, every role,
and errors with their row and column."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import views_import
from indicators.models import DataPoint, DataStatus, ImportJob, ImportStatus
from indicators.services import datapoint_update
from partnership.tests.api_helpers import EVERYONE, REFUSED, results
from partnership.tests.factories import DataPointFactory, period

BASE = "/api/v1/partnerships/riverside"
HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source"
GOOD = "k-ready,2022-23,,,,48.5,97,200,Fall assessment,State\nk-ready,2021-22,,,,45,90,200,,\n"
BAD = "k-ready,2022-23,,,,148,,,,\nsummer-reading,2022-23,,,,40,,,,\n"
IMPORTERS = ("superuser", "backbone", "steward", "other_steward")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def send(client, body: str = GOOD, *, dry_run: bool = True, name: str = "data.csv", **extra):
    upload = SimpleUploadedFile(name, f"{HEADER}\n{body}".encode(), content_type="text/csv")
    data = {"file": upload, "dry_run": "true" if dry_run else "false", **extra}
    return client.post(f"{BASE}/imports/", data, format="multipart")


# --- who may --------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERYONE)
def test_uploading_needs_the_right_to_import(api, world, role):
    response = send(api(role))
    expected = 201 if role in IMPORTERS else REFUSED.get(role, 403)
    assert response.status_code == expected, response.content
    assert ImportJob.objects.exists() == (expected == 201)


@pytest.fixture
def steward_job(api, world) -> dict:
    response = send(api("steward"))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("role", EVERYONE)
def test_a_stewards_import_is_seen_by_them_and_backbone_only(api, steward_job, role):
    client = api(role)
    listing = client.get(f"{BASE}/imports/")
    detail = client.get(f"{BASE}/imports/{steward_job['id']}/")
    expected = {"superuser": 200, "backbone": 200, "steward": 200, "other_steward": 404}
    assert detail.status_code == expected.get(role, REFUSED.get(role, 403))
    if listing.status_code == 200:
        ids = {job["id"] for job in results(listing)}
        assert ids == ({steward_job["id"]} if detail.status_code == 200 else set())
    else:
        assert listing.status_code == REFUSED.get(role, 403)


@pytest.mark.parametrize("role", EVERYONE)
def test_only_the_uploader_imports_a_previewed_file(api, steward_job, role):
    response = api(role).post(f"{BASE}/imports/{steward_job['id']}/commit/")
    expected = {"steward": 200, "other_steward": 404, "backbone": 404, "superuser": 404}
    assert response.status_code == expected.get(role, REFUSED.get(role, 403)), response.content
    assert DataPoint.objects.exists() == (role == "steward")


def test_another_partnerships_import_is_not_found(api, world):
    job = ImportJob.objects.create(
        partnership=world.other_partnership, user=world.users["outsider"], filename="x.csv",
        file=SimpleUploadedFile("x.csv", b"x"),
    )  # fmt: skip
    for role in ("backbone", "superuser"):
        assert api(role).get(f"{BASE}/imports/{job.code}/").status_code == 404
        assert api(role).post(f"{BASE}/imports/{job.code}/commit/").status_code == 404


# --- preview, import, errors -------------------------------------------------------


def test_dry_run_previews_and_writes_nothing(api, world):
    body = send(api("steward")).json()
    assert body["status"] == "previewed" and body["ok"] is True
    assert body["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    assert body["total_rows"] == 2 and body["issues"] == [] and body["result"] is None
    assert {row["period"] for row in body["rows"]} == {"2022-23", "2021-22"}
    assert body["url"].endswith(f"/imports/{body['id']}/")
    assert not DataPoint.objects.exists()


def test_errors_come_with_row_column_and_the_browsers_message(api, world):
    body = send(api("steward"), BAD).json()
    assert body["ok"] is False and body["counts"]["error"] == 2
    by_row = {issue["row"]: issue for issue in body["issues"]}
    assert by_row[2]["column"] == "value" and "148" in by_row[2]["value"]
    assert by_row[3]["column"] == "indicator"
    assert "steward" in by_row[3]["message"] or "may not" in by_row[3]["message"]
    assert all(issue["message"] for issue in body["issues"])
    # The same messages as the import service gives the browser.
    from indicators.imports import import_preview

    preview = import_preview(partnership=world.partnership, user=world.users["steward"],
                             file=f"{HEADER}\n{BAD}".encode(), filename="data.csv")  # fmt: skip
    assert [issue["message"] for issue in body["issues"]] == [i.message for i in preview.issues]


def test_import_in_one_step_creates_drafts_with_history(api, world):
    response = send(api("steward"), dry_run=False)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "committed"
    assert body["result"] == {"created": 2, "updated": 0, "unchanged": 0, "approved_changed": []}
    points = DataPoint.objects.filter(indicator=world.indicator)
    assert points.count() == 2 and {p.status for p in points} == {DataStatus.DRAFT}
    assert all(p.changes.exists() for p in points)


def test_a_file_with_an_error_imports_nothing_and_answers_400(api, world):
    response = send(api("steward"), GOOD + "k-ready,2023-24,,,,148,,,,\n", dry_run=False)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected" and "Nothing was imported" in body["error"]
    assert [(i["row"], i["column"]) for i in body["issues"]] == [(4, "value")]
    assert not DataPoint.objects.exists()


def test_invalid_uploads_are_400_by_field_with_the_browsers_words(api, world):
    client = api("steward")
    wrong_type = send(client, name="data.pdf")
    assert wrong_type.status_code == 400
    assert "Choose a CSV file (.csv) or an Excel workbook" in wrong_type.json()["file"][0]
    missing = client.post(f"{BASE}/imports/", {"dry_run": "true"}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    assert not ImportJob.objects.exists()


def test_a_bad_header_is_a_file_issue(api, world):
    upload = SimpleUploadedFile("data.csv", b"what,ever\n1,2\n", content_type="text/csv")
    body = api("steward").post(f"{BASE}/imports/", {"file": upload}, format="multipart").json()
    assert body["ok"] is False and body["file_issues"]
    assert body["issues"][0]["row"] == 1  # the header row


def test_commit_of_a_preview_insists_on_the_data_it_saw(api, world):
    kind = world.indicator.period_kind
    point = DataPointFactory(indicator=world.indicator, period=period("2022-23", kind),
                             value="40", numerator=80, denominator=200,
                             status=DataStatus.DRAFT)  # fmt: skip
    client = api("steward")
    job = send(client).json()
    assert job["counts"]["update"] == 1
    datapoint_update(point=point, expected_version=1, value="41", numerator=82)
    stale = client.post(f"{BASE}/imports/{job['id']}/commit/")
    assert stale.status_code == 409 and "since you previewed" in stale.json()["error"]
    again = client.post(f"{BASE}/imports/{job['id']}/commit/")
    assert again.status_code == 409 and again.json()["status"] == "rejected"
    point.refresh_from_db()
    assert point.value == 41


# --- large files ---------------------------------------------------------------------


@pytest.mark.parametrize("dry_run,final", [(True, "previewed"), (False, "committed")])
def test_large_files_run_as_tasks_and_answer_202(
    api, world, monkeypatch, django_capture_on_commit_callbacks, dry_run, final
):
    monkeypatch.setattr(views_import, "SYNC_MAX_BYTES", 10)
    client = api("steward")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = send(client, dry_run=dry_run)
    assert response.status_code == 202
    queued = response.json()
    assert queued["status"] == "previewing" and queued["running"] is True
    assert response["Location"] == queued["url"]
    assert len(callbacks) == 1
    callbacks[0]()  # the task runs (eagerly, in tests)
    polled = client.get(queued["url"]).json()
    assert polled["status"] == final and polled["running"] is False and polled["progress"] == 100
    assert DataPoint.objects.count() == (0 if dry_run else 2)


def test_a_task_delivered_twice_does_nothing_the_second_time(api, world, monkeypatch):
    from indicators.api_import_tasks import run_import_preview_and_commit

    monkeypatch.setattr(views_import, "SYNC_MAX_BYTES", 10)
    job = ImportJob.objects.get(code=send(api("steward"), dry_run=False).json()["id"])
    assert run_import_preview_and_commit(job.pk) == ImportStatus.COMMITTED
    assert run_import_preview_and_commit(job.pk) == "skipped"
    assert DataPoint.objects.count() == 2
