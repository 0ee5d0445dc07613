"""The API on the data: ingest, gap, models, benchmarks, sources, report."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ._api_core import (
    parse_as_of,
    Progress,
    _aliases,
    _filter_accessibility,
    _filter_dates,
    open_warehouse,
    parse_date,
    parse_open_definition,
)
from .analysis import GapResult, GapSettings, compute_gap, prepare
from .analysis.observations import mark_used
from .errors import UnknownNameError
from .ingest import read_epoch, read_overrides, read_tidy_csv
from .ingest.artificial_analysis import read_aa
from .ingest.inspect_logs import read_inspect
from .ingest.livebench import read_livebench
from .ingest.lmarena import read_lmarena
from .ingest.openrouter import read_openrouter
from .store import IngestReport
from .types import OpenDefinition
from ._api_core import _taxonomy_of
from ._api_coverage import with_coverage


def ingest_epoch(path: str, db: str | None = None, benchmarks: str | None = None,
                 retrieved_on: dt.date | None = None,
                 progress: Progress | None = None) -> IngestReport:
    """Ingest an Epoch Benchmarking Hub export (zip or folder)."""
    with open_warehouse(db, write=True) as warehouse:
        taxonomy = _taxonomy_of(warehouse, benchmarks)
        batch = read_epoch(path, taxonomy, retrieved_on=retrieved_on, progress=progress)
        return warehouse.ingest(batch)


def epoch_metadata_differences(path: str, db: str | None = None,
                               benchmarks: str | None = None) -> pd.DataFrame:
    """Where an Epoch export's benchmark_metadata.csv differs from the taxonomy: one row per
    benchmark and field (benchmark, epoch_benchmark, field, gaplens, epoch, used, note);
    ``used`` says which side the import takes (docs/formats.md). Empty for a flat export."""
    from .ingest.epoch import metadata_differences

    with open_warehouse(db) as warehouse:
        taxonomy = _taxonomy_of(warehouse, benchmarks)
    return metadata_differences(path, taxonomy)


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
    recent_months: int = 12,
    default_se: float = 0.02,
    resample_models: bool = False,
) -> GapResult:
    """The open-vs-closed gap and lag per domain (or per benchmark) as of a date.

    ``as_of`` defaults to the newest release date in the warehouse: the answer is as of
    the data, and the window of the lag's movement ends there. Each row carries its
    coverage (``coverage_limited`` and why; ``result.coverage`` the full table, see
    :func:`gaplens.api.coverage`). A benchmark counts as
    current evidence when a model released in the ``recent_months`` before it has a
    result; a domain without one is ``no_current_evidence`` and keeps its last map.
    ``default_se`` is the standard error (normalised units) of a score whose data give
    none; ``resample_models`` also resamples models within each group in every draw.
    """
    as_of = parse_as_of(as_of)  # checked before the warehouse is opened
    with open_warehouse(db) as warehouse:
        long = warehouse.observations()
        domains = warehouse.domains()
        bench = warehouse.benchmarks()
    as_of = as_of or parse_as_of(None, long)
    settings = GapSettings(as_of=as_of, open_definition=parse_open_definition(open_definition),
                           by=by, n_draws=n_draws, seed=seed, min_models=min_models, ci=ci,
                           window_months=window_months, tolerance=tolerance,
                           recent_months=recent_months, default_se=default_se,
                           resample_models=resample_models)
    obs = prepare(long, settings.open_definition, settings.as_of)
    result = compute_gap(obs, settings, domains, bench, progress=progress)
    return with_coverage(result, obs, domains, bench, db)


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


def sources(db: str | None = None, today: str | dt.date | None = None) -> pd.DataFrame:
    """What was ingested, one row per source: the sources table (origin, retrieval,
    publication and fetch dates, counts) with ``provenance`` ("bundled, published DATE",
    "imported DATE", "fetched DATE"), ``data_from``/``data_through`` (the dates the data
    describe) and ``age_days`` (of ``data_through`` as of ``today``, default the local date);
    see :func:`freshness`."""
    return freshness(db, today).sources


def freshness(db: str | None = None, today: str | dt.date | None = None,
              stale_after: int = 90):
    """How current the warehouse is (:class:`gaplens.analysis.freshness.Freshness`): per
    source and kind the newest date the data describe and its age in days as of ``today``
    (default: the local date), and whether the newest is older than ``stale_after`` days."""
    from .analysis.freshness import read_freshness

    day = parse_date(today, "today") or dt.date.today()
    with open_warehouse(db) as warehouse:
        return read_freshness(warehouse, day, stale_after)
