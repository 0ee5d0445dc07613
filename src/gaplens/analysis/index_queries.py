"""Questions asked of a capability fit: paired comparisons and predicted scores.

Compare: the difference of two models' indices, I_A - I_B, per bootstrap draw (each
draw on its own display map); the interval is the central ``ci`` mass of the draws and
the pair is *distinguishable* when it excludes 0. ``share_reversed`` is the share of
draws in which the order flips.

Predict: the expected normalised score of model m on benchmark b,

    E[y] = sigmoid(alpha_b (C_m - D_b)),

per draw, mapped back to the benchmark's raw units through its normalisation. The
interval is for the expected score (uncertainty of the parameters); a single run also
varies around it, by about the benchmark's residual RMSE in the fit (``benchmark_rmse``).
Where the model has a real score, the residual is observed - expected. A model outside
the fit (fewer benchmarks than the fit requires) can still be predicted from the
results it has: its capability is projected with the benchmark parameters frozen, and
the output says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ConfigError, UnknownNameError
from ..ingest.normalise import denormalise
from ..models import irt
from .capability import IndexFit, find_model


@dataclass(frozen=True)
class Comparison:
    model_a: str
    model_b: str
    index_a: float
    index_b: float
    difference: float
    ci_low: float
    ci_high: float
    ci: float
    share_reversed: float
    distinguishable: bool
    scope: str
    n_draws: int
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def compare(fit: IndexFit, a: str, b: str, levels: np.ndarray | None = None,
            model_ids: np.ndarray | None = None, scope: str = "general") -> Comparison:
    """I_A - I_B with its interval. ``levels``/``model_ids`` select a domain index."""
    if levels is None:
        levels = np.vstack([fit.central_index()[None, :], fit.index_draws()])
        table = fit.models
    else:
        table = fit.models.set_index("model_id").loc[model_ids].reset_index()
    ia, ib = find_model(table, a), find_model(table, b)
    if ia == ib:
        raise ConfigError("compare needs two different models")
    diff = levels[:, ia] - levels[:, ib]
    tail = (1 - fit.settings.ci) / 2
    draws = diff[1:]
    if len(draws) >= 2:
        lo, hi = np.quantile(draws, [tail, 1 - tail])
        reversed_ = float(np.mean(np.sign(draws) != np.sign(diff[0]))) if diff[0] else 0.5
    else:
        lo = hi = reversed_ = np.nan
    note = ""
    if "is_anchor" in table and table["is_anchor"].iloc[[ia, ib]].fillna(False).all():
        note = ("both are the anchor models of the scale: their difference is fixed by "
                "definition, not estimated")
    return Comparison(model_a=str(table["model_id"].iloc[ia]),
                      model_b=str(table["model_id"].iloc[ib]),
                      index_a=float(levels[0, ia]), index_b=float(levels[0, ib]),
                      difference=float(diff[0]), ci_low=float(lo), ci_high=float(hi),
                      ci=fit.settings.ci, share_reversed=reversed_,
                      distinguishable=bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
                      scope=scope, n_draws=int(len(draws)), note=note)


def _benchmark_rmse(fit: IndexFit) -> pd.Series:
    pos_m = {m: i for i, m in enumerate(fit.models["model_id"])}
    pos_b = {b: i for i, b in enumerate(fit.benchmarks["benchmark"])}
    mi = fit.obs["model_id"].map(pos_m).to_numpy()
    bi = fit.obs["benchmark"].map(pos_b).to_numpy()
    pred = fit.draws.draw(0).predict(mi, bi)
    resid = fit.obs["score"].to_numpy(dtype=float) - pred
    return pd.Series(resid ** 2).groupby(fit.obs["benchmark"].to_numpy()).mean() ** 0.5


def predict(fit: IndexFit, model: str, bench_table: pd.DataFrame,
            benchmarks: list[str] | None = None,
            extra_obs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Expected scores of one model on the fit's benchmarks (or the named ones)."""
    use = np.flatnonzero(fit.ok)  # row 0 (central) first
    names = fit.benchmarks["benchmark"].tolist()
    if benchmarks:
        lower = {n.lower(): i for i, n in enumerate(names)}
        missing = [b for b in benchmarks if b.lower() not in lower]
        if missing:
            raise UnknownNameError(f"benchmark '{missing[0]}' is not in the capability fit "
                                   f"(fitted: {', '.join(names)})")
        cols = [lower[b.lower()] for b in benchmarks]
    else:
        cols = list(range(len(names)))
    try:
        m = find_model(fit.models, model)
        cap = fit.draws.capability[use, m]
        model_id = fit.models["model_id"].iloc[m]
        basis = f"in the fit ({int(fit.models['n_benchmarks'].iloc[m])} benchmarks)"
        observed = fit.obs.loc[fit.obs["model_id"] == model_id]
    except UnknownNameError:
        if extra_obs is None:
            raise
        cap, model_id, observed = _project_outside(fit, model, extra_obs, use)
        basis = (f"not in the fit; capability projected from {len(observed)} results with the "
                 "benchmark parameters frozen")
    central, lo, hi = _expected(fit, use, np.repeat(cap[:, None], len(cols), axis=1),
                                np.array(cols))
    spec = bench_table.set_index("benchmark").reindex([names[c] for c in cols])
    raw = _raw_units(spec)
    out = pd.DataFrame({
        "model_id": model_id, "benchmark": [names[c] for c in cols],
        "domain": fit.benchmarks["domain"].iloc[cols].to_numpy(),
        "expected": 100 * central, "expected_ci_low": 100 * lo,
        "expected_ci_high": 100 * hi, "unit": spec["unit"].to_numpy(),
        "expected_raw": raw(central), "expected_raw_ci_low": raw(lo),
        "expected_raw_ci_high": raw(hi)})
    seen = observed.set_index("benchmark")
    out["observed"] = 100 * out["benchmark"].map(seen["score"]).astype(float)
    out["observed_raw"] = out["benchmark"].map(seen["raw_score"]).astype(float)
    out["residual"] = out["observed"] - out["expected"]
    out["benchmark_rmse"] = 100 * out["benchmark"].map(_benchmark_rmse(fit)).to_numpy()
    out["basis"] = basis
    return out


def _expected(fit: IndexFit, use: np.ndarray, cap: np.ndarray, cols: np.ndarray,
              pick: np.ndarray | None = None):
    """Expected normalised scores (0-1) for capability draws ``cap`` (draws ``use`` x pairs,
    or x models with ``pick`` the model column of each pair) on the fit's benchmark rows
    ``cols`` (one per pair): the central fit (row 0) and the central ``ci`` interval over
    the usable bootstrap draws (NaN without two of them). Pairs are independent: a block
    of them at a time bounds the memory (300 k pairs at 100 times the bundled data held
    8 GiB at once)."""
    difficulty, slope = fit.draws.difficulty[use], fit.draws.slope[use]
    tail = (1 - fit.settings.ci) / 2
    block = max(1, EXPECTED_VALUES // max(len(use), 1))
    parts = []
    for i in range(0, len(cols), block):
        part = slice(i, i + block)
        at = cap[:, part] if pick is None else cap[:, pick[part]]
        expected = 1.0 / (1.0 + np.exp(-slope[:, cols[part]] * (at - difficulty[:, cols[part]])))
        if len(use) > 2:
            lo, hi = np.quantile(expected[1:], [tail, 1 - tail], axis=0)
        else:
            lo = hi = np.full(expected.shape[1], np.nan)
        parts.append((expected[0], lo, hi))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


# (draw, pair) values :func:`_expected` holds in one array at once (16 MiB).
EXPECTED_VALUES = 1 << 21


def _raw_units(spec: pd.DataFrame):
    """Normalised (0-1) to raw units for the benchmarks of ``spec`` (one row per value)."""
    return lambda y: denormalise(y, spec["random_baseline"], spec["ceiling"],
                                 spec["transform"].fillna("linear").to_numpy())


def expected_scores(fit: IndexFit, models: list[str], benchmarks: list[str],
                    bench_table: pd.DataFrame) -> pd.DataFrame:
    """Expected scores of fitted models on fitted benchmarks, one row per (model, benchmark)
    pair given in parallel lists: normalised points (0-100) and raw units, with the
    interval of the expected score (parameter uncertainty, as in :func:`predict`)."""
    use = np.flatnonzero(fit.ok)
    pos_m = {m: i for i, m in enumerate(fit.models["model_id"])}
    pos_b = {b: i for i, b in enumerate(fit.benchmarks["benchmark"])}
    mi = np.array([pos_m[m] for m in models], dtype=int)
    bi = np.array([pos_b[b] for b in benchmarks], dtype=int)
    central, lo, hi = _expected(fit, use, fit.draws.capability[use], bi, pick=mi)
    spec = bench_table.set_index("benchmark").reindex(list(benchmarks))
    raw = _raw_units(spec)
    return pd.DataFrame({
        "model_id": list(models), "benchmark": list(benchmarks),
        "expected": 100 * central, "expected_ci_low": 100 * lo, "expected_ci_high": 100 * hi,
        "unit": spec["unit"].to_numpy(), "expected_raw": raw(central),
        "expected_raw_ci_low": raw(lo), "expected_raw_ci_high": raw(hi)})


def _project_outside(fit: IndexFit, model: str, long: pd.DataFrame, use: np.ndarray):
    key = model.strip().lower()
    rows = long.loc[(long["model_id"].str.lower() == key)
                    | (long["display_name"].fillna("").str.lower() == key)]
    if rows.empty:
        raise UnknownNameError(f"model '{model}' is not in the warehouse")
    rows = rows.loc[rows["benchmark"].isin(set(fit.benchmarks["benchmark"]))]
    rows = rows.sort_values("score", ascending=False).drop_duplicates("benchmark")
    if rows.empty:
        raise ConfigError(f"model '{model}' has no result on any benchmark of the capability fit")
    pos_b = {b: i for i, b in enumerate(fit.benchmarks["benchmark"])}
    bi = rows["benchmark"].map(pos_b).to_numpy()
    eps = fit.settings.clip_eps
    y = np.clip(rows["score"].to_numpy(dtype=float), eps, 1 - eps)
    rho = fit.settings.reg.lam / (len(fit.models) + 2 * len(fit.benchmarks) - 1)
    cap, _ = irt.project(np.zeros(len(y), dtype=int), bi, y, 1, fit.draws.difficulty[use],
                         fit.draws.slope[use], rho)
    return cap[:, 0], str(rows["model_id"].iloc[0]), rows
