"""The contribution map: who works on what, where work reinforces, what is orphaned."""

from __future__ import annotations

import pytest

from outcomes.activities import contribution_map
from outcomes.models import ActivityStatus
from partnership.tests.world import ROLE_NAMES

from .conftest import MEMBERS
from .factories import ActivityFactory


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_page_for_every_role(client_as, ow, role):
    expected = 200 if role in MEMBERS else 404
    assert client_as(role).get("/p/riverside/contributions/").status_code == expected


def test_reinforced_and_orphan_indicators(ow):
    cmap = contribution_map(ow.partnership)
    assert [o.slug for o in cmap.organizations] == ["district", "ymca"]
    rows = {row.indicator.code: row for row in cmap.rows}
    assert rows["k-ready"].counts == {ow.partner_org.pk: 1, ow.other_org.pk: 1}
    assert rows["k-ready"].reinforced and not rows["k-ready"].orphan
    assert rows["k-ready"].cells == [1, 1]
    # Only a planned activity aims at summer-reading: nobody is working on it now.
    assert rows["summer-reading"].orphan and rows["summer-reading"].cells == [0, 0]
    assert cmap.orphans == [ow.other_indicator] and cmap.reinforced == [ow.indicator]
    (block,) = cmap.areas
    assert block.cells == [1, 1]
    assert "g3-reading" not in rows  # another partnership's indicator


def test_counts_several_activities_of_one_organization_once_per_org(ow):
    ActivityFactory(
        partnership=ow.partnership,
        organization=ow.partner_org,
        indicators=[ow.indicator, ow.other_indicator],
    )
    ActivityFactory(
        partnership=ow.partnership,
        organization=ow.partner_org,
        status=ActivityStatus.COMPLETED,
        indicators=[ow.other_indicator],
    )
    cmap = contribution_map(ow.partnership)
    rows = {row.indicator.code: row for row in cmap.rows}
    assert rows["k-ready"].counts[ow.partner_org.pk] == 2
    assert rows["summer-reading"].n_organizations == 1 and not rows["summer-reading"].reinforced
    assert cmap.orphans == []


def test_page_is_an_accessible_table(client_as, ow):
    html = client_as("viewer").get("/p/riverside/contributions/").content.decode()
    assert '<table class="table contribution-map">' in html and "<caption" in html
    assert '<th scope="col" class="contribution-map__org"><span>Riverside District</span>' in html
    assert '<th scope="rowgroup"' in html and '<th scope="row"' in html
    assert "Indicators nobody is working on" in html and "Reinforced" in html
    assert "active activity" in html  # cell text for screen readers, not only colour


def test_query_count_does_not_grow(client_as, ow, django_assert_max_num_queries):
    from partnership.tests.factories import IndicatorFactory

    for n in range(12):
        IndicatorFactory(
            partnership=ow.partnership, outcome_area=ow.indicator.outcome_area, code=f"more-{n}"
        )
    for n in range(15):
        ActivityFactory(
            partnership=ow.partnership,
            organization=ow.other_org if n % 2 else ow.partner_org,
            indicators=[ow.indicator, ow.other_indicator],
        )
    client = client_as("viewer")
    with django_assert_max_num_queries(8):
        assert client.get("/p/riverside/contributions/").status_code == 200
