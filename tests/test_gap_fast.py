"""The gap map's fast paths give the same numbers as the plain computations they replace.

Each one (the first reach by binary search and by counts, the repeated levels read once)
is compared bit for bit with the plain computation, written out here, on random data with
ties, signed zeros, missing scores and unsorted thresholds.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.analysis.lag import _first_reach
from gaplens.models.frontier import GroupFrontier

FAST = settings(max_examples=40, deadline=None)


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) & (np.signbit(a) == np.signbit(b))
                                              | (np.isnan(a) & np.isnan(b))))


def frontier(rng, n_models: int, draws: int, nan_share: float) -> GroupFrontier:
    """Scores on a coarse grid (ties), some models left out of some draws, some NaN."""
    scores = np.round(rng.random((draws, n_models)), 1) - 0.2
    scores[rng.random(scores.shape) < nan_share] = np.nan
    include = rng.random((draws, n_models)) < 0.8
    return GroupFrontier.build(rng.integers(0, 30, n_models), scores, include)


@FAST
@given(st.integers(0, 7), st.integers(1, 9), st.integers(1, 8), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.2]))
def test_reach_index_is_the_first_model_at_or_above(n_models, draws, pairs, seed, nan_share):
    rng = np.random.default_rng(seed)
    f = frontier(rng, n_models, draws, nan_share)
    rows = rng.integers(0, draws, pairs)
    levels = np.round(rng.random(pairs), 1) - 0.2
    levels[0] = -np.inf
    hit = f.running[rows] >= levels[:, None]
    expected = (np.where(hit.any(axis=1), hit.argmax(axis=1), n_models) if n_models
                else np.zeros(pairs, dtype=int))
    assert np.array_equal(f.reach_index(rows, levels), expected)


@FAST
@given(st.integers(0, 7), st.integers(1, 9), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.2]))
def test_first_reach_grid_is_the_broadcast_one(n_models, draws, seed, nan_share):
    rng = np.random.default_rng(seed)
    f = frontier(rng, n_models, draws, nan_share)
    thresholds = np.array([0.3, -0.2, 0.5, 0.3, np.nan, 0.0, -0.0, 0.75])  # unsorted, tied
    days, left = f.first_reach_grid(thresholds)
    if n_models == 0:
        assert np.isnan(days).all() and not left.any()
        return
    hit = f.running[:, :, None] >= thresholds[None, None, :]
    has, first = hit.any(axis=1), hit.argmax(axis=1)
    assert same_bits(days, np.where(has, f.days[first].astype(float), np.nan))
    assert np.array_equal(left, has & (f.days[first]
                                       == f.days[f.include.argmax(axis=1)][:, None]))


@FAST
@given(st.integers(1, 7), st.integers(1, 9), st.integers(1, 8), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.2]))
def test_first_reach_reads_repeated_levels_once(n_models, draws, days, seed, nan_share):
    rng = np.random.default_rng(seed)
    f = frontier(rng, n_models, draws, nan_share)
    levels = np.round(rng.random((draws, days)), 1)
    levels = np.where(rng.random((draws, days)) < 0.5, np.roll(levels, 1, axis=1), levels)
    levels[rng.random((draws, days)) < 0.2] = np.nan  # gaps between repeats
    expected = np.full(levels.shape, np.nan)
    hit = f.running[:, None, :] >= levels[:, :, None]
    has = hit.any(axis=2) & np.isfinite(levels)
    expected[has] = f.days[hit.argmax(axis=2)[has]]
    assert same_bits(_first_reach(f, levels), expected)
