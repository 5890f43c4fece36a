"""The Theory of Action: default gateways and benchmarks, assessments kept over time,
the gateway reached, editing the benchmarks, pages by role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnership import toa
from partnership.models import (
    ActivityEvent,
    AssessmentStatus,
    Benchmark,
    BenchmarkAssessment,
    EventKind,
    Gateway,
    GatewayStage,
)
from partnership.tests.world import ROLE_NAMES

MET, IN_PROGRESS = AssessmentStatus.MET, AssessmentStatus.IN_PROGRESS


def benchmarks(world, stage):
    toa.toa_seed_defaults(world.partnership)
    return list(
        Benchmark.objects.filter(
            gateway__partnership=world.partnership, gateway__stage=stage, retired_at__isnull=True
        ).order_by("order")
    )


def assess(world, benchmark, status=MET, evidence="The 2024 report card.", user="backbone"):
    return toa.assessment_record(
        user=world.users[user], benchmark=benchmark, status=status, evidence=evidence
    )


@pytest.mark.parametrize(
    ("complete", "expected"),
    [
        ([], 0),
        ([False, True, True], 0),
        ([True, False, True], 1),
        ([True, True, False, False, False], 2),
        ([True] * 5, 5),
    ],
)
def test_reached_is_the_run_of_complete_gateways_from_the_first(complete, expected):
    assert toa.reached_index(complete) == expected


def test_defaults_are_five_gateways_with_three_to_five_benchmarks(world):
    gateways = toa.toa_seed_defaults(world.partnership)
    assert [g.stage for g in gateways] == list(GatewayStage.values)
    for gateway in gateways:
        assert 3 <= gateway.benchmarks.count() <= 5
    toa.toa_seed_defaults(world.partnership)  # again: nothing added
    assert Gateway.objects.filter(partnership=world.partnership).count() == 5
    assert Benchmark.objects.filter(gateway__partnership=world.partnership).count() == 22
    assert not Gateway.objects.filter(partnership=world.other_partnership).exists()


def test_nothing_reached_at_first(world):
    state = toa.theory_of_action(partnership=world.partnership)
    assert state.reached is None
    assert state.next.gateway.stage == GatewayStage.EXPLORING
    assert all(b.status == AssessmentStatus.NOT_STARTED for b in state.next.benchmarks)


def test_a_gateway_is_reached_when_it_and_every_earlier_one_are_met(world):
    for b in benchmarks(world, GatewayStage.EMERGING):
        assess(world, b)  # all of emerging, but exploring is not done
    state = toa.theory_of_action(partnership=world.partnership)
    assert state.reached is None
    exploring = benchmarks(world, GatewayStage.EXPLORING)
    for b in exploring:
        assess(world, b)
    state = toa.theory_of_action(partnership=world.partnership)
    assert state.reached.gateway.stage == GatewayStage.EMERGING
    assert state.next.gateway.stage == GatewayStage.SUSTAINING
    assert len(state.next.left) == state.next.total == 5
    # The latest assessment counts: one exploring benchmark back in progress.
    assess(world, exploring[0], IN_PROGRESS, "The charter is being revised.")
    state = toa.theory_of_action(partnership=world.partnership)
    assert state.reached is None
    assert [b.benchmark for b in state.next.left] == [exploring[0]]
    # Earlier assessments are kept.
    assert BenchmarkAssessment.objects.filter(benchmark=exploring[0]).count() == 2


def test_a_retired_benchmark_stops_counting(world):
    exploring = benchmarks(world, GatewayStage.EXPLORING)
    for b in exploring[1:]:
        assess(world, b)
    assert toa.theory_of_action(partnership=world.partnership).reached is None
    toa.benchmark_retire(user=world.users["backbone"], benchmark=exploring[0])
    state = toa.theory_of_action(partnership=world.partnership)
    assert state.reached.gateway.stage == GatewayStage.EXPLORING
    assert state.gateways[0].retired == [exploring[0]]


def test_a_gateway_without_benchmarks_cannot_be_reached(world):
    for b in benchmarks(world, GatewayStage.EXPLORING):
        toa.benchmark_retire(user=world.users["backbone"], benchmark=b)
    state = toa.theory_of_action(partnership=world.partnership)
    assert state.reached is None
    assert state.next.total == 0


def test_reaching_a_gateway_goes_to_the_feed_once(world):
    exploring = benchmarks(world, GatewayStage.EXPLORING)
    for b in exploring:
        assess(world, b)
    assess(world, exploring[0], MET, "Signed again.")
    events = ActivityEvent.objects.filter(kind=EventKind.GATEWAY_REACHED)
    assert [e.text for e in events] == [
        "The partnership reached the Exploring gateway of the Theory of Action"
    ]


def test_met_needs_evidence_and_only_backbone_assesses(world):
    b = benchmarks(world, GatewayStage.EXPLORING)[0]
    with pytest.raises(ValidationError, match="Say what shows"):
        assess(world, b, MET, "  ")
    assess(world, b, IN_PROGRESS, "")  # in progress needs none
    for name in ("steward", "viewer", "funder"):
        with pytest.raises(PermissionDenied):
            assess(world, b, user=name)
    with pytest.raises(ValidationError, match="not started, in progress or met"):
        assess(world, b, "done")


def test_editing_benchmarks(world):
    user = world.users["backbone"]
    first, second, *_ = benchmarks(world, GatewayStage.EXPLORING)
    toa.benchmark_move(user=user, benchmark=second, up=True)
    assert benchmarks(world, GatewayStage.EXPLORING)[:2] == [second, first]
    toa.benchmark_move(user=user, benchmark=second, up=True)  # already first: no change
    assert benchmarks(world, GatewayStage.EXPLORING)[0] == second
    reworded = toa.benchmark_reword(
        user=user, benchmark=first, expected_version=1, text="  A new   wording. "
    )
    assert (reworded.text, reworded.version) == ("A new wording.", 2)
    with pytest.raises(ValidationError, match="Someone changed this benchmark"):
        toa.benchmark_reword(user=user, benchmark=first, expected_version=1, text="Stale.")
    with pytest.raises(ValidationError, match="Write the benchmark"):
        toa.benchmark_reword(user=user, benchmark=first, expected_version=2, text=" ")
    gateway = Gateway.objects.get(partnership=world.partnership, stage=GatewayStage.EXPLORING)
    added = toa.benchmark_add(user=user, gateway=gateway, text="Publishes its charter.")
    assert benchmarks(world, GatewayStage.EXPLORING)[-1] == added
    with pytest.raises(PermissionDenied):
        toa.benchmark_add(user=world.users["viewer"], gateway=gateway, text="No.")


def test_reading_the_state_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for b in benchmarks(world, GatewayStage.EXPLORING):
        assess(world, b)
    with django_assert_max_num_queries(4):
        toa.theory_of_action(partnership=world.partnership)


# --- pages -----------------------------------------------------------------------

READ = {"superuser": 200, "backbone": 200, "steward": 200, "other_steward": 200}
READ |= {"viewer": 200, "funder": 200, "outsider": 404}
WRITE = {"superuser": 302, "backbone": 302, "steward": 403, "other_steward": 403}
WRITE |= {"viewer": 403, "funder": 403, "outsider": 404}


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_pages_by_role(world, client_as, name):
    b = benchmarks(world, GatewayStage.EXPLORING)[0]
    client = client_as(name)
    assert client.get("/p/riverside/theory-of-action/").status_code == READ[name]
    assert client.get(f"/p/riverside/theory-of-action/benchmarks/{b.pk}/").status_code == READ[name]
    response = client.post(
        f"/p/riverside/theory-of-action/benchmarks/{b.pk}/assess/",
        {"status": "in_progress", "evidence": ""},
    )
    assert response.status_code == WRITE[name]
    response = client.post(
        f"/p/riverside/theory-of-action/benchmarks/{b.pk}/change/", {"do": "down"}
    )
    assert response.status_code == WRITE[name]
    response = client.post("/p/riverside/theory-of-action/gateways/emerging/add/", {"text": "New."})
    assert response.status_code == WRITE[name]


def test_another_partnerships_benchmarks_are_not_found(world, client_as):
    toa.toa_seed_defaults(world.other_partnership)
    foreign = Benchmark.objects.filter(gateway__partnership=world.other_partnership).first()
    client = client_as("backbone")
    assert client.get(f"/p/riverside/theory-of-action/benchmarks/{foreign.pk}/").status_code == 404
    response = client.post(
        f"/p/riverside/theory-of-action/benchmarks/{foreign.pk}/assess/",
        {"status": "met", "evidence": "x"},
    )
    assert response.status_code == 404
    assert not BenchmarkAssessment.objects.exists()


def test_the_page_shows_status_evidence_reached_and_what_is_left(world, client_as):
    exploring = benchmarks(world, GatewayStage.EXPLORING)
    for b in exploring:
        assess(world, b, evidence="Charter signed by 24 organizations.")
    page = client_as("viewer").get("/p/riverside/theory-of-action/").content.decode()
    assert "Reached: Exploring" in page
    assert "Charter signed by 24 organizations." in page
    assert "To reach <strong>Emerging</strong>, 5 benchmarks left" in page
    assert "Record<span" not in page  # viewers only read
    assert (
        "Record<span"
        in client_as("backbone").get("/p/riverside/theory-of-action/").content.decode()
    )


def test_the_assessment_form_says_what_is_wrong(world, client_as):
    b = benchmarks(world, GatewayStage.EXPLORING)[0]
    client = client_as("backbone")
    response = client.post(
        f"/p/riverside/theory-of-action/benchmarks/{b.pk}/assess/",
        {"status": "met", "evidence": ""},
    )
    assert response.status_code == 400
    assert "Say what shows the benchmark is met" in response.content.decode()
    response = client.post(
        f"/p/riverside/theory-of-action/benchmarks/{b.pk}/assess/", {"status": "bogus"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not BenchmarkAssessment.objects.exists()


def test_rewording_through_the_page_detects_a_conflict(world, client_as):
    b = benchmarks(world, GatewayStage.EXPLORING)[0]
    client = client_as("backbone")
    url = f"/p/riverside/theory-of-action/benchmarks/{b.pk}/"
    assert client.post(url, {"version": 1, "text": "First edit."}).status_code == 302
    response = client.post(url, {"version": 1, "text": "Second edit."})
    assert response.status_code == 200
    assert "Someone changed this benchmark" in response.content.decode()
    b.refresh_from_db()
    assert b.text == "First edit."
    response = client.post(url, {"assess": "1", "status": "met", "evidence": "Done."})
    assert response.status_code == 302
    history = client.get(url).content.decode()
    assert "Done." in history


def test_the_page_reads_in_a_fixed_number_of_queries(
    world, client_as, django_assert_max_num_queries
):
    for stage in (GatewayStage.EXPLORING, GatewayStage.EMERGING):
        for b in benchmarks(world, stage):
            assess(world, b)
    client = client_as("backbone")
    with django_assert_max_num_queries(10):
        assert client.get("/p/riverside/theory-of-action/").status_code == 200
