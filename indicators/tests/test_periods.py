from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.periods import (
    PeriodError,
    PeriodKind,
    next_period,
    parse_period,
    period_containing,
    periods_between,
)


@pytest.mark.parametrize(
    ("label", "kind", "start", "end"),
    [
        ("2021", PeriodKind.YEAR, date(2021, 1, 1), date(2021, 12, 31)),
        ("2021-22", PeriodKind.SCHOOL_YEAR, date(2021, 7, 1), date(2022, 6, 30)),
        ("1999-00", PeriodKind.SCHOOL_YEAR, date(1999, 7, 1), date(2000, 6, 30)),
        ("2021-Q3", PeriodKind.QUARTER, date(2021, 7, 1), date(2021, 9, 30)),
        ("2021-q1", PeriodKind.QUARTER, date(2021, 1, 1), date(2021, 3, 31)),
        ("2021-07", PeriodKind.MONTH, date(2021, 7, 1), date(2021, 7, 31)),
        ("2024-02", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        (" 2021 ", PeriodKind.YEAR, date(2021, 1, 1), date(2021, 12, 31)),
    ],
)
def test_each_label_form_has_one_canonical_span(label, kind, start, end):
    span = parse_period(label)
    assert (span.kind, span.start, span.end) == (kind, start, end)
    assert parse_period(span.label, kind) == span


def test_ambiguous_label_reads_as_the_kind_the_indicator_expects():
    assert parse_period("2011-12").kind == PeriodKind.SCHOOL_YEAR
    assert parse_period("2011-12", PeriodKind.MONTH).end == date(2011, 12, 31)
    assert parse_period("2011-12", PeriodKind.SCHOOL_YEAR).end == date(2012, 6, 30)


@pytest.mark.parametrize(
    ("label", "kind", "message"),
    [
        ("", None, "empty"),
        ("21-22", None, "not a period label"),
        ("2021-23", None, "neither a school year"),
        ("2021-13", None, "neither a school year"),
        ("2021-Q5", None, "not a period label"),
        ("0999", None, "outside the years"),
        ("2021", PeriodKind.SCHOOL_YEAR, "like '2021-22'"),
        ("2021-07", PeriodKind.QUARTER, "like '2021-Q3'"),
    ],
)
def test_bad_labels_say_how_to_write_them(label, kind, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(label, kind)


@given(
    day=st.dates(min_value=date(1901, 1, 1), max_value=date(2199, 1, 1)),
    kind=st.sampled_from(list(PeriodKind)),
)
def test_label_round_trips_and_periods_tile_time(day, kind):
    span = period_containing(day, kind)
    assert span.start <= day <= span.end
    assert parse_period(span.label, kind) == span
    following = next_period(span)
    assert (following.start - span.end).days == 1


def test_periods_between_lists_every_period_inclusive():
    labels = [s.label for s in periods_between(parse_period("2018-19"), parse_period("2021-22"))]
    assert labels == ["2018-19", "2019-20", "2020-21", "2021-22"]
