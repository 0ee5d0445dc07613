"""Known-answer and property tests for the item-response model (gaplens.models.irt):
recovery, gradient, objective, weights and batches.

Everything the tests compare against is computed here, independently of the module:
the sigmoid is written as 1 / (1 + exp(-x)) (the module uses the tanh form), the
objective is written out from the docstring, gradients are checked by central finite
differences, and recovery is checked against the parameters the data were simulated
from. All random numbers come from seeded generators.
"""
from __future__ import annotations

import numpy as np
import pytest

from gaplens.errors import ConfigError
from gaplens.models import irt
from gaplens.models.irt import IRTData, Regularisation

from irt_sims import (
    PENALTIES,
    direct_objective,
    exact_truth,
    raw_solution,
    sigmoid,
    simulate,
    small_problem,
    theta_of,
)


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
