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

A domain aggregates its qualifying benchmarks: the gap is their mean, the lags their
median (each benchmark counts once). Its leaders are the open and the closed model that
hold the frontier on most of its benchmarks, and its levels are the mean frontier levels.

Intervals: a seeded bootstrap. Each draw resamples models with replacement within each
group (a model is kept if drawn at least once) and, for a domain, resamples its benchmarks
with replacement; the statistic is recomputed and the interval is the central ``ci`` mass
of the draws. A draw in which a statistic cannot be computed (for example no open model
left on a benchmark) is *failed*: counted and reported, never silently dropped. The
bootstrap of a running maximum understates uncertainty at the very top of the frontier;
read the intervals as a lower bound on the uncertainty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Callable, Literal

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..models.frontier import GroupFrontier
from ..types import OpenDefinition
from .lag import horizontal_lag, threshold_lags
from .observations import Observations

DAYS_PER_MONTH = 365.2425 / 12
EPOCH = np.datetime64("1970-01-01", "D")
DEFAULT_THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.05, 0.951, 0.05))

Progress = Callable[[int, int], None]


def to_day(value) -> int:
    return int((np.datetime64(pd.Timestamp(value).date(), "D") - EPOCH).astype(int))


def from_day(day: float) -> dt.date | None:
    if day is None or not np.isfinite(day):
        return None
    return (EPOCH + np.timedelta64(int(round(day)), "D")).astype(object)


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


@dataclass(frozen=True)
class GapResult:
    """A gap table, its monthly lag timeline, and everything needed to read them."""

    settings: GapSettings
    table: pd.DataFrame
    timeline: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())
    unknown_models: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # analysis/coverage.py


@dataclass
class _BenchStats:
    """Per-draw statistics of one benchmark (draw 0 is the full data)."""

    gap: np.ndarray
    lag: np.ndarray
    lag_thr: np.ndarray
    censored_share: np.ndarray
    timeline_lag: np.ndarray  # (draws, months) on calendar months ending at T
    timeline_gap: np.ndarray
    window_lag: np.ndarray  # (draws, months) on months ending at the benchmark's own t_b
    open_lead: int  # global model index of the frontier holder at t_b (-1: none)
    closed_lead: int
    open_level: float  # frontier levels at t_b on the full data, points
    closed_level: float
    data_through: dt.date


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
    stamps = [pd.Timestamp(as_of) - pd.DateOffset(months=k) for k in range(months, -1, -1)]
    return np.array([to_day(s) for s in stamps])


def _benchmark_stats(rows: pd.DataFrame, include: np.ndarray, settings: GapSettings,
                     as_of_day: int, month_days: np.ndarray) -> _BenchStats:
    """Per-draw statistics of one benchmark.

    The benchmark is read at its own last observation, t_b = min(T, newest release date
    evaluated on it): after t_b nothing is known about its frontiers, so they are not
    extended flat (which would make the lag grow by a month every month). Timeline points
    after t_b are left empty.
    """
    is_open = (rows["group"] == "open").to_numpy()
    days = rows["day"].to_numpy()
    scores = rows["score"].to_numpy(dtype=float)
    gidx = rows["gidx"].to_numpy()
    t_b = int(min(as_of_day, days.max()))
    fo = GroupFrontier.build(days[is_open], scores[is_open], include[:, gidx[is_open]],
                             ids=gidx[is_open])
    fc = GroupFrontier.build(days[~is_open], scores[~is_open], include[:, gidx[~is_open]],
                             ids=gidx[~is_open])
    o, c = fo.level_at(t_b), fc.level_at(t_b)
    gap = _difference(c, o)
    lag = horizontal_lag(fo, fc, t_b, settings.tolerance) / DAYS_PER_MONTH
    thr = threshold_lags(fo, fc, np.array(settings.thresholds), t_b)
    lag_thr, censored = thr.summary()
    empty = np.full(include.shape[0], np.nan)
    timeline_lag = np.column_stack(
        [horizontal_lag(fo, fc, d, settings.tolerance) / DAYS_PER_MONTH if d <= t_b else empty
         for d in month_days]
    )
    timeline_gap = np.column_stack(
        [_difference(fc.level_at(d), fo.level_at(d)) if d <= t_b else empty for d in month_days]
    )
    window_days = month_days - month_days[-1] + t_b
    window_lag = np.column_stack(
        [horizontal_lag(fo, fc, d, settings.tolerance) / DAYS_PER_MONTH for d in window_days]
    )
    # leader_at indexes the arrays given to build(): map back to global model indices.
    lead_o = int(fo.leader_at(t_b)[0])
    lead_c = int(fc.leader_at(t_b)[0])
    lead_o = int(gidx[is_open][lead_o]) if lead_o >= 0 else -1
    lead_c = int(gidx[~is_open][lead_c]) if lead_c >= 0 else -1
    return _BenchStats(
        gap, lag, lag_thr / DAYS_PER_MONTH, censored, timeline_lag, timeline_gap, window_lag,
        open_lead=lead_o, closed_lead=lead_c,
        open_level=float(o[0]) * 100 if np.isfinite(o[0]) else np.nan,
        closed_level=float(c[0]) * 100 if np.isfinite(c[0]) else np.nan,
        data_through=from_day(t_b),
    )


def _difference(closed: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """closed - open in normalised points (0-100); NaN where a group has no model."""
    both = np.isfinite(closed) & np.isfinite(open_)
    out = np.full(closed.shape, np.nan)
    out[both] = (closed[both] - open_[both]) * 100.0
    return out


def _interval(values: np.ndarray, ci: float) -> tuple[float, float, int]:
    """(low, high, failed) over bootstrap draws 1.. of ``values`` (draw 0 is the estimate)."""
    if not np.isfinite(values[0]):
        return np.nan, np.nan, 0  # undefined on the full data: not a bootstrap failure
    draws = values[1:]
    ok = draws[~np.isnan(draws)]
    failed = int(len(draws) - len(ok))
    if len(ok) == 0:
        return np.nan, np.nan, failed
    tail = (1 - ci) / 2 * 100
    low, high = np.percentile(ok, [tail, 100 - tail])
    return float(low), float(high), failed


def _nanreduce(stack: np.ndarray, how: str) -> np.ndarray:
    """Mean or median over axis 1 ignoring NaN; NaN where a whole row is NaN."""
    out = np.full(stack.shape[0], np.nan)
    rows = (~np.isnan(stack)).any(axis=1)
    if rows.any():
        out[rows] = (np.nanmean if how == "mean" else np.nanmedian)(stack[rows], axis=1)
    return out


def _aggregate(stats: list[_BenchStats], n_draws: int, rng: np.random.Generator):
    """Domain-level per-draw statistics from its benchmarks' per-draw statistics."""
    k = len(stats)
    picks = np.vstack([np.arange(k)[None, :],
                       rng.integers(0, k, size=(n_draws, k))]) if n_draws else np.arange(k)[None]
    rows = np.arange(picks.shape[0])[:, None]

    def gather(name):
        return np.stack([getattr(s, name) for s in stats], axis=1)[rows, picks]

    gap = _nanreduce(gather("gap"), "mean")
    wl = np.stack([s.window_lag for s in stats], axis=1)[rows, picks]  # (draws, k, months)
    start = _nanreduce(wl[:, :, 0], "median")
    change = _nanreduce(wl[:, :, -1] - wl[:, :, 0], "median")
    per_bench_mean = np.stack([_nanreduce(wl[:, j, :], "mean") for j in range(k)], axis=1)
    window_mean = _nanreduce(per_bench_mean, "median")
    lag = _nanreduce(gather("lag"), "median")
    lag_thr = _nanreduce(gather("lag_thr"), "median")
    censored = _nanreduce(gather("censored_share"), "mean")
    tl = np.stack([s.timeline_lag for s in stats], axis=1)  # (draws, k, months)
    tg = np.stack([s.timeline_gap for s in stats], axis=1)
    tl = tl[rows, picks]
    tg = tg[rows, picks]
    timeline_lag = np.stack([_nanreduce(tl[:, :, m], "median") for m in range(tl.shape[2])], 1)
    timeline_gap = np.stack([_nanreduce(tg[:, :, m], "mean") for m in range(tg.shape[2])], 1)
    window = (start, change, window_mean)
    return gap, lag, lag_thr, censored, timeline_lag, timeline_gap, window


def _window_of(s: _BenchStats):
    """(start, change, mean) of one benchmark's lag over its own window."""
    wl = s.window_lag
    mean = _nanreduce(wl, "mean")
    return wl[:, 0], wl[:, -1] - wl[:, 0], mean


def _most_common(indices: list[int], days: dict[int, int]) -> int:
    valid = [i for i in indices if i >= 0]
    if not valid:
        return -1
    counts = pd.Series(valid).value_counts()
    top = counts[counts == counts.max()].index
    return int(max(top, key=lambda i: (days.get(i, 0), -i)))


def compute_gap(
    obs: Observations,
    settings: GapSettings,
    domains: pd.DataFrame,
    benchmarks: pd.DataFrame,
    progress: Progress | None = None,
) -> GapResult:
    """Gap and lag per domain (or benchmark) as of ``settings.as_of``.

    ``domains`` and ``benchmarks`` are the warehouse tables (for labels, order and units).
    """
    if obs.as_of != settings.as_of or obs.open_definition != settings.open_definition:
        raise ConfigError("observations were prepared for another date or open definition")
    frame = obs.frame.loc[obs.frame["group"].notna()].copy()
    frame["day"] = [to_day(d) for d in frame["release_date"]]
    models = frame.drop_duplicates("model_id").reset_index(drop=True)
    gidx_of = {m: i for i, m in enumerate(models["model_id"])}
    frame["gidx"] = frame["model_id"].map(gidx_of)
    model_groups = models["group"].to_numpy()
    model_names = models["display_name"].fillna(models["model_id"]).to_numpy()
    model_days = dict(zip(range(len(models)),
                          frame.groupby("gidx")["day"].min().reindex(range(len(models)))))
    include = _draw_models(model_groups, settings.n_draws, settings.seed)
    as_of_day = to_day(settings.as_of)
    month_days = _month_days(settings.as_of, settings.window_months)

    bench_meta = benchmarks.set_index("benchmark")
    stats: dict[str, _BenchStats] = {}
    counts: dict[str, tuple[int, int]] = {}
    names = sorted(set(obs.frame["benchmark"]))
    for done, name in enumerate(names, start=1):
        rows = frame.loc[frame["benchmark"] == name]
        n_open = int((rows["group"] == "open").sum())
        n_closed = int((rows["group"] == "closed").sum())
        counts[name] = (n_open, n_closed)
        if n_open >= settings.min_models and n_closed >= settings.min_models:
            stats[name] = _benchmark_stats(rows, include, settings, as_of_day, month_days)
        if progress:
            progress(done, len(names))

    def leader_fields(prefix: str, idx: int) -> dict:
        if idx < 0:
            return {f"{prefix}_model": None, f"{prefix}_release_date": None}
        return {f"{prefix}_model": model_names[idx],
                f"{prefix}_release_date": from_day(model_days[idx])}

    def stat_fields(gap, lag, lag_thr, censored, window) -> dict:
        out = {}
        for key, values in (("gap", gap), ("lag_months", lag), ("lag_threshold_months", lag_thr)):
            low, high, failed = _interval(values, settings.ci)
            out[key] = float(values[0]) if np.isfinite(values[0]) else np.nan
            out[f"{key}_ci_low"], out[f"{key}_ci_high"] = low, high
            out[f"{key}_failed_draws"] = failed
        out["censored_share"] = float(censored[0]) if np.isfinite(censored[0]) else np.nan
        start, change, window_mean = window
        out["lag_window_start_months"] = float(start[0]) if np.isfinite(start[0]) else np.nan
        low, high, failed = _interval(change, settings.ci)
        out["lag_change_months"] = float(change[0]) if np.isfinite(change[0]) else np.nan
        out["lag_change_ci_low"], out["lag_change_ci_high"] = low, high
        out["lag_change_failed_draws"] = failed
        low, high, _ = _interval(window_mean, settings.ci)
        out["lag_window_mean_months"] = float(window_mean[0]) if np.isfinite(window_mean[0]) else np.nan
        out["lag_window_mean_ci_low"], out["lag_window_mean_ci_high"] = low, high
        return out

    def status_of(values: dict) -> str:
        lag = values.get("lag_months")
        if lag is None or not np.isfinite(lag):
            return "no_lag"
        if lag < 0:
            return "open_ahead"
        if lag == 0:
            return "level"
        return "open_behind"

    rows_out: list[dict] = []
    timeline_rows: list[dict] = []
    month_dates = [from_day(d) for d in month_days]

    def add_timeline(key: str, tl: np.ndarray, tg: np.ndarray, n: np.ndarray) -> None:
        for m, date in enumerate(month_dates):
            lag_low, lag_high, _ = _interval(tl[:, m], settings.ci)
            gap_low, gap_high, _ = _interval(tg[:, m], settings.ci)
            timeline_rows.append(dict(
                key=key, date=date, lag_months=tl[0, m], lag_ci_low=lag_low, lag_ci_high=lag_high,
                gap=tg[0, m], gap_ci_low=gap_low, gap_ci_high=gap_high, n_benchmarks=int(n[m])))

    if settings.by == "benchmark":
        for name in names:
            meta = bench_meta.loc[name] if name in bench_meta.index else None
            n_open, n_closed = counts[name]
            row = dict(key=name, domain=meta["domain"] if meta is not None else None,
                       test_set=meta["test_set"] if meta is not None else None,
                       unit=meta["unit"] if meta is not None else None,
                       n_benchmarks=1, n_benchmarks_total=1, n_open=n_open, n_closed=n_closed,
                       draws=settings.n_draws)
            if name in stats:
                s = stats[name]
                row.update(leader_fields("closed", s.closed_lead))
                row.update(leader_fields("open", s.open_lead))
                row.update(closed_level=s.closed_level, open_level=s.open_level,
                           data_through=s.data_through)
                row.update(stat_fields(s.gap, s.lag, s.lag_thr, s.censored_share,
                                       _window_of(s)))
                row["status"] = status_of(row)
                row["note"] = ""
                add_timeline(name, s.timeline_lag, s.timeline_gap,
                             (~np.isnan(s.timeline_gap[0])).astype(int))
            else:
                row["status"] = "too_few_models"
                row["note"] = (f"{n_open} open and {n_closed} closed models by {settings.as_of};"
                               f" needs {settings.min_models} of each")
            rows_out.append(row)
    else:
        rng = np.random.default_rng(settings.seed + 1)
        bench_domain = {b: bench_meta.loc[b, "domain"] for b in names if b in bench_meta.index}
        for d in domains.sort_values(["ord", "domain"]).itertuples():
            members = sorted(b for b, dom in bench_domain.items() if dom == d.domain)
            if not members:
                continue
            used = [b for b in members if b in stats]
            dom_rows = frame.loc[frame["benchmark"].isin(members)]
            row = dict(key=d.domain, domain=d.domain, label=d.label,
                       n_benchmarks=len(used), n_benchmarks_total=len(members),
                       n_open=int(dom_rows.loc[dom_rows["group"] == "open", "model_id"].nunique()),
                       n_closed=int(dom_rows.loc[dom_rows["group"] == "closed", "model_id"].nunique()),
                       draws=settings.n_draws, benchmarks="; ".join(used))
            if used:
                parts = [stats[b] for b in used]
                row.update(leader_fields("closed", _most_common(
                    [p.closed_lead for p in parts], model_days)))
                row.update(leader_fields("open", _most_common(
                    [p.open_lead for p in parts], model_days)))
                row.update(closed_level=float(np.mean([p.closed_level for p in parts])),
                           open_level=float(np.mean([p.open_level for p in parts])),
                           data_through=max(p.data_through for p in parts))
                gap, lag, lag_thr, cens, tl, tg, window = _aggregate(parts, settings.n_draws, rng)
                row.update(stat_fields(gap, lag, lag_thr, cens, window))
                row["status"] = status_of(row)
                skipped = [f"{b} ({counts[b][0]} open/{counts[b][1]} closed)"
                           for b in members if b not in stats]
                row["note"] = ("too few models on: " + ", ".join(skipped)) if skipped else ""
                n_with_data = np.sum([~np.isnan(p.timeline_gap[0]) for p in parts], axis=0)
                add_timeline(d.domain, tl, tg, n_with_data)
            else:
                row["status"] = "too_few_models"
                row["note"] = "no benchmark has {} open and {} closed models: ".format(
                    settings.min_models, settings.min_models) + ", ".join(
                    f"{b} ({counts[b][0]} open/{counts[b][1]} closed)" for b in members)
            rows_out.append(row)

    table = pd.DataFrame(rows_out)
    for column in TABLE_COLUMNS:
        if column not in table:
            table[column] = np.nan if column not in TEXT_COLUMNS else None
    table = table[TABLE_COLUMNS]
    timeline = pd.DataFrame(timeline_rows, columns=TIMELINE_COLUMNS)
    warnings = list(obs.warnings)
    total_failed = int(table[[c for c in table.columns if c.endswith("failed_draws")]]
                       .fillna(0).to_numpy().sum())
    if total_failed:
        per_column = {c.replace("_failed_draws", ""): int(table[c].fillna(0).sum())
                      for c in table.columns if c.endswith("_failed_draws")}
        detail = ", ".join(f"{k} {v}" for k, v in per_column.items() if v)
        warnings.append(
            f"{total_failed} bootstrap statistics could not be computed in their draw ({detail};"
            f" of {settings.n_draws} draws per row): the resample left a benchmark without an "
            "open or closed model at that date; intervals use the remaining draws")
    return GapResult(settings=settings, table=table, timeline=timeline,
                     warnings=tuple(warnings), unknown_models=obs.unknown_models)


TEXT_COLUMNS = {"key", "data_through", "domain", "label", "test_set", "unit", "benchmarks", "closed_model",
                "closed_release_date", "open_model", "open_release_date", "status", "note"}

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
]

TIMELINE_COLUMNS = ["key", "date", "lag_months", "lag_ci_low", "lag_ci_high", "gap",
                    "gap_ci_low", "gap_ci_high", "n_benchmarks"]


def settings_dict(settings: GapSettings) -> dict:
    out = asdict(settings)
    out["as_of"] = settings.as_of.isoformat()
    out["open_definition"] = settings.open_definition.value
    out["thresholds"] = list(settings.thresholds)
    return out
