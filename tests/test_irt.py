"""Known-answer and property tests for the item-response model (gaplens.models.irt).

Everything the tests compare against is computed here, independently of the module:
the sigmoid is written as 1 / (1 + exp(-x)) (the module uses the tanh form), the
objective is written out from the docstring, gradients are checked by central finite
differences, and recovery is checked against the parameters the data were simulated
from. All random numbers come from seeded generators.
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

PENALTIES = ("l2", "log")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def full_grid(n_models: int, n_benchmarks: int) -> tuple[np.ndarray, np.ndarray]:
    m, b = np.meshgrid(np.arange(n_models), np.arange(n_benchmarks), indexing="ij")
    return m.ravel(), b.ravel()


class Truth:
    """Simulated parameters and the data drawn from them."""

    def __init__(self, capability, difficulty, slope, data: IRTData):
        self.capability = capability
        self.difficulty = difficulty
        self.slope = slope
        self.data = data


def simulate(seed: int, n_models: int = 150, n_benchmarks: int = 25, observed: float = 1.0,
             noise: float = 0.02, anchor: int = 0, c_mean: float = 0.0,
             d_mean: float = 0.0) -> Truth:
    """C ~ N(c_mean, 1.5), D ~ N(d_mean, 1.5), alpha ~ exp(N(0.3, 0.3)); anchor D=0, alpha=1.

    With ``observed < 1`` each pair is kept with that probability (the anchor with 0.8),
    redrawn until every model has >= 4 and every benchmark >= 5 observations.
    """
    rng = np.random.default_rng(seed)
    cap = rng.normal(c_mean, 1.5, n_models)
    dif = rng.normal(d_mean, 1.5, n_benchmarks)
    slope = np.exp(rng.normal(0.3, 0.3, n_benchmarks))
    dif[anchor], slope[anchor] = 0.0, 1.0
    mi, bi = full_grid(n_models, n_benchmarks)
    if observed < 1.0:
        while True:
            keep = rng.random(len(mi)) < observed
            keep |= (bi == anchor) & (rng.random(len(mi)) < 0.8)
            if (np.bincount(mi[keep], minlength=n_models).min() >= 4
                    and np.bincount(bi[keep], minlength=n_benchmarks).min() >= 5):
                break
        mi, bi = mi[keep], bi[keep]
    y = sigmoid(slope[bi] * (cap[mi] - dif[bi]))
    if noise > 0:
        y = np.clip(y + rng.normal(0.0, noise, len(y)), 0.0, 1.0)
    data = IRTData.from_arrays(mi, bi, y, n_models, n_benchmarks, anchor)
    return Truth(cap, dif, slope, data)


def exact_truth(seed: int, n_models: int = 60, n_benchmarks: int = 12, anchor: int = 2,
                observed: float = 1.0) -> Truth:
    """Noise-free scores strictly inside (0.01, 0.99): |alpha (C - D)| <= 1.5 * 3 < log(99)."""
    rng = np.random.default_rng(seed)
    cap = rng.uniform(-1.5, 1.5, n_models)
    dif = rng.uniform(-1.5, 1.5, n_benchmarks)
    slope = rng.uniform(0.5, 1.5, n_benchmarks)
    dif[anchor], slope[anchor] = 0.0, 1.0
    mi, bi = full_grid(n_models, n_benchmarks)
    if observed < 1.0:
        while True:
            keep = (rng.random(len(mi)) < observed) | (bi == anchor)
            if (np.bincount(mi[keep], minlength=n_models).min() >= 4
                    and np.bincount(bi[keep], minlength=n_benchmarks).min() >= 5):
                break
        mi, bi = mi[keep], bi[keep]
    y = sigmoid(slope[bi] * (cap[mi] - dif[bi]))
    assert 0.01 < y.min() and y.max() < 0.99
    return Truth(cap, dif, slope, IRTData.from_arrays(mi, bi, y, n_models, n_benchmarks, anchor))


def direct_objective(cap, dif, slope, data: IRTData, lam: float, penalty: str,
                     weights=None, d_anchor_free: bool = True) -> float:
    """f = sum_i w_i (sigmoid(alpha_b (C_m - D_b)) - y_i)^2 + lam / P * |theta_free|^2.

    theta_free = all C, all D (the anchor's D only when lam > 0) and u of every
    benchmark but the anchor, u = alpha ("l2") or log(alpha) ("log"); P = M + 2B - 1.
    Written as a plain loop over observations on purpose.
    """
    w = np.ones(data.n_obs) if weights is None else np.asarray(weights, dtype=float)
    total = 0.0
    for i in range(data.n_obs):
        m, b = data.model_idx[i], data.bench_idx[i]
        pred = 1.0 / (1.0 + np.exp(-slope[b] * (cap[m] - dif[b])))
        total += w[i] * (pred - data.y[i]) ** 2
    u = slope if penalty == "l2" else np.log(slope)
    others = [b for b in range(data.n_benchmarks) if b != data.anchor]
    ridge = np.sum(cap ** 2) + np.sum(dif[others] ** 2) + np.sum(u[others] ** 2)
    if d_anchor_free:
        ridge += dif[data.anchor] ** 2
    p = data.n_models + 2 * data.n_benchmarks - 1
    return total + lam / p * ridge


def theta_of(cap, dif, slope, penalty: str) -> np.ndarray:
    """theta = [C, D, u] built by hand (not with irt.to_theta)."""
    u = slope if penalty == "l2" else np.log(slope)
    return np.concatenate([cap, dif, u])[None, :]


def small_problem(seed: int = 3, n_models: int = 9, n_benchmarks: int = 5, anchor: int = 1):
    """A small sparse data set with random weights and a random interior point."""
    rng = np.random.default_rng(seed)
    mi, bi = full_grid(n_models, n_benchmarks)
    keep = rng.random(len(mi)) < 0.7
    mi, bi = mi[keep], bi[keep]
    y = rng.uniform(0.05, 0.95, len(mi))
    data = IRTData.from_arrays(mi, bi, y, n_models, n_benchmarks, anchor)
    weights = rng.integers(0, 4, len(mi)).astype(float) + rng.uniform(0, 1, len(mi))
    cap = rng.normal(0, 1, n_models)
    dif = rng.normal(0, 1, n_benchmarks)
    slope = rng.uniform(0.4, 2.5, n_benchmarks)
    slope[anchor] = 1.0
    return data, weights, cap, dif, slope


# --- 1. known-answer recovery ----------------------------------------------------------

@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_simulated_parameters_full_matrix(seed, penalty):
    truth = simulate(seed)
    out = irt.fit(truth.data, Regularisation(1e-4, penalty))
    assert out.converged.all() and not out.at_bound.any()
    p = out.params.draw(0)
    err = p.capability - truth.capability
    # Observed on seeds 0-2 (both penalties): rmse <= 0.028, max <= 0.104, |mean| <= 0.012,
    # corr >= 0.9998 (20 seeds: rmse <= 0.052, max <= 0.38). The noise is 0.02 on a
    # score whose slope is at most alpha/4, so ~0.02-0.03 per model is the expected error;
    # the worst model is a saturated one (|C| > 3) where clipped noise biases it.
    # A sign error destroys the correlation; a wrong location shift by D_b of the wrong
    # benchmark (sd 1.5) would move every capability by ~1 and break the rmse/mean bounds.
    assert np.sqrt(np.mean(err ** 2)) < 0.06
    assert np.abs(err).max() < 0.25
    assert abs(err.mean()) < 0.04
    assert np.corrcoef(p.capability, truth.capability)[0, 1] > 0.999
    # Difficulties and slopes of benchmarks inside the capability range (|D| < 3; outside
    # it every model is saturated and D, alpha are barely identified). Observed: max |D
    # error| <= 0.039, max |log alpha error| <= 0.037 on seeds 0-2 (20 seeds: 0.064, 0.053).
    inside = np.abs(truth.difficulty) < 3
    assert inside.sum() >= 20
    assert np.abs(p.difficulty - truth.difficulty)[inside].max() < 0.15
    assert np.abs(np.log(p.slope / truth.slope))[inside].max() < 0.15


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_simulated_parameters_sparse_matrix(seed, penalty):
    truth = simulate(seed, observed=0.3)
    data = truth.data
    n = data.n_models * data.n_benchmarks
    assert 0.28 * n < data.n_obs < 0.36 * n  # ~30% of pairs (the anchor more often)
    assert np.bincount(data.model_idx, minlength=data.n_models).min() >= 4
    assert np.bincount(data.bench_idx, minlength=data.n_benchmarks).min() >= 5
    assert (data.bench_idx == data.anchor).sum() >= 100
    out = irt.fit(data, Regularisation(1e-4, penalty))
    assert out.converged.all() and not out.at_bound.any()
    p = out.params.draw(0)
    err = p.capability - truth.capability
    # Observed on seeds 0-2: rmse <= 0.069, max <= 0.40, |mean| <= 0.02, corr >= 0.9989;
    # with ~7 observations per model the error per model is roughly 2.5x the full case.
    assert np.sqrt(np.mean(err ** 2)) < 0.12
    assert np.abs(err).max() < 0.7
    assert abs(err.mean()) < 0.05
    assert np.corrcoef(p.capability, truth.capability)[0, 1] > 0.997
    # Observed (|D| < 3): max |D error| <= 0.103, max |log alpha error| <= 0.083.
    inside = np.abs(truth.difficulty) < 3
    assert np.abs(p.difficulty - truth.difficulty)[inside].max() < 0.25
    assert np.abs(np.log(p.slope / truth.slope))[inside].max() < 0.2


# --- 2. noise-free exact recovery ------------------------------------------------------

@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("observed", [1.0, 0.4])
def test_noise_free_data_recovered_exactly_without_ridge(observed, penalty):
    truth = exact_truth(seed=11, observed=observed)
    out = irt.fit(truth.data, Regularisation(0.0, penalty))
    assert out.converged.all()
    p = out.params.draw(0)
    # The model is identified (anchor D = 0, alpha = 1) and fits exactly, so the least
    # squares minimum is the truth with f = 0. Observed errors ~1e-15.
    np.testing.assert_allclose(p.capability, truth.capability, atol=1e-6)
    np.testing.assert_allclose(p.difficulty, truth.difficulty, atol=1e-6)
    np.testing.assert_allclose(p.slope, truth.slope, atol=1e-6)
    assert out.objective[0] < 1e-12


# --- 3. gradient -----------------------------------------------------------------------

@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_gradient_matches_central_finite_differences(penalty, lam):
    data, weights, cap, dif, slope = small_problem()
    reg = Regularisation(lam, penalty)
    theta = theta_of(cap, dif, slope, penalty)
    grad = irt.gradient(theta, data, reg, weights)[0]
    m, b = data.n_models, data.n_benchmarks
    free = np.ones(theta.shape[1], dtype=bool)
    free[m + b + data.anchor] = False  # the anchor's slope is never a parameter
    if lam == 0:
        free[m + data.anchor] = False  # ... nor, without a ridge, its difficulty
    h = 1e-6
    fd = np.zeros(theta.shape[1])
    for k in np.flatnonzero(free):
        up, down = theta.copy(), theta.copy()
        up[0, k] += h
        down[0, k] -= h
        fd[k] = (irt.objective(up, data, reg, weights)[0]
                 - irt.objective(down, data, reg, weights)[0]) / (2 * h)
    # Central differences are accurate to ~h^2 * f''' + eps * f / h ~ 1e-9 here.
    np.testing.assert_allclose(grad[free], fd[free], rtol=1e-6, atol=1e-7)
    assert np.abs(fd[free]).max() > 0.1  # a non-trivial point
    # Pinned parameters have zero gradient.
    assert np.all(grad[~free] == 0.0)


def test_gradient_and_objective_are_per_draw():
    data, weights, cap, dif, slope = small_problem()
    reg = Regularisation(0.3, "log")
    theta = np.vstack([theta_of(cap, dif, slope, "log"), theta_of(cap + 0.4, dif, slope, "log")])
    w = np.vstack([weights, np.ones_like(weights)])
    f = irt.objective(theta, data, reg, w)
    g = irt.gradient(theta, data, reg, w)
    assert f.shape == (2,) and g.shape == (2, theta.shape[1])
    for k in range(2):
        assert f[k] == pytest.approx(irt.objective(theta[k:k + 1], data, reg, w[k])[0], rel=1e-13)
        np.testing.assert_allclose(g[k], irt.gradient(theta[k:k + 1], data, reg, w[k])[0],
                                   rtol=1e-12, atol=1e-14)


def raw_solution(out, data: IRTData, reg: Regularisation) -> np.ndarray:
    """Undo fit()'s shift: with lam > 0 and no bound active, the ridge optimum has
    sum(C) + sum(D) = 0 (the data term is invariant to adding t to all C and D, and
    d/dt of the ridge is 2 lam/P (sum C + sum D)), which fixes the shift."""
    p = out.params.draw(0)
    s = 0.0 if reg.lam == 0 else -(p.capability.sum() + p.difficulty.sum()) / (
        data.n_models + data.n_benchmarks)
    return theta_of(p.capability + s, p.difficulty + s, p.slope, reg.alpha_penalty)


@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 0.05])
def test_fit_returns_a_stationary_point(penalty, lam):
    truth = simulate(5, n_models=40, n_benchmarks=8, observed=0.6)
    reg = Regularisation(lam, penalty)
    out = irt.fit(truth.data, reg)
    assert out.converged.all() and not out.at_bound.any()
    theta = raw_solution(out, truth.data, reg)
    # The reconstructed raw point is the one the solver reported f for ...
    assert irt.objective(theta, truth.data, reg)[0] == pytest.approx(out.objective[0], rel=1e-10)
    # ... and no bound is active, so the projected gradient is the gradient. Its entries
    # are O(1) at the neutral start; observed at the optimum: ~1e-15.
    grad = irt.gradient(theta, truth.data, reg)[0]
    start = irt.gradient(irt.initial_theta(truth.data, reg)[None, :], truth.data, reg)[0]
    assert np.abs(start).max() > 1.0
    assert np.abs(grad).max() < 1e-7


# --- 4. objective ----------------------------------------------------------------------

@pytest.mark.parametrize("penalty", PENALTIES)
@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_objective_equals_direct_formula(penalty, lam):
    data, weights, cap, dif, slope = small_problem()
    reg = Regularisation(lam, penalty)
    theta = theta_of(cap, dif, slope, penalty)
    expected = direct_objective(cap, dif, slope, data, lam, penalty, weights,
                                d_anchor_free=lam > 0)
    assert irt.objective(theta, data, reg, weights)[0] == pytest.approx(expected, rel=1e-12)
    # Unweighted.
    expected1 = direct_objective(cap, dif, slope, data, lam, penalty, None, d_anchor_free=lam > 0)
    assert irt.objective(theta, data, reg)[0] == pytest.approx(expected1, rel=1e-12)
    assert expected != pytest.approx(expected1, rel=1e-3)


def test_objective_ridge_counts_P_free_parameters():
    # With y equal to the model's prediction the data term vanishes and f is the ridge
    # alone: lam / (M + 2B - 1) * (sum C^2 + sum D^2 + sum of the B - 1 free u^2).
    data, _, cap, dif, slope = small_problem()
    y = sigmoid(slope[data.bench_idx] * (cap[data.model_idx] - dif[data.bench_idx]))
    exact = IRTData(data.model_idx, data.bench_idx, y, data.n_models, data.n_benchmarks,
                    data.anchor)
    others = np.arange(data.n_benchmarks) != data.anchor
    p = 9 + 2 * 5 - 1
    for penalty, u in (("l2", slope), ("log", np.log(slope))):
        ridge = (cap ** 2).sum() + (dif ** 2).sum() + (u[others] ** 2).sum()
        f = irt.objective(theta_of(cap, dif, slope, penalty), exact, Regularisation(2.0, penalty))
        assert f[0] == pytest.approx(2.0 / p * ridge, rel=1e-12)


def test_outcome_objective_is_objective_at_solution():
    truth = exact_truth(seed=4, observed=0.5)
    noisy = IRTData.from_arrays(
        truth.data.model_idx, truth.data.bench_idx,
        np.clip(truth.data.y + np.random.default_rng(4).normal(0, 0.03, truth.data.n_obs), 0, 1),
        truth.data.n_models, truth.data.n_benchmarks, truth.data.anchor)
    reg = Regularisation(0.0, "l2")
    out = irt.fit(noisy, reg)
    p = out.params.draw(0)
    f = direct_objective(p.capability, p.difficulty, p.slope, noisy, 0.0, "l2")
    assert out.objective[0] == pytest.approx(f, rel=1e-10)
    assert f > 1e-3  # noisy data: the fit is not exact


# --- 5. weights and batches ------------------------------------------------------------

@pytest.mark.parametrize("penalty", PENALTIES)
def test_double_weights_equal_half_lambda(penalty):
    # f(theta; w = 2, lam) = 2 * f(theta; w = 1, lam / 2): the minimisers coincide.
    truth = simulate(7, n_models=50, n_benchmarks=10, observed=0.5)
    a = irt.fit(truth.data, Regularisation(0.2, penalty),
                weights=2 * np.ones((1, truth.data.n_obs)))
    b = irt.fit(truth.data, Regularisation(0.1, penalty))
    for field in ("capability", "difficulty", "slope"):
        np.testing.assert_allclose(getattr(a.params, field), getattr(b.params, field), atol=1e-7)
    assert a.objective[0] == pytest.approx(2 * b.objective[0], rel=1e-9)
    # and the ridge strength does matter (so the comparison can fail):
    c = irt.fit(truth.data, Regularisation(0.2, penalty))
    assert np.abs(c.params.capability - b.params.capability).max() > 1e-4


def test_weighted_objective_equals_objective_of_repeated_rows():
    data, _, cap, dif, slope = small_problem()
    rng = np.random.default_rng(8)
    w = rng.integers(0, 4, data.n_obs)
    rows = np.repeat(np.arange(data.n_obs), w)
    repeated = IRTData(data.model_idx[rows], data.bench_idx[rows], data.y[rows],
                       data.n_models, data.n_benchmarks, data.anchor)
    reg = Regularisation(0.4, "l2")
    by_hand = direct_objective(cap, dif, slope, repeated, 0.4, "l2")
    theta = theta_of(cap, dif, slope, "l2")
    assert irt.objective(theta, data, reg, w.astype(float))[0] == pytest.approx(by_hand, rel=1e-12)


def vector_objective(theta, data: IRTData, lam: float, penalty: str) -> float:
    """The docstring's objective, unweighted, vectorised (for finite differences)."""
    m, b = data.n_models, data.n_benchmarks
    cap, dif, u = theta[:m], theta[m:m + b], theta[m + b:]
    slope = u if penalty == "l2" else np.exp(u)
    pred = sigmoid(slope[data.bench_idx] * (cap[data.model_idx] - dif[data.bench_idx]))
    others = np.arange(b) != data.anchor
    ridge = (cap ** 2).sum() + (dif ** 2).sum() + (u[others] ** 2).sum()
    return ((pred - data.y) ** 2).sum() + lam / (m + 2 * b - 1) * ridge


@pytest.mark.parametrize("penalty", PENALTIES)
def test_integer_weights_fit_minimises_the_repeated_rows_objective(penalty):
    # A bootstrap draw as weights must give the fit of the data with each row repeated
    # as often as it was drawn. from_arrays refuses duplicated pairs (and the solver's
    # Schur scatter assumes unique pairs), so the repeated data set is only used to
    # evaluate the objective, written out here: the weighted fit must be a stationary
    # point of it (central differences), at the objective value fit() reports.
    truth = simulate(9, n_models=40, n_benchmarks=8, observed=0.6)
    data = truth.data
    w = irt.stratified_weights(data.model_idx, 1, np.random.default_rng(9))[0]
    assert (w == 0).any() and (w >= 2).any()
    rows = np.repeat(np.arange(data.n_obs), w.astype(int))
    repeated = IRTData(data.model_idx[rows], data.bench_idx[rows], data.y[rows],
                       data.n_models, data.n_benchmarks, data.anchor)
    lam = 0.01
    reg = Regularisation(lam, penalty)
    out = irt.fit(data, reg, weights=w[None, :])
    assert out.converged.all() and not out.at_bound.any()
    theta = raw_solution(out, data, reg)[0]
    f0 = vector_objective(theta, repeated, lam, penalty)
    assert out.objective[0] == pytest.approx(f0, rel=1e-10)
    m, b = data.n_models, data.n_benchmarks
    h = 1e-5
    fd = []
    for k in range(len(theta)):
        if k == m + b + data.anchor:
            continue  # the anchor's slope is pinned
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        fd.append((vector_objective(up, repeated, lam, penalty)
                   - vector_objective(down, repeated, lam, penalty)) / (2 * h))
    # FD noise ~ eps * f / h ~ 1e-12; an unweighted or wrongly weighted fit gives
    # gradients ~1e-2 (checked below).
    assert np.abs(fd).max() < 1e-7
    plain = raw_solution(irt.fit(data, reg), data, reg)[0]
    assert vector_objective(plain, repeated, lam, penalty) > f0 + 1e-4


def test_zero_weights_equal_dropped_rows():
    truth = simulate(10, n_models=40, n_benchmarks=8, observed=0.7)
    data = truth.data
    rng = np.random.default_rng(10)
    keep = rng.random(data.n_obs) < 0.8
    sub = IRTData.from_arrays(data.model_idx[keep], data.bench_idx[keep], data.y[keep],
                              data.n_models, data.n_benchmarks, data.anchor)
    reg = Regularisation(0.05, "l2")
    a = irt.fit(data, reg, weights=keep.astype(float)[None, :])
    b = irt.fit(sub, reg)
    np.testing.assert_allclose(a.params.capability, b.params.capability, atol=1e-7)
    np.testing.assert_allclose(a.params.slope, b.params.slope, atol=1e-7)
    assert a.objective[0] == pytest.approx(b.objective[0], rel=1e-9)


@pytest.mark.parametrize("penalty", PENALTIES)
def test_batch_of_draws_equals_draws_fitted_alone(penalty):
    truth = simulate(12, n_models=40, n_benchmarks=8, observed=0.6)
    data = truth.data
    w = irt.stratified_weights(data.model_idx, 4, np.random.default_rng(12))
    reg = Regularisation(0.02, penalty)
    batch = irt.fit(data, reg, weights=w)
    assert batch.params.capability.shape == (4, data.n_models)
    assert batch.params.slope.shape == (4, data.n_benchmarks)
    assert batch.converged.shape == (4,) and batch.objective.shape == (4,)
    for k in range(4):
        alone = irt.fit(data, reg, weights=w[k])
        np.testing.assert_allclose(batch.params.capability[k], alone.params.capability[0],
                                   atol=1e-7)
        np.testing.assert_allclose(batch.params.difficulty[k], alone.params.difficulty[0],
                                   atol=1e-7)
        np.testing.assert_allclose(batch.params.slope[k], alone.params.slope[0], atol=1e-7)
        assert batch.objective[k] == pytest.approx(alone.objective[0], rel=1e-9)
    # the draws differ from each other
    assert np.abs(batch.params.capability[0] - batch.params.capability[1]).max() > 1e-3


def test_chunked_batches_equal_one_chunk_and_report_progress(monkeypatch):
    truth = simulate(13, n_models=30, n_benchmarks=6, observed=0.7)
    data = truth.data
    w = irt.stratified_weights(data.model_idx, 5, np.random.default_rng(13))
    reg = Regularisation(0.05, "l2")
    one = irt.fit(data, reg, weights=w)
    monkeypatch.setattr(irt, "CHUNK_BYTES", 1.0)  # one draw per chunk
    calls = []
    many = irt.fit(data, reg, weights=w, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(k, 5) for k in range(1, 6)]
    np.testing.assert_allclose(many.params.capability, one.params.capability, atol=1e-7)
    np.testing.assert_allclose(many.params.slope, one.params.slope, atol=1e-7)


def test_weights_with_the_wrong_number_of_columns_are_refused():
    truth = exact_truth(seed=1)
    with pytest.raises(ConfigError):
        irt.fit(truth.data, weights=np.ones((2, truth.data.n_obs + 1)))


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
