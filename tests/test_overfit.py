"""Over-fitting signals on simulated data with a planted answer, and the lag by test set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaplens.analysis.overfit import lag_by_test_set, overfit, split_sets
from gaplens.errors import ConfigError
from index_sims import fit_sim, simulate


def bench_split(sim):
    """B00-B07 'knowledge' are private (held out), B08-B15 'maths' are public."""
    table = sim.bench.copy()
    table["test_set"] = np.where(table["domain"] == "maths", "public", "private")
    table["optimized_for"] = pd.array([None] * len(table), dtype="boolean")
    return table


def meta_for(fit, members, label="open"):
    ids = fit.models["model_id"]
    return pd.DataFrame({"group": np.where(ids.isin(members), label, "closed"),
                         "organization": "Org", "country": "X"}, index=ids.to_numpy())


def test_a_planted_over_fitting_group_is_found_with_the_right_sign():
    # Models M10-M19 are better on the public (maths) benchmarks only: tuned to them.
    members = {f"M{i:02d}" for i in range(10, 20)}
    sim = simulate(3, n_models=60, specialists=set(range(10, 20)), shift=1.5, p_obs=0.8)
    fit = fit_sim(sim, n_draws=40)
    r = overfit(fit, bench_split(sim), meta_for(fit, members), "private", n_draws=40,
                n_perm=200, seed=0)
    row = r.groups.set_index(["grouping", "group"]).loc[("group", "open")]
    assert row["mean_delta"] < 0 and row["vs_rest"] < 0
    assert row["ci_high"] < 0
    assert row["p_value"] < 0.05
    assert set(r.models["model_id"].head(8)) <= members  # the most negative models


def test_a_null_group_is_not_flagged_more_often_than_the_level():
    flagged = 0
    runs = 12
    for seed in range(runs):
        sim = simulate(100 + seed, n_models=50, p_obs=0.8)
        fit = fit_sim(sim, n_draws=0)
        members = set(np.random.default_rng(seed).choice(
            fit.models["model_id"], 12, replace=False))
        r = overfit(fit, bench_split(sim), meta_for(fit, members), "private", n_draws=0,
                    n_perm=100, seed=seed)
        p = r.groups.set_index(["grouping", "group"]).loc[("group", "open"), "p_value"]
        flagged += int(p < 0.05)
    # 12 tests at level 0.05: 0-1 expected; 3 or more has probability ~2 % under the null
    assert flagged <= 2


def test_splits_follow_the_benchmark_table():
    sim = simulate(4, n_models=30)
    fit = fit_sim(sim, n_draws=0)
    table = bench_split(sim)
    _, ref, cmp_ = split_sets(fit, table, "private")
    assert set(ref) == {f"B{j:02d}" for j in range(8)} and len(cmp_) == 8
    with pytest.raises(ConfigError, match="two fitted benchmarks"):
        split_sets(fit, table, "optimised")  # no benchmark has an optimised-for flag
    with pytest.raises(ConfigError, match="unknown split"):
        split_sets(fit, table, "nope")


def test_lag_by_test_set_by_hand():
    table = pd.DataFrame({"test_set": ["private"] * 4 + ["public"] * 5,
                          "lag_months": [10, 12, 8, 20, 4, 6, 5, 7, 3],
                          "lag_threshold_months": [np.nan] * 9})
    out = lag_by_test_set(table, n_boot=500)
    lag = out["lag_months"]
    assert lag["private_median"] == 11 and lag["public_median"] == 5
    assert lag["ratio"] == pytest.approx(11 / 5)
    assert lag["ratio_ci_low"] < 11 / 5 < lag["ratio_ci_high"]
    assert "lag_threshold_months" not in out  # no usable values


def test_several_groupings_at_once_equal_one_at_a_time():
    from gaplens.analysis.overfit import overfit_many

    sim = simulate(5, n_models=40, p_obs=0.8)
    fit = fit_sim(sim, n_draws=20)
    ids = list(fit.models["model_id"])
    metas = {"a": meta_for(fit, set(ids[:12])), "b": meta_for(fit, set(ids[5:25]), "x")}
    both = overfit_many(fit, bench_split(sim), metas, "private", n_draws=20, n_perm=60, seed=3)
    for key, meta in metas.items():
        one = overfit(fit, bench_split(sim), meta, "private", n_draws=20, n_perm=60, seed=3)
        pd.testing.assert_frame_equal(both[key].groups, one.groups)
        pd.testing.assert_frame_equal(both[key].models, one.models)
    assert not both["a"].groups.equals(both["b"].groups)
