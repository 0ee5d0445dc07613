"""The API of group comparisons: countries, labs and their cross with accessibility
(analysis/groups.py). Not public: use :mod:`gaplens.api`."""

from __future__ import annotations

import datetime as dt

from ._api_core import Progress, open_warehouse, parse_as_of, parse_open_definition
from .analysis import prepare
from .analysis.groups import (
    GroupGapResult,
    GroupSettings,
    benchmark_units,
    group_gap as _group_gap,
    index_units,
    model_attributes,
)
from .ingest.attributes import attribute_tables
from .types import OpenDefinition


def group_gap(
    db: str | None = None,
    by: str = "country",
    on: str = "benchmarks",
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    n_draws: int = 1000,
    seed: int = 0,
    min_models: int = 3,
    recent_months: int = 12,
    countries: str | None = None,
    organizations: str | None = None,
    progress: Progress | None = None,
) -> GroupGapResult:
    """Frontiers of each group of models (``by``: country, organization, country-access or
    organization-access), the gap and lag of each against the closed frontier and against
    each other, per domain on benchmarks (``on="benchmarks"``) or on the general and domain
    index (``on="index"``, the stored capability fit), with 90 % intervals; the best open
    model of each country bloc against the closed frontier; the leading lab per domain and
    quarter. ``countries`` / ``organizations``: reviewed files layered on the bundled
    mappings (docs/countries.md)."""
    as_of = parse_as_of(as_of)
    definition = parse_open_definition(open_definition)
    tables = attribute_tables(countries, organizations)
    with open_warehouse(db) as warehouse:
        long = warehouse.observations()
        bench = warehouse.benchmarks()
        models = warehouse.models()
    as_of = as_of or parse_as_of(None, long)
    settings = GroupSettings(as_of=as_of, by=by, on=on, open_definition=definition,
                             n_draws=n_draws, seed=seed, min_models=min_models,
                             recent_months=recent_months)
    attrs = model_attributes(models, tables.countries, tables.organizations, definition)
    warnings: tuple[str, ...] = ()
    if on == "index":
        from ._api_index import current_fit
        from .analysis.index_gap import index_scopes

        fitted = current_fit(db, progress)
        scopes, notes = index_scopes(fitted, definition)
        warnings = tuple(fitted.warnings) + tuple(notes)
        units = index_units(scopes, settings)
    else:
        obs = prepare(long, definition, as_of)
        frame = obs.frame.loc[obs.frame["group"].notna()]
        units = benchmark_units(frame, bench, settings)
        warnings = tuple(obs.warnings)
    return _group_gap(units, attrs, settings, warnings)


def report_groups(scopes, models, definition: OpenDefinition, as_of: dt.date, ci: float,
                  min_models: int = 3):
    """The report's countries section from the index scopes it already has (no new fit):
    ``models`` has model_id, display_name, organization, country and accessibility."""
    from .analysis.groups import report_groups as _report

    tables = attribute_tables()
    settings = GroupSettings(as_of=as_of, by="country", on="index", open_definition=definition,
                             ci=ci, min_models=min_models)
    attrs = model_attributes(models, tables.countries, tables.organizations, definition)
    return _report(index_units(scopes, settings), attrs, settings)
