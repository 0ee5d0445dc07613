"""Over-fitting signals: does a model do better on the benchmarks labs optimise for?

For a split of the fitted benchmarks into a *reference* set R (held out, private, not
optimised for, or out of distribution) and a *comparison* set S (public, optimised for,
in distribution), each model's capability is projected on each set with the benchmark
parameters frozen from the general fit (as for domain indices, same display scale):

    delta_m = I_m(R) - I_m(S)          (index points)

A negative delta means the model scores lower where it could not have been tuned: the
over-fitting ("benchmaxxing") signal of Epoch's private-versus-general comparison. Models
need ``min_results`` results in each set.

Splits (from the benchmark table, so they follow the taxonomy as data):
``private`` (test_set private vs public), ``optimised`` (Epoch's optimised-for flag:
not optimised vs optimised; benchmarks without a flag are left out), ``ood`` (the
novel-reasoning domain, ARC-AGI-2, WeirdML, SimpleBench and the like, vs every other
domain).

Intervals: per model and per group, from the index's bootstrap draws (each draw's
difficulties, slopes and display map, with each model's results resampled within each
set) and, for a group mean, models resampled within the group. Tests: for each group
(open/closed, organization, country) the statistic is its mean delta minus the other
models' mean delta (central fit),

    vs_rest_G = mean(delta_m : m in G) - mean(delta_m : m not in G)

and its p-value comes from permuting the group labels across the models with a delta
(group sizes kept, ``n_perm`` permutations, seeded; the Welch statistic of the difference,
see :mod:`.grouptest`): does this group
differ from the other models by more than a random set of as many models does? The null
holds whatever the split does to every model alike and however much models differ from
each other. (An earlier null, random splits of the benchmarks, left that between-model
variation out: with one planted over-fitting organization every other organization
differed "significantly" from a rest that held the planted one.) The p-values are
reported raw and adjusted by Holm's method over every group of every grouping of the
split (``p_adjusted``, ``p_adjust_method``). Groups need ``min_models`` models;
``group_country`` crosses open/closed with country (for example open models from one
country).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models import irt
from .capability import IndexFit
from .grouptest import P_ADJUST_METHOD, holm, permutation_p_values
from .intervals import nanquantile_columns

SPLITS = {
    "private": ("held-out (private) minus public benchmarks", "test_set",
                lambda v: v == "private", lambda v: v == "public"),
    "optimised": ("not optimised-for minus optimised-for benchmarks", "optimized_for",
                  lambda v: v == False, lambda v: v == True),  # noqa: E712
    "ood": ("out-of-distribution (novel reasoning) minus in-distribution benchmarks",
            "domain", lambda v: v == "novel_reasoning", lambda v: v != "novel_reasoning"),
}


GROUPINGS = ("group", "organization", "country", "group_country")


@dataclass(frozen=True)
class OverfitResult:
    split: str
    description: str
    reference: tuple[str, ...]
    comparison: tuple[str, ...]
    models: pd.DataFrame  # model rows: delta, ci, n_reference, n_comparison, group...
    groups: pd.DataFrame  # grouping, group, n, mean_delta, ci, vs_rest, p_value, p_adjusted
    notes: tuple[str, ...] = field(default=())


def split_sets(fit: IndexFit, bench_table: pd.DataFrame, split: str):
    if split not in SPLITS:
        raise ConfigError(f"unknown split '{split}' (choose {', '.join(SPLITS)})")
    description, column, is_ref, is_cmp = SPLITS[split]
    table = fit.benchmarks[["benchmark"]].merge(
        bench_table[["benchmark", "test_set", "optimized_for", "domain"]], on="benchmark",
        how="left")
    values = table[column].astype(object)
    known = values.notna().to_numpy()
    ref = [b for b, v, k in zip(table["benchmark"], values, known) if k and bool(is_ref(v))]
    cmp_ = [b for b, v, k in zip(table["benchmark"], values, known) if k and bool(is_cmp(v))]
    if len(ref) < 2 or len(cmp_) < 2:
        raise ConfigError(f"split '{split}' needs at least two fitted benchmarks on each side")
    return description, ref, cmp_


class _Projector:
    """Projects every model on a benchmark subset, for the central fit and ok draws."""

    def __init__(self, fit: IndexFit, n_draws: int, seed: int):
        self.fit = fit
        self.model_ids = fit.models["model_id"].to_numpy()
        pos_m = {m: i for i, m in enumerate(self.model_ids)}
        pos_b = {b: i for i, b in enumerate(fit.benchmarks["benchmark"])}
        self.mi = fit.obs["model_id"].map(pos_m).to_numpy()
        self.bi = fit.obs["benchmark"].map(pos_b).to_numpy()
        eps = fit.settings.clip_eps
        self.y = np.clip(fit.obs["score"].to_numpy(dtype=float), eps, 1 - eps)
        self.rows = np.flatnonzero(fit.ok)[: n_draws + 1]  # central first
        self.rho = fit.settings.reg.lam / (len(fit.models) + 2 * len(fit.benchmarks) - 1)
        self.seed = seed
        self.names = fit.benchmarks["benchmark"].to_numpy()

    def levels(self, subset: set[str], min_results: int, draws: bool = True) -> np.ndarray:
        """(rows, M) display-scale index on the subset; NaN for models with too few."""
        keep = np.isin(self.names[self.bi], list(subset))
        mi, bi, y = self.mi[keep], self.bi[keep], self.y[keep]
        counts = np.bincount(mi, minlength=len(self.model_ids))
        rows = self.rows if draws else self.rows[:1]
        weights = np.ones((len(rows), len(y)))
        if len(rows) > 1:
            rng = np.random.default_rng(self.seed)
            weights[1:] = irt.stratified_weights(mi, len(rows) - 1, rng)
        cap, _ = irt.project(mi, bi, y, len(self.model_ids), self.fit.draws.difficulty[rows],
                             self.fit.draws.slope[rows], self.rho, weights)
        level = self.fit.display.a[rows, None] + self.fit.display.b[rows, None] * cap
        level[:, counts < min_results] = np.nan
        return level


def _group_table(delta: np.ndarray, labels: dict[str, np.ndarray], min_models: int,
                 rng: np.random.Generator, ci: float) -> list[dict]:
    """Per group: mean delta (central), bootstrap interval over draws and members.
    ``labels``: each grouping's label per model (missing ones read "unknown")."""
    tail = (1 - ci) / 2
    rows = []
    have = ~np.isnan(delta[0])
    for column in GROUPINGS:
        labels_of = labels[column]
        for g in sorted(set(labels_of[have])):
            members = np.flatnonzero(have & (labels_of == g))
            others = np.flatnonzero(have & (labels_of != g))
            if len(members) < min_models or len(others) < min_models:
                continue
            d = delta[:, members]
            pick = rng.integers(0, len(members), (d.shape[0] - 1, len(members)))
            boot = _nanmean(np.take_along_axis(d[1:], pick, axis=1), axis=1)
            low, high = _nanquantiles(boot, tail) if len(boot) else (np.nan, np.nan)
            mean = float(_nanmean(d[0]))
            rows.append({"grouping": column, "group": g, "n": int(len(members)),
                         "mean_delta": mean, "ci_low": low, "ci_high": high,
                         "vs_rest": float(mean - _nanmean(delta[0, others]))})
    return rows


def _nanmean(values: np.ndarray, axis: int | None = None):
    """``np.nanmean``; without NaN, the plain mean (the same sum over the same count)."""
    if np.isnan(values).any():
        return np.nanmean(values, axis=axis)
    return values.mean(axis=axis)


def _nanquantiles(values: np.ndarray, tail: float) -> tuple[float, float]:
    """``np.nanquantile`` of a 1-D array at ``tail`` and ``1 - tail``; without NaN, both
    from one plain quantile (the same values)."""
    if np.isnan(values).any():
        return float(np.nanquantile(values, tail)), float(np.nanquantile(values, 1 - tail))
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def overfit(fit: IndexFit, bench_table: pd.DataFrame, meta: pd.DataFrame, split: str,
            min_results: int = 2, min_models: int = 3, n_draws: int = 200, n_perm: int = 2000,
            seed: int = 0, ci: float = 0.90) -> OverfitResult:
    """Over-fitting signal for one split; ``meta`` has group, organization, country per model
    id (index)."""
    return overfit_many(fit, bench_table, {"": meta}, split, min_results=min_results,
                        min_models=min_models, n_draws=n_draws, n_perm=n_perm, seed=seed,
                        ci=ci)[""]


def overfit_many(fit: IndexFit, bench_table: pd.DataFrame, metas: dict[str, pd.DataFrame],
                 split: str, min_results: int = 2, min_models: int = 3, n_draws: int = 200,
                 n_perm: int = 2000, seed: int = 0,
                 ci: float = 0.90) -> dict[str, OverfitResult]:
    """:func:`overfit` under several model groupings (for example one per definition of
    open) at the cost of one: the projections per model do not depend on the grouping."""
    import warnings

    warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
    description, ref, cmp_ = split_sets(fit, bench_table, split)
    proj = _Projector(fit, n_draws, seed)
    delta = proj.levels(set(ref), min_results) - proj.levels(set(cmp_), min_results)
    have = ~np.isnan(delta[0])
    if have.sum() < 2 * min_models:
        raise ConfigError(f"only {int(have.sum())} models have {min_results} results on both "
                          f"sides of split '{split}'")
    notes = (f"{int(have.sum())} models have {min_results} results on both sides; "
             f"{len(ref)} reference and {len(cmp_)} comparison benchmarks",)
    tail = (1 - ci) / 2
    # each model's interval over the draws, the same under every grouping: computed once
    bounds = ((nanquantile_columns(delta[1:], tail), nanquantile_columns(delta[1:], 1 - tail))
              if delta.shape[0] > 2 else None)
    out = {}
    for key, meta in metas.items():
        models, groups = _read_groups(delta, meta.reindex(proj.model_ids), min_models,
                                      np.random.default_rng(seed), ci, n_perm, bounds)
        out[key] = OverfitResult(
            split=split, description=description, reference=tuple(ref),
            comparison=tuple(cmp_), models=models, groups=groups,
            notes=notes + (f"p-values from {n_perm} permutations of the group labels across "
                           f"the {int(have.sum())} models; {len(groups)} groups tested, "
                           "adjusted p-values by Holm's method over them",))
    return out


def _read_groups(delta: np.ndarray, meta: pd.DataFrame, min_models: int,
                 rng: np.random.Generator, ci: float, n_perm: int,
                 bounds: tuple[np.ndarray, np.ndarray] | None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-model rows and per-group rows (with permutation p-values) for one grouping.
    ``bounds``: each model's interval over the draws (quantiles of ``delta[1:]``; None
    without enough draws)."""
    meta = meta.assign(group_country=meta["group"].fillna("neither").astype(str) + " · "
                       + meta["country"].fillna("unknown").astype(str))
    tail = (1 - ci) / 2
    have = ~np.isnan(delta[0])
    # the models with a delta, in the order sort_values("delta") gives them
    keep = np.flatnonzero(have)
    keep = keep[delta[0, keep].argsort(kind="quicksort")]
    models = meta.reset_index().rename(columns={"index": "model_id"}).take(keep)
    models["delta"] = delta[0, keep]
    if bounds is not None:
        models["ci_low"], models["ci_high"] = bounds[0][keep], bounds[1][keep]
    models = models.reset_index(drop=True)
    labels = {column: meta[column].fillna("unknown").astype(str).to_numpy()
              for column in GROUPINGS}
    rows = _group_table(delta, labels, min_models, rng, ci)
    groups = pd.DataFrame(rows, columns=GROUP_COLUMNS[:7])
    masks = [(labels[r["grouping"]] == r["group"])[have] for r in rows]
    p_values = permutation_p_values(delta[0, have], masks, n_perm,
                                    np.random.default_rng([rng.integers(2 ** 32), 1]))
    groups["p_value"] = p_values
    groups["p_adjusted"] = holm(p_values)
    groups["p_adjust_method"] = P_ADJUST_METHOD
    return models, groups


GROUP_COLUMNS = ["grouping", "group", "n", "mean_delta", "ci_low", "ci_high", "vs_rest",
                 "p_value", "p_adjusted", "p_adjust_method"]


def lag_by_test_set(per_benchmark: pd.DataFrame, n_boot: int = 2000, seed: int = 0,
                    ci: float = 0.90) -> dict:
    """Is the open lag larger on private benchmarks? Median horizontal and threshold lags
    by test set over the per-benchmark gap table, their ratio, and a bootstrap interval
    of the ratio over benchmarks."""
    rng = np.random.default_rng(seed)
    tail = (1 - ci) / 2
    out = {}
    for column in ("lag_months", "lag_threshold_months"):
        rows = per_benchmark.dropna(subset=[column])
        private = rows.loc[rows["test_set"] == "private", column].to_numpy(float)
        public = rows.loc[rows["test_set"] == "public", column].to_numpy(float)
        if len(private) < 3 or len(public) < 3:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = (np.median(rng.choice(private, (n_boot, len(private))), axis=1)
                      / np.median(rng.choice(public, (n_boot, len(public))), axis=1))
        ratios = ratios[np.isfinite(ratios)]
        out[column] = {"private_median": float(np.median(private)),
                       "public_median": float(np.median(public)),
                       "n_private": int(len(private)), "n_public": int(len(public)),
                       "ratio": float(np.median(private) / np.median(public)),
                       "ratio_ci_low": float(np.quantile(ratios, tail)),
                       "ratio_ci_high": float(np.quantile(ratios, 1 - tail))}
    return out
