"""The demo's "running the partnership" part, for Riverside: two versions of the common
agenda (both adopted, the second in force) with partners' endorsements, contacts at
every organization, a pending invitation, and Theory of Action assessments that have
reached the Emerging gateway. Plain data plus one loader, ``seed_running``; every
write is keyed so that running the seed again adds nothing.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from .feed import record_event
from .models import (
    ActivityEvent,
    AgendaEndorsement,
    AgendaVersion,
    AssessmentStatus,
    Benchmark,
    BenchmarkAssessment,
    Contact,
    EventKind,
    GatewayStage,
    Invitation,
    Partnership,
    Role,
)
from .toa import toa_seed_defaults

AGENDA = (
    {
        "number": 1,
        "adopted_on": date(2022, 10, 4),
        "summary": "The first common agenda, adopted by the leadership table.",
        "vision": "Every child in Riverside County succeeds, from cradle to career.",
        "problem_statement": (
            "Fewer than half of Riverside's third graders read at grade level, and only "
            "one in four students who start ninth grade earns a college degree or "
            "credential within ten years. Dozens of programs work hard on these outcomes, "
            "but separately: they measure different things and cannot tell whether the "
            "community as a whole is moving."
        ),
        "goals": (
            "Every child enters kindergarten ready to learn.\n"
            "Every child reads at grade level by the end of third grade.\n"
            "Every student graduates from high school on time.\n"
            "Every graduate enrolls in and completes a postsecondary program."
        ),
        "equity_commitment": (
            "We will report every outcome by race/ethnicity and income, and judge our "
            "progress by whether the gaps close."
        ),
        "endorsers": (
            "riverside-promise", "riverside-city-schools", "north-valley-usd",
            "early-learning-coalition", "riverside-cc", "riverside-state",
            "community-foundation", "united-way", "riverside-library",
        ),
    },
    {
        "number": 2,
        "adopted_on": date(2025, 3, 11),
        "summary": "Adds the employment goal and a sharper equity commitment with targets.",
        "vision": (
            "Every child and young adult in Riverside County succeeds, from cradle to "
            "career, whatever their race, income or neighborhood."
        ),
        "problem_statement": (
            "Fewer than half of Riverside's third graders read at grade level, and only "
            "one in four students who start ninth grade earns a college degree or "
            "credential within ten years. Black, Hispanic/Latino and American Indian "
            "students, and students from low-income families, are furthest from these "
            "goals at every step. Programs work hard, but separately, and young adults "
            "leave school into jobs that do not pay a family-sustaining wage."
        ),
        "goals": (
            "Every child enters kindergarten ready to learn.\n"
            "Every child reads at grade level by the end of third grade.\n"
            "Every student is proficient in math by the end of eighth grade.\n"
            "Every student graduates from high school on time, prepared for what comes next.\n"
            "Every graduate enrolls in and completes a postsecondary program.\n"
            "Every young adult has a job that pays a family-sustaining wage."
        ),
        "equity_commitment": (
            "We will report every outcome by race/ethnicity and income, set a target for "
            "closing each gap, and direct new resources first to the schools and "
            "neighborhoods furthest from the goal. Families and young people sit at the "
            "leadership table and share its decisions."
        ),
        "endorsers": (
            "riverside-promise", "riverside-city-schools", "north-valley-usd",
            "eastbrook-schools", "early-learning-coalition", "riverside-head-start",
            "county-health", "riverside-library", "read-riverside", "ymca-riverside",
            "college-access-network", "riverside-cc", "riverside-state", "workforce-board",
            "community-foundation", "united-way", "parent-network",
        ),
    },
)  # fmt: skip

STATEMENTS = {
    "riverside-city-schools": "Our schools commit their data and their principals' time.",
    "community-foundation": "We align our education grants with these goals.",
    "parent-network": "Parents helped write this agenda, and we will hold everyone to it.",
}

FIRST = ("Ana", "Ben", "Carla", "Dev", "Erin", "Femi", "Grace", "Hugo", "Ines", "Jon")
LAST = ("Alvarez", "Brooks", "Chen", "Diallo", "Evans", "Flores", "Garcia", "Hughes", "Ito")
TITLES = (
    "Executive Director", "Director of Research and Evaluation", "Program Manager",
    "Chief Academic Officer", "Data Manager", "Director of Community Partnerships",
)  # fmt: skip

INVITATION = ("maria.lopez@eastbrook.example.org", Role.DATA_STEWARD, "eastbrook-schools")

# Per gateway: the status of each benchmark (in order) and its evidence.
ASSESSMENTS = {
    GatewayStage.EXPLORING: [
        (AssessmentStatus.MET, "Charter signed by 24 organizations, October 2022."),
        (AssessmentStatus.MET, "The leadership table meets monthly; charter section 3."),
        (AssessmentStatus.MET, "Seven outcome areas and 55 community-level indicators."),
        (AssessmentStatus.MET, "Twelve community conversations in 2022, 640 residents."),
    ],
    GatewayStage.EMERGING: [
        (AssessmentStatus.MET, "Riverside Promise: five staff funded through 2027."),
        (AssessmentStatus.MET, "Data sharing agreements with all three districts."),
        (AssessmentStatus.MET, "Baseline report card published, with race and income."),
        (AssessmentStatus.MET, "Common agenda v2 adopted March 2025; 17 endorsements."),
        (AssessmentStatus.MET, "Four action networks meet monthly."),
    ],
    GatewayStage.SUSTAINING: [
        (AssessmentStatus.IN_PROGRESS, "2024 report card out; 2025 edition in review."),
        (AssessmentStatus.IN_PROGRESS, "The reading network runs its second PDSA cycle."),
        (AssessmentStatus.NOT_STARTED, ""),
        (AssessmentStatus.MET, "Three-year pledges from the Foundation and United Way."),
        (AssessmentStatus.NOT_STARTED, ""),
    ],
}


def _when(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10)))


def _agenda(partnership: Partnership, user: Any, organizations: dict[str, Any]) -> None:
    for spec in AGENDA:
        version = AgendaVersion.objects.filter(
            partnership=partnership, number=spec["number"]
        ).first()
        if version is not None:
            continue
        fields = ("vision", "problem_statement", "goals", "equity_commitment", "summary")
        version = AgendaVersion.objects.create(
            partnership=partnership,
            number=spec["number"],
            created_by=user,
            adopted_on=spec["adopted_on"],
            adopted_by=user,
            **{name: spec[name] for name in fields},
        )
        # Drafted three weeks before the leadership table adopted it.
        AgendaVersion.objects.filter(pk=version.pk).update(
            created_at=_when(spec["adopted_on"] - timedelta(days=21))
        )
        AgendaEndorsement.objects.bulk_create(
            AgendaEndorsement(
                version=version,
                organization=organizations[slug],
                endorsed_on=spec["adopted_on"] + timedelta(days=7 + 3 * n),
                statement=STATEMENTS.get(slug, "") if spec["number"] == 2 else "",
                recorded_by=user,
            )
            for n, slug in enumerate(spec["endorsers"])
        )
        record_event(
            partnership=partnership,
            kind=EventKind.AGENDA_ADOPTED,
            text=f"Common agenda version {version.number} adopted",
            link=f"/p/{partnership.slug}/agenda/",
            actor=user,
            at=_when(spec["adopted_on"]),
        )


def _contacts(partnership: Partnership, organizations: dict[str, Any]) -> None:
    if Contact.objects.filter(organization__partnership=partnership).exists():
        return
    contacts = []
    for n, (slug, org) in enumerate(sorted(organizations.items())):
        for k in range(1 + n % 2):
            first, last = FIRST[(n + 3 * k) % len(FIRST)], LAST[(2 * n + k) % len(LAST)]
            contacts.append(
                Contact(
                    organization=org,
                    name=f"{first} {last}",
                    title=TITLES[(n + k) % len(TITLES)],
                    email=f"{first.lower()}.{last.lower()}@{slug}.example.org",
                    phone=f"(555) 01{n % 10}-{2300 + 17 * n + k:04d}",
                )
            )
    Contact.objects.bulk_create(contacts)


def _invitation(partnership: Partnership, user: Any, organizations: dict[str, Any]) -> None:
    email, role, org = INVITATION
    if Invitation.objects.filter(partnership=partnership, email=email).exists():
        return
    now = timezone.now()
    Invitation.objects.create(
        partnership=partnership,
        email=email,
        role=role,
        organization=organizations[org],
        nonce=secrets.token_hex(16),
        invited_by=user,
        sent_at=now,
        expires_at=now + timedelta(days=7),
    )


def _theory_of_action(partnership: Partnership, user: Any) -> None:
    gateways = {g.stage: g for g in toa_seed_defaults(partnership)}
    if BenchmarkAssessment.objects.filter(benchmark__gateway__partnership=partnership).exists():
        return
    start = timezone.now() - timedelta(days=900)
    rows = []
    for g, (stage, statuses) in enumerate(ASSESSMENTS.items()):
        benchmarks = Benchmark.objects.filter(gateway=gateways[stage]).order_by("order")
        for n, (benchmark, (status, evidence)) in enumerate(
            zip(benchmarks, statuses, strict=False)
        ):
            when = start + timedelta(days=200 * g + 20 * n)
            if status == AssessmentStatus.NOT_STARTED:
                continue  # never assessed
            if status == AssessmentStatus.MET:
                # How it got there: in progress first.
                rows.append(
                    BenchmarkAssessment(
                        benchmark=benchmark,
                        status=AssessmentStatus.IN_PROGRESS,
                        evidence="Work under way.",
                        assessed_by=user,
                        assessed_at=when - timedelta(days=90),
                    )
                )
            rows.append(
                BenchmarkAssessment(
                    benchmark=benchmark,
                    status=status,
                    evidence=evidence,
                    assessed_by=user,
                    assessed_at=when,
                )
            )
    BenchmarkAssessment.objects.bulk_create(rows)
    emerging = gateways[GatewayStage.EMERGING]
    if not ActivityEvent.objects.filter(
        partnership=partnership, kind=EventKind.GATEWAY_REACHED
    ).exists():
        record_event(
            partnership=partnership,
            kind=EventKind.GATEWAY_REACHED,
            text="The partnership reached the Emerging gateway of the Theory of Action",
            link=f"/p/{partnership.slug}/theory-of-action/",
            actor=user,
            at=max(r.assessed_at for r in rows if r.benchmark.gateway_id == emerging.pk),
        )


def seed_running(partnership: Partnership, user: Any) -> None:
    """Agenda, contacts, a pending invitation and Theory of Action assessments."""
    organizations = {o.slug: o for o in partnership.organizations.all()}
    _agenda(partnership, user, organizations)
    _contacts(partnership, organizations)
    _invitation(partnership, user, organizations)
    _theory_of_action(partnership, user)
