"""The demo partnerships' indicator catalogues, with the story each one's data tells.

Besides what the catalogue stores, each definition says how ``demo_data`` should
invent its numbers: where the series starts, how fast it moves, how large the
gap between groups is and whether it narrows or widens. Every number is made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.models import Direction, Frequency, IndicatorKind, PerformanceTag, Unit

HIGHER = Direction.HIGHER_IS_BETTER
LOWER = Direction.LOWER_IS_BETTER
SY = Frequency.SCHOOL_YEAR
YEAR = Frequency.ANNUAL
QUARTER = Frequency.QUARTERLY
CORE = IndicatorKind.CORE
CONTRIB = IndicatorKind.CONTRIBUTING
PERF = IndicatorKind.PERFORMANCE
HOW_MUCH = PerformanceTag.HOW_MUCH
HOW_WELL = PerformanceTag.HOW_WELL
BETTER_OFF = PerformanceTag.BETTER_OFF
BY_BOTH = ("race", "income")
BY_RACE = ("race",)
BY_INCOME = ("income",)

# State tests were cancelled in spring 2020 and the fall 2020 KRA was optional.
NO_2020_TESTS = ("2019-20",)
NO_2020_KRA = ("2020-21",)

BASELINE = {SY: "2018-19", YEAR: "2018", QUARTER: "2018-Q3"}
TARGET = {SY: "2027-28", YEAR: "2027", QUARTER: "2028-Q2"}


@dataclass(frozen=True, kw_only=True)
class IndicatorDef:
    """One indicator, and the shape of its made-up data.

    ``start`` and ``slope`` (change per year) are in the indicator's unit;
    ``pop`` is the partnership-wide denominator of a percent or rate. ``gap`` is
    how far groups sit from the average (value units; for counts, a share: 0.5
    means the furthest-behind group counts 50% more, or fewer, per student),
    and ``gap_trend`` how much of it closes (<0) or opens (>0) each year.
    ``level`` is "wide" (partnership-wide only) or "district" (also per
    district); ``schools`` names the school band that also reports it per school.
    """

    code: str
    name: str
    area: str
    definition: str
    source: str
    steward: str
    kind: str = CORE
    tag: str = ""
    unit: str = Unit.PERCENT
    direction: str = HIGHER
    frequency: str = SY
    dims: tuple[str, ...] = ()
    level: str = "district"
    schools: str = ""
    start: float
    slope: float
    pop: int = 0
    noise: float = 0.6
    spread: float = 3.0
    gap: float = 0.0
    gap_trend: float = 0.0
    target: float | None = None
    threshold: float = 0.0
    missing: tuple[str, ...] = ()


KRA = "State Department of Education, Kindergarten Readiness Assessment (KRA)"
STATE_TEST = "State Department of Education, state assessment results"
SIS = "District student information systems (regional data-sharing agreement)"
COHORT = "State Department of Education, adjusted cohort graduation rate file"
NSC = "National Student Clearinghouse StudentTracker for High Schools"
ACS = "U.S. Census Bureau, American Community Survey 5-year estimates by school district"
VITAL = "State Department of Health, vital statistics"

KINDERGARTEN = (
    IndicatorDef(
        code="kr-ready",
        name="Kindergarten readiness",
        area="kindergarten-readiness",
        definition="Percent of kindergartners meeting all domains on the state KRA, "
        "assessed in the first 45 days of school.",
        source=KRA,
        steward="riverside-promise",
        dims=BY_BOTH,
        schools="elementary",
        start=44,
        slope=1.3,
        pop=4200,
        gap=9,
        gap_trend=-0.06,
        target=60,
        threshold=1,
        missing=NO_2020_KRA,
    ),
    IndicatorDef(
        code="kr-kra-literacy",
        name="KRA language and literacy domain",
        area="kindergarten-readiness",
        kind=CONTRIB,
        definition="Percent of kindergartners demonstrating readiness in the language and "
        "literacy domain of the state KRA.",
        source=KRA,
        steward="riverside-promise",
        dims=BY_BOTH,
        schools="elementary",
        start=52,
        slope=0.9,
        pop=4200,
        gap=8,
        target=65,
        threshold=1,
        missing=NO_2020_KRA,
    ),
    IndicatorDef(
        code="kr-k-chronic-absence",
        name="Chronic absenteeism in kindergarten",
        area="kindergarten-readiness",
        kind=CONTRIB,
        direction=LOWER,
        definition="Percent of kindergartners enrolled 10+ days who missed 10% or more of "
        "the school days they were enrolled.",
        source=SIS,
        steward="riverside-city-schools",
        dims=BY_BOTH,
        schools="elementary",
        start=16,
        slope=1.2,
        pop=4300,
        gap=5,
        gap_trend=0.03,
        target=10,
        threshold=1,
    ),
    IndicatorDef(
        code="kr-prek-enrollment",
        name="Pre-K enrollment",
        area="kindergarten-readiness",
        kind=CONTRIB,
        unit=Unit.COUNT,
        definition="Number of 3- and 4-year-olds enrolled in publicly funded pre-K on October 1.",
        source="Early Learning Coalition enrollment records",
        steward="early-learning-coalition",
        dims=BY_RACE,
        start=2350,
        slope=110,
        noise=40,
        gap=0.2,
        target=3200,
        threshold=25,
    ),
    IndicatorDef(
        code="kr-prek-quality",
        name="Children in high-quality early learning",
        area="kindergarten-readiness",
        kind=CONTRIB,
        definition="Percent of 4-year-olds in licensed care enrolled in programs rated "
        "4 or 5 stars in the state quality rating and improvement system.",
        source="State QRIS ratings joined to licensed-care enrollment",
        steward="early-learning-coalition",
        dims=BY_BOTH,
        start=31,
        slope=2.1,
        pop=3600,
        gap=6,
        target=50,
        threshold=1,
    ),
    IndicatorDef(
        code="kr-well-child",
        name="Well-child visits, ages 3-5",
        area="kindergarten-readiness",
        kind=CONTRIB,
        frequency=YEAR,
        definition="Percent of children aged 3-5 enrolled in Medicaid with at least one "
        "well-child visit in the calendar year.",
        source="State Medicaid HEDIS measures",
        steward="riverside-health-system",
        dims=BY_BOTH,
        start=64,
        slope=0.05,
        pop=9800,
        gap=5,
        target=75,
        threshold=1,
    ),
    IndicatorDef(
        code="kr-dev-screening",
        name="Developmental screening by age 3",
        area="kindergarten-readiness",
        kind=CONTRIB,
        frequency=YEAR,
        definition="Percent of children screened for developmental delay with a "
        "standardized tool in the first three years of life.",
        source="Riverside Health System electronic health records",
        steward="riverside-health-system",
        dims=BY_INCOME,
        level="wide",
        start=41,
        slope=-0.6,
        pop=4300,
        gap=4,
        target=60,
        threshold=1,
    ),
    IndicatorDef(
        code="kr-low-birthweight",
        name="Low birth weight births",
        area="kindergarten-readiness",
        kind=CONTRIB,
        direction=LOWER,
        frequency=YEAR,
        definition="Percent of live births weighing less than 2,500 grams.",
        source=VITAL,
        steward="county-health",
        dims=BY_RACE,
        start=8.4,
        slope=0.2,
        pop=4600,
        noise=0.15,
        gap=3,
        threshold=0.3,
    ),
    IndicatorDef(
        code="kr-prenatal-care",
        name="Prenatal care in the first trimester",
        area="kindergarten-readiness",
        kind=CONTRIB,
        frequency=YEAR,
        definition="Percent of live births to mothers who began prenatal care in the first "
        "trimester of pregnancy.",
        source=VITAL,
        steward="county-health",
        dims=BY_RACE,
        start=76,
        slope=-0.35,
        pop=4600,
        noise=0.4,
        gap=6,
        gap_trend=0.04,
        target=82,
        threshold=1,
    ),
    IndicatorDef(
        code="kr-home-visits-families",
        name="Families served by home visiting",
        area="kindergarten-readiness",
        kind=PERF,
        tag=HOW_MUCH,
        unit=Unit.COUNT,
        definition="Number of families with children under 5 receiving at least one home "
        "visit during the school year.",
        source="Riverside Head Start program records",
        steward="riverside-head-start",
        schools="elementary",
        start=310,
        slope=18,
        noise=8,
    ),
    IndicatorDef(
        code="kr-home-visits-reading",
        name="Home-visited parents reading daily",
        area="kindergarten-readiness",
        kind=PERF,
        tag=BETTER_OFF,
        definition="Percent of home-visited parents who report reading with their child "
        "every day at the spring visit.",
        source="Riverside Head Start parent survey",
        steward="riverside-head-start",
        dims=BY_INCOME,
        start=48,
        slope=2.4,
        pop=290,
        noise=1.5,
        gap=4,
        target=70,
        threshold=2,
    ),
)

EARLY_READING = (
    IndicatorDef(
        code="egr-g3-reading",
        name="3rd grade reading proficiency",
        area="early-grade-reading",
        definition="Percent of 3rd graders scoring proficient or above on the state English "
        "language arts assessment.",
        source=STATE_TEST,
        steward="riverside-promise",
        dims=BY_BOTH,
        schools="elementary",
        start=38,
        slope=1.5,
        pop=4100,
        gap=11,
        gap_trend=0.05,
        target=55,
        threshold=1,
        missing=NO_2020_TESTS,
    ),
    IndicatorDef(
        code="egr-g3-ela-score",
        name="3rd grade ELA mean scale score",
        area="early-grade-reading",
        kind=CONTRIB,
        unit=Unit.SCORE,
        definition="Mean scale score of 3rd graders on the state English language arts assessment.",
        source=STATE_TEST,
        steward="riverside-promise",
        dims=BY_RACE,
        schools="elementary",
        start=2405,
        slope=4,
        noise=2,
        spread=12,
        gap=22,
        target=2440,
        threshold=3,
        missing=NO_2020_TESTS,
    ),
    IndicatorDef(
        code="egr-g4-reading",
        name="4th grade reading proficiency",
        area="early-grade-reading",
        kind=CONTRIB,
        definition="Percent of 4th graders scoring proficient or above on the state English "
        "language arts assessment.",
        source=STATE_TEST,
        steward="riverside-promise",
        dims=BY_BOTH,
        schools="elementary",
        start=40,
        slope=0.9,
        pop=4050,
        gap=11,
        target=55,
        threshold=1,
        missing=NO_2020_TESTS,
    ),
    IndicatorDef(
        code="egr-chronic-absence-k3",
        name="Chronic absenteeism, grades K-3",
        area="early-grade-reading",
        kind=CONTRIB,
        direction=LOWER,
        definition="Percent of K-3 students enrolled 10+ days who missed 10% or more of "
        "the school days they were enrolled, for any reason.",
        source=SIS,
        steward="riverside-city-schools",
        dims=BY_BOTH,
        schools="elementary",
        start=13,
        slope=1.6,
        pop=16500,
        gap=5,
        gap_trend=0.05,
        target=8,
        threshold=1,
    ),
    IndicatorDef(
        code="egr-k2-benchmark",
        name="K-2 students on track in reading",
        area="early-grade-reading",
        kind=CONTRIB,
        definition="Percent of K-2 students at or above the spring benchmark on the "
        "districts' universal reading screener.",
        source="District universal screener (spring administration)",
        steward="riverside-city-schools",
        dims=BY_BOTH,
        schools="elementary",
        start=47,
        slope=1.8,
        pop=12400,
        gap=8,
        target=60,
        threshold=1,
        missing=("2018-19", "2019-20"),
    ),
    IndicatorDef(
        code="egr-school-mobility",
        name="Elementary students changing schools mid-year",
        area="early-grade-reading",
        kind=CONTRIB,
        direction=LOWER,
        definition="Percent of K-5 students enrolled on October 1 who changed schools at "
        "least once before the end of the school year.",
        source=SIS,
        steward="riverside-city-schools",
        dims=BY_BOTH,
        schools="elementary",
        start=12.5,
        slope=-0.45,
        pop=24500,
        noise=0.3,
        spread=2.0,
        gap=3,
        gap_trend=-0.04,
        target=8,
        threshold=0.5,
    ),
    IndicatorDef(
        code="egr-summer-learning",
        name="Students in summer learning programs, K-3",
        area="early-grade-reading",
        kind=PERF,
        tag=HOW_MUCH,
        unit=Unit.COUNT,
        definition="Number of K-3 students attending at least 15 days of a partner summer "
        "learning program.",
        source="City summer learning attendance records",
        steward="city-youth-office",
        dims=BY_INCOME,
        schools="elementary",
        start=1150,
        slope=140,
        noise=30,
        gap=-0.3,
    ),
    IndicatorDef(
        code="egr-tutoring-hours",
        name="Tutoring hours delivered",
        area="early-grade-reading",
        kind=PERF,
        tag=HOW_MUCH,
        unit=Unit.COUNT,
        frequency=QUARTER,
        schools="elementary",
        definition="Hours of one-to-one or small-group reading tutoring delivered to K-3 "
        "students in the quarter.",
        source="Read Riverside tutoring logs",
        steward="read-riverside",
        start=5200,
        slope=900,
        noise=250,
        target=9000,
        threshold=100,
        missing=("2020-Q2",),
    ),
    IndicatorDef(
        code="egr-tutoring-dosage",
        name="Tutored students receiving 30+ sessions",
        area="early-grade-reading",
        kind=PERF,
        tag=HOW_WELL,
        definition="Percent of tutored students who received 30 or more sessions in the "
        "school year.",
        source="Read Riverside tutoring logs",
        steward="read-riverside",
        start=56,
        slope=2.4,
        pop=640,
        noise=1.2,
        target=75,
        threshold=2,
    ),
    IndicatorDef(
        code="egr-tutoring-grade-level",
        name="Tutoring participants reading at grade level",
        area="early-grade-reading",
        kind=PERF,
        tag=BETTER_OFF,
        definition="Percent of students tutored 30+ sessions who end the year at or above "
        "grade level on the universal screener.",
        source="Read Riverside tutoring logs joined to screener results",
        steward="read-riverside",
        dims=BY_INCOME,
        start=41,
        slope=2.6,
        pop=380,
        noise=1.5,
        gap=5,
        target=60,
        threshold=2,
    ),
    IndicatorDef(
        code="egr-library-cards",
        name="Children 0-8 with a library card",
        area="early-grade-reading",
        kind=CONTRIB,
        frequency=YEAR,
        definition="Percent of children aged 0-8 living in the region who hold an active "
        "public library card.",
        source="Riverside Public Library patron records",
        steward="riverside-library",
        level="wide",
        start=37,
        slope=0.1,
        pop=33000,
        noise=0.3,
        threshold=1,
    ),
)
