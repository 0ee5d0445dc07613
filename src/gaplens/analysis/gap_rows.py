"""The gap map's arrays: results split by benchmark, rows' intervals, domains' draws.

The gap map (analysis/gap.py) reads each benchmark's rows: their group, model, release
day, score and the columns behind the standard errors. Slicing string[pyarrow] columns
per benchmark was most of an earlier map's cost; the arrays are read once per map and
each benchmark's rows are positions into them, in the frame's row order (what
``groupby("benchmark", sort=False)`` gives). The rows' intervals come from one
vectorised quantile per statistic (:func:`row_intervals`) and the domains' draws make one
frame (:func:`draws_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .intervals import bootstrap_intervals


@dataclass(frozen=True)
class BenchmarkRows:
    """The collapsed results of one benchmark as arrays (in the frame's row order)."""

    group: np.ndarray  # "open" / "closed"
    model_id: np.ndarray
    day: np.ndarray  # release day (days since 1970-01-01)
    score: np.ndarray
    gidx: np.ndarray  # global model index
    raw_score: np.ndarray | None  # None: the column is absent
    stderr: np.ndarray | None

    def __len__(self) -> int:
        return len(self.score)

    def take(self, positions: np.ndarray) -> "BenchmarkRows":
        return BenchmarkRows(*(None if v is None else v[positions] for v in (
            self.group, self.model_id, self.day, self.score, self.gidx, self.raw_score,
            self.stderr)))

    def split(self, keys: np.ndarray) -> dict:
        """The rows of each key (one key per row), in row order: what
        ``groupby(keys, sort=False)`` gives, without a DataFrame per group."""
        return {name: self.take(rows) for name, rows in positions_by_key(keys)}


def positions_by_key(keys: np.ndarray, sort: bool = False) -> list[tuple[object, np.ndarray]]:
    """(key, positions of its rows in row order) per key (missing keys left out), keys in
    order of first appearance, or sorted with ``sort``: the groups of ``groupby``."""
    codes, names = pd.factorize(keys, sort=sort)
    order = np.argsort(codes, kind="stable")
    order = order[codes[order] >= 0]
    ends = np.searchsorted(codes[order], np.arange(len(names)), side="right")
    starts = np.concatenate([[0], ends[:-1]]).astype(int)
    return [(name, order[a:b]) for name, a, b in zip(names, starts, ends)]


def row_intervals(values: dict, ci: float, statistics: tuple) -> dict:
    """Per key, the intervals of a row's statistics from their draws: ``values`` maps a
    key to one (draws,) array per statistic, ``statistics`` is ((name, method, bounds),
    ...) in the same order. The same numbers as :func:`bootstrap_interval` on each; the
    rows share one vectorised quantile per statistic (:func:`bootstrap_intervals`)."""
    keys = list(values)
    out: dict = {key: {} for key in keys}
    for j, (name, method, bounds) in enumerate(statistics if keys else ()):
        found = bootstrap_intervals(np.column_stack([values[key][j] for key in keys]), ci,
                                    method, bounds)
        for key, iv in zip(keys, found):
            out[key][name] = iv
    return out


def draws_frame(parts: list[tuple[str, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """key, draw, gap, lag_months: each domain's draws (draw 0 the estimate), one frame."""
    if not parts:
        return pd.DataFrame(columns=["key", "draw", "gap", "lag_months"])
    return pd.DataFrame({
        "key": np.repeat(np.array([key for key, _, _ in parts], dtype=object),
                         [len(gap) for _, gap, _ in parts]),
        "draw": np.concatenate([np.arange(len(gap)) for _, gap, _ in parts]),
        "gap": np.concatenate([gap for _, gap, _ in parts]),
        "lag_months": np.concatenate([lag for _, _, lag in parts])})
