"""Running-best frontiers of a group of models over release date.

For a group g (open or closed) on one benchmark, with model scores y_m and release
dates t_m:

    frontier_g(t)   = max { y_m : m in g, t_m <= t }        (-inf before the first model)
    first_reach_g(s) = min { t_m : m in g, y_m >= s }         (when the frontier reached s)

Ties are broken deterministically: models are ordered by date, then by descending score,
then by id, and a model only moves the frontier when it is strictly better.

Everything here is vectorised over bootstrap draws: a draw is a boolean row of
``include`` (the models that draw kept), or a row of scores when every draw has its own
(bootstrap values of the capability index), so ``running`` has shape (draws, models).
Dates are integer days since 1970-01-01.

A running maximum is non-decreasing along its row, so first_reach is a binary search:
the draws' rows are laid end to end as complex numbers (draw + i level), whose order is
the order of (draw, level), and one ``searchsorted`` finds the first model reaching each
(draw, level) pair, the same index as a comparison with every model. A NaN score (whose
running maximum is NaN from there on) breaks that order: such frontiers compare every
model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

NO_LEVEL = -np.inf


@dataclass(frozen=True)
class GroupFrontier:
    """Frontiers of one group on one benchmark, one row per draw."""

    days: np.ndarray  # (n,) int, sorted release dates
    scores: np.ndarray  # (n,) or (draws, n) float, scores in the same order
    order: np.ndarray  # (n,) indices into the caller's model arrays
    include: np.ndarray  # (draws, n) bool
    running: np.ndarray  # (draws, n) float, running max (NO_LEVEL until a model is included)

    @classmethod
    def build(
        cls,
        days: np.ndarray,
        scores: np.ndarray,
        include: np.ndarray | None = None,
        ids: np.ndarray | None = None,
    ) -> "GroupFrontier":
        days = np.asarray(days, dtype=np.int64)
        scores = np.asarray(scores, dtype=float)
        ids = np.arange(len(days)) if ids is None else np.asarray(ids)
        if scores.ndim == 2:  # a score per draw (for example bootstrap index values)
            order = np.lexsort((ids, days))
            if include is None:
                include = np.ones(scores.shape, dtype=bool)
            include = np.broadcast_to(np.asarray(include, dtype=bool)[:, order],
                                      scores.shape)
            sorted_scores = scores[:, order]
            masked = np.where(include, sorted_scores, NO_LEVEL)
        else:
            order = np.lexsort((ids, -scores, days))
            if include is None:
                include = np.ones((1, len(days)), dtype=bool)
            include = np.asarray(include, dtype=bool)[:, order]
            sorted_scores = scores[order]
            masked = np.where(include, sorted_scores[None, :], NO_LEVEL)
        running = np.maximum.accumulate(masked, axis=1) if masked.shape[1] else masked
        return cls(days[order], sorted_scores, order, include, running)

    @property
    def draws(self) -> int:
        return self.running.shape[0]

    def count_at(self, day: int) -> np.ndarray:
        """Number of included models released by ``day``, per draw."""
        k = np.searchsorted(self.days, day, side="right")
        return self.include[:, :k].sum(axis=1)

    def level_at(self, day: int) -> np.ndarray:
        """frontier(day) per draw (NO_LEVEL when no model yet)."""
        k = np.searchsorted(self.days, day, side="right")
        if k == 0:
            return np.full(self.draws, NO_LEVEL)
        return self.running[:, k - 1]

    def leader_at(self, day: int) -> np.ndarray:
        """Index (into the caller's arrays) of the model holding the frontier, per draw; -1 if none."""
        k = np.searchsorted(self.days, day, side="right")
        out = np.full(self.draws, -1)
        if k == 0:
            return out
        level = self.running[:, k - 1]
        scores = self.scores[:, :k] if self.scores.ndim == 2 else self.scores[None, :k]
        hit = self.include[:, :k] & (scores >= level[:, None])
        has = hit.any(axis=1) & np.isfinite(level)
        first = hit.argmax(axis=1)
        out[has] = self.order[first[has]]
        return out

    @cached_property
    def _ordered(self) -> bool:
        """Whether every row of ``running`` is non-decreasing (no NaN score)."""
        return not np.isnan(self.running).any()

    @cached_property
    def _keys(self) -> np.ndarray | None:
        """The running levels of every draw end to end, as draw + i level (sorted); None
        when a NaN breaks the order (module docstring)."""
        if not self._ordered:
            return None
        keys = np.empty(self.running.size, dtype=complex)
        keys.real = np.repeat(np.arange(self.draws, dtype=float), self.running.shape[1])
        keys.imag = self.running.ravel()
        return keys

    def reach_index(self, rows: np.ndarray, levels: np.ndarray) -> np.ndarray:
        """Per pair (rows[i], levels[i]): the index of the first model whose running level
        in draw rows[i] is at least levels[i]; n (the number of models) where none is."""
        rows = np.asarray(rows, dtype=np.int64)
        levels = np.asarray(levels, dtype=float)
        n = self.running.shape[1]
        if n == 0:
            return np.zeros(len(rows), dtype=np.int64)
        keys = self._keys
        if keys is None:
            hit = self.running[rows] >= levels[:, None]
            return np.where(hit.any(axis=1), hit.argmax(axis=1), n)
        wanted = np.empty(len(rows), dtype=complex)
        wanted.real, wanted.imag = rows, levels
        return np.searchsorted(keys, wanted, side="left") - rows * n

    def first_reach(self, levels: np.ndarray) -> np.ndarray:
        """first_reach(level) in days per draw (levels has shape (draws,)); NaN if never."""
        levels = np.asarray(levels, dtype=float)
        if self.running.shape[1] == 0:
            return np.full(self.draws, np.nan)
        hit = self.running >= levels[:, None]
        has = hit.any(axis=1) & np.isfinite(levels)
        first = hit.argmax(axis=1)
        out = np.full(self.draws, np.nan)
        out[has] = self.days[first[has]]
        return out

    def first_reach_grid(self, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(days, left_censored) for a grid of thresholds, each of shape (draws, S).

        ``left_censored`` marks thresholds the group already met on the date of its first
        included model: the crossing date is then only the date the group first appears.
        """
        thresholds = np.asarray(thresholds, dtype=float)
        if self.running.shape[1] == 0:
            shape = (self.draws, len(thresholds))
            return np.full(shape, np.nan), np.zeros(shape, dtype=bool)
        n, shape = self.running.shape[1], (self.draws, len(thresholds))
        if self._ordered:
            first = self._reach_grid(thresholds)
        else:
            first = self.reach_index(np.repeat(np.arange(self.draws), len(thresholds)),
                                     np.tile(thresholds, self.draws)).reshape(shape)
        has = first < n
        first = np.where(has, first, 0)
        days = np.where(has, self.days[first].astype(float), np.nan)
        first_included = self.include.argmax(axis=1)
        left = has & (self.days[first] == self.days[first_included][:, None])
        return days, left

    def _reach_grid(self, thresholds: np.ndarray) -> np.ndarray:
        """:meth:`reach_index` of every draw at every threshold, (draws, S), for ordered
        rows: with c the number of thresholds at or below a running level, a row first
        reaches threshold s at the number of its models whose c is at most s (c grows along
        the row), one count per draw and value of c."""
        ordered = bool((thresholds[1:] >= thresholds[:-1]).all())  # the usual grid
        order = None if ordered else np.argsort(thresholds, kind="stable")
        size = len(thresholds) + 1
        c = np.searchsorted(thresholds if ordered else thresholds[order], self.running,
                            side="right")
        c += (np.arange(self.draws) * size)[:, None]
        # One running count over every draw's bins: a draw's bins hold its n models, so
        # draw d's counts start after d * n.
        counts = np.cumsum(np.bincount(c.ravel(), minlength=self.draws * size))
        first = (counts.reshape(self.draws, size)[:, :-1]
                 - (np.arange(self.draws) * self.running.shape[1])[:, None])
        if ordered:
            return first
        out = np.empty((self.draws, len(thresholds)), dtype=np.int64)
        out[:, order] = first
        return out
