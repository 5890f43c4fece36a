"""The entry grid in a real browser: a steward types a value with the keyboard and
saves it; a second person's save of the same cell meanwhile comes back as a
conflict showing their value; no console errors; desktop and phone screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def grid_world(live_world):
    from indicators.models import DataStatus, GeographyKind
    from partnership.tests.factories import DataPointFactory, GeographyFactory, period

    region = GeographyFactory(
        partnership=live_world.partnership, code="RIV", name="Riverside County", kind="region"
    )
    north = GeographyFactory(
        partnership=live_world.partnership, code="ND", name="North District", parent=region
    )
    GeographyFactory(
        partnership=live_world.partnership,
        code="ND-01",
        name="Lincoln Elementary",
        parent=north,
        kind=GeographyKind.SCHOOL,
    )
    DataPointFactory(
        indicator=live_world.indicator,
        geography=north,
        period=period("2021-22", "school_year"),
        value=48,
        numerator=96,
        denominator=200,
        status=DataStatus.SUBMITTED,
    )
    DataPointFactory(
        indicator=live_world.indicator,
        geography=region,
        period=period("2021-22", "school_year"),
        value=51,
        status=DataStatus.RETURNED,
    )
    return live_world


def cell(page: Page, row: str, period: str):
    return page.get_by_role("textbox", name=f"{row}, {period}", exact=True)


def test_steward_types_saves_and_meets_a_conflict(
    page: Page, browser, live_server, grid_world, console_errors, screenshot_dir
):
    url = "/p/riverside/data/k-ready/"
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, grid_world, "steward", url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kindergarten readiness")

    # Keyboard: start in 2020-21, move right to 2021-22, down to the region, type.
    cell(page, "Partnership-wide", "2020-21").click()
    page.keyboard.press("ArrowRight")
    expect(cell(page, "Partnership-wide", "2021-22")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(cell(page, "North District", "2021-22")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.type("53")
    page.keyboard.press("Escape")  # reverts
    expect(cell(page, "Riverside County", "2021-22")).to_have_value("51")
    page.keyboard.type("53")
    page.keyboard.press("Enter")
    expect(cell(page, "North District", "2021-22")).to_be_focused()
    page.keyboard.type("abc")
    expect(cell(page, "North District", "2021-22")).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Escape")
    save = page.get_by_role("button", name="Save 1 change")
    expect(save).to_be_enabled()
    save.click()
    status = page.get_by_role("status").filter(has_text="Saved")
    expect(status).to_have_text("Saved 1 value.")
    expect(cell(page, "Riverside County", "2021-22")).to_have_value("53")

    # Someone else (backbone staff, in another browser) changes 2021-22 partnership-wide.
    other_context = browser.new_context(viewport=DESKTOP)
    other = other_context.new_page()
    sign_in(other, live_server, grid_world, "backbone", url)
    cell(other, "Partnership-wide", "2021-22").fill("61")
    other.get_by_role("button", name="Save 1 change").click()
    expect(other.get_by_role("status").filter(has_text="Saved")).to_have_text("Saved 1 value.")
    other_context.close()

    # The steward, still on the old page, edits the same cell: a conflict, not an overwrite.
    cell(page, "Partnership-wide", "2021-22").click()
    page.keyboard.type("52")
    page.get_by_role("button", name="Save 1 change").click()
    expect(page.get_by_role("status").filter(has_text="conflict")).to_contain_text("1 conflict")
    conflicts = page.get_by_role("region", name="Someone else changed these values")
    expect(conflicts).to_contain_text("it is now 61")
    expect(conflicts).to_contain_text("Yours: 52")
    page.screenshot(path=screenshot_dir / "entry-grid-conflict-desktop.png", full_page=True)

    conflicts.get_by_role("button", name="Keep theirs").click()
    expect(cell(page, "Partnership-wide", "2021-22")).to_have_value("61")
    expect(conflicts).to_be_hidden()

    # Emptying a saved cell removes its value (kept in the history).
    cell(page, "Riverside County", "2021-22").fill("")
    expect(page.locator("#cell-panel")).to_contain_text("saving removes this value")
    page.get_by_role("button", name="Save 1 change").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_have_text("Saved 1 value.")
    expect(cell(page, "Riverside County", "2021-22")).to_have_value("")

    # The panel edits numerator and denominator of the selected cell.
    cell(page, "North District", "2021-22").click()
    expect(page.get_by_label("Numerator")).to_have_value("96")
    page.get_by_label("Denominator").fill("100")
    expect(page.locator("#cell-error")).to_contain_text("does not match")
    page.screenshot(path=screenshot_dir / "entry-grid-desktop.png", full_page=True)
    page.get_by_label("Denominator").fill("200")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(cell(page, "Partnership-wide", "2021-22")).to_have_value("61")
    overflow = page.evaluate(
        "Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    assert overflow == 0
    page.screenshot(path=screenshot_dir / "entry-grid-phone.png", full_page=True)
    assert console_errors == []


def test_backbone_sees_the_queue_and_approves_in_bulk(
    page: Page, live_server, grid_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, grid_world, "backbone", "/p/riverside/data/approvals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submitted data")
    page.screenshot(path=screenshot_dir / "approval-queue-desktop.png", full_page=True)
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_text(re.compile(r"Approved 1 data point"))).to_be_visible()
    page.goto(f"{live_server.url}/p/riverside/data/")
    page.screenshot(path=screenshot_dir / "data-home-desktop.png", full_page=True)
    page.goto(f"{live_server.url}/p/riverside/data/k-ready/history/")
    page.screenshot(path=screenshot_dir / "indicator-history-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/p/riverside/data/approvals/")
    page.screenshot(path=screenshot_dir / "approval-queue-phone.png", full_page=True)
    assert console_errors == []
