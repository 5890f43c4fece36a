"""The signed-in pages: home (the user's partnerships) and a partnership's overview,
for every role of the shared test world, the outsider and the anonymous visitor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.models import DataStatus, IndicatorKind
from partnership.models import OrganizationRole, Role, Sector
from partnership.tests.factories import (
    DataPointFactory,
    IndicatorFactory,
    MembershipFactory,
    OrganizationFactory,
    OutcomeAreaFactory,
    PartnershipFactory,
    period,
)

HOME = reverse("home")
LOGIN = reverse("login")
LOGOUT = reverse("logout")
ADMIN = reverse("admin:index")
RIVERSIDE = reverse("partnership_overview", args=["riverside"])

# Every member of riverside and the role label they should see there.
MEMBER_ROLE_LABELS = {
    "superuser": Role.BACKBONE.label,  # superusers count as backbone staff
    "backbone": Role.BACKBONE.label,
    "steward": Role.DATA_STEWARD.label,
    "other_steward": Role.DATA_STEWARD.label,
    "viewer": Role.VIEWER.label,
    "funder": Role.FUNDER.label,
}


# ---------- Anonymous visitors ----------


@pytest.mark.parametrize("url", [HOME, RIVERSIDE])
def test_anonymous_is_sent_to_sign_in(client_as, url):
    response = client_as("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


def test_sign_in_page_has_labelled_fields_and_the_demo_hint(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "autofocus" in html
    assert "Demo accounts are listed in the README" in html


# ---------- Home ----------


@pytest.mark.parametrize("name", MEMBER_ROLE_LABELS)
def test_members_see_their_partnership_on_home_with_their_role(client_as, world, name):
    response = client_as(name).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Riverside Cradle to Career" in html
    assert RIVERSIDE in html
    summary = next(
        s for s in response.context["summaries"] if s.partnership.pk == world.partnership.pk
    )
    assert summary.role_label == MEMBER_ROLE_LABELS[name]
    assert MEMBER_ROLE_LABELS[name] in html
    # Riverside has one outcome area, two indicators and four organizations.
    assert (summary.outcome_area_count, summary.indicator_count, summary.organization_count) == (
        1,
        2,
        4,
    )


def test_outsider_does_not_see_riverside_on_home(client_as):
    response = client_as("outsider").get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hillcrest Promise" in html
    assert "Riverside" not in html
    assert RIVERSIDE not in html


def test_home_shows_a_friendly_empty_state_to_someone_with_no_partnership(client, world):
    from partnership.tests.factories import UserFactory

    client.force_login(UserFactory(username="newcomer"))
    html = client.get(HOME).content.decode()
    assert "You are not a member of any partnership yet" in html
    assert "ask your backbone team for an invitation" in html


# ---------- Partnership overview ----------


@pytest.mark.parametrize("name", MEMBER_ROLE_LABELS)
def test_members_see_the_overview_with_their_role(client_as, world, name):
    response = client_as(name).get(RIVERSIDE)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["role_label"] == MEMBER_ROLE_LABELS[name]
    assert response.context["nav_role_label"] == MEMBER_ROLE_LABELS[name]
    assert "Riverside Cradle to Career" in html
    assert "Kindergarten readiness" in html
    assert world.indicator.code in html
    assert world.other_indicator.code in html
    assert "Riverside YMCA" in html
    # Nothing from the other partnership leaks in.
    assert world.foreign_indicator.code not in html
    assert "Hillcrest Backbone" not in html


def test_outsider_gets_404_on_the_overview(client_as):
    response = client_as("outsider").get(RIVERSIDE)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Riverside" not in html


def test_unknown_partnership_is_404(client_as):
    response = client_as("backbone").get(reverse("partnership_overview", args=["nowhere"]))
    assert response.status_code == 404


def test_overview_lists_areas_in_continuum_order_with_indicator_details(client_as, world):
    p = world.partnership
    # Area 4 is created before area 3: creation order differs from continuum order.
    later = OutcomeAreaFactory(
        partnership=p, slug="hs-grad", name="High school graduation", order=4
    )
    IndicatorFactory(
        partnership=p,
        outcome_area=later,
        code="grad-rate",
        name="Four-year graduation rate",
        kind=IndicatorKind.CONTRIBUTING,
        steward=world.other_org,
    )
    OutcomeAreaFactory(partnership=p, slug="g3-math", name="Middle grade math", order=3)

    html = client_as("viewer").get(RIVERSIDE).content.decode()

    positions = [
        html.index(name)
        for name in ("Kindergarten readiness", "Middle grade math", "High school graduation")
    ]
    assert positions == sorted(positions)
    assert "Four-year graduation rate" in html
    assert "Contributing indicator" in html
    assert "No indicators in this outcome area yet." in html


def test_overview_shows_only_approved_data(client_as, world):
    from indicators.trend_engine import recompute_indicator

    indicator = world.indicator
    kind = indicator.period_kind
    DataPointFactory(indicator=indicator, period=period("2019-20", kind), value=41)
    DataPointFactory(indicator=indicator, period=period("2021-22", kind), value=47)
    DataPointFactory(
        indicator=indicator, period=period("2022-23", kind), status=DataStatus.DRAFT, value=99
    )
    recompute_indicator(indicator.pk, force=True)

    response = client_as("funder").get(RIVERSIDE)

    charts = {c.indicator.code: c for area in response.context["page"].areas for c in area.charts}
    assert [p.period for p in charts[indicator.code].total.points] == ["2019-20", "2021-22"]
    assert charts[indicator.code].headline.trend.latest_period.label == "2021-22"
    assert charts[world.other_indicator.code].headline.trend is None
    html = response.content.decode()
    assert "47.0%" in html
    assert "2021-22" in html
    assert "2022-23" not in html
    assert "99.0" not in html
    assert "No data yet" in html


def test_overview_lists_organizations_with_sector_and_role(client_as, world):
    html = client_as("steward").get(RIVERSIDE).content.decode()
    for name in ("Riverside Backbone", "Riverside District", "Riverside YMCA"):
        assert name in html
    assert Sector.NONPROFIT.label in html
    assert OrganizationRole.BACKBONE.label in html
    assert OrganizationRole.FUNDER.label in html


# ---------- Navigation ----------


@pytest.mark.parametrize("name", [*MEMBER_ROLE_LABELS, "outsider"])
def test_only_superusers_see_django_admin_in_the_nav(client_as, name):
    html = client_as(name).get(HOME).content.decode()
    assert (f'href="{ADMIN}"' in html) == (name == "superuser")
    assert ("Django admin" in html) == (name == "superuser")


def test_nav_shows_the_partnership_being_viewed_and_the_sign_out_form(client_as):
    html = client_as("funder").get(RIVERSIDE).content.decode()
    assert 'aria-label="Riverside Cradle to Career"' in html
    assert f'action="{LOGOUT}"' in html
    assert "csrfmiddlewaretoken" in html
    assert ">funder<" in html  # the signed-in username


def test_switcher_appears_only_for_users_with_several_partnerships(client_as, world):
    assert "Switch partnership" not in client_as("backbone").get(HOME).content.decode()
    html = client_as("superuser").get(RIVERSIDE).content.decode()
    assert "Switch partnership" in html
    assert reverse("partnership_overview", args=["hillcrest"]) in html


def test_messages_are_shown_with_their_level(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "base.html",
        {
            "messages": [
                Message(constants.SUCCESS, "Saved."),
                Message(constants.ERROR, "Could not import row 3."),
            ]
        },
        request=request,
    )
    assert '<li class="message message--success" role="status">Saved.</li>' in html
    assert 'class="message message--error" role="alert">Could not import row 3.</li>' in html


# ---------- Signing in and out ----------


def test_sign_in_with_the_wrong_password_shows_an_error(client, world):
    response = client.post(LOGIN, {"username": "backbone", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html
    assert 'value="backbone"' in html  # the username is kept
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_lands_on_home(client, world):
    response = client.post(LOGIN, {"username": "backbone", "password": world.password})
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_sign_out_works_by_post_only(client_as):
    client = client_as("viewer")
    assert client.get(LOGOUT).status_code == 405
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get(HOME).status_code == 302


# ---------- Query counts do not grow with the data ----------

# Session, user, the navigation's memberships and partnerships, then the page's own
# reads (home: the partnerships, and the data requests the user's organizations owe).
# A budget, not an exact count: it must hold for the small and the large world.
# The partnership pages' budgets are in test_dashboards.py.
HOME_QUERY_BUDGET = 6


def grow(world, size: int) -> None:
    """Give riverside `size` more outcome areas, each with `size` indicators holding
    approved data, `size` more organizations, and give the backbone user `size` more
    partnerships."""
    p = world.partnership
    backbone = world.users["backbone"]
    for i in range(size):
        org = OrganizationFactory(partnership=p, sector=Sector.EDUCATION)
        area = OutcomeAreaFactory(partnership=p, order=10 + i)
        for _ in range(size):
            indicator = IndicatorFactory(partnership=p, outcome_area=area, steward=org)
            for label in ("2020-21", "2021-22"):
                DataPointFactory(indicator=indicator, period=period(label, indicator.period_kind))
        other = PartnershipFactory()
        MembershipFactory(user=backbone, partnership=other, role=Role.VIEWER)
        OrganizationFactory(partnership=other)


@pytest.mark.parametrize("size", [0, 6], ids=["small", "large"])
def test_home_query_count_does_not_grow(client_as, world, size, django_assert_max_num_queries):
    grow(world, size)
    client = client_as("backbone")
    with django_assert_max_num_queries(HOME_QUERY_BUDGET):
        response = client.get(HOME)
    assert len(response.context["summaries"]) == 1 + size
