"""Latent factors: where models sit beyond the one-dimensional index.

Fits :mod:`gaplens.models.factors` with K = 2 or 3 on the same data as the capability
index, started from the one-dimensional fit (axis 1 = capability, slope and difficulty;
other axes small and seeded), rotated to principal axes of the model positions, and
labelled by the domains whose benchmarks load most on each side of an axis.

It answers "what shape does the one number hide": for example whether a second axis
separates agentic and coding benchmarks from maths and knowledge, and whether open
models sit systematically on one side of it (group means with bootstrap intervals over
models). Held-out prediction error (the K-fold split of
:mod:`gaplens.analysis.index_evaluation`) says whether the extra axes describe the data
better than one number or only fit noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models import irt
from ..models.factors import FactorParams, fit_factors, general_rotation
from .capability import IndexData, IndexSettings
from .index_evaluation import _subset, fold_ids

DEFAULT_RHO = 1e-3
DEFAULT_RHO_EXTRA = 0.03
REFINE_ITER = 100


@dataclass(frozen=True)
class FactorResult:
    k: int
    axes: pd.DataFrame  # axis, share_of_spread, label, positive_domains, negative_domains
    loadings: pd.DataFrame  # benchmark, domain, loading_1..K, intercept
    positions: pd.DataFrame  # model_id, ..., position_1..K
    groups: pd.DataFrame  # axis, open_mean, closed_mean, difference, ci_low, ci_high
    heldout: pd.DataFrame  # model, dims, rmse, rmse_sd
    converged: bool
    warnings: tuple[str, ...] = field(default=())


def _start(params1: irt.IRTParams, k: int, rng: np.random.Generator) -> FactorParams:
    m, b = len(params1.capability), len(params1.difficulty)
    theta = np.column_stack([params1.capability, 0.1 * rng.standard_normal((m, k - 1))])
    load = np.column_stack([params1.slope, 0.1 * rng.standard_normal((b, k - 1))])
    return FactorParams(theta, load, -params1.slope * params1.difficulty)


def _two_stage(data: irt.IRTData, one: irt.IRTParams, k: int, rho: float, rho_extra: float,
               rng: np.random.Generator, refine: int = REFINE_ITER):
    """Extra axes fitted with axis 1 frozen at the 1-D fit (fast and well posed), then
    every parameter refined together for at most ``refine`` steps (a strong second axis
    also bends the first)."""
    first = fit_factors(data.model_idx, data.bench_idx, data.y, data.n_models,
                        data.n_benchmarks, _start(one, k, rng), rho=rho, rho_extra=rho_extra,
                        max_iter=500, freeze_general=True)
    if not refine:
        return first
    return fit_factors(data.model_idx, data.bench_idx, data.y, data.n_models,
                       data.n_benchmarks, first.params, rho=rho, rho_extra=rho_extra,
                       max_iter=refine)


def _fit_k(data: irt.IRTData, reg: irt.Regularisation, k: int, rho: float, seed: int,
           rho_extra: float = DEFAULT_RHO_EXTRA):
    one = irt.fit(data, reg).params.draw(0)
    if k == 1:
        return one, None
    out = _two_stage(data, one, k, rho, rho_extra, np.random.default_rng(seed))
    return one, out


def heldout(data: irt.IRTData, reg: irt.Regularisation, ks=(1, 2, 3), rho: float = DEFAULT_RHO,
            folds: int = 5, repeats: int = 2, seed: int = 0,
            rho_extra: float = DEFAULT_RHO_EXTRA) -> pd.DataFrame:
    """Cross-validated RMSE (points) of the 1-D index and of K-factor fits."""
    rng = np.random.default_rng(seed)
    errors = {k: [] for k in ks}
    per_split = {k: [] for k in ks}
    for _ in range(repeats):
        fold = fold_ids(data.model_idx, folds, rng)
        split_err = {k: [] for k in ks}
        for f in range(folds):
            train = fold != f
            seen_b = np.bincount(data.bench_idx[train], minlength=data.n_benchmarks)
            test = ~train & (seen_b[data.bench_idx] > 0)
            if seen_b[data.anchor] == 0 or not test.any():
                continue
            sub = _subset(data, train)
            one = irt.fit(sub, reg).params.draw(0)
            for k in ks:
                if k == 1:
                    pred = one.predict(data.model_idx[test], data.bench_idx[test])
                else:
                    out = _two_stage(sub, one, k, rho, rho_extra, rng)
                    pred = out.params.predict(data.model_idx[test], data.bench_idx[test])
                split_err[k].append(data.y[test] - pred)
        for k in ks:
            e = np.concatenate(split_err[k])
            errors[k].append(e)
            per_split[k].append(np.sqrt(np.mean(e ** 2)))
    rows = []
    for k in ks:
        e = np.concatenate(errors[k])
        rows.append({"dims": k, "model": "capability index (1-D)" if k == 1 else f"{k} factors",
                     "rmse": 100 * float(np.sqrt(np.mean(e ** 2))),
                     "rmse_sd": 100 * float(np.std(per_split[k], ddof=1)) if repeats > 1
                     else np.nan, "mae": 100 * float(np.mean(np.abs(e)))})
    return pd.DataFrame(rows)


def _axis_label(loadings: np.ndarray, domains: pd.Series) -> tuple[str, list[str], list[str]]:
    means = pd.Series(loadings, index=domains.to_numpy()).groupby(level=0).mean().sort_values()
    neg = [d for d, v in means.items() if v < 0][:2]
    pos = [d for d, v in means[::-1].items() if v > 0][:2]
    return (" + ".join(pos) or "–") + " vs " + (" + ".join(neg) or "–"), pos, neg


def _shape(data: IndexData, out, one: irt.IRTParams, k: int):
    """(positions (M, K), the axes table, the loadings table) of a K-factor fit: rotated
    to principal axes, each extra axis oriented (the domain with the largest mean |loading|
    on its positive side) and labelled by its domains."""
    rotated = general_rotation(out.params, reference=one.capability)
    theta, load = rotated.theta.copy(), rotated.loadings.copy()
    domains = data.benchmarks["domain"].fillna("other")
    axes = []
    spread = theta.var(axis=0)
    for j in range(k):
        if j > 0:
            means = pd.Series(load[:, j], index=domains.to_numpy()).groupby(level=0).mean()
            if means.loc[means.abs().idxmax()] < 0:
                theta[:, j], load[:, j] = -theta[:, j], -load[:, j]
        label, pos, neg = _axis_label(load[:, j], domains)
        axes.append({"axis": j + 1, "share_of_spread": float(spread[j] / spread.sum()),
                     "label": "general capability" if j == 0 else label,
                     "positive_domains": ", ".join(pos), "negative_domains": ", ".join(neg)})
    loadings = data.benchmarks[["benchmark", "domain", "n_models"]].copy()
    for j in range(k):
        loadings[f"loading_{j + 1}"] = load[:, j]
    loadings["intercept"] = rotated.intercept
    return theta, pd.DataFrame(axes), loadings


def _boot_differences(o: np.ndarray, c: np.ndarray, n_boot: int,
                      rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` bootstrap differences of means (``o`` resampled, then ``c``, in turn):
    the draws of ``rng.choice(o, len(o))`` and ``rng.choice(c, len(c))``, means taken
    over all resamples at once."""
    pick_o, pick_c = [], []
    for _ in range(n_boot):
        pick_o.append(rng.integers(0, len(o), len(o)))
        pick_c.append(rng.integers(0, len(c), len(c)))
    return o[np.stack(pick_o)].mean(axis=1) - c[np.stack(pick_c)].mean(axis=1)


def factor_analysis(data: IndexData, settings: IndexSettings, groups: np.ndarray, k: int = 2,
                    rho: float = DEFAULT_RHO, rho_extra: float = DEFAULT_RHO_EXTRA,
                    n_boot: int = 500, with_heldout: bool = True,
                    seed: int = 0, fits: dict | None = None) -> FactorResult:
    """K-factor fit of the index data, rotated and labelled; ``groups`` per model.
    ``fits``: a dict kept by the caller across calls on the same data (for example one per
    definition of open, which changes only ``groups``): the fit is then made once."""
    if k not in (2, 3):
        raise ConfigError("--dims must be 2 or 3")
    reg = settings.reg
    key = (id(data), k, rho, rho_extra, seed)
    if fits is None or key not in fits:
        fitted = _fit_k(data.data, reg, k, rho, seed, rho_extra)
        if fits is not None:
            fits[key] = fitted
    one, out = fits[key] if fits is not None else fitted
    # The rotated, oriented and labelled axes do not depend on ``groups``: made once too.
    shaped = fits.get(key + ("axes",)) if fits is not None else None
    if shaped is None:
        shaped = _shape(data, out, one, k)
        if fits is not None:
            fits[key + ("axes",)] = shaped
    theta, axes, loadings = shaped
    positions = data.models[["model_id", "display_name", "organization", "country",
                             "accessibility", "release_date", "n_benchmarks"]].copy()
    positions["group"] = groups
    for j in range(k):
        positions[f"position_{j + 1}"] = theta[:, j].copy()  # theta is shared
    group_rows = []
    rng = np.random.default_rng(seed)
    is_open, is_closed = groups == "open", groups == "closed"
    for j in range(k):
        o, c = theta[is_open, j], theta[is_closed, j]
        if len(o) < 2 or len(c) < 2:
            continue
        lo, hi = np.quantile(_boot_differences(o, c, n_boot, rng), [0.05, 0.95])
        group_rows.append({"axis": j + 1, "open_mean": float(o.mean()),
                           "closed_mean": float(c.mean()),
                           "difference": float(o.mean() - c.mean()), "ci_low": float(lo),
                           "ci_high": float(hi), "n_open": int(len(o)),
                           "n_closed": int(len(c))})
    warnings = [] if out.converged else [f"the {k}-factor fit stopped before converging"]
    table = heldout(data.data, reg, ks=tuple(range(1, k + 1)), rho=rho, seed=seed,
                    rho_extra=rho_extra) if with_heldout else pd.DataFrame()
    return FactorResult(k=k, axes=axes.copy(), loadings=loadings.copy(),
                        positions=positions, groups=pd.DataFrame(group_rows), heldout=table,
                        converged=out.converged, warnings=tuple(warnings))
