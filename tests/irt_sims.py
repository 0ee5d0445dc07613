"""Shared builders for the item-response tests: simulated truths, the objective written
out from the module's docstring, and the raw (unshifted) solution of a fit. Everything
here is independent of gaplens.models.irt except the data container it fills.
"""

from __future__ import annotations

import numpy as np

from gaplens.models.irt import IRTData, Regularisation

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


def raw_solution(out, data: IRTData, reg: Regularisation) -> np.ndarray:
    """Undo fit()'s shift: with lam > 0 and no bound active, the ridge optimum has
    sum(C) + sum(D) = 0 (the data term is invariant to adding t to all C and D, and
    d/dt of the ridge is 2 lam/P (sum C + sum D)), which fixes the shift."""
    p = out.params.draw(0)
    s = 0.0 if reg.lam == 0 else -(p.capability.sum() + p.difficulty.sum()) / (
        data.n_models + data.n_benchmarks)
    return theta_of(p.capability + s, p.difficulty + s, p.slope, reg.alpha_penalty)
