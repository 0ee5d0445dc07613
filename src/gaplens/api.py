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
from typing import Callable

import pandas as pd

from .analysis import GapResult, GapSettings, compute_gap, prepare
from .analysis.observations import data_date, mark_used
from .analysis.series import frontier_series
from .errors import ConfigError, UnknownNameError
from .ingest import bundled_taxonomy, read_epoch, read_overrides, read_tidy_csv
from .ingest.bundled import EPOCH_RETRIEVED_ON, epoch_export_path, overrides_path
from .ingest.taxonomy import Taxonomy, domains_for, read_benchmarks
from .store import IngestReport, Warehouse, default_path
from .types import Accessibility, OpenDefinition

Progress = Callable[[int, int], None]


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


def load_bundled(warehouse: Warehouse, progress: Progress | None = None) -> list[IngestReport]:
    """Ingest the bundled Epoch snapshot and accessibility overrides into ``warehouse``."""
    batch = read_epoch(epoch_export_path(), bundled_taxonomy(), retrieved_on=EPOCH_RETRIEVED_ON,
                       progress=progress)
    reports = [warehouse.ingest(batch)]
    if os.path.exists(overrides_path()):
        reports.append(warehouse.ingest(read_overrides(overrides_path(), warehouse.models())))
    return reports


def open_warehouse(db: str | None = None, write: bool = False,
                   progress: Progress | None = None) -> Warehouse:
    """Open the warehouse; create it and load the bundled data when it is new or empty."""
    path = db or default_path()
    if not write and os.path.exists(path):
        warehouse = Warehouse(path, read_only=True)
        if not warehouse.is_empty():
            return warehouse
        warehouse.close()
    warehouse = Warehouse(path)
    if warehouse.is_empty():
        try:
            load_bundled(warehouse, progress)
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


def ingest_overrides(path: str, db: str | None = None) -> IngestReport:
    """Ingest an accessibility overrides file (model, accessibility, reason)."""
    with open_warehouse(db, write=True) as warehouse:
        return warehouse.ingest(read_overrides(path, warehouse.models()))


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
    if accessibility:
        try:
            wanted = Accessibility.parse(accessibility).value
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        table = table.loc[table["accessibility"] == wanted]
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
