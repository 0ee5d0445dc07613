"""The Python API: everything the CLI can do, returning DataFrames or frozen dataclasses.

    import gaplens
    result = gaplens.gap(by="domain", open_definition="open-weights")
    result.table           # one row per domain, with intervals
    gaplens.models(accessibility="Unknown")

Every function takes ``db`` (a path; default :func:`gaplens.store.default_path`). The
first call on an empty warehouse loads the bundled Epoch AI snapshot and the reviewed
accessibility overrides, so a fresh install answers without any set-up.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from .analysis import GapResult, GapSettings, compute_gap, prepare
from .analysis.observations import data_date, mark_used
from .analysis.series import frontier_series
from .errors import ConfigError, UnknownNameError
from .ingest import bundled_taxonomy, read_epoch, read_overrides, read_tidy_csv
from .ingest.aliases import bundled_aliases
from .ingest.artificial_analysis import bundled_aa_path, read_aa
from .ingest.inspect_logs import read_inspect
from .ingest.livebench import read_livebench
from .ingest.lmarena import read_lmarena
from .ingest.openrouter import read_openrouter
from .ingest.bundled import EPOCH_RETRIEVED_ON, epoch_export_path, overrides_path
from .ingest.taxonomy import Taxonomy, domains_for, read_benchmarks
from .store import IngestReport, Warehouse, default_path
from .types import Accessibility, OpenDefinition

Progress = Callable[[int, int], None]

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


def parse_date(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what} '{value}' is not a date (expected YYYY-MM-DD)") from None


def parse_open_definition(value: str | OpenDefinition) -> OpenDefinition:
    if isinstance(value, OpenDefinition):
        return value
    try:
        return OpenDefinition(value)
    except ValueError:
        raise ConfigError(
            f"unknown open definition '{value}' (choose "
            + ", ".join(d.value for d in OpenDefinition) + ")"
        ) from None


def _bundled_sources() -> list[tuple[str, str, Callable]]:
    """(kind, path, read(path, warehouse)) of every bundled source, in loading order."""

    def epoch(path, warehouse, progress=None):
        return read_epoch(path, bundled_taxonomy(), retrieved_on=EPOCH_RETRIEVED_ON,
                          progress=progress)

    def with_aliases(reader):
        return lambda path, warehouse, progress=None: reader(path, warehouse.models(),
                                                             bundled_aliases())

    return [
        ("epoch", epoch_export_path(), epoch),
        ("overrides", overrides_path(),
         lambda path, warehouse, progress=None: read_overrides(path, warehouse.models())),
        ("aa", bundled_aa_path(), with_aliases(read_aa)),
        ("lmarena", bundled_data_path("lmarena", "lmarena_text_leaderboard_history.csv"),
         with_aliases(read_lmarena)),
        ("lmarena", bundled_data_path("lmarena", "arena_ai_leaderboards_daily_2026.csv"),
         with_aliases(read_lmarena)),
        ("livebench", bundled_data_path("livebench"), with_aliases(read_livebench)),
        # OpenRouter last: it creates no models, so it matches every model the others made.
        ("openrouter", bundled_data_path("openrouter", "openrouter_weekly_top_models.csv"),
         with_aliases(read_openrouter)),
    ]


def load_bundled(warehouse: Warehouse, progress: Progress | None = None,
                 only_missing: bool = False) -> list[IngestReport]:
    """Ingest the bundled sources into ``warehouse`` (with ``only_missing``, those a
    warehouse made by an earlier gaplens version does not hold yet)."""
    have = set()
    if only_missing:
        sources = warehouse.sources()
        have = {(k, os.path.basename(p.rstrip("/"))) for k, p in zip(sources["kind"],
                                                                    sources["path"])}
    reports = []
    for kind, path, read in _bundled_sources():
        if not os.path.exists(path) or (kind, os.path.basename(path.rstrip("/"))) in have:
            continue
        reports.append(warehouse.ingest(read(path, warehouse, progress)))
    return reports


def _missing_bundled(warehouse: Warehouse) -> bool:
    sources = warehouse.sources()
    have = {(k, os.path.basename(p.rstrip("/"))) for k, p in zip(sources["kind"],
                                                                sources["path"])}
    return any(os.path.exists(path) and (kind, os.path.basename(path.rstrip("/"))) not in have
               for kind, path, _ in _bundled_sources())


def bundled_data_path(*parts: str) -> str:
    from importlib import resources

    return str(resources.files("gaplens").joinpath("data", *parts))


def open_warehouse(db: str | None = None, write: bool = False,
                   progress: Progress | None = None) -> Warehouse:
    """Open the warehouse; create it and load the bundled data when it is new or empty."""
    path = db or default_path()
    if not write and os.path.exists(path):
        warehouse = Warehouse(path, read_only=True)
        if not warehouse.is_empty() and not _missing_bundled(warehouse):
            return warehouse
        warehouse.close()
    warehouse = Warehouse(path)
    try:
        # A new warehouse gets every bundled source; one made by an earlier version gets
        # the bundled sources it does not hold yet.
        load_bundled(warehouse, progress, only_missing=not warehouse.is_empty())
    except BaseException:
        warehouse.close()
        raise
    return warehouse


def _taxonomy_of(warehouse: Warehouse, benchmarks_path: str | None) -> Taxonomy:
    """The bundled taxonomy, with a user's benchmark file layered on top."""
    base = bundled_taxonomy()
    if not benchmarks_path:
        return base
    extra = read_benchmarks(benchmarks_path)
    merged = pd.concat(
        [base.benchmarks.loc[~base.benchmarks["benchmark"].str.lower().isin(
            extra["benchmark"].str.lower())], extra], ignore_index=True)
    known = pd.concat([base.domains, warehouse.domains()[base.domains.columns]]).drop_duplicates(
        "domain")
    domains = pd.concat([known, domains_for(extra, known)], ignore_index=True)
    return Taxonomy(benchmarks=merged, domains=domains)


def ingest_epoch(path: str, db: str | None = None, benchmarks: str | None = None,
                 retrieved_on: dt.date | None = None,
                 progress: Progress | None = None) -> IngestReport:
    """Ingest an Epoch Benchmarking Hub export (zip or folder)."""
    with open_warehouse(db, write=True) as warehouse:
        taxonomy = _taxonomy_of(warehouse, benchmarks)
        batch = read_epoch(path, taxonomy, retrieved_on=retrieved_on, progress=progress)
        return warehouse.ingest(batch)


def ingest_csv(path: str, db: str | None = None, benchmarks: str | None = None) -> IngestReport:
    """Ingest a tidy CSV of results (and optionally a benchmark definition file)."""
    with open_warehouse(db, write=True) as warehouse:
        batch = read_tidy_csv(path, warehouse.benchmarks(), warehouse.domains(),
                              warehouse.models(), benchmarks_path=benchmarks)
        return warehouse.ingest(batch)


def ingest_inspect(path: str, db: str | None = None, benchmarks: str | None = None,
                   metric: str | None = None, aliases: str | None = None) -> IngestReport:
    """Ingest Inspect AI eval logs (a .json/.eval file or a folder of them): one result per
    successful log, for models already in the warehouse (tasks not in the warehouse need a
    benchmark file)."""
    with open_warehouse(db, write=True) as warehouse:
        batch = read_inspect(path, warehouse.benchmarks(), warehouse.domains(),
                             warehouse.models(), _aliases(aliases),
                             benchmarks_path=benchmarks, metric=metric)
        return warehouse.ingest(batch)


def ingest_overrides(path: str, db: str | None = None) -> IngestReport:
    """Ingest an accessibility overrides file (model, accessibility, reason)."""
    with open_warehouse(db, write=True) as warehouse:
        return warehouse.ingest(read_overrides(path, warehouse.models()))


def _aliases(path: str | None) -> pd.DataFrame:
    """The bundled alias table, with a user's reviewed rows layered on top (theirs win)."""
    from .ingest.aliases import read_aliases

    base = bundled_aliases()
    if not path:
        return base
    extra = read_aliases(path)
    keep = ~base.set_index(["source", "key"]).index.isin(
        extra.set_index(["source", "key"]).index)
    return pd.concat([base.loc[keep], extra], ignore_index=True)


def ingest_aa(path: str, db: str | None = None, retrieved_on: str | dt.date | None = None,
              as_of: str | dt.date | None = None, aliases: str | None = None) -> IngestReport:
    """Ingest Artificial Analysis data: an llms.json payload or the flat CSV
    (credit: Artificial Analysis, https://artificialanalysis.ai)."""
    with open_warehouse(db, write=True) as warehouse:
        batch = read_aa(path, warehouse.models(), _aliases(aliases),
                        retrieved_on=parse_date(retrieved_on, "--retrieved-on"),
                        as_of=parse_date(as_of, "--as-of"))
        return warehouse.ingest(batch)


def ingest_lmarena(path: str, db: str | None = None, as_of: str | dt.date | None = None,
                   aliases: str | None = None) -> IngestReport:
    """Ingest an LMArena leaderboard table (dated by its leaderboard_version column or
    ``as_of``), its stacked history or the 2026 daily top-N file (credit: LMArena)."""
    with open_warehouse(db, write=True) as warehouse:
        batch = read_lmarena(path, warehouse.models(), _aliases(aliases),
                             as_of=parse_date(as_of, "--as-of"))
        return warehouse.ingest(batch)


def ingest_openrouter(path: str, db: str | None = None,
                      aliases: str | None = None) -> IngestReport:
    """Ingest OpenRouter weekly top-model token usage (the CSV or a folder of weekly JSON)."""
    with open_warehouse(db, write=True) as warehouse:
        return warehouse.ingest(read_openrouter(path, warehouse.models(), _aliases(aliases)))


def ingest_livebench(path: str, db: str | None = None,
                     aliases: str | None = None) -> IngestReport:
    """Ingest a folder of LiveBench releases (cite White et al., LiveBench, ICLR 2025)."""
    with open_warehouse(db, write=True) as warehouse:
        return warehouse.ingest(read_livebench(path, warehouse.models(), _aliases(aliases)))


def gap(
    db: str | None = None,
    by: str = "domain",
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    n_draws: int = 1000,
    seed: int = 0,
    min_models: int = 3,
    ci: float = 0.90,
    window_months: int = 12,
    tolerance: float = 0.0,
    progress: Progress | None = None,
) -> GapResult:
    """The open-vs-closed gap and lag per domain (or per benchmark) as of a date.

    ``as_of`` defaults to the newest release date in the warehouse: the answer is as of
    the data, and the window of the lag's movement ends there.
    """
    as_of = parse_date(as_of, "--at")
    if as_of is not None and as_of > dt.date.today():
        raise ConfigError(f"--at {as_of} is in the future")
    with open_warehouse(db) as warehouse:
        long = warehouse.observations()
        domains = warehouse.domains()
        bench = warehouse.benchmarks()
    if as_of is None:
        as_of = data_date(long)
    settings = GapSettings(as_of=as_of, open_definition=parse_open_definition(open_definition),
                           by=by, n_draws=n_draws, seed=seed, min_models=min_models, ci=ci,
                           window_months=window_months, tolerance=tolerance)
    obs = prepare(long, settings.open_definition, settings.as_of)
    return compute_gap(obs, settings, domains, bench, progress=progress)


def _filter_dates(frame: pd.DataFrame, since, until) -> pd.DataFrame:
    since, until = parse_date(since, "--since"), parse_date(until, "--until")
    dates = pd.to_datetime(frame["release_date"])
    if since:
        frame = frame.loc[dates >= pd.Timestamp(since)]
        dates = pd.to_datetime(frame["release_date"])
    if until:
        frame = frame.loc[dates <= pd.Timestamp(until)]
    return frame


def _filter_accessibility(table: pd.DataFrame, accessibility: str | None) -> pd.DataFrame:
    if not accessibility:
        return table
    try:
        wanted = Accessibility.parse(accessibility).value
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return table.loc[table["accessibility"] == wanted]


def models(
    db: str | None = None,
    domain: str | None = None,
    organization: str | None = None,
    accessibility: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    versions: bool = False,
) -> pd.DataFrame:
    """Models in the warehouse (or their versions, with the collapse rule made visible).

    With ``versions=True`` each row is a (model, benchmark, version, setting) result, and
    ``used`` marks the one the collapse keeps (the best score per model and benchmark).
    """
    with open_warehouse(db) as warehouse:
        table = warehouse.models()
        long = warehouse.observations()
        domains = set(warehouse.domains()["domain"])
    table = _filter_accessibility(table, accessibility)
    if organization:
        table = table.loc[table["organization"].fillna("").str.contains(organization, case=False,
                                                                       regex=False)]
    table = _filter_dates(table, since, until)
    if domain:
        if domain not in domains:
            raise UnknownNameError(f"unknown domain '{domain}' (known: {', '.join(sorted(domains))})")
        long = long.loc[long["domain"] == domain]
    counts = long.groupby("model_id")["benchmark"].nunique().rename("n_benchmarks")
    table = table.join(counts, on="model_id")
    if domain:
        table = table.loc[table["n_benchmarks"].notna()]
    table["n_benchmarks"] = table["n_benchmarks"].fillna(0).astype(int)
    if not versions:
        return table.reset_index(drop=True)
    return mark_used(long.loc[long["model_id"].isin(table["model_id"])])


def benchmarks(db: str | None = None, domain: str | None = None,
               as_of: str | dt.date | None = None,
               open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS) -> pd.DataFrame:
    """Benchmarks with their domain, normalisation, test set and coverage by group."""
    definition = parse_open_definition(open_definition)
    as_of = parse_date(as_of, "--at") or dt.date.today()
    with open_warehouse(db) as warehouse:
        table = warehouse.benchmarks()
        long = warehouse.observations()
        domains = set(warehouse.domains()["domain"])
    if domain:
        if domain not in domains:
            raise UnknownNameError(f"unknown domain '{domain}' (known: {', '.join(sorted(domains))})")
        table = table.loc[table["domain"] == domain]
    obs = prepare(long, definition, as_of).frame
    cov = obs.groupby(["benchmark", "group"]).size().unstack(fill_value=0)
    for g in ("open", "closed"):
        if g not in cov:
            cov[g] = 0
    table = table.join(cov[["open", "closed"]].rename(columns={"open": "n_open",
                                                                "closed": "n_closed"}),
                       on="benchmark")
    table["n_models"] = table["benchmark"].map(obs.groupby("benchmark")["model_id"].nunique())
    for c in ("n_open", "n_closed", "n_models"):
        table[c] = table[c].fillna(0).astype(int)
    return table.reset_index(drop=True)


def sources(db: str | None = None) -> pd.DataFrame:
    with open_warehouse(db) as warehouse:
        return warehouse.sources()


def report(
    out_dir: str,
    db: str | None = None,
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    n_draws: int = 1000,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[GapResult, str]:
    """Compute the per-domain gap and write the static report; returns (result, Markdown path)."""
    from .report.static import write_report

    result = gap(db=db, as_of=as_of, open_definition=open_definition, n_draws=n_draws,
                 seed=seed, progress=progress)
    with open_warehouse(db) as warehouse:
        long = warehouse.observations()
        source_table = warehouse.sources()
    s = result.settings
    series = frontier_series(prepare(long, s.open_definition, s.as_of))
    return result, write_report(result, series, source_table, out_dir)


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
        with open_warehouse(db, write=True) as warehouse:
            warehouse.save_fit(to_frames(fitted))
    return fitted


def current_fit(db: str | None = None, progress: Progress | None = None) -> "IndexFit":
    """The stored capability fit (fitted with default settings on first use).

    If the warehouse's data changed since the fit, a warning says so (the fit is not
    redone silently: run ``gaplens fit``). Accessibility is always the warehouse's current
    one (overrides can change after fitting without changing the fit).
    """
    from dataclasses import replace

    from .analysis.capability import build_data, from_frames

    with open_warehouse(db) as warehouse:
        frames = warehouse.load_fit()
        long, bench, table = warehouse.observations(), warehouse.benchmarks(), warehouse.models()
    fitted = from_frames(frames) if frames else None
    if fitted is None:
        return fit_index(db=db, progress=progress)
    warnings = list(fitted.warnings)
    try:
        now = build_data(long, bench, fitted.settings).data_hash
    except ConfigError:
        now = None
    if now != fitted.data_hash:
        warnings.append(f"the warehouse changed since this fit ({fitted.created_at}); run "
                        "'gaplens fit' to refit")
    access = table.set_index("model_id")["accessibility"]
    models_ = fitted.models.assign(accessibility=fitted.models["model_id"].map(access)
                                   .fillna(fitted.models["accessibility"]))
    return replace(fitted, models=models_, warnings=tuple(warnings))


def _groups(models_: pd.DataFrame, definition: OpenDefinition) -> np.ndarray:
    return np.array([definition.group_of(Accessibility.parse(a)) for a in models_["accessibility"]],
                    dtype=object)


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
    ids = np.sort(result.table["model_id"].to_numpy())
    table = fitted.models.set_index("model_id").loc[ids].reset_index()
    for name in (a, b):
        try:
            find_model(table, name)
        except UnknownNameError:
            find_model(fitted.models, name)  # not in the fit at all: that error
            raise UnknownNameError(
                f"model '{name}' has fewer than 2 results on the benchmarks of '{domain}', so "
                "it has no domain index (compare it on the general index)") from None
    return _compare(fitted, a, b, levels=_domain_levels(result), model_ids=ids,
                    scope=f"{domain} (projected on the general scale)")


def _domain_levels(result) -> np.ndarray:
    """(1 + usable draws, models), models in sorted id order (the projection's order)."""
    ids = np.sort(result.table["model_id"].to_numpy())
    central = result.table.set_index("model_id").loc[ids, "index"].to_numpy()
    return np.vstack([central[None, :], result.draws])


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
    progress: Progress | None = None,
) -> "IndexGapResult":
    """The open-vs-closed gap on the general index and on each domain's projected index."""
    from .analysis.index_gap import IndexGapSettings, index_gap as _gap, index_scopes

    fitted = current_fit(db, progress)
    definition = parse_open_definition(open_definition)
    as_of = parse_date(as_of, "--at")
    if as_of is None:  # as of the data, like the benchmark gap
        with open_warehouse(db) as warehouse:
            as_of = data_date(warehouse.observations())
    if any(w < 1 for w in windows):
        raise ConfigError("--window must be at least one month")
    settings = IndexGapSettings(as_of=as_of, open_definition=definition.value,
                                windows=tuple(windows), ci=fitted.settings.ci,
                                timeline_months=timeline_months)
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
    published = versions[["model_id", "epoch_eci"]].rename(columns={})
    edi = pd.read_csv(os.path.join(epoch_export_path(), "additional_eci_data",
                                   "eci_benchmark_difficulties_and_slopes.csv"))
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
    access = fitted.models.set_index("model_id")["accessibility"]
    models_ = data.models.assign(accessibility=data.models["model_id"].map(access)
                                 .fillna(data.models["accessibility"]))
    groups = _groups(models_, parse_open_definition(open_definition))
    return factor_analysis(data, fitted.settings, groups, k=dims, with_heldout=heldout,
                           seed=seed)


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
    meta = table.set_index("model_id")[["display_name", "organization", "country",
                                        "accessibility"]]
    meta = meta.assign(group=[definition.group_of(Accessibility.parse(a))
                              for a in meta["accessibility"]])
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
    meta = table.set_index("model_id")[["organization", "country", "accessibility"]]
    meta = meta.assign(group=[definition.group_of(Accessibility.parse(a))
                              for a in meta["accessibility"]])
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

    as_of = parse_date(as_of, "--at")
    if as_of is not None and as_of > dt.date.today():
        raise ConfigError(f"--at {as_of} is in the future")
    with open_warehouse(db) as warehouse:
        long = warehouse.observations()
        bench = warehouse.benchmarks()
    settings = LifecycleSettings(as_of=as_of or data_date(long), top_k=top_k, seed=seed,
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
    as_of = parse_date(as_of, "--at")
    if as_of is None:  # as of the data, like the gap
        with open_warehouse(db) as warehouse:
            as_of = data_date(warehouse.observations())
    settings = ForecastSettings(as_of=as_of, window_months=window_months, ci=fitted.settings.ci,
                                seed=seed, open_definition=definition.value)
    scopes, notes = index_scopes(fitted, definition, domains)
    return _forecast(scopes, settings, tuple(fitted.warnings) + notes)
