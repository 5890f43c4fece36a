"""The activity feed: data approvals grouped per indicator and day, submissions only for
those who may see them, trend changes from the trend engine, agenda adoptions,
decisions and overdue action items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from indicators import trend_engine
from indicators.models import ChangeAction, DataPointChange
from outcomes.models import ActionItem, Decision, Meeting
from partnership import agenda
from partnership.feed import activity_feed, record_event
from partnership.models import ActivityEvent, EventKind
from partnership.tests.factories import DataPointFactory, period
from partnership.tests.world import ROLE_NAMES


def changes(indicator, action, n, days_ago=0):
    """``n`` history rows of one action on an indicator, ``days_ago`` days back."""
    rows = DataPointChange.objects.bulk_create(
        DataPointChange(
            indicator=indicator, period_label=f"20{10 + i}-{11 + i}", action=action, new={}
        )
        for i in range(n)
    )
    when = timezone.now() - timedelta(days=days_ago)
    DataPointChange.objects.filter(pk__in=[r.pk for r in rows]).update(changed_at=when)


def submitted(indicator, n):
    """``n`` data points of an indicator waiting for approval."""
    labels = ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20", "2020-21"]
    for label in labels[:n]:
        DataPointFactory(indicator=indicator, period=period(label), status="submitted")


def kinds(items):
    return [item.kind for item in items]


def test_an_approval_of_many_values_is_one_item_per_indicator_and_day(world):
    changes(world.indicator, ChangeAction.APPROVED, 500)
    changes(world.indicator, ChangeAction.APPROVED, 3, days_ago=2)
    changes(world.other_indicator, ChangeAction.APPROVED, 1)
    items = activity_feed(world.partnership, world.users["viewer"])
    texts = [item.text for item in items]
    assert len(items) == 3
    assert any(t.startswith("500 values of k-ready") and t.endswith("approved") for t in texts)
    assert any(t.startswith("3 values of k-ready") for t in texts)
    assert any(t.startswith("1 value of summer-reading") for t in texts)
    assert items[-1].text.startswith("3 values")  # oldest last


def test_old_approvals_fall_out_of_the_feed(world):
    changes(world.indicator, ChangeAction.APPROVED, 2, days_ago=400)
    assert activity_feed(world.partnership, world.users["backbone"]) == []


EXPECTED_SUBMISSIONS = {
    "superuser": 2,
    "backbone": 2,
    "steward": 1,  # only the indicator the district stewards
    "other_steward": 1,
    "viewer": 0,
    "funder": 0,
}


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_data_awaiting_approval_is_shown_only_to_who_may_see_it(world, name):
    submitted(world.indicator, 4)
    submitted(world.other_indicator, 2)
    submitted(world.foreign_indicator, 2)
    changes(world.foreign_indicator, ChangeAction.APPROVED, 2)
    items = activity_feed(world.partnership, world.users[name])
    if name == "outsider":
        assert items == []
        return
    awaiting = [i for i in items if i.kind == "data_submitted"]
    assert len(awaiting) == EXPECTED_SUBMISSIONS[name]
    assert "g3-reading" not in " ".join(i.text for i in items)  # another partnership's
    if name == "steward":
        assert awaiting[0].text.startswith("4 values of k-ready")
        assert awaiting[0].text.endswith("awaiting approval")
        assert awaiting[0].link == "/p/riverside/data/approvals/"


def test_a_change_of_the_headline_trend_is_recorded_once(world):
    ind = world.indicator
    for label, value in (("2019-20", 50), ("2020-21", 50)):
        DataPointFactory(indicator=ind, period=period(label), value=Decimal(value))
    trend_engine.recompute_indicator(ind.pk, force=True)
    assert not ActivityEvent.objects.exists()  # first computation: not a change
    DataPointFactory(indicator=ind, period=period("2021-22"), value=Decimal(60))
    trend_engine.recompute_indicator(ind.pk, force=True)
    trend_engine.recompute_indicator(ind.pk, force=True)  # same status: nothing new
    event = ActivityEvent.objects.get()
    assert event.kind == EventKind.TREND_CHANGED
    assert event.text == f"k-ready · {ind.name}: now improving (was no change)"
    items = activity_feed(world.partnership, world.users["funder"])
    assert kinds(items) == ["trend_changed"]


def test_decisions_overdue_items_and_adoptions_are_merged_newest_first(world):
    now = timezone.now()
    meeting = Meeting.objects.create(
        partnership=world.partnership,
        title="Leadership table",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=2),
    )
    Decision.objects.create(meeting=meeting, text="Adopt the reading strategy.")
    ActionItem.objects.create(
        meeting=meeting,
        description="Share the attendance data",
        owner_organization=world.partner_org,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    version = agenda.agenda_save(
        user=world.users["backbone"],
        partnership=world.partnership,
        based_on=0,
        vision="v",
        problem_statement="p",
        goals="g",
        equity_commitment="e",
    )
    agenda.agenda_adopt(
        user=world.users["backbone"], version=version, adopted_on=timezone.localdate()
    )
    items = activity_feed(world.partnership, world.users["viewer"])
    assert kinds(items) == ["agenda_adopted", "decision", "overdue"]
    assert items[1].text == "Leadership table: Adopt the reading strategy."
    assert items[1].link == f"/p/riverside/meetings/{meeting.pk}/"
    assert "Share the attendance data (Riverside District)" in items[2].text
    assert activity_feed(world.other_partnership, world.users["outsider"]) == []


def test_the_feed_is_limited_and_reads_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    for n in range(30):
        record_event(partnership=world.partnership, kind=EventKind.MEMBER_JOINED, text=f"P{n}")
    changes(world.indicator, ChangeAction.APPROVED, 10)
    submitted(world.indicator, 5)
    user = world.users["backbone"]
    with django_assert_max_num_queries(6):
        items = activity_feed(world.partnership, user, limit=20)
    assert len(items) == 20


def test_the_include_shows_dates_badges_and_links(world):
    changes(world.indicator, ChangeAction.APPROVED, 2)
    record_event(
        partnership=world.partnership,
        kind=EventKind.AGENDA_ADOPTED,
        text="Common agenda version 1 adopted",
        link="/p/riverside/agenda/",
    )
    html = render_to_string(
        "partnership/_activity_feed.html",
        {"feed": activity_feed(world.partnership, world.users["viewer"])},
    )
    assert 'class="feed-badge feed-badge--agenda_adopted">Agenda<' in html
    assert 'href="/p/riverside/agenda/">Common agenda version 1 adopted</a>' in html
    assert "Data approved" in html
    assert html.count('class="feed__day"') == 1
    assert "Nothing has happened here lately." in render_to_string(
        "partnership/_activity_feed.html", {"feed": []}
    )


def test_a_day_with_approvals_of_many_indicators_is_one_item(world):
    from partnership.tests.factories import IndicatorFactory

    indicators = [world.indicator, world.other_indicator]
    indicators += [
        IndicatorFactory(partnership=world.partnership, outcome_area=world.indicator.outcome_area)
        for _ in range(3)
    ]
    for indicator in indicators:
        changes(indicator, ChangeAction.APPROVED, 200)
    changes(world.indicator, ChangeAction.APPROVED, 2, days_ago=1)
    items = activity_feed(world.partnership, world.users["viewer"])
    assert [item.text for item in items] == [
        "1,000 values of 5 indicators approved",
        f"2 values of k-ready · {world.indicator.name} approved",
    ]
    assert items[0].link == "/p/riverside/"
