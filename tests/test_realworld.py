"""Real-world alignment: rank agreement with intervals, residuals and group tests, on
constructed data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from gaplens.analysis import realworld as rw
from gaplens.errors import ConfigError, UnknownNameError


def test_bootstrap_interval_brackets_the_estimate_and_narrows_with_n():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = x + rng.normal(scale=1.0, size=200)
    rho = spearmanr(x, y)[0]
    lo, hi = rw._boot_spearman(x, y, 1000, np.random.default_rng(1))
    assert lo < rho < hi and hi - lo < 0.2
    lo_s, hi_s = rw._boot_spearman(x[:20], y[:20], 1000, np.random.default_rng(1))
    assert hi_s - lo_s > hi - lo


def test_correlations_skip_small_samples_and_the_target_itself():
    ids = [f"m{i}" for i in range(12)]
    x = pd.Series(np.arange(12.0), index=ids)
    y = pd.Series(np.arange(12.0) ** 2, index=ids)
    preds = {"benchmark: T": ("benchmark", y), "index: general": ("index", x),
             "benchmark: small": ("benchmark", x.iloc[:5])}
    rows = pd.DataFrame(rw.correlations(preds, {"benchmark:T": y}, "all", 200, 0, min_models=8))
    assert list(rows["predictor"]) == ["index: general"]  # itself and n=5 are skipped
    assert rows["spearman"].iloc[0] == pytest.approx(1.0) and rows["n"].iloc[0] == 12


def planted(n=40, seed=0, over=("m3", "m7"), shift=0.6):
    rng = np.random.default_rng(seed)
    ids = [f"m{i}" for i in range(n)]
    x = pd.Series(rng.normal(size=n), index=ids)
    y = x + rng.normal(scale=0.2, size=n)
    for m in over:
        if m in y.index:
            y[m] += shift * 5  # used far more than its benchmarks predict
    meta = pd.DataFrame({"organization": ["A" if i % 2 else "B" for i in range(n)],
                         "country": "X", "group": ["open" if i < n // 2 else "closed"
                                                   for i in range(n)]}, index=ids)
    return x, y, meta


def test_a_planted_over_performer_tops_the_residuals():
    x, _, _ = planted(over=())
    low = tuple(x.sort_values().index[2:4])  # weak on benchmarks, then heavily used
    x, y, meta = planted(over=low)
    res = rw.residuals(x, y, meta)
    assert set(res["model_id"].head(2)) == set(low)
    assert (res["residual"].head(2) > 0.2).all()
    # residuals of a rank regression sum to ~0
    assert abs(res["residual"].sum()) < 1e-9


def test_group_test_finds_a_planted_group_and_not_a_null_one():
    x, y, meta = planted(over=())
    members = [f"m{i}" for i in range(0, 40, 4)]
    y[members] += 1.0  # organization-like group "P" used more than its standing
    meta.loc[members, "organization"] = "P"
    res = rw.residuals(x, y, meta)
    tests = rw.group_tests(res, columns=("organization",), n_perm=2000, seed=1)
    row = tests.set_index("group").loc["P"]
    assert row["mean_residual"] > 0 and row["p_value"] < 0.01
    # a label unrelated to the residuals is flagged at about the test's level
    flagged = 0
    for seed in range(40):
        x0, y0, meta0 = planted(over=(), seed=100 + seed)
        labels = np.random.default_rng(seed).permutation(["g"] * 20 + ["h"] * 20)
        meta0["organization"] = labels
        t = rw.group_tests(rw.residuals(x0, y0, meta0), columns=("organization",),
                           n_perm=300, seed=seed)
        flagged += int(t.set_index("group").loc["g", "p_value"] < 0.05)
    assert flagged <= 6  # 40 tests at level 0.05: expect 2; 6+ would be p < 0.05 by binomial


def test_target_values_latest_per_model_or_mean_for_usage():
    signals = pd.DataFrame({
        "model_id": ["a", "a", "b", "a", "a"],
        "signal": ["lmarena.text"] * 3 + ["openrouter.share"] * 2,
        "value": [1200.0, 1250.0, 1100.0, 0.1, 0.3],
        "as_of": pd.to_datetime(["2025-01-01", "2025-06-01", "2025-03-01", "2025-01-05",
                                 "2025-01-12"])})
    results = pd.DataFrame(columns=["model_id", "benchmark", "score", "release_date"])
    every = rw.Window("all", None, None)
    assert rw.target_values(signals, results, "lmarena.text", every).to_dict() == {
        "a": 1250.0, "b": 1100.0}
    early = rw.Window("h1", pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31"))
    assert rw.target_values(signals, results, "lmarena.text", early).to_dict() == {
        "a": 1200.0, "b": 1100.0}
    assert rw.target_values(signals, results, "openrouter.share", every)["a"] == \
        pytest.approx(0.2)
    with pytest.raises(UnknownNameError, match="benchmark:NAME"):
        rw.check_target("lmarena.nope", signals, results)


def test_residuals_need_enough_models():
    x, y, meta = planted(n=4)
    with pytest.raises(ConfigError, match="only 4 models"):
        rw.residuals(x, y, meta)


def test_standing_of_open_models_on_a_target_by_hand():
    values = pd.Series({"a": 0.9, "b": 0.7, "c": 0.6, "d": 0.3, "e": 0.2})
    groups = pd.Series({"a": "closed", "b": "open", "c": "closed", "d": "open", "e": None})
    names = pd.Series({k: k.upper() for k in values.index})
    s = rw.standing(values, groups, names, "benchmark:X", seed=0)
    assert s["best_closed"] == "a" and s["best_open"] == "b"
    assert s["gap"] == pytest.approx(0.2)
    assert s["gap_ci_low"] <= 0.2 + 1e-12 and s["gap_ci_high"] >= 0.2 - 1e-12
    # percentile ranks (rank - 0.5) / n over all 5 models: b = 3.5/5, d = 1.5/5
    assert s["open_mean_percentile"] == pytest.approx((3.5 / 5 + 1.5 / 5) / 2)
    none = rw.standing(values[["a", "c"]], groups, names, "x")
    assert none["n_open"] == 0 and "no open" in none["note"]


def test_group_permutation_p_value_matches_exact_enumeration():
    from itertools import combinations

    from scipy import stats

    r = np.array([0.9, 0.7, 0.1, -0.2, -0.4, -0.6, 0.05, -0.3])
    labels = np.array(["a", "a", "a", "b", "b", "b", "b", "b"])
    res = pd.DataFrame({"residual": r, "organization": labels})

    def welch(idx):
        inside, outside = r[list(idx)], np.delete(r, list(idx))
        return stats.ttest_ind(inside, outside, equal_var=False).statistic

    observed = welch((0, 1, 2))
    exact = np.mean([abs(welch(c)) >= abs(observed) - 1e-9
                     for c in combinations(range(len(r)), 3)])  # over all 56 subsets of 3
    out = rw.group_tests(res, columns=("organization",), n_perm=40000, seed=5)
    row = out.set_index("group").loc["a"]
    assert row["difference_vs_rest"] == pytest.approx(r[:3].mean() - r[3:].mean())
    assert row["p_value"] == pytest.approx(exact, abs=0.004)
    # Welch's interval by hand: variances 0.1733 / 3 and 0.0695 / 5, nu = 2.67
    inside, outside = r[:3], r[3:]
    a, b = inside.var(ddof=1) / 3, outside.var(ddof=1) / 5
    nu = (a + b) ** 2 / (a ** 2 / 2 + b ** 2 / 4)
    half = stats.t.ppf(0.95, nu) * np.sqrt(a + b)
    assert row["ci_low"] == pytest.approx(row["difference_vs_rest"] - half)
    assert row["ci_high"] == pytest.approx(row["difference_vs_rest"] + half)


def test_group_tests_adjust_for_the_groups_tested_and_single_out_a_planted_one():
    # 60 models, organizations A-F of 10 drawn at random; F is used far more than its
    # standing predicts (+0.8 on the target's scale, whose residual sd is about 0.2).
    hits = {}
    for seed in range(10):
        x, y, meta = planted(n=60, over=(), seed=seed)
        labels = np.random.default_rng(seed).permutation(list("ABCDEF") * 10)
        meta["organization"] = labels
        y[labels == "F"] += 0.8
        t = rw.group_tests(rw.residuals(x, y, meta), columns=("organization", "group"),
                           n_perm=2000, seed=seed)
        assert (t["p_adjust_method"] == "holm").all()
        assert (t["p_adjusted"] >= t["p_value"] - 1e-15).all()
        for g, p_adj in zip(t["group"], t["p_adjusted"]):
            hits[g] = hits.get(g, 0) + int(p_adj < 0.05)
    assert hits["F"] == 10
    assert sum(v for g, v in hits.items() if g != "F") <= 2


def test_group_p_values_are_uniform_on_null_residuals():
    p = []
    for seed in range(30):
        x, y, meta = planted(n=48, over=(), seed=500 + seed)
        meta["organization"] = np.random.default_rng(seed).permutation(np.arange(48) % 6)
        t = rw.group_tests(rw.residuals(x, y, meta), columns=("organization",), n_perm=400,
                           seed=seed)
        p += list(t["p_value"])
    p = np.array(p)
    assert len(p) == 180
    assert 0.05 <= (p < 0.1).mean() <= 0.16


def test_predictors_of_a_year_are_read_as_known_at_its_end():
    # m0 has two versions: 0.3 released in 2024 and 0.9 released in 2026; AA published its
    # index for the models only in 2026. The 2024 window sees 0.3 and no AA index; "all"
    # sees 0.9 and the index; the capability index is the same in every window.
    long = pd.DataFrame({
        "model_id": ["m0", "m0", "m1", "m2"], "benchmark": ["B"] * 4,
        "score": [0.3, 0.9, 0.5, 0.7],
        "release_date": pd.to_datetime(["2024-03-01", "2026-02-01", "2024-05-01",
                                        "2024-06-01"])})
    signals = pd.DataFrame({"signal": ["aa.intelligence_index"] * 3,
                            "model_id": ["m0", "m1", "m2"], "value": [50.0, 40.0, 45.0],
                            "as_of": pd.to_datetime(["2026-01-10"] * 3)})
    index = pd.Series([1.0, 0.0, 2.0], index=["m0", "m1", "m2"])
    preds = {"index: general": ("index", index), "benchmark: B": ("benchmark", pd.Series(
        [0.9, 0.5, 0.7], index=["m0", "m1", "m2"])), "composite: AA index": (
        "composite", signals.set_index("model_id")["value"])}
    index_preds = {"index: general": preds["index: general"]}
    everything = rw.Window("all", None, None)
    assert rw._as_known(preds, index_preds, long, signals, everything, 3) is preds
    year = rw.Window("2024", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    known = rw._as_known(preds, index_preds, long, signals, year, 3)
    assert list(known) == ["index: general", "benchmark: B"]  # no AA index yet
    assert known["benchmark: B"][1].to_dict() == {"m0": 0.3, "m1": 0.5, "m2": 0.7}
    assert known["index: general"][1] is index
