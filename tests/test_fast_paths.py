"""The vectorised paths give the same numbers as the plain computations they replace.

Each fast path (per-benchmark arrays, one quantile for many columns, Spearman's rho without
scipy's p-value, the collapse by blocks, the frontier steps by one sort, first reach of a few
levels) is compared bit for bit with the plain computation, written out here as it was, on
random and planted data with ties and missing values.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from gaplens.analysis.gap_rows import positions_by_key
from gaplens.analysis.intervals import nanquantile_columns
from gaplens.analysis.lag import _first_reach
from gaplens.analysis.observations import Observations, collapse
from gaplens.analysis.realworld import _spearman
from gaplens.analysis.series import SERIES_COLUMNS, frontier_series
from gaplens.models.frontier import GroupFrontier
from gaplens.types import OpenDefinition

FAST = settings(max_examples=40, deadline=None)


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) & (np.signbit(a) == np.signbit(b))
                                              | (np.isnan(a) & np.isnan(b))))


@FAST
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=30))
def test_spearman_is_scipys_rho(pairs):
    x = np.array([p[0] for p in pairs], dtype=float) / 3  # few values: many ties
    y = np.array([p[1] for p in pairs], dtype=float) / 7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on a constant input (both give NaN)
        assert same_bits(_spearman(x, y), spearmanr(x, y)[0])


@FAST
@given(st.integers(3, 40), st.integers(1, 6), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.1, 0.5]), st.floats(0.01, 0.5))
def test_quantile_of_columns_is_nanquantile(rows, cols, seed, nan_share, q):
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=(rows, cols)), 1)  # rounded: ties and signed zeros
    values[rng.random((rows, cols)) < nan_share] = np.nan
    values[:, 0] = np.nan if nan_share == 0.5 else values[:, 0]  # an all-NaN column
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.nanquantile(values, q, axis=0)
        assert same_bits(nanquantile_columns(values, q), expected)


@FAST
@given(st.lists(st.sampled_from(["b", "a", "c", None]), max_size=25), st.booleans())
def test_positions_by_key_are_groupbys_groups(keys, sort):
    keys = np.array(keys, dtype=object)
    grouped = pd.Series(np.arange(len(keys))).groupby(keys, sort=sort)
    expected = [(name, part.to_numpy()) for name, part in grouped]
    found = positions_by_key(keys, sort=sort)
    assert [k for k, _ in found] == [k for k, _ in expected]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(found, expected))


def first_reach_broadcast(f: GroupFrontier, levels: np.ndarray) -> np.ndarray:
    """The first reach as computed for every cell at once (the general path)."""
    out = np.full(levels.shape, np.nan)
    hit = f.running[:, None, :] >= levels[:, :, None]
    has = hit.any(axis=2) & np.isfinite(levels)
    out[has] = f.days[hit.argmax(axis=2)[has]]
    return out


@FAST
@given(st.integers(1, 8), st.integers(1, 12), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_first_reach_of_a_few_levels_is_the_broadcast_one(n_models, draws, days, seed):
    rng = np.random.default_rng(seed)
    f = GroupFrontier.build(rng.integers(0, 50, n_models),
                            np.round(rng.random((draws, n_models)), 1))
    levels = np.round(rng.random((draws, days)), 1)
    levels[rng.random((draws, days)) < 0.8] = np.nan  # few levels: the compact path
    assert same_bits(_first_reach(f, levels), first_reach_broadcast(f, levels))
    levels[:, 0] = 0.5  # many levels: the general path
    assert same_bits(_first_reach(f, levels), first_reach_broadcast(f, levels))


def collapse_by_groupby(long: pd.DataFrame) -> pd.DataFrame:
    """The collapse rule with a groupby size, drop_duplicates and a join."""
    ordered = long.sort_values(
        ["model_id", "benchmark", "score", "release_date", "version_id", "setting"],
        ascending=[True, True, False, True, True, True], na_position="last")
    counts = ordered.groupby(["model_id", "benchmark"]).size().rename("n_rows")
    best = ordered.drop_duplicates(["model_id", "benchmark"], keep="first")
    best = best.join(counts, on=["model_id", "benchmark"])
    setting = [("; ".join(p for p in (v, s) if p)) for v, s in
               zip(best["version_setting"].fillna(""), best["setting"].fillna(""))]
    return best.assign(setting=setting).reset_index(drop=True)


def test_collapse_keeps_the_best_row_and_counts_each_pair():
    # m1 on A: three rows, best 0.7 (v2, the later of the two tied at 0.7 loses on date);
    # m1 on B: one row; m2 on A: two rows with the same score (earlier release wins).
    long = pd.DataFrame({
        "model_id": ["m1", "m1", "m1", "m1", "m2", "m2"],
        "benchmark": ["A", "A", "A", "B", "A", "A"],
        "score": [0.5, 0.7, 0.7, 0.9, 0.4, 0.4],
        "release_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01",
                                        "2025-01-01", "2025-05-01", "2025-04-01"]),
        "version_id": ["v1", "v3", "v2", "v1", "w2", "w1"],
        "version_setting": ["", "high", None, "", "", "low"],
        "setting": [None, "", "pass@1", None, "", None],
    }).astype({"model_id": "str", "benchmark": "str", "version_id": "str"})
    found, expected = collapse(long), collapse_by_groupby(long)
    pd.testing.assert_frame_equal(found, expected)
    assert found["n_rows"].tolist() == [3, 1, 2]
    assert found["version_id"].tolist() == ["v2", "v1", "w1"]
    assert found["setting"].tolist() == ["pass@1", "", "low"]


def series_per_group(frame: pd.DataFrame) -> pd.DataFrame:
    """The frontier steps with a sort and a loop per (benchmark, group)."""
    rows = []
    for (benchmark, group), part in frame.groupby(["benchmark", "group"], sort=True):
        part = part.sort_values(["release_date", "score", "model_id"],
                                ascending=[True, False, True])
        best = -1.0
        for r in part.itertuples():
            if r.score > best:
                best = r.score
                rows.append(dict(benchmark=benchmark, domain=r.domain, group=group,
                                 release_date=r.release_date, level=r.score * 100.0,
                                 model_id=r.model_id, display_name=r.display_name))
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def test_frontier_series_is_the_per_group_loop():
    # Same-day releases (the higher score first), a tie that is no new step, a model in
    # neither group (left out) and two benchmarks.
    frame = pd.DataFrame({
        "model_id": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "display_name": ["A", "B", None, "D", "E", "F", "G", "H"],
        "group": ["open", "open", "open", "closed", "closed", None, "open", "closed"],
        "benchmark": ["X", "X", "X", "X", "X", "X", "Y", "Y"],
        "domain": ["d1"] * 6 + ["d2"] * 2,
        "score": [0.5, 0.6, 0.6, 0.4, 0.8, 0.9, 0.3, 0.2],
        "release_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01",
                                        "2025-01-15", "2025-03-01", "2025-01-01",
                                        "2025-01-01", "2025-02-01"]),
    }).astype({"model_id": "str", "benchmark": "str", "domain": "str"})
    obs = Observations(frame=frame, open_definition=OpenDefinition.OPEN_WEIGHTS,
                       as_of=dt.date(2025, 6, 1))
    found = frontier_series(obs)
    pd.testing.assert_frame_equal(found, series_per_group(frame.loc[frame["group"].notna()]))
    assert found["model_id"].tolist() == ["d", "e", "b", "h", "g"]
