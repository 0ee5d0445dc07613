"""The fast paths of the real-world, composite, forecast, lifecycle, index-gap and group
analyses give the same numbers as the plain computations they replace.

Each is compared with the plain computation, written out here as it was, on random and
planted data with ties, missing values and empty groups: bit for bit, except the
bootstrap slopes of the composite's category effects (closed form instead of polyfit's
least squares: equal to 1e-12).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from gaplens.analysis import composite, forecast, groups, index_gap, lifecycle, realworld
from gaplens.analysis.ranks import average_ranks
from gaplens.types import OpenDefinition

FAST = settings(max_examples=30, deadline=None)
FEW = settings(max_examples=10, deadline=None)  # pandas on both sides: slower examples


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) & (np.signbit(a) == np.signbit(b))
                                              | (np.isnan(a) & np.isnan(b))))


# --- realworld ------------------------------------------------------------------------------

def plain_boot_spearman(x, y, n_boot, rng):
    """The bootstrap interval of rho as computed before: float average ranks per resample."""
    def ranks(v, k):
        codes = np.unique(v, return_inverse=True)[1].ravel()
        u = int(codes.max()) + 1
        c = codes[k]
        flat = (c + u * np.arange(k.shape[0])[:, None]).ravel()
        counts = np.bincount(flat, minlength=k.shape[0] * u).reshape(k.shape[0], u)
        counts = counts.astype(float)
        table = np.cumsum(counts, axis=1) - counts + (counts + 1) / 2
        return np.take_along_axis(table, c, axis=1)

    n = len(x)
    k = rng.integers(0, n, (n_boot, n))
    rx, ry = ranks(x, k), ranks(y, k)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    den = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    ok = den > 0
    if ok.sum() < 10:
        return np.nan, np.nan
    rho = (rx * ry).sum(axis=1)[ok] / den[ok]
    return float(np.quantile(rho, 0.05)), float(np.quantile(rho, 0.95))


@FAST
@given(st.integers(2, 60), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_boot_spearman_is_the_float_rank_computation(n, distinct, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, distinct, n) / 3.0  # few distinct values: many ties
    y = x + rng.integers(0, distinct, n) / 7.0
    found = realworld._boot_spearman(x, y, 300, np.random.default_rng(seed))
    expected = plain_boot_spearman(x, y, 300, np.random.default_rng(seed))
    assert same_bits(found, expected)


@FAST
@given(st.lists(st.integers(0, 6), min_size=1, max_size=40))
def test_average_ranks_are_rankdata(values):
    x = np.array(values, dtype=float) / 3
    assert same_bits(average_ranks(x), stats.rankdata(x))


def plain_standing(values, groups_, names, target, n_boot=1000, seed=0):
    frame = pd.DataFrame({"value": values}).join(groups_.rename("group"), how="left")
    frame = frame.join(names.rename("name"), how="left").dropna(subset=["value"])
    frame["pct"] = (stats.rankdata(frame["value"]) - 0.5) / len(frame)
    o, c = frame.loc[frame["group"] == "open"], frame.loc[frame["group"] == "closed"]
    row = {"target": target, "n": len(frame), "n_open": len(o), "n_closed": len(c)}
    if len(o) == 0 or len(c) == 0:
        return {**row, "note": "no open or no closed model has a value"}
    rng = np.random.default_rng(seed)
    ov, cv = o["value"].to_numpy(), c["value"].to_numpy()
    boot = (rng.choice(cv, (n_boot, len(cv))).max(axis=1)
            - rng.choice(ov, (n_boot, len(ov))).max(axis=1))
    best_o, best_c = o["value"].idxmax(), c["value"].idxmax()
    return {**row, "best_open": best_o, "best_open_value": float(o.at[best_o, "value"]),
            "best_closed": best_c, "best_closed_value": float(c.at[best_c, "value"]),
            "gap": float(c["value"].max() - o["value"].max()),
            "gap_ci_low": float(np.quantile(boot, 0.05)),
            "gap_ci_high": float(np.quantile(boot, 0.95)),
            "open_mean_percentile": float(o["pct"].mean()), "note": ""}


@FEW
@given(st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_standing_is_the_joined_computation(n, seed):
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"m{i}" for i in range(n)], dtype="str")
    values = pd.Series(np.round(rng.normal(size=n), 1), index=ids)  # ties
    values[rng.random(n) < 0.1] = np.nan
    known = ids[rng.random(n) < 0.8]  # some models have no group at all
    groups_ = pd.Series(rng.choice(np.array(["open", "closed", None], dtype=object),
                                   len(known)), index=known, dtype=object)
    names = pd.Series([f"name {m}" for m in known], index=known, dtype="str")
    found = realworld.standing(values, groups_, names, "t", n_boot=200, seed=seed)
    expected = plain_standing(values, groups_, names, "t", n_boot=200, seed=seed)
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        assert found[key] == value or same_bits(found[key], value), key


# --- composite ------------------------------------------------------------------------------

def plain_wide(signals, as_of) -> pd.DataFrame:
    snap = signals.loc[pd.to_datetime(signals["as_of"]) == pd.Timestamp(as_of)]
    meta = snap.drop_duplicates("model_id").set_index("model_id")[
        ["display_name", "organization", "accessibility", "release_date"]]
    wide = snap.pivot_table(index="model_id", columns="signal", values="value", aggfunc="first")
    return meta.join(wide)


@FEW
@given(st.integers(1, 60), st.integers(0, 2**32 - 1))
def test_snapshots_hold_what_the_pivot_held(n_rows, seed):
    rng = np.random.default_rng(seed)
    models = np.array([f"m{i}" for i in rng.integers(0, 8, n_rows)], dtype=object)
    signals = pd.DataFrame({
        "model_id": models,
        "display_name": [None if rng.random() < 0.2 else f"{m} ({rng.integers(2)})"
                         for m in models],
        "organization": "lab",
        "accessibility": rng.choice(np.array(["Open weights", "API access", None],
                                             dtype=object), n_rows),
        "release_date": pd.Timestamp("2025-01-01"),
        "signal": rng.choice(["aa.a", "aa.b", "aa.intelligence_index"], n_rows),
        "value": np.where(rng.random(n_rows) < 0.2, np.nan, rng.integers(0, 5, n_rows)),
        "as_of": pd.to_datetime(rng.choice(["2025-01-01", "2025-02-01"], n_rows))})
    signals = signals.astype({c: "str" for c in ("model_id", "display_name", "organization",
                                                 "accessibility", "signal")})
    found = list(composite._snapshots(signals))
    assert [s for s, _ in found] == composite.snapshots(signals)
    for snap, arrays in found:
        wide = plain_wide(signals, snap)
        assert list(arrays.models) == list(wide.index)
        assert pd.Series(arrays.names).equals(pd.Series(wide["display_name"].to_numpy(object)))
        assert pd.Series(arrays.access).equals(
            pd.Series(wide["accessibility"].to_numpy(object)))
        for signal in ("aa.a", "aa.b", "aa.intelligence_index", "aa.absent"):
            column = wide[signal].to_numpy(float) if signal in wide else np.full(len(wide),
                                                                                 np.nan)
            assert same_bits(arrays.column(signal), column)


def test_bootstrap_slopes_are_polyfits():
    rng = np.random.default_rng(3)
    x, y = rng.dirichlet([5, 5, 5], 500)[:, 0], rng.normal(size=500)
    k = rng.integers(0, 500, (50, 500))
    expected = [np.polyfit(x[i], y[i], 1)[0] for i in k]
    assert np.allclose(composite._slopes(x[k], y[k]), expected, rtol=0, atol=1e-12)


# --- forecast -------------------------------------------------------------------------------

def plain_pick(mask, rng, size):
    count = mask.sum(axis=1)
    order = np.argsort(~mask, axis=1, kind="stable")
    pick = (rng.random((mask.shape[0], size)) * np.maximum(count, 1)[:, None]).astype(int)
    return np.take_along_axis(order, np.minimum(pick, mask.shape[1] - 1), axis=1)


@FAST
@given(st.integers(1, 12), st.integers(1, 15), st.integers(1, 5), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.3, 0.9, 1.0]))
def test_pick_is_the_argsort_pick(rows, cols, size, seed, empty):
    rng = np.random.default_rng(seed)
    mask = rng.random((rows, cols)) > empty  # empty = 1: no row has a column
    found = forecast._pick(mask, np.random.default_rng(seed), size)
    assert np.array_equal(found, plain_pick(mask, np.random.default_rng(seed), size))


def plain_summary(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    keys = ["scope", "quantity", "horizon_months"]
    for key, part in table.groupby(keys, dropna=False, sort=False):
        err, naive = part["error"].dropna(), part["naive_error"].dropna()
        cens = part.loc[part["censored"]]
        rows.append({**dict(zip(keys, key)), "n_cutoffs": len(part), "n_scored": len(err),
                     "n_insufficient": int((part["status"] != "ok").sum()),
                     "mae": float(err.abs().mean()) if len(err) else np.nan,
                     "bias": float(err.mean()) if len(err) else np.nan,
                     "rmse": float(np.sqrt((err ** 2).mean())) if len(err) else np.nan,
                     "coverage": float(part["covered"].dropna().astype(float).mean())
                     if part["covered"].notna().any() else np.nan,
                     "naive_mae": float(naive.abs().mean()) if len(naive) else np.nan,
                     "n_censored": len(cens),
                     "n_censored_too_early": int((cens["predicted"] < cens["realised"]).sum())})
    return pd.DataFrame(rows)


@FEW
@given(st.integers(1, 50), st.integers(0, 2**32 - 1))
def test_backtest_summary_is_the_grouped_one(n, seed):
    rng = np.random.default_rng(seed)
    nan_or = lambda v: np.where(rng.random(n) < 0.3, np.nan, v)  # noqa: E731
    table = pd.DataFrame({
        "scope": rng.choice(["general", "coding"], n),
        "quantity": rng.choice(["open_frontier", "catch_up_months"], n),
        "horizon_months": rng.choice([np.nan, 6.0, 12.0], n),
        "status": rng.choice(["ok", "insufficient data"], n),
        "predicted": nan_or(rng.normal(size=n)), "realised": rng.normal(size=n),
        "censored": rng.random(n) < 0.3, "error": nan_or(rng.normal(size=n)),
        "naive_error": nan_or(rng.normal(size=n)),
        "covered": pd.array(np.where(rng.random(n) < 0.3, None, rng.random(n) < 0.5),
                            dtype="boolean")}).astype({"scope": "str", "quantity": "str",
                                                       "status": "str"})
    pd.testing.assert_frame_equal(forecast.summarise_backtest(table), plain_summary(table),
                                  check_exact=True)


# --- lifecycle ------------------------------------------------------------------------------

@pytest.mark.parametrize("scores, se", [
    ([0.9, 0.9, 0.9, 0.9, 0.9], [0.02] * 5),  # q = 0: the p-value is 1
    ([0.95, 0.93, 0.92, 0.9, 0.85], [0.01, 0.02, 0.01, 0.03, 0.02]),
    ([0.99, 0.5, 0.4, 0.3, 0.2], [0.001] * 5),  # far apart: p-values near 0
])
def test_saturation_p_values_are_scipy_stats(scores, se):
    s = lifecycle.LifecycleSettings(as_of=pd.Timestamp("2025-01-01").date())
    test = lifecycle.saturation_test(np.array(scores), np.array(se), s)
    w = 1 / np.array(se) ** 2
    mean = float(np.sum(w * scores) / np.sum(w))
    q = float(np.sum(w * (np.array(scores) - mean) ** 2))
    z = (scores[0] - scores[-1]) / math.hypot(se[0], se[-1])
    assert same_bits(test.p_value, stats.chi2.sf(q, len(scores) - 1))
    assert same_bits(test.p_z, 2 * stats.norm.sf(abs(z)))


# --- index_gap and groups -------------------------------------------------------------------

@FAST
@given(st.integers(1, 8), st.integers(1, 12), st.integers(0, 2**32 - 1),
       st.sampled_from([0.0, 0.2, 0.9]))
def test_row_intervals_are_interval(rows, draws, seed, missing):
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=(rows, 1 + draws)), 1)
    values[rng.random(values.shape) < missing] = np.nan
    values[rng.random(values.shape) < missing / 4] = np.inf
    found = index_gap._intervals(values, 0.9)
    expected = [index_gap.interval(row, 0.9) for row in values]
    assert [f[2:] for f in found] == [e[2:] for e in expected]
    assert same_bits([f[:2] for f in found], [e[:2] for e in expected])


def test_aligned_is_reindex():
    ids = np.array(["c", "x", "a", "b"], dtype=object)
    labels = pd.Series(["g1", None, "g2"], index=np.array(["a", "b", "c"], dtype=object),
                       dtype=object)
    found, expected = groups._aligned(labels, ids), labels.reindex(ids).to_numpy()
    assert [type(v) for v in found] == [type(v) for v in expected]
    assert pd.Series(found).equals(pd.Series(expected))
    closed = pd.Series([True, False, True], index=np.array(["a", "b", "c"], dtype=object))
    assert np.array_equal(groups._aligned(closed, ids, False).astype(bool),
                          closed.reindex(ids).fillna(False).to_numpy(dtype=bool))


def test_open_definition_groups_unchanged_by_array_input():
    # the composite reads accessibility as an object array, not a str column
    access = pd.Series(["Open weights (unrestricted)", None, "API access"], dtype="str")
    d = OpenDefinition.OPEN_WEIGHTS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert list(d.groups(access.to_numpy(dtype=object))) == list(d.groups(access))
