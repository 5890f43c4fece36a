"""The reports pages in Chromium: backbone staff build reports and follow a report's
progress; a funder downloads one on a phone. Screenshots go to ``screenshot_dir``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboards.models import Report, ReportStatus
from partnership.tests.browser import DESKTOP, PHONE, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

LIST = "/p/riverside/reports/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_backbone_builds_reports_and_a_funder_downloads_one(
    page: Page, live_server, live_world, console_errors, screenshot_dir, browser
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, live_world, "backbone", LIST)
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress reports")
    # Backbone staff find it in the navigation's Reports menu (with the report card).
    expect(page.locator('nav a[aria-current="page"]', has_text="Progress reports")).to_have_count(1)
    page.screenshot(path=screenshot_dir / "reports-builder-desktop.png", full_page=True)

    page.get_by_label("PDF").uncheck()
    page.get_by_label("Excel (.xlsx)").check()
    page.get_by_label("CSV (tidy long form)").check()
    page.get_by_label("Kindergarten readiness").check()
    page.get_by_role("button", name="Build the report").click()
    expect(page).to_have_url(f"{live_server.url}{LIST}")
    rows = page.get_by_role("row").filter(has_text="Kindergarten readiness")
    expect(rows).to_have_count(2)
    expect(rows.get_by_role("link", name="Download the")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "reports-list-desktop.png", full_page=True)
    assert console_errors == []

    funder = browser.new_context(viewport=PHONE).new_page()
    sign_in(funder, live_server, live_world, "funder", LIST)
    expect(funder.get_by_role("heading", name="Build a report")).to_have_count(0)
    expect(funder.locator('nav a[aria-current="page"]', has_text="Reports")).to_have_count(1)
    with funder.expect_download() as download:
        funder.get_by_role("link", name="Download the").first.click()
    assert download.value.suggested_filename.startswith("riverside-progress-report-")
    funder.screenshot(path=screenshot_dir / "reports-list-funder-phone.png", full_page=True)
    assert horizontal_overflow(funder) == 0


def test_a_report_being_built_shows_its_progress(
    page: Page, live_server, live_world, console_errors, screenshot_dir
):
    report = Report.objects.create(
        partnership=live_world.partnership,
        format="pdf",
        scope_label="The whole partnership",
        created_by=live_world.users["backbone"],
        status=ReportStatus.RUNNING,
        progress=40,
        progress_message="Drawing charts: 20 of 53",
    )
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        if name == "desktop":
            sign_in(page, live_server, live_world, "backbone", LIST)
        page.goto(f"{live_server.url}/p/riverside/reports/{report.code}/")
        expect(page.get_by_role("progressbar")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("Drawing charts: 20 of 53")
        # The page polls the status endpoint: a change shows without a reload.
        Report.objects.filter(pk=report.pk).update(progress=80, progress_message="Laying out")
        expect(page.get_by_role("status")).to_contain_text("80% · Laying out", timeout=5000)
        page.screenshot(path=screenshot_dir / f"report-progress-{name}.png", full_page=True)
        Report.objects.filter(pk=report.pk).update(
            progress=40, progress_message="Drawing charts: 20 of 53"
        )
        assert horizontal_overflow(page) == 0
    assert console_errors == []
