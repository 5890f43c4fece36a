"""Importing a file in the browser: upload, preview, commit, the error report and
the template; who may do what; the background path for large files; and the
progress hook of the import service."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import views_import
from indicators.import_tasks import purge_old_import_files
from indicators.imports import MAX_BYTES, import_preview
from indicators.models import DataPoint, DataPointChange, ImportJob, ImportStatus
from indicators.services import datapoint_update
from partnership.tests.factories import DataPointFactory, period
from partnership.tests.world import ROLE_NAMES

HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source"
GOOD = "k-ready,2022-23,,,,48.5,97,200,Fall assessment,State\nk-ready,2021-22,,,,45,90,200,,\n"
BAD = 'k-ready,2022-23,,,,148,,,=HYPERLINK("x"),\nsummer-reading,2022-23,,,,40,,,,\n'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_file(body: str, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f"{HEADER}\n{body}".encode(), content_type="text/csv")


def upload(client, body: str = GOOD, name: str = "data.csv", **data):
    url = reverse("import_upload", args=["riverside"])
    return client.post(url, {"file": csv_file(body, name), **data})


def last_job() -> ImportJob:
    return ImportJob.objects.latest("id")


def job_url(name: str, job: ImportJob) -> str:
    return reverse(name, args=["riverside", job.code])


def commit(client, job: ImportJob):
    return client.post(job_url("import_commit", job))


# ---------- Who may do what ----------

# upload page, a job of the steward's (detail, status, error report), its commit,
# and k-ready's template.
EXPECTED = {
    "superuser": (200, 200, 404, 200),
    "backbone": (200, 200, 404, 200),
    "steward": (200, 200, 302, 200),
    "other_steward": (200, 404, 404, 403),
    "viewer": (403, 403, 403, 403),
    "funder": (403, 403, 403, 403),
    "outsider": (404, 404, 404, 404),
}


@pytest.fixture
def steward_job(client_as, world):
    upload(client_as("steward"), GOOD)
    return last_job()


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_every_import_page_answers_each_role_as_its_rights_say(client_as, world, steward_job, name):
    page, job_page, committing, template = EXPECTED[name]
    client = client_as(name)
    got_page = client.get(reverse("import_upload", args=["riverside"])).status_code
    got_job = {
        client.get(job_url(view, steward_job)).status_code
        for view in ("import_detail", "import_status", "import_error_report")
    }
    got_commit = commit(client, steward_job).status_code
    got_template = client.get(reverse("import_template", args=["riverside", "k-ready"]))
    assert (got_page, got_job, got_commit, got_template.status_code) == (
        page,
        {job_page},
        committing,
        template,
    )
    # Only the steward, who uploaded it, imported it.
    assert DataPoint.objects.exists() == (name == "steward")


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_upload_needs_the_right_to_import(client_as, world, name):
    status = upload(client_as(name)).status_code
    assert status == {"viewer": 403, "funder": 403, "outsider": 404}.get(name, 302)
    assert ImportJob.objects.exists() == (status == 302)


def test_anonymous_is_sent_to_sign_in_everywhere(client_as, world, steward_job):
    client = client_as("anonymous")
    urls = [
        reverse("import_upload", args=["riverside"]),
        reverse("import_template", args=["riverside", "k-ready"]),
        *(job_url(v, steward_job) for v in ("import_detail", "import_status", "import_commit")),
        job_url("import_error_report", steward_job),
    ]
    for url in urls:
        response = client.post(url) if url.endswith("/commit/") else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert upload(client).status_code == 302
    assert ImportJob.objects.count() == 1


def test_stewards_list_their_own_imports_and_backbone_all(client_as, world, steward_job):
    upload(client_as("other_steward"), "summer-reading,2022-23,,,,40,,,,\n", name="ymca.csv")
    page = reverse("import_upload", args=["riverside"])
    steward = client_as("steward").get(page).content.decode()
    assert "data.csv" in steward and "ymca.csv" not in steward
    backbone = client_as("backbone").get(page).content.decode()
    assert "data.csv" in backbone and "ymca.csv" in backbone


def test_a_row_for_another_organizations_indicator_is_a_row_error(client_as, world):
    upload(client_as("steward"), "summer-reading,2022-23,,,,40,,,,\n")
    job = last_job()
    assert job.preview["counts"]["error"] == 1
    assert "Riverside YMCA" in job.preview["rows"][0]["issues"][0][1]


def test_data_home_and_grid_link_to_import_and_the_template(client_as, world):
    client = client_as("steward")
    home = client.get(reverse("data_home", args=["riverside"])).content.decode()
    assert reverse("import_upload", args=["riverside"]) in home
    grid = client.get(reverse("entry_grid", args=["riverside", "k-ready"])).content.decode()
    assert reverse("import_upload", args=["riverside"]) in grid
    assert reverse("import_template", args=["riverside", "k-ready"]) in grid


# ---------- Upload, preview, commit ----------


def test_small_file_round_trip_preview_then_commit(client_as, world):
    client = client_as("steward")
    response = upload(client, GOOD)
    job = last_job()
    assert response["Location"] == job_url("import_detail", job)
    assert job.status == ImportStatus.PREVIEWED and job.user == world.users["steward"]
    assert job.file.name.startswith("imports/")
    assert not DataPoint.objects.exists()
    page = client.get(job_url("import_detail", job)).content.decode()
    assert "Preview: 2 rows" in page
    assert "import-badge--create" in page and "Import 2 rows" in page

    response = commit(client, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.progress == 100
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "approved_changed": []}
    assert DataPoint.objects.filter(indicator=world.indicator).count() == 2
    page = client.get(job_url("import_detail", job)).content.decode()
    assert "The file was imported" in page and "2 data points created" in page
    # A second press does nothing more.
    commit(client, job)
    assert DataPointChange.objects.count() == 2


def test_the_same_file_again_is_all_unchanged(client_as, world):
    client = client_as("steward")
    upload(client, GOOD)
    commit(client, last_job())
    upload(client, GOOD)
    job = last_job()
    assert job.preview["counts"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0}
    commit(client, job)
    job.refresh_from_db()
    assert job.result["unchanged"] == 2


def test_an_update_shows_old_and_new_value(client_as, world):
    DataPointFactory(indicator=world.indicator, period=period("2022-23", "school_year"), value=40)
    client = client_as("backbone")
    upload(client, "k-ready,2022-23,,,,48.5,97,200,,\n")
    page = client.get(job_url("import_detail", last_job())).content.decode()
    assert "import-badge--update" in page
    assert '<span class="import-rows__old">40' in page


def test_error_file_blocks_commit_and_reports_each_problem(client_as, world):
    client = client_as("steward")
    upload(client, BAD)
    job = last_job()
    assert job.status == ImportStatus.PREVIEWED and not job.preview["ok"]
    page = client.get(job_url("import_detail", job)).content.decode()
    assert views_import.ERRORS_BLOCK_COMMIT in page
    assert 'disabled aria-describedby="commit-blocked"' in page
    assert "Download error report" in page

    response = client.get(job_url("import_error_report", job))
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="data-errors.csv"' == response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["row", "column", "value", "message"]
    assert {row[0] for row in rows[1:]} == {"2", "3"}
    assert all(row[3] for row in rows[1:])
    assert not any(cell.startswith("=") for row in rows for cell in row)

    # Posting the commit anyway changes nothing.
    commit(client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED
    assert not DataPoint.objects.exists()


def test_unreadable_header_is_shown_as_a_file_problem(client_as, world):
    client = client_as("steward")
    url = reverse("import_upload", args=["riverside"])
    client.post(url, {"file": SimpleUploadedFile("x.csv", b"colour,shape\nred,round\n")})
    job = last_job()
    page = client.get(job_url("import_detail", job)).content.decode()
    assert "This file cannot be read" in page and "Unknown column" in page


def test_oversize_file_is_refused_with_the_limit(client_as, world):
    client = client_as("steward")
    big = SimpleUploadedFile("big.csv", b"x" * (MAX_BYTES + 1))
    response = client.post(reverse("import_upload", args=["riverside"]), {"file": big})
    assert response.status_code == 400
    assert "at most 20 MB" in response.content.decode()
    assert "100,000 rows" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_old_excel_file_is_refused_at_upload(client_as, world):
    response = upload(client_as("steward"), GOOD, name="data.xls")
    assert response.status_code == 400
    assert "Excel workbook (.xlsx)" in response.content.decode()


def test_encoding_choice_is_kept_and_used(client_as, world):
    client = client_as("steward")
    data = f"{HEADER}\nk-ready,2022-23,,,,48.5,,,Café,\n".encode("cp1252")
    url = reverse("import_upload", args=["riverside"])
    client.post(url, {"file": SimpleUploadedFile("w.csv", data), "encoding": "cp1252"})
    job = last_job()
    assert job.encoding == "cp1252" and job.preview["ok"]
    commit(client, job)
    assert DataPoint.objects.get().note == "Café"


def test_stale_preview_is_refused_with_a_clear_message(client_as, world):
    point = DataPointFactory(
        indicator=world.indicator, period=period("2022-23", "school_year"), value=40
    )
    client = client_as("steward")
    upload(client, "k-ready,2022-23,,,,48.5,97,200,,\n")
    job = last_job()
    datapoint_update(
        point=point, expected_version=point.version, user=world.users["backbone"], value="41"
    )
    commit(client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    page = client.get(job_url("import_detail", job)).content.decode()
    assert "Nothing was imported" in page and "changed data" in page
    point.refresh_from_db()
    assert point.value == 41


def test_rows_that_became_errors_since_the_preview_are_shown(client_as, world):
    client = client_as("steward")
    upload(client, GOOD)
    job = last_job()
    world.indicator.steward = world.other_org
    world.indicator.save()
    commit(client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED and job.preview["counts"]["error"] == 2
    page = client.get(job_url("import_detail", job)).content.decode()
    assert "Nothing was imported" in page
    assert not DataPoint.objects.exists()


def test_detail_page_asks_a_fixed_number_of_queries(client_as, world):
    client = client_as("steward")
    counts = []
    for n in (1, 40):
        body = "".join(f"k-ready,{2000 + i}-{(1 + i) % 100:02d},,,,50,,,,\n" for i in range(n))
        upload(client, body)
        job = last_job()
        assert job.preview["total"] == n
        with CaptureQueriesContext(connection) as queries:
            assert client.get(job_url("import_detail", job)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_many_rows_are_capped_on_the_page_with_a_note(client_as, world, monkeypatch):
    monkeypatch.setattr(views_import, "PREVIEW_ROWS", 3)
    monkeypatch.setattr("indicators.import_tasks.PREVIEW_ROWS", 3)
    client = client_as("steward")
    body = "".join(f"k-ready,{2000 + i}-{(1 + i) % 100:02d},,,,50,,,,\n" for i in range(5))
    upload(client, body + "k-ready,nonsense,,,,50,,,,\n")
    job = last_job()
    assert len(job.preview["rows"]) == 3 and job.preview["rows"][0]["status"] == "error"
    page = client.get(job_url("import_detail", job)).content.decode()
    assert "Showing the first 3 of 6 rows, errors first" in page


# ---------- Large files: background tasks with progress ----------


def test_large_file_goes_through_the_tasks_with_progress(
    client_as, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views_import, "SYNC_MAX_BYTES", 10)
    client = client_as("steward")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(client, GOOD)
    assert len(callbacks) == 1
    job = last_job()
    assert job.status == ImportStatus.PREVIEWED
    assert (job.progress, job.progress_message) == (100, "Preview ready")
    status = client.get(job_url("import_status", job)).json()
    assert status == {
        "status": "previewed",
        "label": "Preview ready",
        "progress": 100,
        "message": "Preview ready",
        "running": False,
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        commit(client, job)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.progress == 100
    assert job.finished_at is not None
    assert DataPoint.objects.count() == 2


def test_a_running_job_shows_an_accessible_progress_bar(client_as, world, monkeypatch):
    monkeypatch.setattr(views_import, "SYNC_MAX_BYTES", 10)
    client = client_as("steward")
    upload(client, GOOD)  # the task waits for the commit, which never comes in this test
    job = last_job()
    assert job.status == ImportStatus.PREVIEWING
    page = client.get(job_url("import_detail", job)).content.decode()
    assert '<progress id="progress-bar" max="100" value="0">' in page
    assert 'aria-live="polite"' in page and "import-progress.js" in page
    assert client.get(job_url("import_status", job)).json()["running"] is True


def test_a_task_for_a_job_in_another_state_does_nothing(world):
    from indicators.import_tasks import run_import_commit, run_import_preview

    job = ImportJob.objects.create(
        partnership=world.partnership,
        user=world.users["steward"],
        filename="x.csv",
        file=SimpleUploadedFile("x.csv", f"{HEADER}\n{GOOD}".encode()),
    )
    assert run_import_preview(job.pk) == "skipped"
    assert run_import_commit(job.pk) == "skipped"
    job.status = ImportStatus.PREVIEWING
    job.save()
    assert run_import_preview(job.pk) == "previewed"


def test_the_service_reports_progress_per_phase_and_every_5000_rows(world):
    body = "".join(
        f"k-ready,{1000 + i % 1000}-{(1 + i) % 100:02d},,,,50,,,,\n" for i in range(12_000)
    )
    seen: list[tuple[int, str]] = []
    import_preview(
        partnership=world.partnership,
        user=world.users["backbone"],
        file=f"{HEADER}\n{body}".encode(),
        filename="big.csv",
        progress=lambda percent, message: seen.append((percent, message)),
    )
    messages = [message for _, message in seen]
    assert messages[:2] == ["Reading the file", "Checking 12,000 rows"]
    assert "Checked row 5,000 of 12,000" in messages
    assert "Checked row 10,000 of 12,000" in messages
    percents = [percent for percent, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 95


# ---------- The template ----------


def test_template_download_per_indicator(client_as, world):
    response = client_as("steward").get(reverse("import_template", args=["riverside", "k-ready"]))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="k-ready-import-template.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == HEADER.split(",")
    assert rows[1][0] == "k-ready"


def test_progress_is_saved_outside_the_commit_transaction_only(world):
    from django.db import transaction

    from indicators.import_tasks import _progress_writer

    job = ImportJob.objects.create(
        partnership=world.partnership, user=world.users["steward"], filename="x.csv", file="x"
    )
    progress = _progress_writer(job)
    progress(10, "Checking 3 rows")
    with transaction.atomic():
        progress(60, "Writing 3 rows")
        assert ImportJob.objects.get(pk=job.pk).progress == 10
    job.refresh_from_db()
    assert (job.progress, job.progress_message) == (10, "Checking 3 rows")


# ---------- Uploaded files are not kept forever ----------


def test_old_upload_files_are_removed_and_their_jobs_kept(client_as, world, settings):
    client = client_as("steward")
    upload(client, GOOD)
    committed = last_job()
    assert commit(client, committed).status_code == 302
    upload(client, GOOD, name="later.csv")
    abandoned = last_job()  # previewed, never imported
    upload(client, GOOD, name="recent.csv")
    recent = last_job()
    long_ago = timezone.now() - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS + 1)
    ImportJob.objects.filter(pk__in=[committed.pk, abandoned.pk]).update(created_at=long_ago)
    paths = {job.pk: job.file.path for job in (committed, abandoned, recent)}

    assert purge_old_import_files() == 2

    assert not os.path.exists(paths[committed.pk]) and not os.path.exists(paths[abandoned.pk])
    assert os.path.exists(paths[recent.pk])
    committed.refresh_from_db()
    abandoned.refresh_from_db()
    assert committed.status == ImportStatus.COMMITTED and committed.result["created"] == 2
    assert committed.file.name == ""
    assert abandoned.status == ImportStatus.REJECTED and "Upload the file again" in abandoned.error
    # The pages of both still open, and the expired preview can no longer be imported.
    assert client.get(job_url("import_detail", committed)).status_code == 200
    page = client.get(job_url("import_detail", abandoned))
    assert page.status_code == 200 and "Upload the file again" in page.content.decode()
    commit(client, abandoned)
    abandoned.refresh_from_db()
    assert abandoned.status == ImportStatus.REJECTED
    assert purge_old_import_files() == 0  # nothing left to remove
