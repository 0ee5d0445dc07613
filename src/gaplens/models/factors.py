"""A K-dimensional item-response model: the shape behind one number.

For model m with position theta_m in R^K and benchmark b with loadings a_b in R^K and
intercept e_b:

    y(m, b) = sigmoid(a_b . theta_m + e_b)

fitted, like the one-dimensional index, by least squares on normalised scores with a
ridge on every parameter:

    f = sum_i w_i (sigmoid(a_b . theta_m + e_b) - y_i)^2
        + rho_1 (|theta_1|^2 + |a_1|^2 + |e|^2) + rho_extra sum_{k>1} (|theta_k|^2 + |a_k|^2)

(a light ridge on the general part, a stronger one on the extra axes, so an extra axis
only appears where the data support it).

K = 1 is the one-dimensional model written as a_b (C_m - D_b) = a_b C_m + e_b. The
solution is only defined up to a rotation (theta -> theta R, a -> a R^-T); the caller
fixes one (:func:`general_rotation`).

Solver: block coordinate Gauss-Newton. Given the benchmarks, every model is an
independent K-parameter least-squares problem; given the models, every benchmark is an
independent (K + 1)-parameter one. Each half-step is one damped Gauss-Newton step per
entity, solved as a batch of K x K systems, accepted per entity only if it lowers that
entity's part of f (so f never increases).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .irt import _sigmoid


@dataclass(frozen=True)
class FactorParams:
    theta: np.ndarray  # (M, K) model positions
    loadings: np.ndarray  # (B, K)
    intercept: np.ndarray  # (B,)

    def logits(self, model_idx, bench_idx) -> np.ndarray:
        return (np.einsum("nk,nk->n", self.theta[model_idx], self.loadings[bench_idx])
                + self.intercept[bench_idx])

    def predict(self, model_idx, bench_idx) -> np.ndarray:
        return _sigmoid(self.logits(model_idx, bench_idx))


@dataclass(frozen=True)
class FactorFit:
    params: FactorParams
    objective: float
    iterations: int
    converged: bool


def _entity_step(idx, n, feats, r, g, w, current, rho, mu):
    """Damped GN step per entity. feats: (n_obs, P) derivative of the logit."""
    p = feats.shape[1]
    jac = g[:, None] * feats  # ds/dparam
    grad = np.zeros((n, p))
    hess = np.zeros((n, p, p))
    for a in range(p):
        grad[:, a] = np.bincount(idx, weights=w * r * jac[:, a], minlength=n)
        for b in range(a, p):
            h = np.bincount(idx, weights=w * jac[:, a] * jac[:, b], minlength=n)
            hess[:, a, b] = h
            hess[:, b, a] = h
    grad += rho[None, :] * current
    diag = np.arange(p)
    hess[:, diag, diag] += rho[None, :]
    hess[:, diag, diag] *= 1.0 + mu[:, None]
    return -np.linalg.solve(hess, grad[:, :, None])[:, :, 0]


def _part(idx, n, w, y, logits, rho, current):
    r = _sigmoid(logits) - y
    return np.bincount(idx, weights=w * r * r, minlength=n) + (rho[None, :] * current ** 2).sum(axis=1)


def fit_factors(model_idx: np.ndarray, bench_idx: np.ndarray, y: np.ndarray, n_models: int,
                n_benchmarks: int, start: FactorParams, rho: float = 1e-3,
                rho_extra: float = 1.0, weights: np.ndarray | None = None,
                max_iter: int = 2000, tol: float = 1e-10) -> FactorFit:
    """Fit from ``start`` (which fixes K); returns the fitted parameters."""
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    theta = start.theta.astype(float).copy()
    load = np.column_stack([start.loadings, start.intercept]).astype(float)
    k = theta.shape[1]
    rho_theta = np.array([rho] + [rho_extra] * (k - 1))
    rho_load = np.array([rho] + [rho_extra] * (k - 1) + [rho])
    mu_m = np.full(n_models, 1e-3)
    mu_b = np.full(n_benchmarks, 1e-3)

    def total():
        logits = np.einsum("nk,nk->n", theta[model_idx], load[bench_idx, :k]) + load[bench_idx, k]
        r = _sigmoid(logits) - y
        return float((w * r * r).sum() + (rho_theta * theta ** 2).sum()
                     + (rho_load * load ** 2).sum())

    f = total()
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        # models, benchmarks fixed
        logits = np.einsum("nk,nk->n", theta[model_idx], load[bench_idx, :k]) + load[bench_idx, k]
        s = _sigmoid(logits)
        step = _entity_step(model_idx, n_models, load[bench_idx, :k], s - y, s * (1 - s), w,
                            theta, rho_theta, mu_m)
        before = _part(model_idx, n_models, w, y, logits, rho_theta, theta)
        trial = theta + step
        t_logits = np.einsum("nk,nk->n", trial[model_idx], load[bench_idx, :k]) + load[bench_idx, k]
        after = _part(model_idx, n_models, w, y, t_logits, rho_theta, trial)
        better = after <= before
        theta[better] = trial[better]
        mu_m = np.where(better, np.maximum(mu_m / 5, 1e-12), mu_m * 8)
        # benchmarks, models fixed
        feats = np.column_stack([theta[model_idx], np.ones(len(y))])
        logits = np.einsum("nk,nk->n", feats, load[bench_idx])
        s = _sigmoid(logits)
        step_b = _entity_step(bench_idx, n_benchmarks, feats, s - y, s * (1 - s), w, load,
                              rho_load, mu_b)
        before = _part(bench_idx, n_benchmarks, w, y, logits, rho_load, load)
        trial = load + step_b
        after = _part(bench_idx, n_benchmarks, w, y, np.einsum("nk,nk->n", feats,
                                                               trial[bench_idx]), rho_load, trial)
        better_b = after <= before
        load[better_b] = trial[better_b]
        mu_b = np.where(better_b, np.maximum(mu_b / 5, 1e-12), mu_b * 8)
        f_new = total()
        moved = max(np.abs(step[better]).max(initial=0.0), np.abs(step_b[better_b]).max(initial=0.0))
        if f - f_new <= tol * max(f, 1e-300) and moved < 1e-6:
            converged = True
            f = f_new
            break
        f = f_new
    params = FactorParams(theta, load[:, :k].copy(), load[:, k].copy())
    return FactorFit(params=params, objective=f, iterations=it, converged=converged)


def general_rotation(params: FactorParams, reference: np.ndarray) -> FactorParams:
    """Rotate so that axis 1 is the direction of positions most aligned with ``reference``
    (the one-dimensional capability) and the next axes are the principal directions of
    what remains. Positions are centred first (the centre moves into the intercepts);
    logits are unchanged.
    """
    centre = params.theta.mean(axis=0)
    theta = params.theta - centre
    intercept = params.intercept + params.loadings @ centre
    k = theta.shape[1]
    ref = reference - reference.mean()
    v1, *_ = np.linalg.lstsq(theta, ref, rcond=None)
    norm = np.linalg.norm(v1)
    v1 = v1 / norm if norm > 0 else np.eye(k)[0]
    # complete an orthonormal basis, then order the rest by spread of the positions
    basis = np.linalg.qr(np.column_stack([v1, np.eye(k)]))[0][:, :k]
    basis[:, 0] = v1
    rest = theta @ basis[:, 1:]
    if k > 1:
        _, _, vt = np.linalg.svd(rest, full_matrices=False)
        basis[:, 1:] = basis[:, 1:] @ vt.T
    return FactorParams(theta @ basis, params.loadings @ basis, intercept)
