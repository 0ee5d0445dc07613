"""The item-response model (gaplens.models.irt): bootstrap weights, identification, bounds,
the frozen-benchmark projection and bad input. Builders in irt_sims.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from gaplens.errors import ConfigError
from gaplens.models import irt
from gaplens.models.irt import IRTData, IRTParams, Regularisation

from irt_sims import (
    PENALTIES,
    exact_truth,
    full_grid,
    raw_solution,
    sigmoid,
    simulate,
)


# --- 6. stratified bootstrap weights ---------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_idx=st.lists(st.integers(0, 12), min_size=1, max_size=80),
       n_draws=st.integers(1, 6), seed=st.integers(0, 2 ** 32 - 1))
def test_stratified_weights_keep_each_models_count(model_idx, n_draws, seed):
    model_idx = np.array(model_idx)
    w = irt.stratified_weights(model_idx, n_draws, np.random.default_rng(seed))
    assert w.shape == (n_draws, len(model_idx))
    assert (w >= 0).all() and np.all(w == np.round(w))
    counts = np.bincount(model_idx, minlength=13)
    for k in range(n_draws):
        # Summed per model, the weights equal the model's row count: every draw of a
        # model's row lands on one of that model's own rows (a row borrowed from another
        # model would raise that model's sum and lower this one's).
        np.testing.assert_array_equal(np.bincount(model_idx, weights=w[k], minlength=13), counts)
    # A model with a single row draws it every time.
    single = counts[model_idx] == 1
    assert np.all(w[:, single] == 1)


def test_stratified_weights_are_reproducible_and_seed_dependent():
    model_idx = np.random.default_rng(0).integers(0, 20, 300)
    a = irt.stratified_weights(model_idx, 8, np.random.default_rng(42))
    b = irt.stratified_weights(model_idx, 8, np.random.default_rng(42))
    c = irt.stratified_weights(model_idx, 8, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # draws differ from each other
    assert not np.array_equal(a[0], a[1])


def test_stratified_weights_resample_uniformly_within_a_model():
    # For a model with k rows, each row's weight is Binomial(k, 1/k): mean 1, variance
    # 1 - 1/k. Over 4000 draws the mean's standard error is ~0.016; tolerance 0.06 (> 3.5 se).
    model_idx = np.array([2] * 5 + [0] * 3 + [1] * 10)
    rng = np.random.default_rng(5)
    rng.shuffle(model_idx)
    w = irt.stratified_weights(model_idx, 4000, np.random.default_rng(6))
    np.testing.assert_allclose(w.mean(axis=0), 1.0, atol=0.06)
    k = np.bincount(model_idx)[model_idx]
    np.testing.assert_allclose(w.var(axis=0), 1 - 1 / k, atol=0.08)
    assert w.max() <= 10


# --- 7. identification -----------------------------------------------------------------

@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_anchor_difficulty_and_slope_are_exact(penalty, lam):
    truth = simulate(14, n_models=40, n_benchmarks=8, observed=0.6, anchor=5)
    w = irt.stratified_weights(truth.data.model_idx, 3, np.random.default_rng(14))
    out = irt.fit(truth.data, Regularisation(lam, penalty), weights=w)
    assert np.all(out.params.difficulty[:, 5] == 0.0)
    assert np.all(out.params.slope[:, 5] == 1.0)
    others = np.arange(8) != 5
    assert np.all(out.params.slope[:, others] != 1.0)


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_relabelling_models_benchmarks_and_rows_changes_nothing(penalty, lam):
    truth = simulate(15, n_models=40, n_benchmarks=8, observed=0.6, anchor=2)
    data = truth.data
    rng = np.random.default_rng(15)
    pm, pb, pr = rng.permutation(40), rng.permutation(8), rng.permutation(data.n_obs)
    # new label of old model m is pm[m]
    shuffled = IRTData.from_arrays(pm[data.model_idx[pr]], pb[data.bench_idx[pr]], data.y[pr],
                                   40, 8, int(pb[2]))
    reg = Regularisation(lam, penalty)
    a = irt.fit(data, reg).params.draw(0)
    b = irt.fit(shuffled, reg).params.draw(0)
    np.testing.assert_allclose(b.capability[pm], a.capability, atol=1e-7)
    np.testing.assert_allclose(b.difficulty[pb], a.difficulty, atol=1e-7)
    np.testing.assert_allclose(b.slope[pb], a.slope, atol=1e-7)


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_location_of_the_start_does_not_matter(penalty, lam):
    # Adding a constant to every C and D leaves every prediction unchanged; the returned
    # solution is pinned by D_anchor = 0 whatever the start's location.
    truth = simulate(16, n_models=40, n_benchmarks=8, observed=0.6, anchor=3)
    reg = Regularisation(lam, penalty)
    plain = irt.fit(truth.data, reg).params
    start = IRTParams(truth.capability + 3.0, truth.difficulty + 3.0, truth.slope)
    moved = irt.fit(truth.data, reg, start=start).params
    np.testing.assert_allclose(moved.capability, plain.capability, atol=1e-6)
    np.testing.assert_allclose(moved.difficulty, plain.difficulty, atol=1e-6)
    np.testing.assert_allclose(moved.slope, plain.slope, atol=1e-6)


@pytest.mark.parametrize("penalty", PENALTIES)
def test_shift_to_anchor_removes_a_location_offset(penalty):
    # Truth centred at +2 with the anchor at D = 0 (still inside the models' range): the
    # ridge centres the raw fit at sum(C) + sum(D) = 0, about 1.8 below the truth, so
    # only the shift to D_anchor = 0 brings the estimates back. Missing the shift gives a
    # common error of ~1.8, the wrong sign ~3.6. Observed median error 0.047 / 0.044
    # (l2 / log): the anchor's own estimation error moves every capability together.
    truth = simulate(17, n_models=80, n_benchmarks=12, c_mean=2.0, d_mean=2.0)
    out = irt.fit(truth.data, Regularisation(0.01, penalty))
    assert out.converged.all() and not out.at_bound.any()
    p = out.params.draw(0)
    raw_anchor = -(p.capability.sum() + p.difficulty.sum()) / (80 + 12)
    assert raw_anchor < -1.0  # observed -1.77: the test is sensitive to the shift
    err = p.capability - truth.capability
    assert abs(np.median(err)) < 0.3
    assert np.sqrt(np.mean(err ** 2)) < 0.3  # observed 0.087 / 0.083


# --- 8. bounds -------------------------------------------------------------------------

def extreme_data(extra_top_only_easy: bool = False) -> tuple[IRTData, int, int]:
    """40 ordinary models plus a perfect model (all scores 1) and a hopeless one (all 0)."""
    rng = np.random.default_rng(21)
    m0, b = 40, 8
    cap = rng.normal(0, 1, m0)
    dif = np.linspace(-2, 3, b)
    slope = np.linspace(0.5, 2, b)
    dif[0], slope[0] = 0.0, 1.0
    mi, bi = full_grid(m0 + 2, b)
    y = np.empty(len(mi))
    ordinary = mi < m0
    y[ordinary] = sigmoid(slope[bi[ordinary]] * (cap[mi[ordinary]] - dif[bi[ordinary]]))
    y[mi == m0] = 1.0
    y[mi == m0 + 1] = 0.0
    if extra_top_only_easy:  # the perfect model is only seen on the two easiest benchmarks
        keep = (mi != m0) | (dif[bi] <= np.sort(dif)[1])
        mi, bi, y = mi[keep], bi[keep], y[keep]
    return IRTData.from_arrays(mi, bi, y, m0 + 2, b, 0), m0, m0 + 1


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("easy_only", [False, True])
def test_extreme_models_get_bounded_capabilities_without_ridge(penalty, easy_only):
    data, top, bottom = extreme_data(easy_only)
    out = irt.fit(data, Regularisation(0.0, penalty))
    p = out.params.draw(0)
    assert np.isfinite(p.capability).all()
    # lam = 0: D_anchor is held at 0, so no shift and the bounds apply as stated.
    assert p.capability.min() >= -10.0 and p.capability.max() <= 10.0
    # The hopeless model would need C < -15 to reach the clipped 0.001 on the easy,
    # shallow benchmarks: it sits exactly at the bound, and is reported there.
    assert p.capability[bottom] == -10.0
    assert out.at_bound[0, bottom]
    assert p.capability[top] == p.capability.max() > 5.0
    assert p.slope.min() >= 0.1 and p.slope.max() <= 10.0


@pytest.mark.parametrize("penalty", PENALTIES)
def test_extreme_models_with_ridge_stay_finite(penalty):
    data, top, bottom = extreme_data()
    out = irt.fit(data, Regularisation(1e-4, penalty))
    p = out.params.draw(0)
    assert np.isfinite(p.capability).all() and np.isfinite(p.difficulty).all()
    # The bounds apply to the raw fit, before the shift to D_anchor = 0; differences
    # are shift-free, so every C - C' and C - D lies within [-20, 20].
    assert p.capability.max() - p.capability.min() <= 20.0
    assert np.abs(p.capability[:, None] - p.difficulty[None, :]).max() <= 20.0
    assert p.capability[top] == p.capability.max()
    assert p.capability[bottom] == p.capability.min()
    assert p.slope.min() >= 0.1 and p.slope.max() <= 10.0


def test_bound_applies_before_the_shift_to_the_anchor():
    # Strong models on hard benchmarks, an easy anchor (D = 0) and a perfect model: the
    # ridge centres the raw fit (sum C + sum D ~ 0), so the raw anchor difficulty is
    # about -5, the perfect model stops at the raw bound C = 10 and is reported at
    # 10 - D_anchor_raw ~ 15 after the shift (observed 15.06). What is guaranteed is the
    # raw bound, i.e. shift-free differences: C_top - D_anchor = C_top <= 20, and the
    # flag. (Note: the returned capability is NOT within [-10, 10] here.)
    rng = np.random.default_rng(0)
    m, b = 40, 8
    cap, dif, slope = rng.normal(4, 1, m), rng.normal(4, 1, b), np.full(b, 0.5)
    dif[0], slope[0] = 0.0, 1.0
    mi, bi = full_grid(m + 1, b)
    y = np.where(mi < m, sigmoid(slope[bi] * (cap[np.minimum(mi, m - 1)] - dif[bi])), 1.0)
    data = IRTData.from_arrays(mi, bi, y, m + 1, b, 0)
    out = irt.fit(data, Regularisation(1e-4, "l2"))
    p = out.params.draw(0)
    assert out.converged.all()
    np.testing.assert_array_equal(np.flatnonzero(out.at_bound[0]), [m])  # only the perfect model
    assert np.isfinite(p.capability).all()
    assert 10.0 < p.capability[m] <= 20.0
    assert p.capability[m] == p.capability.max()
    # The ordinary models are still recovered (observed rmse 0.056: the perfect model's
    # residuals at the bound pull the benchmarks slightly); without the shift they would
    # be off by ~5.
    assert np.sqrt(np.mean((p.capability[:m] - cap) ** 2)) < 0.15


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 1e-3])
def test_slopes_stop_at_their_bounds(penalty, lam):
    # Benchmark 1: flat scores (0.5 whatever C) want alpha -> 0; benchmark 2: a step
    # (0 below C = 0.3, 1 above) wants alpha -> infinity; benchmark 3 falls with C,
    # wanting alpha < 0. They must end exactly at 0.1, 10 and 0.1.
    m, b = 60, 4
    cap = np.linspace(-3, 3, m)
    mi, bi = full_grid(m, b)
    y = sigmoid(cap[mi])
    y[bi == 1] = 0.5
    y[bi == 2] = np.where(cap[mi[bi == 2]] > 0.3, 1.0, 0.0)
    y[bi == 3] = sigmoid(-cap[mi[bi == 3]])
    data = IRTData.from_arrays(mi, bi, y, m, b, 0)
    out = irt.fit(data, Regularisation(lam, penalty))
    slope = out.params.slope[0]
    assert slope[0] == 1.0
    assert slope[1] == pytest.approx(0.1, abs=1e-12)
    assert slope[2] == pytest.approx(10.0, abs=1e-12)
    assert slope[3] == pytest.approx(0.1, abs=1e-12)
    np.testing.assert_array_equal(out.at_bound[0, m + b:], [False, True, True, True])
    # Projected gradient (KKT): zero on the free interior parameters, and at a bound the
    # gradient points outwards (f would fall if the bound were relaxed).
    reg = Regularisation(lam, penalty)
    theta = raw_solution(out, data, reg)
    assert irt.objective(theta, data, reg)[0] == pytest.approx(out.objective[0], rel=1e-10)
    grad = irt.gradient(theta, data, reg)[0]
    interior = np.ones(m + 2 * b, dtype=bool)
    interior[m + b + 1:] = False
    assert np.abs(grad[interior]).max() < 1e-7
    assert grad[m + b + 1] > 1e-4 and grad[m + b + 3] > 1e-4  # lower bound, wants lower
    assert grad[m + b + 2] < -1e-4  # upper bound, wants higher


# --- 9. project ------------------------------------------------------------------------

def test_project_recovers_capability_with_frozen_benchmarks():
    truth = exact_truth(seed=31, observed=0.5)
    d = truth.data
    c, conv = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, truth.difficulty,
                          truth.slope, 0.0)
    assert c.shape == (1, d.n_models) and conv.all()
    np.testing.assert_allclose(c[0], truth.capability, atol=1e-7)


def test_project_is_vectorised_over_draws():
    truth = exact_truth(seed=32, observed=0.5)
    d = truth.data
    shifts = np.array([0.0, 0.5, -1.0])
    # Draw k has every difficulty moved by shifts[k]: its capabilities move with it.
    difficulty = truth.difficulty[None, :] + shifts[:, None]
    c, conv = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, difficulty, truth.slope, 0.0)
    assert c.shape == (3, d.n_models) and conv.all()
    np.testing.assert_allclose(c, truth.capability[None, :] + shifts[:, None], atol=1e-7)


def test_project_accepts_per_draw_slopes_with_shared_difficulty():
    truth = exact_truth(seed=33, observed=0.5)
    d = truth.data
    slope = np.vstack([truth.slope, truth.slope])
    c, conv = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, truth.difficulty, slope, 0.0)
    np.testing.assert_allclose(c, np.vstack([truth.capability] * 2), atol=1e-7)


def test_project_with_ridge_and_weights_matches_a_scalar_minimiser():
    truth = simulate(34, n_models=12, n_benchmarks=6, observed=0.7)
    d = truth.data
    rng = np.random.default_rng(34)
    w = rng.integers(0, 3, (2, d.n_obs)).astype(float)
    rho = 0.3
    c, conv = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, truth.difficulty,
                          truth.slope, rho, weights=w)
    assert c.shape == (2, d.n_models) and conv.all()
    for k in range(2):
        for m in range(d.n_models):
            rows = d.model_idx == m
            a, dd, yy, ww = (truth.slope[d.bench_idx[rows]], truth.difficulty[d.bench_idx[rows]],
                             d.y[rows], w[k, rows])

            def f(x):
                return np.sum(ww * (sigmoid(a * (x - dd)) - yy) ** 2) + rho * x * x

            best = minimize_scalar(f, bounds=(-10, 10), method="bounded",
                                   options={"xatol": 1e-10})
            assert c[k, m] == pytest.approx(best.x, abs=1e-5)


def test_project_in_blocks_of_draws_gives_the_same_numbers(monkeypatch):
    truth = simulate(35, n_models=15, n_benchmarks=5, observed=0.7)
    d = truth.data
    rng = np.random.default_rng(35)
    draws = 7
    dif = truth.difficulty + 0.3 * rng.standard_normal((draws, d.n_benchmarks))
    weights = irt.stratified_weights(d.model_idx, draws, rng)
    whole = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, dif, truth.slope, 0.01,
                        weights)
    # shared parameters and unit weights, broadcast over the draws of the difficulty
    plain = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, dif, truth.slope, 0.0)
    monkeypatch.setattr(irt, "PROJECT_ROWS", 2 * d.n_obs)  # blocks of 2, 2, 2 and 1 draws
    blocks = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, dif, truth.slope, 0.01,
                         weights)
    plain_blocks = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, dif, truth.slope,
                               0.0)
    for a, b in ((whole, blocks), (plain, plain_blocks)):
        assert a[0].shape == (draws, d.n_models) and a[1].all()
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_project_stays_within_the_capability_bounds():
    b = 4
    dif = np.array([-3.0, -2.0, -1.0, 0.0])
    slope = np.full(b, 0.5)
    mi = np.array([0] * b + [1] * b)
    bi = np.tile(np.arange(b), 2)
    y = np.array([0.999] * b + [0.001] * b)  # would need C ~ +14 and ~ -15
    c, _ = irt.project(mi, bi, y, 2, dif, slope, 0.0)
    assert c[0, 0] == 10.0 and c[0, 1] == -10.0


# --- 11. bad input ---------------------------------------------------------------------

GOOD = dict(model_idx=[0, 0, 1], bench_idx=[0, 1, 0], y=[0.2, 0.5, 0.9],
            n_models=2, n_benchmarks=2, anchor=0)


@pytest.mark.parametrize("change", [
    dict(y=[0.2, 1.5, 0.9]),
    dict(y=[0.2, -0.1, 0.9]),
    dict(y=[0.2, np.nan, 0.9]),
    dict(y=[0.2, np.inf, 0.9]),
    dict(model_idx=[0, 0, 0], bench_idx=[0, 1, 1]),  # pair (0, 1) twice
    dict(anchor=2),
    dict(anchor=-1),
    dict(model_idx=[], bench_idx=[], y=[]),
    dict(y=[0.2, 0.5]),
    dict(bench_idx=[0, 1]),
    dict(model_idx=[0, 0, -1]),
    dict(model_idx=[0, 0, 5]),
    dict(bench_idx=[0, 1, 2]),
], ids=["above-1", "below-0", "nan", "inf", "duplicate-pair", "anchor-too-big",
        "anchor-negative", "empty", "short-y", "short-bench", "model-negative",
        "model-too-big", "bench-too-big"])
def test_bad_observations_are_refused(change):
    with pytest.raises(ConfigError):
        IRTData.from_arrays(**{**GOOD, **change})


@pytest.mark.parametrize("change, words", [
    (dict(model_idx=[0, 0, 5]), "model index"),
    (dict(bench_idx=[0, 1, 2]), "benchmark index"),
    (dict(model_idx=[0, 0, 0], bench_idx=[0, 1, 1]), "twice"),
])
def test_bad_observations_say_what_is_wrong(change, words):
    with pytest.raises(ConfigError, match=words):
        IRTData.from_arrays(**{**GOOD, **change})


def test_good_observations_are_accepted_and_clipped():
    data = IRTData.from_arrays(**{**GOOD, "y": [0.0, 0.5, 1.0]})
    np.testing.assert_allclose(data.y, [1e-3, 0.5, 1 - 1e-3])
    assert data.n_obs == 3 and data.n_free == 2 + 2 * 2 - 1


@pytest.mark.parametrize("kwargs", [dict(lam=-0.1), dict(lam=np.nan), dict(lam=np.inf),
                                    dict(alpha_penalty="l1"), dict(alpha_penalty="")])
def test_bad_regularisation_is_refused(kwargs):
    with pytest.raises(ConfigError):
        Regularisation(**kwargs)


def test_regularisation_accepts_zero_and_both_penalties():
    assert Regularisation(0.0, "log").lam == 0.0
    assert Regularisation(1.0, "l2").alpha_penalty == "l2"


def test_bootstrap_equals_fit_with_the_same_stratified_weights(monkeypatch):
    """bootstrap() draws its weights chunk by chunk from the same stream: identical fits."""
    truth = simulate(seed=5, n_models=40, n_benchmarks=8, observed=0.6, noise=0.02)
    data, reg = truth.data, Regularisation(0.1, "log")
    central = irt.fit(data, reg)
    monkeypatch.setattr(irt, "CHUNK_BYTES", 1.0)  # one draw per chunk
    seen = []
    boot = irt.bootstrap(data, reg, 6, np.random.default_rng(3), central.params,
                         progress=lambda done, total: seen.append((done, total)))
    weights = irt.stratified_weights(data.model_idx, 6, np.random.default_rng(3))
    whole = irt.fit(data, reg, weights=weights, start=central.params)
    np.testing.assert_allclose(boot.params.capability, whole.params.capability, atol=1e-9)
    assert seen[-1] == (6, 6) and len(seen) == 6
    assert irt.bootstrap(data, reg, 0, np.random.default_rng(3), central.params).converged.size == 0
