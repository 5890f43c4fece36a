"""Data requests in a real browser: backbone staff ask a partner through the form, the
steward sees what they owe (overdue first) on the home page, backbone staff read
completeness; no console errors, no sideways scrolling on a phone; screenshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser


def overflow(page: Page) -> int:
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


@pytest.fixture
def request_world(live_world):
    from indicators.data_requests import data_request_create
    from indicators.models import DataRequest
    from partnership.tests.factories import period

    today = timezone.localdate()
    for indicator, label, due_in in (
        (live_world.indicator, "2022-23", 5),
        (live_world.other_indicator, "2022-23", 5),
    ):
        created = data_request_create(
            user=live_world.users["backbone"],
            indicator=indicator,
            period=period(label, indicator.period_kind),
            due_date=today + timedelta(days=due_in),
            message="Please include the fall assessment window.",
        )
        DataRequest.objects.filter(pk=created.pk).update(due_date=today - timedelta(days=4))
    return live_world


def test_backbone_asks_and_the_steward_sees_what_they_owe(
    page: Page, live_server, request_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, request_world, "backbone", "/p/riverside/requests/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data requests")
    page.get_by_role("link", name="Request data").click()
    form = page.get_by_role("region", name="One indicator")
    form.get_by_label("Indicator").select_option("k-ready")
    form.get_by_label("Period").fill("2023-24")
    due = timezone.localdate() + timedelta(days=2)
    form.get_by_label("Due date").fill(due.isoformat())
    page.screenshot(path=screenshot_dir / "requests-new-desktop.png", full_page=True)
    form.get_by_role("button", name="Send the request").click()
    expect(page).to_have_url(f"{live_server.url}/p/riverside/requests/")
    expect(page.get_by_role("status")).to_contain_text("Asked Riverside District for k-ready")
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Overdue")
    page.screenshot(path=screenshot_dir / "requests-list-desktop.png", full_page=True)

    page.get_by_role("link", name="Completeness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Completeness")
    expect(page.get_by_text("1 overdue").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "requests-completeness-desktop.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, request_world, "steward", "/")
    owed = page.get_by_role("region", name="Data your organization owes")
    expect(owed.get_by_role("listitem")).to_have_count(2)
    expect(owed.get_by_role("listitem").first).to_contain_text("Overdue")
    expect(owed.get_by_role("listitem").nth(1)).to_contain_text("2023-24")
    page.screenshot(path=screenshot_dir / "home-owed-desktop.png", full_page=True)
    owed.get_by_role("link", name="Your data requests").click()
    expect(page).to_have_url(f"{live_server.url}/p/riverside/requests/")
    expect(page.get_by_role("link", name="Request data")).to_have_count(0)
    assert console_errors == []


@pytest.mark.parametrize("path", ["/", "/p/riverside/requests/", "/p/riverside/requests/new/"])
def test_request_pages_fit_a_phone(
    page: Page, live_server, request_world, console_errors, screenshot_dir, path
):
    page.set_viewport_size(PHONE)
    user = "steward" if path == "/" else "backbone"
    sign_in(page, live_server, request_world, user, path)
    assert overflow(page) == 0
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=screenshot_dir / f"phone-{name}.png", full_page=True)
    assert console_errors == []
