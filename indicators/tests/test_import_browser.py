"""Importing a file in a real browser: a steward goes from the data home to the
import page, chooses a small CSV with the file input, sees the preview, imports
it and sees the outcome; no console errors; desktop screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from indicators.tests.test_entry_browser import DESKTOP, sign_in

pytestmark = pytest.mark.browser

CSV = (
    "indicator,period,geography,dimension,category,value,numerator,denominator,note,source\n"
    "k-ready,2022-23,,,,48.5,97,200,Fall assessment,State kindergarten assessment\n"
    "k-ready,2021-22,,,,47,94,200,,\n"
)


def test_steward_uploads_previews_and_imports_a_csv(
    page: Page, live_server, live_world, console_errors, screenshot_dir, settings, tmp_path
):
    from indicators.models import DataPoint

    settings.MEDIA_ROOT = tmp_path
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, live_world, "steward", "/p/riverside/data/")
    page.get_by_role("link", name="Import a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")

    page.get_by_label("File").set_input_files(
        files=[{"name": "k-ready.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Preview the file").click()
    expect(page.get_by_role("heading", name="Preview: 2 rows")).to_be_visible()
    # 2022-23 is new; 2021-22 updates the fixture's existing point.
    expect(page.locator(".import-rows tbody tr")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "import-preview-desktop.png", full_page=True)

    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_role("heading", name="The file was imported")).to_be_visible()
    page.screenshot(path=screenshot_dir / "import-done-desktop.png", full_page=True)
    assert DataPoint.objects.filter(note="Fall assessment").count() == 1
    assert console_errors == []
