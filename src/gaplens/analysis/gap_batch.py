"""Every benchmark of a map without a timeline at once: the statistics of
analysis/gap.py's ``_benchmark_stats``, the same numbers, from padded arrays.

A map has a few dozen benchmarks of a few dozen models each, read on a few hundred draws:
one benchmark at a time, the cost is the number of numpy calls, not their size. Here each
group's frontiers on every benchmark are one (benchmarks, draws, models) array: a
benchmark's models sorted as ``GroupFrontier.build`` sorts them (date, then id), padded at
the end with excluded models (score NO_LEVEL), so that the running maximum of a pad
repeats the benchmark's last level and pads are never the first to reach a level. Every
step is elementwise or per row (a running maximum, a median over thresholds, a first
index), so the values are those of one benchmark at a time. A non-finite drawn score
breaks the counting of the threshold grid: such maps take the one-benchmark path.

Only the statistics of a map without a timeline are computed here: the gap and the
horizontal lag at the benchmark's own date t_b, the threshold-crossing lag, and the lag on
the window's days ending at t_b.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.frontier import NO_LEVEL
from .intervals import floor_spread_columns, nanmedian_rows

NO_DAY = np.iinfo(np.int64).max  # a pad's release day: after every query day


@dataclass(frozen=True)
class Padded:
    """One group's frontiers on every benchmark: B benchmarks, D draws, N models."""

    days: np.ndarray  # (B, N) sorted release days, NO_DAY in pads
    scores0: np.ndarray  # (B, N) observed scores (draw 0) in the same order
    order: np.ndarray  # (B, N) position of the model in the benchmark's group rows
    include: np.ndarray  # (B, D, N) bool, False in pads
    running: np.ndarray  # (B, D, N) running maximum along the models
    n: np.ndarray  # (B,) models per benchmark

    start: np.ndarray  # (B,) each benchmark's first row in the rows given to build()

    @classmethod
    def build(cls, bench: np.ndarray, days: np.ndarray, ids: np.ndarray, drawn: np.ndarray,
              include: np.ndarray, count: int) -> "Padded":
        """From the group's rows of every benchmark, each benchmark's rows together and in
        order: their benchmark (0..count-1), release days, model ids, drawn scores (D,
        rows) and inclusion (D, rows) (the arguments of ``GroupFrontier.build``, end to
        end). A benchmark's models are sorted by (day, id) as ``GroupFrontier.build``
        sorts them."""
        n = np.bincount(bench, minlength=count)
        start = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64)
        order = np.lexsort((ids, days, bench))
        b = bench[order]
        slot = np.arange(len(order)) - start[b]
        width = int(n.max()) if count else 0
        d = drawn.shape[0]
        out_days = np.full((count, width), NO_DAY, dtype=np.int64)
        out_days[b, slot] = days[order]
        local = np.zeros((count, width), dtype=np.int64)
        local[b, slot] = order - start[b]
        scores = np.full((count, d, width), NO_LEVEL)
        scores[b, :, slot] = drawn[:, order].T
        inc = np.zeros((count, d, width), dtype=bool)
        inc[b, :, slot] = include[:, order].T
        masked = np.where(inc, scores, NO_LEVEL)
        running = np.maximum.accumulate(masked, axis=2) if width else masked
        return cls(out_days, scores[:, 0, :].copy(), local, inc, running, n, start)

    def levels(self, query: np.ndarray) -> np.ndarray:
        """frontier(day) per benchmark, draw and day of ``query`` (B, W): (B, D, W);
        NO_LEVEL before the first model."""
        k = (self.days[:, None, :] <= query[:, :, None]).sum(axis=2)  # (B, W)
        idx = np.broadcast_to(np.maximum(k - 1, 0)[:, None, :],
                              (self.running.shape[0], self.running.shape[1], k.shape[1]))
        out = np.take_along_axis(self.running, idx, axis=2)
        return np.where((k > 0)[:, None, :], out, NO_LEVEL)

    def first_reach(self, levels: np.ndarray) -> np.ndarray:
        """The day the frontier first reached each finite level of ``levels`` (B, D, W);
        NaN where it never did or the level is NaN. A level equal to the one before it in
        its row copies that one's day (as ``lag._first_reach``)."""
        out = np.full(levels.shape, np.nan)
        finite = np.isfinite(levels)
        repeat = np.zeros(levels.shape, dtype=bool)
        repeat[..., 1:] = (levels[..., 1:] == levels[..., :-1]) & finite[..., 1:]
        b, d, w = np.nonzero(finite & ~repeat)
        if not len(b):
            return out
        hit = self.running[b, d] >= levels[b, d, w][:, None]
        has = hit.any(axis=1)
        first = hit.argmax(axis=1)
        out[b[has], d[has], w[has]] = self.days[b[has], first[has]]
        if repeat.any():
            source = np.maximum.accumulate(
                np.where(repeat, 0, np.arange(levels.shape[-1])), axis=-1)
            out = np.take_along_axis(out, source, axis=-1)
        return out

    def reach_grid(self, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``GroupFrontier.first_reach_grid`` of every benchmark: (days, left_censored),
        each (B, D, S). The rows are non-decreasing (finite scores): the first model
        reaching threshold s is the number of models whose count of thresholds at or
        below their level is at most s, counted over the models of each row (no pads)."""
        b, d, width = self.running.shape
        ordered = bool((thresholds[1:] >= thresholds[:-1]).all())
        order = None if ordered else np.argsort(thresholds, kind="stable")
        size = len(thresholds) + 1
        rows = b * d
        real = np.arange(width)[None, :] < self.n[:, None]  # (B, N)
        flat = self.running[np.broadcast_to(real[:, None, :], self.running.shape)]
        per_row = np.repeat(self.n, d)
        c = np.searchsorted(thresholds if ordered else thresholds[order], flat, side="right")
        c += np.repeat(np.arange(rows) * size, per_row)
        counts = np.cumsum(np.bincount(c, minlength=rows * size))
        starts = np.concatenate([[0], np.cumsum(per_row)[:-1]])
        first = (counts.reshape(rows, size)[:, :-1] - starts[:, None]).reshape(b, d, size - 1)
        if not ordered:
            unsorted = np.empty_like(first)
            unsorted[:, :, order] = first
            first = unsorted
        has = first < self.n[:, None, None]
        first = np.where(has, first, 0)
        bench = np.arange(b)[:, None, None]
        reached = self.days[bench, first]
        days = np.where(has, reached.astype(float), np.nan)
        first_included = self.days[np.arange(b)[:, None], self.include.argmax(axis=2)]
        left = has & (reached == first_included[:, :, None])
        return days, left

    def leaders0(self, day: np.ndarray) -> np.ndarray:
        """Per benchmark, the position (in its group rows) of the model holding the
        frontier at ``day`` (B,) on the observed data (draw 0); -1 if none."""
        k = (self.days <= day[:, None]).sum(axis=1)
        level = self.running[np.arange(len(k)), 0, np.maximum(k - 1, 0)]
        within = np.arange(self.days.shape[1])[None, :] < k[:, None]
        hit = self.include[:, 0, :] & within & (self.scores0 >= level[:, None])
        ok = (k > 0) & np.isfinite(level) & hit.any(axis=1)
        first = hit.argmax(axis=1)
        return np.where(ok, self.order[np.arange(len(k)), first], -1)


def batch_stats(open_: Padded, closed: Padded, t_b: np.ndarray, window_days: np.ndarray,
                thresholds: np.ndarray, tolerance: float, se_open: np.ndarray,
                se_closed: np.ndarray):
    """The per-draw statistics of every benchmark (module docstring): t_b (B,), the
    window's days (B, W) ending at t_b. Returns gap (D, B) in points, lags (B, D, W) in
    days (the last column is t_b), the threshold lags (B, D, S) in days with their
    censoring, both groups' levels at t_b (B, D) and the leaders at t_b (B,) (positions
    in each benchmark's rows of the group). ``se_open``, ``se_closed``: the standard
    errors of each group's rows as given to :meth:`Padded.build`."""
    o = open_.levels(window_days)
    c = closed.levels(window_days)
    lag = np.full(o.shape, np.nan)
    both = np.isfinite(o) & np.isfinite(c)
    behind = both & (o < c - tolerance)
    ahead = both & (o > c + tolerance)
    level = both & ~behind & ~ahead
    at = np.broadcast_to(window_days[:, None, :], o.shape)
    t_closed = closed.first_reach(np.where(behind, o, np.nan))
    lag[behind] = at[behind] - t_closed[behind]
    t_open = open_.first_reach(np.where(ahead, c, np.nan))
    lag[ahead] = -(at[ahead] - t_open[ahead])
    lag[level] = 0.0

    o_tb, c_tb = o[:, :, -1], c[:, :, -1]
    lead_o, lead_c = open_.leaders0(t_b), closed.leaders0(t_b)
    both = (lead_o >= 0) & (lead_c >= 0)
    floors = np.zeros(len(t_b))
    floors[both] = 100 * np.hypot(se_open[(open_.start + lead_o)[both]],
                                  se_closed[(closed.start + lead_c)[both]])
    finite = np.isfinite(c_tb) & np.isfinite(o_tb)
    diff = np.full(c_tb.shape, np.nan)
    diff[finite] = (c_tb[finite] - o_tb[finite]) * 100.0
    gap = floor_spread_columns(np.ascontiguousarray(diff.T), floors)

    to, left_o = open_.reach_grid(thresholds)
    tc, left_c = closed.reach_grid(thresholds)
    has_o, has_c = ~np.isnan(to), ~np.isnan(tc)
    thr = np.full(to.shape, np.nan)
    censored = np.zeros(to.shape, dtype=np.int8)
    usable = ~left_o & ~left_c
    both = usable & has_o & has_c
    thr[both] = to[both] - tc[both]
    day = np.broadcast_to(t_b[:, None, None], to.shape)
    open_not_yet = usable & has_c & ~has_o & open_.include.any(axis=2)[:, :, None]
    thr[open_not_yet] = day[open_not_yet] - tc[open_not_yet]
    censored[open_not_yet] = 1
    closed_not_yet = usable & has_o & ~has_c & closed.include.any(axis=2)[:, :, None]
    thr[closed_not_yet] = -(day[closed_not_yet] - to[closed_not_yet])
    censored[closed_not_yet] = -1
    return gap, lag, thr, censored, o_tb, c_tb, lead_o, lead_c


def threshold_summary(lag: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ThresholdLags.summary`` of every benchmark: the median lag over the usable
    thresholds and the share of them censored, (B, D) each."""
    usable = ~np.isnan(lag)
    n = usable.sum(axis=2)
    with np.errstate(invalid="ignore"):
        median = np.full(n.shape, np.nan)
        rows = n > 0
        if rows.any():
            median[rows] = nanmedian_rows(lag[rows])
        share = np.where(n > 0, (censored != 0).sum(axis=2) / np.maximum(n, 1), np.nan)
    return median, share
