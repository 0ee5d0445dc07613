"""How much the capability index depends on its regularisation, and how well it predicts.

Held-out prediction (the evidence for the default): K-fold cross-validation over
results. Each model's results are dealt round-robin into K folds in random order, so a
model with k results loses at most ceil(k / K) of them per fold and keeps the rest for
training. A fold is fitted without its results and predicts them:

    RMSE = sqrt(mean (y_held_out - sigmoid(alpha_b (C_m - D_b)))^2)     (points, 0-100)

Results whose benchmark has no other result in the training part are not scored. The
split is repeated (3 seeds) and ``heldout_rmse_sd`` is the spread between repeats: a
difference between regularisations smaller than that is not evidence.

Sensitivity, for each regularisation (central fits, no bootstrap): the rank correlation
of the index with the default's, the largest index difference (display scale, each fit
with its own anchor map), the mean slope on the display scale, and the
capability-vs-time trend: the least-squares slope of the index on release date, over all
models and over the frontier (models that set a new running maximum), in index points
per year and in raw units per year (Epoch's analysis reports the latter: lambda = 0.1
inflates it by about 21 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models import irt
from ..models.scale import DisplayMap
from .capability import REGULARISATIONS, IndexData, IndexSettings, _anchor_positions

DAYS_PER_YEAR = 365.2425


def fold_ids(model_idx: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Fold of each result: every model's results dealt round-robin in random order."""
    folds = np.empty(len(model_idx), dtype=int)
    for m in np.unique(model_idx):
        rows = np.flatnonzero(model_idx == m)
        rows = rows[rng.permutation(len(rows))]
        start = rng.integers(k)
        folds[rows] = (start + np.arange(len(rows))) % k
    return folds


def _subset(data: irt.IRTData, keep: np.ndarray) -> irt.IRTData:
    return irt.IRTData(data.model_idx[keep], data.bench_idx[keep], data.y[keep],
                       data.n_models, data.n_benchmarks, data.anchor)


def heldout_rmse(data: irt.IRTData, reg: irt.Regularisation, k: int = 5,
                 seed: int = 0, repeats: int = 3) -> dict:
    """Cross-validated prediction error of one regularisation (points on 0-100).

    ``repeats`` K-fold splits with different seeds; the RMSE is over all their held-out
    predictions and ``rmse_sd`` the spread of the per-split RMSEs.
    """
    per_split, all_errors = [], []
    rng = np.random.default_rng(seed)
    for _ in range(repeats):
        errors = _one_split(data, reg, k, rng)
        per_split.append(np.sqrt(np.mean(errors ** 2)))
        all_errors.append(errors)
    resid = np.concatenate(all_errors)
    return {"rmse": 100 * float(np.sqrt(np.mean(resid ** 2))),
            "rmse_sd": 100 * float(np.std(per_split, ddof=1)) if repeats > 1 else np.nan,
            "mae": 100 * float(np.mean(np.abs(resid))), "n_scored": int(len(resid) // repeats)}


def _one_split(data: irt.IRTData, reg: irt.Regularisation, k: int,
               rng: np.random.Generator) -> np.ndarray:
    folds = fold_ids(data.model_idx, k, rng)
    errors = []
    for f in range(k):
        train = folds != f
        bench_train = np.bincount(data.bench_idx[train], minlength=data.n_benchmarks)
        model_train = np.bincount(data.model_idx[train], minlength=data.n_models)
        test = ~train & (bench_train[data.bench_idx] > 0) & (model_train[data.model_idx] > 0)
        if bench_train[data.anchor] == 0:
            continue
        out = irt.fit(_subset(data, train), reg)
        pred = out.params.draw(0).predict(data.model_idx[test], data.bench_idx[test])
        errors.append(data.y[test] - pred)
    return np.concatenate(errors) if errors else np.array([np.nan])


def _trend(days: np.ndarray, values: np.ndarray) -> float:
    ok = np.isfinite(days) & np.isfinite(values)
    if ok.sum() < 3:
        return np.nan
    return float(np.polyfit(days[ok] / DAYS_PER_YEAR, values[ok], 1)[0])


def _frontier_mask(days: np.ndarray, values: np.ndarray) -> np.ndarray:
    order = np.lexsort((-values, days))
    best = -np.inf
    mask = np.zeros(len(days), dtype=bool)
    for i in order:
        if values[i] > best:
            mask[i] = True
            best = values[i]
    return mask


@dataclass(frozen=True)
class Sensitivity:
    table: pd.DataFrame  # one row per regularisation
    models: pd.DataFrame  # model_id, then index under each regularisation
    benchmarks: pd.DataFrame  # benchmark, then slope_scaled under each regularisation
    default: str
    k_folds: int


def sensitivity(data: IndexData, settings: IndexSettings, k_folds: int = 5,
                names: tuple[str, ...] | None = None) -> Sensitivity:
    names = names or tuple(REGULARISATIONS)
    low, high = _anchor_positions(data.models, settings.anchors)
    days = (pd.to_datetime(data.models["release_date"]) - pd.Timestamp("1970-01-01")).dt.days
    days = days.to_numpy(dtype=float)
    rows, index_cols, slope_cols = [], {}, {}
    for name in names:
        reg = REGULARISATIONS[name]
        out = irt.fit(data.data, reg)
        params = out.params.draw(0)
        display = DisplayMap.from_anchors(params.capability[low], params.capability[high],
                                          settings.anchor_low_value, settings.anchor_high_value)
        level = display.level(params.capability)[0]
        slope = display.slope(params.slope)[0]
        index_cols[name], slope_cols[name] = level, slope
        frontier = _frontier_mask(days, level)
        cv = heldout_rmse(data.data, reg, k_folds, settings.seed)
        rows.append({
            "regularisation": name, "detail": reg.label, "converged": bool(out.converged[0]),
            "heldout_rmse": cv["rmse"], "heldout_rmse_sd": cv["rmse_sd"],
            "heldout_mae": cv["mae"], "n_scored": cv["n_scored"],
            "trend_all_per_year": _trend(days, level),
            "trend_frontier_per_year": _trend(days[frontier], level[frontier]),
            "trend_raw_per_year": _trend(days, params.capability),
            "mean_slope_scaled": float(np.mean(slope)),
            "mean_raw_slope": float(np.mean(params.slope)),
            "slopes_at_bound": int(out.at_bound[0, -data.data.n_benchmarks:].sum()),
            "models_at_bound": int(out.at_bound[0, :data.data.n_models].sum()),
        })
    from scipy.stats import spearmanr  # here, not at import: the command line starts faster

    table = pd.DataFrame(rows)
    ref = settings.regularisation if settings.regularisation in index_cols else names[0]
    table["spearman_vs_default"] = [float(spearmanr(index_cols[n], index_cols[ref])[0])
                                    for n in names]
    table["max_index_shift"] = [float(np.max(np.abs(index_cols[n] - index_cols[ref])))
                                for n in names]
    table["trend_change_vs_default"] = (table["trend_raw_per_year"]
                                        / table.loc[table["regularisation"] == ref,
                                                    "trend_raw_per_year"].iloc[0] - 1)
    models = data.models[["model_id", "release_date"]].assign(
        **{f"index_{n}": v for n, v in index_cols.items()})
    benches = data.benchmarks[["benchmark", "domain"]].assign(
        **{f"slope_scaled_{n}": v for n, v in slope_cols.items()})
    return Sensitivity(table=table, models=models, benchmarks=benches, default=ref,
                       k_folds=k_folds)


@dataclass(frozen=True)
class EpochAgreement:
    """A fit against Epoch's published index (ECI) and difficulties (EDI)."""

    models: pd.DataFrame  # model_id, n_benchmarks, index, epoch_eci, difference,
    #                       epoch_eci_ci_low, epoch_eci_ci_high, inside_epoch_interval
    benchmarks: pd.DataFrame  # benchmark, n_models, edi, epoch_edi, difference, slopes
    spearman: float
    pearson: float
    settings_note: str
    n_with_interval: int = 0  # matched models with Epoch's published interval
    share_inside: float = float("nan")  # of those, the share of our index inside it

    @property
    def largest(self) -> pd.DataFrame:
        return self.models.reindex(self.models["difference"].abs()
                                   .sort_values(ascending=False).index).head(10)

    def summary_lines(self) -> list[str]:
        d = self.models["difference"].abs()
        e = self.benchmarks["difference"].abs()
        return [
            f"Against Epoch's published ECI: {len(self.models)} models matched, Spearman "
            f"{self.spearman:.4f}, Pearson {self.pearson:.4f}; |difference| median "
            f"{d.median():.2f}, 90th percentile {d.quantile(0.9):.2f}, max {d.max():.2f} points.",
            (f"Inside Epoch's published 90% interval: {self.share_inside:.0%} of "
             f"{self.n_with_interval} models with an interval." if self.n_with_interval else
             "Epoch's published ECI intervals: none in the warehouse (they come with the "
             "current export layout, eci_scores.csv)."),
            f"Against Epoch's EDI: {len(self.benchmarks)} benchmarks, |difference| median "
            f"{e.median():.2f}, max {e.max():.2f}; slope correlation "
            f"{np.corrcoef(self.benchmarks['slope_scaled'], self.benchmarks['epoch_slope_scaled'])[0, 1]:.3f}.",
            self.settings_note,
        ]


def epoch_agreement(fit, published_eci: pd.DataFrame,
                    published_edi: pd.DataFrame) -> EpochAgreement:
    """``published_eci``: model_id, epoch_eci and optionally Epoch's interval
    (epoch_eci_ci_low, epoch_eci_ci_high); ``published_edi``: Epoch's difficulty file."""
    from scipy.stats import spearmanr

    published = published_eci.dropna(subset=["epoch_eci"])
    for column in ("epoch_eci_ci_low", "epoch_eci_ci_high"):
        if column not in published:
            published = published.assign(**{column: np.nan})
    # One row per model: the version with the highest published ECI (and its interval).
    eci = (published.sort_values("epoch_eci", ascending=False).drop_duplicates("model_id")
           .set_index("model_id")[["epoch_eci", "epoch_eci_ci_low", "epoch_eci_ci_high"]])
    models = fit.models[["model_id", "n_benchmarks", "index"]].join(eci, on="model_id",
                                                                     how="inner")
    models["difference"] = models["index"] - models["epoch_eci"]
    has_ci = models["epoch_eci_ci_low"].notna() & models["epoch_eci_ci_high"].notna()
    inside = ((models["index"] >= models["epoch_eci_ci_low"])
              & (models["index"] <= models["epoch_eci_ci_high"]))
    models["inside_epoch_interval"] = inside.where(has_ci).astype("boolean")
    edi = published_edi.rename(columns={"benchmark_name": "benchmark", "edi": "epoch_edi",
                                        "estimated_slope_scaled": "epoch_slope_scaled"})
    benches = fit.benchmarks[["benchmark", "n_models", "edi", "slope_scaled"]].merge(
        edi[["benchmark", "epoch_edi", "epoch_slope_scaled"]], on="benchmark")
    benches["difference"] = benches["edi"] - benches["epoch_edi"]
    benches = benches.reindex(benches["difference"].abs().sort_values(ascending=False).index)
    s = fit.settings
    note = ("Settings: " + s.reg.label + f", benchmarks={s.benchmarks}"
            + ("" if (s.regularisation, s.benchmarks) == ("epoch", "epoch") else
               " (Epoch's own settings are --regularisation epoch --benchmarks epoch)"))
    return EpochAgreement(
        models=models.sort_values("difference").reset_index(drop=True),
        benchmarks=benches.reset_index(drop=True),
        spearman=float(spearmanr(models["index"], models["epoch_eci"])[0]),
        pearson=float(np.corrcoef(models["index"], models["epoch_eci"])[0, 1]),
        settings_note=note,
        n_with_interval=int(has_ci.sum()),
        share_inside=float(inside[has_ci].mean()) if has_ci.any() else float("nan"))
