"""The two solvers of a step's benchmark system (gaplens.models.irt): the dense Schur
complement (the reference) and conjugate gradients on the same system without forming it.
Planted data from irt_sims.py; each test is small (well under a second).
"""

from __future__ import annotations

import numpy as np
import pytest

from gaplens.errors import ConfigError
from gaplens.models import irt, schur
from gaplens.models.irt import Regularisation

from irt_sims import PENALTIES, simulate


def _system(seed: int, d: int = 3):
    """Random blocks of a step's system on planted data: (data, blocks, h_cc, cross)."""
    truth = simulate(seed=seed, n_models=30, n_benchmarks=7, observed=0.7, noise=0.02)
    data = truth.data
    rng = np.random.default_rng(seed)
    b = data.n_benchmarks
    h_cc = 1.0 + rng.random((d, data.n_models))
    cross_d = -rng.random((d, data.n_obs))
    cross_u = rng.normal(0, 0.3, (d, data.n_obs))
    # diagonally dominant benchmark blocks: S positive definite
    h_dd = 50.0 + rng.random((d, b))
    h_uu = 50.0 + rng.random((d, b))
    h_du = rng.normal(0, 0.5, (d, b))
    return data, (h_dd, h_uu, h_du), h_cc, cross_d, cross_u


@pytest.mark.parametrize("seed", [0, 1])
def test_the_product_by_s_equals_the_dense_schur_complement(seed):
    data, blocks, h_cc, cross_d, cross_u = _system(seed)
    dense = schur.dense_schur(data, blocks, h_cc, cross_d, cross_u)
    v = np.random.default_rng(seed + 10).normal(size=(3, 2 * data.n_benchmarks))
    product = schur.schur_matvec(data, blocks, h_cc, cross_d, cross_u, v)
    np.testing.assert_allclose(product, np.einsum("dij,dj->di", dense, v), rtol=1e-12,
                               atol=1e-10)
    # and the dense complement is the textbook one: H_BB - H_BC H_CC^-1 H_CB, built here
    # entry by entry from the observations
    m, b = data.n_models, data.n_benchmarks
    h_bc = np.zeros((2 * b, m))
    for i in range(data.n_obs):
        h_bc[data.bench_idx[i], data.model_idx[i]] += cross_d[0, i]
        h_bc[b + data.bench_idx[i], data.model_idx[i]] += cross_u[0, i]
    h_bb = np.zeros((2 * b, 2 * b))
    h_dd, h_uu, h_du = (x[0] for x in blocks)
    h_bb[:b, :b], h_bb[b:, b:] = np.diag(h_dd), np.diag(h_uu)
    h_bb[:b, b:] = h_bb[b:, :b] = np.diag(h_du)
    np.testing.assert_allclose(dense[0], h_bb - h_bc @ np.diag(1 / h_cc[0]) @ h_bc.T,
                               rtol=1e-12, atol=1e-10)


def test_sparse_products_by_s_equal_the_observation_sums():
    data, blocks, h_cc, cross_d, cross_u = _system(2)
    product = schur.sparse_products(data, blocks, h_cc, cross_d, cross_u)
    v = np.random.default_rng(12).normal(size=(3, 2 * data.n_benchmarks))
    expected = schur.schur_matvec(data, blocks, h_cc, cross_d, cross_u, v)
    for k in range(3):
        np.testing.assert_allclose(product(k, v[k]), expected[k], rtol=1e-12, atol=1e-10)
    shuffled = irt.IRTData(data.model_idx[::-1], data.bench_idx[::-1], data.y[::-1],
                           data.n_models, data.n_benchmarks, data.anchor)
    assert schur.sparse_products(shuffled, blocks, h_cc, cross_d, cross_u) is None


def test_conjugate_gradients_solve_the_system():
    data, blocks, h_cc, cross_d, cross_u = _system(3)
    from scipy.linalg import cho_factor

    dense = schur.dense_schur(data, blocks, h_cc, cross_d, cross_u)
    rhs = np.random.default_rng(4).normal(size=(3, 2 * data.n_benchmarks))
    # preconditioned by another draw's system (as the bootstrap does with the central one)
    x, ok = schur.cg_solve(data, blocks, h_cc, cross_d, cross_u, rhs,
                          cho_factor(dense[1], lower=True))
    assert ok.all()
    exact = np.linalg.solve(dense, rhs[:, :, None])[:, :, 0]
    np.testing.assert_allclose(x, exact, rtol=1e-3, atol=1e-6 * np.abs(exact).max())


def test_conjugate_gradients_refuse_an_indefinite_system():
    data, blocks, h_cc, cross_d, cross_u = _system(5)
    from scipy.linalg import cho_factor

    dense = schur.dense_schur(data, blocks, h_cc, cross_d, cross_u)
    flipped = (-blocks[0], -blocks[1], blocks[2])  # S negative definite for these draws
    rhs = np.ones((3, 2 * data.n_benchmarks))
    x, ok = schur.cg_solve(data, flipped, h_cc, -cross_d, -cross_u, rhs,
                          cho_factor(dense[0], lower=True))
    assert not ok.any() and (x == 0).all()


@pytest.mark.parametrize("penalty", PENALTIES)
def test_bootstrap_by_conjugate_gradients_equals_the_dense_reference(penalty):
    """Planted data with missing pairs: every draw converges to the same parameters
    whichever solver takes the steps."""
    truth = simulate(seed=11, n_models=60, n_benchmarks=9, observed=0.7, noise=0.03)
    data, reg = truth.data, Regularisation(0.1, penalty)
    central = irt.fit(data, reg)
    out = {}
    for solver in ("dense", "cg"):
        out[solver] = irt.bootstrap(data, reg, 12, np.random.default_rng(7), central.params,
                                    solver=solver)
    dense, cg = out["dense"], out["cg"]
    assert dense.converged.all() and cg.converged.all()
    np.testing.assert_allclose(cg.params.capability, dense.params.capability, atol=1e-6)
    np.testing.assert_allclose(cg.params.difficulty, dense.params.difficulty, atol=1e-6)
    np.testing.assert_allclose(cg.params.slope, dense.params.slope, atol=1e-6)
    np.testing.assert_allclose(cg.objective, dense.objective, rtol=1e-9)


def test_bootstrap_on_forked_workers_gives_the_draws_of_one_process(monkeypatch):
    """Chunks of 4 draws (12 in all), fitted here or on two forked workers: the weights
    are drawn in order in this process either way, so every draw is the same, bit for
    bit, and comes back in its place."""
    truth = simulate(seed=12, n_models=40, n_benchmarks=8, observed=0.7, noise=0.03)
    data, reg = truth.data, Regularisation(0.1, "l2")
    central = irt.fit(data, reg)
    monkeypatch.setattr(irt, "_chunk_size", lambda data, solver="dense": 4)
    seen = []
    one, two = (irt.bootstrap(data, reg, 12, np.random.default_rng(3), central.params,
                              jobs=jobs, progress=lambda done, total: seen.append(done))
                for jobs in (1, 2))
    for name in ("capability", "difficulty", "slope"):
        np.testing.assert_array_equal(getattr(two.params, name), getattr(one.params, name))
    np.testing.assert_array_equal(two.objective, one.objective)
    np.testing.assert_array_equal(two.converged, one.converged)
    assert one.params.capability.shape[0] == 12 and seen == [4, 8, 12] * 2
    # a different stream gives different draws (the comparison can fail)
    other = irt.bootstrap(data, reg, 12, np.random.default_rng(4), central.params, jobs=2)
    assert not np.allclose(other.params.capability, one.params.capability)


def test_the_automatic_choice_follows_the_cost_of_each_solver():
    small = simulate(seed=2, n_models=40, n_benchmarks=8, observed=0.8).data
    assert not schur.cg_cheaper(small)  # (M + 2B) (2B)^2 = confined to a few thousand
    wide = irt.IRTData.from_arrays(np.arange(2000) % 400, np.arange(2000) // 5 % 400,
                                   np.full(2000, 0.5), 400, 400, 0)
    assert schur.cg_cheaper(wide)  # 800 benchmark parameters, 2,000 observations
    with pytest.raises(ConfigError, match="solver"):
        irt.fit(small, Regularisation(), solver="sparse")


def test_large_systems_are_solved_by_cholesky_or_else_lu(monkeypatch):
    """Above CHOLESKY_FROM the solve goes draw by draw: Cholesky for a positive definite
    S, LU for an indefinite one, and no step for a singular or non-finite one; each
    answer is the textbook solve."""
    monkeypatch.setattr(schur, "CHOLESKY_FROM", 4)
    rng = np.random.default_rng(8)
    a = rng.normal(size=(6, 6))
    definite = a @ a.T + 6 * np.eye(6)
    indefinite = definite - 12 * np.eye(6)  # some eigenvalues below zero
    singular = np.outer(a[0], a[0])
    s = np.stack([definite, indefinite, singular, np.full((6, 6), np.nan)])
    assert np.linalg.eigvalsh(indefinite).min() < 0 < np.linalg.eigvalsh(indefinite).max()
    rhs = rng.normal(size=(4, 6))
    x, ok = schur.dense_solve(s, rhs)
    assert ok.tolist() == [True, True, False, False]
    for k in (0, 1):
        np.testing.assert_allclose(x[k], np.linalg.solve(s[k], rhs[k]), rtol=1e-10)
    assert (x[2:] == 0).all()


@pytest.mark.parametrize("penalty", PENALTIES)
def test_conjugate_gradients_on_the_newton_tail_give_the_dense_draws(monkeypatch, penalty):
    """When the dense build is large against the observations, ``auto`` solves Newton
    steps by conjugate gradients preconditioned by the last dense system's Cholesky
    factor (the threshold lowered here to the planted size; chunks of two draws, so each
    fits on its weighted rows with sparse products by S): same draws as the dense
    reference, and conjugate gradients did take steps (the comparison can fail)."""
    truth = simulate(seed=13, n_models=60, n_benchmarks=9, observed=0.7, noise=0.03)
    data, reg = truth.data, Regularisation(0.1, penalty)
    central = irt.fit(data, reg)
    dense = irt.bootstrap(data, reg, 6, np.random.default_rng(5), central.params,
                          solver="dense")
    monkeypatch.setattr(schur, "REUSE_COST", 0)
    monkeypatch.setattr(irt, "_chunk_size", lambda data, solver="dense": 2)
    calls = []
    solve = schur.cg_solve

    def counted(*args, **kwargs):
        x, ok = solve(*args, **kwargs)
        calls.append(int(ok.sum()))
        return x, ok

    monkeypatch.setattr(irt, "cg_solve", counted)
    monkeypatch.setattr(schur, "cg_solve", counted)
    tail = irt.bootstrap(data, reg, 6, np.random.default_rng(5), central.params)
    assert sum(calls) > 0
    assert dense.converged.all() and tail.converged.all()
    for name in ("capability", "difficulty", "slope"):
        np.testing.assert_allclose(getattr(tail.params, name), getattr(dense.params, name),
                                   atol=1e-7)


def _project_reference(model_idx, bench_idx, y, n_models, difficulty, slope, rho, weights,
                       max_iter=200):
    """The previous projection: every draw's (draws, observations) arrays iterate until
    every model of the draw has converged (same Newton step, same rules)."""
    d = weights.shape[0]
    a, dd = slope[:, bench_idx], difficulty[:, bench_idx]
    lo, hi = irt.CAPABILITY_BOUNDS

    def sums(values):
        return np.stack([np.bincount(model_idx, v, minlength=n_models) for v in values])

    def value(c):
        r = irt.sigmoid(a * (c[:, model_idx] - dd)) - y
        return sums(weights * r * r) + rho * c * c

    c = np.zeros((d, n_models))
    f, mu = value(c), np.full((d, n_models), 1e-3)
    conv = np.zeros((d, n_models), dtype=bool)
    for _ in range(max_iter):
        s = irt.sigmoid(a * (c[:, model_idx] - dd))
        r, g = s - y, s * (1 - s)
        j = g * a
        grad = sums(weights * r * j) + rho * c
        gn = sums(weights * j * j) + rho
        exact = gn + sums(weights * r * g * (1 - 2 * s) * a * a)
        hess = np.where(exact > 1e-12, exact, gn) + mu * gn + 1e-12
        trial = np.clip(c - grad / hess, lo, hi)
        f_new = value(trial)
        better = f_new <= f
        step = np.abs(trial - c)
        go = ~conv  # a converged pair keeps its value (the new projection stops it)
        c = np.where(better & go, trial, c)
        f = np.where(better & go, f_new, f)
        mu = np.where(better, np.maximum(mu / 5, 1e-12), mu * 8)
        conv = conv | (better & (step < 1e-9)) | (np.abs(grad) < 1e-12)
        if conv.all():
            break
    return c, conv


def test_the_projection_equals_the_previous_one_on_planted_data():
    truth = simulate(seed=4, n_models=25, n_benchmarks=6, observed=0.8, noise=0.05)
    d = truth.data
    rng = np.random.default_rng(0)
    draws = 5
    dif = truth.difficulty + 0.2 * rng.standard_normal((draws, d.n_benchmarks))
    slope = truth.slope * np.exp(0.1 * rng.standard_normal((draws, d.n_benchmarks)))
    weights = irt.stratified_weights(d.model_idx, draws, rng)
    c, conv = irt.project(d.model_idx, d.bench_idx, d.y, d.n_models, dif, slope, 1e-3,
                          weights)
    c0, conv0 = _project_reference(d.model_idx, d.bench_idx, d.y, d.n_models, dif, slope,
                                   1e-3, weights)
    assert conv.all() and conv0.all()
    np.testing.assert_allclose(c, c0, atol=1e-8)


def test_unconverged_projections_are_reported_per_draw_and_model():
    mi = np.array([0, 0, 0, 1, 1, 1])
    bi = np.array([0, 1, 2, 0, 1, 2])
    y = np.array([0.3, 0.55, 0.85, 0.3, 0.6, 0.9])
    dif, slope = np.array([1.0, 0.0, -1.0]), np.array([1.0, 1.0, 1.0])
    c, conv = irt.project(mi, bi, y, 3, dif, slope, 0.0, max_iter=50)
    assert conv[0, :2].all()
    assert conv[0, 2] and c[0, 2] == 0.0  # a model without rows: C = 0 at once
    # one step is not enough for the models with rows: both reported, not hidden
    _, conv1 = irt.project(mi, bi, y, 3, dif, slope, 0.0, max_iter=1)
    assert conv1[0].tolist() == [False, False, True]
