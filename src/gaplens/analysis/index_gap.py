"""The open-vs-closed gap on the capability index (general or one domain), three lags.

With I_m the index of model m (display scale) and t_m its release date, for group g:

    frontier_g(t)  = max { I_m : m in g, t_m <= t },   o(t), c(t) for open and closed
    first_g(s)     = min { t_m : m in g, I_m >= s }     (when g first reached level s)
    gap(t)         = c(t) - o(t)                                        (index points)

Three lags in months, each negative when open leads (swapping the labels flips the sign):

plain (Epoch's horizontal distance, METHODS.md section 4):

    lag(t) = t - first_closed(o(t))              (open behind: o(t) < c(t))

significance variant (Epoch's published rule): the open frontier has caught up with every
closed level it is not significantly below,

    lag_sig(t) = t - sup { t' <= t : c(t') is not significantly above o(t) }

Between its record-setting models the closed frontier is a step function, so the supremum
is t itself when today's closed leader is not significantly above o(t) (lag 0), else the
release date of the step that follows the latest step that is not significantly above:
the closed frontier "was where open is now" until that step. Every step below o(t) is not
significantly above it, so lag_sig(t) <= lag(t); the variant only shrinks the lag towards
0. A step j is significantly above when the paired difference d_j = I_j - I_open leader
(the same bootstrap draw for both models) has central value > 0 and the lower end of its
``ci`` interval > 0. In a bootstrap draw the same rule is applied to that draw's d_j with
the margin of the central judgement (d_j > max(0, d_j,central - q_lo(d_j))), so the
central row reproduces the rule and the draws give its interval.

threshold crossing (Ihle 2026) on index levels: for a level s,

    lag_s = first_open(s) - first_closed(s)

At t the point is lag_s at s = min(o(t), c(t)), the highest level both groups have reached:
when open reached its current level, closed had been there that long (it does not grow
while the open frontier stalls; it is <= the plain lag). Over a window of W months the
mean is taken over a grid of levels (``LEVEL_STEP`` points apart) that at least one group
first reached in the window and not both before it; a level the open frontier has not
reached by T enters at its bound T - first_closed(s) and is counted as censored (and the
mirror case for closed), levels at or below a group's first model are dropped (the first
model only says where the group starts).

Plain and significance lags are averaged over the month grid T-W, ..., T (W + 1 points).
A window that starts before the index has an open and a closed model gets a note instead
of a number. A scope (or a month of the timeline) with fewer than ``min_models`` open or
closed models released by then shows its counts and no number.

Intervals come from the capability fit's bootstrap, evaluated on the central fit's
frontier-setting models: per draw the open and closed levels at t are the draw's values
of the central leaders, and a group reaches a level when one of its central record-setting
models does in that draw. A maximum over all models per draw would be biased upwards (many
noisy models near the top; on the bundled data the closed frontier reads 157.8 centrally
and 158.2 as the median of per-draw maxima) and made the lag's interval one-sided. The set
of models is held fixed: the interval is the measurement uncertainty of the index, not of
which models exist. Where the percentile interval would not contain the estimate (a
discrete lag whose draws all move one way), it is widened to it and the row's note says so.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .gap import DAYS_PER_MONTH, from_day, to_day
from .intervals import nanquantile_columns

if TYPE_CHECKING:
    from ..types import OpenDefinition
    from .capability import IndexFit

LEVEL_STEP = 0.5  # index points between the levels of the threshold-crossing lag


@dataclass(frozen=True)
class IndexGapSettings:
    as_of: dt.date
    open_definition: str
    windows: tuple[int, ...] = (12, 24)
    ci: float = 0.90
    timeline_months: int = 36
    min_models: int = 3


@dataclass(frozen=True)
class IndexGapResult:
    settings: IndexGapSettings
    table: pd.DataFrame  # one row per scope (general, then domains)
    timeline: pd.DataFrame  # scope, month, gap and the three lags with intervals, leaders
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


@dataclass(frozen=True)
class Steps:
    """The record-setting models of one group on the central fit, by release date.

    ``levels`` has one row per draw (row 0 central) and one column per record; on row 0 it
    increases strictly, on the draws it need not.
    """

    days: np.ndarray  # (K,) int
    names: np.ndarray  # (K,)
    levels: np.ndarray  # (1 + R, K)
    all_days: np.ndarray  # release days of every model of the group (for counts)

    @classmethod
    def of(cls, scope: Scope, group: str) -> "Steps":
        keep = (scope.groups == group) & np.isfinite(scope.levels[0])
        days, central = scope.days[keep], scope.levels[0, keep]
        order = np.lexsort((-central, days))
        running = np.maximum.accumulate(central[order]) if len(order) else central
        record = np.ones(len(order), dtype=bool)
        record[1:] = central[order][1:] > running[:-1]
        pick = order[record]
        at = np.flatnonzero(keep)[pick]  # the records' columns, gathered once
        return cls(days[pick].astype(np.int64), scope.names[at], scope.levels[:, at],
                   np.sort(days))

    def upto(self, day: int) -> int:
        """Number of records released by ``day`` (the leader is the last of them)."""
        return int(np.searchsorted(self.days, day, side="right"))

    def count(self, day: int) -> int:
        return int(np.searchsorted(self.all_days, day, side="right"))

    def first_reach(self, target: np.ndarray, k: int) -> np.ndarray:
        """Per row, the day the first of the first ``k`` records reached ``target`` (NaN: never)."""
        if k == 0:
            return np.full(len(target), np.nan)
        hit = self.levels[:, :k] >= target[:, None]
        first = hit.argmax(axis=1)
        return np.where(hit.any(axis=1), self.days[first].astype(float), np.nan)

    def first_reach_grid(self, grid: np.ndarray, k: int) -> np.ndarray:
        """(rows, S) days at which the first ``k`` records first reached each level
        (``grid``: increasing levels)."""
        running = np.maximum.accumulate(self.levels[:, :k], axis=1)
        rows, size = running.shape[0], len(grid)
        # The running best rises along a row until a NaN, which it keeps (NaN propagates):
        # record j has reached level s (running >= grid[s]) for s < reach[j], and the first
        # record to reach s is the number of finite records with reach <= s, when that is
        # below the row's number of finite records (else none reaches it).
        finite = ~np.isnan(running)
        reach = np.where(finite, np.searchsorted(grid, running, side="right"), 0)
        flat = (np.arange(rows)[:, None] * (size + 1) + reach)[finite]
        below = np.bincount(flat, minlength=rows * (size + 1)).reshape(rows, size + 1)
        first = np.cumsum(below, axis=1)[:, :size]
        hit = first < finite.sum(axis=1)[:, None]
        return np.where(hit, self.days[np.where(hit, first, 0)].astype(float), np.nan)


def interval(values: np.ndarray, ci: float) -> tuple[float, float, int, bool]:
    """(ci_low, ci_high, failed draws, widened) from row 0 (estimate) and the draws.

    Percentiles of the finite draws; a draw is failed when it is not finite while the
    estimate is. When the percentile interval misses the estimate, the nearer end moves to
    it (``widened``), so that a printed estimate always lies inside its interval.
    """
    estimate, draws = values[0], values[1:]
    finite = draws[np.isfinite(draws)]
    failed = int(len(draws) - len(finite)) if np.isfinite(estimate) else 0
    if len(finite) < 2 or not np.isfinite(estimate):
        return np.nan, np.nan, failed, False
    tail = (1 - ci) / 2
    lo, hi = (float(x) for x in np.quantile(finite, [tail, 1 - tail]))
    widened = not lo <= estimate <= hi
    return min(lo, float(estimate)), max(hi, float(estimate)), failed, widened


def _intervals(values: np.ndarray, ci: float) -> list[tuple[float, float, int, bool]]:
    """:func:`interval` of each row of ``values``, the same numbers: the rows whose estimate
    and draws are all finite share one vectorised quantile (the same selection per row),
    the others are read one by one."""
    out: list = [None] * len(values)
    whole = np.isfinite(values).all(axis=1) if values.shape[1] >= 3 else \
        np.zeros(len(values), dtype=bool)
    if whole.any():
        tail = (1 - ci) / 2
        ends = np.quantile(values[whole, 1:], [tail, 1 - tail], axis=1)
        for i, lo, hi in zip(np.flatnonzero(whole), ends[0], ends[1]):
            estimate, lo, hi = values[i, 0], float(lo), float(hi)
            out[i] = (min(lo, float(estimate)), max(hi, float(estimate)), 0,
                      not lo <= estimate <= hi)
    for i in np.flatnonzero(~whole):
        out[i] = interval(values[i], ci)
    return out


def significant_lag(steps: Steps, target: np.ndarray, k: int, day: int,
                    ci: float) -> np.ndarray:
    """t - sup {t' <= day : the leading group's frontier at t' is not significantly above
    ``target``} in days per row (see the module docstring); NaN without draws."""
    return _lag_since(steps, _last_not_significant(steps, target, k, ci), k, day,
                      len(target))


def _last_not_significant(steps: Steps, target: np.ndarray, k: int, ci: float
                          ) -> tuple[np.ndarray, np.ndarray] | None:
    """The part of :func:`significant_lag` that does not depend on the day: per row, the
    last of the first ``k`` records not significantly above ``target`` (-1: none), and
    the rows with a missing value. None without draws."""
    if k == 0 or len(target) < 3:
        return None
    diff = steps.levels[:, :k] - target[:, None]  # (rows, k), paired within each draw
    tail = (1 - ci) / 2
    q_lo = nanquantile_columns(diff[1:], tail)
    margin = np.maximum(0.0, diff[0] - q_lo)
    significant = diff > margin[None, :]  # NaN draws compare False: not significant
    bad = ~np.isfinite(diff).all(axis=1)
    not_sig = ~significant
    last = np.where(not_sig.any(axis=1), k - 1 - not_sig[:, ::-1].argmax(axis=1), -1)
    return last, bad


def _lag_since(steps: Steps, found, k: int, day: int, rows: int) -> np.ndarray:
    """:func:`significant_lag` at ``day`` from :func:`_last_not_significant`."""
    if found is None:
        return np.full(rows, np.nan)
    last, bad = found
    sup = np.where(last == k - 1, day, steps.days[np.minimum(last + 1, k - 1)])
    lag = (day - sup).astype(float)
    lag[bad] = np.nan
    return lag


@dataclass(frozen=True)
class Reading:
    """Everything at one day, one value per row (row 0 central, then the draws)."""

    gap: np.ndarray
    open_level: np.ndarray
    closed_level: np.ndarray
    lag: np.ndarray
    lag_sig: np.ndarray
    lag_threshold: np.ndarray
    open_leader: str | None
    closed_leader: str | None


def read_at(open_: Steps, closed: Steps, day: int, ci: float,
            memo: dict | None = None) -> Reading | None:
    """The gap and the three lags at ``day`` (in days), or None before either group exists.
    ``memo`` (a dict kept across the days read on the same two groups and ``ci``): the
    part that depends only on the records released by ``day`` is computed once."""
    k_o, k_c = open_.upto(day), closed.upto(day)
    if k_o == 0 or k_c == 0:
        return None
    part = memo.get((k_o, k_c)) if memo is not None else None
    if part is None:
        part = _records_part(open_, closed, k_o, k_c, ci)
        if memo is not None:
            memo[(k_o, k_c)] = part
    o, c, t_o, t_c, behind, ahead, found_c, found_o = part
    lag = np.where(behind, day - t_c, np.where(ahead, -(day - t_o), 0.0)) + 0.0
    sig_behind = _lag_since(closed, found_c, k_c, day, len(o))
    sig_ahead = -_lag_since(open_, found_o, k_o, day, len(c))
    lag_sig = np.where(behind, sig_behind, np.where(ahead, sig_ahead, 0.0)) + 0.0
    bad = ~(np.isfinite(o) & np.isfinite(c))
    for values in (lag, lag_sig):
        values[bad] = np.nan
    return Reading(gap=c - o, open_level=o, closed_level=c, lag=lag, lag_sig=lag_sig,
                   lag_threshold=t_o - t_c, open_leader=str(open_.names[k_o - 1]),
                   closed_leader=str(closed.names[k_c - 1]))


def _records_part(open_: Steps, closed: Steps, k_o: int, k_c: int, ci: float) -> tuple:
    """What :func:`read_at` reads from the first ``k_o`` open and ``k_c`` closed records,
    whatever the day: the two leaders' levels, the days each group first reached the lower
    of them, which group is behind, and :func:`_last_not_significant` of each."""
    o, c = open_.levels[:, k_o - 1], closed.levels[:, k_c - 1]
    with np.errstate(invalid="ignore"):
        level = np.minimum(o, c)
        t_o, t_c = open_.first_reach(level, k_o), closed.first_reach(level, k_c)
        behind, ahead = o < c, o > c
    return (o, c, t_o, t_c, behind, ahead, _last_not_significant(closed, o, k_c, ci),
            _last_not_significant(open_, c, k_o, ci))


def threshold_window(open_: Steps, closed: Steps, start: int, end: int
                     ) -> tuple[np.ndarray, float]:
    """Mean threshold-crossing lag (days) over the levels first reached in (start, end], per
    row, and the central row's share of censored levels (see the module docstring)."""
    k_o0, k_c0, k_o, k_c = (open_.upto(start), closed.upto(start), open_.upto(end),
                            closed.upto(end))
    rows = open_.levels.shape[0]
    if min(k_o0, k_c0) == 0:
        return np.full(rows, np.nan), np.nan
    low = np.minimum(open_.levels[:, k_o0 - 1], closed.levels[:, k_c0 - 1])
    high = np.maximum(open_.levels[:, k_o - 1], closed.levels[:, k_c - 1])
    floor = np.maximum(open_.levels[:, 0], closed.levels[:, 0])  # first models' levels
    finite = np.isfinite(low) & np.isfinite(high) & np.isfinite(floor)
    if not finite.any():
        return np.full(rows, np.nan), np.nan
    lo_all, hi_all = np.min(low[finite]), np.max(high[finite])
    grid = np.arange(np.floor(lo_all / LEVEL_STEP) * LEVEL_STEP, hi_all + LEVEL_STEP,
                     LEVEL_STEP)
    t_o, t_c = open_.first_reach_grid(grid, k_o), closed.first_reach_grid(grid, k_c)
    inside = ((grid[None, :] > np.maximum(low, floor)[:, None])
              & (grid[None, :] <= high[:, None]))
    both = ~np.isnan(t_o) & ~np.isnan(t_c)
    lag = np.where(both, t_o - t_c, np.where(np.isnan(t_o), end - t_c, -(end - t_o)))
    usable = inside & ~(np.isnan(t_o) & np.isnan(t_c))
    n = usable.sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.where(n > 0, np.where(usable, lag, 0.0).sum(axis=1) / np.maximum(n, 1),
                        np.nan)
    mean[~finite] = np.nan
    share = float((usable[0] & ~both[0]).sum() / n[0]) if n[0] else np.nan
    return mean, share


@functools.lru_cache(maxsize=64)
def _months_and_days(as_of: dt.date, months: int) -> tuple[tuple[dt.date, ...],
                                                            tuple[int, ...]]:
    """The month ends from ``months`` months before ``as_of`` to it, and the day of each
    (computed once per date and length)."""
    grid = tuple((pd.Timestamp(as_of) - pd.DateOffset(months=k)).date()
                 for k in range(months, -1, -1))
    return grid, tuple(to_day(m) for m in grid)


def data_from(open_: Steps, closed: Steps) -> int | None:
    """The first day with an open and a closed model (None: never)."""
    if len(open_.all_days) == 0 or len(closed.all_days) == 0:
        return None
    return int(max(open_.all_days[0], closed.all_days[0]))


_STATS = (("gap", "gap", 1.0), ("lag_months", "lag", DAYS_PER_MONTH),
          ("lag_sig_months", "lag_sig", DAYS_PER_MONTH),
          ("lag_threshold_months", "lag_threshold", DAYS_PER_MONTH))


def _put(row: dict, key: str, values: np.ndarray, ci: float, widened: list[str],
         names: tuple[str, str] | None = None, failed: bool = False) -> None:
    """row[key] = estimate, with its interval under ``names`` (default key_ci_low/_high)."""
    lo_key, hi_key = names or (f"{key}_ci_low", f"{key}_ci_high")
    row[key] = float(values[0]) if np.isfinite(values[0]) else np.nan
    row[lo_key], row[hi_key], n_failed, moved = interval(values, ci)
    if failed:
        row[f"{key}_failed_draws"] = n_failed
    if moved:
        widened.append(key)


def scope_gap(scope: Scope, settings: IndexGapSettings) -> tuple[dict, pd.DataFrame]:
    """The summary row and the monthly timeline of one scope."""
    open_, closed = Steps.of(scope, "open"), Steps.of(scope, "closed")
    as_of_day, ci, need = to_day(settings.as_of), settings.ci, settings.min_models
    start = data_from(open_, closed)
    row: dict = {"scope": scope.name, "mode": scope.mode, "n_open": open_.count(as_of_day),
                 "n_closed": closed.count(as_of_day),
                 "data_from": from_day(start) if start is not None else None}
    notes: list[str] = []
    widened: list[str] = []
    enough = min(row["n_open"], row["n_closed"]) >= max(need, 1)
    reading = read_at(open_, closed, as_of_day, ci) if enough else None
    row["status"] = "ok" if reading is not None else "too_few_models"
    row["open_leader"] = reading.open_leader if reading else None
    row["closed_leader"] = reading.closed_leader if reading else None
    nan = np.full(1, np.nan)
    for group in ("open", "closed"):
        values = getattr(reading, f"{group}_level") if reading else nan
        _put(row, f"{group}_level", values, ci, widened)
    for key, attr, unit in _STATS:
        values = getattr(reading, attr) / unit if reading else nan
        _put(row, key, values, ci, widened, failed=key in ("gap", "lag_months"))
    if reading is None:
        notes.append(f"fewer than {need} open or closed models by {settings.as_of} "
                     f"({row['n_open']} open, {row['n_closed']} closed): counts only")

    months, month_days = _months_and_days(settings.as_of, max(settings.timeline_months,
                                                              max(settings.windows)))
    day_of = dict(zip(months, month_days))
    readings = {}
    memo: dict = {}
    for month, day in day_of.items():
        readings[month] = read_at(open_, closed, day, ci, memo) if reading is not None \
            else None
    for w in settings.windows:
        window = months[-(w + 1):]
        keys = {"lag": f"mean_lag_{w}m", "lag_sig": f"mean_lag_sig_{w}m"}
        complete = reading is not None and all(readings[m] is not None for m in window)
        for attr, key in keys.items():
            values = (np.mean([getattr(readings[m], attr) for m in window], axis=0)
                      / DAYS_PER_MONTH if complete else nan)
            _put(row, key, values, ci, widened)
        key = f"mean_lag_threshold_{w}m"
        values, share = (threshold_window(open_, closed, day_of[window[0]], as_of_day)
                         if complete else (nan, np.nan))
        _put(row, key, values / DAYS_PER_MONTH, ci, widened)
        row[f"{key}_censored_share"] = share
        if reading is not None and not complete:
            notes.append(f"the {w}-month window starts {window[0]}, before the index has "
                         f"an open and a closed model (from {row['data_from']}): no "
                         f"{w}-month means")
        elif complete and not np.isfinite(values[0]):
            notes.append(f"no index level was first reached in the {w}-month window: no "
                         "threshold-crossing mean")
    if widened:
        notes.append("interval widened to contain the estimate: " + ", ".join(widened))
    row["note"] = "; ".join(notes) if notes else None

    timeline, shown = [], []
    for month in months[-(settings.timeline_months + 1):]:
        day = day_of[month]
        point = {"scope": scope.name, "month": month, "n_open": open_.count(day),
                 "n_closed": closed.count(day)}
        shown.append(readings[month] if min(point["n_open"], point["n_closed"]) >= need
                     else None)
        timeline.append(point)
    # each statistic's intervals over the months at once (the same numbers as _put's)
    read = [i for i, r in enumerate(shown) if r]
    found = {}
    for key, attr, unit in _STATS:
        values = (np.vstack([getattr(shown[i], attr) for i in read]) / unit if read
                  else np.empty((0, 1)))
        found[key] = dict(zip(read, zip(values[:, 0], _intervals(values, ci))))
    for i, (point, r) in enumerate(zip(timeline, shown)):
        for key, _, _ in _STATS:
            name = "gap" if key == "gap" else key.removesuffix("_months")
            estimate, (low, high, _, _) = found[key].get(i, (np.nan, (np.nan, np.nan, 0,
                                                                        False)))
            point[key] = float(estimate) if np.isfinite(estimate) else np.nan
            point[f"{name}_ci_low"], point[f"{name}_ci_high"] = low, high
        point["open_level"] = float(r.open_level[0]) if r else np.nan
        point["closed_level"] = float(r.closed_level[0]) if r else np.nan
        point["open_leader"] = r.open_leader if r else None
        point["closed_leader"] = r.closed_leader if r else None
    return row, pd.DataFrame(timeline)


def index_gap(scopes: list[Scope], settings: IndexGapSettings,
              warnings: tuple[str, ...] = ()) -> IndexGapResult:
    rows, timelines = [], []
    notes = list(warnings)
    for scope in scopes:
        row, tl = scope_gap(scope, settings)
        if row["status"] != "ok":
            notes.append(f"{scope.name}: {row['note']}")
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
        return definition.groups(frame["accessibility"], frame["model_id"])

    m = fitted.models
    levels = np.vstack([fitted.central_index()[None, :], fitted.index_draws()])
    ids = m["model_id"].to_numpy()
    all_days, all_groups = days_of(m["release_date"]), groups(m)
    scopes = [Scope("general", "general", ids, ids, all_days, all_groups, levels)]
    # a domain's models are the fit's models: their days and groups are looked up (each is
    # a function of the model's own row), not read again from a reindexed table
    row_of = {x: i for i, x in enumerate(m["model_id"].to_numpy(dtype=object))}
    if len(row_of) < len(m):
        row_of = None  # repeated ids: read the rows as the table gives them
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
        if row_of is not None:
            rows = np.array([row_of[x] for x in ids], dtype=np.intp)
            days, found = all_days[rows], all_groups[rows]
        else:
            sub = m.set_index("model_id").loc[ids].reset_index()
            days, found = days_of(sub["release_date"]), groups(sub)
        scopes.append(Scope(domain, "project", ids, ids, days, found, levels))
    return scopes, tuple(notes)


__all__ = ["IndexGapResult", "IndexGapSettings", "Scope", "Steps", "days_of", "from_day",
           "index_gap", "index_scopes", "interval", "read_at", "significant_lag",
           "threshold_window"]
