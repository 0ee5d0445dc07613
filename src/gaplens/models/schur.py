"""The benchmark system of one Levenberg-Marquardt step of the index fit (models/irt.py).

With the capability block eliminated (it is diagonal), each step solves, per bootstrap
draw, the 2B x 2B Schur complement

    S = H_BB - H_BC diag(h_cc)^-1 H_CB,    S delta_B = rhs,

where H_BB holds the difficulty and slope blocks (h_dd, h_du, h_uu per benchmark) and
H_CB has one entry per observation and parameter kind (cross_d, cross_u). Two ways:

* dense (the reference): S built as a (M + 2B) (2B)^2 product per draw and solved by LU
  (Cholesky for large systems, 2B >= CHOLESKY_FROM, with LU if S is indefinite);
* conjugate gradients: each product S v from the observations, O(n) per draw, without
  forming S, preconditioned by the Cholesky factor of the draw's last dense S
  (:class:`Reuse`); for a few draws the product is two sparse products by the
  models x 2B cross-term matrix (:func:`sparse_products`).

Sums over observations by model or benchmark are row-wise bincounts (:func:`bincount2`),
contiguous segment sums when the index is sorted.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .irt import IRTData

CG_TOL = 1e-4
CG_MAX_ITER = 200
CG_COST = 6000
REUSE_CG_ITER = 12
CHOLESKY_FROM = 256
SPARSE_DRAWS = 4
REUSE_COST = 4000

_SORTED: dict = {}


def segments(idx: np.ndarray, size: int):
    """(present ids, segment starts) when ``idx`` is sorted, else None; cached per array
    (the observation index arrays are built once per fit and reused in every step)."""
    key = id(idx)
    hit = _SORTED.get(key)
    if hit is not None and hit[0] is idx and hit[1] == size:
        return hit[2]
    out = None
    if len(idx) and bool((idx[1:] >= idx[:-1]).all()):
        starts = np.flatnonzero(np.concatenate([[True], idx[1:] != idx[:-1]]))
        out = (idx[starts], starts)
    if len(_SORTED) > 16:
        _SORTED.clear()
    _SORTED[key] = (idx, size, out)
    return out


def bincount2(idx: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Row-wise bincount of (d, n) values into (d, size) (contiguous sums when ``idx`` is
    sorted, as the model index of a collapsed table is)."""
    d = values.shape[0]
    seg = segments(idx, size)
    if seg is not None:
        ids, starts = seg
        sums = np.add.reduceat(values, starts, axis=1)
        if len(ids) == size:
            return sums
        out = np.zeros((d, size))
        out[:, ids] = sums
        return out
    flat = (idx[None, :] + size * np.arange(d)[:, None]).ravel()
    return np.bincount(flat, weights=values.ravel(), minlength=d * size).reshape(d, size)


def dense_schur(data, blocks, h_cc, cross_d, cross_u):
    """S = H_BB - H_BC diag(h_cc)^-1 H_CB as dense (d, 2B, 2B) matrices.

    H_CB has one entry per observation and parameter kind, so it is scattered into a
    dense (models x 2B) buffer scaled by h_cc^-1/2 and S is updated with one batched
    product: cost models x (2B)^2 per draw (the reference implementation)."""
    d = h_cc.shape[0]
    m, b = data.n_models, data.n_benchmarks
    nb = 2 * b
    h_dd, h_uu, h_du = blocks
    diag = np.arange(b)
    s = np.zeros((d, nb, nb))
    s[:, diag, diag] = h_dd
    s[:, b + diag, b + diag] = h_uu
    s[:, diag, b + diag] = h_du
    s[:, b + diag, diag] = h_du
    scale = (1.0 / np.sqrt(h_cc))[:, data.model_idx]
    y = np.zeros((d, m * nb))
    base = data.model_idx * nb
    y[:, base + data.bench_idx] = cross_d * scale
    y[:, base + b + data.bench_idx] = cross_u * scale
    y = y.reshape(d, m, nb)
    s -= np.matmul(y.transpose(0, 2, 1), y)
    return s


def dense_solve(s, rhs):
    """Batched dense solve; a singular system gives no step for that draw only.

    Large systems (2B >= CHOLESKY_FROM) are solved one draw at a time by Cholesky, half
    the work of LU, when S is positive definite (always for Gauss-Newton steps, and for
    Newton steps near a minimum); an indefinite S falls back to LU."""
    d, nb = rhs.shape
    if nb >= CHOLESKY_FROM:
        return _cholesky_solve(s, rhs)
    solvable = np.isfinite(s).all(axis=(1, 2))
    try:
        delta_b = np.linalg.solve(np.where(solvable[:, None, None], s, np.eye(nb)),
                                  rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        sign, _ = np.linalg.slogdet(s)
        solvable &= sign != 0
        delta_b = np.zeros((d, nb))
        if solvable.any():
            delta_b[solvable] = np.linalg.solve(s[solvable], rhs[solvable][:, :, None])[:, :, 0]
    return delta_b, solvable


def _cholesky_solve(s, rhs):
    from scipy.linalg import LinAlgError, cho_factor, cho_solve, lu_factor, lu_solve

    d, nb = rhs.shape
    delta_b = np.zeros((d, nb))
    solvable = np.isfinite(s).all(axis=(1, 2))
    for k in np.flatnonzero(solvable):
        try:
            factor = cho_factor(s[k], lower=True, check_finite=False)
            delta_b[k] = cho_solve(factor, rhs[k], check_finite=False)
            continue
        except LinAlgError:
            pass
        with warnings.catch_warnings():  # a singular S is reported as not solvable
            warnings.simplefilter("ignore")
            lu, piv = lu_factor(s[k], check_finite=False)
        if np.all(np.diag(lu) != 0):
            delta_b[k] = lu_solve((lu, piv), rhs[k], check_finite=False)
        else:
            solvable[k] = False
    return delta_b, solvable


def schur_matvec(data, blocks, h_cc, cross_d, cross_u, v):
    """S v without forming S: O(observations) per draw."""
    b = data.n_benchmarks
    h_dd, h_uu, h_du = blocks
    vd, vu = v[:, :b], v[:, b:]
    t = cross_d * np.take(vd, data.bench_idx, axis=1)
    t += cross_u * np.take(vu, data.bench_idx, axis=1)
    back = np.take(bincount2(data.model_idx, t, data.n_models) / h_cc, data.model_idx, axis=1)
    return np.concatenate([h_dd * vd + h_du * vu - bincount2(data.bench_idx, cross_d * back, b),
                           h_du * vd + h_uu * vu - bincount2(data.bench_idx, cross_u * back, b)],
                          axis=1)


def sparse_products(data, blocks, h_cc, cross_d, cross_u):
    """S v for each draw by two sparse products, S v = H_BB v - Y^T (Y v), with Y the
    models x 2B matrix of the cross terms scaled by h_cc^-1/2 (2 entries per observation,
    built once per system): about three times faster than :func:`schur_matvec` for a
    draw of 300 k observations. Returns ``product(k, v)`` for draw k; None when the
    observations are not sorted by model."""
    from scipy.sparse import csr_matrix

    if segments(data.model_idx, data.n_models) is None:
        return None
    m, b = data.n_models, data.n_benchmarks
    n = data.n_obs
    key = ("csr", id(data.bench_idx))
    hit = _SORTED.get(key)
    if hit is not None and hit[0] is data.bench_idx and hit[1] == (m, b):
        indptr, indices = hit[2]
    else:
        indptr = np.zeros(m + 1, dtype=np.int64)
        indptr[1:] = 2 * np.cumsum(np.bincount(data.model_idx, minlength=m))
        indices = np.empty(2 * n, dtype=np.int64)
        indices[0::2], indices[1::2] = data.bench_idx, b + data.bench_idx
        _SORTED[key] = (data.bench_idx, (m, b), (indptr, indices))
    h_dd, h_uu, h_du = blocks
    ys = []
    for k in range(h_cc.shape[0]):
        scale = np.take(1.0 / np.sqrt(h_cc[k]), data.model_idx)
        values = np.empty(2 * n)
        values[0::2], values[1::2] = cross_d[k] * scale, cross_u[k] * scale
        ys.append(csr_matrix((values, indices, indptr), shape=(m, 2 * b)))

    def product(k, v):
        vd, vu = v[:b], v[b:]
        own = np.concatenate([h_dd[k] * vd + h_du[k] * vu, h_du[k] * vd + h_uu[k] * vu])
        return own - ys[k].T @ (ys[k] @ v)
    return product


def cg_solve(data, blocks, h_cc, cross_d, cross_u, rhs, precond, max_iter=None):
    """Solve S x = rhs per draw by preconditioned conjugate gradients.

    ``precond``: a positive definite approximation of S^-1, as the Cholesky factor of one
    matrix shared by every draw (scipy's cho_factor) or as a function
    ``apply(rows, residuals)``. A draw whose system shows
    negative curvature, or that has not converged in ``max_iter`` (CG_MAX_ITER)
    iterations, is returned as not solved (x = 0)."""
    from scipy.linalg import cho_solve

    if callable(precond):
        apply = precond
    else:
        def apply(rows, res):
            return cho_solve(precond, res.T).T
    max_iter = CG_MAX_ITER if max_iter is None else max_iter
    d, nb = rhs.shape
    x = np.zeros((d, nb))
    r = rhs.copy()
    z = apply(np.arange(d), r)
    p = z.copy()
    rz = (r * z).sum(axis=1)
    target = CG_TOL * np.sqrt(np.maximum(rz, 0.0))
    ok = np.isfinite(rz)
    running = ok & (np.sqrt(np.maximum(rz, 0.0)) > 0)
    # The system's arrays are compacted to the draws still running whenever half of
    # the compacted ones have finished (a finished draw inside takes steps of 0).
    rows = np.flatnonzero(running)
    sub = None
    sparse = (sparse_products(data, blocks, h_cc, cross_d, cross_u) if d <= SPARSE_DRAWS
              else None)
    ok &= rz > 0
    running &= ok
    for _ in range(max_iter):
        if rows.size == 0:
            break
        if sub is None or running[rows].mean() < 0.5:
            rows = rows[running[rows]]
            if rows.size == 0:
                break
            sub = (tuple(x_[rows] for x_ in blocks), h_cc[rows], cross_d[rows], cross_u[rows])
        on = running[rows]
        pr = p[rows]
        if sparse is not None:
            sp = np.stack([sparse(k, pr[i]) for i, k in enumerate(rows)])
        else:
            sp = schur_matvec(data, *sub, pr)
        curv = (pr * sp).sum(axis=1)
        neg = on & ~(curv > 0)
        ok[rows[neg]] = False
        step = np.where(on & ~neg, rz[rows] / np.where(curv > 0, curv, 1.0), 0.0)
        x[rows] += step[:, None] * pr
        r[rows] -= step[:, None] * sp
        z_rows = apply(rows, r[rows])
        rz_new = (r[rows] * z_rows).sum(axis=1)
        beta = rz_new / np.where(rz[rows] > 0, rz[rows], 1.0)
        p[rows] = np.where(on[:, None], z_rows + beta[:, None] * pr, pr)
        rz[rows] = np.where(on, rz_new, rz[rows])
        bad = on & ~(np.isfinite(rz_new) & (rz_new >= 0))
        ok[rows[bad]] = False
        done = on & (neg | bad | (np.sqrt(np.maximum(rz_new, 0.0)) <= target[rows]))
        running[rows[done]] = False
    live = np.flatnonzero(running)
    ok[live] = False  # not converged within CG_MAX_ITER
    x[~ok] = 0.0
    return x, ok


class Reuse:
    """Per draw, the Cholesky factor of the last benchmark system solved densely, reused
    as the preconditioner of conjugate gradients on the next steps' systems.

    Near a solution the system changes little from one step to the next, so a few
    products by S (each O(observations)) replace the (M + 2B) (2B)^2 dense build. A
    draw gets a new dense build (an exact step, and a new factor) on its first step,
    whenever conjugate gradients do not converge within REUSE_CG_ITER iterations or meet
    negative curvature, and on every step the caller does not mark in ``try_cg``. An
    indefinite S (a Newton step away from a minimum) is solved by LU and leaves no
    factor. ``live`` and ``try_cg`` (over the live draws; None = all) are set by the
    caller before each step."""

    def __init__(self, d: int, nb: int):
        self.factor = np.zeros((d, nb, nb))
        self.have = np.zeros(d, dtype=bool)
        self.live = np.arange(d)
        self.try_cg = None
        self.dense_builds = 0
        self.cg_steps = 0

    def _apply(self, draws):
        from scipy.linalg import cho_solve

        def apply(rows, res):
            # factors are stored transposed (C order), so .T is L in Fortran order
            return np.stack([cho_solve((self.factor[draws[i]].T, True), res[k],
                                       check_finite=False) for k, i in enumerate(rows)])
        return apply

    def solve(self, data, blocks, h_cc, cross_d, cross_u, rhs):
        from scipy.linalg import LinAlgError, cho_factor, cho_solve

        live = self.live
        x = np.zeros_like(rhs)
        ok = np.zeros(len(live), dtype=bool)
        use = self.have[live] if self.try_cg is None else self.have[live] & self.try_cg
        reuse = np.flatnonzero(use)

        def part(rows):
            return (tuple(b_[rows] for b_ in blocks), h_cc[rows], cross_d[rows],
                    cross_u[rows], rhs[rows])

        if reuse.size:
            bl, hc, cd, cu, rh = part(reuse)
            x[reuse], ok[reuse] = cg_solve(data, bl, hc, cd, cu, rh,
                                            self._apply(live[reuse]), REUSE_CG_ITER)
            self.cg_steps += int(ok[reuse].sum())
        fresh = np.flatnonzero(~ok)
        if fresh.size:
            bl, hc, cd, cu, rh = part(fresh)
            s = dense_schur(data, bl, hc, cd, cu)
            self.dense_builds += fresh.size
            for k, row in enumerate(fresh):
                draw = live[row]
                self.have[draw] = False
                if not np.isfinite(s[k]).all():
                    continue
                try:
                    factor, _ = cho_factor(s[k], lower=True, check_finite=False)
                except LinAlgError:
                    x[row:row + 1], ok[row:row + 1] = dense_solve(s[k:k + 1], rh[k:k + 1])
                    continue
                x[row] = cho_solve((factor, True), rh[k], check_finite=False)
                ok[row] = True
                self.factor[draw], self.have[draw] = factor.T, True
        return x, ok


def cg_cheaper(data: IRTData) -> bool:
    """Whether conjugate gradients beat the dense solve for a warm-started batch.

    Per draw and step the dense solve costs about (M + 2B) (2B)^2 multiply-adds at BLAS
    speed; conjugate gradients about CG_COST operations per observation (some 25
    products by S, each a few passes over the observations at numpy speed). Measured
    on the bundled data (B = 46) and on ten times as much (B = 145) the dense solve was
    about 4 times faster; the crossing is near B = 1500 x (observed share of the
    model x benchmark table)."""
    m, b = data.n_models, data.n_benchmarks
    return (m + 2 * b) * (2 * b) ** 2 > CG_COST * data.n_obs


def reuse_cheaper(data: IRTData) -> bool:
    """Whether Newton steps should first try conjugate gradients preconditioned by the
    last dense system's Cholesky factor (:class:`Reuse`) rather than a new dense build.

    It pays when the dense build, (M + 2B) (2B)^2, is large against the observations
    (each product by S is a pass over them): measured per bootstrap draw (one BLAS
    thread), 10 times the bundled data (ratio about 2,300 per observation) ran 0.17 s
    with it against 0.14 s without; 100 times (about 7,000) ran faster with it."""
    m, b = data.n_models, data.n_benchmarks
    return (m + 2 * b) * (2 * b) ** 2 > REUSE_COST * data.n_obs
