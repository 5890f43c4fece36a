"""The Theory of Action self-assessment (StriveTogether's gateways).

A partnership moves through five gateways: exploring, emerging, sustaining,
systems change, proof point. Each holds benchmarks, kept as data that backbone
staff edit (``ASSESS_THEORY_OF_ACTION``: add, reword, reorder, retire). The
partnership records assessments of a benchmark over time (not started, in
progress, met; with evidence); each is a new row, so the history stays.

A gateway is reached when every active benchmark of it and of every earlier
gateway is met (by its latest assessment). A gateway with no active benchmarks
cannot be reached: there is nothing to show for it.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from .feed import record_event
from .models import (
    AssessmentStatus,
    Benchmark,
    BenchmarkAssessment,
    EventKind,
    Gateway,
    GatewayStage,
    Partnership,
)
from .permissions import Action, require

DEFAULTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        GatewayStage.EXPLORING,
        "Leaders from across the community come together and decide to work on "
        "cradle-to-career outcomes as one partnership.",
        (
            "Cross-sector leaders (education, business, nonprofit, philanthropy, civic "
            "and faith communities) commit in writing to a shared cradle-to-career vision.",
            "A leadership table meets regularly, with a charter that says how it makes decisions.",
            "The partnership has chosen the community-level outcomes it will measure "
            "along the cradle-to-career continuum.",
            "Community members, including those most affected by disparities, are engaged "
            "in shaping the partnership's work.",
        ),
    ),
    (
        GatewayStage.EMERGING,
        "The partnership builds its infrastructure: a backbone, shared data and a common "
        "agenda that names equity.",
        (
            "A backbone organization with dedicated staff supports the partnership.",
            "Core outcome indicators are adopted and data sharing agreements are signed "
            "with the partners that hold the data.",
            "Publicly releases a baseline report card with disaggregated data.",
            "A common agenda with an explicit equity commitment is adopted and endorsed "
            "by the partners.",
            "Action networks are convened around the partnership's priority outcomes.",
        ),
    ),
    (
        GatewayStage.SUSTAINING,
        "The partnership uses data to improve: it reports every year and its action "
        "networks act on local evidence.",
        (
            "A report card is published every year, showing progress on every core "
            "indicator disaggregated by race/ethnicity and income.",
            "Action networks use continuous improvement cycles on local data to test "
            "and refine strategies.",
            "Partners align resources (funding, staff, policy) to strategies the data "
            "show are working.",
            "The backbone has funding committed for at least the next three years.",
            "Community members and young people share decision-making at the leadership table.",
        ),
    ),
    (
        GatewayStage.SYSTEMS_CHANGE,
        "What works becomes how the community's systems work: in policy, practice and "
        "the flow of money.",
        (
            "Practices shown to improve outcomes are embedded in partners' policies "
            "and spread across institutions.",
            "Public and private funding is routinely redirected to what works, and the "
            "partnership reports how much.",
            "Local or state policy changes as a result of the partnership's evidence.",
            "Disparities narrow on at least half of the core indicators that are disaggregated.",
        ),
    ),
    (
        GatewayStage.PROOF_POINT,
        "Community-level outcomes improve and stay improved, and the partnership can "
        "show its part in it.",
        (
            "At least 60 percent of core indicators improve over baseline, sustained for "
            "several years.",
            "Gaps by race/ethnicity and income narrow on most core outcomes.",
            "Local evidence links the improvement to the partnership's collective work.",
            "The partnership's results are public and its approach is used by others.",
        ),
    ),
)


def toa_seed_defaults(partnership: Partnership) -> list[Gateway]:
    """Give a partnership the five gateways with the default benchmarks, if it has
    no gateways yet. Safe to call again (and from two requests at once)."""
    existing = list(Gateway.objects.filter(partnership=partnership).order_by("order"))
    if existing:
        return existing
    # If another request seeds them at the same moment, its gateways win (the unique
    # order per partnership refuses ours) and are read below.
    with suppress(IntegrityError), transaction.atomic():
        for order, (stage, description, texts) in enumerate(DEFAULTS, start=1):
            gateway = Gateway.objects.create(
                partnership=partnership, stage=stage, order=order, description=description
            )
            Benchmark.objects.bulk_create(
                Benchmark(gateway=gateway, text=text, order=n)
                for n, text in enumerate(texts, start=1)
            )
    return list(Gateway.objects.filter(partnership=partnership).order_by("order"))


# --- reads -------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkState:
    benchmark: Benchmark
    latest: BenchmarkAssessment | None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else AssessmentStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return AssessmentStatus(self.status).label

    @property
    def met(self) -> bool:
        return self.status == AssessmentStatus.MET


@dataclass(frozen=True)
class GatewayState:
    gateway: Gateway
    benchmarks: list[BenchmarkState]  # active ones, in order
    retired: list[Benchmark]
    reached: bool = False

    @property
    def met(self) -> int:
        return sum(1 for b in self.benchmarks if b.met)

    @property
    def total(self) -> int:
        return len(self.benchmarks)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.met == self.total

    @property
    def left(self) -> list[BenchmarkState]:
        return [b for b in self.benchmarks if not b.met]


@dataclass(frozen=True)
class TheoryOfAction:
    gateways: list[GatewayState]
    reached: GatewayState | None  # the furthest gateway reached
    next: GatewayState | None  # the gateway to work on now


def reached_index(complete: list[bool]) -> int:
    """How many gateways, counted from the first, are reached: the length of the
    run of complete gateways at the start."""
    n = 0
    for done in complete:
        if not done:
            break
        n += 1
    return n


def theory_of_action(*, partnership: Partnership) -> TheoryOfAction:
    """Every gateway with its benchmarks' latest assessments, in four queries."""
    gateways = toa_seed_defaults(partnership)
    latest_id = (
        BenchmarkAssessment.objects.filter(benchmark=OuterRef("pk"))
        .order_by("-assessed_at", "-id")
        .values("id")[:1]
    )
    benchmarks = list(
        Benchmark.objects.filter(gateway__partnership=partnership)
        .annotate(latest_id=Subquery(latest_id))
        .order_by("gateway__order", "order", "id")
    )
    assessments = {
        a.pk: a
        for a in BenchmarkAssessment.objects.filter(
            pk__in=[b.latest_id for b in benchmarks if b.latest_id]
        ).select_related("assessed_by")
    }
    states = []
    for gateway in gateways:
        mine = [b for b in benchmarks if b.gateway_id == gateway.pk]
        states.append(
            GatewayState(
                gateway=gateway,
                benchmarks=[
                    BenchmarkState(b, assessments.get(b.latest_id))
                    for b in mine
                    if b.retired_at is None
                ],
                retired=[b for b in mine if b.retired_at is not None],
            )
        )
    n = reached_index([s.complete for s in states])
    states = [
        GatewayState(s.gateway, s.benchmarks, s.retired, reached=i < n)
        for i, s in enumerate(states)
    ]
    return TheoryOfAction(
        gateways=states,
        reached=states[n - 1] if n else None,
        next=states[n] if n < len(states) else None,
    )


def benchmark_history(*, benchmark: Benchmark) -> list[BenchmarkAssessment]:
    return list(benchmark.assessments.select_related("assessed_by").order_by("-assessed_at", "-id"))


# --- writes ------------------------------------------------------------------


def _clean_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": "Write the benchmark: what the partnership will show."})
    if len(text) > 500:
        raise ValidationError({"text": "Keep a benchmark under 500 characters."})
    return text


def benchmark_add(*, user: Any, gateway: Gateway, text: str) -> Benchmark:
    require(user, Action.ASSESS_THEORY_OF_ACTION, gateway.partnership)
    last = gateway.benchmarks.aggregate(m=Max("order"))["m"] or 0
    benchmark = Benchmark(gateway=gateway, text=_clean_text(text), order=last + 1)
    benchmark.full_clean()
    benchmark.save()
    return benchmark


def benchmark_reword(
    *, user: Any, benchmark: Benchmark, expected_version: int, text: str
) -> Benchmark:
    """Change a benchmark's wording; refused if someone changed it since the form
    was opened (``expected_version``)."""
    require(user, Action.ASSESS_THEORY_OF_ACTION, benchmark.gateway.partnership)
    with transaction.atomic():
        current = Benchmark.objects.select_for_update().get(pk=benchmark.pk)
        if current.version != expected_version:
            raise ValidationError(
                {
                    "text": "Someone changed this benchmark while you were editing it; it "
                    f"now reads: “{current.text}”. Make your change again from that."
                }
            )
        current.text = _clean_text(text)
        current.version += 1
        current.save(update_fields=["text", "version"])
    return current


def benchmark_move(*, user: Any, benchmark: Benchmark, up: bool) -> None:
    """Swap a benchmark with its active neighbour above (``up``) or below."""
    require(user, Action.ASSESS_THEORY_OF_ACTION, benchmark.gateway.partnership)
    with transaction.atomic():
        rows = list(
            Benchmark.objects.select_for_update()
            .filter(gateway_id=benchmark.gateway_id, retired_at__isnull=True)
            .order_by("order", "id")
        )
        ids = [b.pk for b in rows]
        if benchmark.pk not in ids:
            return
        i = ids.index(benchmark.pk)
        j = i - 1 if up else i + 1
        if not 0 <= j < len(rows):
            return
        rows[i], rows[j] = rows[j], rows[i]
        for n, row in enumerate(rows, start=1):
            row.order = n
        Benchmark.objects.bulk_update(rows, ["order"])


def benchmark_retire(*, user: Any, benchmark: Benchmark, retire: bool = True) -> Benchmark:
    """Retire a benchmark (it stops counting; its assessments stay) or bring it back."""
    require(user, Action.ASSESS_THEORY_OF_ACTION, benchmark.gateway.partnership)
    benchmark.retired_at = timezone.now() if retire else None
    benchmark.save(update_fields=["retired_at"])
    return benchmark


def assessment_record(
    *, user: Any, benchmark: Benchmark, status: str, evidence: str
) -> BenchmarkAssessment:
    """Record where the partnership stands on a benchmark now. "Met" needs evidence.
    Reaching a new gateway goes to the activity feed."""
    partnership = benchmark.gateway.partnership
    require(user, Action.ASSESS_THEORY_OF_ACTION, partnership)
    if status not in AssessmentStatus.values:
        raise ValidationError({"status": "Choose not started, in progress or met."})
    if benchmark.retired_at is not None:
        raise ValidationError("This benchmark is retired: bring it back before assessing it.")
    evidence = evidence.strip()
    if status == AssessmentStatus.MET and not evidence:
        raise ValidationError(
            {"evidence": "Say what shows the benchmark is met, e.g. a link to the report card."}
        )
    before = theory_of_action(partnership=partnership).reached
    with transaction.atomic():
        assessment = BenchmarkAssessment(
            benchmark=benchmark,
            status=status,
            evidence=evidence,
            assessed_by=user,
            assessed_at=timezone.now(),
        )
        assessment.full_clean()
        assessment.save()
        after = theory_of_action(partnership=partnership).reached
        if after is not None and (before is None or after.gateway.order > before.gateway.order):
            record_event(
                partnership=partnership,
                kind=EventKind.GATEWAY_REACHED,
                text=f"The partnership reached the {after.gateway.get_stage_display()} gateway "
                "of the Theory of Action",
                link=reverse("theory_of_action", args=[partnership.slug]),
                actor=user,
            )
    return assessment
