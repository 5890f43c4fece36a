"""The whole data-entry journey in a real browser, as two people live it: backbone
staff enter a value in the grid, import a CSV with an error, read the preview, fix
the file and import it; the steward submits the drafts; backbone returns one with a
comment and approves the rest; the steward finds the return and its comment in the
indicator's history. No console errors on any page; a screenshot after each step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, sign_in

pytestmark = pytest.mark.browser

GRID = "/p/riverside/data/k-ready/"
IMPORT = "/p/riverside/data/import/"
APPROVALS = "/p/riverside/data/approvals/"
HISTORY = "/p/riverside/data/k-ready/history/"

HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source\n"
GOOD_ROW = "k-ready,2023-24,,,,49.5,99,200,Fall assessment,State kindergarten assessment\n"
BAD_ROW = "k-ready,2024-25,,,,148.5,,,,\n"
FIXED_ROW = "k-ready,2024-25,,,,48.5,,,,\n"
RETURN_COMMENT = "The 2024-25 value looks low; check it against the state file."


def cell(page: Page, period: str):
    return page.get_by_role("textbox", name=f"Partnership-wide, {period}", exact=True)


def watch(page: Page) -> list[str]:
    """Console errors and uncaught errors of a page that is not the ``page`` fixture."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


def upload(page: Page, path) -> None:
    page.get_by_label("File").set_input_files(path)
    page.get_by_role("button", name="Preview the file").click()


def test_from_grid_and_import_to_submit_return_and_history(
    page: Page,
    browser,
    live_server,
    live_world,
    console_errors,
    screenshot_dir,
    settings,
    tmp_path,
):
    from indicators.models import DataPoint, DataStatus

    settings.MEDIA_ROOT = tmp_path / "media"
    url = live_server.url
    shot = screenshot_dir

    # 1. Backbone staff enter a value in the grid with the keyboard and save it.
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, live_world, "backbone", GRID)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kindergarten readiness")
    cell(page, "2021-22").click()
    page.keyboard.press("ArrowRight")
    expect(cell(page, "2022-23")).to_be_focused()
    page.keyboard.type("50.5")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Save 1 change").click()
    expect(page.locator("#grid-status")).to_have_text("Saved 1 value.")
    expect(cell(page, "2022-23")).to_have_value("50.5")
    page.screenshot(path=shot / "journey-1-grid-saved.png", full_page=True)
    assert console_errors == []

    # 2. Backbone imports a file with an error, reads the preview, fixes it, imports.
    page.get_by_role("link", name="Import a file").click()
    expect(page).to_have_url(f"{url}{IMPORT}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")
    bad = tmp_path / "k-ready.csv"
    bad.write_text(HEADER + GOOD_ROW + BAD_ROW)
    upload(page, bad)
    expect(page.get_by_role("heading", name="Preview: 2 rows")).to_be_visible()
    error_row = page.locator(".import-rows tbody tr.import-rows__row--error")
    expect(error_row).to_have_count(1)
    expect(error_row.get_by_role("rowheader")).to_have_text("3")  # header is row 1
    expect(error_row.locator(".import-issues")).to_have_text(
        "value: 148.5 is not a percent; write a number from 0 to 100."
    )
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    expect(page.locator("#commit-blocked")).to_contain_text("Fix the errors")
    page.screenshot(path=shot / "journey-2a-import-errors.png", full_page=True)

    page.get_by_role("link", name="Import a file").click()
    fixed = tmp_path / "k-ready-fixed.csv"
    fixed.write_text(HEADER + GOOD_ROW + FIXED_ROW)
    upload(page, fixed)
    expect(page.get_by_role("heading", name="Preview: 2 rows")).to_be_visible()
    expect(page.locator(".import-rows tbody tr.import-rows__row--error")).to_have_count(0)
    expect(page.locator(".import-rows tbody tr.import-rows__row--create")).to_have_count(2)
    page.get_by_role("button", name="Import 2 rows").click()
    outcome = page.locator(".import-outcome")
    expect(outcome.get_by_role("heading", name="The file was imported")).to_be_visible()
    expect(outcome).to_contain_text("2 data points created, 0 updated, 0 unchanged.")
    page.screenshot(path=shot / "journey-2b-import-done.png", full_page=True)
    assert console_errors == []

    # 3. The steward, in another browser, submits the three drafts.
    context = browser.new_context(viewport=DESKTOP)
    steward = context.new_page()
    steward_errors = watch(steward)
    sign_in(steward, live_server, live_world, "steward", GRID)
    for period in ("2022-23", "2023-24", "2024-25"):
        expect(steward.locator(f'td[data-period="{period}"][data-geo=""]')).to_have_attribute(
            "data-status", "draft"
        )
    steward.get_by_role("button", name="Submit drafts").click()
    expect(steward.locator("#grid-status")).to_have_text("Submitted 3 values.")
    for period in ("2022-23", "2023-24", "2024-25"):
        expect(steward.locator(f'td[data-period="{period}"][data-geo=""]')).to_have_attribute(
            "data-status", "submitted"
        )
    steward.screenshot(path=shot / "journey-3-steward-submitted.png", full_page=True)
    assert steward_errors == []

    # 4. Backbone returns one with a comment and approves the rest.
    page.goto(f"{url}{APPROVALS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submitted data")
    expect(page.locator("input[name=point]")).to_have_count(3)
    page.get_by_role("checkbox", name="Select k-ready 2024-25 partnership-wide").check()
    page.get_by_label("Comment for returning (required)").fill(RETURN_COMMENT)
    page.get_by_role("button", name="Return selected").click()
    expect(page.get_by_text("Returned 1 data point.")).to_be_visible()
    expect(page.locator("input[name=point]")).to_have_count(2)
    page.get_by_role("checkbox", name="Select every data point on this page").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_text("Approved 2 data points.")).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing to approve")).to_be_visible()
    page.screenshot(path=shot / "journey-4-approvals.png", full_page=True)
    assert console_errors == []

    # 5. The steward sees the return and its comment in the indicator's history.
    steward.goto(f"{url}{HISTORY}")
    expect(steward.get_by_role("heading", level=1)).to_have_text("History of k-ready")
    returned = steward.get_by_role("row").filter(has=steward.locator(".action--returned"))
    expect(returned).to_have_count(1)
    expect(returned).to_contain_text("2024-25")
    expect(returned).to_contain_text("backbone")
    expect(returned).to_contain_text(RETURN_COMMENT)
    steward.screenshot(path=shot / "journey-5-steward-history.png", full_page=True)
    assert steward_errors == []
    context.close()

    statuses = dict(
        DataPoint.objects.filter(
            indicator=live_world.indicator, period__label__in=["2022-23", "2023-24", "2024-25"]
        ).values_list("period__label", "status")
    )
    assert statuses == {
        "2022-23": DataStatus.APPROVED,
        "2023-24": DataStatus.APPROVED,
        "2024-25": DataStatus.RETURNED,
    }
