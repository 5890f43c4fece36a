"""What the demo partnerships are made of: plain data, no database access.

``seed_demo`` (partnership/management/commands/seed_demo.py) turns these
definitions into rows; ``demo_indicators`` holds the indicator catalogue and
``demo_data`` makes up the numbers. Riverside is a cradle-to-career partnership
with three school districts; Lakeside is a small second partnership that shows
that one partnership never sees another's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indicators.models import GeographyKind
from partnership.models import OrganizationRole, Role, Sector

from .demo_indicators import EARLY_READING, KINDERGARTEN, IndicatorDef
from .demo_indicators_career import (
    EMPLOYMENT,
    POSTSECONDARY_COMPLETION,
    POSTSECONDARY_ENROLLMENT,
)
from .demo_indicators_lakeside import LAKESIDE_INDICATORS
from .demo_indicators_school import HIGH_SCHOOL, MIDDLE_MATH

DEMO_PASSWORD = "demo1234"
LOADED_COMMENT = "Loaded by seed_demo"
# Every number the demo makes up comes from random generators seeded with this.
SEED = 20240701


@dataclass(frozen=True)
class AreaDef:
    slug: str
    name: str
    goal: str


@dataclass(frozen=True)
class OrgDef:
    slug: str
    name: str
    sector: str
    role: str = OrganizationRole.PARTNER
    website: str = ""


@dataclass(frozen=True)
class SchoolDef:
    code: str
    name: str
    band: str  # "elementary", "middle" or "high": which indicators it reports
    opened: int | None = None  # first school year (e.g. 2020 for 2020-21), None: always open


@dataclass(frozen=True)
class DistrictDef:
    code: str
    name: str
    share: float  # of the partnership's students
    advantage: float  # -1 (furthest behind) .. 1 (furthest ahead) on most outcomes
    race_mix: dict[str, float]  # category code -> share of students
    low_income: float  # share of students from low-income families
    schools: tuple[SchoolDef, ...]


@dataclass(frozen=True)
class DimensionDef:
    code: str
    name: str
    categories: tuple[tuple[str, str], ...]  # (code, name) in display order
    # How far each category sits from the average, in units of an indicator's gap;
    # negative is further from the goal.
    offsets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class UserDef:
    username: str
    first_name: str
    last_name: str
    role: str
    organization: str  # slug


@dataclass(frozen=True)
class PartnershipDef:
    slug: str
    name: str
    description: str
    areas: tuple[AreaDef, ...]
    organizations: tuple[OrgDef, ...]
    indicators: tuple[IndicatorDef, ...]
    region: tuple[str, str] | None = None  # (code, name)
    districts: tuple[DistrictDef, ...] = ()
    dimensions: tuple[DimensionDef, ...] = ()


AREAS = (
    AreaDef(
        "kindergarten-readiness",
        "Kindergarten readiness",
        "Every child enters kindergarten healthy and ready to learn.",
    ),
    AreaDef(
        "early-grade-reading",
        "Early grade reading",
        "Every child reads at grade level by the end of third grade.",
    ),
    AreaDef(
        "middle-grade-math",
        "Middle grade math",
        "Every student is proficient in math by the end of eighth grade.",
    ),
    AreaDef(
        "high-school-graduation",
        "High school graduation",
        "Every student graduates from high school on time, prepared for what comes next.",
    ),
    AreaDef(
        "postsecondary-enrollment",
        "Postsecondary enrollment",
        "Every graduate enrolls in a college, university or credential program.",
    ),
    AreaDef(
        "postsecondary-completion",
        "Postsecondary completion",
        "Every student who enrolls earns a degree or credential with labor-market value.",
    ),
    AreaDef(
        "employment",
        "Employment",
        "Every young adult has a job that pays a family-sustaining wage.",
    ),
)

_P = OrganizationRole.PARTNER
_F = OrganizationRole.FUNDER

ORGANIZATIONS = (
    OrgDef(
        "riverside-promise",
        "Riverside Promise",
        Sector.NONPROFIT,
        OrganizationRole.BACKBONE,
        "https://riversidepromise.example.org",
    ),
    OrgDef("riverside-city-schools", "Riverside City Schools", Sector.EDUCATION),
    OrgDef("north-valley-usd", "North Valley Unified School District", Sector.EDUCATION),
    OrgDef("eastbrook-schools", "Eastbrook Community Schools", Sector.EDUCATION),
    OrgDef(
        "early-learning-coalition",
        "Early Learning Coalition of Riverside County",
        Sector.EARLY_CHILDHOOD,
    ),
    OrgDef("riverside-head-start", "Riverside Head Start", Sector.EARLY_CHILDHOOD),
    OrgDef("county-health", "Riverside County Health Department", Sector.HEALTH),
    OrgDef("riverside-health-system", "Riverside Health System", Sector.HEALTH),
    OrgDef("riverside-library", "Riverside Public Library", Sector.GOVERNMENT),
    OrgDef("read-riverside", "Read Riverside Tutoring Corps", Sector.NONPROFIT),
    OrgDef("boys-girls-club", "Boys & Girls Clubs of the Riverside Valley", Sector.NONPROFIT),
    OrgDef("ymca-riverside", "YMCA of Greater Riverside", Sector.NONPROFIT),
    OrgDef("college-access-network", "Riverside College Access Network", Sector.NONPROFIT),
    OrgDef("riverside-cc", "Riverside Community College", Sector.HIGHER_EDUCATION),
    OrgDef("riverside-state", "Riverside State University", Sector.HIGHER_EDUCATION),
    OrgDef("workforce-board", "Riverside Valley Workforce Board", Sector.WORKFORCE),
    OrgDef("riverside-chamber", "Greater Riverside Chamber of Commerce", Sector.BUSINESS),
    OrgDef("city-youth-office", "City of Riverside Office of Youth Opportunity", Sector.GOVERNMENT),
    OrgDef("interfaith-alliance", "Riverside Interfaith Alliance", Sector.FAITH),
    OrgDef("parent-network", "Riverside Parent Leadership Network", Sector.COMMUNITY),
    OrgDef("community-foundation", "Riverside Community Foundation", Sector.PHILANTHROPY, _F),
    OrgDef("united-way", "United Way of the Riverside Valley", Sector.PHILANTHROPY, _F),
    OrgDef("hartwell-foundation", "Hartwell Family Foundation", Sector.PHILANTHROPY, _F),
    OrgDef("first-riverside-bank", "First Riverside Bank", Sector.BUSINESS, _F),
)

RACE = DimensionDef(
    "race",
    "Race/ethnicity",
    (
        ("black", "Black"),
        ("hispanic", "Hispanic/Latino"),
        ("white", "White"),
        ("asian", "Asian"),
        ("multiracial", "Two or more races"),
        ("aian", "American Indian/Alaska Native"),
        ("nhpi", "Native Hawaiian/Pacific Islander"),
    ),
    {
        "black": -1.0,
        "hispanic": -0.7,
        "white": 0.6,
        "asian": 0.8,
        "multiracial": -0.1,
        "aian": -0.9,
        "nhpi": -0.5,
    },
)
INCOME = DimensionDef(
    "income",
    "Income",
    (("low-income", "Low income"), ("not-low-income", "Not low income")),
    {"low-income": -0.6, "not-low-income": 0.6},
)


def _schools(prefix: str, *rows: tuple[str, str, int | None]) -> tuple[SchoolDef, ...]:
    """Schools numbered in order: (name, band, first school year or None)."""
    return tuple(
        SchoolDef(f"{prefix}-{number:02d}", name, band, opened)
        for number, (name, band, opened) in enumerate(rows, start=1)
    )


_E, _M, _H = "elementary", "middle", "high"

DISTRICTS = (
    DistrictDef(
        "RCS",
        "Riverside City Schools",
        share=0.55,
        advantage=-1.0,
        race_mix={
            "black": 0.34,
            "hispanic": 0.31,
            "white": 0.2,
            "asian": 0.07,
            "multiracial": 0.06,
            "aian": 0.012,
            "nhpi": 0.008,
        },
        low_income=0.68,
        schools=_schools(
            "RCS",
            ("Lincoln Elementary School", _E, None),
            ("Douglass Elementary School", _E, None),
            ("Riverbend Elementary School", _E, None),
            ("Harriet Tubman Elementary School", _E, None),
            ("Cesar Chavez Elementary School", _E, None),
            ("Oak Park Elementary School", _E, None),
            ("Mill Street Elementary School", _E, None),
            ("Southside Elementary School", _E, None),
            ("Mary McLeod Bethune Academy", _E, 2020),
            ("Roosevelt Middle School", _M, None),
            ("Carver Middle School", _M, None),
            ("Westgate Middle School", _M, None),
            ("Riverside Central High School", _H, None),
            ("Jefferson High School", _H, None),
            ("Riverside STEM Early College High School", _H, 2019),
        ),
    ),
    DistrictDef(
        "NVU",
        "North Valley Unified School District",
        share=0.3,
        advantage=0.4,
        race_mix={
            "black": 0.12,
            "hispanic": 0.28,
            "white": 0.45,
            "asian": 0.08,
            "multiracial": 0.06,
            "aian": 0.006,
            "nhpi": 0.004,
        },
        low_income=0.42,
        schools=_schools(
            "NVU",
            ("Valley View Elementary School", _E, None),
            ("Cedar Ridge Elementary School", _E, None),
            ("Maple Grove Elementary School", _E, None),
            ("Sunrise Elementary School", _E, None),
            ("Orchard Hill Elementary School", _E, None),
            ("North Valley Middle School", _M, None),
            ("Pioneer Middle School", _M, None),
            ("North Valley High School", _H, None),
            ("Canyon Creek High School", _H, None),
        ),
    ),
    DistrictDef(
        "EBC",
        "Eastbrook Community Schools",
        share=0.15,
        advantage=0.8,
        race_mix={
            "black": 0.08,
            "hispanic": 0.16,
            "white": 0.62,
            "asian": 0.08,
            "multiracial": 0.05,
            "aian": 0.006,
            "nhpi": 0.004,
        },
        low_income=0.3,
        schools=_schools(
            "EBC",
            ("Eastbrook Elementary School", _E, None),
            ("Hawthorne Elementary School", _E, None),
            ("Willow Creek Elementary School", _E, None),
            ("Eastbrook Middle School", _M, None),
            ("Eastbrook Junior High School", _M, None),
            ("Eastbrook High School", _H, None),
        ),
    ),
)

RIVERSIDE = PartnershipDef(
    slug="riverside",
    name="Riverside Cradle to Career Partnership",
    description=(
        "Schools, colleges, employers, nonprofits, health providers and funders of the "
        "Riverside Valley working together so that every child succeeds from cradle to "
        "career. (Demo data: every number is made up.)"
    ),
    areas=AREAS,
    organizations=ORGANIZATIONS,
    indicators=(
        *KINDERGARTEN,
        *EARLY_READING,
        *MIDDLE_MATH,
        *HIGH_SCHOOL,
        *POSTSECONDARY_ENROLLMENT,
        *POSTSECONDARY_COMPLETION,
        *EMPLOYMENT,
    ),
    region=("RIV", "Riverside Valley"),
    districts=DISTRICTS,
    dimensions=(RACE, INCOME),
)

LAKESIDE = PartnershipDef(
    slug="lakeside",
    name="Lakeside Learning Partnership",
    description=(
        "A second, smaller partnership: Riverside's members never see its data. "
        "(Demo data: every number is made up.)"
    ),
    areas=(AREAS[0], AREAS[1], AREAS[3]),
    organizations=(
        OrgDef(
            "lakeside-alliance",
            "Lakeside Alliance for Children",
            Sector.NONPROFIT,
            OrganizationRole.BACKBONE,
        ),
        OrgDef("lakeside-schools", "Lakeside School District", Sector.EDUCATION),
        OrgDef("lakeside-fund", "Lakeside Fund for Families", Sector.PHILANTHROPY, _F),
    ),
    indicators=LAKESIDE_INDICATORS,
)

GEOGRAPHY_KINDS = {
    "region": GeographyKind.REGION,
    "district": GeographyKind.DISTRICT,
    "school": GeographyKind.SCHOOL,
}

# One demo user per role in Riverside; the steward works for the largest district,
# which stewards the indicators it collects itself.
DEMO_USERS = (
    UserDef("backbone", "Bea", "Backbone", Role.BACKBONE, "riverside-promise"),
    UserDef("steward", "Sam", "Steward", Role.DATA_STEWARD, "riverside-city-schools"),
    UserDef("viewer", "Vic", "Viewer", Role.VIEWER, "read-riverside"),
    UserDef("funder", "Fay", "Funder", Role.FUNDER, "community-foundation"),
)
ADMIN_USERNAME = "admin"
