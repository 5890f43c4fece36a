"""What the demo's action networks, activities, meetings and funding are made of:
plain data, no database access (``outcomes.demo`` writes it)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ActionItemStatus, FundingPurpose


@dataclass(frozen=True)
class NetworkDef:
    slug: str
    name: str
    area: str
    lead: str
    members: tuple[str, ...]
    purpose: str
    lead_person: str = ""


@dataclass(frozen=True)
class ActivityDef:
    organization: str
    title: str
    indicators: tuple[str, ...]
    network: str = ""
    status: str = "active"
    start: str = "2024-09-01"
    end: str = ""
    description: str = ""


@dataclass(frozen=True)
class ItemDef:
    description: str
    due_in_days: int  # from the day of the first load
    owner_user: str = ""
    owner_organization: str = ""
    status: str = ActionItemStatus.OPEN


@dataclass(frozen=True)
class MeetingDef:
    title: str
    in_days: int  # from the day of the first load; negative for past meetings
    network: str = ""
    location: str = ""
    agenda: str = ""
    notes: str = ""
    attending: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    items: tuple[ItemDef, ...] = ()


@dataclass(frozen=True)
class FundingDef:
    funder: str
    amount: str
    start_year: int
    end_year: int
    purpose: str
    target: str = ""  # network slug or outcome area slug
    note: str = ""


NETWORKS = (
    NetworkDef(
        "ready-for-k",
        "Ready for Kindergarten Network",
        "kindergarten-readiness",
        "early-learning-coalition",
        ("riverside-head-start", "riverside-health-system", "riverside-library", "parent-network"),
        "Pre-K access and quality, developmental screening and home visiting.",
    ),
    NetworkDef(
        "read-by-third",
        "Read by Third Network",
        "early-grade-reading",
        "read-riverside",
        ("riverside-city-schools", "riverside-library", "city-youth-office", "interfaith-alliance"),
        "Tutoring, summer learning and attendance so every child reads by third grade.",
        "steward",
    ),
    NetworkDef(
        "math-matters",
        "Middle Grade Math Matters",
        "middle-grade-math",
        "boys-girls-club",
        ("riverside-city-schools", "north-valley-usd", "ymca-riverside"),
        "Out-of-school-time math and attendance in grades 6-8.",
    ),
    NetworkDef(
        "graduation-coalition",
        "On Track to Graduate Coalition",
        "high-school-graduation",
        "riverside-city-schools",
        ("ymca-riverside", "city-youth-office", "county-health", "eastbrook-schools"),
        "Ninth-grade on-track, mentoring and credit recovery.",
    ),
    NetworkDef(
        "college-access",
        "College Access Collaborative",
        "postsecondary-enrollment",
        "college-access-network",
        ("riverside-cc", "riverside-state", "north-valley-usd", "riverside-city-schools"),
        "FAFSA completion, college applications and stopping summer melt.",
    ),
    NetworkDef(
        "finish-line",
        "Finish Line Network",
        "postsecondary-completion",
        "riverside-state",
        ("riverside-cc", "college-access-network"),
        "Coaching and first-year momentum so students finish what they start.",
    ),
    NetworkDef(
        "talent-pipeline",
        "Riverside Talent Pipeline",
        "employment",
        "workforce-board",
        ("riverside-chamber", "riverside-cc", "city-youth-office"),
        "Paid internships, credentials and job placement for young adults.",
    ),
)

_RCS, _ELC, _HS = "riverside-city-schools", "early-learning-coalition", "riverside-head-start"

ACTIVITIES = (
    ActivityDef(
        _ELC,
        "Universal pre-K enrolment campaign",
        ("kr-prek-enrollment", "kr-ready"),
        "ready-for-k",
    ),
    ActivityDef(
        _ELC, "Quality rating coaching for child care centers", ("kr-prek-quality",), "ready-for-k"
    ),
    ActivityDef(
        _HS,
        "Parents as Teachers home visiting",
        ("kr-home-visits-families", "kr-home-visits-reading", "kr-ready"),
        "ready-for-k",
    ),
    ActivityDef(
        "riverside-health-system",
        "Developmental screening at every well-child visit",
        ("kr-dev-screening", "kr-well-child"),
        "ready-for-k",
    ),
    ActivityDef(
        "riverside-library",
        "Books from Birth",
        ("kr-kra-literacy", "egr-library-cards"),
        "ready-for-k",
    ),
    ActivityDef(
        "parent-network",
        "Kindergarten transition nights",
        ("kr-ready",),
        "ready-for-k",
        status="planned",
        start="2026-03-01",
    ),
    ActivityDef(
        "read-riverside",
        "High-dosage tutoring, grades 1-3",
        ("egr-g3-reading", "egr-tutoring-hours", "egr-tutoring-dosage"),
        "read-by-third",
    ),
    ActivityDef(
        _RCS,
        "Attendance nudges for K-3 families",
        ("egr-chronic-absence-k3", "kr-k-chronic-absence"),
        "read-by-third",
    ),
    ActivityDef(
        _RCS,
        "Science of reading curriculum adoption",
        ("egr-g3-reading", "egr-k2-benchmark"),
        "read-by-third",
        start="2023-08-15",
    ),
    ActivityDef(
        "city-youth-office",
        "Summer reading camps",
        ("egr-summer-learning", "egr-g3-reading"),
        "read-by-third",
    ),
    ActivityDef(
        "riverside-library",
        "Library card for every second grader",
        ("egr-library-cards",),
        "read-by-third",
        status="completed",
        start="2023-09-01",
        end="2024-06-30",
    ),
    ActivityDef(
        "interfaith-alliance",
        "Reading buddies in faith communities",
        ("egr-g3-reading",),
        "read-by-third",
        status="stopped",
        start="2022-09-01",
        end="2023-12-31",
    ),
    ActivityDef(
        "boys-girls-club",
        "After-school math labs",
        ("mgm-ost-participants", "mgm-ost-attendance", "mgm-ost-math-growth", "mgm-g8-math"),
        "math-matters",
    ),
    ActivityDef(
        _RCS, "Algebra readiness in 8th grade", ("mgm-algebra-1", "mgm-g8-math"), "math-matters"
    ),
    ActivityDef(
        "north-valley-usd",
        "Math tutoring during the school day",
        ("mgm-g6-math", "mgm-g7-math"),
        "math-matters",
    ),
    ActivityDef(
        "ymca-riverside",
        "Restorative practices in middle schools",
        ("mgm-suspensions",),
        "math-matters",
        status="planned",
        start="2026-01-15",
    ),
    ActivityDef(
        _RCS,
        "Ninth grade on-track teams",
        ("hsg-on-track-9", "hsg-grad-4yr"),
        "graduation-coalition",
    ),
    ActivityDef(
        "ymca-riverside",
        "Mentoring for ninth graders",
        ("hsg-mentoring-matches", "hsg-mentoring-retained", "hsg-on-track-9"),
        "graduation-coalition",
    ),
    ActivityDef(
        "city-youth-office",
        "Evening credit recovery",
        ("hsg-credit-recovery", "hsg-grad-5yr"),
        "graduation-coalition",
    ),
    ActivityDef(
        "county-health",
        "School-based health centers",
        ("hsg-chronic-absence-9-12", "hsg-teen-births"),
        "graduation-coalition",
    ),
    ActivityDef(
        "eastbrook-schools",
        "Dual enrollment expansion",
        ("hsg-advanced-coursework",),
        "graduation-coalition",
    ),
    ActivityDef(
        "college-access-network",
        "FAFSA completion nights",
        ("pse-fafsa", "pse-enroll-fall"),
        "college-access",
    ),
    ActivityDef(
        "college-access-network",
        "Senior advising in every high school",
        ("pse-advising-sessions", "pse-advised-applied", "pse-college-applications"),
        "college-access",
    ),
    ActivityDef(
        "college-access-network",
        "Summer melt text outreach",
        ("pse-summer-melt", "pse-enroll-12mo"),
        "college-access",
    ),
    ActivityDef(
        "riverside-cc",
        "Co-requisite math and English",
        ("pse-remediation", "psc-first-year-credits"),
        "college-access",
    ),
    ActivityDef(
        "riverside-state",
        "Completion coaching",
        ("psc-coaching-students", "psc-coached-persisted", "psc-persistence"),
        "finish-line",
    ),
    ActivityDef(
        "riverside-cc",
        "Guided pathways and 30-credit momentum",
        ("psc-first-year-credits", "psc-cc-completion-3yr"),
        "finish-line",
    ),
    ActivityDef(
        "riverside-cc",
        "Transfer guarantee with Riverside State",
        ("psc-transfer", "psc-credential-6yr"),
        "finish-line",
        status="planned",
        start="2026-08-15",
    ),
    ActivityDef(
        "riverside-chamber",
        "Summer internships with local employers",
        ("emp-internships", "emp-youth-employment"),
        "talent-pipeline",
    ),
    ActivityDef(
        "workforce-board",
        "Opportunity youth re-engagement center",
        ("emp-opportunity-youth", "emp-job-placement"),
        "talent-pipeline",
    ),
    ActivityDef(
        "riverside-cc",
        "Short-term credentials in health care",
        ("emp-credential-attainment", "emp-living-wage"),
        "talent-pipeline",
    ),
)
# Left without activities on purpose (orphans): kr-low-birthweight, egr-g3-ela-score,
# egr-g4-reading, mgm-core-courses, hsg-dropout, hsg-cte-pathway, pse-college-ready,
# emp-median-earnings, among others.

MEETINGS = (
    MeetingDef(
        "Leadership table: annual data review",
        -60,
        location="Riverside Public Library, Community Room",
        agenda="1. The annual report card\n2. Where we improved, where we did not\n3. Priorities",
        notes="Partners reviewed the report card. Reading and math remain the largest gaps.",
        attending=(
            "riverside-promise",
            "riverside-city-schools",
            "north-valley-usd",
            "community-foundation",
            "united-way",
        ),
        decisions=(
            "Make third grade reading the partnership's priority for the next two years.",
            "Publish the report card with data by race/ethnicity and income.",
        ),
        items=(
            ItemDef(
                "Draft the reading priority brief",
                -40,
                owner_organization="riverside-promise",
                status="done",
            ),
            ItemDef("Send district attendance data for K-3", -20, owner_user="steward"),
        ),
    ),
    MeetingDef(
        "Read by Third: monthly meeting",
        -21,
        network="read-by-third",
        location="Read Riverside offices, 2nd floor",
        agenda="1. Tutoring dosage so far\n2. Summer camp sites\n3. Attendance nudges pilot",
        notes="Tutoring dosage is behind in two schools; summer camps need two more sites.",
        attending=(
            "read-riverside",
            "riverside-city-schools",
            "riverside-library",
            "city-youth-office",
        ),
        decisions=("Add Douglass and Southside Elementary to the tutoring program.",),
        items=(
            ItemDef(
                "Confirm two more summer camp sites", -5, owner_organization="city-youth-office"
            ),
            ItemDef(
                "Share tutoring rosters with the district", 9, owner_organization="read-riverside"
            ),
            ItemDef("Recruit 20 volunteer tutors", 25, owner_organization="interfaith-alliance"),
        ),
    ),
    MeetingDef(
        "College Access Collaborative: FAFSA push",
        -10,
        network="college-access",
        location="Riverside Community College, Room B-110",
        agenda="1. FAFSA completion by school\n2. Advising calendar",
        decisions=("Hold FAFSA nights in every high school before March 1.",),
        items=(
            ItemDef("Schedule FAFSA nights", -2, owner_organization="college-access-network"),
            ItemDef(
                "Send FAFSA completion by school",
                12,
                owner_organization="riverside-city-schools",
                status="dropped",
            ),
        ),
    ),
    MeetingDef(
        "Ready for K: quarterly meeting",
        7,
        network="ready-for-k",
        location="Early Learning Coalition, 14 Main Street",
        agenda="1. Pre-K enrolment this fall\n2. Screening rates by clinic\n3. Transition nights",
        attending=("early-learning-coalition", "riverside-head-start", "riverside-health-system"),
    ),
    MeetingDef(
        "Leadership table: mid-year review",
        21,
        location="https://meet.example.org/riverside-leadership",
        agenda="1. Mid-year indicators\n2. Funding the reading priority\n3. Network updates",
    ),
    MeetingDef(
        "Talent Pipeline: employer roundtable",
        35,
        network="talent-pipeline",
        location="Greater Riverside Chamber of Commerce",
        agenda="1. Summer internship slots\n2. Credential programs employers need",
    ),
)

FUNDING = (
    FundingDef(
        "community-foundation",
        "450000",
        2024,
        2026,
        FundingPurpose.BACKBONE,
        note="Core operating support",
    ),
    FundingDef("united-way", "300000", 2025, 2027, FundingPurpose.NETWORK, "read-by-third"),
    FundingDef(
        "hartwell-foundation",
        "250000",
        2025,
        2026,
        FundingPurpose.OUTCOME_AREA,
        "kindergarten-readiness",
    ),
    FundingDef(
        "first-riverside-bank",
        "75000",
        2025,
        2025,
        FundingPurpose.NETWORK,
        "talent-pipeline",
        note="Internship stipends",
    ),
    FundingDef(
        "community-foundation",
        "120000",
        2026,
        2027,
        FundingPurpose.OUTCOME_AREA,
        "postsecondary-enrollment",
    ),
    FundingDef("united-way", "90000", 2024, 2024, FundingPurpose.BACKBONE, note="Data system"),
)
