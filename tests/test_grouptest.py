"""Permutation tests of group means and Holm's adjustment (src/gaplens/analysis/grouptest.py):
hand-computed answers, exact enumeration, and the null on planted data."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy import stats

from gaplens.analysis.grouptest import holm, permutation_p_values


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04, 0.5 (m = 4): 4 * 0.01 = 0.04; 3 * 0.03 = 0.09;
    # 2 * 0.04 = 0.08 -> raised to the running maximum 0.09; 1 * 0.5 = 0.5
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    # capped at 1, NaN kept and not counted in m (m = 2: 2 * 0.6 = 1.2 -> 1)
    out = holm([0.6, np.nan, 0.7])
    assert out[0] == 1.0 and np.isnan(out[1]) and out[2] == 1.0
    assert holm([]).shape == (0,)


def test_p_value_matches_exact_enumeration():
    v = np.array([1.2, 0.4, 0.9, -0.3, -0.8, 0.1, -0.5, 0.0, -1.1])
    mask = np.zeros(9, dtype=bool)
    mask[[0, 2, 5]] = True

    def welch(idx):
        return stats.ttest_ind(v[list(idx)], np.delete(v, list(idx)), equal_var=False).statistic

    observed = welch((0, 2, 5))
    exact = np.mean([abs(welch(c)) >= abs(observed) - 1e-9
                     for c in combinations(range(9), 3)])  # over all 84 subsets of 3
    p = permutation_p_values(v, [mask, ~mask], 40_000, np.random.default_rng(2))
    assert p[0] == pytest.approx(exact, abs=0.005)
    assert p[1] == pytest.approx(p[0], abs=0.005)  # the complement: the same test
    assert np.isnan(permutation_p_values(v, [np.ones(9, bool)], 100,
                                         np.random.default_rng(0))[0])


def test_null_p_values_are_uniform_even_with_extreme_models():
    # Heavy-tailed values (a few models far from the rest) and labels unrelated to them:
    # six groups of 7 per replication, 40 replications -> 240 p-values.
    p = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        v = rng.standard_t(2, 42)
        labels = rng.permutation(np.arange(42) % 6)
        p += list(permutation_p_values(v, [labels == g for g in range(6)], 400, rng))
    p = np.array(p)
    assert 0.06 <= (p < 0.1).mean() <= 0.15
    assert 0.4 <= np.median(p) <= 0.6


def test_a_planted_group_alone_survives_the_adjustment():
    # 60 values, six groups of 10; group 0 is shifted by 2 sd. Vs-rest tests of the other
    # groups see a rest that holds the shifted group, yet none survives Holm's adjustment.
    hits = np.zeros(6)
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        labels = rng.permutation(np.arange(60) % 6)
        v = rng.normal(size=60) - 2.0 * (labels == 0)
        adjusted = holm(permutation_p_values(v, [labels == g for g in range(6)], 2000, rng))
        hits += adjusted < 0.05
    assert hits[0] == 20
    assert hits[1:].sum() <= 2  # 100 null tests at a family-wise 5 %


def test_studentized_statistic_holds_its_level_when_a_small_group_is_more_spread():
    # The small group (8 of 48) has 3 times the spread of the rest and the same mean. A
    # permutation test of the plain difference of means rejects far too often here; the
    # Welch statistic stays near the level.
    p = []
    for seed in range(150):
        rng = np.random.default_rng(seed)
        mask = np.arange(48) < 8
        v = np.where(mask, 3.0, 1.0) * rng.normal(size=48)
        p.append(permutation_p_values(v, [mask], 200, rng)[0])
    assert (np.array(p) < 0.1).mean() <= 0.16


def test_welch_interval_by_hand():
    from gaplens.analysis.grouptest import welch_interval

    # inside 1, 2, 3 (var 1), outside 0, 0, 0, 0 (var 0): se = sqrt(1/3), nu = 2
    d, low, high = welch_interval(np.array([1.0, 2.0, 3.0]), np.zeros(4), 0.90)
    half = stats.t.ppf(0.95, 2) * np.sqrt(1 / 3)
    assert d == 2.0 and low == pytest.approx(2 - half) and high == pytest.approx(2 + half)


def test_welch_interval_equals_the_one_with_scipy_stats_t_quantile():
    from gaplens.analysis.grouptest import welch_interval

    rng = np.random.default_rng(7)
    for k, m in [(2, 2), (3, 9), (11, 4), (40, 60)]:
        inside, outside = rng.normal(1, 2, k), rng.normal(0, 0.5, m)
        a, b = inside.var(ddof=1) / k, outside.var(ddof=1) / m
        nu = (a + b) ** 2 / (a ** 2 / (k - 1) + b ** 2 / (m - 1))
        half = float(stats.t.ppf(0.95, nu)) * float(np.sqrt(a + b))
        d = float(inside.mean() - outside.mean())
        assert welch_interval(inside, outside, 0.90) == (d, d - half, d + half)
