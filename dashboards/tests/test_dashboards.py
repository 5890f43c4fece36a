"""The partnership dashboards: home (scorecard), outcome area, indicator and
organization pages, for every role; small-cell suppression in every table and
chart; query counts that do not grow with the data."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.selectors import headline_chart_data, indicator_chart_data
from indicators.models import DataRequest, DataStatus, Indicator, TrendState
from outcomes.models import Activity
from partnership.models import AgendaVersion
from partnership.tests.factories import DataPointFactory, period
from partnership.tests.world import ROLE_NAMES

from .charted import NOTE, SECRET_CATEGORY, SECRET_SCHOOL
from .test_pages import grow

MEMBERS = [n for n in ROLE_NAMES if n != "outsider"]
REVEALED = {"superuser", "backbone"}  # see small cells unsuppressed


def urls(world) -> dict[str, str]:
    slug = world.partnership.slug
    return {
        "home": reverse("partnership_overview", args=[slug]),
        "area": reverse("outcome_area", args=[slug, world.indicator.outcome_area.slug]),
        "indicator": reverse("indicator_detail", args=[slug, world.indicator.code]),
        "by-race": reverse("indicator_detail", args=[slug, world.indicator.code])
        + "?dimension=race&level=school",
        "organization": reverse("organization_dashboard", args=[slug, world.partner_org.slug]),
    }


PAGES = ["home", "area", "indicator", "by-race", "organization"]


def _charts(html: str) -> list[dict]:
    """The figures of a page, as plotly.js receives them."""
    found = re.findall(r'<script type="application/json" id="chart-[^"]+">(.*?)</script>', html)
    return [json.loads(text)["figure"] for text in found]


# ---------- who may see what ----------


@pytest.mark.parametrize("name", MEMBERS)
@pytest.mark.parametrize("page", PAGES)
def test_every_member_sees_every_page(client_as, charted, name, page):
    response = client_as(name).get(urls(charted.world)[page])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Riverside Cradle to Career" in html
    assert "Hillcrest" not in html or name == "superuser"  # the superuser's switcher


@pytest.mark.parametrize("page", PAGES)
def test_outsider_gets_404_and_learns_nothing(client_as, charted, page):
    response = client_as("outsider").get(urls(charted.world)[page])
    assert response.status_code == 404
    assert "Kindergarten readiness" not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(client_as, charted, page):
    url = urls(charted.world)[page]
    response = client_as("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", MEMBERS)
def test_the_other_partnerships_objects_are_404(client_as, world, name):
    client = client_as(name)
    other = world.other_partnership
    foreign = [
        reverse("indicator_detail", args=["riverside", world.foreign_indicator.code]),
        reverse("outcome_area", args=["riverside", world.foreign_indicator.outcome_area.slug]),
        reverse("organization_dashboard", args=["riverside", "hc-backbone"]),
        reverse("indicator_detail", args=["riverside", "no-such-code"]),
    ]
    if name != "superuser":  # a superuser may open every partnership
        foreign += [
            reverse("partnership_overview", args=[other.slug]),
            reverse("indicator_detail", args=[other.slug, world.foreign_indicator.code]),
        ]
    for url in foreign:
        assert client.get(url).status_code == 404, url


# ---------- small-cell suppression ----------


def _secret_texts() -> list[str]:
    return [str(SECRET_CATEGORY), "61.7%", str(SECRET_SCHOOL), "87.5%"]


@pytest.mark.parametrize("name", MEMBERS)
@pytest.mark.parametrize("page", ["indicator", "by-race", "home", "area"])
def test_small_cells_never_reach_other_roles_in_html_or_chart_json(client_as, charted, name, page):
    html = client_as(name).get(urls(charted.world)[page]).content.decode()
    for figure in _charts(html):
        for trace in figure["data"]:
            values = [*trace.get("y", []), *trace.get("x", [])]
            if name not in REVEALED:
                assert float(SECRET_CATEGORY) not in values
                assert float(SECRET_SCHOOL) not in values
    if name in REVEALED:
        if page == "by-race":
            assert all(text in html for text in _secret_texts())
    else:
        assert not any(text in html for text in _secret_texts())


def test_viewer_sees_n_below_the_cell_size_where_a_value_is_hidden(client_as, charted):
    html = client_as("viewer").get(urls(charted.world)["by-race"]).content.decode()
    assert "n&lt;10" in html
    assert "groups smaller than 10" in html
    backbone = client_as("backbone").get(urls(charted.world)["by-race"]).content.decode()
    assert "n&lt;10" not in backbone
    assert "groups smaller than 10" not in backbone


def test_suppression_follows_the_partnerships_minimum_cell_size(client_as, charted):
    p = charted.world.partnership
    p.min_cell_size = 5  # 6 and 8 students are no longer small
    p.save()
    html = client_as("funder").get(urls(charted.world)["by-race"]).content.decode()
    assert all(text in html for text in _secret_texts())


def test_a_headline_resting_on_a_small_group_is_hidden_everywhere(world, charted):
    """The total itself: a hidden headline has no baseline, latest, change or
    projection, and no marker or projection line on its chart."""
    from indicators.trend_engine import recompute_indicator

    ind = charted.indicator
    last = ind.data_points.get(period__label="2022-23", geography=None, category=None)
    last.numerator, last.denominator, last.value = Decimal(5), Decimal(9), Decimal("55.555556")
    last.save()
    recompute_indicator(ind.pk, force=True)
    ind = Indicator.objects.select_related("partnership", "target_period").get(pk=ind.pk)
    viewer = headline_chart_data([ind], user=world.users["viewer"])[ind.pk]
    assert viewer.headline.hidden
    assert viewer.headline.value("latest_value") is None
    assert viewer.headline.value("progress_to_target") is None
    assert viewer.baseline is None and viewer.projection is None
    assert viewer.total.points[-1].value is None
    backbone = headline_chart_data([ind], user=world.users["backbone"])[ind.pk]
    assert not backbone.headline.hidden
    assert backbone.total.points[-1].value == pytest.approx(55.555556)


# ---------- what each page shows ----------


def test_home_shows_the_scorecard_areas_and_freshness(client_as, charted):
    response = client_as("viewer").get(urls(charted.world)["home"])
    html = response.content.decode()
    assert "1 of 2 indicators improving since baseline" in html
    assert "Kindergarten readiness" in html
    assert "Trends are up to date." in html
    page = response.context["page"]
    assert page.scorecard["improving"] == 1
    assert [a.outcome_area.slug for a in page.areas] == ["kindergarten-readiness"]
    assert len(_charts(html)) == 1  # one sparkline: the indicator with data
    assert reverse("indicator_detail", args=["riverside", "k-ready"]) in html
    assert reverse("organization_dashboard", args=["riverside", "district"]) in html
    assert "55.0%" in html  # the latest value


def test_home_warns_when_trends_are_stale(client_as, charted):
    ind = charted.indicator
    Indicator.objects.filter(pk=ind.pk).update(data_version=ind.data_version + 5)
    TrendState.objects.filter(indicator=ind).update(computed_at=timezone.now() - timedelta(hours=2))
    html = client_as("funder").get(urls(charted.world)["home"]).content.decode()
    assert "Trends of 1 indicator are behind their data" in html


def test_home_shows_the_adopted_agenda_in_brief(client_as, charted):
    html = client_as("viewer").get(urls(charted.world)["home"]).content.decode()
    assert "Our common agenda" not in html
    AgendaVersion.objects.create(
        partnership=charted.world.partnership,
        number=1,
        vision="Every child in Riverside thrives from cradle to career.",
        problem_statement="Too many children fall behind early.",
        goals="Ready for kindergarten\nReading by third grade",
        equity_commitment="We close gaps by race and income.",
        adopted_on=date(2026, 1, 15),
    )
    html = client_as("viewer").get(urls(charted.world)["home"]).content.decode()
    assert "Our common agenda" in html
    assert "Every child in Riverside thrives" in html
    assert "<li>Reading by third grade</li>" in html


@pytest.mark.parametrize(("name", "links"), [("backbone", 2), ("steward", 1), ("viewer", 0)])
def test_home_links_to_data_entry_for_roles_that_enter_data(client_as, charted, name, links):
    html = client_as(name).get(urls(charted.world)["home"]).content.decode()
    slug = charted.world.partnership.slug
    found = [
        f'href="{reverse("data_home", args=[slug])}"' in html,
        f'href="{reverse("approval_queue", args=[slug])}"' in html,
    ]
    # The navigation links too; count the page's own buttons.
    assert html.count('button--secondary" href=') == links
    assert found[0] == (links >= 1)


def test_area_page_shows_each_indicator_with_its_figures(client_as, charted):
    response = client_as("viewer").get(urls(charted.world)["area"])
    html = response.content.decode()
    assert "Kindergarten readiness" in html
    assert "Improving" in html
    assert "55.0%" in html  # latest
    assert "+7.0 pts" in html  # since the 2018-19 baseline of 48.0
    assert "4 improvements in a row" not in html  # 49.8 broke the run
    assert "2 improvements in a row" in html
    assert "58% of the way to 60.0% by 2025-26" in html  # (55 - 48) / (60 - 48)
    assert "Off track" in html
    figure = _charts(html)[0]
    keys = [t["meta"]["key"] for t in figure["data"]]
    assert keys == ["total", "target", "target-point", "projection", "baseline"]
    assert "No approved data yet." in html  # summer-reading


def test_indicator_page_draws_total_categories_gap_geography_and_notes(client_as, charted):
    html = client_as("backbone").get(urls(charted.world)["by-race"]).content.decode()
    trend, gap, geography = _charts(html)
    keys = [t["meta"]["key"] for t in trend["data"]]
    assert keys[:3] == ["white", "black", "total"]
    assert [a["text"] for a in trend["layout"]["annotations"]] == [NOTE[:38] + "…"]
    assert gap["data"][0]["y"][0] == pytest.approx(30.0)  # 70 - 40 at the baseline
    assert geography["data"][0]["y"] == ["Oak School", "Tiny School"]  # best on top
    assert "The story behind the curve" in html
    assert NOTE in html
    assert "<caption" in html and 'id="trend-table"' in html
    assert "data-copy-table" in html and "data-sortable" in html
    assert "narrowed" in html  # 30 points then, 22 now
    assert "22.0 pts" in html
    assert 'aria-current="true">Race/ethnicity</a>' in html
    assert "99.9" not in html  # the draft


def test_indicator_page_lists_the_steward_and_the_activities(client_as, charted):
    world = charted.world
    activity = Activity.objects.create(
        partnership=world.partnership,
        organization=world.other_org,
        title="Summer literacy camps",
        start_date=date(2025, 6, 1),
        status="active",
    )
    activity.indicators.add(charted.indicator)
    html = client_as("funder").get(urls(world)["indicator"]).content.decode()
    assert "Riverside District" in html  # the steward
    assert "Summer literacy camps" in html
    assert "Riverside YMCA" in html


@pytest.mark.parametrize(
    ("name", "sees"),
    [("backbone", True), ("superuser", True), ("steward", True), ("other_steward", False),
     ("viewer", False), ("funder", False)],
)  # fmt: skip
def test_organization_page_shows_submissions_only_to_who_may_see_them(
    client_as, charted, name, sees
):
    response = client_as(name).get(urls(charted.world)["organization"])
    html = response.content.decode()
    assert "Kindergarten readiness" in html  # the indicator it stewards
    assert ("Its data" in html) == sees
    assert ("99.9" in html) == sees  # the draft
    assert "What it owes" in html


def test_organization_page_lists_what_it_owes_to_those_who_see_its_requests(client_as, charted):
    world = charted.world
    DataRequest.objects.create(
        partnership=world.partnership,
        organization=world.partner_org,
        indicator=charted.indicator,
        period=period("2023-24"),
        due_date=timezone.localdate() + timedelta(days=10),
    )
    assert "2023-24" in client_as("backbone").get(urls(world)["organization"]).content.decode()
    # The viewer belongs to the district: it sees what its own organization owes.
    assert "Open" in client_as("viewer").get(urls(world)["organization"]).content.decode()
    funder = client_as("funder").get(urls(world)["organization"]).content.decode()
    assert "No open data requests that you can see" in funder


# ---------- query counts do not grow with the data ----------

# Session, user, memberships and the navigation's partnerships, then the page's own
# reads (see page_selectors and selectors): a viewer measured 18 (with the activity
# feed), 11, 15, 15 and 11 queries. A budget with a little room, and the same count
# for the small and the large partnership.
BUDGETS = {"home": 20, "area": 13, "indicator": 17, "by-race": 17, "organization": 13}


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_query_count_is_the_same_for_a_small_and_a_large_partnership(
    client_as, charted, page, django_assert_max_num_queries
):
    world = charted.world
    client = client_as("viewer")
    url = urls(world)[page]
    small = _count(client, url)
    grow(world, 5)
    _more_history(charted)
    with django_assert_max_num_queries(BUDGETS[page]):
        client.get(url)
    assert _count(client, url) == small


def _more_history(charted) -> None:
    """Five more years of every series of the charted indicator."""
    from indicators.trend_engine import recompute_indicator

    ind = charted.indicator
    for i, label in enumerate(["2013-14", "2014-15", "2015-16", "2016-17", "2017-18"]):
        year = period(label)
        DataPointFactory(indicator=ind, period=year, value=Decimal(40 + i))
        for category in (charted.black, charted.white):
            DataPointFactory(
                indicator=ind, period=year, category=category, value=Decimal(30 + i),
                numerator=Decimal(60 + 2 * i), denominator=200,
            )  # fmt: skip
        for school in (charted.s1, charted.s2):
            DataPointFactory(
                indicator=ind, period=year, geography=school, value=Decimal(50),
                numerator=50, denominator=100,
            )  # fmt: skip
    DataPointFactory(
        indicator=ind, period=period("2023-24"), status=DataStatus.SUBMITTED,
        geography=charted.s1, value=Decimal(1), numerator=1, denominator=100,
    )  # fmt: skip
    for pk in Indicator.objects.filter(partnership=ind.partnership).values_list("pk", flat=True):
        recompute_indicator(pk, force=True)


def test_indicator_chart_data_reads_in_a_fixed_number_of_queries(
    charted, django_assert_num_queries
):
    ind = Indicator.objects.select_related("partnership", "target_period").get(
        pk=charted.indicator.pk
    )
    user = charted.world.users["viewer"]
    user._ci_memberships = None  # read the membership inside the count
    # membership, categories, series (2), trends, equity gap, geography trends,
    # their denominators (2)
    with django_assert_num_queries(9):
        data = indicator_chart_data(ind, user=user, dimension="race")
    assert [s.key for s in data.series] == ["total", "black", "white"]


def test_chart_data_gives_reports_plotly_figures_of_the_page_charts(charted):
    """Reports render the same charts as static images (kaleido): plotly Figures
    built from the same chart data, suppression applied."""
    import plotly.graph_objects as go

    ind = Indicator.objects.select_related("partnership", "target_period").get(
        pk=charted.indicator.pk
    )
    data = indicator_chart_data(ind, user=charted.world.users["funder"], dimension="race")
    for figure, spec in [
        (data.trend_figure(), data.page_trend_spec),
        (data.gap_figure(), data.gap_spec),
        (data.geography_figure(), data.geography_spec),
        (data.sparkline_figure(), data.sparkline_spec),
    ]:
        assert isinstance(figure, go.Figure)
        assert [list(t.y) for t in figure.data] == [t["y"] for t in spec["data"]]
    black = next(t for t in data.trend_figure().data if t.meta["key"] == "black")
    assert None in black.y and float(SECRET_CATEGORY) not in black.y


def test_unknown_dimension_or_level_falls_back_to_the_total_and_the_first_level(client_as, charted):
    url = reverse("indicator_detail", args=["riverside", "k-ready"])
    response = client_as("viewer").get(url + "?dimension=nope&level=galaxy")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.dimension is None
    assert [s.key for s in data.series] == ["total"]
    assert data.gap_dimension.code == "race"  # the gap still shows, by the first dimension
    assert data.level == "school"
