"""The rules' mean is statistics.mean, value and type, only faster for whole numbers."""

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinical.trends import mean

numbers = st.one_of(st.integers(-(10**20), 10**20), st.floats(-1e6, 1e6), st.booleans())


@given(st.lists(st.integers(-(10**20), 10**20), min_size=1))
def test_whole_numbers_as_statistics_has_them(values):
    got, expected = mean(values), statistics.mean(values)
    assert (got, type(got)) == (expected, type(expected))


@given(st.lists(numbers, min_size=1))
def test_any_mix_as_statistics_has_it(values):
    got, expected = mean(iter(values)), statistics.mean(values)
    assert (got, type(got)) == (expected, type(expected))


def test_answers_on_the_scales():
    for values in ([6, 7, 8], [0, 1], [10, 10, 9], [1, 2, 2], [3, 3, 4, 5]):
        got, expected = mean(values), statistics.mean(values)
        assert (got, type(got)) == (expected, type(expected))


def test_nothing_has_no_mean():
    with pytest.raises(statistics.StatisticsError):
        mean([])
