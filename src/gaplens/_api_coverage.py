"""The API on coverage: who was evaluated where, beside the gap (analysis/coverage.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ._api_core import open_warehouse, parse_as_of, parse_open_definition
from ._api_index import stored_fit
from .analysis.coverage import CoverageResult, CoverageSettings, compute_coverage, join_gap
from .analysis.gap import GapResult
from .analysis.observations import Observations, prepare
from .types import OpenDefinition


def coverage(
    db: str | None = None,
    by: str = "benchmark",
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    recent_months: int = 12,
    top: int = 3,
) -> CoverageResult:
    """Open and closed models evaluated per benchmark (or domain) as of a date, the
    ``coverage_limited`` flag, and the index's expected scores of the strongest open models
    not evaluated there (from the stored fit; without one, counts only: run ``gaplens fit``).
    """
    as_of = parse_as_of(as_of)
    with open_warehouse(db) as warehouse:
        long, domains, bench = warehouse.observations(), warehouse.domains(), warehouse.benchmarks()
    as_of = as_of or parse_as_of(None, long)
    settings = CoverageSettings(as_of=as_of, open_definition=parse_open_definition(open_definition),
                                by=by, recent_months=recent_months, top=top)
    obs = prepare(long, settings.open_definition, settings.as_of)
    return coverage_of(obs, settings, domains, bench, db)


def coverage_of(obs: Observations, settings: CoverageSettings, domains: pd.DataFrame,
                bench: pd.DataFrame, db: str | None = None, fit=None) -> CoverageResult:
    """Coverage of prepared observations, with ``fit`` (an IndexFit in hand) or else the
    stored fit of ``db`` when there is one."""
    fitted = fit if fit is not None else stored_fit(db)
    warnings = tuple(w for w in fitted.warnings if "changed since this fit" in w) if fitted else ()
    return compute_coverage(obs, settings, bench, domains, fit=fitted, warnings=warnings)


def with_coverage(result: GapResult, obs: Observations, domains: pd.DataFrame,
                  bench: pd.DataFrame, db: str | None = None, fit=None) -> GapResult:
    """A gap result whose rows carry their coverage columns and whose ``coverage`` holds the
    coverage table at the gap's level (same date, open definition and recency window)."""
    from dataclasses import replace

    s = result.settings
    settings = CoverageSettings(as_of=s.as_of, open_definition=s.open_definition, by=s.by,
                                recent_months=getattr(s, "recent_months", 12))
    cov = coverage_of(obs, settings, domains, bench, db, fit)
    return replace(result, table=join_gap(result.table, cov, s.by), coverage=cov.table,
                   warnings=result.warnings + tuple(w for w in cov.warnings
                                                    if w not in result.warnings))
