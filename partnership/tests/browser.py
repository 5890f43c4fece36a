"""Fixtures for the browser tests: headless Debian Chromium driven by pytest-playwright
against pytest-django's live server. Shared by every app's browser tests: a test
package's conftest.py imports them (``from partnership.tests.browser import ...``).

Playwright's own browser download does not work on the project's machines (no
network), so the tests launch the system Chromium at /usr/bin/chromium. Where it is
missing they skip, except in CI (CI=true), where a silently skipped browser suite
would hide a broken pipeline: there they fail.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from partnership.tests.world import need_service

# Playwright's sync API runs an event loop in the test thread; Django's ORM would
# otherwise refuse to run there ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        reason = (
            f"Browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium); "
            "Playwright's own browser download is not used."
        )
        need_service(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def live_world(transactional_db, world):
    """The shared test world in a database the live server's thread can see (the
    test's transaction is committed, not rolled back), with a little approved data
    and some prose so that the pages look like a real partnership's."""
    from indicators.models import IndicatorKind, Unit
    from partnership.tests.factories import (
        DataPointFactory,
        IndicatorFactory,
        OutcomeAreaFactory,
        period,
    )

    p = world.partnership
    p.description = (
        "Riverside's schools, nonprofits, city agencies and employers working together "
        "so that every child succeeds from cradle to career."
    )
    p.save(update_fields=["description"])
    area = world.indicator.outcome_area
    area.goal = "Every child enters kindergarten ready to learn."
    area.save(update_fields=["goal"])
    world.indicator.name = "Kindergarten readiness assessment: share ready in all domains"
    world.indicator.save(update_fields=["name"])
    for label in ("2019-20", "2020-21", "2021-22"):
        DataPointFactory(indicator=world.indicator, period=period(label, "school_year"))
    reading = OutcomeAreaFactory(
        partnership=p,
        slug="early-grade-reading",
        name="Early grade reading",
        order=2,
        goal="Every student reads proficiently by the end of third grade.",
    )
    IndicatorFactory(
        partnership=p,
        outcome_area=reading,
        code="chronic-absence",
        name="Chronic absenteeism, grades K-3",
        kind=IndicatorKind.CONTRIBUTING,
        unit=Unit.PERCENT,
        direction="lower_is_better",
        steward=world.partner_org,
    )
    return world


@pytest.fixture
def console_errors(page) -> list[str]:
    """Every console error and uncaught page error of the test's page."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


@pytest.fixture
def screenshot_dir(pytestconfig) -> Path:
    """Where screenshots go: $SCREENSHOT_DIR, else test-results/screenshots (git-ignored).
    pytest-playwright empties test-results/ at the start of every pytest run, so set
    SCREENSHOT_DIR to keep them while other runs happen."""
    default = Path(pytestconfig.getoption("--output")).absolute() / "screenshots"
    folder = Path(os.environ.get("SCREENSHOT_DIR") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, world, username: str = "backbone", next_url: str = "/") -> None:
    """Open ``next_url`` signed out, get sent to the sign-in form (focused on the
    username), sign in as a world user and land back on ``next_url``."""
    from urllib.parse import quote

    from playwright.sync_api import expect

    page.goto(f"{live_server.url}{next_url}")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next={quote(next_url)}")
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}{next_url}")
    # The page's scripts have run (a busy machine may still be loading them when
    # the address changes), so typing into it reaches their handlers.
    page.wait_for_load_state("load")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")
