"""Forecast the open and closed frontiers of the capability index, and back-test it.

**Trend.** For group g (open or closed) of one scope (the general index or a projected
domain index; see :class:`gaplens.analysis.index_gap.Scope`) and cut-off T, the
*frontier points* are the models released by T that raised the group's running best
index when they came out (a model beats every earlier model of its group and is the best
of its release day). Those released in the trailing window (T - w, T] (default w = 24
months) enter a straight line in time on the index scale, x = (t - T) in months:

    I = a + b x          (b: frontier index points per month; reported per year)

b is the least-squares slope through the frontier points. The level a is set so that
the line passes through the *realised* frontier (the running best, a step function)
sampled monthly over the window on average:

    a = mean_k [ frontier(T - k months) - b x_k ],  k = 0 .. w

Why this split. Frontier points are distinct release events, so least squares on them
counts real information (ten points are ten points, not 24 repeated monthly values, and
residuals are closer to independent). But the line through the points runs above the
step function between releases (a record sits on the line only on its release day),
so a line with the points' own intercept over-predicts the frontier by about
b x (mean time since the last record), and reaches a closed *frontier level* too early.
Calibrating a on the step function removes that bias and makes the line and the
quantity it predicts (the best model released by a date) the same kind of thing. The
simple alternative, least squares on the running frontier sampled monthly, gives a
similar slope but treats repeated values of one plateau as independent observations
(too narrow a bootstrap, and a slope driven by how long plateaus last); it is not used.
The index is roughly linear in time (Epoch's ECI), so the line is on the index scale.

**Uncertainty.** Every bootstrap draw of the index (rows 1.. of ``Scope.levels``) has its
own frontier points and its own line; on top, the frontier points are resampled by a
residual bootstrap (residuals of the draw's own fit, inflated by sqrt(n / (n - 2)),
added to the fitted values and refitted). The spread of (a, b) over draws is the trend's
interval. A *projected frontier* at T + h adds the frontier's own scatter around its
trend (one monthly step residual of the window, drawn at random per draw) and cannot fall
below today's frontier:

    F(T + h) = max( frontier(T), a + b h + s )

Its interval is a prediction interval for the realised frontier (what the back-test
checks). Intervals are the (1 - ci)/2 and (1 + ci)/2 quantiles over draws; draws where a
group has fewer than ``min_points`` frontier points are counted as failed, not dropped
silently. With fewer than ``min_points`` points in the central fit a group's status is
"insufficient data" and no trend is reported.

**Catch-up.** L = today's closed frontier (per draw). The open line reaches it after

    catch_up = 0 if open frontier(T) >= L,  (L - a_open) / b_open (at least 0) if b_open > 0,
               never otherwise

months. The open and closed lines meet after (a_closed - a_open) / (b_open - b_closed)
months when b_open > b_closed (0 if the open line is already level or ahead, never
otherwise). The verdict reads the interval of b_open - b_closed: "converging" (above 0),
"diverging" (below 0), "parallel" (covers 0: not distinguishable on current data);
the share of draws in which the lines meet within ``meet_horizon_months`` (5 years)
goes with it. "Never" is ``inf`` in the frames (null in JSON).

**Back-test.** At each earlier cut-off (every 3 months from 2024-01-01 while the horizon
is still inside the data), the same fit uses only models released by that cut-off and
predicts the open and closed frontiers 6 and 12 months ahead and the catch-up time; these
are compared with what the data show (the central index's frontiers; catch-up not yet
seen by the data date is censored). Reported: mean absolute error, bias (predicted -
realised), coverage of the 90 % intervals, and the error of a naive forecast (frontier
unchanged; catch-up = today's horizontal lag) as the bar to beat. Limitation: the index
itself was fitted on all data, including models and results after each cut-off
(difficulties and slopes of benchmarks, and old models run on new benchmarks). A refit per
cut-off is not offered: the display anchors (Claude 3.5 Sonnet, 2024-06; GPT-5, 2025-08)
do not exist before most cut-offs, and another anchor pair puts the forecast on a scale
that cannot be compared with the realised one. The back-test therefore measures the trend
method, not the index's own drift.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .gap import DAYS_PER_MONTH, from_day, to_day
from .index_gap import Scope, days_of, index_scopes  # noqa: F401 (re-exported)

GROUPS = ("open", "closed")
NEVER = np.inf


class Verdict(str, Enum):
    """How the open and closed trend lines move relative to each other."""

    CONVERGING = "converging"
    PARALLEL = "parallel"  # the slope difference's interval covers 0
    DIVERGING = "diverging"
    OPEN_AHEAD = "open ahead"  # the open line is already level with or above the closed one
    INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class ForecastSettings:
    as_of: dt.date
    window_months: int = 24
    horizons: tuple[int, ...] = (6, 12, 24)
    ci: float = 0.90
    min_points: int = 3
    meet_horizon_months: int = 60
    backtest_start: dt.date = dt.date(2024, 1, 1)
    backtest_step_months: int = 3
    backtest_horizons: tuple[int, ...] = (6, 12)
    resamples: int = 500  # draws when a scope has no bootstrap rows of its own
    seed: int = 0
    open_definition: str = "open-weights"

    def __post_init__(self) -> None:
        if self.window_months < 2:
            raise ConfigError("--window must be at least 2 months")
        if not 0 < self.ci < 1:
            raise ConfigError("the interval level must lie strictly between 0 and 1")
        if self.min_points < 3:
            raise ConfigError("a trend needs at least 3 frontier points (min_points >= 3)")
        if any(h < 1 for h in (*self.horizons, *self.backtest_horizons)):
            raise ConfigError("forecast horizons must be at least one month")
        if self.backtest_step_months < 1:
            raise ConfigError("the back-test step must be at least one month")

    def to_dict(self) -> dict:
        return {"as_of": self.as_of, "window_months": self.window_months,
                "horizons": list(self.horizons), "ci": self.ci, "min_points": self.min_points,
                "meet_horizon_months": self.meet_horizon_months,
                "backtest_start": self.backtest_start,
                "backtest_step_months": self.backtest_step_months,
                "backtest_horizons": list(self.backtest_horizons), "seed": self.seed,
                "open_definition": self.open_definition}


@dataclass(frozen=True)
class ForecastResult:
    """Trends, projections, catch-up and the back-test (tidy frames, one row per item).

    ``trends``: scope, mode, group, status, n_models, n_points, slope_per_year with
    interval, level at the cut-off, and level_<h>m with its prediction interval.
    ``projections``: the same monthly, with the trend line's own interval as well.
    ``catch_up``: one row per scope (months from the cut-off; inf = never).
    ``backtest``: one row per scope, cut-off and predicted quantity; ``backtest_summary``
    aggregates it per scope, quantity and horizon.
    """

    settings: ForecastSettings
    trends: pd.DataFrame
    projections: pd.DataFrame
    catch_up: pd.DataFrame
    backtest: pd.DataFrame
    backtest_summary: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class TrendFit:
    """One group's frontier trend at one cut-off; arrays have one entry per row
    (row 0 central and unperturbed, rows 1.. the draws with resampled points)."""

    status: str  # "ok" or why not
    n_models: int
    n_points: int  # central frontier points in the window
    ok: np.ndarray  # (R,) bool: the row has a trend
    slope: np.ndarray  # (R,) index points per month
    level: np.ndarray  # (R,) the trend line at the cut-off (a)
    frontier: np.ndarray  # (R,) realised frontier at the cut-off (-inf: no model yet)
    scatter: np.ndarray  # (R,) one step residual per draw (0 in row 0)
    resid_sd: float  # central residual SD of the frontier points around their line

    @property
    def valid(self) -> bool:
        return self.status == "ok"

    def trend(self, months: float) -> np.ndarray:
        return self.level + self.slope * months

    def project(self, months: float) -> np.ndarray:
        """The projected realised frontier at cut-off + months, per row."""
        with np.errstate(invalid="ignore"):
            return np.maximum(self.frontier, self.trend(months) + self.scatter)


# --- the numerical core --------------------------------------------------------------------

def _ols(x: np.ndarray, y: np.ndarray, w: np.ndarray, sums: tuple | None = None,
         zeroed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Weighted (0/1) least squares of y on (1, x) per row: (intercept at x = 0, slope).
    ``sums``: :func:`_weight_sums` of ``x`` and ``w``, when already made; ``zeroed``: y
    is already 0 where w is not."""
    sw, sx, sxx = sums if sums is not None else _weight_sums(x, w)
    yw = y if zeroed else np.where(w, y, 0.0)
    sy = yw.sum(axis=1)
    sxy = yw @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        den = sw * sxx - sx * sx
        b = np.where(den > 1e-12 * np.maximum(sw * sxx, 1e-300), (sw * sxy - sx * sy) / den,
                     np.nan)
        a = (sy - b * sx) / sw
    return a, b


def _weight_sums(x: np.ndarray, w: np.ndarray, n: np.ndarray | None = None
                 ) -> tuple[np.ndarray, ...]:
    """The sums of :func:`_ols` that do not depend on y: per row, of w, w x and w x^2
    (``n``: w's count per row, when made: the sum of w's ones, exactly)."""
    wf = w.astype(float)
    return (wf.sum(axis=1) if n is None else n.astype(float)), wf @ x, wf @ (x * x)


def _pick(mask: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Per row, ``size`` column indices drawn uniformly (with replacement) among ``mask``
    (column 0 for a row without any)."""
    count = mask.sum(axis=1)
    pick = (rng.random((mask.shape[0], size)) * np.maximum(count, 1)[:, None]).astype(int)
    columns = np.nonzero(mask)[1]  # each row's masked columns in order, row after row
    if len(columns) == 0:
        return np.zeros_like(pick)
    at = (np.cumsum(count) - count)[:, None] + pick  # pick < count where count > 0
    return np.where(count[:, None] > 0, columns[np.minimum(at, len(columns) - 1)], 0)


def _resampled_residuals(w: np.ndarray, n: np.ndarray, levels: np.ndarray,
                         a_pts: np.ndarray, b: np.ndarray, x: np.ndarray,
                         inflate: np.ndarray, rng: np.random.Generator
                         ) -> tuple[np.ndarray, np.ndarray]:
    """(e*, the central row's residuals): per row, the frontier points' residuals around
    the row's line, resampled with replacement over the row's points (``_pick(w, rng,
    columns)``'s draws) and inflated, at the points (0 elsewhere). Only the points are
    computed: ``np.nonzero(w)`` lists them row after row, so a row's k-th pick is its
    points' entry at the row's offset + k."""
    u = rng.random(w.shape)  # the draws of _pick, in full: the stream goes on after them
    rows, cols = np.nonzero(w)
    with np.errstate(invalid="ignore"):
        resid = levels[rows, cols] - (a_pts[rows] + b[rows] * x[cols])
    e_star = np.zeros(w.shape)
    if not len(rows):
        return e_star, resid
    pick = (u[rows, cols] * np.maximum(n, 1)[rows]).astype(int)
    at = np.minimum((np.cumsum(n) - n)[rows] + pick, len(cols) - 1)
    found = resid[at]
    other = rows[at] != rows  # past the last point (never in practice): read as _pick does
    if other.any():
        r, c = rows[other], cols[at[other]]
        with np.errstate(invalid="ignore"):
            found[other] = np.where(w[r, c], levels[r, c] - (a_pts[r] + b[r] * x[c]), 0.0)
    e_star[rows, cols] = found * inflate[rows]
    return e_star, resid[rows == 0]


def frontier_points(days: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(running best, record mask) per row for models sorted by day.

    A model is a frontier point when it is strictly above every model of earlier days and
    the best of its own day (the first one on a tie).
    """
    y = np.where(np.isfinite(levels), levels, -np.inf)
    run = np.maximum.accumulate(y, axis=1) if y.shape[1] else y
    first = np.searchsorted(days, days, side="left")
    last = np.searchsorted(days, days, side="right") - 1
    prev = np.where(first > 0, run[:, np.maximum(first - 1, 0)], -np.inf)
    rec = np.isfinite(y) & (y > prev) & (y >= run[:, last])
    for j in np.flatnonzero(first < np.arange(len(days))):  # same-day ties: keep the first
        rec[:, j] &= ~rec[:, first[j]:j].any(axis=1)
    return run, rec


def fit_trend(days: np.ndarray, levels: np.ndarray, cutoff: int, settings: ForecastSettings,
              rng: np.random.Generator) -> TrendFit:
    """The frontier trend of one group from its models' days (M,) and levels (R, M)."""
    keep = np.asarray(days) <= cutoff
    days = np.asarray(days, dtype=np.int64)[keep]
    levels = np.asarray(levels, dtype=float)[:, keep]
    order = np.argsort(days, kind="stable")
    return _fit_sorted(days[order], levels[:, order], cutoff, settings, rng)


def _by_day(scope: Scope) -> dict[str, tuple]:
    """Per group, its models' days and levels sorted by day (ties in scope order): the
    models released by any cut-off are then a leading slice, as :func:`fit_trend` keeps
    and orders them. With them the :func:`frontier_points` of all of them: those of a
    leading slice are its slice (a running best and a record read only earlier days and
    the whole of their own day), so they are made once for every cut-off ((None, None)
    without index draws, where :func:`_fit_sorted` repeats the levels first)."""
    out = {}
    for g in GROUPS:
        mask = scope.groups == g
        days = np.asarray(scope.days, dtype=np.int64)[mask]
        order = np.argsort(days, kind="stable")
        days, levels = days[order], np.asarray(scope.levels, dtype=float)[:, mask][:, order]
        points = frontier_points(days, levels) if levels.shape[0] > 1 else (None, None)
        out[g] = days, levels, points
    return out


def _fit_sorted(days: np.ndarray, levels: np.ndarray, cutoff: int,
                settings: ForecastSettings, rng: np.random.Generator,
                points: tuple[np.ndarray, np.ndarray] | None = None) -> TrendFit:
    """:func:`fit_trend` of models sorted by day, all released by ``cutoff``; ``points``:
    their :func:`frontier_points`, when already made."""
    if levels.shape[0] == 1:  # no index draws: only the frontier points are resampled
        levels = np.repeat(levels, 1 + settings.resamples, axis=0)
        points = None
    rows = levels.shape[0]
    nan = np.full(rows, np.nan)
    x = (days - cutoff) / DAYS_PER_MONTH
    run, rec = points if points is not None else frontier_points(days, levels)
    w = rec & (x > -settings.window_months)[None, :]
    n = w.sum(axis=1)
    frontier = run[:, -1] if len(days) else np.full(rows, -np.inf)
    sums = _weight_sums(x, w, n)
    a_pts, b = _ols(x, levels, w, sums)
    ok = (n >= settings.min_points) & np.isfinite(b)
    if not ok[0]:
        status = (f"insufficient data: {int(n[0])} frontier point(s) in the "
                  f"{settings.window_months}-month window (need {settings.min_points})")
        if n[0] >= settings.min_points:
            status = "insufficient data: the frontier points share one release date"
        return TrendFit(status, len(days), int(n[0]), np.zeros(rows, bool), nan, nan.copy(),
                        frontier, np.zeros(rows), np.nan)
    # The level: the line through the realised frontier sampled monthly over the window.
    grid = np.arange(-settings.window_months, 1, dtype=float)
    at = np.searchsorted(days, cutoff + grid * DAYS_PER_MONTH, side="right") - 1
    step = np.where(at >= 0, run[:, np.maximum(at, 0)], -np.inf)
    step = np.where(np.isfinite(step), step, np.nan)
    with np.errstate(invalid="ignore"):
        line = b[:, None] * grid[None, :]
        seen = np.isfinite(step)
        a = np.where(seen, step - line, 0.0).sum(axis=1) / seen.sum(axis=1)
        step_resid = step - (a[:, None] + line)
    # Residual bootstrap of the frontier points, in every draw (row 0 stays central).
    inflate = np.sqrt(n / np.maximum(n - 2, 1))
    e_star, central_resid = _resampled_residuals(w, n, levels, a_pts, b, x, inflate, rng)
    da, db = _ols(x, e_star, w, sums, zeroed=True)
    da[0] = db[0] = 0.0
    scatter = np.take_along_axis(np.nan_to_num(step_resid, nan=0.0),
                                 _pick(np.isfinite(step_resid), rng, 1), axis=1)[:, 0]
    scatter[0] = 0.0
    ok = ok & np.isfinite(a)
    slope = np.where(ok, b + db, np.nan)
    level = np.where(ok, a + da, np.nan)
    resid_sd = float(np.sqrt((central_resid ** 2).sum() / max(n[0] - 2, 1)))
    return TrendFit("ok", len(days), int(n[0]), ok, slope, level, frontier, scatter, resid_sd)


def catch_up_months(fo: TrendFit, fc: TrendFit) -> np.ndarray:
    """Months until the open line reaches today's closed frontier, per row (inf: never)."""
    target = fc.frontier
    with np.errstate(invalid="ignore", divide="ignore"):
        months = np.where(fo.slope > 0, np.maximum((target - fo.level) / fo.slope, 0.0), NEVER)
        months = np.where(fo.frontier >= target, 0.0, months)
    return np.where(fo.ok & fc.ok, months, np.nan)


def meet_months(fo: TrendFit, fc: TrendFit) -> np.ndarray:
    """Months until the open line meets the closed line, per row (inf: never)."""
    gap = fc.level - fo.level
    closing = fo.slope - fc.slope
    with np.errstate(invalid="ignore", divide="ignore"):
        months = np.where(closing > 0, gap / closing, NEVER)
        months = np.where(gap <= 0, 0.0, months)
    return np.where(fo.ok & fc.ok, months, np.nan)


def interval(values: np.ndarray, ci: float) -> tuple[float, float]:
    """Quantile interval of the finite-or-inf values (linear, an inf neighbour gives inf)."""
    v = np.sort(values[~np.isnan(values)])
    if len(v) < 2:
        return np.nan, np.nan
    out = []
    for q in ((1 - ci) / 2, (1 + ci) / 2):
        p = q * (len(v) - 1)
        lo, hi = v[int(np.floor(p))], v[int(np.ceil(p))]
        out.append(float(hi) if not np.isfinite(hi) or not np.isfinite(lo)
                   else float(lo + (hi - lo) * (p - np.floor(p))))
    return out[0], out[1]


def _column_intervals(values: np.ndarray, ci: float) -> list[tuple[float, float]]:
    """:func:`interval` of each column of ``values``, the same numbers: the columns
    without NaN are sorted at once and read with the same arithmetic, the others one by
    one."""
    out: list = [None] * values.shape[1]
    whole = ~np.isnan(values).any(axis=0)
    if len(values) < 2:
        whole[:] = False
    for j in np.flatnonzero(~whole):
        out[j] = interval(values[:, j], ci)
    if whole.any():
        v = np.sort(values[:, whole], axis=0)
        ends = []
        for q in ((1 - ci) / 2, (1 + ci) / 2):
            p = q * (len(v) - 1)
            lo, hi = v[int(np.floor(p))], v[int(np.ceil(p))]
            with np.errstate(invalid="ignore"):
                inner = lo + (hi - lo) * (p - np.floor(p))
            ends.append(np.where(np.isfinite(hi) & np.isfinite(lo), inner, hi).tolist())
        for j, lo_j, hi_j in zip(np.flatnonzero(whole), *ends):
            out[j] = (lo_j, hi_j)
    return out


# --- one scope at one cut-off --------------------------------------------------------------

def _rng(settings: ForecastSettings, scope: str, group: str, cutoff: int) -> np.random.Generator:
    return np.random.default_rng([settings.seed, zlib.crc32(scope.encode()),
                                  GROUPS.index(group), cutoff + 10 ** 7])


def fit_scope(scope: Scope, cutoff: int, settings: ForecastSettings,
              by_day: dict | None = None) -> dict[str, TrendFit]:
    """The open and closed trends of one scope at one cut-off (day); ``by_day``: the
    scope's :func:`_by_day` (computed once for many cut-offs)."""
    by_day = by_day if by_day is not None else _by_day(scope)
    fits = {}
    for g in GROUPS:
        days, levels, (run, rec) = by_day[g]
        m = int(np.searchsorted(days, cutoff, side="right"))
        fits[g] = _fit_sorted(days[:m], levels[:, :m], cutoff, settings,
                              _rng(settings, scope.name, g, cutoff),
                              (run[:, :m], rec[:, :m]) if run is not None else None)
    return fits


def _value(x: float) -> float:
    return float(x) if np.isfinite(x) else (np.inf if x == np.inf else np.nan)


def _share(values: np.ndarray, horizon: float) -> float:
    v = values[1:][~np.isnan(values[1:])]
    return float((v <= horizon).mean()) if len(v) else np.nan


def _trend_row(scope: Scope, group: str, fit: TrendFit, cutoff: int,
               settings: ForecastSettings) -> dict:
    row = {"scope": scope.name, "mode": scope.mode, "group": group, "status": fit.status,
           "n_models": fit.n_models, "n_points": fit.n_points,
           "window_start": from_day(cutoff - settings.window_months * DAYS_PER_MONTH),
           "failed_draws": int((~fit.ok[1:]).sum()) if fit.valid else np.nan}
    row["frontier_at_cutoff"] = float(fit.frontier[0]) if np.isfinite(fit.frontier[0]) else np.nan
    for name in ("slope_per_year", "trend_at_cutoff"):
        values = fit.slope * 12 if name == "slope_per_year" else fit.level
        row[name] = float(values[0])
        row[f"{name}_ci_low"], row[f"{name}_ci_high"] = interval(values[1:][fit.ok[1:]],
                                                                 settings.ci)
    row["resid_sd"] = fit.resid_sd
    for h in settings.horizons:
        values = fit.project(h)
        row[f"level_{h}m"] = float(values[0]) if fit.valid else np.nan
        row[f"level_{h}m_ci_low"], row[f"level_{h}m_ci_high"] = interval(
            values[1:][fit.ok[1:]], settings.ci)
    return row


def _projection_rows(scope: Scope, group: str, fit: TrendFit, cutoff: int,
                     settings: ForecastSettings) -> list[dict]:
    if not fit.valid:
        return []
    rows = []
    months = np.arange(0, max(settings.horizons) + 1)
    # TrendFit.trend and .project of every month at once (one column each)
    trend = fit.level[:, None] + fit.slope[:, None] * months[None, :]
    with np.errstate(invalid="ignore"):
        frontier = np.maximum(fit.frontier[:, None], trend + fit.scatter[:, None])
    t_iv = _column_intervals(trend[1:][fit.ok[1:]], settings.ci)
    f_iv = _column_intervals(frontier[1:][fit.ok[1:]], settings.ci)
    for h in months.tolist():
        (t_lo, t_hi), (f_lo, f_hi) = t_iv[h], f_iv[h]
        rows.append({"scope": scope.name, "group": group, "months_ahead": h,
                     "date": from_day(cutoff + h * DAYS_PER_MONTH),
                     "trend": float(trend[0, h]), "trend_ci_low": t_lo, "trend_ci_high": t_hi,
                     "frontier": float(frontier[0, h]), "frontier_ci_low": f_lo,
                     "frontier_ci_high": f_hi})
    return rows


def _months_text(value: float) -> str:
    return "never" if value == np.inf else f"{value:.1f}"


def _catch_up_row(scope: Scope, fits: dict[str, TrendFit], cutoff: int,
                  settings: ForecastSettings) -> dict:
    fo, fc = fits["open"], fits["closed"]
    row = {"scope": scope.name, "mode": scope.mode}
    row["closed_frontier"] = float(fc.frontier[0]) if np.isfinite(fc.frontier[0]) else np.nan
    row["open_frontier"] = float(fo.frontier[0]) if np.isfinite(fo.frontier[0]) else np.nan
    row["gap"] = row["closed_frontier"] - row["open_frontier"]
    if not (fo.valid and fc.valid):
        why = "; ".join(f"{g}: {f.status}" for g, f in fits.items() if not f.valid)
        row.update({"verdict": Verdict.INSUFFICIENT.value, "summary": why})
        return row
    horizon = settings.meet_horizon_months
    catch, meet = catch_up_months(fo, fc), meet_months(fo, fc)
    diff = (fo.slope - fc.slope) * 12
    both = fo.ok & fc.ok
    row["catch_up_months"] = _value(catch[0])
    row["catch_up_ci_low"], row["catch_up_ci_high"] = interval(catch[1:], settings.ci)
    row["catch_up_date"] = (from_day(cutoff + catch[0] * DAYS_PER_MONTH)
                            if np.isfinite(catch[0]) else None)
    row["catch_up_share_within"] = _share(catch, horizon)
    row["slope_difference_per_year"] = float(diff[0])
    d_lo, d_hi = interval(diff[1:][both[1:]], settings.ci)
    row["slope_difference_ci_low"], row["slope_difference_ci_high"] = d_lo, d_hi
    row["trend_gap_at_cutoff"] = float(fc.level[0] - fo.level[0])
    row["meet_months"] = _value(meet[0])
    row["meet_ci_low"], row["meet_ci_high"] = interval(meet[1:], settings.ci)
    row["meet_share_within"] = _share(meet, horizon)
    if row["trend_gap_at_cutoff"] <= 0:
        verdict = Verdict.OPEN_AHEAD
    elif d_lo > 0:
        verdict = Verdict.CONVERGING
    elif d_hi < 0:
        verdict = Verdict.DIVERGING
    else:
        verdict = Verdict.PARALLEL
    row["verdict"] = verdict.value
    pct = int(round(100 * settings.ci))
    text = (f"open reaches today's closed frontier ({row['closed_frontier']:.1f}) in "
            f"{_months_text(row['catch_up_months'])} months ({pct} %: "
            f"{_months_text(row['catch_up_ci_low'])} to {_months_text(row['catch_up_ci_high'])})")
    share = f"within {horizon} months in {100 * row['meet_share_within']:.0f} % of draws"
    if meet[0] <= horizon:
        text += (f"; the trends meet in {_months_text(row['meet_months'])} months ({pct} %: "
                 f"{_months_text(row['meet_ci_low'])} to {_months_text(row['meet_ci_high'])}; "
                 f"{share})")
    else:
        text += f"; the trends do not meet on current trends ({share})"

    row["summary"] = f"{verdict.value}: {text}"
    return row


# --- the back-test -------------------------------------------------------------------------

def backtest_cutoffs(settings: ForecastSettings) -> list[dt.date]:
    """Cut-offs every ``backtest_step_months`` while the shortest horizon is in the data."""
    out, k = [], 0
    end = to_day(settings.as_of) - min(settings.backtest_horizons) * DAYS_PER_MONTH
    while True:
        cut = (pd.Timestamp(settings.backtest_start)
               + pd.DateOffset(months=k * settings.backtest_step_months)).date()
        if to_day(cut) > end:
            return out
        out.append(cut)
        k += 1


def _realised(days: np.ndarray, central: np.ndarray, day: float) -> float:
    before = central[days <= day]
    return float(before.max()) if len(before) else np.nan


def _horizontal_lag(o_days, o_lv, c_days, c_lv, day: int) -> float:
    """Today's plain horizontal lag in months (the naive catch-up forecast)."""
    o, c = _realised(o_days, o_lv, day), _realised(c_days, c_lv, day)
    if not (np.isfinite(o) and np.isfinite(c)):
        return np.nan
    if o >= c:
        return 0.0
    reached = c_days[(c_lv >= o) & (c_days <= day)]
    return float((day - reached.min()) / DAYS_PER_MONTH)


def backtest_scope(scope: Scope, settings: ForecastSettings,
                   cutoffs: Iterable[dt.date], by_day: dict | None = None) -> list[dict]:
    """The back-test rows of one scope; ``by_day``: its :func:`_by_day`, when made."""
    end = to_day(settings.as_of)
    central = scope.levels[0]
    sel = {g: scope.groups == g for g in GROUPS}
    by_day = by_day if by_day is not None else _by_day(scope)
    rows = []
    for cut in cutoffs:
        t = to_day(cut)
        fits = fit_scope(scope, t, settings, by_day)
        base = {"scope": scope.name, "cutoff": cut}
        for g, fit in fits.items():
            days, lv = scope.days[sel[g]], central[sel[g]]
            for h in settings.backtest_horizons:
                target = t + h * DAYS_PER_MONTH
                if target > end:
                    continue
                pred = fit.project(h)
                lo, hi = interval(pred[1:][fit.ok[1:]], settings.ci)
                real = _realised(days, lv, target)
                persist = _realised(days, lv, t)
                rows.append({**base, "quantity": f"{g}_frontier", "horizon_months": h,
                             "status": fit.status, "predicted": float(pred[0]),
                             "ci_low": lo, "ci_high": hi, "realised": real, "censored": False,
                             "naive": persist})
        fo, fc = fits["open"], fits["closed"]
        o_days, o_lv = scope.days[sel["open"]], central[sel["open"]]
        c_days, c_lv = scope.days[sel["closed"]], central[sel["closed"]]
        target = _realised(c_days, c_lv, t)
        now = _realised(o_days, o_lv, t)
        later = o_days[(o_lv >= target) & (o_days > t) & (o_days <= end)]
        if not np.isfinite(target):  # no closed model yet: nothing to catch up with
            real, censored = np.nan, False
        elif now >= target:
            real, censored = 0.0, False
        elif len(later):
            real, censored = float((later.min() - t) / DAYS_PER_MONTH), False
        else:  # not seen by the data date: at least this long
            real, censored = float((end - t) / DAYS_PER_MONTH), True
        row = {**base, "quantity": "catch_up_months", "horizon_months": np.nan,
               "status": "ok" if fo.valid and fc.valid else
               "; ".join(f"{g}: {f.status}" for g, f in fits.items() if not f.valid),
               "realised": real, "censored": censored,
               "naive": _horizontal_lag(o_days, o_lv, c_days, c_lv, t)}
        if fo.valid and fc.valid:
            catch = catch_up_months(fo, fc)
            lo, hi = interval(catch[1:], settings.ci)
            row.update(predicted=_value(catch[0]), ci_low=lo, ci_high=hi)
        else:
            row.update(predicted=np.nan, ci_low=np.nan, ci_high=np.nan)
        rows.append(row)
    return rows


def _finish_backtest(rows: list[dict]) -> pd.DataFrame:
    columns = ["scope", "cutoff", "quantity", "horizon_months", "status", "predicted", "ci_low",
               "ci_high", "realised", "censored", "error", "covered", "naive", "naive_error"]
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=columns)
    usable = np.isfinite(table["predicted"]) & np.isfinite(table["realised"]) & ~table["censored"]
    table["error"] = np.where(usable, table["predicted"] - table["realised"], np.nan)
    table["naive_error"] = np.where(usable, table["naive"] - table["realised"], np.nan)
    covered = (table["ci_low"] <= table["realised"]) & (table["realised"] <= table["ci_high"])
    table["covered"] = pd.Series(np.where(usable & table["ci_low"].notna(), covered, None),
                                 dtype="boolean")
    return table[columns]


def summarise_backtest(table: pd.DataFrame) -> pd.DataFrame:
    """MAE, bias and coverage per scope, quantity and horizon (censored catch-ups apart)."""
    rows = []
    keys = ["scope", "quantity", "horizon_months"]
    if table.empty:
        return pd.DataFrame(rows)
    # the columns read once; each group's rows in table order, groups in order of first
    # appearance (as groupby(sort=False, dropna=False) gives them)
    group = table.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    key_values = [table[k].to_numpy(dtype=object) for k in keys]
    error = table["error"].to_numpy(dtype=float)
    naive_error = table["naive_error"].to_numpy(dtype=float)
    not_ok = (table["status"] != "ok").to_numpy(dtype=bool)
    censored = table["censored"].to_numpy(dtype=bool)
    covered = table["covered"]
    has_cover = covered.notna().to_numpy(dtype=bool)
    cover = covered.astype(float).to_numpy(dtype=float, na_value=np.nan)
    predicted = table["predicted"].to_numpy(dtype=float)
    realised = table["realised"].to_numpy(dtype=float)
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    for at in np.split(order, starts[1:]):
        err = error[at][~np.isnan(error[at])]
        naive = naive_error[at][~np.isnan(naive_error[at])]
        cens = at[censored[at]]
        seen = cover[at][has_cover[at]]
        rows.append({**{k: v[at[0]] for k, v in zip(keys, key_values)},
                     "n_cutoffs": len(at), "n_scored": len(err),
                     "n_insufficient": int(not_ok[at].sum()),
                     "mae": float(np.abs(err).mean()) if len(err) else np.nan,
                     "bias": float(err.mean()) if len(err) else np.nan,
                     "rmse": float(np.sqrt((err ** 2).mean())) if len(err) else np.nan,
                     "coverage": float(seen.mean()) if len(seen) else np.nan,
                     "naive_mae": float(np.abs(naive).mean()) if len(naive) else np.nan,
                     "n_censored": len(cens),
                     # censored: the data say "later than realised"; a smaller prediction is
                     # already known to be too early
                     "n_censored_too_early": int((predicted[cens] < realised[cens]).sum())})
    return pd.DataFrame(rows)


# --- entry points --------------------------------------------------------------------------

def forecast(scopes: list[Scope], settings: ForecastSettings,
             warnings: tuple[str, ...] = (), backtest: bool = True) -> ForecastResult:
    """Trends, projections and catch-up at ``settings.as_of``, and the back-test."""
    cutoff = to_day(settings.as_of)
    notes = list(warnings)
    trends, projections, catch, tested = [], [], [], []
    cutoffs = backtest_cutoffs(settings) if backtest else []
    if backtest and not cutoffs:
        notes.append(f"no back-test: no cut-off between {settings.backtest_start} and "
                     f"{min(settings.backtest_horizons)} months before {settings.as_of}")
    for scope in scopes:
        if not all((scope.groups == g).any() for g in GROUPS):
            notes.append(f"{scope.name}: no open or no closed model in the index; no forecast")
            continue
        by_day = _by_day(scope)
        fits = fit_scope(scope, cutoff, settings, by_day)
        for g, fit in fits.items():
            trends.append(_trend_row(scope, g, fit, cutoff, settings))
            projections += _projection_rows(scope, g, fit, cutoff, settings)
            if not fit.valid:
                notes.append(f"{scope.name}, {g}: {fit.status}")
        catch.append(_catch_up_row(scope, fits, cutoff, settings))
        tested += backtest_scope(scope, settings, cutoffs, by_day)
    table = _finish_backtest(tested)
    return ForecastResult(settings=settings, trends=pd.DataFrame(trends),
                          projections=pd.DataFrame(projections), catch_up=pd.DataFrame(catch),
                          backtest=table, backtest_summary=summarise_backtest(table),
                          warnings=tuple(notes))




__all__ = ["ForecastResult", "ForecastSettings", "TrendFit", "Verdict", "backtest_cutoffs",
           "catch_up_months", "fit_trend", "forecast", "frontier_points", "index_scopes",
           "interval", "meet_months", "summarise_backtest"]
