"""What the interactive report is made of: the results of every analysis, as computed.

The API (:func:`gaplens.api.report`) fills these; :mod:`gaplens.report.payload` turns
them into the tidy tables the page draws from. Results that depend on which models count
as open are computed once per open definition (:class:`ByDefinition`); the rest once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class ByDefinition:
    """Everything that changes with the definition of "open"."""

    definition: str  # OpenDefinition value
    description: str
    gap: object  # analysis.gap.GapResult per domain (12-month window, as `gaplens gap`)
    gap_timeline: pd.DataFrame  # the monthly lag timeline over the report's longer window
    gap_history: pd.DataFrame  # the gap table as of earlier quarter ends (column as_of)
    frontiers: pd.DataFrame  # analysis.series.frontier_series
    index_gap: object  # analysis.index_gap.IndexGapResult
    published_gap: pd.DataFrame  # analysis.composite.published_gap
    published_lag: pd.DataFrame  # analysis.published_lag: the one number read like the map
    composite: object | None  # analysis.composite.WeightSensitivity (None: no AA data)
    factors: object | None  # analysis.factors.FactorResult
    realworld: object | None  # analysis.realworld.RealWorld
    overfit: object | None  # api.OverfitReport
    forecast: object | None  # analysis.forecast.ForecastResult
    notes: tuple[str, ...] = field(default=())  # parts that could not be computed, and why
    claims: tuple = field(default=())  # analysis.claims.Claim, in CLAIM_KEYS order
    cost: object | None = None  # analysis.cost.CostResult (None: no prices or no fit)
    countries: object | None = None  # analysis.groups.GroupReport (None: not computed)
    # report.payload.definition_tables of the above, if converted where they were computed
    # (None: the page converts them)
    tables: dict | None = None


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows, plus where it came from."""

    as_of: dt.date
    default_definition: str
    definitions: tuple[ByDefinition, ...]
    fit: object  # analysis.capability.IndexFit
    domain_levels: pd.DataFrame  # domain, model_id, index, index_ci_low, index_ci_high
    domains: pd.DataFrame  # domain, label, ord, description
    benchmarks: pd.DataFrame  # the warehouse's benchmark table
    lifecycle: object | None  # analysis.lifecycle.LifecycleResult
    agreement: object | None  # analysis.composite.Agreement
    composite_version: str
    composite_as_of: dt.date | None
    sources: pd.DataFrame
    rejected: pd.DataFrame  # source_id, kind, field, reason (one row per rejected input row)
    models: pd.DataFrame  # the warehouse's models (effective accessibility)
    settings: dict  # name -> settings dict of every fit shown
    n_draws: int
    seed: int
    notes: tuple[str, ...] = field(default=())
    since_update: tuple[str, ...] = field(default=())  # "since the last update", sentences
    freshness: object | None = None  # analysis.freshness.Freshness: data-through and ages
    openness: object | None = None  # analysis.openness.OpennessResult (rung definitions)

    def by(self, definition: str) -> ByDefinition:
        for item in self.definitions:
            if item.definition == definition:
                return item
        raise KeyError(definition)
