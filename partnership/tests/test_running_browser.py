"""Running the partnership in a real browser: backbone staff write and adopt the common
agenda, a steward endorses it; backbone staff invite a person who signs up through the
emailed link; the Theory of Action is assessed; every page fits a phone without
sideways scrolling and logs no console errors; screenshots at desktop and phone width."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from partnership.tests.browser import DESKTOP, PHONE, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def running_world(live_world):
    """The live world with an adopted agenda, contacts and a started Theory of Action."""
    from django.utils import timezone

    from partnership import agenda, directory, toa
    from partnership.models import AssessmentStatus

    backbone = live_world.users["backbone"]
    p = live_world.partnership
    version = agenda.agenda_save(
        user=backbone,
        partnership=p,
        based_on=0,
        vision="Every child in Riverside succeeds, from cradle to career.",
        problem_statement="Fewer than half of third graders read at grade level.",
        goals="Every child ready for kindergarten\nEvery child reading by third grade",
        equity_commitment="We report every outcome by race and income and close the gaps.",
        summary="First version",
    )
    agenda.agenda_adopt(user=backbone, version=version, adopted_on=timezone.localdate())
    directory.contact_create(
        user=backbone,
        organization=live_world.partner_org,
        name="Ana Ruiz",
        title="Director of Research and Evaluation",
        email="ana.ruiz@district.example.org",
        phone="(555) 010-2368",
    )
    first = toa.theory_of_action(partnership=p).gateways[0].benchmarks
    for state in first[:2]:
        toa.assessment_record(
            user=backbone,
            benchmark=state.benchmark,
            status=AssessmentStatus.MET,
            evidence="Charter signed by 24 organizations.",
        )
    return live_world


def test_backbone_edits_and_adopts_the_agenda_and_a_steward_endorses_it(
    page: Page, live_server, running_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, running_world, "backbone", "/p/riverside/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Common agenda")
    page.get_by_role("link", name="Edit the agenda").click()
    expect(page.get_by_label("Vision")).to_have_value(
        "Every child in Riverside succeeds, from cradle to career."
    )
    page.get_by_label("Vision").fill(
        "Every child and young adult in Riverside succeeds, from cradle to career."
    )
    page.get_by_label("What changed").fill("Includes young adults")
    page.screenshot(path=screenshot_dir / "agenda-edit-desktop.png", full_page=True)
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Saved version 2 as a draft")
    drafts = page.get_by_role("region", name="Draft awaiting adoption")
    drafts.get_by_role("button", name="Adopt version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 is now the agenda in force.")
    expect(page.get_by_text("Every child and young adult in Riverside")).to_be_visible()
    page.get_by_role("link", name="Version 2", exact=True).click()
    expect(page.locator("ins").first).to_have_text("and young adult")
    page.screenshot(path=screenshot_dir / "agenda-version-desktop.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, running_world, "steward", "/p/riverside/agenda/")
    form = page.get_by_role("form", name="Record an endorsement of version 2")
    expect(form.get_by_label("Organization")).to_have_value("district")
    form.get_by_label("Statement").fill("Riverside District stands behind this agenda.")
    form.get_by_role("button", name="Record the endorsement").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded Riverside District's endorsement")
    expect(page.get_by_text("1 of 4 organizations endorse version 2.")).to_be_visible()
    page.screenshot(path=screenshot_dir / "agenda-desktop.png", full_page=True)
    assert console_errors == []


def test_backbone_invites_and_the_person_signs_up_through_the_link(
    page: Page, live_server, running_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, running_world, "backbone", "/p/riverside/partners/")
    page.screenshot(path=screenshot_dir / "partners-desktop.png", full_page=True)
    page.get_by_role("link", name="Invite people").click()
    new = page.get_by_role("region", name="New invitation")
    new.get_by_label("Email").fill("nia.park@ymca.example.org")
    new.get_by_label("Role").select_option("data_steward")
    new.get_by_label("Organization").select_option("ymca")
    new.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Sent an invitation to nia.park@")
    # A role change on the same page.
    viewer = page.get_by_role("listitem").filter(has_text="viewer@example.org")
    viewer.get_by_label("Role").select_option("funder")
    viewer.get_by_label("Organization").select_option("foundation")
    viewer.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("is now funder.")
    expect(page.get_by_text("Recent role changes")).to_be_visible()
    page.screenshot(path=screenshot_dir / "invitations-desktop.png", full_page=True)
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Riverside Cradle to Career")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Park")
    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
    page.get_by_label("Password confirmation").fill("a-long-passphrase-42")
    page.screenshot(path=screenshot_dir / "invitation-signup-desktop.png", full_page=True)
    page.get_by_role("button", name="Create the account and join").click()
    expect(page).to_have_url(f"{live_server.url}/p/riverside/")
    expect(page.get_by_role("status")).to_contain_text("Welcome to Riverside Cradle to Career.")
    page.get_by_role("button", name="Sign out").click()
    assert console_errors == []
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation was already used")
    # The page answers 410 Gone, which the browser logs; nothing else.
    assert len(console_errors) == 1 and "status of 410" in console_errors[0]


def test_backbone_assesses_the_theory_of_action(
    page: Page, live_server, running_world, console_errors, screenshot_dir
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, running_world, "backbone", "/p/riverside/theory-of-action/")
    expect(page.get_by_role("heading", name="No gateway reached yet")).to_be_visible()
    for benchmark in page.locator(".toa-gateway").first.locator(".toa-benchmark").all()[2:]:
        benchmark.get_by_text("Update status").click()
        benchmark.get_by_label("Status").select_option("met")
        benchmark.get_by_label("Evidence").fill("Minutes of the leadership table, May 2026.")
        benchmark.get_by_role("button", name=re.compile("Record")).click()
        expect(page.get_by_role("status")).to_contain_text("Recorded the assessment.")
    expect(page.get_by_role("heading", name="Reached: Exploring")).to_be_visible()
    page.screenshot(path=screenshot_dir / "toa-desktop.png", full_page=True)
    assert console_errors == []


PAGES = [
    ("backbone", "/p/riverside/agenda/"),
    ("backbone", "/p/riverside/agenda/edit/"),
    ("viewer", "/p/riverside/partners/"),
    ("backbone", "/p/riverside/partners/district/"),
    ("backbone", "/p/riverside/partners/invitations/"),
    ("viewer", "/p/riverside/theory-of-action/"),
    ("backbone", "/p/riverside/theory-of-action/"),
]


@pytest.mark.parametrize(("user", "path"), PAGES)
def test_pages_fit_a_phone(
    page: Page, live_server, running_world, console_errors, screenshot_dir, user, path
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, running_world, user, path)
    assert horizontal_overflow(page) == 0
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=screenshot_dir / f"phone-{user}-{name}.png", full_page=True)
    assert console_errors == []
