"""The gap map's fast paths give the same numbers as the plain computations they replace.

Each one (the first reach by binary search and by counts, the repeated levels read once,
the gap's floored spread and leaders on many days at once, the median of rows without NaN, the collapse's sort by codes and the unknown models' table without a groupby, every
benchmark of a map without a timeline at once) is compared
bit for bit with the plain computation, written out here, on random data with ties, signed
zeros, missing values and unsorted thresholds.
"""

from __future__ import annotations

import warnings
from unittest.mock import patch

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.analysis.gap import _leader0, _leaders0, floor_spread, floor_spread_columns
from gaplens.analysis.intervals import nanmedian_rows
from gaplens.analysis import lag
from gaplens.analysis.lag import _first_reach, horizontal_lag
from gaplens.analysis.observations import _unknown_models, sort_order
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
    unsorted = np.array([0.3, -0.2, 0.5, 0.3, np.nan, 0.0, -0.0, 0.75])  # tied, a NaN
    for thresholds in (unsorted, np.array([-0.2, 0.0, 0.05, 0.3, 0.3, 0.75])):
        days, left = f.first_reach_grid(thresholds)
        if n_models == 0:
            assert np.isnan(days).all() and not left.any()
            continue
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
    assert same_bits(_first_reach(f, levels), expected)  # few models: compared with each
    with patch.object(lag, "FEW_MODELS", 0):  # the binary search
        assert same_bits(_first_reach(f, levels), expected)


@FAST
@given(st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_sort_order_is_sort_values(n, seed):
    rng = np.random.default_rng(seed)
    text = np.array(["b", "a", "B", "ä", "a b", ""], dtype=object)
    frame = pd.DataFrame({
        "name": pd.array(np.where(rng.random(n) < 0.2, None, rng.choice(text, n)), dtype="str"),
        "score": np.where(rng.random(n) < 0.2, np.nan, np.round(rng.random(n), 1) - 0.5),
        "date": pd.to_datetime(np.where(rng.random(n) < 0.2, None, rng.choice(
            ["2024-01-02", "2023-05-06", "2024-01-02 00:00:01"], n)), format="ISO8601"
                              ).astype("datetime64[s]"),
    })
    frame["score"] = frame["score"].where(frame["score"] != 0, -0.0)  # signed zeros tie
    for columns, ascending in ((["name", "score", "date"], [True, False, True]),
                               (["date", "name", "score"], [False, False, True])):
        expected = frame.sort_values(columns, ascending=ascending, na_position="last")
        assert np.array_equal(sort_order(frame, columns, ascending), expected.index.to_numpy())
    rows = rng.permutation(n)[: n // 2]
    expected = frame.take(rows).reset_index(drop=True).sort_values(
        ["name", "date"], ascending=[False, True], na_position="last")
    assert np.array_equal(sort_order(frame, ["name", "date"], [False, True], rows),
                          expected.index.to_numpy())


def test_unknown_models_is_the_groupby_table():
    unknown = pd.DataFrame({
        "model_id": pd.array(["m2", "m1", "m2", "m3", "m1", "m3", "m0"], dtype="str"),
        "display_name": pd.array(["M2", None, "M2", "M3", None, "M3b", "M0"], dtype="str"),
        "benchmark": pd.array(list("abcdefg"), dtype="str"),
        "release_date": pd.to_datetime(["2024-03-01", "2024-01-01", "2023-12-31",
                                        "2024-02-02", "2023-01-01", None, None]
                                       ).astype("datetime64[s]"),
    })
    expected = (unknown.groupby(["model_id", "display_name"], dropna=False)
                .agg(results=("benchmark", "size"), release_date=("release_date", "min"))
                .reset_index().sort_values(["results", "model_id"], ascending=[False, True]))
    found = _unknown_models(unknown)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    assert found["results"].tolist() == [2, 2, 1, 1, 1]  # m1, m2, then m0, m3/M3, m3/M3b


@FAST
@given(st.integers(1, 40), st.integers(1, 6), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.1]))
def test_floor_spread_of_columns_is_one_call_per_column(draws, columns, seed, nan_share):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(draws, columns)) * rng.exponential(size=columns)
    values[rng.random(values.shape) < nan_share] = np.nan
    values[:, 0] = values[0, 0]  # a constant column: no spread to scale
    floors = rng.choice([0.0, 0.5, 3.0], size=columns)
    expected = np.column_stack([floor_spread(values[:, j], float(floors[j]))
                                for j in range(columns)])
    assert same_bits(floor_spread_columns(values, floors), expected)


@FAST
@given(st.integers(0, 7), st.integers(1, 5), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.3]))
def test_leaders_on_many_days_are_the_leader_of_each(n_models, draws, seed, nan_share):
    rng = np.random.default_rng(seed)
    f = frontier(rng, n_models, draws, nan_share)
    days = np.array([-1, 0, 3, 10, 10, 29, 40])
    assert _leaders0(f, days).tolist() == [_leader0(f, int(d)) for d in days]


@FAST
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 6), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.3, 1.0]))
def test_nanmedian_rows_is_numpys(rows, middle, k, seed, nan_share):
    rng = np.random.default_rng(seed)
    stack = np.round(rng.normal(size=(rows, middle, k)), 0) * rng.choice([1.0, -1.0])
    stack[rng.random(stack.shape) < nan_share] = np.nan  # -0.0 and 0.0 tie in the middle
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an all-NaN row
        expected = np.nanmedian(stack, axis=-1)
    assert same_bits(nanmedian_rows(stack), expected)
    assert same_bits(nanmedian_rows(stack[:, 0]), expected[:, 0])


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_horizontal_lag_on_repeated_and_unsorted_days_is_one_call_per_day(
        n_open, n_closed, draws, seed):
    rng = np.random.default_rng(seed)
    fo, fc = frontier(rng, n_open, draws, 0.0), frontier(rng, n_closed, draws, 0.0)
    days = np.array([29, 3, 10, 10, 0, 29, 40, -5])
    expected = np.column_stack([horizontal_lag(fo, fc, int(d), 0.05) for d in days])
    assert same_bits(horizontal_lag(fo, fc, days, 0.05), expected)
    assert same_bits(horizontal_lag(fo, fc, np.sort(np.unique(days)), 0.05),
                     expected[:, [7, 4, 1, 2, 0, 6]])


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 12), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.0, 0.05]), st.booleans(), st.booleans(),
       st.sampled_from([1 << 22, 1 << 22, 1, 60, 250]))
def test_every_benchmark_at_once_is_one_benchmark_at_a_time(benchmarks, draws, seed, tolerance,
                                                            resample, with_nan, budget):
    """A map without a timeline computes all its benchmarks at once from padded arrays
    (analysis/gap_batch.py): each benchmark's statistics are those of its own call, on
    release days and scores with ties, models left out of draws, (with a NaN score) the
    one-benchmark path for that benchmark, and a map split into groups of benchmarks
    (``budget``: the most padded values at once; 1: every benchmark alone)."""
    import datetime as dt

    from gaplens.analysis import gap as gap_module
    from gaplens.analysis.gap import (GapSettings, _benchmark_stats, _month_days, _noise_rng,
                                      _stats_at_once, to_day)
    from gaplens.analysis.gap_rows import BenchmarkRows

    rng = np.random.default_rng(seed)
    as_of = dt.date(2025, 6, 30)
    config = GapSettings(as_of=as_of, n_draws=draws, seed=seed % 1000, tolerance=tolerance,
                         thresholds=(0.1, 0.3, 0.2, 0.5, 0.7) if seed % 2 else
                         (0.1, 0.2, 0.3, 0.5, 0.7), window_months=3)
    as_of_day, month_days = to_day(as_of), _month_days(as_of, 3)
    n_models = 12
    include = np.ones((draws + 1, n_models), dtype=bool)
    if resample:
        include[1:] = rng.random((draws, n_models)) < 0.7
    pending = {}
    for b in range(benchmarks):
        n_open, n_closed = rng.integers(1, 5), rng.integers(1, 6)
        gidx = rng.permutation(n_models)[:n_open + n_closed]
        score = np.round(rng.random(len(gidx)), 1)
        if with_nan and b == 0:
            score[0] = np.nan
        rows = BenchmarkRows(np.array(["open"] * n_open + ["closed"] * n_closed, dtype=object),
                             gidx.astype(str).astype(object),
                             as_of_day - rng.integers(0, 200, len(gidx)), score, gidx,
                             None, None)
        se = rng.choice([0.0, 0.01, 0.1, 0.3], len(gidx))
        pending[f"b{b}"] = (rows, se, np.full(len(gidx), "default", dtype=object))
    saved, gap_module.BATCH_VALUES = gap_module.BATCH_VALUES, budget
    try:
        fast = _stats_at_once(pending, include, config, as_of_day, month_days)
    finally:
        gap_module.BATCH_VALUES = saved
    for name, (rows, se, sources) in pending.items():
        plain = _benchmark_stats(rows, include, config, as_of_day, month_days, se, sources,
                                 _noise_rng(config.seed, name), month_days[:0])
        got = fast[name]
        for field in ("gap", "lag", "lag_thr", "censored_share", "timeline_lag",
                      "timeline_gap", "window_lag", "thr_lag"):
            assert same_bits(getattr(got, field), getattr(plain, field)), (name, field)
        for field in ("open_lead", "closed_lead", "data_through", "newest_open",
                      "newest_closed"):
            assert getattr(got, field) == getattr(plain, field), (name, field)
        for field in ("open_level", "closed_level"):
            assert same_bits(getattr(got, field), getattr(plain, field)), (name, field)


@FAST
@given(st.integers(0, 12), st.integers(1, 8), st.integers(0, 2**32 - 1),
       st.sampled_from(["basic", "spread", "percentile"]), st.booleans())
def test_intervals_of_columns_are_one_call_per_column(draws, columns, seed, method, bounded):
    """The columns' intervals from shared quantiles (all draws finite, or as many finite
    draws) are each column's own, signed zeros and failed draws included."""
    from gaplens.analysis.intervals import bootstrap_interval, bootstrap_intervals

    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=(draws + 1, columns)), 1)
    values[rng.random(values.shape) < 0.1] = -0.0
    values[rng.random(values.shape) < 0.15] = np.nan
    if columns > 1:
        values[1:, 1] = np.where(rng.random(draws) < 0.5, np.nan, 0.0)
    bounds = (-1.0, 1.0) if bounded else None
    got = bootstrap_intervals(values, 0.9, method, bounds)
    for j in range(columns):
        want = bootstrap_interval(values[:, j], 0.9, method, bounds)
        assert same_bits([got[j].low, got[j].high], [want.low, want.high]), j
        assert (got[j].failed, got[j].widened) == (want.failed, want.widened), j
