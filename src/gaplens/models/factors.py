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

Solver: Levenberg-Marquardt on all parameters at once (:func:`fit_factors`), with the
models' K x K blocks eliminated so that each step solves one B (K + 1) system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .irt import sigmoid
from .schur import bincount2

NEWTON_BELOW = 0.5



@dataclass(frozen=True)
class FactorParams:
    theta: np.ndarray  # (M, K) model positions
    loadings: np.ndarray  # (B, K)
    intercept: np.ndarray  # (B,)

    def logits(self, model_idx, bench_idx) -> np.ndarray:
        return (np.einsum("nk,nk->n", self.theta[model_idx], self.loadings[bench_idx])
                + self.intercept[bench_idx])

    def predict(self, model_idx, bench_idx) -> np.ndarray:
        return sigmoid(self.logits(model_idx, bench_idx))


@dataclass(frozen=True)
class FactorFit:
    params: FactorParams
    objective: float
    iterations: int
    converged: bool


def _sum_by(idx: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of (n, q) rows by index into (size, q) (one bincount per column)."""
    return bincount2(idx, np.ascontiguousarray(values.T), size).T


def _objective(theta, load, model_idx, bench_idx, y, w, rho_theta, rho_load):
    k = theta.shape[1]
    logits = np.einsum("nk,nk->n", theta[model_idx], load[bench_idx, :k]) + load[bench_idx, k]
    r = sigmoid(logits) - y
    return float((w * r * r).sum() + (rho_theta * theta ** 2).sum() + (rho_load * load ** 2).sum())


def fit_factors(model_idx: np.ndarray, bench_idx: np.ndarray, y: np.ndarray, n_models: int,
                n_benchmarks: int, start: FactorParams, rho: float = 1e-3,
                rho_extra: float = 1.0, weights: np.ndarray | None = None,
                max_iter: int = 500,
                freeze_general: bool = False) -> FactorFit:
    """Fit from ``start`` (which fixes K); returns the fitted parameters.

    Levenberg-Marquardt on all parameters at once (Gauss-Newton far from the solution,
    the exact Hessian once steps are small), with the models' K x K blocks eliminated
    (Schur complement over the benchmarks' B (K + 1) parameters). Converged when an
    accepted step moves no parameter by more than 1e-7. With ``freeze_general`` axis 1
    and the intercepts keep their start values (the one-dimensional fit) and only the
    extra axes are fitted: they describe what the index leaves unexplained.
    """
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    theta = start.theta.astype(float).copy()
    load = np.column_stack([start.loadings, start.intercept]).astype(float)
    m, k = theta.shape
    b, p = load.shape
    rho_theta = np.array([rho] + [rho_extra] * (k - 1))
    rho_load = np.array([rho] + [rho_extra] * (k - 1) + [rho])
    args = (model_idx, bench_idx, y, w, rho_theta, rho_load)
    f = _objective(theta, load, *args)
    mu, converged, it, last_step = 1e-3, False, 0, np.inf
    eye_k, eye_p = np.eye(k), np.eye(p)
    for it in range(1, max_iter + 1):
        newton = last_step < NEWTON_BELOW
        feats = np.column_stack([theta[model_idx], np.ones(len(y))])
        logits = np.einsum("np,np->n", feats, load[bench_idx])
        s_ = sigmoid(logits)
        r, g = s_ - y, s_ * (1 - s_)
        a_i = load[bench_idx, :k]
        wrg = w * r * g
        grad_m = _sum_by(model_idx, wrg[:, None] * a_i, m)
        grad_b = _sum_by(bench_idx, wrg[:, None] * feats, b)
        grad_m += rho_theta * theta
        grad_b += rho_load * load
        # Gauss-Newton weight w g^2; near the solution (newton) add the residual curvature
        # w r g(1-2s) (the exact Hessian; damping keeps the step a descent one).
        kappa = w * g * g + (w * r * g * (1 - 2 * s_) if newton else 0.0)
        outer_m = (kappa[:, None, None] * a_i[:, :, None] * a_i[:, None, :]).reshape(-1, k * k)
        outer_b = (kappa[:, None, None] * feats[:, :, None] * feats[:, None, :]).reshape(-1, p * p)
        h_mm = _sum_by(model_idx, outer_m, m).reshape(m, k, k)
        h_bb = _sum_by(bench_idx, outer_b, b).reshape(b, p, p)
        diag_m = _sum_by(model_idx, (w * g * g)[:, None] * a_i ** 2, m)
        diag_b = _sum_by(bench_idx, (w * g * g)[:, None] * feats ** 2, b)
        h_mm += np.diag(rho_theta) + mu * (diag_m + rho_theta)[:, :, None] * eye_k
        h_bb += np.diag(rho_load) + mu * (diag_b + rho_load)[:, :, None] * eye_p
        # H_mb: one K x (K+1) block per observation (its model's row, its benchmark's
        # columns); kept per observation, never as a dense models x B (K+1) matrix.
        block = kappa[:, None, None] * a_i[:, :, None] * feats[:, None, :]  # (n, K, K+1)
        if newton:
            block[:, np.arange(k), np.arange(k)] += wrg[:, None]
        cols = bench_idx[:, None] * p + np.arange(p)[None, :]
        if freeze_general:
            block[:, 0, :] = 0.0
            block[:, :, [0, k]] = 0.0
        if freeze_general:  # axis 1 and the intercepts stay at the start (the 1-D fit)
            grad_m[:, 0] = 0.0
            grad_b[:, [0, k]] = 0.0
            for h, idx in ((h_mm, [0]), (h_bb, [0, k])):
                h[:, idx, :] = 0.0
                h[:, :, idx] = 0.0
                h[:, idx, idx] = 1.0
        try:  # H_mm = L L^T per model; indefinite: damp harder
            inv_l = np.linalg.inv(np.linalg.cholesky(h_mm))
        except np.linalg.LinAlgError:
            mu *= 8
            continue
        # Schur complement over the benchmarks as one matrix product:
        # S = H_bb - sum_m H_bm H_mm^-1 H_mb = H_bb - Y^T Y with Y_m = L_m^-1 H_mb,
        # Y scattered from the observations' blocks.
        y_m = np.zeros((m, k, b * p))
        y_m[model_idx[:, None, None], np.arange(k)[None, :, None], cols[:, None, :]] = (
            np.matmul(inv_l[model_idx], block))
        y_m = y_m.reshape(m * k, b * p)
        schur = -(y_m.T @ y_m)
        for j in range(b):
            schur[j * p:(j + 1) * p, j * p:(j + 1) * p] += h_bb[j]
        h_inv = np.matmul(inv_l.transpose(0, 2, 1), inv_l)  # H_mm^-1 = L^-T L^-1
        hm_g = np.einsum("mij,mj->mi", h_inv, grad_m)
        back = np.einsum("nkp,nk->np", block, hm_g[model_idx])  # H_bm H_mm^-1 g_m
        rhs = -(grad_b - _sum_by(bench_idx, back, b)).ravel()
        try:
            delta_b = np.linalg.solve(schur, rhs)
        except np.linalg.LinAlgError:
            mu *= 8
            continue
        push = np.einsum("nkp,np->nk", block, delta_b.reshape(b, p)[bench_idx])
        delta_m = -(hm_g + np.einsum("mij,mj->mi", h_inv, _sum_by(model_idx, push, m)))
        trial_theta, trial_load = theta + delta_m, load + delta_b.reshape(b, p)
        f_new = _objective(trial_theta, trial_load, *args)
        step = max(np.abs(delta_m).max(), np.abs(delta_b).max())
        if f_new <= f:
            last_step = step
            theta, load, f = trial_theta, trial_load, f_new
            mu = max(mu / 5, 1e-12)
            if step < 1e-7:
                converged = True
                break
        else:
            mu *= 8
            if mu > 1e12:
                break
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
