"""Action networks, the contribution map, meetings and funding in Chromium: a steward
adds an activity for their organization and marks their overdue action item done;
backbone staff record a decision; a funder reads the investment summary; every page
fits a phone (wide tables scroll inside their own box) with no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, horizontal_overflow, sign_in

from .conftest import build

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_world(live_world):
    return build(live_world)


def _pages(ow) -> dict[str, str]:
    return {
        "networks": "/p/riverside/networks/",
        "network": "/p/riverside/networks/ready-for-k/",
        "activities": "/p/riverside/activities/",
        "contributions": "/p/riverside/contributions/",
        "meetings": "/p/riverside/meetings/",
        "meeting": f"/p/riverside/meetings/{ow.past_meeting.pk}/",
        "action-items": "/p/riverside/action-items/",
    }


def test_steward_adds_an_activity_and_closes_their_item(
    page: Page, live_server, browser_world, console_errors, screenshot_dir
):
    ow = browser_world
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, ow, "steward", "/p/riverside/networks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Action networks")
    nav = page.get_by_role("navigation", name=ow.partnership.name)
    # The Partnership menu is marked as holding the current page; opened, it shows
    # Networks as current and no Funding for a steward.
    nav.get_by_text("Partnership", exact=True).click()
    expect(nav.get_by_role("link", name="Networks")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Funding")).to_have_count(0)
    nav.get_by_text("Partnership", exact=True).click()

    page.get_by_role("link", name="All activities").click()
    page.get_by_role("link", name="Add an activity").click()
    page.get_by_label("Title").fill("Family reading nights")
    page.get_by_label("Start date").fill("2026-01-10")
    page.get_by_label("End date").fill("2025-06-01")
    page.get_by_label("Indicators").select_option(label=f"k-ready · {ow.indicator.name}")
    page.get_by_role("button", name="Save the activity").click()
    expect(page.get_by_text("The end date is before the start date")).to_be_visible()
    page.screenshot(
        path=screenshot_dir / "outcomes-activity-form-error-desktop.png", full_page=True
    )
    page.get_by_label("End date").fill("2026-06-01")
    page.get_by_role("button", name="Save the activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Family reading nights")
    expect(page.get_by_role("region", name="History")).to_contain_text("Created")

    page.goto(f"{live_server.url}/p/riverside/action-items/")
    overdue = page.get_by_role("region", name="Overdue action items")
    expect(overdue).to_contain_text("Send the enrolment data")
    page.screenshot(
        path=screenshot_dir / "outcomes-action-items-steward-desktop.png", full_page=True
    )
    overdue.get_by_role("button", name="Mark “Send the enrolment data” done").click()
    expect(page.get_by_text("Marked “Send the enrolment data” done.")).to_be_visible()
    expect(page.get_by_text("Nothing is overdue.")).to_be_visible()
    assert console_errors == []


def test_backbone_records_a_decision_and_downloads_the_calendar(
    page: Page, live_server, browser_world, console_errors, screenshot_dir
):
    ow = browser_world
    page.set_viewport_size(DESKTOP)
    url = f"/p/riverside/meetings/{ow.meeting.pk}/"
    sign_in(page, live_server, ow, "backbone", url)
    page.get_by_role("textbox", name="Decision").fill("Hold two enrolment fairs in the spring.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("listitem").filter(has_text="Hold two enrolment fairs")).to_be_visible()
    page.get_by_role("button", name="Add the action item").click()
    expect(page.get_by_text("Choose who owns it")).to_be_visible()
    page.screenshot(path=screenshot_dir / "outcomes-meeting-errors-desktop.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"BEGIN:VCALENDAR\r\n") and b"SUMMARY:Ready for K" in content
    assert console_errors == []


@pytest.mark.parametrize("viewport_name", ["desktop", "phone"])
def test_every_page_fits_and_is_screenshotted(
    page: Page, live_server, browser_world, console_errors, screenshot_dir, viewport_name
):
    ow = browser_world
    page.set_viewport_size(DESKTOP if viewport_name == "desktop" else PHONE)
    sign_in(page, live_server, ow, "backbone", "/p/riverside/networks/")
    pages = {
        **_pages(ow),
        "funding": "/p/riverside/funding/",
        "meeting-form": f"/p/riverside/meetings/{ow.meeting.pk}/edit/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert horizontal_overflow(page) == 0, f"{name} is wider than the window"
        page.screenshot(
            path=screenshot_dir / f"outcomes-{name}-{viewport_name}.png", full_page=True
        )
    assert console_errors == []


def test_contribution_map_table_scrolls_inside_its_box_on_a_phone(
    page: Page, live_server, browser_world, console_errors
):
    ow = browser_world
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, ow, "viewer", "/p/riverside/contributions/")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Riverside District")).to_be_visible()
    expect(
        table.get_by_role("rowheader", name="Kindergarten readiness", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("region", name="Indicators nobody is working on")).to_contain_text(
        "summer-reading"
    )
    assert horizontal_overflow(page) == 0
    assert console_errors == []


def test_funder_reads_funding(page: Page, live_server, browser_world, console_errors):
    ow = browser_world
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, ow, "funder", "/p/riverside/funding/")
    summary = page.get_by_role("region", name="Investment in USD")
    expect(summary.get_by_role("row", name="Kindergarten readiness")).to_contain_text("100,000.00")
    expect(page.get_by_role("link", name="Record a commitment")).to_have_count(0)
    assert console_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_steward_removes_a_wrongly_entered_activity(
    page: Page, live_server, browser_world, console_errors, screenshot_dir, viewport
):
    ow = browser_world
    page.set_viewport_size(viewport)
    sign_in(page, live_server, ow, "steward", f"/p/riverside/activities/{ow.activity.pk}/")
    page.get_by_role("link", name="Remove…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove the activity “Pre-K enrolment drive”?"
    )
    details = page.get_by_role("region", name="What will be removed")
    expect(details).to_contain_text("Riverside District")
    expect(details).to_contain_text("Ready for K Network")
    assert horizontal_overflow(page) == 0
    name = "desktop" if viewport == DESKTOP else "phone"
    page.screenshot(path=screenshot_dir / f"outcomes-remove-activity-{name}.png", full_page=True)
    page.get_by_role("button", name="Remove the activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activities and commitments")
    expect(page.get_by_text("Removed the activity “Pre-K enrolment drive”.")).to_be_visible()
    expect(page.get_by_role("link", name="Pre-K enrolment drive")).to_have_count(0)
    expect(page.get_by_role("link", name="Summer bridge camps")).to_be_visible()
    assert console_errors == []
