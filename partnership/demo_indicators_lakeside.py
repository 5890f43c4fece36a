"""Lakeside's indicators: the small second demo partnership, partnership-wide only.

See ``demo_indicators`` for what each field of ``IndicatorDef`` means.
"""

from __future__ import annotations

from .demo_indicators import CONTRIB, LOWER, IndicatorDef

LAKESIDE_INDICATORS = (
    IndicatorDef(
        code="kr-ready",
        name="Kindergarten readiness",
        area="kindergarten-readiness",
        definition="Percent of kindergartners meeting all domains on the state KRA.",
        source="State Department of Education, KRA",
        steward="lakeside-schools",
        level="wide",
        start=51,
        slope=0.8,
        pop=900,
        target=60,
        threshold=1,
    ),
    IndicatorDef(
        code="egr-g3-reading",
        name="3rd grade reading proficiency",
        area="early-grade-reading",
        definition="Percent of 3rd graders proficient on the state ELA assessment.",
        source="State Department of Education",
        steward="lakeside-schools",
        level="wide",
        start=45,
        slope=-0.6,
        pop=880,
        target=55,
        threshold=1,
        missing=("2019-20",),
    ),
    IndicatorDef(
        code="egr-chronic-absence",
        name="Chronic absenteeism, grades K-3",
        area="early-grade-reading",
        kind=CONTRIB,
        direction=LOWER,
        definition="Percent of K-3 students missing 10% or more of school days.",
        source="Lakeside School District",
        steward="lakeside-schools",
        level="wide",
        start=11,
        slope=1.2,
        pop=3500,
        threshold=1,
    ),
    IndicatorDef(
        code="hsg-grad-4yr",
        name="4-year cohort graduation rate",
        area="high-school-graduation",
        definition="Percent of the adjusted 9th grade cohort graduating within four years.",
        source="State Department of Education",
        steward="lakeside-schools",
        level="wide",
        start=84,
        slope=0.7,
        pop=820,
        target=90,
        threshold=1,
    ),
)
