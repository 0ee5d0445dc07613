"""The two lag estimators of METHODS.md section 4, on one benchmark.

Horizontal frontier distance (Epoch). With o = frontier_open(t), c = frontier_closed(t):

    o <  c - tol :  lag(t) =   t - first_reach_closed(o)     (open is where closed was)
    o >  c + tol :  lag(t) = -(t - first_reach_open(c))      (open ahead: negative)
    |o - c| <= tol: lag(t) = 0                                (level)

so swapping the group labels flips the sign. ``tol = 0`` is the plain step-function
distance; a positive ``tol`` treats frontiers closer than ``tol`` as level, in the spirit
of Epoch's published variant that stops counting once the difference is not significant.
The plain distance keeps growing while both frontiers stall just apart (a saturated
benchmark): read it together with the vertical gap.

Threshold crossing (Ihle 2026). For each score threshold s:

    lag_s = first_reach_open(s) - first_reach_closed(s)

If open has not reached s by the as-of date T, the lag is censored: at least
T - first_reach_closed(s). If only open reached it, at most -(T - first_reach_open(s)).
Thresholds that a group's first evaluated model already met are dropped (their crossing
date is only the date the benchmark first saw that group). A benchmark's value is the
median over its thresholds, censored values entering at their bound.

Days are integers; results are in days and converted to months by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.frontier import NO_LEVEL, GroupFrontier
from .intervals import nanmedian_rows


def horizontal_lag(
    open_: GroupFrontier, closed: GroupFrontier, day, tolerance: float = 0.0
) -> np.ndarray:
    """Signed horizontal lag in days at ``day``, per draw; NaN where a group has no model.

    ``day`` may also be an array of days: the result is then (draws, days), every day in
    one pass (the same numbers as one call per day)."""
    if np.ndim(day) == 0:
        return horizontal_lag(open_, closed, np.array([day]), tolerance)[:, 0]
    # Each distinct day once, in date order (a level repeats on the next day more often
    # than not: _first_reach reads it once).
    days = np.asarray(day, dtype=np.int64)
    back = None
    if len(days) > 1 and not (days[1:] > days[:-1]).all():
        days, back = np.unique(days, return_inverse=True)
    o = _levels(open_, days)
    c = _levels(closed, days)
    lag = np.full(o.shape, np.nan)
    both = np.isfinite(o) & np.isfinite(c)
    behind = both & (o < c - tolerance)
    ahead = both & (o > c + tolerance)
    level = both & ~behind & ~ahead
    at = np.broadcast_to(days[None, :], o.shape)
    t_closed = _first_reach(closed, np.where(behind, o, np.nan))
    lag[behind] = at[behind] - t_closed[behind]
    t_open = _first_reach(open_, np.where(ahead, c, np.nan))
    lag[ahead] = -(at[ahead] - t_open[ahead])
    lag[level] = 0.0
    return lag if back is None else lag[:, back.ravel()]


def _levels(f: GroupFrontier, days: np.ndarray) -> np.ndarray:
    """frontier(day) per draw and day, (draws, days); NO_LEVEL before the first model."""
    k = np.searchsorted(f.days, days, side="right")
    out = np.full((f.draws, len(days)), NO_LEVEL)
    has = k > 0
    out[:, has] = f.running[:, k[has] - 1]
    return out


def _first_reach(f: GroupFrontier, levels: np.ndarray) -> np.ndarray:
    """first_reach(level) in days per draw and day (levels (draws, days)); NaN if never.

    A level equal to the one before it in its row reaches the frontier on the same day:
    only the others are searched, and the repeats copy the value before them. With many
    models the search is a binary search (:meth:`GroupFrontier.reach_index`); with few,
    comparing the levels with every model costs less."""
    out = np.full(levels.shape, np.nan)
    if f.running.shape[1] == 0:
        return out
    finite = np.isfinite(levels)
    repeat = np.zeros(levels.shape, dtype=bool)
    repeat[:, 1:] = (levels[:, 1:] == levels[:, :-1]) & finite[:, 1:]
    if f.running.shape[1] <= FEW_MODELS and not repeat.any():
        return _first_reach_compared(f, levels, out)
    rows, cols = np.nonzero(finite & ~repeat)
    if f.running.shape[1] <= FEW_MODELS:
        hit = f.running[rows] >= levels[rows, cols][:, None]
        has = hit.any(axis=1)
        out[rows[has], cols[has]] = f.days[hit.argmax(axis=1)[has]]
    else:
        first = f.reach_index(rows, levels[rows, cols])
        has = first < f.running.shape[1]
        out[rows[has], cols[has]] = f.days[first[has]]
    if repeat.any():
        source = np.maximum.accumulate(np.where(repeat, 0, np.arange(levels.shape[1])), axis=1)
        out = np.take_along_axis(out, source, axis=1)
    return out


FEW_MODELS = 48  # up to this many models in a group, _first_reach compares with each


def _first_reach_compared(f: GroupFrontier, levels: np.ndarray, out: np.ndarray
                          ) -> np.ndarray:
    """:func:`_first_reach` by comparing each level with every model's running level (only
    the finite levels when they are few)."""
    finite = np.isfinite(levels)
    rows, cols = np.nonzero(finite)
    if 2 * len(rows) < levels.size:
        hit = f.running[rows] >= levels[rows, cols][:, None]
        has = hit.any(axis=1)
        out[rows[has], cols[has]] = f.days[hit.argmax(axis=1)[has]]
        return out
    hit = f.running[:, None, :] >= levels[:, :, None]
    has = hit.any(axis=2) & finite
    first = hit.argmax(axis=2)
    out[has] = f.days[first[has]]
    return out


@dataclass(frozen=True)
class ThresholdLags:
    """Per draw and threshold: lag in days, and censoring (+1 open not yet, -1 closed not yet)."""

    lag: np.ndarray  # (draws, S) float, NaN where the threshold is not usable
    censored: np.ndarray  # (draws, S) int8

    def summary(self) -> tuple[np.ndarray, np.ndarray]:
        """(median lag over thresholds, share of usable thresholds censored), per draw."""
        usable = ~np.isnan(self.lag)
        n = usable.sum(axis=1)
        with np.errstate(invalid="ignore"):
            median = np.full(self.lag.shape[0], np.nan)
            rows = n > 0
            if rows.any():
                median[rows] = nanmedian_rows(self.lag[rows])
            share = np.where(n > 0, (self.censored != 0).sum(axis=1) / np.maximum(n, 1), np.nan)
        return median, share


def threshold_lags(
    open_: GroupFrontier, closed: GroupFrontier, thresholds: np.ndarray, as_of_day: int
) -> ThresholdLags:
    to, left_o = open_.first_reach_grid(thresholds)
    tc, left_c = closed.first_reach_grid(thresholds)
    has_o = ~np.isnan(to)
    has_c = ~np.isnan(tc)
    lag = np.full(to.shape, np.nan)
    censored = np.zeros(to.shape, dtype=np.int8)
    usable = ~left_o & ~left_c
    both = usable & has_o & has_c
    lag[both] = to[both] - tc[both]
    open_not_yet = usable & has_c & ~has_o & open_.include.any(axis=1)[:, None]
    lag[open_not_yet] = as_of_day - tc[open_not_yet]
    censored[open_not_yet] = 1
    closed_not_yet = usable & has_o & ~has_c & closed.include.any(axis=1)[:, None]
    lag[closed_not_yet] = -(as_of_day - to[closed_not_yet])
    censored[closed_not_yet] = -1
    return ThresholdLags(lag=lag, censored=censored)
