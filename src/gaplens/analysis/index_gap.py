"""The open-vs-closed gap on the capability index (general or one domain).

With I_m the index of model m (display scale) and t_m its release date, for group g:

    frontier_g(t) = max { I_m : m in g, t_m <= t }
    gap(t)        = frontier_closed(t) - frontier_open(t)                (index points)
    lag(t)        = t - min { t' : frontier_closed(t') >= frontier_open(t) }  (months)

(the horizontal distance of analysis/lag.py, negative when open leads), and the mean
of lag(t) over the last ``w`` months for each window the user chooses.

Epoch's published variant counts a closed level as matched once the difference is no
longer significant:

    lag_sig(t) = t - max { t' : q_lo(I(closed leader at t') - I(open leader at t)) <= 0 }

where q_lo is the lower end of the ``ci`` interval of the paired difference over
bootstrap draws (the leaders are those of the central fit; a maximum over noisy draws
would be biased upwards): the open leader has caught up with every closed level it is
not significantly below. When the closed frontier passed the open level in small steps
this is shorter than the plain distance; when one closed model jumped far past it, the
variant goes back to the last closed level the open leader matches and can be longer.
Both are reported, named apart.

Intervals come from the capability fit's bootstrap: every draw has its own index values,
so frontiers, gaps and lags are recomputed per draw (the set of models is fixed; the
interval reflects measurement uncertainty of the index, not which models exist).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models.frontier import GroupFrontier
from .gap import DAYS_PER_MONTH, from_day, to_day
from .lag import horizontal_lag

if TYPE_CHECKING:
    from ..types import OpenDefinition
    from .capability import IndexFit


@dataclass(frozen=True)
class IndexGapSettings:
    as_of: dt.date
    open_definition: str
    windows: tuple[int, ...] = (12, 24)
    ci: float = 0.90
    timeline_months: int = 36


@dataclass(frozen=True)
class IndexGapResult:
    settings: IndexGapSettings
    table: pd.DataFrame  # one row per scope (general, then domains)
    timeline: pd.DataFrame  # scope, month, gap/lag with intervals, leaders
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Scope:
    """One index to read the gap on: names, release days, groups and levels per draw."""

    name: str  # "general" or a domain
    mode: str  # "general", "project" or "refit"
    model_ids: np.ndarray
    names: np.ndarray
    days: np.ndarray  # (M,) int
    groups: np.ndarray  # (M,) "open" / "closed" / None
    levels: np.ndarray  # (1 + draws, M), row 0 central


def _quantiles(values: np.ndarray, ci: float) -> tuple[float, float, int]:
    finite = values[np.isfinite(values)]
    failed = int(len(values) - len(finite))
    if len(finite) < 2:
        return np.nan, np.nan, failed
    tail = (1 - ci) / 2
    lo, hi = np.quantile(finite, [tail, 1 - tail])
    return float(lo), float(hi), failed


def _frontiers(scope: Scope):
    is_open = scope.groups == "open"
    is_closed = scope.groups == "closed"
    ids = np.arange(len(scope.days))
    fo = GroupFrontier.build(scope.days[is_open], scope.levels[:, is_open], ids=ids[is_open])
    fc = GroupFrontier.build(scope.days[is_closed], scope.levels[:, is_closed],
                             ids=ids[is_closed])
    return fo, fc, np.flatnonzero(is_open), np.flatnonzero(is_closed)


def _significant_lag(fo: GroupFrontier, fc: GroupFrontier, levels: np.ndarray,
                     open_pos: np.ndarray, closed_pos: np.ndarray, day: int,
                     ci: float) -> float:
    """lag_sig at ``day`` in months (see the module docstring)."""
    o, c = fo.level_at(day)[0], fc.level_at(day)[0]
    if not (np.isfinite(o) and np.isfinite(c)):
        return np.nan
    behind = o <= c
    lead, lead_pos, trail, trail_pos = ((fc, closed_pos, fo, open_pos) if behind
                                        else (fo, open_pos, fc, closed_pos))
    lo_q = (1 - ci) / 2
    target = levels[1:, trail_pos[trail.leader_at(day)[0]]]
    # The levels of the leading group: the models that raised its (central) frontier, each
    # dated by its release; models below the frontier never set a level.
    running = lead.running[0]
    raised = np.flatnonzero(np.isfinite(running) & (running > np.concatenate(
        [[-np.inf], running[:-1]])) & (lead.days <= day))
    for j in raised[::-1]:
        diff = levels[1:, lead_pos[lead.order[j]]] - target
        # The latest level that the trailing group's leader today is not significantly
        # below: it has caught up with that level.
        if len(diff) and np.quantile(diff, lo_q) <= 0:
            lag = (day - lead.days[j]) / DAYS_PER_MONTH
            return float(lag if behind else -lag)
    return np.nan


def _month_grid(as_of: dt.date, months: int) -> list[dt.date]:
    return [(pd.Timestamp(as_of) - pd.DateOffset(months=k)).date() for k in range(months, -1, -1)]


def scope_gap(scope: Scope, settings: IndexGapSettings) -> tuple[dict, pd.DataFrame]:
    """The summary row and the monthly timeline of one scope."""
    fo, fc, open_pos, closed_pos = _frontiers(scope)
    as_of_day = to_day(settings.as_of)
    row = {"scope": scope.name, "mode": scope.mode,
           "n_open": int(len(open_pos)), "n_closed": int(len(closed_pos))}
    months = _month_grid(settings.as_of, max(settings.timeline_months, max(settings.windows)))
    lag = np.stack([horizontal_lag(fo, fc, to_day(m)) for m in months], axis=1) / DAYS_PER_MONTH
    with np.errstate(invalid="ignore"):
        gap = np.stack([fc.level_at(to_day(m)) - fo.level_at(to_day(m)) for m in months],
                       axis=1)
    gap[~np.isfinite(gap)] = np.nan
    lead_o, lead_c = fo.leader_at(as_of_day)[0], fc.leader_at(as_of_day)[0]
    row["open_leader"] = scope.names[open_pos[lead_o]] if lead_o >= 0 else None
    row["closed_leader"] = scope.names[closed_pos[lead_c]] if lead_c >= 0 else None
    row["open_level"] = float(fo.level_at(as_of_day)[0]) if lead_o >= 0 else np.nan
    row["closed_level"] = float(fc.level_at(as_of_day)[0]) if lead_c >= 0 else np.nan
    for name, values in (("gap", gap[:, -1]), ("lag_months", lag[:, -1])):
        row[name] = float(values[0])
        row[f"{name}_ci_low"], row[f"{name}_ci_high"], row[f"{name}_failed_draws"] = \
            _quantiles(values[1:], settings.ci)
    row["lag_sig_months"] = _significant_lag(fo, fc, scope.levels, open_pos, closed_pos,
                                             as_of_day, settings.ci)
    for w in settings.windows:
        window = lag[:, -(w + 1):]  # months T-w .. T
        with np.errstate(all="ignore"):
            mean = np.where(np.isnan(window).any(axis=1), np.nan, window.mean(axis=1))
        row[f"mean_lag_{w}m"] = float(mean[0])
        row[f"mean_lag_{w}m_ci_low"], row[f"mean_lag_{w}m_ci_high"], _ = _quantiles(
            mean[1:], settings.ci)
    tl = []
    show = months[-(settings.timeline_months + 1):]
    offset = len(months) - len(show)
    for j, month in enumerate(show):
        k = offset + j
        day = to_day(month)
        g_lo, g_hi, _ = _quantiles(gap[1:, k], settings.ci)
        l_lo, l_hi, _ = _quantiles(lag[1:, k], settings.ci)
        lo_, lc_ = fo.leader_at(day)[0], fc.leader_at(day)[0]
        tl.append({"scope": scope.name, "month": month, "gap": gap[0, k], "gap_ci_low": g_lo,
                   "gap_ci_high": g_hi, "lag_months": lag[0, k], "lag_ci_low": l_lo,
                   "lag_ci_high": l_hi,
                   "open_level": float(fo.level_at(day)[0]) if lo_ >= 0 else np.nan,
                   "closed_level": float(fc.level_at(day)[0]) if lc_ >= 0 else np.nan,
                   "open_leader": scope.names[open_pos[lo_]] if lo_ >= 0 else None,
                   "closed_leader": scope.names[closed_pos[lc_]] if lc_ >= 0 else None})
    return row, pd.DataFrame(tl)


def index_gap(scopes: list[Scope], settings: IndexGapSettings,
              warnings: tuple[str, ...] = ()) -> IndexGapResult:
    rows, timelines = [], []
    notes = list(warnings)
    for scope in scopes:
        if (scope.groups == "open").sum() == 0 or (scope.groups == "closed").sum() == 0:
            notes.append(f"{scope.name}: no open or no closed model in the index; no gap")
            continue
        row, tl = scope_gap(scope, settings)
        rows.append(row)
        timelines.append(tl)
    table = pd.DataFrame(rows)
    timeline = pd.concat(timelines, ignore_index=True) if timelines else pd.DataFrame()
    return IndexGapResult(settings=settings, table=table, timeline=timeline,
                          warnings=tuple(notes))


def days_of(dates) -> np.ndarray:
    return np.array([to_day(d) for d in pd.to_datetime(dates)], dtype=np.int64)


def index_scopes(fitted: "IndexFit", definition: "OpenDefinition",
                 domains: list[str] | None = None,
                 project=None) -> tuple[list[Scope], tuple[str, ...]]:
    """The general index and each domain's projected index as scopes (for the gap and the
    forecast), with a warning for each domain that has no index. ``project``: how to get a
    domain's index (default :func:`project_domain`; ``domain_index.projector`` reuses
    them)."""
    from .domain_index import project_domain

    def groups(frame: pd.DataFrame) -> np.ndarray:
        return definition.groups(frame["accessibility"])

    m = fitted.models
    levels = np.vstack([fitted.central_index()[None, :], fitted.index_draws()])
    ids = m["model_id"].to_numpy()
    scopes = [Scope("general", "general", ids, ids, days_of(m["release_date"]), groups(m),
                    levels)]
    notes = []
    if domains is None:
        domains = list(dict.fromkeys(fitted.benchmarks["domain"].dropna()))
    for domain in domains:
        try:
            result = project(domain) if project else project_domain(fitted, domain)
        except ConfigError as exc:
            notes.append(f"{domain}: {exc}")
            continue
        ids, levels = result.levels()
        sub = m.set_index("model_id").loc[ids].reset_index()
        scopes.append(Scope(domain, "project", ids, ids, days_of(sub["release_date"]),
                            groups(sub), levels))
    return scopes, tuple(notes)


__all__ = ["IndexGapResult", "IndexGapSettings", "Scope", "days_of", "from_day", "index_gap",
           "index_scopes"]
