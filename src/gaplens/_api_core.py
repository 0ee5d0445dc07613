"""Shared plumbing of the Python API: parsing options, opening the warehouse, loading the
bundled data, filters. Not public: use :mod:`gaplens.api`."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from typing import Callable

import numpy as np
import pandas as pd

from .analysis.observations import data_date
from .errors import ConfigError, ReadOnlyStoreError
from .ingest import bundled_taxonomy, read_overrides
from .ingest.aliases import bundled_aliases
from .ingest.bundled import as_bundled, data_path, overrides_path
from .ingest.registry import ReadContext, Source
from .ingest.registry import sources as registry_sources
from .ingest.taxonomy import Taxonomy, domains_for, layer_benchmarks, read_benchmarks
from .store import IngestReport, Warehouse, default_path
from .store.snapshots import take_snapshot
from .types import Accessibility, OpenDefinition

Progress = Callable[[int, int], None]


def parse_date(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what} '{value}' is not a date (expected YYYY-MM-DD)") from None


def parse_as_of(value: str | dt.date | None, long: pd.DataFrame | None = None) -> dt.date | None:
    """An ``--at`` date, refused in the future. Without one: the newest release date in
    ``long`` when given, else None — every answer is as of the data by default."""
    as_of = parse_date(value, "--at")
    if as_of is not None and as_of > dt.date.today():
        raise ConfigError(f"--at {as_of} is in the future")
    if as_of is None and long is not None:
        as_of = data_date(long)
    return as_of


def as_of_or_data_date(value: str | dt.date | None, db: str | None) -> dt.date:
    """``parse_as_of``, defaulting to the newest release date in the warehouse at ``db``
    (``None``: the default warehouse)."""
    as_of = parse_as_of(value)
    if as_of is None:
        with open_warehouse(db) as warehouse:
            as_of = data_date(warehouse.observations())
    return as_of


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


def _bundled_reader(src: Source, relpath: str) -> Callable:
    """read(path, warehouse, progress=None) of one bundled copy of a declared source."""

    def read(path, warehouse, progress=None):
        ctx = ReadContext(models=warehouse.models(), aliases=bundled_aliases(),
                          taxonomy=bundled_taxonomy(),
                          retrieved_on=src.retrieved_on(relpath), progress=progress)
        return as_bundled(src.read(path, ctx), src, relpath)

    return read


def _bundled_sources() -> list[tuple[str, str, Callable]]:
    """(kind, path, read(path, warehouse, progress=None)) of every bundled copy, in loading
    order: the declared sources' bundled paths (ingest/sources.py, sources that make
    models first), with the reviewed accessibility overrides right after Epoch, whose
    models they describe."""
    entries = []
    for src in registry_sources():
        for relpath in src.bundled:
            entries.append((src.name, data_path(relpath), _bundled_reader(src, relpath)))
        if src.name == "epoch":
            entries.append(("overrides", overrides_path(),
                            lambda path, warehouse, progress=None:
                            read_overrides(path, warehouse.models())))
    return entries


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


def warehouse_path(db: str | None) -> str:
    """The warehouse path: ``db`` when given (an empty string is refused, never read as
    "the default"), else the default location."""
    if db is None:
        return default_path()
    if not str(db).strip():
        raise ConfigError("--db is empty (give a warehouse file, or leave --db out for the "
                          "default)")
    return db


def open_warehouse(db: str | None = None, write: bool = False,
                   progress: Progress | None = None) -> Warehouse:
    """Open the warehouse; create it and load the bundled data when it is new or empty.

    Reading never needs write access: a warehouse that cannot be written (permissions, a
    read-only disk, or held read-only by :func:`one_state`) is read as it is."""
    path = warehouse_path(db)
    if not write and os.path.exists(path):
        warehouse = Warehouse(path, read_only=True)
        if not warehouse.is_empty() and not _missing_bundled(warehouse):
            return warehouse
        warehouse.close()
        try:
            warehouse = Warehouse(path)
        except ReadOnlyStoreError:
            warehouse = Warehouse(path, read_only=True)
            if warehouse.is_empty():
                warehouse.close()
                raise
            return warehouse
    else:
        warehouse = Warehouse(path)
    try:
        # A new warehouse gets every bundled source; one made by an earlier version gets
        # the bundled sources it does not hold yet.
        was_empty = warehouse.is_empty()
        reports = load_bundled(warehouse, progress, only_missing=not was_empty)
        # The bundled data are the first dated state ``gaplens diff`` compares with.
        if reports:
            take_snapshot(warehouse, "bundled", "the data shipped with gaplens" if was_empty
                          else "bundled sources added: " + ", ".join(r.kind for r in reports))
    except BaseException:
        warehouse.close()
        raise
    return warehouse


@contextmanager
def one_state(db: str | None = None, fit: Callable[[], object] | None = None):
    """Read one consistent state across several steps (the report): the bundled data are
    loaded first if needed, then a read-only connection is held until the block ends, so
    an import in another process waits (it finds the warehouse locked) instead of
    slipping in between two reads. Every ``open_warehouse(db)`` read inside the block
    shares the held state. ``fit``: called first when the warehouse stores no fit (it
    fits and stores one: a write, so before the state is held)."""
    with open_warehouse(db) as warehouse:
        unfitted = fit is not None and not warehouse.has_fit()
    if unfitted:
        fit()
    held = Warehouse(warehouse_path(db), read_only=True)
    try:
        yield held
    finally:
        held.close()


def _taxonomy_of(warehouse: Warehouse, benchmarks_path: str | None) -> Taxonomy:
    """The bundled taxonomy, with a user's benchmark file layered on top."""
    base = bundled_taxonomy()
    if not benchmarks_path:
        return base
    extra = read_benchmarks(benchmarks_path)
    merged = layer_benchmarks(base.benchmarks, extra)
    known = pd.concat([base.domains, warehouse.domains()[base.domains.columns]]).drop_duplicates(
        "domain")
    domains = pd.concat([known, domains_for(extra, known)], ignore_index=True)
    return Taxonomy(benchmarks=merged, domains=domains)


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


def _groups(models_: pd.DataFrame, definition: OpenDefinition) -> np.ndarray:
    return definition.groups(models_["accessibility"], models_["model_id"])


def _model_meta(table: pd.DataFrame, definition: OpenDefinition) -> pd.DataFrame:
    """Per model id: display name, organization, country, accessibility and group."""
    meta = table.set_index("model_id")[["display_name", "organization", "country",
                                        "accessibility"]]
    return meta.assign(group=definition.groups(meta["accessibility"], meta.index))
