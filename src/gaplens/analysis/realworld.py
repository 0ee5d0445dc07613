"""Benchmarks against real-world signals: rank agreement, residuals and group tests.

Predictors (one value per model): the capability index (general and per projected
domain), each benchmark's best score, and composites (AA's published Intelligence Index).
Targets: real-world signals (LMArena text rating, WebDev arena, OpenRouter token share,
GDPval) or any benchmark or signal the user names, for example their own evaluation.

Per (predictor, target, window): Spearman's rank correlation over the models that have
both, with a bootstrap interval over models (``n_boot`` draws, seeded), and n. A target
signal's value for a model in a window is its latest value in the window (its mean for
usage signals such as OpenRouter shares). Predictors in a calendar-year window are read as
known at its end: a benchmark's best score over the results of versions released by then,
AA's index as published by then. The capability index (general and per domain) is the
stored fit on all the data in every window (a refit per window would be a fit per
window): a model's index may include results of later versions, so the index rows of
past windows read today's standing, not the standing of that year.

Residuals: the target's rank regressed on the predictor's rank (both as percentiles,
least squares); a positive residual means the model is used or liked more than its
benchmark standing predicts (a single model's residual has no interval: it is a
description, not an estimate). Group test: for each group (open/closed, organization,
country) the mean residual and its difference from the other models', with Welch's 90 %
interval of the difference and a permutation p-value of the Welch statistic (shuffling
group labels across models with the group sizes kept, ``n_perm`` draws;
:mod:`.grouptest`) for "this group's mean residual is no different from the others'",
raw (``p_value``) and adjusted by Holm's method over every group of every grouping tested
for the target (``p_adjusted``, ``p_adjust_method``).

Usage alignment (:func:`usage_alignment`, ``RealWorld.usage``): every usage and preference
signal in the warehouse (OpenRouter token shares, whatever their scope: weekly, daily, per
app or agent tool; LMArena ratings per arena) against the general index, each with its
Spearman rho and 90 % bootstrap interval (the signal is *predicted* by benchmark standing
when the interval lies above 0) and each model's rank residual as above, read as ranks
(1 = top) among the models with both: ``expected`` = the rank the fitted line gives,
``observed`` = the rank on the signal. A model sits *far* from its benchmark standing when
its residual lies outside the 90 % prediction band of the rank regression,

    |residual| > t_{0.95, n-2} * s * sqrt(1 + 1/n + (x - mean x)^2 / S_xx),

and is at least ``FAR_SHARE`` (a quarter of the field) away: the band alone flags about
one model in ten whatever the agreement, so a perfectly ranked signal with tiny residuals
would still have "far" models.

Thin signals are named: OpenRouter keeps the top ~10 models a week, the 2026 arena
snapshots the top 20-70, so correlations there are among frontier models only (a
restricted range lowers correlations) and their intervals are wide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError, UnknownNameError
from .grouptest import P_ADJUST_METHOD, holm, permutation_p_values, welch_interval
from .ranks import average_ranks

USAGE_SIGNALS = ("openrouter.",)
DEFAULT_TARGETS = ("lmarena.text", "lmarena.code", "openrouter.share", "benchmark:GDPval",
                   "aa.gdpval")
THIN = {"openrouter.": "OpenRouter lists only the top ~10 models by weekly tokens",
        "lmarena.code": "the 2026 arena snapshots keep only the top 20-70 models a day",
        "benchmark:GDPval": "GDPval has few evaluated models (and no open one in the Epoch "
                            "snapshot)"}


@dataclass(frozen=True)
class Window:
    name: str
    start: pd.Timestamp | None
    end: pd.Timestamp | None

    def contains(self, dates: pd.Series) -> pd.Series:
        if self.start is None and self.end is None:
            return pd.Series(True, index=dates.index)
        d = pd.to_datetime(dates)
        ok = pd.Series(True, index=dates.index)
        if self.start is not None:
            ok &= d >= self.start
        if self.end is not None:
            ok &= d <= self.end
        return ok


def yearly_windows(dates: pd.Series) -> list[Window]:
    years = sorted(int(y) for y in pd.to_datetime(pd.Series(dates)).dt.year.dropna().unique())
    out = [Window("all", None, None)]
    out += [Window(str(y), pd.Timestamp(f"{y}-01-01"), pd.Timestamp(f"{y}-12-31"))
            for y in years]
    return out


def target_dates(signals: pd.DataFrame, results: pd.DataFrame, targets) -> pd.Series:
    """The dates the targets were observed on (signal snapshots, benchmark releases)."""
    parts = []
    for t in targets:
        if t.startswith("benchmark:"):
            rows = results.loc[results["benchmark"].str.lower() == t[10:].lower()]
            parts.append(pd.to_datetime(rows["release_date"]))
        else:
            parts.append(pd.to_datetime(signals.loc[signals["signal"] == t, "as_of"]))
    return pd.concat(parts) if parts else pd.Series(dtype="datetime64[ns]")


def target_values(signals: pd.DataFrame, results: pd.DataFrame, target: str,
                  window: Window) -> pd.Series:
    """One value per model for a target in a window (NaN-free)."""
    if target.startswith("benchmark:"):
        name = target.split(":", 1)[1]
        rows = results.loc[results["benchmark"].str.lower() == name.lower()]
        rows = rows.loc[window.contains(rows["release_date"])] if len(rows) else rows
        return rows.groupby("model_id")["score"].max()
    rows = signals.loc[signals["signal"] == target]
    if rows.empty:
        return pd.Series(dtype=float)
    rows = rows.loc[window.contains(rows["as_of"])]
    if target.startswith(USAGE_SIGNALS):
        return rows.groupby("model_id")["value"].mean()
    return _latest(rows)


def _latest(rows: pd.DataFrame) -> pd.Series:
    """Each model's value at its newest date: ``rows.sort_values("as_of")
    .groupby("model_id").tail(1).set_index("model_id")["value"]``, the newest row of each
    model found from codes (the same sort, so the same row on a tie and the same order)."""
    when = rows["as_of"]
    if when.dtype.kind != "M" or when.isna().any() or rows["model_id"].isna().any():
        latest = rows.sort_values("as_of").groupby("model_id").tail(1)
        return latest.set_index("model_id")["value"]
    order = np.argsort(when.to_numpy(), kind="quicksort")  # what sort_values does
    codes = pd.factorize(rows["model_id"].to_numpy(dtype=object)[order])[0]
    last = len(codes) - 1 - np.unique(codes[::-1], return_index=True)[1]
    return rows.take(order[np.sort(last)]).set_index("model_id")["value"]


def _twice_centred_ranks(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """2 * (average rank - mean rank) of ``x[k]`` within each row of the index matrix ``k``
    (ties averaged, as scipy's ``rankdata``): integers, from counts of x's distinct values
    per row, without sorting every resample. The rows' counts are laid end to end, so
    one running sum over all of them gives each row's ranks plus 2n per earlier row."""
    codes = np.unique(x, return_inverse=True)[1].ravel()  # dense rank of each value
    u = int(codes.max()) + 1 if len(codes) else 0
    rows, n = k.shape
    flat = codes[k] + u * np.arange(rows)[:, None]
    counts = np.bincount(flat.ravel(), minlength=rows * u)
    # 2 * rank = 2 * (values below) + count + 1, and 2 * mean rank = n + 1
    twice = 2 * np.cumsum(counts) - counts - n
    return twice[flat] - 2 * n * np.arange(rows)[:, None]


def _boot_spearman(x: np.ndarray, y: np.ndarray, n_boot: int, rng) -> tuple[float, float]:
    """90 % bootstrap interval of Spearman's rho over models (vectorised over draws). The
    sums of products of centred ranks are computed on twice the ranks, in integers: they
    are exact, so the same as summed in floating point over the ranks themselves."""
    n = len(x)
    k = rng.integers(0, n, (n_boot, n))
    rx = _twice_centred_ranks(x, k).astype(float)
    ry = _twice_centred_ranks(y, k).astype(float)
    den = np.sqrt(np.einsum("ij,ij->i", rx, rx) / 4 * (np.einsum("ij,ij->i", ry, ry) / 4))
    ok = den > 0
    if ok.sum() < 10:
        return np.nan, np.nan
    rho = (np.einsum("ij,ij->i", rx, ry) / 4)[ok] / den[ok]
    low, high = np.quantile(rho, [0.05, 0.95])
    return float(low), float(high)


@dataclass(frozen=True)
class RealWorld:
    correlations: pd.DataFrame  # predictor, kind, target, window, n, spearman, ci_low, ci_high
    residuals: pd.DataFrame  # model rows for the focus predictor/target
    groups: pd.DataFrame  # grouping, group, n, difference_vs_rest, ci, p_value
    focus: tuple[str, str]
    notes: tuple[str, ...] = field(default=())
    best: pd.DataFrame = field(default_factory=pd.DataFrame)  # top predictors per target
    standing: pd.DataFrame = field(default_factory=pd.DataFrame)  # open vs closed per target
    usage: pd.DataFrame = field(default_factory=pd.DataFrame)  # USAGE_COLUMNS, every signal


def correlations(predictors: dict[str, tuple[str, pd.Series]], targets: dict[str, pd.Series],
                 window: str, n_boot: int, seed: int, min_models: int = 8) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    # Each predictor's model ids and values, and each target's values by model id, read
    # once: the pairs are then found by lookups, not by an index intersection per pair.
    keyed = {name: (kind, x.index.to_numpy(dtype=object), x.to_numpy(dtype=float))
             for name, (kind, x) in predictors.items()}
    for target, y in targets.items():
        by_model = dict(zip(y.index.to_numpy(dtype=object), y.to_numpy(dtype=float)))
        for name, (kind, ids, values) in keyed.items():
            if target.startswith("benchmark:") and name == f"benchmark: {target[10:]}":
                continue  # a target does not predict itself
            xs, ys = _paired_values(ids, values, by_model)
            if len(xs) < min_models:
                continue
            rho = _spearman(xs, ys)
            lo, hi = _boot_spearman(xs, ys, n_boot, rng)
            rows.append({"predictor": name, "kind": kind, "target": target, "window": window,
                         "n": len(xs), "spearman": float(rho), "ci_low": lo, "ci_high": hi})
    return rows


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """``scipy.stats.spearmanr(x, y)[0]`` of NaN-free 1-D arrays: the same average ranks
    (whole and half numbers, exact either way) laid out and correlated as scipy does,
    without the p-value scipy also computes. A constant input (or fewer than two values)
    has no correlation: NaN, as scipy gives."""
    if len(x) <= 1 or (x[0] == x).all() or (y[0] == y).all():
        return float("nan")
    ranked = np.column_stack((average_ranks(x), average_ranks(y)))
    return np.corrcoef(ranked, rowvar=False)[1, 0]


def _paired_values(ids: np.ndarray, values: np.ndarray, by_model: dict
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The values of the models in both a series given as (ids, values) and one given as
    a dict by id (both with unique ids), in ``ids``' order (as an inner join of the two
    series gives them), NaN-free."""
    common = np.fromiter((m in by_model for m in ids), bool, len(ids))
    xs = values[common]
    ys = np.array([by_model[m] for m in ids[common]], dtype=float)
    ok = ~(np.isnan(xs) | np.isnan(ys))
    return xs[ok], ys[ok]


def residuals(x: pd.Series, y: pd.Series, meta: pd.DataFrame) -> pd.DataFrame:
    return _with_meta(_ranked(x, y), meta)


def _ranked(x: pd.Series, y: pd.Series) -> pd.DataFrame:
    """The part of :func:`residuals` that does not depend on ``meta``: the models with
    both, their percentile ranks and residuals, by model id, largest residual first."""
    both = pd.concat([x.rename("predictor"), y.rename("target")], axis=1, join="inner").dropna()
    if len(both) < 5:
        raise ConfigError(f"only {len(both)} models have both the predictor and the target")
    px = (average_ranks(both["predictor"].to_numpy()) - 0.5) / len(both)
    py = (average_ranks(both["target"].to_numpy()) - 0.5) / len(both)
    slope, intercept = np.polyfit(px, py, 1)
    both["predictor_pct"], both["target_pct"] = px, py
    both["residual"] = py - (intercept + slope * px)
    return both.sort_values("residual", ascending=False)


def _with_meta(ranked: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """:func:`_ranked`'s rows with ``meta`` joined (one row per model id: the order kept):
    what ``ranked.join(meta, how="left")`` gives with the index as a column, the meta
    columns looked up by id instead of joined."""
    return _add_meta(ranked.reset_index().rename(columns={"index": "model_id"}),
                     ranked.index, meta)


def _add_meta(frame: pd.DataFrame, ids, meta: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a RangeIndex) with ``meta``'s columns for the model ids ``ids`` (one per
    row) added at the end, NaN for ids ``meta`` does not have (a left join's result)."""
    looked = meta.reindex(ids)
    looked.index = frame.index
    return pd.concat([frame, looked], axis=1)


def _memo(cache: dict | None, key, compute):
    """``compute()``, kept in ``cache`` under ``key`` when a cache is given."""
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


GROUP_COLUMNS = ["grouping", "group", "n", "mean_residual", "difference_vs_rest", "ci_low",
                 "ci_high", "p_value", "p_adjusted", "p_adjust_method"]


def group_tests(res: pd.DataFrame, columns=("group", "organization", "country"),
                n_perm: int = 2000, seed: int = 0, min_size: int = 3) -> pd.DataFrame:
    """Per group: mean residual minus the rest's with Welch's 90 % interval, a two-sided
    permutation p-value of the Welch statistic (labels permuted across models, group sizes
    kept: :mod:`~gaplens.analysis.grouptest`) and the p-value adjusted by Holm's method over
    every group of every grouping in the table."""
    rng = np.random.default_rng(seed)
    r = res["residual"].to_numpy()
    n = len(r)
    tested = []
    for column in columns:
        if column not in res:
            continue
        labels = _labels(res[column])
        for g in sorted(set(labels)):
            mask = labels == g
            k = int(mask.sum())
            if min_size <= k <= n - min_size:
                tested.append((column, g, mask))
    p_values = permutation_p_values(r, [m for _, _, m in tested], n_perm, rng)
    adjusted = holm(p_values)
    rows = []
    for (column, g, mask), p, p_adj in zip(tested, p_values, adjusted):
        difference, low, high = welch_interval(r[mask], r[~mask], 0.90)
        rows.append({"grouping": column, "group": g, "n": int(mask.sum()),
                     "mean_residual": float(r[mask].mean()),
                     "difference_vs_rest": difference, "ci_low": low, "ci_high": high,
                     "p_value": float(p), "p_adjusted": float(p_adj),
                     "p_adjust_method": P_ADJUST_METHOD})
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _labels(column: pd.Series) -> np.ndarray:
    """``column.fillna("unknown").astype(str).to_numpy()``; a text column's values are
    read as they are, without the two conversions."""
    if isinstance(column.dtype, pd.StringDtype) or column.dtype == object and all(
            isinstance(v, str) for v in column.dropna()):
        values = column.to_numpy(dtype=object, na_value=None)
        return np.array(["unknown" if v is None else v for v in values], dtype=object)
    return column.fillna("unknown").astype(str).to_numpy()


def thin_notes(targets: dict[str, pd.Series]) -> list[str]:
    notes = []
    for target, values in targets.items():
        for key, text in THIN.items():
            if target.startswith(key):
                notes.append(f"{target}: {text}; {len(values)} models in all")
    return notes


def check_target(name: str, signals: pd.DataFrame, results: pd.DataFrame) -> None:
    if name.startswith("benchmark:"):
        bench = name.split(":", 1)[1].lower()
        if bench not in set(results["benchmark"].str.lower().unique()):
            raise UnknownNameError(f"no results for benchmark '{name[10:]}' in the warehouse")
        return
    names = set(signals["signal"].unique())
    if name not in names:
        known = sorted(names)
        raise UnknownNameError(f"no signal '{name}' in the warehouse (signals: "
                               + ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
                               + "; or 'benchmark:NAME')")


def standing(values: pd.Series, groups: pd.Series, names: pd.Series, target: str,
             n_boot: int = 1000, seed: int = 0) -> dict:
    """Where open models stand on a target: best open and best closed model, the gap
    between them with a bootstrap interval (models resampled within each group), and the
    open models' mean percentile rank among all models with a value."""
    # ``groups`` and ``names`` have one row per model id (as ``meta``): looked up, not joined
    for side in (groups, names):
        if not side.index.is_unique:
            raise ValueError("standing needs one group and one name per model id")
    value = values.to_numpy(dtype=float)
    keep = ~np.isnan(value)
    ids, value = values.index.to_numpy(dtype=object)[keep], value[keep]
    group_of = dict(zip(groups.index.to_numpy(dtype=object), groups.to_numpy(dtype=object)))
    group = np.array([group_of.get(m) for m in ids], dtype=object)
    pct = (average_ranks(value) - 0.5) / len(value)
    is_o, is_c = group == "open", group == "closed"
    row = {"target": target, "n": len(value), "n_open": int(is_o.sum()),
           "n_closed": int(is_c.sum())}
    if not is_o.any() or not is_c.any():
        return {**row, "note": "no open or no closed model has a value"}
    rng = np.random.default_rng(seed)
    ov, cv = value[is_o], value[is_c]
    boot = (rng.choice(cv, (n_boot, len(cv))).max(axis=1)
            - rng.choice(ov, (n_boot, len(ov))).max(axis=1))
    best_o, best_c = int(np.argmax(ov)), int(np.argmax(cv))  # the first on a tie (idxmax)
    low, high = np.quantile(boot, [0.05, 0.95])
    return {**row, "best_open": ids[is_o][best_o], "best_open_value": float(ov[best_o]),
            "best_closed": ids[is_c][best_c], "best_closed_value": float(cv[best_c]),
            "gap": float(cv.max() - ov.max()),
            "gap_ci_low": float(low), "gap_ci_high": float(high),
            "open_mean_percentile": float(pct[is_o].mean()), "note": ""}


def predictors(fitted, results: pd.DataFrame, signals: pd.DataFrame,
               min_models: int,
               project=None) -> dict[str, tuple[str, pd.Series]]:
    """Every predictor with ``min_models`` models: the general index, each projected domain
    index, each benchmark's best score, and AA's latest published index. ``project``: how
    to get a domain's index (default :func:`project_domain`)."""
    from .domain_index import project_domain

    out = {"index: general": ("index", fitted.models.set_index("model_id")["index"])}
    for domain in dict.fromkeys(fitted.benchmarks["domain"].dropna()):
        try:
            d = project(domain) if project else project_domain(fitted, domain)
        except ConfigError:
            continue
        if len(d.table) >= min_models:
            out[f"index: {domain}"] = ("domain index", d.table.set_index("model_id")["index"])
    out.update(_benchmark_predictors(results, min_models))
    aa = signals.loc[signals["signal"] == "aa.intelligence_index"]
    if len(aa):
        latest = aa.sort_values("as_of").groupby("model_id").tail(1).set_index("model_id")
        out["composite: AA index"] = ("composite", latest["value"])
    return out


def _benchmark_predictors(results: pd.DataFrame, min_models: int
                          ) -> dict[str, tuple[str, pd.Series]]:
    """Each benchmark's best score per model (``results``: one row per model and
    benchmark), for benchmarks with ``min_models`` models: the series
    ``results.groupby("benchmark")`` gives, in its order, cut from the columns read once."""
    codes, names = pd.factorize(results["benchmark"], sort=True)  # a missing name: -1
    order = np.argsort(codes, kind="stable")
    codes = codes[order]
    ids = results["model_id"].to_numpy(dtype=object)[order]
    scores = results["score"].to_numpy(dtype=float)[order]
    starts = np.searchsorted(codes, np.arange(len(names)), side="left")
    ends = np.searchsorted(codes, np.arange(len(names)), side="right")
    out = {}
    for name, a, b in zip(names, starts, ends):
        if b - a >= min_models:
            index = pd.Index(ids[a:b], dtype=results["model_id"].dtype, name="model_id")
            out[f"benchmark: {name}"] = ("benchmark", pd.Series(scores[a:b], index=index,
                                                                name="score"))
    return out


class _SignalRows:
    """A signals table's rows per signal name, found by one pass over the names: each
    selection is the rows (index labels, order) ``signals.loc[signals["signal"] == name]``
    gives, without comparing every row's name again per selection."""

    def __init__(self, signals: pd.DataFrame):
        self.frame = signals
        self.codes, names = pd.factorize(signals["signal"])
        self.names = list(names)
        self.code_of = {name: i for i, name in enumerate(self.names)}

    def of(self, *names: str) -> pd.DataFrame:
        """The rows of any of ``names`` (in the table's order)."""
        codes = [self.code_of[n] for n in names if n in self.code_of]
        if len(codes) == 1:
            at = np.flatnonzero(self.codes == codes[0])
        else:
            at = np.flatnonzero(np.isin(self.codes, codes))
        return self.frame.take(at)


def analyse(fitted, signals: pd.DataFrame, long: pd.DataFrame, meta: pd.DataFrame,
            targets: list[str] | None = None, predictor: str = "index: general",
            min_models: int = 8, n_boot: int = 1000, seed: int = 0,
            project=None, every_target: bool = False, cache: dict | None = None) -> RealWorld:
    """The whole analysis: ``long`` is the warehouse's results, ``meta`` one row per model
    id with display_name, organization, country and group. Residuals and group tests are
    for the first target (the focus), or for every target with ``every_target``; their
    rows name the target in ``signal``. ``cache`` (a dict kept by the caller across calls on
    the same fit, signals and results, for example one per definition of open): the
    predictors, targets and correlations, which do not depend on ``meta``, are computed
    once."""
    key = (tuple(targets or ()), predictor, min_models, n_boot, seed)
    part = cache.get(key) if cache is not None else None
    if part is None:
        part = _signal_part(fitted, signals, long, targets, predictor, min_models, n_boot,
                            seed, project)
        if cache is not None:
            cache[key] = part
    chosen, preds, corr, target_all = part
    focus_target = chosen[0]
    notes = thin_notes(target_all)
    res_parts, group_parts = [], []
    for target in (chosen if every_target else [focus_target]):
        try:
            part = _with_meta(_memo(cache, ("ranked", key, target), lambda: _ranked(
                preds[predictor][1], target_all[target])), meta)
        except ConfigError as exc:
            notes.append(f"no residuals for {target} on {predictor}: {exc}")
            continue
        res_parts.append(part.assign(signal=target))
        group_parts.append(group_tests(part, seed=seed).assign(signal=target))
    res = pd.concat(res_parts, ignore_index=True) if res_parts else pd.DataFrame()
    groups = pd.concat(group_parts, ignore_index=True) if group_parts else pd.DataFrame()
    stand = pd.DataFrame([standing(target_all[t], meta["group"], meta["display_name"], t,
                                   seed=seed) for t in chosen if len(target_all[t])])
    best = (corr.loc[corr["window"] == "all"].sort_values(["target", "spearman"],
                                                         ascending=[True, False])
            .groupby("target").head(8).reset_index(drop=True)) if len(corr) else corr
    usage = usage_alignment(preds["index: general"][1], signals, meta, n_boot, seed,
                            min_models, cache=cache)
    return RealWorld(correlations=corr, residuals=res, groups=groups,
                     focus=(predictor, focus_target), notes=tuple(notes), best=best,
                     standing=stand, usage=usage)


def _signal_part(fitted, signals, long, targets, predictor, min_models, n_boot, seed, project):
    """(targets chosen, predictors, correlations, target values over all time): the part
    of :func:`analyse` that does not depend on how models are grouped."""
    results = long.groupby(["model_id", "benchmark"], as_index=False).agg(
        score=("score", "max"), release_date=("release_date", "min"))
    known = set(results["benchmark"].str.lower().unique())
    by_signal = _SignalRows(signals)
    signal_names = set(by_signal.names)
    chosen = list(targets) if targets else [
        t for t in DEFAULT_TARGETS
        if (t.startswith("benchmark:") and t[10:].lower() in known) or t in signal_names]
    if not chosen:
        raise ConfigError("no real-world signal in the warehouse (ingest lmarena, openrouter or "
                          "aa data first, or name a --target)")
    for t in chosen:
        if t.startswith("benchmark:") or t not in signal_names:
            check_target(t, signals, results)
    # Each selection below reads only the signal rows it selects from (the same rows).
    aa = by_signal.of("aa.intelligence_index")
    preds = predictors(fitted, results, aa, min_models, project)
    index_preds = {k: v for k, v in preds.items() if v[0] in ("index", "domain index")}
    if predictor not in preds:
        raise UnknownNameError(f"unknown predictor '{predictor}' (e.g. 'index: general', "
                               "'index: agentic', 'benchmark: GPQA diamond', "
                               "'composite: AA index')")
    rows, target_all = [], {}
    # Each target's own rows, selected once (target_values selects them again, the same
    # rows in the same order, from these few instead of the whole tables per window).
    # Only the columns target_values reads: the rows of the other columns are not copied
    # per window.
    columns = ["model_id", "signal", "value", "as_of"]
    own = {t: (signals.iloc[:0], results.loc[results["benchmark"].str.lower() == t[10:].lower()])
           if t.startswith("benchmark:") else (by_signal.of(t)[columns], results)
           for t in chosen}
    for window in yearly_windows(target_dates(by_signal.of(*chosen), results, chosen)):
        values = {t: target_values(*own[t], t, window) for t in chosen}
        if window.name == "all":
            target_all = values
        rows += correlations(_as_known(preds, index_preds, long, aa, window, min_models),
                             {t: v for t, v in values.items() if len(v)}, window.name,
                             n_boot, seed, min_models)
    return chosen, preds, pd.DataFrame(rows), target_all


def _as_known(preds: dict, index_preds: dict, long: pd.DataFrame, signals: pd.DataFrame,
              window: Window, min_models: int) -> dict[str, tuple[str, pd.Series]]:
    """The predictors of a window as known at its end: each benchmark's best score over
    the results of versions released by then, AA's index as published by then. The
    capability index (general and per domain) is the stored fit on all the data, in every
    window: refitting it per window is a fit per window."""
    if window.end is None:
        return preds
    scored = long[["model_id", "benchmark", "score", "release_date"]]
    dated = scored.loc[pd.to_datetime(scored["release_date"]) <= window.end]
    results = dated.groupby(["model_id", "benchmark"], as_index=False).agg(
        score=("score", "max"), release_date=("release_date", "min"))
    out = dict(index_preds)
    out.update(_benchmark_predictors(results, min_models))
    aa = signals.loc[(signals["signal"] == "aa.intelligence_index")
                     & (pd.to_datetime(signals["as_of"]) <= window.end)]
    if len(aa):
        latest = aa.sort_values("as_of").groupby("model_id").tail(1).set_index("model_id")
        out["composite: AA index"] = ("composite", latest["value"])
    return out


# --- usage alignment: every usage signal against the general index ---------------------------

#: Readable names of the usage and preference signals (others keep their signal name).
SIGNAL_LABELS = {"openrouter.share": "OpenRouter weekly token share",
                 "openrouter.share_daily": "OpenRouter daily token share",
                 "lmarena.text": "LMArena text", "lmarena.code": "LMArena code",
                 "lmarena.vision": "LMArena vision", "lmarena.search": "LMArena search",
                 "lmarena.document": "LMArena document", "lmarena.webdev": "LMArena WebDev"}
FAR_SHARE = 0.25  # a far model is also at least this share of the field off its expected rank
USAGE_COLUMNS = ["signal", "signal_label", "data_through", "model_id", "display_name",
                 "organization", "country", "group", "n", "index_rank", "expected", "observed",
                 "residual", "band", "far", "direction", "rho", "rho_ci_low", "rho_ci_high",
                 "predicts"]


def usage_targets(names) -> list[str]:
    """The usage and preference signals among ``names``: OpenRouter token shares (tokens
    and ranks repeat them) and LMArena ratings (not their intervals, ranks or votes)."""
    out = [n for n in sorted(set(names)) if n.startswith("openrouter.") and "share" in n]
    out += [n for n in sorted(set(names)) if n.startswith("lmarena.")
            and not n.endswith(("_ci", "_rank", "_votes"))]
    return out


def usage_alignment(index: pd.Series, signals: pd.DataFrame, meta: pd.DataFrame,
                    n_boot: int = 1000, seed: int = 0, min_models: int = 8,
                    cache: dict | None = None) -> pd.DataFrame:
    """Per usage signal and model (USAGE_COLUMNS): rank agreement with the general index
    (``index``: value per model id) and where each model's use stands against what its
    index rank predicts; signals with fewer than ``min_models`` models are left out.
    ``cache`` (as in :func:`analyse`): the part that does not depend on ``meta`` is
    computed once."""
    frame = _memo(cache, ("usage", n_boot, seed, min_models),
                  lambda: _usage_frame(_usage_part(index, signals, n_boot, seed, min_models)))
    if frame is None:
        return pd.DataFrame(columns=USAGE_COLUMNS)
    out = _add_meta(frame, frame["model_id"], meta)
    for column in USAGE_COLUMNS:
        if column not in out:
            out[column] = None
    return out[USAGE_COLUMNS]


def _usage_frame(parts: list[tuple]) -> pd.DataFrame | None:
    """:func:`usage_alignment`'s rows but the meta columns, from :func:`_usage_part`'s
    parts (None without any)."""
    frames = []
    for signal, ranked, n, px, fitted, band, rho, low, high, through in parts:
        res = ranked.reset_index().rename(columns={"index": "model_id"})
        residual = res["residual"].to_numpy()
        frames.append(res.assign(
            signal=signal, signal_label=SIGNAL_LABELS.get(signal, signal),
            data_through=through.date() if pd.notna(through) else None, n=n,
            index_rank=n + 0.5 - n * px, expected=(n + 0.5 - n * fitted).to_numpy(),
            observed=n + 0.5 - n * res["target_pct"].to_numpy(), band=band,
            rho=rho, rho_ci_low=low, rho_ci_high=high, predicts=bool(low > 0),
            far=(np.abs(residual) > band) & (np.abs(residual) >= FAR_SHARE),
            direction=np.where(residual < 0, "below", "above")))
    return pd.concat(frames, ignore_index=True) if frames else None


def _usage_part(index: pd.Series, signals: pd.DataFrame, n_boot: int, seed: int,
                min_models: int) -> list[tuple]:
    """The part of :func:`usage_alignment` that does not depend on ``meta``: per usage
    signal with enough models, (signal, :func:`_ranked` rows, n, the predictor's
    percentiles and the fitted values in their order, the prediction band, rho and its
    interval, the signal's newest date). The band's t quantile is scipy.special.stdtrit,
    the function scipy.stats.t.ppf evaluates (scipy.stats takes about a second to import)."""
    from scipy.special import stdtrit

    rng = np.random.default_rng([seed, 13])
    out = []
    everything = Window("all", None, None)
    by_signal = _SignalRows(signals)
    for signal in usage_targets(by_signal.names) if len(signals) else []:
        own = by_signal.of(signal)  # the signal's rows, selected once
        y = target_values(own, pd.DataFrame(), signal, everything)
        both = pd.concat([index.rename("x"), y.rename("y")], axis=1, join="inner").dropna()
        n = len(both)
        if n < max(min_models, 5):
            continue
        ranked = _ranked(both["x"], both["y"])
        px, fitted = ranked["predictor_pct"].to_numpy(), ranked["target_pct"] - ranked["residual"]
        dof = max(n - 2, 1)
        s_res = float(np.sqrt((ranked["residual"] ** 2).sum() / dof))
        sxx = float(((px - px.mean()) ** 2).sum())
        band = stdtrit(dof, 0.95) * s_res * np.sqrt(
            1 + 1 / n + (px - px.mean()) ** 2 / (sxx if sxx > 0 else 1.0))
        rho = float(_spearman(both["x"].to_numpy(), both["y"].to_numpy()))
        low, high = _boot_spearman(both["x"].to_numpy(), both["y"].to_numpy(), n_boot, rng)
        through = pd.to_datetime(own["as_of"]).max()
        out.append((signal, ranked, n, px, fitted, band, rho, low, high, through))
    return out
