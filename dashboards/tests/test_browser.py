"""The pages in a real browser: sign in, home, overview, sign out, at desktop and
phone widths, with no console errors and no horizontal overflow on phones; the
dashboards draw their Plotly charts for each role, suppressed values never reach
a viewer's browser, the chart toolbar downloads a PNG.

Screenshots go to test-results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, horizontal_overflow, sign_in

from .charted import SECRET_CATEGORY, SECRET_SCHOOL

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
    expect(page.get_by_text("k-ready", exact=True)).to_be_visible()
    expect(page.get_by_text("chronic-absence", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Chronic absenteeism, grades K-3")).to_be_visible()
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
    expect(page.get_by_text("k-ready", exact=True)).to_be_visible()
    assert horizontal_overflow(page) == 0
    # The organizations table scrolls inside its own box instead.
    table_box = page.locator('div[role="region"][aria-label="Organizations"]')
    assert table_box.evaluate("el => el.scrollWidth >= el.clientWidth")
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


# ---------- The dashboards' charts ----------


@pytest.fixture
def live_charted(transactional_db, world):
    """The charted riverside (dashboards/tests/charted.py) for the live server."""
    from .charted import build_charted

    return build_charted(world)


def _traces(page: Page, selector: str = ".js-plotly-plot") -> int:
    """How many traces Plotly drew in the first chart matching ``selector``."""
    page.wait_for_function(
        f"document.querySelector({selector!r}) && document.querySelector({selector!r}).data"
    )
    return page.evaluate(f"document.querySelector({selector!r}).data.length")


def _all_plotted_values(page: Page) -> list:
    return page.evaluate(
        """[...document.querySelectorAll('.js-plotly-plot')].flatMap(
             gd => gd.data.flatMap(t => [...(t.y || []), ...(t.x || [])]))"""
    )


def _draw_every_chart(page: Page) -> None:
    """Scroll down the page and back so every lazily drawn chart gets drawn."""
    page.wait_for_load_state("load")
    height = page.evaluate("document.body.scrollHeight")
    steps = [*range(0, height + 500, 500)]
    for y in [*steps, *reversed(steps)]:
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(30)
    page.wait_for_function("[...document.querySelectorAll('[data-chart]')].every(el => el.data)")


def test_backbone_follows_the_dashboards_from_home_to_an_indicator(
    page: Page, live_server, live_charted, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, live_charted.world, next_url="/p/riverside/")
    expect(page.get_by_text("1 of 2 indicators improving since baseline")).to_be_visible()
    expect(page.get_by_text("Trends are up to date.")).to_be_visible()
    assert _traces(page, ".chart--spark") >= 2  # the line and its latest point
    _draw_every_chart(page)
    page.screenshot(path=screenshot_dir / "dashboard-home-desktop.png", full_page=True)

    page.get_by_role("link", name="Kindergarten readiness").first.click()
    expect(page).to_have_url(f"{live_server.url}/p/riverside/areas/kindergarten-readiness/")
    assert _traces(page) == 5  # total, target, target point, projection, baseline
    expect(page.get_by_text("58% of the way to 60.0% by 2025-26")).to_be_visible()
    page.screenshot(path=screenshot_dir / "dashboard-area-desktop.png", full_page=True)

    page.get_by_role("link", name="Kindergarten readiness", exact=True).last.click()
    expect(page).to_have_url(f"{live_server.url}/p/riverside/indicators/k-ready/")
    assert _traces(page, "#chart-trend") == 5
    page.get_by_role("navigation", name="Show lines for").get_by_role(
        "link", name="Race/ethnicity"
    ).click()
    expect(page).to_have_url(re.compile(r"dimension=race"))
    assert _traces(page, "#chart-trend") == 7  # and one line per category
    expect(page.get_by_text("The story behind the curve")).to_be_visible()
    _draw_every_chart(page)
    assert _traces(page, "#chart-gap") == 1
    assert _traces(page, "#chart-geography") == 1
    # Backbone staff see small groups unsuppressed.
    assert float(SECRET_CATEGORY) in _all_plotted_values(page)

    # The geography table sorts by its columns.
    table = page.locator("#geo-table")
    header = table.get_by_role("button", name="Latest")
    header.click()
    expect(table.locator("tbody tr").first).to_contain_text("Oak School")  # 52.0 < 87.5
    header.click()
    expect(table.locator("tbody tr").first).to_contain_text("Tiny School")
    expect(table.locator("thead th").nth(2)).to_have_attribute("aria-sort", "descending")
    page.screenshot(path=screenshot_dir / "dashboard-indicator-desktop.png", full_page=True)

    page.get_by_role("link", name="Riverside District").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside District")
    expect(page.get_by_role("heading", name="Its data")).to_be_visible()
    assert _traces(page, ".chart--spark") >= 2
    page.screenshot(path=screenshot_dir / "dashboard-organization-desktop.png", full_page=True)
    assert console_errors == []


def test_the_chart_toolbar_downloads_a_png_and_tables_copy(
    page: Page, live_server, live_charted, console_errors
):
    page.set_viewport_size(DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server, live_charted.world, next_url="/p/riverside/indicators/k-ready/")
    _traces(page, "#chart-trend")
    chart = page.locator("#chart-trend")
    chart.hover()
    assert page.locator("#chart-trend .modebar-btn").count() == 1  # only the download
    assert page.locator("#chart-trend .modebar-btn--logo").count() == 0
    with page.expect_download() as download:
        chart.locator(".modebar-btn").click()
    assert download.value.suggested_filename == "k-ready-trend.png"

    page.locator('[data-copy-table="trend-table"]').click()
    expect(page.locator('[data-copy-table="trend-table"]')).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines()[0] == "Period\tTotal"
    assert "2022-23\t55.0%" in copied
    assert console_errors == []


@pytest.mark.parametrize("name", ["viewer", "funder", "steward"])
def test_other_roles_never_receive_a_suppressed_value(
    page: Page, live_server, live_charted, console_errors, name
):
    page.set_viewport_size(DESKTOP)
    url = "/p/riverside/indicators/k-ready/?dimension=race&level=school"
    sign_in(page, live_server, live_charted.world, username=name, next_url=url)
    _draw_every_chart(page)
    assert _traces(page, "#chart-trend") == 7
    values = _all_plotted_values(page)
    assert float(SECRET_CATEGORY) not in values
    assert float(SECRET_SCHOOL) not in values
    content = page.content()
    assert str(SECRET_CATEGORY) not in content
    assert "87.5" not in content
    expect(page.locator("#trend-table")).to_contain_text("n<10")
    expect(page.get_by_role("note")).to_contain_text("groups smaller than 10")
    # Only the organization's own steward sees its unapproved data.
    page.goto(f"{live_server.url}/p/riverside/organizations/district/")
    expect(page.get_by_role("heading", name="Its data")).to_have_count(
        1 if name == "steward" else 0
    )
    assert console_errors == []


@pytest.mark.parametrize(
    "url",
    [
        "/p/riverside/",
        "/p/riverside/areas/kindergarten-readiness/",
        "/p/riverside/indicators/k-ready/?dimension=race",
        "/p/riverside/organizations/district/",
    ],
    ids=["home", "area", "indicator", "organization"],
)
def test_dashboards_fit_a_phone(
    page: Page, live_server, live_charted, console_errors, screenshot_dir, url
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, live_charted.world, username="viewer", next_url=url)
    _draw_every_chart(page)
    assert page.evaluate("document.querySelectorAll('.js-plotly-plot').length") >= 1
    assert horizontal_overflow(page) == 0
    # Charts fit their box: none is wider than the screen.
    widths = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')].map(gd => gd.scrollWidth)"
    )
    assert max(widths) <= PHONE["width"]
    name = url.strip("/").split("/")[2] if url.count("/") > 3 else "home"
    page.screenshot(path=screenshot_dir / f"dashboard-{name}-phone.png", full_page=True)
    assert console_errors == []
