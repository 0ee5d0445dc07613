"""The API on the capability index: fit, index, compare, predict, gap on the index, factors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ._api_core import (
    as_of_or_data_date,
    Progress,
    _filter_accessibility,
    _filter_dates,
    _groups,
    open_warehouse,
    parse_date,
    parse_open_definition,
)
from .errors import ConfigError, ReadOnlyStoreError, UnknownNameError
from .ingest.bundled import epoch_difficulties_path
from .types import OpenDefinition
if TYPE_CHECKING:
    from .analysis.capability import IndexFit, IndexSettings
    from .analysis.index_gap import IndexGapResult




@dataclass(frozen=True)
class IndexTable:
    """A listing of index values and how to read them."""

    table: pd.DataFrame
    scale: str
    settings: dict
    warnings: tuple[str, ...] = field(default=())
    created_at: str = ""


# --- the capability index -------------------------------------------------------------------

def _index_settings(**options) -> "IndexSettings":
    from .analysis.capability import IndexSettings

    values = {k: v for k, v in options.items() if v is not None}
    if "as_of" in values:
        values["as_of"] = parse_date(values["as_of"], "--at")
    if "since" in values:
        values["since"] = parse_date(values["since"], "--since")
    return IndexSettings(**values)


def fit_index(db: str | None = None, progress: Progress | None = None, store: bool = True,
              **options) -> "IndexFit":
    """Fit the capability index and store it in the warehouse for later commands.

    ``options`` are :class:`gaplens.analysis.capability.IndexSettings` fields
    (regularisation, anchor_benchmark, anchor_low, anchor_high, ..., n_draws, seed).
    """
    from .analysis.capability import build_data, fit_index as _fit, to_frames

    settings = _index_settings(**options)
    with open_warehouse(db) as warehouse:
        long, bench = warehouse.observations(), warehouse.benchmarks()
    fitted = _fit(build_data(long, bench, settings), settings, progress=progress)
    if store:
        try:
            with open_warehouse(db, write=True) as warehouse:
                warehouse.save_fit(to_frames(fitted))
        except ReadOnlyStoreError:
            # A read-only warehouse still answers: the fit is used, not stored.
            from dataclasses import replace

            fitted = replace(fitted, warnings=tuple(fitted.warnings) + (
                "the warehouse is read-only: this fit was not stored and is redone on each "
                "command",))
    return fitted


def current_fit(db: str | None = None, progress: Progress | None = None) -> "IndexFit":
    """The stored capability fit (fitted with default settings on first use).

    If the warehouse's data changed since the fit, a warning says so (the fit is not
    redone silently: run ``gaplens fit``). Accessibility is always the warehouse's current
    one (overrides can change after fitting without changing the fit).
    """
    fitted = stored_fit(db)
    return fitted if fitted is not None else fit_index(db=db, progress=progress)


def stored_fit(db: str | None = None) -> "IndexFit | None":
    """The stored capability fit as :func:`current_fit` reads it, or None when the
    warehouse holds none (nothing is fitted here)."""
    with open_warehouse(db) as warehouse:
        frames = warehouse.load_fit()
        if not frames:
            return None
        long, bench, table = warehouse.observations(), warehouse.benchmarks(), warehouse.models()
    return fit_and_data_from(frames, long, bench, table)[0]


def fit_and_data_from(frames: dict[str, pd.DataFrame], long: pd.DataFrame,
                      bench: pd.DataFrame, table: pd.DataFrame) -> tuple:
    """(the stored fit, the data it was checked against). The fit is the warehouse's fit
    tables (``frames``) read against its observations, benchmarks and models: a warning if
    the data changed since the fit, and each model's current accessibility. The data are
    ``build_data`` of the observations under the fit's settings. Either is None where
    there is no fit or no such data."""
    from dataclasses import replace

    from .analysis.capability import build_data, from_frames

    fitted = from_frames(frames) if frames else None
    if fitted is None:
        return None, None
    warnings = list(fitted.warnings)
    try:
        data = build_data(long, bench, fitted.settings)
    except ConfigError:
        data = None
    if (data.data_hash if data is not None else None) != fitted.data_hash:
        warnings.append(f"the warehouse changed since this fit ({fitted.created_at}); run "
                        "'gaplens fit' to refit")
    access = table.set_index("model_id")["accessibility"]
    models_ = fitted.models.assign(accessibility=fitted.models["model_id"].map(access)
                                   .fillna(fitted.models["accessibility"]))
    return replace(fitted, models=models_, warnings=tuple(warnings)), data


def index(
    db: str | None = None,
    domain: str | None = None,
    mode: str = "project",
    accessibility: str | None = None,
    organization: str | None = None,
    country: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    progress: Progress | None = None,
) -> "IndexTable":
    """Models with their capability index and interval (general, or one domain)."""
    from .analysis.domain_index import project_domain, refit_domain

    fitted = current_fit(db, progress)
    definition = parse_open_definition(open_definition)
    warnings = list(fitted.warnings)
    if domain:
        if mode not in ("project", "refit"):
            raise ConfigError(f"--mode must be 'project' or 'refit', not '{mode}'")
        result = (project_domain(fitted, domain) if mode == "project"
                  else refit_domain(fitted, domain))
        table, scale = result.table, result.scale
        access = fitted.models.set_index("model_id")["accessibility"]
        table["accessibility"] = table["model_id"].map(access)
        warnings += list(result.warnings)
    else:
        table = fitted.models.copy()
        table.insert(0, "domain", "general")
        table.insert(1, "mode", "general")
        scale = (f"general index ({fitted.settings.anchor_low} = "
                 f"{fitted.settings.anchor_low_value:g}, {fitted.settings.anchor_high} = "
                 f"{fitted.settings.anchor_high_value:g})")
    table["group"] = _groups(table, definition)
    table = _filter_accessibility(table, accessibility)
    for column, value in (("organization", organization), ("country", country)):
        if value:
            table = table.loc[table[column].fillna("").str.contains(value, case=False,
                                                                   regex=False)]
    table = _filter_dates(table, since, until)
    table = table.sort_values("index", ascending=False).reset_index(drop=True)
    return IndexTable(table=table, scale=scale, settings=fitted.settings.to_dict(),
                      warnings=tuple(warnings), created_at=fitted.created_at)


def benchmark_fit(db: str | None = None) -> pd.DataFrame:
    """Difficulty and slope per benchmark from the stored fit (raw and display scale)."""
    fitted = current_fit(db)
    return fitted.benchmarks.sort_values("edi").reset_index(drop=True)


def compare(a: str, b: str, db: str | None = None, domain: str | None = None):
    """I_A - I_B on the general index (or a projected domain index), with its interval."""
    from .analysis.capability import find_model
    from .analysis.domain_index import project_domain
    from .analysis.index_queries import compare as _compare

    fitted = current_fit(db)
    if not domain:
        return _compare(fitted, a, b)
    result = project_domain(fitted, domain)
    ids, levels = result.levels()
    table = fitted.models.set_index("model_id").loc[ids].reset_index()
    for name in (a, b):
        try:
            find_model(table, name)
        except UnknownNameError:
            find_model(fitted.models, name)  # not in the fit at all: that error
            raise UnknownNameError(
                f"model '{name}' has fewer than 2 results on the benchmarks of '{domain}', so "
                "it has no domain index (compare it on the general index)") from None
    return _compare(fitted, a, b, levels=levels, model_ids=ids,
                    scope=f"{domain} (projected on the general scale)")


def predict(model: str, db: str | None = None,
            benchmarks: list[str] | None = None) -> pd.DataFrame:
    """Expected scores of a model from its capability, with intervals and residuals."""
    from .analysis.index_queries import predict as _predict

    fitted = current_fit(db)
    with open_warehouse(db) as warehouse:
        bench, long = warehouse.benchmarks(), warehouse.observations()
    return _predict(fitted, model, bench, benchmarks=benchmarks, extra_obs=long)


def index_gap(
    db: str | None = None,
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    domains: list[str] | None = None,
    windows: tuple[int, ...] = (12, 24),
    timeline_months: int = 36,
    min_models: int = 3,
    progress: Progress | None = None,
) -> "IndexGapResult":
    """The open-vs-closed gap on the general index and on each domain's projected index:
    plain, significance and threshold-crossing lags, at ``as_of`` and averaged over each
    window. A scope with fewer than ``min_models`` open or closed models released by
    ``as_of`` shows its counts only."""
    from .analysis.index_gap import IndexGapSettings, index_gap as _gap, index_scopes

    fitted = current_fit(db, progress)
    definition = parse_open_definition(open_definition)
    as_of = as_of_or_data_date(as_of, db)
    if any(w < 1 for w in windows):
        raise ConfigError("--window must be at least one month")
    if min_models < 1:
        raise ConfigError("--min-models must be at least 1")
    settings = IndexGapSettings(as_of=as_of, open_definition=definition.value,
                                windows=tuple(windows), ci=fitted.settings.ci,
                                timeline_months=timeline_months, min_models=min_models)
    scopes, notes = index_scopes(fitted, definition, domains)
    warnings = list(fitted.warnings) + list(notes)
    return _gap(scopes, settings, tuple(warnings))


def fit_sensitivity(db: str | None = None, k_folds: int = 5, **options):
    """Central fits under each regularisation: held-out error, trends, slopes, shifts."""
    from .analysis.capability import build_data
    from .analysis.index_evaluation import sensitivity

    settings = _index_settings(**options)
    with open_warehouse(db) as warehouse:
        long, bench = warehouse.observations(), warehouse.benchmarks()
    return sensitivity(build_data(long, bench, settings), settings, k_folds=k_folds)


def epoch_agreement(fitted: "IndexFit", db: str | None = None):
    """A fit against Epoch's published ECI (stored per version at ingest) and EDI (bundled)."""
    from .analysis.index_evaluation import epoch_agreement as _agreement

    with open_warehouse(db) as warehouse:
        versions = warehouse.versions()
    published = versions[["model_id", "epoch_eci"] + [
        c for c in ("epoch_eci_ci_low", "epoch_eci_ci_high") if c in versions]]
    edi = pd.read_csv(epoch_difficulties_path())
    return _agreement(fitted, published, edi)


def factors(db: str | None = None, dims: int = 2,
            open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
            heldout: bool = True, seed: int = 0):
    """A 2- or 3-factor fit of the index data: axes, loadings, positions, held-out error."""
    from .analysis.capability import build_data
    from .analysis.factors import factor_analysis

    fitted = current_fit(db)
    with open_warehouse(db) as warehouse:
        long, bench = warehouse.observations(), warehouse.benchmarks()
    data = build_data(long, bench, fitted.settings)
    groups = data_groups(fitted, data, parse_open_definition(open_definition))
    return factor_analysis(data, fitted.settings, groups, k=dims, with_heldout=heldout,
                           seed=seed)


def data_groups(fitted: "IndexFit", data, definition: OpenDefinition):
    """Open/closed group of each model of the fit's data, by its current accessibility
    (overrides may have changed since the fit)."""
    access = fitted.models.set_index("model_id")["accessibility"]
    models_ = data.models.assign(accessibility=data.models["model_id"].map(access)
                                 .fillna(data.models["accessibility"]))
    return _groups(models_, definition)
