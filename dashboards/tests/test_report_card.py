"""The public report card (issue 5, item 8): switched on per partnership by backbone
staff, every change recorded; readable without sign-in only when switched on;
approved data only, small cells suppressed whoever reads it; an embeddable version
that other sites may frame; cacheable responses."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dashboards.models import PublicReportCard, PublicReportCardEvent, ReportCardAction
from dashboards.report_card import ReportCardConflictError, report_card_save
from indicators import trend_engine
from indicators.models import DataStatus, IndicatorKind
from partnership.tests.factories import (
    DataPointFactory,
    IndicatorFactory,
    OutcomeAreaFactory,
    period,
)
from partnership.tests.world import ROLE_NAMES

YEARS = ("2019-20", "2020-21", "2021-22", "2022-23")
PUBLIC = "/public/riverside/"
EMBED = "/public/riverside/embed/"


@pytest.fixture
def measured(world):
    """k-ready (core): four approved school years, the last resting on 8 children (a
    small cell under the minimum of 10), and a submitted, unapproved 2023-24.
    summer-reading is a contributing indicator with approved data."""
    indicator = world.indicator
    indicator.name = "Children ready for kindergarten"
    indicator.baseline_period = period("2019-20", "school_year")
    indicator.save()
    values = ("41.25", "45.75", "52.5", "37.5")
    dens = (40, 40, 40, 8)
    for label, value, den in zip(YEARS, values, dens, strict=True):
        num = float(value) * den / 100
        DataPointFactory(indicator=indicator, period=period(label, "school_year"), value=value,
                         numerator=num, denominator=den)  # fmt: skip
    DataPointFactory(indicator=indicator, period=period("2023-24", "school_year"), value="88.25",
                     status=DataStatus.SUBMITTED)  # fmt: skip
    other = world.other_indicator
    other.kind = IndicatorKind.CONTRIBUTING
    other.name = "Summer reading participation"
    other.save()
    for label in YEARS[:2]:
        DataPointFactory(indicator=other, period=period(label, "school_year"), value="12.5")
    trend_engine.recompute_indicator(indicator.pk)
    trend_engine.recompute_indicator(other.pk)
    return world


def _publish(world, **fields):
    return report_card_save(
        user=world.users["backbone"],
        partnership=world.partnership,
        expected_version=_version(world),
        enabled=fields.pop("enabled", True),
        **fields,
    )


def _version(world) -> int:
    card = PublicReportCard.objects.filter(partnership=world.partnership).first()
    return card.version if card else 0


# --- who may read the public page ---------------------------------------------------


@pytest.mark.parametrize("url", [PUBLIC, EMBED])
def test_no_public_page_until_switched_on(client, measured, url):
    assert client.get(url).status_code == 404
    _publish(measured, enabled=False, title="Draft card")
    assert client.get(url).status_code == 404
    _publish(measured)
    assert client.get(url).status_code == 200
    _publish(measured, enabled=False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", *ROLE_NAMES])
def test_everyone_reads_a_published_card_the_same(client_as, measured, role):
    _publish(measured, title="Riverside Report Card 2023")
    response = client_as(role).get(PUBLIC)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Riverside Report Card 2023" in body
    assert "Children ready for kindergarten" in body
    assert "37.5" not in body  # the small cell, even for backbone staff


def test_other_partnerships_are_unaffected(client, measured):
    _publish(measured)
    assert client.get("/public/hillcrest/").status_code == 404
    assert client.get("/public/hillcrest/embed/").status_code == 404
    assert client.get("/public/nowhere/").status_code == 404
    body = client.get(PUBLIC).content.decode()
    assert "g3-reading" not in body and "Hillcrest" not in body


# --- what it shows ----------------------------------------------------------------


def test_small_cells_are_suppressed(client, measured):
    _publish(measured)
    body = client.get(PUBLIC).content.decode()
    assert "n&lt;10" in body
    assert "37.5" not in body  # 2022-23 rests on 8 children
    assert "52.5%" in body  # 2021-22 on 40: shown in the table
    # The trend's latest value is the small cell: no latest figure or baseline quoted.
    assert "baseline 41.2" not in body


def test_no_unapproved_data(client, measured):
    _publish(measured)
    body = client.get(PUBLIC).content.decode()
    assert "88.2" not in body and "2023-24" not in body


def test_scorecard_and_core_indicators_only(client, measured):
    _publish(measured)
    response = client.get(PUBLIC)
    data = response.context["data"]
    assert data.counts["total"] == 2  # the scorecard counts every indicator
    codes = [h.indicator.code for _area, headlines in response.context["areas"] for h in headlines]
    assert codes == ["k-ready"]  # charts for core indicators only
    body = response.content.decode()
    assert "of 2 indicators improving since baseline" in body
    assert 'id="chart-rc-k-ready"' in body
    assert "Summer reading participation" not in body


def test_chosen_outcome_areas_only(client, measured):
    reading = OutcomeAreaFactory(
        partnership=measured.partnership, slug="early-grade-reading", name="Early grade reading"
    )
    IndicatorFactory(partnership=measured.partnership, outcome_area=reading, code="g3-read",
                     name="Third grade reading")  # fmt: skip
    _publish(measured)
    assert "Third grade reading" in client.get(PUBLIC).content.decode()
    _publish(measured, outcome_areas=[reading])
    body = client.get(PUBLIC).content.decode()
    assert "Third grade reading" in body
    assert "Children ready for kindergarten" not in body


def test_no_navigation_to_private_pages(client_as, measured):
    _publish(measured)
    body = client_as("backbone").get(PUBLIC).content.decode()
    assert "/p/riverside/" not in body
    assert "/accounts/" not in body and "Sign out" not in body


def test_cache_and_framing_headers(client, measured):
    _publish(measured)
    page = client.get(PUBLIC)
    assert "public" in page["Cache-Control"] and "max-age=300" in page["Cache-Control"]
    assert page["X-Frame-Options"] == "DENY"
    embed = client.get(EMBED)
    assert "public" in embed["Cache-Control"]
    assert "X-Frame-Options" not in embed
    assert embed["Content-Security-Policy"] == "frame-ancestors *"
    assert 'target="_blank"' in embed.content.decode()
    assert client.post(PUBLIC).status_code == 405


def test_query_count_is_constant(client, measured, django_assert_max_num_queries):
    _publish(measured)
    cache.clear()  # measure the whole page, not the cached copy
    with django_assert_max_num_queries(12) as small:
        client.get(PUBLIC)
    area = measured.indicator.outcome_area
    for _ in range(5):
        indicator = IndicatorFactory(partnership=measured.partnership, outcome_area=area)
        for label in YEARS:
            DataPointFactory(indicator=indicator, period=period(label, "school_year"))
        trend_engine.recompute_indicator(indicator.pk)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(PUBLIC)
    assert response.content.decode().count('class="card rc-indicator"') == 6
    # Read again: the page comes from the cache (the card and the trends are unchanged).
    with django_assert_max_num_queries(3):
        again = client.get(PUBLIC)
    assert again.content == response.content


def test_raising_the_minimum_cell_size_hides_values_at_once(client, measured):
    _publish(measured)
    assert "52.5%" in client.get(PUBLIC).content.decode()  # 2021-22 rests on 40
    measured.partnership.min_cell_size = 50
    measured.partnership.save(update_fields=["min_cell_size"])
    body = client.get(PUBLIC).content.decode()
    assert "52.5%" not in body and "n&lt;50" in body


def test_the_cached_page_follows_changes_to_the_card(client, measured):
    _publish(measured, title="First title")
    assert "First title" in client.get(PUBLIC).content.decode()
    _publish(measured, title="Second title")
    assert "Second title" in client.get(PUBLIC).content.decode()


# --- the settings page --------------------------------------------------------------

SETTINGS = "/p/riverside/settings/report-card/"
STATUS = {
    "superuser": 200,
    "backbone": 200,
    "steward": 403,
    "other_steward": 403,
    "viewer": 403,
    "funder": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_settings_page_for_every_role(client_as, world, role):
    assert reverse("report_card_settings", args=["riverside"]) == SETTINGS
    client = client_as(role)
    assert client.get(SETTINGS).status_code == STATUS[role]
    response = client.post(SETTINGS, {"enabled": "on", "version": 0})
    assert response.status_code == (302 if STATUS[role] == 200 else STATUS[role])
    published = PublicReportCard.objects.filter(partnership=world.partnership, enabled=True)
    assert published.exists() == (STATUS[role] == 200)


def test_settings_page_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(SETTINGS)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_switching_on_and_off_is_recorded(client_as, world):
    client = client_as("backbone")
    area = world.indicator.outcome_area
    client.post(SETTINGS, {"enabled": "on", "title": "Our report card", "intro": "Hello",
                           "outcome_areas": [area.pk], "version": 0})  # fmt: skip
    card = PublicReportCard.objects.get(partnership=world.partnership)
    assert card.enabled and card.published_at and card.version == 1
    assert card.updated_by == world.users["backbone"]
    assert list(card.outcome_areas.all()) == [area]
    client.post(SETTINGS, {"title": "Our report card", "intro": "Hello",
                           "outcome_areas": [area.pk], "version": 1})  # fmt: skip
    card.refresh_from_db()
    assert not card.enabled and card.version == 2
    events = list(PublicReportCardEvent.objects.filter(partnership=world.partnership))
    assert [e.action for e in events] == [
        ReportCardAction.DISABLED,
        ReportCardAction.EDITED,
        ReportCardAction.ENABLED,
    ]
    assert {e.changed_by for e in events} == {world.users["backbone"]}
    edited = next(e for e in events if e.action == ReportCardAction.EDITED)
    assert edited.new["title"] == "Our report card"
    assert edited.new["outcome_areas"] == [area.slug]
    page = client.get(SETTINGS).content.decode()
    assert "Switched on" in page and "Switched off" in page and "backbone" in page


def test_saving_nothing_new_records_nothing(world):
    _publish(world, title="Same")
    _publish(world, title="Same")
    assert PublicReportCardEvent.objects.filter(partnership=world.partnership).count() == 2
    assert _version(world) == 1


def test_a_stale_edit_is_refused(client_as, world):
    _publish(world, title="First")
    response = client_as("superuser").post(
        SETTINGS, {"enabled": "on", "title": "Second", "version": 0}
    )
    assert response.status_code == 200
    assert "changed the report card" in response.content.decode()
    assert PublicReportCard.objects.get(partnership=world.partnership).title == "First"
    with pytest.raises(ReportCardConflictError):
        report_card_save(user=world.users["backbone"], partnership=world.partnership,
                         expected_version=5, enabled=False)  # fmt: skip


def test_only_backbone_may_save_and_only_own_areas(world):
    with pytest.raises(PermissionDenied):
        report_card_save(user=world.users["viewer"], partnership=world.partnership,
                         expected_version=0, enabled=True)  # fmt: skip
    foreign = world.foreign_indicator.outcome_area
    with pytest.raises(ValidationError):
        report_card_save(user=world.users["backbone"], partnership=world.partnership,
                         expected_version=0, enabled=True, outcome_areas=[foreign])  # fmt: skip
    assert not PublicReportCard.objects.filter(enabled=True).exists()


def test_settings_page_rejects_another_partnerships_area(client_as, world):
    foreign = world.foreign_indicator.outcome_area
    response = client_as("backbone").post(
        SETTINGS, {"enabled": "on", "outcome_areas": [foreign.pk], "version": 0}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not PublicReportCard.objects.exists()


def test_settings_page_gives_the_links_and_the_iframe_snippet(client_as, world):
    _publish(world)
    body = client_as("backbone").get(SETTINGS).content.decode()
    assert "http://testserver/public/riverside/" in body
    assert '&lt;iframe src="http://testserver/public/riverside/embed/"' in body


def test_settings_link_in_the_navigation_for_backbone_only(client_as, world):
    overview = reverse("partnership_overview", args=["riverside"])
    assert SETTINGS in client_as("backbone").get(overview).content.decode()
    for role in ("steward", "viewer", "funder"):
        assert SETTINGS not in client_as(role).get(overview).content.decode()
