"""The API beyond one number: composite, real-world alignment, over-fitting, lifecycle,
forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ._api_core import (
    parse_as_of,
    Progress,
    _model_meta,
    open_warehouse,
    parse_date,
    parse_open_definition,
)
from .errors import ConfigError, UnknownNameError
from .types import OpenDefinition
from ._api_data import gap
from ._api_index import current_fit


# --- the composite (Artificial Analysis Intelligence Index) ----------------------------------

def composite(db: str | None = None, version: str = "v4.0", as_of: str | dt.date | None = None,
              open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
              n_draws: int = 2000, kappa: float = 20.0, seed: int = 0, ci: float = 0.90):
    """The AA Intelligence Index recomputed from its sub-evaluations: agreement with the
    published values per snapshot, and the open-vs-closed gap under sampled weights."""
    from .analysis.composite import agreement, bundled_composites, weight_sensitivity

    if n_draws < 10:
        raise ConfigError("--draws must be at least 10")
    if kappa <= 0:
        raise ConfigError("--kappa must be positive")
    with open_warehouse(db) as warehouse:
        signals = warehouse.signals("aa.")
    if signals.empty:
        raise ConfigError("no Artificial Analysis data in the warehouse: run "
                          "'gaplens ingest aa FILE'")
    table = bundled_composites()
    sensitivity = weight_sensitivity(signals, table, version=version,
                                     as_of=parse_date(as_of, "--at"),
                                     open_definition=parse_open_definition(open_definition),
                                     n_draws=n_draws, kappa=kappa, seed=seed, ci=ci)
    return CompositeResult(agreement=agreement(signals, table), sensitivity=sensitivity)


@dataclass(frozen=True)
class CompositeResult:
    agreement: "object"  # analysis.composite.Agreement
    sensitivity: "object"  # analysis.composite.WeightSensitivity


# --- real-world alignment --------------------------------------------------------------------

@dataclass(frozen=True)
class RealWorldResult:
    correlations: pd.DataFrame
    residuals: pd.DataFrame
    groups: pd.DataFrame
    focus: tuple[str, str]
    notes: tuple[str, ...]
    best: pd.DataFrame  # per target: the predictors that agree most (window "all")
    standing: pd.DataFrame  # per target: best open and closed, gap with interval


def realworld(
    db: str | None = None,
    targets: list[str] | None = None,
    predictor: str = "index: general",
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    min_models: int = 8,
    n_boot: int = 1000,
    seed: int = 0,
) -> RealWorldResult:
    """Rank agreement of benchmarks, domain indices and composites with real-world signals
    (or a target of your own: a signal name or ``benchmark:NAME``), residuals and group tests."""
    from .analysis import realworld as rw
    from .analysis.domain_index import project_domain

    definition = parse_open_definition(open_definition)
    fitted = current_fit(db)
    with open_warehouse(db) as warehouse:
        signals = warehouse.signals()
        long = warehouse.observations()
        table = warehouse.models()
    results = long.groupby(["model_id", "benchmark"], as_index=False).agg(
        score=("score", "max"), release_date=("release_date", "min"))
    chosen = list(targets) if targets else [
        t for t in rw.DEFAULT_TARGETS
        if (t.startswith("benchmark:") and t[10:].lower() in set(results["benchmark"].str.lower()))
        or t in set(signals["signal"])]
    if not chosen:
        raise ConfigError("no real-world signal in the warehouse (ingest lmarena, openrouter or "
                          "aa data first, or name a --target)")
    for t in chosen:
        rw.check_target(t, signals, results)
    predictors: dict[str, tuple[str, pd.Series]] = {
        "index: general": ("index", fitted.models.set_index("model_id")["index"])}
    for domain in dict.fromkeys(fitted.benchmarks["domain"].dropna()):
        try:
            d = project_domain(fitted, domain)
        except ConfigError:
            continue
        if len(d.table) >= min_models:
            predictors[f"index: {domain}"] = ("domain index", d.table.set_index("model_id")["index"])
    for bench, rows in results.groupby("benchmark"):
        if len(rows) >= min_models:
            predictors[f"benchmark: {bench}"] = ("benchmark", rows.set_index("model_id")["score"])
    aa = signals.loc[signals["signal"] == "aa.intelligence_index"]
    if len(aa):
        latest = aa.sort_values("as_of").groupby("model_id").tail(1).set_index("model_id")
        predictors["composite: AA index"] = ("composite", latest["value"])
    if predictor not in predictors:
        raise UnknownNameError(f"unknown predictor '{predictor}' (e.g. 'index: general', "
                               "'index: agentic', 'benchmark: GPQA diamond', "
                               "'composite: AA index')")
    rows, target_all = [], {}
    for window in rw.yearly_windows(rw.target_dates(signals, results, chosen)):
        values = {t: rw.target_values(signals, results, t, window) for t in chosen}
        if window.name == "all":
            target_all = values
        rows += rw.correlations(predictors, {t: v for t, v in values.items() if len(v)},
                                window.name, n_boot, seed, min_models)
    corr = pd.DataFrame(rows)
    meta = _model_meta(table, definition)
    focus_target = chosen[0]
    notes = rw.thin_notes(target_all)
    try:
        res = rw.residuals(predictors[predictor][1], target_all[focus_target], meta)
        groups = rw.group_tests(res, seed=seed)
    except ConfigError as exc:
        res, groups = pd.DataFrame(), pd.DataFrame()
        notes.append(f"no residuals for {focus_target} on {predictor}: {exc}")
    stand = pd.DataFrame([rw.standing(target_all[t], meta["group"], meta["display_name"], t,
                                      seed=seed) for t in chosen if len(target_all[t])])
    best = (corr.loc[corr["window"] == "all"].sort_values(["target", "spearman"],
                                                         ascending=[True, False])
            .groupby("target").head(8).reset_index(drop=True)) if len(corr) else corr
    return RealWorldResult(correlations=corr, residuals=res, groups=groups,
                           focus=(predictor, focus_target), notes=tuple(notes),
                           best=best, standing=stand)


# --- over-fitting signals --------------------------------------------------------------------

@dataclass(frozen=True)
class OverfitReport:
    splits: tuple  # analysis.overfit.OverfitResult per split
    lag_by_test_set: dict
    open_definition: str


def overfit(db: str | None = None, splits: list[str] | None = None,
            open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
            min_results: int = 2, n_draws: int = 200, n_perm: int = 300,
            seed: int = 0) -> OverfitReport:
    """Over-fitting signals per model and group: private vs public, not optimised vs
    optimised-for, out- vs in-distribution benchmarks; and the open lag by test set."""
    from .analysis.overfit import SPLITS, lag_by_test_set
    from .analysis.overfit import overfit as _overfit

    definition = parse_open_definition(open_definition)
    fitted = current_fit(db)
    with open_warehouse(db) as warehouse:
        bench, table = warehouse.benchmarks(), warehouse.models()
    meta = _model_meta(table, definition)
    chosen = splits or list(SPLITS)
    results = tuple(_overfit(fitted, bench, meta, s, min_results=min_results,
                             n_draws=n_draws, n_perm=n_perm, seed=seed) for s in chosen)
    per_bench = gap(db=db, by="benchmark", open_definition=definition, n_draws=0).table
    per_bench = per_bench.merge(bench[["benchmark", "test_set"]].rename(
        columns={"test_set": "set"}), left_on="key", right_on="benchmark", how="left")
    per_bench["test_set"] = per_bench["set"]
    return OverfitReport(splits=results, lag_by_test_set=lag_by_test_set(per_bench, seed=seed),
                         open_definition=definition.value)


# --- benchmark lifecycle ---------------------------------------------------------------------

def lifecycle(db: str | None = None, as_of: str | dt.date | None = None, top_k: int = 5,
              seed: int = 0, n_draws: int = 1000):
    """Benchmark lifecycle as of a date: 50/80/90 % crossings, saturation of the top
    ``top_k`` models, the domain carrying the frontier per quarter and the interval
    between focus shifts. ``as_of`` defaults to the newest release date in the data."""
    from .analysis.lifecycle import LifecycleSettings, compute_lifecycle

    with open_warehouse(db) as warehouse:
        long = warehouse.observations()
        bench = warehouse.benchmarks()
    settings = LifecycleSettings(as_of=parse_as_of(as_of, long), top_k=top_k, seed=seed,
                                 n_draws=n_draws)
    return compute_lifecycle(long, bench, settings)


# --- forecast --------------------------------------------------------------------------------

def forecast(db: str | None = None, as_of: str | dt.date | None = None,
             domains: list[str] | None = None, window_months: int = 24, seed: int = 0,
             open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
             progress: Progress | None = None):
    """Extrapolate the open and closed frontiers of the index (general and per domain), say
    when the open trend reaches today's closed frontier, and back-test the method."""
    from .analysis.forecast import ForecastSettings, forecast as _forecast, index_scopes

    fitted = current_fit(db, progress)
    definition = parse_open_definition(open_definition)
    as_of = parse_as_of(as_of, db=db)
    settings = ForecastSettings(as_of=as_of, window_months=window_months, ci=fitted.settings.ci,
                                seed=seed, open_definition=definition.value)
    scopes, notes = index_scopes(fitted, definition, domains)
    return _forecast(scopes, settings, tuple(fitted.warnings) + notes)
