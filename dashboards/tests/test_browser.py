"""The pages in a real browser: sign in, home, overview, sign out, at desktop and
phone widths, with no console errors and no horizontal overflow on phones.

Screenshots go to test-results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser


def test_backbone_signs_in_sees_the_overview_and_signs_out(
    page: Page, live_server, live_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=screenshot_dir / "login-desktop.png", full_page=True)

    sign_in(page, live_server, live_world)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partnerships")
    card = page.get_by_role("listitem").filter(has_text="Riverside Cradle to Career")
    expect(card).to_contain_text("Backbone staff")
    expect(card).to_contain_text("Indicators")
    page.screenshot(path=screenshot_dir / "home-desktop.png", full_page=True)

    card.get_by_role("link", name="Riverside Cradle to Career").click()
    expect(page).to_have_url(f"{live_server.url}/p/riverside/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Cradle to Career")
    expect(page.get_by_role("heading", name="Kindergarten readiness")).to_be_visible()
    expect(page.get_by_role("cell", name="k-ready")).to_be_visible()
    expect(page.get_by_role("cell", name="chronic-absence")).to_be_visible()
    expect(page.get_by_role("cell", name="2021-22")).to_be_visible()
    expect(page.get_by_role("link", name="Django admin")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "overview-desktop.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/p/riverside/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/p/riverside/")

    assert console_errors == []


def test_wrong_password_shows_an_error(page: Page, live_server, live_world, console_errors):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("backbone")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    assert console_errors == []


def test_pages_fit_a_phone_screen(
    page: Page, live_server, live_world, console_errors, screenshot_dir
):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=screenshot_dir / "login-phone.png", full_page=True)

    sign_in(page, live_server, live_world)
    assert horizontal_overflow(page) == 0
    page.screenshot(path=screenshot_dir / "home-phone.png", full_page=True)

    page.goto(f"{live_server.url}/p/riverside/")
    expect(page.get_by_role("cell", name="k-ready")).to_be_visible()
    assert horizontal_overflow(page) == 0
    # The wide indicator table scrolls inside its own box instead.
    table_box = page.get_by_role("region", name="Indicators in Kindergarten readiness")
    assert table_box.evaluate("el => el.scrollWidth > el.clientWidth")
    page.screenshot(path=screenshot_dir / "overview-phone.png", full_page=True)

    assert console_errors == []


def test_superuser_can_switch_partnership(
    page: Page, live_server, live_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, live_world, username="superuser")
    page.goto(f"{live_server.url}/p/riverside/")
    expect(page.get_by_role("link", name="Django admin")).to_be_visible()
    page.get_by_text("Switch partnership").click()
    page.screenshot(path=screenshot_dir / "switcher-desktop.png")
    page.get_by_role("link", name="Hillcrest Promise").click()
    expect(page).to_have_url(f"{live_server.url}/p/hillcrest/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hillcrest Promise")
    assert console_errors == []
