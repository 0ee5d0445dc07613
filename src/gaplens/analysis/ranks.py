"""Average ranks (ties share their mean rank), as ``scipy.stats.rankdata`` gives them,
without importing scipy.stats (about a second of start-up): the ranks are whole or half
numbers, so any exact method gives the same values."""

from __future__ import annotations

import numpy as np


def average_ranks_rows(x: np.ndarray) -> np.ndarray:
    """Each row's ranks (1 = smallest), ties sharing their average rank: what
    ``scipy.stats.rankdata(x, axis=1)`` gives (the ranks are whole or half numbers, exact
    either way), without importing scipy.stats (about a second). Rows with NaN go to
    scipy."""
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        from scipy.stats import rankdata

        return rankdata(x, axis=1)
    n = x.shape[1]
    order = np.argsort(x, axis=1, kind="stable")
    ordered = np.take_along_axis(x, order, axis=1)
    position = np.broadcast_to(np.arange(n), x.shape)
    first = np.ones(x.shape, dtype=bool)  # where a run of equal values starts
    first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    last = np.ones(x.shape, dtype=bool)  # and where it ends
    last[:, :-1] = first[:, 1:]
    start = np.maximum.accumulate(np.where(first, position, 0), axis=1)
    end = np.minimum.accumulate(np.where(last, position, n - 1)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty(x.shape)
    np.put_along_axis(ranks, order, (start + end) / 2 + 1, axis=1)
    return ranks


def average_ranks(x: np.ndarray) -> np.ndarray:
    """The ranks of a 1-D array (``rankdata(x)``): a run of equal values after ``below``
    smaller ones, ``count`` long, shares the rank below + (count + 1) / 2. With NaN:
    :func:`average_ranks_rows`."""
    x = np.asarray(x, dtype=float)
    if np.isnan(x).any():
        return average_ranks_rows(x[None, :])[0]
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    first = np.empty(len(x), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(x)))
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(starts + (counts + 1) / 2, counts)
    return ranks
