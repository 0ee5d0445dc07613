"""The open-vs-closed gap per domain or per benchmark, with bootstrap intervals.

For each benchmark with at least ``min_models`` open and closed models released by the
as-of date T:

    gap        = frontier_closed(T) - frontier_open(T)          (normalised points, 0-100)
    lag        = horizontal frontier distance at T               (months, analysis/lag.py)
    lag_thr    = median threshold-crossing lag                  (months, censoring marked)

Each benchmark is read at its last observation t_b = min(T, newest release date evaluated
on it), reported as ``data_through``: a benchmark nobody runs any more says nothing about
the frontier after t_b, and extending it flat would add a month of lag every month.
    lag_change = lag(t_b) - lag(t_b - window)                    (how the lag moved)

Current evidence. With the recency window [T - recent_months, T] (default 12 months), a
benchmark is *current* when an open or closed model released inside the window has a
result on it (t_b >= T - recent_months). Only current benchmarks enter a domain's map;
stale ones are named in its note. A domain without a current benchmark gets the status
``no_current_evidence``: it keeps its last map, read at its own newest data date D (the
benchmarks that were current at D), labelled so that a headline can leave it out.

A domain aggregates its benchmarks in the map: the gap is their mean, the lags their
median (each benchmark counts once). Its leaders are the open and the closed model that
hold the frontier on most of its benchmarks, and its levels are the mean frontier levels.

Intervals: a seeded parametric bootstrap of the scores. In draw j every result is redrawn
as s*_m = s_m + sigma_m z_mj, z ~ N(0, 1), with sigma_m its standard error (reported,
else binomial from the item count, else ``default_se``: analysis/noise.py); optionally
(``resample_models``) the models are also resampled with replacement within each group;
for a domain its benchmarks are resampled with replacement. The statistic is recomputed
on every draw (analysis/intervals.py). Score gaps get the *spread* interval
[x - (q_hi - q_50), x + (q_50 - q_lo)]: the draws' spread around their median, laid
around the estimate, with the deviations of the draws scaled up when needed so that their
standard deviation is at least

    floor = sqrt(sigma_lead_closed^2 + sigma_lead_open^2)      (the two leaders' errors)

A gap is f(e) = max_c(mu + e) - max_o(mu + e) of independent Gaussian errors; its gradient
is (+1 at the closed leader, -1 at the open one), so Var f <= E[sigma_c^2 + sigma_o^2]
(Gaussian Poincare inequality), with equality when each group has a clear leader. The
bootstrap, centred on observed scores whose top models stand further apart than the true
ones, sees fewer contenders and reproduces only part of that spread; the floor restores
the clear-leader spread. Lags, step functions of which model crossed which level first,
get the percentile interval [q_lo, q_hi] of the lags under the orderings the noise cannot
tell apart. Neither is one-sided by construction. When the estimate still falls outside (a
lopsided bootstrap), the interval is widened to it and ``ci_widened`` names the
statistic. The central estimate is always the plain one on the observed data. Coverage on
planted data: docs/intervals.md (benchmarks/bench_gap_coverage.py).
A draw in which a statistic cannot be computed (for example no open model left on a
benchmark) is *failed*: counted and reported, never silently dropped.

Signs. The horizontal lag has the sign of the gap on a benchmark by construction. The
threshold lag reads the whole history of crossings, the gap today's frontiers: when they
disagree in sign the row's note says which thresholds each group reached first. A
domain's gap (a mean) and its lags (medians) can disagree when its benchmarks do; the
note names them.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Callable, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models.frontier import GroupFrontier
from ..types import OpenDefinition
from .gap_batch import Padded, batch_stats, threshold_summary
from .gap_notes import domain_sign_note, stale_note, threshold_sign_note, zero_lag_note
from .gap_rows import (BenchmarkRows, aggregate, benchmark_meta, domains_in_order,
                       draws_frame, per_draw_table, row_intervals, rows_frame, windows_of)
from .intervals import bootstrap_intervals, floor_spread, floor_spread_columns
from .lag import _levels, horizontal_lag, threshold_lags
from .noise import source_counts, standard_errors_of
from .observations import Observations

DAYS_PER_MONTH = 365.2425 / 12
EPOCH = np.datetime64("1970-01-01", "D")
EPOCH_DATE = dt.date(1970, 1, 1)
DEFAULT_THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.05, 0.951, 0.05))

Progress = Callable[[int, int], None]

# Score gaps: the bootstrap's spread around the estimate, floored at the leaders' errors.
# Lags are step functions of orderings: percentile intervals (analysis/intervals.py;
# coverage in docs/intervals.md).
INTERVAL_METHODS = {"gap": "spread", "lag_months": "percentile",
                    "lag_threshold_months": "percentile", "lag_change": "percentile",
                    "lag_window_mean": "percentile"}
# A row's statistics with intervals, in stat_fields' order: (name, method, bounds).
ROW_STATISTICS = tuple((k, INTERVAL_METHODS[k], (-100.0, 100.0) if k == "gap" else None)
                       for k in ("gap", "lag_months", "lag_threshold_months", "lag_change",
                                 "lag_window_mean"))


def to_day(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).date(), "D") - EPOCH).astype(int))


def _days(dates: pd.Series) -> np.ndarray:
    """:func:`to_day` of every value of a datetime column (the date part, as to_day)."""
    values = pd.to_datetime(dates).to_numpy().astype("datetime64[D]")
    return (values - EPOCH).astype(np.int64)


def from_day(day: float) -> dt.date | None:
    if day is None or not np.isfinite(day):
        return None
    return EPOCH_DATE + dt.timedelta(days=int(round(day)))


@dataclass(frozen=True)
class GapSettings:
    """Every choice behind a gap table (stored with the result and in its JSON)."""

    as_of: dt.date
    open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS
    by: Literal["domain", "benchmark"] = "domain"
    n_draws: int = 1000
    seed: int = 0
    min_models: int = 3
    ci: float = 0.90
    window_months: int = 12
    tolerance: float = 0.0
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    recent_months: int = 12
    default_se: float = 0.02
    resample_models: bool = False

    def __post_init__(self) -> None:
        if self.by not in ("domain", "benchmark"):
            raise ConfigError(f"--by must be 'domain' or 'benchmark', not '{self.by}'")
        if self.n_draws < 0:
            raise ConfigError("the number of bootstrap draws cannot be negative")
        if not 0 < self.ci < 1:
            raise ConfigError("the interval level must lie strictly between 0 and 1")
        if self.min_models < 1:
            raise ConfigError("--min-models must be at least 1")
        if self.window_months < 1:
            raise ConfigError("--window must be at least one month")
        if not 0 <= self.tolerance < 1:
            raise ConfigError("--tolerance is in normalised units and must lie in [0, 1)")
        if self.recent_months < 1:
            raise ConfigError("--recent must be at least one month")
        if not 0 <= self.default_se < 1:
            raise ConfigError("the default standard error is in normalised units: [0, 1)")


@dataclass(frozen=True)
class GapResult:
    """A gap table, its monthly lag timeline, and everything needed to read them."""

    settings: GapSettings
    table: pd.DataFrame
    timeline: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())
    unknown_models: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # analysis/coverage.py
    # Per-draw domain gap and lag (key, draw, gap, lag_months; draw 0 is the estimate), for
    # contrasts between domains (analysis/claims_gap.py); empty with by="benchmark".
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)
    # With by="domain": every benchmark's row as by="benchmark" gives it (same draws).
    per_benchmark: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class _BenchStats:
    """Per-draw statistics of one benchmark (draw 0 is the observed data)."""

    gap: np.ndarray
    lag: np.ndarray
    lag_thr: np.ndarray
    censored_share: np.ndarray
    timeline_lag: np.ndarray  # (draws, months) on calendar months ending at T
    timeline_gap: np.ndarray
    window_lag: np.ndarray  # (draws, months) on months ending at the benchmark's own t_b
    open_lead: int  # global model index of the frontier holder at t_b (-1: none)
    closed_lead: int
    open_level: float  # frontier levels at t_b on the observed data, points
    closed_level: float
    data_through: dt.date
    thr_lag: np.ndarray  # (S,) observed lag per threshold in days (NaN: not usable)
    newest_open: dt.date
    newest_closed: dt.date
    se_sources: np.ndarray


def _draw_models(groups: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """(1 + n_draws, models) inclusion masks; row 0 keeps every model."""
    rng = np.random.default_rng(seed)
    include = np.zeros((n_draws + 1, len(groups)), dtype=bool)
    include[0] = True
    for g in ("open", "closed"):
        members = np.flatnonzero(groups == g)
        if len(members) == 0 or n_draws == 0:
            continue
        picks = members[rng.integers(0, len(members), size=(n_draws, len(members)))]
        rows = np.repeat(np.arange(1, n_draws + 1), len(members))
        include[rows, picks.ravel()] = True
    return include


def _month_days(as_of: dt.date, months: int) -> np.ndarray:
    """Days of T, T-1 month, ..., T-months (oldest first)."""
    return np.array(_month_days_of(as_of, months))


@lru_cache(maxsize=256)
def _month_days_of(as_of: dt.date, months: int) -> tuple[int, ...]:
    stamps = [pd.Timestamp(as_of) - pd.DateOffset(months=k) for k in range(months, -1, -1)]
    return tuple(to_day(s) for s in stamps)


def _months_before(day: int, months: int) -> int:
    return to_day(pd.Timestamp(from_day(day)) - pd.DateOffset(months=months))


def _noise_rng(seed: int, name: str) -> np.random.Generator:
    """One stream per benchmark, fixed by the seed and the benchmark's name (so adding a
    benchmark does not move the others' intervals)."""
    return np.random.default_rng([seed, zlib.crc32(str(name).encode("utf-8"))])


def _benchmark_stats(rows: BenchmarkRows, include: np.ndarray, settings: GapSettings,
                     as_of_day: int, month_days: np.ndarray, se: np.ndarray,
                     se_sources: np.ndarray, rng: np.random.Generator,
                     timeline_days: np.ndarray | None = None) -> _BenchStats:
    """Per-draw statistics of one benchmark.

    The benchmark is read at its own last observation, t_b = min(T, newest release date
    evaluated on it): after t_b nothing is known about its frontiers, so they are not
    extended flat (which would make the lag grow by a month every month). Timeline points
    after t_b are left empty. Draw j > 0 perturbs every score by its standard error.
    ``timeline_days``: the timeline's days (default ``month_days``, the window's).
    """
    is_open = rows.group == "open"
    days = rows.day
    scores = rows.score
    gidx = rows.gidx
    noise = rng.standard_normal((include.shape[0], len(scores)))
    noise[0] = 0.0
    drawn = scores[None, :] + se[None, :] * noise
    t_b = int(min(as_of_day, days.max()))
    fo = GroupFrontier.build(days[is_open], drawn[:, is_open], include[:, gidx[is_open]],
                             ids=gidx[is_open])
    fc = GroupFrontier.build(days[~is_open], drawn[:, ~is_open], include[:, gidx[~is_open]],
                             ids=gidx[~is_open])
    o, c = fo.level_at(t_b), fc.level_at(t_b)
    se_open, se_closed = se[is_open], se[~is_open]
    timeline_days = month_days if timeline_days is None else timeline_days

    # The gap at t_b and at every timeline day up to t_b, in one pass.
    seen = timeline_days[timeline_days <= t_b]
    if len(seen):
        gap_days, back = np.unique(np.concatenate([[t_b], seen]), return_inverse=True)
        gaps = _gaps_at(fo, fc, gap_days, se_open, se_closed)[:, back.ravel()]
    else:  # t_b alone
        lo, lc = _leader0(fo, t_b), _leader0(fc, t_b)
        floor = 100 * float(np.hypot(se_open[lo], se_closed[lc])) if lo >= 0 and lc >= 0 \
            else 0.0
        gaps = floor_spread(_difference(fc.level_at(t_b), fo.level_at(t_b)), floor)[:, None]
    gap = gaps[:, 0].copy()  # copies: the statistics kept do not hold the whole passes
    thr = threshold_lags(fo, fc, np.array(settings.thresholds), t_b)
    lag_thr, censored = thr.summary()
    # Every horizontal lag in one pass: t_b, the timeline's days up to t_b, the window.
    window_days = month_days - month_days[-1] + t_b
    if len(seen):
        lags = horizontal_lag(fo, fc, np.concatenate([[t_b], seen, window_days]),
                              settings.tolerance) / DAYS_PER_MONTH
    else:  # the window's days (increasing) end at t_b
        lags = horizontal_lag(fo, fc, window_days, settings.tolerance) / DAYS_PER_MONTH
        lags = np.concatenate([lags[:, -1:], lags], axis=1)
    lag = lags[:, 0].copy()
    timeline_lag = np.full((include.shape[0], len(timeline_days)), np.nan)
    timeline_lag[:, timeline_days <= t_b] = lags[:, 1:1 + len(seen)]
    timeline_gap = np.full((include.shape[0], len(timeline_days)), np.nan)
    timeline_gap[:, timeline_days <= t_b] = gaps[:, 1:]
    window_lag = lags[:, 1 + len(seen):].copy()
    # leader_at indexes the arrays given to build(): map back to global model indices.
    lead_o, lead_c = _leader0(fo, t_b), _leader0(fc, t_b)
    lead_o = int(gidx[is_open][lead_o]) if lead_o >= 0 else -1
    lead_c = int(gidx[~is_open][lead_c]) if lead_c >= 0 else -1
    return _BenchStats(
        gap, lag, lag_thr / DAYS_PER_MONTH, censored, timeline_lag, timeline_gap, window_lag,
        open_lead=lead_o, closed_lead=lead_c,
        open_level=float(o[0]) * 100 if np.isfinite(o[0]) else np.nan,
        closed_level=float(c[0]) * 100 if np.isfinite(c[0]) else np.nan,
        data_through=from_day(t_b), thr_lag=thr.lag[0].astype(float),
        newest_open=from_day(days[is_open].max()), newest_closed=from_day(days[~is_open].max()),
        se_sources=se_sources,
    )


#: The most padded values (benchmarks x draws x models) :func:`_stats_at_once` holds at once:
#: a larger map goes in groups of benchmarks (the same numbers), memory bounded at any size.
BATCH_VALUES = 1 << 22


def _stats_at_once(pending: dict, include: np.ndarray, settings: GapSettings, as_of_day: int,
                   month_days: np.ndarray) -> dict[str, _BenchStats]:
    """:func:`_benchmark_stats` without a timeline of every benchmark of ``pending``
    (name -> (rows, se, sources)) at once (analysis/gap_batch.py; groups of at most
    :data:`BATCH_VALUES`), the same numbers; a non-finite drawn score: one at a time."""
    draws = include.shape[0]
    out: dict[str, _BenchStats | None] = dict.fromkeys(pending)
    batch: list[tuple] = []  # (name, rows, se, sources, drawn)
    widest = 0
    for name, (rows, se, sources) in pending.items():
        widest = max(widest, len(rows.score))
        if batch and (len(batch) + 1) * draws * widest > BATCH_VALUES:
            _batch(batch, include, settings, as_of_day, month_days, out)
            batch, widest = [], len(rows.score)
        noise = _noise_rng(settings.seed, name).standard_normal((draws, len(rows.score)))
        noise[0] = 0.0
        drawn = rows.score[None, :] + se[None, :] * noise
        if np.isfinite(drawn).all():
            batch.append((name, rows, se, sources, drawn))
        else:
            out[name] = _benchmark_stats(rows, include, settings, as_of_day, month_days, se,
                                         sources, _noise_rng(settings.seed, name),
                                         month_days[:0])
    if batch:
        _batch(batch, include, settings, as_of_day, month_days, out)
    return out


def _batch(batch: list[tuple], include: np.ndarray, settings: GapSettings, as_of_day: int,
           month_days: np.ndarray, out: dict) -> None:
    """:func:`_stats_at_once` of a group (name, rows, se, sources, drawn), into ``out``."""
    draws = include.shape[0]
    sizes = [len(r.score) for _, r, *_ in batch]
    bench = np.repeat(np.arange(len(batch)), sizes)
    day, gidx, group = (np.concatenate([getattr(r, f) for _, r, *_ in batch])
                        for f in ("day", "gidx", "group"))
    is_open = group == "open"
    se = np.concatenate([b[2] for b in batch])
    drawn = np.hstack([b[4] for b in batch])
    groups = [np.flatnonzero(is_open), np.flatnonzero(~is_open)]
    fo, fc = (Padded.build(bench[g], day[g], gidx[g], drawn[:, g], include[:, gidx[g]],
                           len(batch)) for g in groups)
    t_b = np.minimum(as_of_day, np.maximum.reduceat(
        day, np.concatenate([[0], np.cumsum(sizes)[:-1]])))
    window = (month_days - month_days[-1])[None, :] + t_b[:, None]
    gap, lag, thr, censored, o_tb, c_tb, lead_o, lead_c = batch_stats(
        fo, fc, t_b, window, np.array(settings.thresholds), settings.tolerance,
        se[groups[0]], se[groups[1]])
    lag = lag / DAYS_PER_MONTH
    lag_thr, share = threshold_summary(thr, censored)
    lag_thr = lag_thr / DAYS_PER_MONTH
    leads = [np.where(lead >= 0, gidx[g][f.start + np.maximum(lead, 0)], -1).tolist()
             for lead, g, f in ((lead_o, groups[0], fo), (lead_c, groups[1], fc))]
    newest = [f.days[np.arange(len(batch)), f.n - 1].tolist() for f in (fo, fc)]
    for i, (name, _, _, sources, _) in enumerate(batch):
        out[name] = _BenchStats(
            gap[:, i].copy(), lag[i, :, -1].copy(), lag_thr[i], share[i],
            np.full((draws, 0), np.nan), np.full((draws, 0), np.nan), lag[i],
            open_lead=leads[0][i], closed_lead=leads[1][i],
            open_level=float(o_tb[i, 0]) * 100 if np.isfinite(o_tb[i, 0]) else np.nan,
            closed_level=float(c_tb[i, 0]) * 100 if np.isfinite(c_tb[i, 0]) else np.nan,
            data_through=from_day(t_b[i]), thr_lag=thr[i, 0].astype(float),
            newest_open=from_day(newest[0][i]), newest_closed=from_day(newest[1][i]),
            se_sources=sources)


def _leader0(f: GroupFrontier, day: int) -> int:
    """``f.leader_at(day)[0]``: the frontier holder on the observed data (draw 0) only."""
    k = int(np.searchsorted(f.days, day, side="right"))
    if k == 0 or not np.isfinite(f.running[0, k - 1]):
        return -1
    scores = f.scores[0, :k] if f.scores.ndim == 2 else f.scores[:k]
    hit = f.include[0, :k] & (scores >= f.running[0, k - 1])
    return int(f.order[hit.argmax()]) if hit.any() else -1


def _gaps_at(fo: GroupFrontier, fc: GroupFrontier, days: np.ndarray, se_open: np.ndarray,
             se_closed: np.ndarray) -> np.ndarray:
    """The gap's draws at each of ``days`` (draws, days), spread floored at the two
    leaders' errors on that day (:func:`floor_spread`)."""
    lo, lc = _leaders0(fo, days), _leaders0(fc, days)
    both = (lo >= 0) & (lc >= 0)
    floors = np.zeros(len(days))
    floors[both] = 100 * np.hypot(se_open[lo[both]], se_closed[lc[both]])
    return floor_spread_columns(_difference(_levels(fc, days), _levels(fo, days)), floors)


def _leaders0(f: GroupFrontier, days: np.ndarray) -> np.ndarray:
    """:func:`_leader0` at each of ``days``. The frontier's holder is the first model whose
    running level on draw 0 reaches the level there (the running maximum first reaches a
    level at a model that has it), found by one binary search when that row is ordered."""
    running = f.running[0] if f.running.shape[1] else f.running[0, :0]
    if np.isnan(running).any():
        return np.array([_leader0(f, int(d)) for d in days], dtype=np.int64)
    k = np.searchsorted(f.days, days, side="right")
    out = np.full(len(days), -1, dtype=np.int64)
    if not len(running):
        return out
    level = running[np.maximum(k - 1, 0)]
    ok = (k > 0) & np.isfinite(level)
    out[ok] = f.order[np.searchsorted(running, level[ok], side="left")]
    return out


def _difference(closed: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """closed - open in normalised points (0-100); NaN where a group has no model."""
    both = np.isfinite(closed) & np.isfinite(open_)
    out = np.full(closed.shape, np.nan)
    out[both] = (closed[both] - open_[both]) * 100.0
    return out



def _most_common(indices: list[int], days: dict[int, int]) -> int:
    valid = [i for i in indices if i >= 0]
    if not valid:
        return -1
    from collections import Counter

    counts = Counter(valid)
    most = max(counts.values())
    top = [i for i, n in counts.items() if n == most]
    return int(max(top, key=lambda i: (days.get(i, 0), -i)))


def compute_gap(
    obs: Observations,
    settings: GapSettings,
    domains: pd.DataFrame,
    benchmarks: pd.DataFrame,
    progress: Progress | None = None,
    timeline_months: int | None = None,
) -> GapResult:
    """Gap and lag per domain (or benchmark) as of ``settings.as_of``.

    ``domains`` and ``benchmarks`` are the warehouse tables (for labels, order, units and
    the score scale behind the standard errors). ``timeline_months``: how far back the
    monthly timeline goes (default ``settings.window_months``; 0: no timeline). Each month's
    values depend only on its own date, so a longer timeline ends with the default one.
    """
    if obs.as_of != settings.as_of or obs.open_definition != settings.open_definition:
        raise ConfigError("observations were prepared for another date or open definition")
    # The grouped rows as plain arrays (object strings: fast slicing below), read once.
    kept = obs.frame["group"].notna().to_numpy()

    def column(name: str, dtype) -> np.ndarray:
        return obs.frame[name].to_numpy(dtype=dtype)[kept]

    model_id, group, benchmark, display_name = (
        column(c, object) for c in ("model_id", "group", "benchmark", "display_name"))
    day = _days(obs.frame["release_date"])[kept]
    # Models in order of first appearance; each one's earliest release day.
    first = np.sort(np.unique(model_id, return_index=True)[1]) if len(model_id) else \
        np.arange(0)
    gidx_of = {m: i for i, m in enumerate(model_id[first])}
    gidx = np.array([gidx_of[m] for m in model_id], dtype=np.int64)
    model_groups = group[first]
    model_names = np.where(pd.isna(display_name[first]), model_id[first], display_name[first])
    earliest = np.full(len(first), np.iinfo(np.int64).max)
    np.minimum.at(earliest, gidx, day)
    model_days = dict(enumerate(earliest.tolist()))
    if settings.resample_models:
        include = _draw_models(model_groups, settings.n_draws, settings.seed)
    else:
        include = np.ones((settings.n_draws + 1, len(first)), dtype=bool)
    as_of_day = to_day(settings.as_of)
    recent_start = _months_before(as_of_day, settings.recent_months)
    month_days = _month_days(settings.as_of, settings.window_months)
    if timeline_months is None or timeline_months == settings.window_months:
        timeline_days = month_days
    elif timeline_months > 0:
        timeline_days = _month_days(settings.as_of, timeline_months)
    else:
        timeline_days = month_days[:0]

    stats: dict[str, _BenchStats] = {}
    counts: dict[str, tuple[int, int]] = {}
    last_day: dict[str, int] = {}
    names = sorted(set(obs.frame["benchmark"].unique()))
    whole = BenchmarkRows(group, model_id, day, column("score", float), gidx,
                          *(column(c, float) if c in obs.frame else None
                            for c in ("raw_score", "stderr")))
    by_benchmark = whole.split(benchmark)
    no_rows = whole.take(np.arange(0))
    meta_of, successor = benchmark_meta(benchmarks, set(names))
    members_of: dict[str, tuple[set, set]] = {}  # benchmark -> (open, closed) model ids
    for done, name in enumerate(names, start=1):
        rows = by_benchmark.get(name, no_rows)
        is_open = rows.group == "open"
        ids = rows.model_id
        members_of[name] = (set(ids[is_open]), set(ids[~is_open]))
        n_open = int(is_open.sum())
        n_closed = int(len(rows) - n_open)
        counts[name] = (n_open, n_closed)
        if len(rows):
            last_day[name] = int(min(as_of_day, rows.day.max()))
        if n_open >= settings.min_models and n_closed >= settings.min_models:
            meta = meta_of.get(name)
            se, sources = standard_errors_of(len(rows), rows.raw_score, rows.stderr, meta,
                                             settings.default_se)
            if len(timeline_days):
                stats[name] = _benchmark_stats(rows, include, settings, as_of_day,
                                               month_days, se, sources,
                                               _noise_rng(settings.seed, name), timeline_days)
            else:  # every benchmark at once below
                stats[name] = (rows, se, sources)
        if progress:
            progress(done, len(names))
    if not len(timeline_days):
        stats = _stats_at_once(stats, include, settings, as_of_day, month_days)
    current = {b: day >= recent_start for b, day in last_day.items()}
    thresholds = np.array(settings.thresholds)

    def leader_fields(prefix: str, idx: int) -> dict:
        if idx < 0:
            return {f"{prefix}_model": None, f"{prefix}_release_date": None}
        return {f"{prefix}_model": model_names[idx],
                f"{prefix}_release_date": from_day(model_days[idx])}

    def stat_fields(gap, lag, lag_thr, censored, window, ivs: dict) -> dict:
        """The row's statistics; ``ivs``: their intervals (:func:`_intervals`)."""
        out, widened = {}, []
        for key, values in (("gap", gap), ("lag_months", lag),
                            ("lag_threshold_months", lag_thr)):
            iv = ivs[key]
            out[key] = float(values[0]) if np.isfinite(values[0]) else np.nan
            out[f"{key}_ci_low"], out[f"{key}_ci_high"] = iv.low, iv.high
            out[f"{key}_failed_draws"] = iv.failed
            if iv.widened:
                widened.append(key)
        out["censored_share"] = float(censored[0]) if np.isfinite(censored[0]) else np.nan
        start, change, window_mean = window
        out["lag_window_start_months"] = float(start[0]) if np.isfinite(start[0]) else np.nan
        iv = ivs["lag_change"]
        out["lag_change_months"] = float(change[0]) if np.isfinite(change[0]) else np.nan
        out["lag_change_ci_low"], out["lag_change_ci_high"] = iv.low, iv.high
        out["lag_change_failed_draws"] = iv.failed
        if iv.widened:
            widened.append("lag_change")
        iv = ivs["lag_window_mean"]
        out["lag_window_mean_months"] = float(window_mean[0]) if np.isfinite(window_mean[0]) else np.nan
        out["lag_window_mean_ci_low"], out["lag_window_mean_ci_high"] = iv.low, iv.high
        if iv.widened:
            widened.append("lag_window_mean")
        out["ci_widened"] = "; ".join(widened)
        return out

    def status_of(values: dict) -> str:
        lag, gap = values.get("lag_months"), values.get("gap")
        if lag is None or not np.isfinite(lag):
            return "no_lag"
        if lag == 0 and gap is not None and np.isfinite(gap) \
                and abs(gap) > 100 * settings.tolerance:
            lag = gap  # level on the lag's date grid, apart in score: the gap decides
        if lag < 0:
            return "open_ahead"
        if lag == 0:
            return "level"
        return "open_behind"

    def stale_text(bs: list[str]) -> str:
        return ", ".join(f"{b} (last {from_day(last_day[b])})" for b in bs)

    rows_out: list[dict] = []
    timeline_rows: list[dict] = []
    draw_parts: list[tuple[str, np.ndarray, np.ndarray]] = []  # domain, gap, lag draws
    month_dates = [from_day(d) for d in timeline_days]

    timelines: list[tuple] = []  # (key, tl, tg, n): their intervals are computed at once

    def add_timeline(key: str, tl: np.ndarray, tg: np.ndarray, n: np.ndarray) -> None:
        timelines.append((key, tl, tg, n))

    def timeline_table() -> pd.DataFrame:
        """Every timeline's rows; the intervals of all keys' months in one call per
        statistic (each column's interval is its own: the same numbers)."""
        if not timelines or not len(month_dates):
            return pd.DataFrame(timeline_rows, columns=TIMELINE_COLUMNS)
        all_lag = bootstrap_intervals(np.hstack([t[1] for t in timelines]), settings.ci,
                                      INTERVAL_METHODS["lag_months"])
        all_gap = bootstrap_intervals(np.hstack([t[2] for t in timelines]), settings.ci,
                                      INTERVAL_METHODS["gap"], (-100.0, 100.0))
        months = len(month_dates)
        for i, (key, tl, tg, n) in enumerate(timelines):
            lag_ivs = all_lag[i * months:(i + 1) * months]
            gap_ivs = all_gap[i * months:(i + 1) * months]
            add_rows(key, tl, tg, n, lag_ivs, gap_ivs)
        return pd.DataFrame(timeline_rows, columns=TIMELINE_COLUMNS)

    def add_rows(key, tl, tg, n, lag_ivs, gap_ivs) -> None:
        for m, date in enumerate(month_dates):
            lag_iv, gap_iv = lag_ivs[m], gap_ivs[m]
            timeline_rows.append(dict(
                key=key, date=date, lag_months=tl[0, m], lag_ci_low=lag_iv.low,
                lag_ci_high=lag_iv.high, gap=tg[0, m], gap_ci_low=gap_iv.low,
                gap_ci_high=gap_iv.high, n_benchmarks=int(n[m]),
                ci_widened=bool(lag_iv.widened or gap_iv.widened)))

    windows = windows_of(stats)
    bench_ivs = row_intervals({name: (s.gap, s.lag, s.lag_thr, *windows[name][1:])
                               for name, s in stats.items()}, settings.ci, ROW_STATISTICS)
    bench_rows: dict[str, dict] = {}
    for name in names:
        meta = meta_of.get(name)
        n_open, n_closed = counts[name]
        row = dict(key=name, domain=meta["domain"] if meta is not None else None,
                   test_set=meta["test_set"] if meta is not None else None,
                   unit=meta["unit"] if meta is not None else None,
                   n_benchmarks=1, n_benchmarks_total=1, n_open=n_open, n_closed=n_closed,
                   draws=settings.n_draws, data_through=from_day(last_day.get(name)),
                   current_evidence=bool(current.get(name, False)))
        if name in stats:
            s = stats[name]
            row.update(leader_fields("closed", s.closed_lead))
            row.update(leader_fields("open", s.open_lead))
            row.update(closed_level=s.closed_level, open_level=s.open_level,
                       se_sources=source_counts(s.se_sources))
            row.update(stat_fields(s.gap, s.lag, s.lag_thr, s.censored_share, windows[name],
                                   bench_ivs[name]))
            notes = [zero_lag_note(row, s.data_through, settings.tolerance)]
            if current[name]:
                row["status"] = status_of(row)
            else:
                row["status"] = "no_current_evidence"
                notes.append(stale_note(s.data_through, settings, "no open or closed model "
                                         "released in the {months} months to {as_of} has a "
                                         "result"))
            notes.append(threshold_sign_note(row, s, thresholds))
            row["note"] = "; ".join(n for n in notes if n)
        else:
            row["status"] = "too_few_models"
            row["note"] = (f"{n_open} open and {n_closed} closed models by {settings.as_of};"
                           f" needs {settings.min_models} of each")
        bench_rows[name] = row

    if settings.by == "benchmark":
        for name in names:
            rows_out.append(bench_rows[name])
            if name in stats:
                s = stats[name]
                add_timeline(name, s.timeline_lag, s.timeline_gap,
                             (~np.isnan(s.timeline_gap[0])).astype(int))
    else:
        rng = np.random.default_rng(settings.seed + 1)
        column_of = {name: j for j, name in enumerate(stats)}
        per_draw = (per_draw_table(list(stats.values()), [windows[n] for n in stats])
                    if stats else {})
        bench_domain = {b: meta_of[b]["domain"] for b in names if b in meta_of}
        # Each domain's draws first (the same order of draws from rng), then every
        # interval at once, then the rows.
        pending: list[tuple[dict, tuple | None]] = []
        for d in domains_in_order(domains):
            members = sorted(b for b, dom in bench_domain.items() if dom == d.domain)
            # A superseded benchmark leaves the domain once its successor qualifies: the
            # map never averages two versions of one benchmark (both stay in --by benchmark).
            replaced = {b: successor[b] for b in members
                        if successor.get(b) in members and successor[b] in stats}
            members = [b for b in members if b not in replaced]
            if not members:
                continue
            qualifying = [b for b in members if b in stats]
            used = [b for b in qualifying if current[b]]
            stale = [b for b in qualifying if not current[b]]
            evidence = "current"
            if qualifying and not used:  # the last map, as of the domain's newest data
                newest = max(last_day[b] for b in qualifying)
                since = _months_before(newest, settings.recent_months)
                used = [b for b in qualifying if last_day[b] >= since]
                stale = [b for b in qualifying if b not in used]
                evidence = "stale"
            dated = [last_day[b] for b in (used or members) if b in last_day]
            row = dict(key=d.domain, domain=d.domain, label=d.label,
                       n_benchmarks=len(used), n_benchmarks_total=len(members),
                       n_open=len(set().union(*(members_of[b][0] for b in members))),
                       n_closed=len(set().union(*(members_of[b][1] for b in members))),
                       draws=settings.n_draws, benchmarks="; ".join(used),
                       data_through=from_day(max(dated)) if dated else None,
                       current_evidence=(evidence == "current" and bool(used)) or (
                           not qualifying and any(current.get(b, False) for b in members)))
            if used:
                parts = [stats[b] for b in used]
                row.update(leader_fields("closed", _most_common(
                    [p.closed_lead for p in parts], model_days)))
                row.update(leader_fields("open", _most_common(
                    [p.open_lead for p in parts], model_days)))
                row.update(closed_level=float(np.mean([p.closed_level for p in parts])),
                           open_level=float(np.mean([p.open_level for p in parts])),
                           se_sources=source_counts(np.concatenate(
                               [p.se_sources for p in parts])))
                pending.append((row, (d.domain, used, stale, evidence, members, replaced, parts,
                                      aggregate(parts, settings.n_draws, rng, per_draw,
                                                 np.array([column_of[b] for b in used])))))
            else:
                row["status"] = "too_few_models"
                row["note"] = "no benchmark has {} open and {} closed models: ".format(
                    settings.min_models, settings.min_models) + ", ".join(
                    f"{b} ({counts[b][0]} open/{counts[b][1]} closed)" for b in members)
                pending.append((row, None))
        domain_ivs = row_intervals({i: (*later[7][:3], *later[7][6][1:]) for i, (_, later)
                                    in enumerate(pending) if later is not None}, settings.ci,
                                   ROW_STATISTICS)
        for i, (row, later) in enumerate(pending):
            if later is not None:
                domain, used, stale, evidence, members, replaced, parts, agg = later
                gap, lag, lag_thr, cens, tl, tg, window = agg
                row.update(stat_fields(gap, lag, lag_thr, cens, window, domain_ivs[i]))
                draw_parts.append((domain, gap, lag))
                notes = []
                if evidence == "current":
                    row["status"] = status_of(row)
                else:
                    row["status"] = "no_current_evidence"
                    notes.append(stale_note(row["data_through"], settings,
                                             "no benchmark has a result of a model released "
                                             "in the {months} months to {as_of}")
                                 + ", from " + ", ".join(used))
                if stale:
                    before = row["data_through"] if evidence == "stale" else settings.as_of
                    notes.append(f"left out, no result in the {settings.recent_months} months "
                                 f"before {before}: " + stale_text(stale))
                skipped = [f"{b} ({counts[b][0]} open/{counts[b][1]} closed)"
                           for b in members if b not in stats]
                if skipped:
                    notes.append("too few models on: " + ", ".join(skipped))
                if replaced:
                    notes.append("left out, superseded: " + ", ".join(
                        f"{b} (by {n})" for b, n in sorted(replaced.items())))
                notes.append(domain_sign_note(row, used, bench_rows))
                row["note"] = "; ".join(n for n in notes if n)
                n_with_data = np.sum([~np.isnan(p.timeline_gap[0]) for p in parts], axis=0)
                add_timeline(domain, tl, tg, n_with_data)
            rows_out.append(row)

    table = rows_frame(rows_out, TABLE_COLUMNS, TEXT_COLUMNS)
    timeline = timeline_table()
    warnings = list(obs.warnings)
    total_failed = int(table[[c for c in table.columns if c.endswith("failed_draws")]]
                       .fillna(0).to_numpy().sum())
    if total_failed:
        per_column = {c.replace("_failed_draws", ""): int(table[c].fillna(0).sum())
                      for c in table.columns if c.endswith("_failed_draws")}
        detail = ", ".join(f"{k} {v}" for k, v in per_column.items() if v)
        warnings.append(
            f"{total_failed} bootstrap statistics could not be computed in their draw ({detail};"
            f" of {settings.n_draws} draws per row): the draw left a benchmark without an "
            "open or closed model (or a threshold) at that date; intervals use the remaining "
            "draws")
    widened = table.loc[table["ci_widened"].fillna("") != "", "key"].tolist()
    if widened:
        warnings.append(f"{len(widened)} rows have an interval widened to reach its estimate "
                        "(the bootstrap was lopsided; column ci_widened): " + ", ".join(widened))
    stale = table.loc[table["status"] == "no_current_evidence", "key"].tolist()
    if stale:
        warnings.append(f"no current evidence (no result in the {settings.recent_months} months "
                        f"to {settings.as_of}) for: " + ", ".join(stale)
                        + "; their rows keep their last map and are labelled as such")
    return GapResult(settings=settings, table=table, timeline=timeline,
                     warnings=tuple(warnings), unknown_models=obs.unknown_models,
                     draws=draws_frame(draw_parts),
                     per_benchmark=(rows_frame(list(bench_rows.values()), TABLE_COLUMNS, set())
                                    if settings.by == "domain" else pd.DataFrame()))



TEXT_COLUMNS = {"key", "data_through", "domain", "label", "test_set", "unit", "benchmarks",
                "closed_model", "closed_release_date", "open_model", "open_release_date",
                "status", "note", "se_sources", "ci_widened"}

TABLE_COLUMNS = [
    "key", "domain", "label", "test_set", "unit", "status", "data_through",
    "n_benchmarks", "n_benchmarks_total", "n_open", "n_closed",
    "closed_model", "closed_release_date", "closed_level",
    "open_model", "open_release_date", "open_level",
    "gap", "gap_ci_low", "gap_ci_high", "gap_failed_draws",
    "lag_months", "lag_months_ci_low", "lag_months_ci_high", "lag_months_failed_draws",
    "lag_threshold_months", "lag_threshold_months_ci_low", "lag_threshold_months_ci_high",
    "lag_threshold_months_failed_draws", "censored_share",
    "lag_window_start_months", "lag_change_months", "lag_change_ci_low", "lag_change_ci_high",
    "lag_change_failed_draws",
    "lag_window_mean_months", "lag_window_mean_ci_low", "lag_window_mean_ci_high",
    "draws", "benchmarks", "note",
    "current_evidence", "se_sources", "ci_widened",
]

TIMELINE_COLUMNS = ["key", "date", "lag_months", "lag_ci_low", "lag_ci_high", "gap",
                    "gap_ci_low", "gap_ci_high", "n_benchmarks", "ci_widened"]


def settings_dict(settings: GapSettings) -> dict:
    out = asdict(settings)
    out["as_of"] = settings.as_of.isoformat()
    out["open_definition"] = settings.open_definition.value
    out["thresholds"] = list(settings.thresholds)
    out["interval_methods"] = dict(INTERVAL_METHODS)
    out["standard_errors"] = ("reported stderr, else binomial from n_items, else default_se "
                              "(normalised units); per row in se_sources")
    return out
