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


def planted_organizations(seed: int, planted: bool = True):
    """60 models in six organizations of 10 (P and O0-O4, drawn at random); P's models are
    better on the public (maths) benchmarks only when ``planted``. Open/closed alternates
    within every organization, so no other grouping carries the planted effect."""
    order = np.random.default_rng(seed).permutation(60)
    members = set(int(i) for i in order[:10])
    sim = simulate(seed, n_models=60, specialists=members if planted else set(), shift=1.5,
                   p_obs=0.8)
    fit = fit_sim(sim, n_draws=0)
    ids = fit.models["model_id"].to_numpy()
    index = {("Low" if i == 0 else "High" if i == 1 else f"M{i:02d}"): i for i in range(60)}
    rank = {int(m): r for r, m in enumerate(order)}
    org = np.array(["P" if index[m] in members else f"O{rank[index[m]] % 5}" for m in ids])
    meta = pd.DataFrame({"group": np.where(np.arange(len(ids)) % 2, "open", "closed"),
                         "organization": org, "country": "X"}, index=ids)
    return sim, fit, meta


def test_only_a_planted_organization_is_significant_after_adjustment():
    # Before the label-permutation null (random benchmark splits), every organization of
    # this draw got p <= 0.03 and P (p = 0.003) did not stand out from O0, O3 or O4.
    sim, fit, meta = planted_organizations(3)
    r = overfit(fit, bench_split(sim), meta, "private", n_draws=0, n_perm=2000, seed=0)
    g = r.groups.set_index(["grouping", "group"])
    assert (g["p_adjust_method"] == "holm").all()
    assert (g["p_adjusted"] >= g["p_value"]).all()
    assert g.loc[("organization", "P"), "vs_rest"] < 0
    assert g.loc[("organization", "P"), "p_adjusted"] < 0.01
    others = g.drop(("organization", "P"))
    assert (others["p_adjusted"] > 0.05).all()


def test_group_p_values_hold_their_level_on_null_data():
    # No over-fitting; organizations drawn at random and, as countries, by capability
    # (a group of strong models must not look over-fitted for being strong). 8 fits x 12
    # groups: the share of p < 0.1 stays near 0.1.
    p = []
    for seed in range(8):
        sim = simulate(200 + seed, n_models=48, p_obs=0.8)
        fit = fit_sim(sim, n_draws=0)
        ids = fit.models["model_id"].to_numpy()
        rng = np.random.default_rng(seed)
        capability = np.array([sim.capability[m] for m in ids])
        tier = np.argsort(np.argsort(capability)) * 6 // len(ids)
        meta = pd.DataFrame({"group": "all", "organization":
                             [f"R{i}" for i in rng.permutation(np.arange(len(ids)) % 6)],
                             "country": [f"C{i}" for i in tier]}, index=ids)
        r = overfit(fit, bench_split(sim), meta, "private", n_draws=0, n_perm=500, seed=seed)
        p += list(r.groups.loc[r.groups["grouping"].isin(["organization", "country"]),
                               "p_value"])
    p = np.array(p)
    assert len(p) == 96
    assert 0.01 <= (p < 0.1).mean() <= 0.22


def test_permutation_p_values_equal_a_loop_over_permutations():
    """The p-values of overfit are those of one permutation at a time, written as a loop
    over the same seeded orderings (the vectorised test shares one set of orderings and
    their cumulative sums across every group)."""
    from gaplens.analysis import overfit as module

    members = {f"M{i:02d}" for i in range(10, 20)}
    sim = simulate(3, n_models=60, specialists=set(range(10, 20)), shift=1.5, p_obs=0.8)
    fit = fit_sim(sim, n_draws=20)
    seen = {}
    original = module.permutation_p_values

    def spy(values, masks, n_perm, rng):
        seen["args"] = (values.copy(), [m.copy() for m in masks], n_perm,
                        rng.bit_generator.state)
        return original(values, masks, n_perm, rng)

    module.permutation_p_values = spy
    try:
        r = overfit(fit, bench_split(sim), meta_for(fit, members), "private", n_draws=20,
                    n_perm=300, seed=4)
    finally:
        module.permutation_p_values = original
    values, masks, n_perm, state = seen["args"]
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    v = values - values.mean()
    keys = rng.random((n_perm, len(v)))
    expected = []
    for mask in masks:
        k = int(mask.sum())

        def welch(inside, outside):
            se = np.sqrt(inside.var(ddof=1) / len(inside) + outside.var(ddof=1) / len(outside))
            return (inside.mean() - outside.mean()) / se

        observed = welch(v[mask], v[~mask])
        hits = 0
        for b in range(n_perm):
            order = np.argsort(keys[b])
            hits += abs(welch(v[order[:k]], v[order[k:]])) >= abs(observed) - 1e-9 * max(
                1.0, abs(observed))
        expected.append((1 + hits) / (n_perm + 1))
    np.testing.assert_allclose(r.groups["p_value"].to_numpy(), expected, rtol=0, atol=1e-12)
    assert len(expected) >= 2
