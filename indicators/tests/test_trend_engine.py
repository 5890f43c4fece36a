"""The trend engine over the database: what it stores, when it runs, and that it
is safe to run twice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators import trend_engine
from indicators.models import DerivedPoint, EquityGap, Trend, TrendState
from indicators.services import (
    approved_data_changed,
    datapoint_create,
    datapoint_set_status,
    datapoint_update,
)
from indicators.tasks import recompute_pending_trends
from partnership.tests.factories import (
    CategoryFactory,
    DataPointFactory,
    DimensionFactory,
    GeographyFactory,
    period,
)

YEARS = ["2018-19", "2019-20", "2020-21", "2021-22"]


@pytest.fixture
def measured(world):
    """world.indicator (a percent, higher is better) with a district, two schools,
    a race dimension, and approved data: schools report, the district does not."""
    ind = world.indicator
    ind.baseline_period = period("2018-19")
    ind.target_value = Decimal(80)
    ind.target_period = period("2025-26")
    ind.save()
    district = GeographyFactory(partnership=world.partnership, code="D1")
    s1 = GeographyFactory(partnership=world.partnership, code="S1", parent=district, kind="school")
    s2 = GeographyFactory(partnership=world.partnership, code="S2", parent=district, kind="school")
    race = DimensionFactory(partnership=world.partnership, code="race")
    black = CategoryFactory(dimension=race, code="black", order=1)
    white = CategoryFactory(dimension=race, code="white", order=2)
    ind.dimensions.add(race)
    for i, label in enumerate(YEARS):
        p = period(label)
        for school, (num, den) in ((s1, (40 + 5 * i, 100)), (s2, (30 + 2 * i, 50))):
            DataPointFactory(
                indicator=ind,
                period=p,
                geography=school,
                value=Decimal(100) * num / den,
                numerator=num,
                denominator=den,
            )
        # Partnership-wide by race: the gap narrows from 30 to 18 points.
        DataPointFactory(indicator=ind, period=p, category=black, value=Decimal(40 + 5 * i))
        DataPointFactory(indicator=ind, period=p, category=white, value=Decimal(70 + i))
    DataPointFactory(indicator=ind, period=period("2022-23"), geography=s1, status="draft",
                     value=Decimal(1), numerator=1, denominator=100)  # fmt: skip
    return {"district": district, "s1": s1, "s2": s2, "black": black, "white": white}


def _trend(indicator, geography=None, category=None):
    return Trend.objects.get(indicator=indicator, geography=geography, category=category)


def test_recompute_stores_every_series_with_derived_totals(world, measured):
    outcome = trend_engine.recompute_indicator(world.indicator.pk)
    assert outcome.state == "computed"
    district = _trend(world.indicator, measured["district"])
    # 2018-19: (40 + 30) / (100 + 50) = 46.67%; 2021-22: (55 + 36) / 150 = 60.67%
    assert district.n_points == 4 and district.n_derived == 4
    assert district.baseline_value == Decimal("46.666667")
    assert district.latest_value == Decimal("60.666667")
    assert district.status == "improving"
    wide = _trend(world.indicator)
    assert wide.n_derived == 4  # partnership-wide total derived from the district
    assert DerivedPoint.objects.filter(indicator=world.indicator, geography=None).count() == 4
    s1 = _trend(world.indicator, measured["s1"])
    assert (s1.latest_value, s1.current_run, s1.n_derived) == (Decimal(55), 3, 0)
    assert s1.progress_to_target == pytest.approx(15 / 40)
    assert s1.on_track is not None and s1.projection is not None


def test_drafts_never_reach_trends(world, measured):
    trend_engine.recompute_indicator(world.indicator.pk)
    assert _trend(world.indicator, measured["s1"]).latest_period.label == "2021-22"


def test_equity_gap_on_the_total_series(world, measured):
    trend_engine.recompute_indicator(world.indicator.pk)
    wide = _trend(world.indicator)
    assert wide.equity_gap == 18.0  # 73 - 55 at 2021-22
    assert wide.gap_trend == "narrowed"  # from 30 at the 2018-19 baseline
    gap = EquityGap.objects.get(indicator=world.indicator, geography=None)
    assert (gap.highest_category, gap.lowest_category) == (measured["white"], measured["black"])
    assert gap.baseline_gap == 30


def test_second_run_with_no_new_data_does_nothing(world, measured):
    trend_engine.recompute_indicator(world.indicator.pk)
    first = list(Trend.objects.values_list("id", flat=True))
    assert trend_engine.recompute_indicator(world.indicator.pk).state == "fresh"
    assert list(Trend.objects.values_list("id", flat=True)) == first
    forced = trend_engine.recompute_indicator(world.indicator.pk, force=True)
    assert forced.state == "computed"
    assert Trend.objects.count() == len(first)  # replaced, not duplicated


def test_approving_data_queues_a_recompute_after_commit(
    world, measured, django_capture_on_commit_callbacks
):
    trend_engine.recompute_indicator(world.indicator.pk)
    backbone = world.users["backbone"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        point = datapoint_create(
            indicator=world.indicator,
            period=period("2022-23"),
            geography=measured["s2"],
            value="80",
            numerator="40",
            denominator="50",
            user=backbone,
        )
        datapoint_set_status(
            point=point, status="approved", expected_version=point.version, user=backbone
        )
    assert len(callbacks) == 1
    assert _trend(world.indicator, measured["s2"]).latest_value == 80
    world.indicator.refresh_from_db()
    state = TrendState.objects.get(indicator=world.indicator)
    assert state.computed_version == world.indicator.data_version
    assert all(not t.stale for t in Trend.objects.select_related("indicator"))


def test_a_burst_of_changes_queues_one_recompute_per_indicator(
    world, measured, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(50):
            approved_data_changed(indicator=world.indicator)
        approved_data_changed(indicator=world.other_indicator)
    assert len(callbacks) == 2


def test_editing_approved_data_makes_trends_stale_until_recomputed(world, measured):
    trend_engine.recompute_indicator(world.indicator.pk)
    point = world.indicator.data_points.filter(geography=measured["s1"], status="approved").first()
    datapoint_update(
        point=point,
        expected_version=point.version,
        user=world.users["backbone"],
        value="41",
        numerator="41",
    )
    trend = Trend.objects.select_related("indicator").filter(indicator=world.indicator).first()
    assert trend.stale


def test_sweep_queues_indicators_left_stale(world, measured):
    # Data exists but no recompute ever ran (as if the broker had been down).
    world.indicator.data_version = 3
    world.indicator.save()
    assert recompute_pending_trends() >= 1  # eager: the recompute ran in-process
    assert Trend.objects.filter(indicator=world.indicator).exists()
    assert recompute_pending_trends() == 0


def test_recompute_trends_command(world, measured, capsys):
    call_command("recompute_trends", "--partnership", "riverside", verbosity=0)
    assert "Recomputed 2 indicators" in capsys.readouterr().out
    assert Trend.objects.filter(indicator=world.indicator).count() > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partnership", "nope"], "No partnership"),
        (["--indicator", "k-ready"], "needs --partnership"),
        (["--partnership", "riverside", "--indicator", "nope"], "No indicator nope"),
    ],
)
def test_recompute_trends_command_explains_bad_options(world, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("recompute_trends", *args)


def test_query_count_does_not_grow_with_series(world, measured, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        trend_engine.recompute_indicator(world.indicator.pk, force=True)


def test_scorecard_counts_each_indicator_once_by_its_headline(world, measured):
    from indicators.selectors import scorecard

    trend_engine.recompute_many(world.partnership.indicators.all())
    card = scorecard(partnership=world.partnership)
    # k-ready's headline (derived partnership-wide total) improves; summer-reading
    # has no data: insufficient.
    assert {k: card[k] for k in ("total", "improving", "insufficient_data")} == {
        "total": 2,
        "improving": 1,
        "insufficient_data": 1,
    }
    assert card["outcome_areas"][0]["slug"] == "kindergarten-readiness"
    assert card["outcome_areas"][0]["total"] == 2


def test_freshness_tells_stale_from_fresh(world, measured):
    from indicators.selectors import trend_freshness

    world.indicator.data_version = 1
    world.indicator.save()
    assert trend_freshness(partnership=world.partnership)["stale"] == 1
    trend_engine.recompute_indicator(world.indicator.pk)
    fresh = trend_freshness(partnership=world.partnership)
    assert fresh["stale"] == 0
    assert fresh["last_recompute"] is not None


@pytest.mark.postgres
def test_a_second_worker_skips_an_indicator_being_computed(
    postgres, transactional_db, world, measured
):
    """Two workers never compute the same indicator at once: the second finds the
    indicator's TrendState row locked and steps aside (its task retries later)."""
    import psycopg2
    from django.db import connection

    TrendState.objects.get_or_create(indicator=world.indicator)
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
    )
    try:
        other.cursor().execute(
            "SELECT 1 FROM indicators_trendstate WHERE indicator_id = %s FOR UPDATE",
            [world.indicator.pk],
        )
        assert trend_engine.recompute_indicator(world.indicator.pk).state == "busy"
        assert not Trend.objects.filter(indicator=world.indicator).exists()
    finally:
        other.rollback()
        other.close()
    assert trend_engine.recompute_indicator(world.indicator.pk).state == "computed"


def _stored(indicator):
    """Everything the engine stored for an indicator, without ids and timestamps."""
    trends = set(
        Trend.objects.filter(indicator=indicator).values_list(
            "geography_id", "category_id", "n_points", "n_derived", "baseline_value",
            "latest_value", "latest_period_id", "status", "slope", "current_run",
            "progress_to_target", "projection", "on_track", "equity_gap", "gap_trend",
            "data_version",
        )
    )  # fmt: skip
    derived = set(
        DerivedPoint.objects.filter(indicator=indicator).values_list(
            "geography_id", "category_id", "period_id", "value", "numerator", "denominator",
            "n_children", "data_version",
        )
    )  # fmt: skip
    gaps = set(
        EquityGap.objects.filter(indicator=indicator).values_list(
            "geography_id", "dimension_id", "gap", "baseline_gap", "gap_trend", "data_version"
        )
    )
    return trends, derived, gaps


@pytest.mark.parametrize("seed", range(6))
def test_recomputing_only_the_changed_series_gives_the_same_result_as_everything(
    world, measured, seed
):
    """After any mix of edits, approvals and deletions, the partial recompute (the
    changed series, their roll-ups and equity gaps) stores exactly what a full
    recompute would."""
    import random

    from indicators.models import DataPoint, TrendRequest

    rng = random.Random(seed)
    backbone = world.users["backbone"]
    trend_engine.recompute_indicator(world.indicator.pk, force=True)
    for _step in range(5):
        points = list(world.indicator.data_points.order_by("id"))
        point = rng.choice(points)
        action = rng.choice(["edit", "edit", "delete", "approve_draft", "new_school_point"])
        if action == "edit" and point.status == "approved":
            num = rng.randint(0, int(point.denominator or 100))
            den = point.denominator or Decimal(100)
            point = datapoint_update(
                point=point,
                expected_version=point.version,
                user=backbone,
                value=(Decimal(100) * num / den).quantize(Decimal("0.01")),
                numerator=num if point.denominator else None,
                denominator=den if point.denominator else None,
            )
            datapoint_set_status(
                point=point, status="approved", expected_version=point.version, user=backbone
            )
        elif action == "delete" and point.status == "approved":
            from indicators.services import datapoint_delete

            datapoint_delete(point=point, expected_version=point.version, user=backbone)
        elif action == "approve_draft":
            draft = world.indicator.data_points.filter(status="draft").first()
            if draft:
                datapoint_set_status(
                    point=draft, status="approved", expected_version=draft.version, user=backbone
                )
        elif action == "new_school_point":
            label = rng.choice(["2016-17", "2022-23", "2023-24"])
            school = rng.choice([measured["s1"], measured["s2"]])
            if not DataPoint.objects.filter(
                indicator=world.indicator, period=period(label), geography=school
            ).exists():
                new = datapoint_create(
                    indicator=world.indicator,
                    period=period(label),
                    geography=school,
                    value="50",
                    numerator="25",
                    denominator="50",
                    user=backbone,
                )
                datapoint_set_status(
                    point=new, status="approved", expected_version=new.version, user=backbone
                )
        assert (
            TrendRequest.objects.filter(indicator=world.indicator, whole_indicator=True).count()
            == 0
        )
        outcome = trend_engine.recompute_indicator(world.indicator.pk)
        assert outcome.state in ("computed", "fresh")
        assert not TrendRequest.objects.filter(indicator=world.indicator).exists()
        partial = _stored(world.indicator)
        trend_engine.recompute_indicator(world.indicator.pk, force=True)
        assert _stored(world.indicator) == partial


def test_a_partial_recompute_touches_only_the_reached_series(world, measured):
    trend_engine.recompute_indicator(world.indicator.pk, force=True)
    before = dict(Trend.objects.filter(indicator=world.indicator).values_list("id", "geography_id"))
    point = world.indicator.data_points.get(
        geography=measured["s1"], period=period("2020-21"), status="approved"
    )
    backbone = world.users["backbone"]
    point = datapoint_update(
        point=point,
        expected_version=point.version,
        user=backbone,
        value="60",
        numerator="60",
        comment="corrected",
    )
    datapoint_set_status(
        point=point, status="approved", expected_version=point.version, user=backbone
    )
    trend_engine.recompute_indicator(world.indicator.pk)
    after = dict(Trend.objects.filter(indicator=world.indicator).values_list("id", "geography_id"))
    replaced = {geo for pk, geo in before.items() if pk not in after}
    # School 1, its district and the partnership-wide total (both derived from it);
    # not school 2, nor the partnership-wide category series.
    assert replaced == {measured["s1"].pk, measured["district"].pk, None}
    kept_category_series = Trend.objects.filter(
        indicator=world.indicator, category=measured["black"]
    ).get()
    world.indicator.refresh_from_db()
    assert kept_category_series.data_version == world.indicator.data_version


def test_a_broker_outage_loses_no_recompute(
    world, measured, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """The change is saved even when the task cannot be queued; the indicator stays
    visibly stale, and the periodic sweep recomputes it once the broker is back."""
    from indicators import tasks

    trend_engine.recompute_indicator(world.indicator.pk, force=True)
    point = world.indicator.data_points.filter(status="approved", geography=measured["s1"]).first()

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.recompute_indicator_trends, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        datapoint_update(
            point=point,
            expected_version=point.version,
            user=world.users["backbone"],
            value="10",
            numerator="10",
        )
    assert "periodic sweep will pick it up" in caplog.text
    world.indicator.refresh_from_db()
    assert Trend.objects.select_related("indicator").filter(indicator=world.indicator)[0].stale

    monkeypatch.undo()  # the broker is back
    world.indicator.__class__.objects.filter(pk=world.indicator.pk).update(
        recompute_requested_at=None  # as the sweep finds it after the request's time to live
    )
    assert recompute_pending_trends() == 1
    assert not Trend.objects.select_related("indicator").filter(indicator=world.indicator)[0].stale


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scorecard_equals_an_independent_count_over_generated_indicators(db, seed):
    """Random partnerships: each indicator's headline status is worked out again
    from its values (baseline = first, latest = last, threshold, direction), and
    the scorecard must equal a Counter of them, overall and per outcome area."""
    import random
    from collections import Counter

    from indicators.selectors import scorecard
    from partnership.tests.factories import (
        IndicatorFactory,
        OutcomeAreaFactory,
        PartnershipFactory,
    )

    rng = random.Random(seed)
    partnership = PartnershipFactory()
    areas = [OutcomeAreaFactory(partnership=partnership, order=i) for i in range(3)]
    expected, by_area = Counter(), {area.slug: Counter() for area in areas}
    for _ in range(12):
        area = rng.choice(areas)
        higher = rng.random() < 0.5
        threshold = Decimal(rng.choice([0, 1, 2]))
        indicator = IndicatorFactory(
            partnership=partnership,
            outcome_area=area,
            unit="count",
            aggregation="sum",
            direction="higher_is_better" if higher else "lower_is_better",
            threshold=threshold,
        )
        years = sorted(rng.sample(range(2015, 2024), rng.randint(0, 5)))  # gaps, none, one
        values = [Decimal(rng.randint(40, 46)) for _ in years]  # ties and small moves
        for year, value in zip(years, values, strict=True):
            label = f"{year}-{str(year + 1)[2:]}"
            DataPointFactory(indicator=indicator, period=period(label), value=value)
        if len(values) < 2:
            status = "insufficient_data"
        else:
            gain = (values[-1] - values[0]) * (1 if higher else -1)
            status = (
                "improving"
                if gain > threshold
                else "worsening"
                if gain < -threshold
                else "no_change"
            )
        expected[status] += 1
        by_area[area.slug][status] += 1

    trend_engine.recompute_many(partnership.indicators.all())
    card = scorecard(partnership=partnership)
    statuses = ("improving", "no_change", "worsening", "insufficient_data")
    assert {s: card[s] for s in statuses} == {s: expected[s] for s in statuses}
    assert card["total"] == 12
    for row in card["outcome_areas"]:
        assert {s: row[s] for s in statuses} == {s: by_area[row["slug"]][s] for s in statuses}


def test_removing_a_geography_removes_its_derived_data_too(world, measured):
    """Derived data keeps a database key to its indicator only: Django's cascade
    removes the trends and derived points of a geography that is removed."""
    from django.db.models import ProtectedError

    from indicators.models import DataPoint, Geography

    trend_engine.recompute_indicator(world.indicator.pk, force=True)
    district, s2 = measured["district"], measured["s2"]
    district_pk, s2_pk = district.pk, s2.pk
    assert DerivedPoint.objects.filter(geography=district).exists()
    with pytest.raises(ProtectedError):
        s2.delete()  # its data points hold it
    DataPoint.objects.filter(geography=s2).delete()
    s2.delete()
    assert not Trend.objects.filter(geography_id=s2_pk).exists()
    trend_engine.recompute_indicator(world.indicator.pk, force=True)
    DataPoint.objects.filter(geography__parent=district).delete()
    Geography.objects.filter(parent=district).delete()
    district.delete()
    for model in (Trend, DerivedPoint, EquityGap):
        assert not model.objects.filter(geography_id=district_pk).exists()
    assert set(Geography.objects.values_list("pk", flat=True)) >= set(
        Trend.objects.exclude(geography=None).values_list("geography_id", flat=True)
    )
