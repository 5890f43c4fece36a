"""The public report card and the engagement page in Chromium: an anonymous visitor
reads the card at desktop and phone widths and its charts draw; a partner's page
frames the embeddable card; backbone staff read the engagement page. No console
errors; screenshots for a person to look at."""

from __future__ import annotations

import functools
import threading
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser

YEARS = ("2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22")


@pytest.fixture
def card_world(live_world):
    """Six approved years for two core indicators (one lower is better, one with a
    small cell), trends computed, and the card published."""
    from dashboards.report_card import report_card_save
    from indicators import trend_engine
    from indicators.models import DataRequest, Indicator, IndicatorKind
    from partnership.tests.factories import DataPointFactory, period

    world = live_world
    ready = world.indicator
    ready.baseline_period = period("2016-17", "school_year")
    ready.target_value, ready.target_period = 70, period("2025-26", "school_year")
    ready.save()
    ready.data_points.all().delete()  # live_world's three flat years
    for i, label in enumerate(YEARS):
        DataPointFactory(indicator=ready, period=period(label, "school_year"),
                         value=44 + 2.5 * i, numerator=440 + 25 * i, denominator=1000)  # fmt: skip
    absence = Indicator.objects.get(partnership=world.partnership, code="chronic-absence")
    absence.kind = IndicatorKind.CORE
    absence.save()
    for i, label in enumerate(YEARS):
        den = 6 if label == "2018-19" else 500
        DataPointFactory(indicator=absence, period=period(label, "school_year"),
                         value=round(100 * (90 - 3 * i) / 500, 1) if den == 500 else 50,
                         numerator=90 - 3 * i if den == 500 else 3, denominator=den)  # fmt: skip
    for indicator in (ready, absence):
        trend_engine.recompute_indicator(indicator.pk)
    report_card_save(user=world.users["backbone"], partnership=world.partnership,
                     expected_version=0, enabled=True, title="Riverside Report Card",
                     intro="How Riverside's children are doing, cradle to career.")  # fmt: skip
    DataRequest.objects.create(
        partnership=world.partnership, organization=world.other_org,
        indicator=world.other_indicator, period=period("2021-22", "school_year"),
        due_date=timezone.localdate() - timedelta(days=10),
    )  # fmt: skip
    return world


def _chart_traces(page: Page, element_id: str) -> int:
    return page.evaluate(
        "id => { const el = document.getElementById(id); return el && el.data ? "
        "el.data.length : 0; }",
        element_id,
    )


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_anonymous_visitor_reads_the_report_card(
    page: Page, live_server, card_world, console_errors, screenshot_dir, size
):
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}/public/riverside/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Report Card")
    expect(page.get_by_role("heading", level=2).first).to_contain_text(
        "2 of 3 indicators improving since baseline"
    )
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)
    expect(page.locator("a[href^='/p/']")).to_have_count(0)
    chart = page.locator("#chart-rc-k-ready")
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".main-svg").first).to_be_visible()
    assert _chart_traces(page, "chart-rc-k-ready") >= 2  # the total, the baseline, the target
    absence = page.locator("#chart-rc-chronic-absence")
    absence.scroll_into_view_if_needed()
    expect(absence.locator(".main-svg").first).to_be_visible()
    # The small cell is withheld in the table under the chart.
    card = page.get_by_role("listitem").filter(has_text="Chronic absenteeism")
    card.get_by_text("The numbers").click()
    expect(card.get_by_role("row", name="2018-19")).to_contain_text("n<10")
    name = "desktop" if size == DESKTOP else "phone"
    page.screenshot(path=screenshot_dir / f"report-card-{name}.png", full_page=True)
    if size == PHONE:
        assert horizontal_overflow(page) == 0
    assert console_errors == []


def test_a_partner_site_frames_the_embeddable_card(
    page: Page, live_server, card_world, console_errors, screenshot_dir, tmp_path
):
    page.set_viewport_size(DESKTOP)
    embed = f"{live_server.url}/public/riverside/embed/"
    # A partner's page on another origin (its own server, on 127.0.0.1), with the
    # snippet from the settings page. (A page Playwright fulfils itself counts as a
    # public origin, which Chromium does not let frame a local server.)
    folder = tmp_path / "partner"
    folder.mkdir()
    (folder / "index.html").write_text(
        '<!doctype html><title>Partner site</title><link rel="icon" href="data:,">'
        "<h1>Our partners</h1>"
        f'<iframe src="{embed}" title="Report card" width="900" height="1000" '
        'style="border:0"></iframe>'
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
        _framed_card(page, screenshot_dir)
    finally:
        server.shutdown()
        server.server_close()
    assert console_errors == []


def _framed_card(page: Page, screenshot_dir) -> None:
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Riverside Report Card")
    expect(frame.locator("#chart-rc-k-ready .main-svg").first).to_be_visible()
    expect(frame.get_by_role("link", name="Open the full report card")).to_have_attribute(
        "target", "_blank"
    )
    page.screenshot(path=screenshot_dir / "report-card-embedded.png", full_page=True)


def test_a_card_that_is_not_published_is_not_found(page: Page, live_server, live_world):
    response = page.goto(f"{live_server.url}/public/riverside/")
    assert response.status == 404


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_backbone_reads_engagement_and_sets_up_the_card(
    page: Page, live_server, card_world, console_errors, screenshot_dir, size
):
    page.set_viewport_size(size)
    sign_in(page, live_server, card_world, "backbone", "/p/riverside/engagement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagement")
    ymca = page.get_by_role("row").filter(has_text="Riverside YMCA")
    expect(ymca).to_contain_text("1 overdue")
    expect(ymca.get_by_role("link", name="Ask for data")).to_be_visible()
    name = "desktop" if size == DESKTOP else "phone"
    page.screenshot(path=screenshot_dir / f"engagement-{name}.png", full_page=True)
    if size == PHONE:
        assert horizontal_overflow(page) == 0

    page.goto(f"{live_server.url}/p/riverside/settings/report-card/")
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    expect(page.get_by_label("Embed it on your website")).to_contain_text(
        "/public/riverside/embed/"
    )
    page.screenshot(path=screenshot_dir / f"report-card-settings-{name}.png", full_page=True)
    if size == PHONE:
        assert horizontal_overflow(page) == 0
    assert console_errors == []
