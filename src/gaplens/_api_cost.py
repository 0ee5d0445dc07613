"""The API on what the gap costs: price-capability frontiers and the cheapest model within X
points of the frontier (the method: :mod:`gaplens.analysis.cost`, docs/cost.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ._api_core import open_warehouse, parse_as_of, parse_open_definition
from ._api_index import current_fit
from .errors import ConfigError
from .types import OpenDefinition

if TYPE_CHECKING:
    from .analysis.cost import CostResult


@dataclass(frozen=True)
class CheapestResult:
    """The models within ``within`` points of the frontier of one scope, cheapest first."""

    scope: str
    as_of: dt.date
    within: float
    open_only: bool
    frontier_model: str
    table: pd.DataFrame  # analysis.cost.cheapest's columns
    missing: pd.DataFrame  # scope, group, n_models, n_priced, n_unpriced, n_zero
    warnings: tuple[str, ...] = field(default=())

    def settings(self) -> dict:
        return {"scope": self.scope, "as_of": self.as_of.isoformat(), "within": self.within,
                "open_only": self.open_only, "frontier_model": self.frontier_model,
                "price": "USD per million tokens, blended 3:1 input:output"}


def _check_domain(fitted, domain: str) -> None:
    """A domain of the warehouse that has no benchmark in the capability fit."""
    from .errors import UnknownNameError

    known = sorted(set(fitted.benchmarks["domain"].dropna()))
    if domain not in known:
        raise UnknownNameError(f"domain '{domain}' has no benchmark in the capability fit "
                               f"(domains in the fit: {', '.join(known)})")


def _scopes(fitted, definition: OpenDefinition, domain: str | None, every_domain: bool,
            project=None) -> tuple[list, tuple[str, ...]]:
    """``domain``'s scope alone; without one, the general index and (``every_domain``)
    each domain's."""
    from .analysis.index_gap import index_scopes

    if domain:
        _check_domain(fitted, domain)
        scopes, notes = index_scopes(fitted, definition, [domain], project=project)
        if len(scopes) < 2:  # the domain has no index: its own error, not a note
            raise ConfigError(notes[0] if notes else f"'{domain}' has no domain index")
        return scopes[1:], notes
    return index_scopes(fitted, definition, None if every_domain else [], project=project)


@dataclass(frozen=True)
class _Inputs:
    """What the cost commands read from the warehouse, in one visit."""

    as_of: dt.date
    explicit: dt.date | None  # the date the caller gave (None: the data's date)
    signals: pd.DataFrame  # the price signals
    accessibility: pd.Series  # model_id -> accessibility


def _read(db: str | None, domain: str | None, as_of) -> _Inputs:
    """The price signals, accessibility and date; an unknown ``domain`` fails here, before
    the fit is loaded."""
    from .analysis.cost import AA_SIGNALS, OR_SIGNALS
    from .analysis.observations import data_date
    from .errors import UnknownNameError

    explicit = parse_as_of(as_of)
    with open_warehouse(db) as warehouse:
        if domain:
            known = sorted(set(warehouse.domains()["domain"]))
            if domain not in known:
                raise UnknownNameError(f"unknown domain '{domain}' (domains in the warehouse: "
                                       f"{', '.join(known)})")
        frames = [f for f in (warehouse.signals("aa.price_"),
                              warehouse.signals("openrouter_models.price_")) if len(f)]
        access = warehouse.models().set_index("model_id")["accessibility"]
        date = explicit or data_date(warehouse.observations())
    signals = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=["model_id", "signal", "value", "as_of"]))
    signals = signals.loc[signals["signal"].isin(AA_SIGNALS + OR_SIGNALS)]
    return _Inputs(date, explicit, signals, access)


def cost(
    db: str | None = None,
    domain: str | None = None,
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    within: float | None = None,
    timeline: bool = True,
) -> "CostResult":
    """Price-capability frontiers of open and closed models, the gap at equal price (at the
    best closed model's price and at a tenth of it) and the price ratio at equal capability
    (the cheapest model within ``within`` index points of the closed frontier), on the
    general index and every domain (or one ``domain``), with intervals from the index fit.

    Prices are the last snapshot at or before ``as_of`` (default: the data's date). The
    timeline reads the equal-price gap at each price snapshot: up to ``as_of`` when it is
    given, every snapshot otherwise (later snapshots are the current prices).
    """
    from dataclasses import replace

    from .analysis.cost import (DEFAULT_WITHIN, CostSettings, compute_cost, cost_timeline,
                                price_dates, price_history, price_table)

    definition = parse_open_definition(open_definition)
    within = DEFAULT_WITHIN if within is None else float(within)
    CostSettings(as_of=dt.date.today(), within=within)  # a bad --within fails at once
    data = _read(db, domain, as_of)
    fitted = current_fit(db)
    settings = CostSettings(as_of=data.as_of, open_definition=definition.value,
                            within=within, ci=fitted.settings.ci)
    scopes, notes = _scopes(fitted, definition, domain, every_domain=True)
    history = price_history(data.signals)
    warnings = tuple(fitted.warnings) + tuple(notes)
    if not len(data.signals):
        warnings += ("the warehouse holds no prices (Artificial Analysis or the OpenRouter "
                     "catalogue)",)
    result = compute_cost(scopes, price_table(data.signals, data.as_of, history), settings,
                          warnings, data.accessibility)
    if timeline:
        dates = price_dates(history, data.explicit)
        result = replace(result, timeline=cost_timeline(scopes, data.signals, dates,
                                                        settings.ci, history))
    return result


def cheapest(
    domain: str | None = None,
    within: float | None = None,
    open_only: bool = False,
    db: str | None = None,
    as_of: str | dt.date | None = None,
    open_definition: str | OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
) -> CheapestResult:
    """The priced models within ``within`` index points of the frontier (the best priced
    model) on ``domain``'s index (default: the general index), cheapest first;
    ``open_only``: open models only."""
    from .analysis.cost import DEFAULT_WITHIN, CostSettings, price_table
    from .analysis.cost import cheapest as _cheapest

    definition = parse_open_definition(open_definition)
    within = DEFAULT_WITHIN if within is None else float(within)
    CostSettings(as_of=dt.date.today(), within=within)  # a bad --within fails at once
    data = _read(db, domain, as_of)
    date = data.as_of
    fitted = current_fit(db)
    scopes, notes = _scopes(fitted, definition, domain, every_domain=False)
    scope = scopes[0]
    prices = price_table(data.signals, date)
    table, top, missing = _cheapest(scope, prices, date, within, open_only,
                                    fitted.settings.ci)
    warnings = list(fitted.warnings) + list(notes)
    if table.empty:
        warnings.append(f"no priced {'open ' if open_only else ''}model is within {within:g} "
                        f"points of the frontier on {scope.name}")
    return CheapestResult(scope=scope.name, as_of=date, within=within, open_only=open_only,
                          frontier_model=top, table=table, missing=missing,
                          warnings=tuple(warnings))
