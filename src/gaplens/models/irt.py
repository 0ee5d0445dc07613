"""The benchmark-level item-response model behind the capability index.

For model m and benchmark b with normalised score y in [0, 1]:

    y(m, b) = sigmoid(alpha_b * (C_m - D_b))

C is the model's capability, D the benchmark's difficulty, alpha its slope (steep
benchmarks saturate fast). The fit is the one of Epoch AI's Capabilities Index
(METHODS.md section 3, eci-public): weighted non-linear least squares with a ridge
term,

    f(theta) = sum_i w_i (sigmoid(alpha_b (C_m - D_b)) - y_i)^2 + (lam / P) * |theta|^2

over theta = (C, D, u) with P = M + B + (B - 1) free parameters, where u = alpha
(``alpha_penalty="l2"``, Epoch's default, which pulls slopes towards 0) or u = log(alpha)
(``"log"``, which pulls slopes towards 1). Scores are clipped to [eps, 1 - eps], and
C, D are bounded to [-10, 10], alpha to [0.1, 10].

Identification: the anchor benchmark has alpha = 1 (not a parameter); its difficulty is
fitted like the others (the ridge fixes the location) and the solution is then shifted
so that D_anchor = 0. With lam = 0 the location is not identified and D_anchor is held
at 0 instead.

Solver: projected Levenberg-Marquardt on the Gauss-Newton system (the exact Hessian
near the solution), the capability block eliminated (it is diagonal), so each step
solves one 2B x 2B system S (the Schur complement) per draw. A Newton step that does not
lower f is followed by a Gauss-Newton one (positive definite, so downhill) with the
damping kept; each step tries the full length and shorter ones down to 1/64. Bootstrap
draws are fitted together: a model-stratified resample is a vector of integer weights on
the same observations, so every draw shares the index arrays, and a batch of draws is
fitted on the observations weighted in at least one of its draws (a single draw leaves
about 1/e of them out). S is solved one of three ways (models/schur.py):

* ``dense`` (the reference): S built as a (M + 2B) (2B)^2 product and solved by LU
  (by Cholesky, or LU if indefinite, for 2B >= 256);
* ``cg``: conjugate gradients, each product by S computed from the observations without
  forming it (O(n) per draw), preconditioned by the Cholesky factor of the draw's last
  dense S (built on its first step and again only when 12 iterations do not reach the
  tolerance): near a warm start S changes little from step to step;
* the same reuse on Newton steps only (Gauss-Newton steps, far from the solution, are
  built densely), which ``auto`` takes when the dense build is large against the
  observations (models/schur.py: reuse_cheaper; 100 times the bundled data).

``auto`` takes ``cg`` for warm-started batches when its estimated cost is lower. Draws
that converge (or stall) leave the batch, so a draw that does not converge costs only
its own steps. Draws are processed in chunks sized to a fixed memory budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np
from scipy.special import expit

from ..errors import ConfigError
from .schur import (Reuse, bincount2, cg_cheaper, cg_solve, dense_schur, dense_solve,
                    reuse_cheaper)

AlphaPenalty = Literal["l2", "log"]
Progress = Callable[[int, int], None]
Solver = Literal["auto", "dense", "cg"]

CAPABILITY_BOUNDS = (-10.0, 10.0)
SLOPE_BOUNDS = (0.1, 10.0)
CHUNK_BYTES = 64e6
MU0, MU_DOWN, MU_UP = 1e-3, 5.0, 8.0
NEWTON_BELOW = 0.5
NEWTON_DONE = 1e-6
LINE_SEARCH = (0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625)


@dataclass(frozen=True)
class Regularisation:
    """The ridge: ``lam`` times the mean square of the free parameters."""

    lam: float = 0.1
    alpha_penalty: AlphaPenalty = "l2"

    def __post_init__(self) -> None:
        if not (self.lam >= 0 and np.isfinite(self.lam)):
            raise ConfigError(f"the regularisation strength must be >= 0, not {self.lam}")
        if self.alpha_penalty not in ("l2", "log"):
            raise ConfigError(f"alpha penalty must be 'l2' or 'log', not '{self.alpha_penalty}'")

    @property
    def label(self) -> str:
        return f"lambda={self.lam:g}, penalty on {'alpha' if self.alpha_penalty == 'l2' else 'log(alpha)'}"


@dataclass(frozen=True)
class IRTData:
    """Observations as integer indices: the numerical core sees only arrays.

    Every (model, benchmark) pair appears at most once (collapse before fitting).
    """

    model_idx: np.ndarray  # (n,) int
    bench_idx: np.ndarray  # (n,) int
    y: np.ndarray  # (n,) float, clipped to [eps, 1 - eps]
    n_models: int
    n_benchmarks: int
    anchor: int  # index of the anchor benchmark (alpha = 1, D = 0)

    @classmethod
    def from_arrays(cls, model_idx, bench_idx, y, n_models: int, n_benchmarks: int,
                    anchor: int, clip_eps: float = 1e-3) -> "IRTData":
        model_idx = np.asarray(model_idx, dtype=np.int64)
        bench_idx = np.asarray(bench_idx, dtype=np.int64)
        y = np.asarray(y, dtype=float)
        if not (len(model_idx) == len(bench_idx) == len(y)):
            raise ConfigError("model, benchmark and score arrays differ in length")
        if len(y) == 0:
            raise ConfigError("no observations to fit")
        if np.isnan(y).any() or (y < 0).any() or (y > 1).any():
            raise ConfigError("scores must be normalised to [0, 1] before fitting")
        if not 0 <= anchor < n_benchmarks:
            raise ConfigError("the anchor benchmark index is out of range")
        if len(y) and (model_idx.min() < 0 or model_idx.max() >= n_models):
            raise ConfigError("a model index is out of range")
        if len(y) and (bench_idx.min() < 0 or bench_idx.max() >= n_benchmarks):
            raise ConfigError("a benchmark index is out of range")
        pair = model_idx * n_benchmarks + bench_idx
        if len(np.unique(pair)) != len(pair):
            raise ConfigError("a (model, benchmark) pair appears twice; collapse first")
        return cls(model_idx, bench_idx, np.clip(y, clip_eps, 1 - clip_eps), int(n_models),
                   int(n_benchmarks), int(anchor))

    @property
    def n_obs(self) -> int:
        return len(self.y)

    @property
    def n_free(self) -> int:
        """Epoch's parameter count P (the ridge is a mean over these)."""
        return self.n_models + 2 * self.n_benchmarks - 1


@dataclass(frozen=True)
class IRTParams:
    """Fitted parameters on the raw scale; a leading axis indexes bootstrap draws."""

    capability: np.ndarray  # (..., M)
    difficulty: np.ndarray  # (..., B)
    slope: np.ndarray  # (..., B)

    def predict(self, model_idx, bench_idx) -> np.ndarray:
        a = self.slope[..., bench_idx]
        return sigmoid(a * (self.capability[..., model_idx] - self.difficulty[..., bench_idx]))

    def draw(self, k: int) -> "IRTParams":
        return IRTParams(self.capability[k], self.difficulty[k], self.slope[k])


@dataclass(frozen=True)
class FitOutcome:
    params: IRTParams
    converged: np.ndarray  # (draws,) bool
    iterations: np.ndarray  # (draws,) int
    objective: np.ndarray  # (draws,) float, f at the solution
    at_bound: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    # (draws, M + 2B): parameters (C, D, then slope) sitting at a bound


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# --- parameter vector: theta = [C (M), D (B), u (B)], u_anchor fixed ------------------

def _bounds(data: IRTData, reg: Regularisation) -> tuple[np.ndarray, np.ndarray]:
    m, b = data.n_models, data.n_benchmarks
    lo_u, hi_u = SLOPE_BOUNDS
    if reg.alpha_penalty == "log":
        lo_u, hi_u = np.log(lo_u), np.log(hi_u)
    lo = np.concatenate([np.full(m + b, CAPABILITY_BOUNDS[0]), np.full(b, lo_u)])
    hi = np.concatenate([np.full(m + b, CAPABILITY_BOUNDS[1]), np.full(b, hi_u)])
    return lo, hi


def _pinned(data: IRTData, reg: Regularisation) -> np.ndarray:
    """Parameters that are not free: the anchor's slope (and its difficulty if lam = 0)."""
    m, b = data.n_models, data.n_benchmarks
    pinned = np.zeros(m + 2 * b, dtype=bool)
    pinned[m + b + data.anchor] = True
    if reg.lam == 0:
        pinned[m + data.anchor] = True
    return pinned


def to_theta(params: IRTParams, data: IRTData, reg: Regularisation) -> np.ndarray:
    u = params.slope if reg.alpha_penalty == "l2" else np.log(params.slope)
    return np.concatenate([np.atleast_2d(params.capability), np.atleast_2d(params.difficulty),
                           np.atleast_2d(u)], axis=1)


def from_theta(theta: np.ndarray, data: IRTData, reg: Regularisation) -> IRTParams:
    m, b = data.n_models, data.n_benchmarks
    u = theta[:, m + b:]
    slope = u if reg.alpha_penalty == "l2" else np.exp(u)
    return IRTParams(theta[:, :m].copy(), theta[:, m:m + b].copy(), slope.copy())


def _anchor_u(reg: Regularisation) -> float:
    return 1.0 if reg.alpha_penalty == "l2" else 0.0


def _prediction(theta, data, reg):
    """Per observation: slope alpha, z = C - D and the prediction s."""
    m, b = data.n_models, data.n_benchmarks
    cap = np.take(theta[:, :m], data.model_idx, axis=1)
    dif = np.take(theta[:, m:m + b], data.bench_idx, axis=1)
    u = np.take(theta[:, m + b:], data.bench_idx, axis=1)
    alpha = u if reg.alpha_penalty == "l2" else np.exp(u)
    z = cap - dif
    return alpha, z, expit(alpha * z)  # sigmoid, in one pass


def _forward(theta, data, reg, w=None, parts=False):
    """Per observation: residual r and the Jacobian columns (d, n); with ``parts`` also
    (alpha, z, s) for :func:`_curvature`."""
    alpha, z, s = _prediction(theta, data, reg)
    r = s - data.y
    g = s * (1.0 - s)
    j_c = g * alpha
    j_u = g * z if reg.alpha_penalty == "l2" else g * z * alpha
    if parts:
        return r, j_c, j_u, (alpha, z, s)
    return r, j_c, j_u


def _curvature(theta, data, reg, parts=None):
    """Second derivatives of the prediction per observation: (s_cc, s_cu, s_uu).

    s_DD = s_cc, s_CD = -s_cc, s_Du = -s_cu (x = alpha z, g = s(1-s), g' = g(1-2s)).
    ``parts``: (alpha, z, s) at ``theta`` if already computed.
    """
    alpha, z, s = _prediction(theta, data, reg) if parts is None else parts
    x = alpha * z
    g = s * (1.0 - s)
    g1 = g * (1.0 - 2.0 * s)
    s_cc = g1 * alpha * alpha
    inner = g1 * x + g
    if reg.alpha_penalty == "l2":
        return s_cc, inner, g1 * z * z
    return s_cc, alpha * inner, x * inner


def _rho(data: IRTData, reg: Regularisation) -> float:
    return reg.lam / data.n_free


def objective(theta: np.ndarray, data: IRTData, reg: Regularisation,
              weights: np.ndarray | None = None) -> np.ndarray:
    """f(theta) per draw; theta has shape (d, M + 2B) (the anchor's u at its pinned value)."""
    theta = np.atleast_2d(theta)
    w = np.ones((1, data.n_obs)) if weights is None else np.atleast_2d(weights)
    r = _prediction(theta, data, reg)[2] - data.y
    free = ~_pinned(data, reg)
    return (w * r * r).sum(axis=1) + _rho(data, reg) * (theta[:, free] ** 2).sum(axis=1)


def gradient(theta: np.ndarray, data: IRTData, reg: Regularisation,
             weights: np.ndarray | None = None) -> np.ndarray:
    """df/dtheta per draw (zero on pinned parameters)."""
    theta = np.atleast_2d(theta)
    w = np.ones((theta.shape[0], data.n_obs)) if weights is None else np.atleast_2d(weights)
    w = np.broadcast_to(w, (theta.shape[0], data.n_obs))
    r, j_c, j_u = _forward(theta, data, reg, w)
    grad = _half_gradient(theta, data, reg, w, r, j_c, j_u)
    return 2.0 * grad


def _half_gradient(theta, data, reg, w, r, j_c, j_u):
    m, b = data.n_models, data.n_benchmarks
    wr = w * r
    grad = np.concatenate([
        bincount2(data.model_idx, wr * j_c, m),
        bincount2(data.bench_idx, -wr * j_c, b),
        bincount2(data.bench_idx, wr * j_u, b),
    ], axis=1)
    grad += _rho(data, reg) * theta
    grad[:, _pinned(data, reg)] = 0.0
    return grad


def _lm_step(theta, data, reg, w, r, j_c, j_u, mu, lo, hi, newton=True, precond=None,
             parts=None):
    """One damped Gauss-Newton step per draw, capability block eliminated; the
    benchmark system solved densely or, given ``precond``, by conjugate gradients."""
    d = theta.shape[0]
    m, b = data.n_models, data.n_benchmarks
    rho = _rho(data, reg)
    pinned = _pinned(data, reg)
    grad = _half_gradient(theta, data, reg, w, r, j_c, j_u)
    # Active bounds: at a bound with the gradient pushing outwards.
    active = ((theta <= lo) & (grad > 0)) | ((theta >= hi) & (grad < 0)) | pinned[None, :]
    g = np.where(active, 0.0, grad)

    # Gauss-Newton blocks (always positive semi-definite) ...
    gn_cc = w * j_c * j_c
    gn_cu = w * j_c * j_u
    gn_uu = w * j_u * j_u
    diag_cc = bincount2(data.model_idx, gn_cc, m) + rho
    diag_dd = bincount2(data.bench_idx, gn_cc, b) + rho
    diag_uu = bincount2(data.bench_idx, gn_uu, b) + rho
    e_cc, e_cu, e_uu = gn_cc, gn_cu, gn_uu
    if np.any(newton):
        # ... plus the residual curvature: the exact Hessian, damped by mu * diag(GN).
        s_cc, s_cu, s_uu = _curvature(theta, data, reg, parts)
        q = w * r * np.broadcast_to(newton, (theta.shape[0],))[:, None]
        e_cc, e_cu, e_uu = gn_cc + q * s_cc, gn_cu + q * s_cu, gn_uu + q * s_uu
    # Marquardt scaling, with a floor so that a parameter without curvature yet (a slope
    # while every C = D) still gets a damped, non-singular step.
    mu_ = mu[:, None]
    floor = 1e-6 * (1.0 + diag_cc.mean(axis=1, keepdims=True))
    diag_cc, diag_dd, diag_uu = (np.maximum(x, floor) for x in (diag_cc, diag_dd, diag_uu))
    h_cc = bincount2(data.model_idx, e_cc, m) + rho + mu_ * diag_cc
    h_dd = bincount2(data.bench_idx, e_cc, b) + rho + mu_ * diag_dd
    h_du = bincount2(data.bench_idx, -e_cu, b)
    h_uu = bincount2(data.bench_idx, e_uu, b) + rho + mu_ * diag_uu
    indefinite = (h_cc <= 1e-12 * diag_cc).any(axis=1)

    act_c, act_d, act_u = active[:, :m], active[:, m:m + b], active[:, m + b:]
    h_cc = np.where(act_c | (h_cc <= 1e-12 * diag_cc), 1.0, h_cc)
    keep_c = ~np.take(act_c, data.model_idx, axis=1)
    cross_d = np.where(keep_c & ~np.take(act_d, data.bench_idx, axis=1), -e_cc, 0.0)
    cross_u = np.where(keep_c & ~np.take(act_u, data.bench_idx, axis=1), e_cu, 0.0)

    nb = 2 * b
    g_c, g_b = g[:, :m], g[:, m:]
    gc_h = np.take((g_c / h_cc), data.model_idx, axis=1)
    rhs = -(g_b - np.concatenate([bincount2(data.bench_idx, cross_d * gc_h, b),
                                  bincount2(data.bench_idx, cross_u * gc_h, b)], axis=1))
    blocks = (np.where(act_d, 1.0, h_dd), np.where(act_u, 1.0, h_uu),
              np.where(act_d | act_u, 0.0, h_du))
    if precond is None:
        s = dense_schur(data, blocks, h_cc, cross_d, cross_u)
        delta_b, solvable = dense_solve(s, rhs)
    elif isinstance(precond, Reuse):
        delta_b, solvable = precond.solve(data, blocks, h_cc, cross_d, cross_u, rhs)
    else:
        delta_b, solvable = cg_solve(data, blocks, h_cc, cross_d, cross_u, rhs, precond)
    delta_b[~solvable] = 0.0
    indefinite = indefinite | ~solvable
    back = (cross_d * np.take(delta_b, data.bench_idx, axis=1)
            + cross_u * np.take(delta_b, b + data.bench_idx, axis=1))
    delta_c = -(g_c + bincount2(data.model_idx, back, m)) / h_cc
    delta = np.concatenate([delta_c, delta_b], axis=1)
    delta[active] = 0.0
    # An indefinite system gives no trustworthy step: stay put (mu then grows).
    bad = indefinite | ~np.isfinite(delta).all(axis=1) | ((delta * grad).sum(axis=1) > 0)
    delta[bad] = 0.0
    return delta, grad, active, bad


def _weighted_rows(data: IRTData, w: np.ndarray) -> tuple[IRTData, np.ndarray]:
    """The observations with a positive weight in some draw of the batch, and their
    weights: the others add nothing to any sum of the fit. A bootstrap draw leaves about
    a third of the observations out (1/e), so a batch of one or a few draws fits on
    about two thirds of the rows."""
    keep = (w > 0).any(axis=0)
    if keep.mean() > 0.9:
        return data, w
    sub = IRTData(data.model_idx[keep], data.bench_idx[keep], data.y[keep], data.n_models,
                  data.n_benchmarks, data.anchor)
    return sub, w[:, keep]


def _chunk_size(data: IRTData, solver: str = "dense") -> int:
    per_draw = data.n_obs * 8 * 16
    if solver in ("dense", "reuse"):
        per_draw += (data.n_models + 2 * data.n_benchmarks) * 2 * data.n_benchmarks * 8 * 3
    return int(max(1, CHUNK_BYTES // per_draw))


def _solve(theta, data, reg, w, max_iter, tol, start_gn=True, solver="dense"):
    """Levenberg-Marquardt on a batch of draws; returns (theta, converged, iterations, f)."""
    lo, hi = _bounds(data, reg)
    d = theta.shape[0]
    theta = np.clip(theta, lo, hi)
    precond = Reuse(d, 2 * data.n_benchmarks) if solver in ("cg", "reuse") else None
    mu = np.full(d, MU0)
    converged = np.zeros(d, dtype=bool)
    iterations = np.zeros(d, dtype=int)
    f = objective(theta, data, reg, w)
    live = np.arange(d)
    last_step = np.full(d, np.inf if start_gn else 0.0)
    refused = np.zeros(d, dtype=bool)
    for it in range(max_iter):
        if live.size == 0:
            break
        th, ww = theta[live], w[live]
        r, j_c, j_u, parts = _forward(th, data, reg, ww, parts=True)
        newton = last_step[live] < NEWTON_BELOW
        if precond is not None:
            precond.live = live
            if solver == "reuse":  # conjugate gradients only on Newton steps
                precond.try_cg = newton
        delta, grad, active, bad = _lm_step(th, data, reg, ww, r, j_c, j_u, mu[live], lo, hi,
                                            newton, precond, parts)
        # Try the full step, then shorter ones (LINE_SEARCH); keep the longest that
        # lowers f.
        f_old = f[live]
        trial = np.clip(th + delta, lo, hi)
        f_new = objective(trial, data, reg, ww)
        for fraction in LINE_SEARCH:
            worse = f_new > f_old + 1e-13 * np.abs(f_old)
            if not worse.any():
                break
            shorter = np.clip(th[worse] + fraction * delta[worse], lo, hi)
            f_short = objective(shorter, data, reg, ww[worse])
            take = f_short <= f_old[worse]
            rows = np.flatnonzero(worse)[take]
            trial[rows], f_new[rows] = shorter[take], f_short[take]
        better = (f_new <= f_old + 1e-13 * np.abs(f_old)) & ~bad
        step = np.abs(trial - th).max(axis=1)
        theta[live[better]] = trial[better]
        f[live[better]] = f_new[better]
        last_step[live[better]] = step[better]
        # A Newton step that was refused (f did not fall, or no step) is followed by a
        # Gauss-Newton one, whose system is positive definite, so that the draw still
        # moves downhill; the damping, raised by the refusal to at least MU0, is kept
        # for the next Newton try.
        after = refused[live] & ~newton
        mu[live] = np.where(better, np.where(after, mu[live],
                                             np.maximum(mu[live] / MU_DOWN, 1e-12)),
                            mu[live] * MU_UP)
        refused[live] = ~better & newton
        mu[live] = np.where(refused[live], np.maximum(mu[live], MU0), mu[live])
        last_step[live[refused[live]]] = np.inf
        iterations[live] = it + 1
        proj = np.where(active, 0.0, grad)
        # Converged: a tiny accepted step; in the Newton regime the next error is about
        # the square of the step, so a step of NEWTON_DONE already means ~1e-12.
        done = (better & ((step < tol) | (newton & (step < NEWTON_DONE)))) | (
            np.abs(proj).max(axis=1) < tol * 1e-2)
        stuck = mu[live] > 1e12
        converged[live[done]] = True
        live = live[~(done | stuck)]
    return theta, converged, iterations, f


def initial_theta(data: IRTData, reg: Regularisation) -> np.ndarray:
    """A neutral start: C = D = 0, alpha = 1."""
    theta = np.zeros(data.n_models + 2 * data.n_benchmarks)
    theta[data.n_models + data.n_benchmarks:] = _anchor_u(reg)
    return theta


def fit(
    data: IRTData,
    reg: Regularisation = Regularisation(),
    weights: np.ndarray | None = None,
    start: IRTParams | None = None,
    max_iter: int = 500,
    tol: float = 1e-9,
    progress: Progress | None = None,
    solver: Solver = "auto",
) -> FitOutcome:
    """Fit the model; with ``weights`` of shape (draws, n) fit every draw at once.

    Returns parameters shifted so that the anchor benchmark's difficulty is 0.
    ``solver``: how each step's benchmark system is solved, ``"dense"`` (the reference)
    or ``"cg"`` (conjugate gradients, for warm-started batches); ``"auto"`` takes
    ``"cg"`` for a warm-started batch of several draws, else ``"dense"``.
    """
    if solver not in ("auto", "dense", "cg"):
        raise ConfigError(f"solver must be 'auto', 'dense' or 'cg', not '{solver}'")
    w = np.ones((1, data.n_obs)) if weights is None else np.atleast_2d(
        np.asarray(weights, dtype=float))
    if w.shape[1] != data.n_obs:
        raise ConfigError("weights must have one column per observation")
    d = w.shape[0]
    if start is None:
        theta0 = np.tile(initial_theta(data, reg), (d, 1))
    else:
        theta0 = to_theta(start, data, reg)
        theta0[:, data.n_models + data.n_benchmarks + data.anchor] = _anchor_u(reg)
        if theta0.shape[0] != d:
            theta0 = np.tile(theta0[:1], (d, 1))
    theta = np.empty_like(theta0)
    converged = np.zeros(d, dtype=bool)
    iterations = np.zeros(d, dtype=int)
    f = np.zeros(d)
    how = solver
    if solver == "auto":
        how = "cg" if start is not None and d > 1 and cg_cheaper(data) else "dense"
        if how == "dense" and reuse_cheaper(data):
            how = "reuse"
    chunk = _chunk_size(data, how)
    for start_row in range(0, d, chunk):
        rows = slice(start_row, min(d, start_row + chunk))
        sub, w_sub = _weighted_rows(data, w[rows])
        out = _solve(theta0[rows].copy(), sub, reg, w_sub, max_iter, tol, solver=how)
        theta[rows], converged[rows], iterations[rows], f[rows] = out
        if progress is not None:
            progress(rows.stop, d)
    lo, hi = _bounds(data, reg)
    at_bound = ((theta <= lo + 1e-9) | (theta >= hi - 1e-9)) & ~_pinned(data, reg)[None, :]
    params = from_theta(theta, data, reg)
    shift = params.difficulty[:, data.anchor].copy()
    params = IRTParams(params.capability - shift[:, None], params.difficulty - shift[:, None],
                       params.slope)
    return FitOutcome(params, converged, iterations, f, at_bound)


def bootstrap(
    data: IRTData,
    reg: Regularisation,
    n_draws: int,
    rng: np.random.Generator,
    start: IRTParams,
    max_iter: int = 500,
    tol: float = 1e-9,
    progress: Progress | None = None,
    solver: Solver = "auto",
    jobs: int = 1,
) -> FitOutcome:
    """``n_draws`` model-stratified bootstrap refits, warm-started from ``start``.

    Same draws as ``fit(data, reg, weights=stratified_weights(model_idx, n_draws, rng))``
    but the weights are generated one chunk of draws at a time, so memory stays
    proportional to the chunk, not to draws x observations. With ``jobs`` >= 2 the chunks
    are fitted on that many forked workers (their weights still drawn here, in order, so
    the draws are the same; each draw's fit does not depend on the others).
    """
    from .._util.workers import imap_forked

    how = solver if solver != "auto" else ("cg" if cg_cheaper(data) else "dense")
    chunk = _chunk_size(data, how)

    def weights():
        for first in range(0, n_draws, chunk):
            yield stratified_weights(data.model_idx, min(chunk, n_draws - first), rng)

    def refit(w: np.ndarray) -> FitOutcome:
        return fit(data, reg, weights=w, start=start, max_iter=max_iter, tol=tol,
                   solver=solver)

    parts = []
    for part in imap_forked(refit, weights(), jobs):
        parts.append(part)
        if progress is not None:
            progress(min(n_draws, len(parts) * chunk), n_draws)
    if not parts:
        empty = np.zeros((0, 0))
        return FitOutcome(IRTParams(empty, empty, empty), np.zeros(0, dtype=bool),
                          np.zeros(0, dtype=int), np.zeros(0))
    cat = lambda name: np.concatenate([getattr(p.params, name) for p in parts])  # noqa: E731
    return FitOutcome(IRTParams(cat("capability"), cat("difficulty"), cat("slope")),
                      np.concatenate([p.converged for p in parts]),
                      np.concatenate([p.iterations for p in parts]),
                      np.concatenate([p.objective for p in parts]),
                      np.concatenate([p.at_bound for p in parts]))


def stratified_weights(model_idx: np.ndarray, n_draws: int,
                       rng: np.random.Generator) -> np.ndarray:
    """Model-stratified bootstrap as weights: each model's rows resampled with replacement.

    A model with k rows draws k times from its own rows, so it keeps its count; the
    weight of a row is how often it was drawn. Shape (n_draws, n).
    """
    model_idx = np.asarray(model_idx)
    n = len(model_idx)
    order = np.argsort(model_idx, kind="stable")
    counts = np.bincount(model_idx)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # For each row position, draw a row uniformly from the same model's block.
    size = counts[model_idx[order]]
    first = starts[model_idx[order]]
    picks = first[None, :] + np.floor(rng.random((n_draws, n)) * size[None, :]).astype(np.int64)
    w = np.zeros((n_draws, n))
    flat = (order[picks] + n * np.arange(n_draws)[:, None]).ravel()
    w.ravel()[:] = np.bincount(flat, minlength=n_draws * n)
    return w


# --- one-dimensional projection with the benchmark parameters frozen ------------------

# Flat (draw, observation) rows a projection holds at once (each array of them 16 MiB).
PROJECT_ROWS = 1 << 21


def project(
    model_idx: np.ndarray,
    bench_idx: np.ndarray,
    y: np.ndarray,
    n_models: int,
    difficulty: np.ndarray,
    slope: np.ndarray,
    rho: float,
    weights: np.ndarray | None = None,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Capability of each model given frozen (D, alpha): a one-parameter fit per model.

    Minimises sum_b w (sigmoid(alpha_b (C - D_b)) - y)^2 + rho C^2 per model.
    ``difficulty``/``slope`` are (B,) or (draws, B); returns (C (draws, M), converged).

    Each (draw, model) pair is its own damped Newton iteration on its own rows, so the
    rows are kept flat (one entry per draw and observation with a positive weight) and a
    pair leaves the iteration as soon as it has converged, or is stuck (damping above
    1e12, counted as not converged): the work of a step is proportional to the pairs
    still running, and one that never converges costs only its own rows.
    """
    difficulty = np.atleast_2d(difficulty)
    slope = np.atleast_2d(slope)
    d = max(difficulty.shape[0], slope.shape[0],
            1 if weights is None else np.atleast_2d(weights).shape[0])
    n = len(y)
    w = np.ones((1, n)) if weights is None else np.atleast_2d(weights)
    w = np.broadcast_to(w, (d, n))
    difficulty = np.broadcast_to(difficulty, (d, difficulty.shape[1]))
    slope = np.broadcast_to(slope, (d, slope.shape[1]))
    # Draws are independent: a block of draws at a time bounds the flat rows' memory
    # (each pair's sums run over the same rows in the same order: the same numbers).
    block = max(1, PROJECT_ROWS // max(n, 1))
    parts = [_project_block(model_idx, bench_idx, y, n_models, difficulty[i:i + block],
                            slope[i:i + block], rho, w[i:i + block], max_iter)
             for i in range(0, d, block)]
    if len(parts) == 1:
        return parts[0]
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


def _project_block(model_idx, bench_idx, y, n_models, difficulty, slope, rho, w, max_iter):
    """:func:`project` for one block of draws (``w``: (draws, n) weights)."""
    d = w.shape[0]
    lo, hi = CAPABILITY_BOUNDS
    size = d * n_models
    # flat entries: (draw, observation) with a positive weight; key = draw * M + model
    draw_of, obs_of = np.nonzero(w > 0)
    ww = w[draw_of, obs_of].astype(float)
    a = slope[draw_of, bench_idx[obs_of]]
    dd = difficulty[draw_of, bench_idx[obs_of]]
    yy = np.asarray(y, dtype=float)[obs_of]
    key = draw_of * n_models + np.asarray(model_idx)[obs_of]
    del draw_of, obs_of
    c = np.zeros(size)
    mu = np.full(size, 1e-3)
    converged = np.zeros(size, dtype=bool)

    # f at C = 0 for every pair (pairs without rows have f = 0 and converge at once)
    s = sigmoid(-a * dd)  # each row's sigmoid at its pair's current C
    r0 = s - yy
    f = np.bincount(key, ww * r0 * r0, minlength=size)
    running = np.bincount(key, minlength=size) > 0
    converged[~running] = True
    for _ in range(max_iter):
        keys = np.flatnonzero(running)
        if keys.size == 0:
            break
        r = s - yy
        g = s * (1 - s)
        j = g * a
        grad = np.bincount(key, ww * r * j, minlength=size)[keys] + rho * c[keys]
        gn = np.bincount(key, ww * j * j, minlength=size)[keys] + rho
        # Exact second derivative where it is positive (quadratic convergence), else GN.
        exact = gn + np.bincount(key, ww * r * g * (1 - 2 * s) * a * a, minlength=size)[keys]
        hess = np.where(exact > 1e-12, exact, gn) + mu[keys] * gn + 1e-12
        trial = np.clip(c[keys] - grad / hess, lo, hi)
        full = np.zeros(size)
        full[keys] = trial
        st = sigmoid(a * (full[key] - dd))
        rt = st - yy
        f_new = np.bincount(key, ww * rt * rt, minlength=size)[keys] + rho * trial * trial
        f_old = f[keys]
        better = f_new <= f_old
        step = np.abs(trial - c[keys])
        c[keys] = np.where(better, trial, c[keys])
        f[keys] = np.where(better, f_new, f_old)
        mu[keys] = np.where(better, np.maximum(mu[keys] / 5, 1e-12), mu[keys] * 8)
        done = (better & (step < 1e-9)) | (np.abs(grad) < 1e-12)
        converged[keys[done]] = True
        stop = done | (mu[keys] > 1e12)
        running[keys[stop]] = False
        accepted = np.zeros(size, dtype=bool)
        accepted[keys[better]] = True
        s = np.where(accepted[key], st, s)  # the trial's sigmoid where C moved to it
        if stop.any():  # drop the rows of the pairs that have finished
            keep = running[key]
            a, dd, ww, yy, key, s = a[keep], dd[keep], ww[keep], yy[keep], key[keep], s[keep]
    return c.reshape(d, n_models), converged.reshape(d, n_models)
