"""Derived totals, level by level up the geography tree, against sums and ratios
computed independently."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.rollups import Cell, derive, ratio_scale

# region 1 > districts 10, 11 > schools 100, 101 (in 10) and 110 (in 11)
PARENT = {1: None, 10: 1, 11: 1, 100: 10, 101: 10, 110: 11}
DEPTH = {1: 0, 10: 1, 11: 1, 100: 2, 101: 2, 110: 2}
P1, P2 = 501, 502  # two periods


def pct(num, den):
    return Cell(Decimal(100) * Decimal(num) / Decimal(den), Decimal(num), Decimal(den))


def test_sums_roll_up_school_to_district_to_region_to_partnership():
    reported = {
        (100, None): {P1: Cell(Decimal(10))},
        (101, None): {P1: Cell(Decimal(20))},
        (110, None): {P1: Cell(Decimal(5))},
    }
    derived = derive(reported, PARENT, DEPTH, "sum")
    assert derived[(10, None)][P1].value == 30
    assert derived[(11, None)][P1].value == 5
    assert derived[(1, None)][P1].value == 35
    assert derived[(None, None)][P1].value == 35
    assert derived[(1, None)][P1].n_children == 2


def test_ratio_is_summed_numerators_over_summed_denominators():
    reported = {
        (100, None): {P1: pct(30, 60)},
        (101, None): {P1: pct(10, 40)},
        (110, None): {P1: pct(45, 50)},
    }
    derived = derive(reported, PARENT, DEPTH, "ratio", is_percent=True)
    assert derived[(10, None)][P1].value == Decimal("40.000000")  # 40/100, not mean(50, 25)
    assert derived[(None, None)][P1].numerator == 85
    assert derived[(None, None)][P1].denominator == 150
    assert derived[(None, None)][P1].value == (Decimal(8500) / 150).quantize(Decimal("0.000001"))


def test_reported_values_are_never_replaced():
    reported = {
        (100, None): {P1: Cell(Decimal(10))},
        (101, None): {P1: Cell(Decimal(20))},
        (10, None): {P1: Cell(Decimal(99))},  # the district reported its own total
    }
    derived = derive(reported, PARENT, DEPTH, "sum")
    assert (10, None) not in derived
    assert derived[(1, None)][P1].value == 99  # built on the reported district value


def test_a_missing_child_blocks_the_parent_for_that_period_only():
    reported = {
        (100, None): {P1: Cell(Decimal(10)), P2: Cell(Decimal(11))},
        (101, None): {P1: Cell(Decimal(20))},  # missing P2
    }
    derived = derive(reported, PARENT, DEPTH, "sum")
    assert set(derived[(10, None)]) == {P1}


def test_not_aggregatable_derives_nothing():
    reported = {(100, None): {P1: Cell(Decimal(10))}}
    assert derive(reported, PARENT, DEPTH, "none") == {}


def test_categories_roll_up_separately():
    reported = {
        (100, 7): {P1: pct(5, 8)},
        (101, 7): {P1: pct(3, 12)},
        (100, None): {P1: pct(50, 100)},
        (100, 8): {P1: pct(1, 2)},
    }
    derived = derive(reported, PARENT, DEPTH, "ratio", is_percent=True)
    assert derived[(10, 7)][P1].value == Decimal("40.000000")
    assert (10, None) not in derived  # school 101 reports the indicator but not its total
    assert (10, 8) not in derived  # nor category 8


def test_rate_scale_is_read_from_the_reported_values():
    per_thousand = [Cell(Decimal("12.5"), Decimal(25), Decimal(2000))]
    assert ratio_scale(per_thousand, is_percent=False) == 1000
    assert ratio_scale([], is_percent=True) == 100


@given(
    st.dictionaries(
        st.sampled_from([100, 101, 110]),
        st.tuples(st.integers(0, 500), st.integers(1, 500)),
        min_size=1,
    )
)
def test_random_school_values_roll_up_exactly(schools):
    reported = {(s, None): {P1: pct(min(n, d), d)} for s, (n, d) in schools.items()}
    derived = derive(reported, PARENT, DEPTH, "ratio", is_percent=True)
    nums = {s: Decimal(min(n, d)) for s, (n, d) in schools.items()}
    dens = {s: Decimal(d) for s, (n, d) in schools.items()}
    for district, kids in {10: [100, 101], 11: [110]}.items():
        present = [k for k in kids if k in schools]
        if not present:
            assert (district, None) not in derived
            continue
        cell = derived[(district, None)][P1]
        assert cell.numerator == sum(nums[k] for k in present)
        assert cell.denominator == sum(dens[k] for k in present)
    total = derived[(None, None)][P1]
    assert total.numerator == sum(nums.values())
    assert total.value == (100 * total.numerator / total.denominator).quantize(Decimal("0.000001"))
