"""The API beyond one number: composite, real-world alignment, over-fitting, lifecycle,
forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._api_core import (
    as_of_or_data_date,
    parse_as_of,
    Progress,
    _model_meta,
    open_warehouse,
    parse_date,
    parse_open_definition,
)
from .errors import ConfigError
from .analysis.composite import CompositeView as CompositeResult  # noqa: F401
from .analysis.realworld import RealWorld as RealWorldResult  # noqa: F401
from .types import OpenDefinition
from ._api_data import gap
from ._api_index import current_fit


# --- the composite (Artificial Analysis Intelligence Index) ----------------------------------

def published_lag(db: str | None = None, as_of: str | dt.date | None = None,
                  open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
                  n_draws: int = 1000, seed: int = 0, min_models: int = 3):
    """The one number read like the map: gap and lag on AA's published Intelligence Index
    at every snapshot on or before ``as_of`` (default: the newest snapshot), with the
    estimators and intervals of :func:`gaplens.gap` (analysis/published_lag.py)."""
    from .analysis.gap import GapSettings
    from .analysis.published_lag import published_lag as compute, snapshot_dates

    as_of = parse_as_of(as_of)
    with open_warehouse(db) as warehouse:
        signals = warehouse.signals("aa.")
    if as_of is None:
        dates = snapshot_dates(signals) if not signals.empty else []
        if not dates:
            raise ConfigError("no 'aa.intelligence_index' signal stored: ingest Artificial "
                              "Analysis data first (gaplens ingest aa)")
        as_of = dates[-1]
    settings = GapSettings(as_of=as_of, open_definition=parse_open_definition(open_definition),
                           by="benchmark", n_draws=n_draws, seed=seed, min_models=min_models)
    return compute(signals, settings)


def composite(db: str | None = None, version: str = "v4.0", as_of: str | dt.date | None = None,
              open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
              n_draws: int = 2000, kappa: float = 20.0, seed: int = 0, ci: float = 0.90):
    """AA's published Intelligence Index on a snapshot (``published``) beside the index
    recomputed from its sub-evaluations (``sensitivity``: the open-vs-closed gap under
    sampled weights; None when the version's evaluations are not in the data), and the
    agreement of the two per snapshot. Default snapshot: the newest at which the
    recomputation matches AA's index (else the newest, with a warning)."""
    from .analysis.composite import bundled_composites, composite_view

    if n_draws < 10:
        raise ConfigError("--draws must be at least 10")
    if kappa <= 0:
        raise ConfigError("--kappa must be positive")
    with open_warehouse(db) as warehouse:
        signals = warehouse.signals("aa.")
    if signals.empty:
        raise ConfigError("no Artificial Analysis data in the warehouse: run "
                          "'gaplens ingest aa FILE'")
    return composite_view(signals, bundled_composites(), version=version,
                          as_of=parse_date(as_of, "--at"),
                          open_definition=parse_open_definition(open_definition),
                          n_draws=n_draws, kappa=kappa, seed=seed, ci=ci)


# --- real-world alignment --------------------------------------------------------------------

def realworld(
    db: str | None = None,
    targets: list[str] | None = None,
    predictor: str = "index: general",
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    min_models: int = 8,
    n_boot: int = 1000,
    seed: int = 0,
) -> "RealWorldResult":
    """Rank agreement of benchmarks, domain indices and composites with real-world signals
    (or a target of your own: a signal name or ``benchmark:NAME``), where open models stand,
    residuals and group tests."""
    from .analysis import realworld as rw

    definition = parse_open_definition(open_definition)
    fitted = current_fit(db)
    with open_warehouse(db) as warehouse:
        signals, long, table = warehouse.signals(), warehouse.observations(), warehouse.models()
    return rw.analyse(fitted, signals, long, _model_meta(table, definition), targets=targets,
                      predictor=predictor, min_models=min_models, n_boot=n_boot, seed=seed)


# --- over-fitting signals --------------------------------------------------------------------

@dataclass(frozen=True)
class OverfitReport:
    splits: tuple  # analysis.overfit.OverfitResult per split
    lag_by_test_set: dict
    open_definition: str


def overfit_splits(fitted, bench, metas: dict, n_draws: int, n_perm: int, seed: int
                   ) -> tuple[dict[str, tuple], list[str]]:
    """Every over-fitting split under each grouping of ``metas`` (definition value -> its
    model table), the projections shared: (definition value -> its splits' results, the
    notes of the splits the data cannot support)."""
    from .analysis.overfit import SPLITS, overfit_many

    per: dict[str, list] = {key: [] for key in metas}
    notes = []
    for split in SPLITS:
        try:
            results = overfit_many(fitted, bench, metas, split, n_draws=n_draws, n_perm=n_perm,
                                   seed=seed)
        except ConfigError as exc:
            notes.append(f"over-fitting split {split}: {exc}")
            continue
        for key, result in results.items():
            per[key].append(result)
    return {key: tuple(v) for key, v in per.items()}, notes


def overfit(db: str | None = None, splits: list[str] | None = None,
            open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
            min_results: int = 2, n_draws: int = 200, n_perm: int = 2000,
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
    return OverfitReport(splits=results, lag_by_test_set=lag_by_test_set(per_bench, seed=seed),
                         open_definition=definition.value)


# --- benchmark lifecycle ---------------------------------------------------------------------

def lifecycle(db: str | None = None, as_of: str | dt.date | None = None, top_k: int = 5,
              seed: int = 0, n_draws: int = 1000):
    """Benchmark lifecycle as of a date: 50/80/90 % crossings, saturation of the top
    ``top_k`` models, the focus domain per quarter (the domain whose benchmarks separate
    the top models most) and the interval
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
    as_of = as_of_or_data_date(as_of, db)
    settings = ForecastSettings(as_of=as_of, window_months=window_months, ci=fitted.settings.ci,
                                seed=seed, open_definition=definition.value)
    scopes, notes = index_scopes(fitted, definition, domains)
    return _forecast(scopes, settings, tuple(fitted.warnings) + notes)
