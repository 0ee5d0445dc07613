"""The gap map's arrays: results split by benchmark, rows' intervals, domains' draws.

The gap map (analysis/gap.py) reads each benchmark's rows: their group, model, release
day, score and the columns behind the standard errors. Slicing string[pyarrow] columns
per benchmark was most of an earlier map's cost; the arrays are read once per map and
each benchmark's rows are positions into them, in the frame's row order (what
``groupby("benchmark", sort=False)`` gives). The rows' intervals come from one
vectorised quantile per statistic (:func:`row_intervals`) and the domains' draws make one
frame (:func:`draws_frame`). A domain's draws gather its benchmarks' per-draw statistics
from one table of the map (:func:`aggregate`), and the tables are built column by column
(:func:`rows_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .intervals import bootstrap_intervals, nanmedian_rows
from .observations import sort_order

if TYPE_CHECKING:
    from .gap import _BenchStats as BenchStats


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


def nanreduce(stack: np.ndarray, how: str) -> np.ndarray:
    """Mean or median over the last axis ignoring NaN; NaN where a whole row is NaN. Each
    row is reduced on its own contiguous copy, so a stack of many rows gives the same
    numbers as one call per row."""
    if how != "mean":
        return nanmedian_rows(stack)
    out = np.full(stack.shape[:-1], np.nan)
    rows = (~np.isnan(stack)).any(axis=-1)
    if rows.any():
        out[rows] = np.nanmean(np.ascontiguousarray(stack[rows]), axis=1)
    return out


def aggregate(stats: list["BenchStats"], n_draws: int, rng: np.random.Generator,
               table: dict[str, np.ndarray] | None = None, idx: np.ndarray | None = None):
    """Domain-level per-draw statistics from its benchmarks' per-draw statistics.

    ``table``: every benchmark's per-draw statistics as (draws, benchmarks) arrays
    (:func:`per_draw_table`) with ``idx`` the columns of ``stats`` in it (default: made
    from ``stats``)."""
    k = len(stats)
    picks = np.vstack([np.arange(k)[None, :],
                       rng.integers(0, k, size=(n_draws, k))]) if n_draws else np.arange(k)[None]
    rows = np.arange(picks.shape[0])[:, None]
    if table is None:
        table, idx = per_draw_table(stats, [window_of(s) for s in stats]), np.arange(k)
    columns = np.asarray(idx)[picks]

    def gather(name):
        return table[name][rows, columns]

    gap = nanreduce(gather("gap"), "mean")
    start = nanreduce(gather("window_start"), "median")
    change = nanreduce(gather("window_change"), "median")
    # each benchmark's mean over its window, per draw
    window_mean = nanreduce(gather("window_mean"), "median")
    lag = nanreduce(gather("lag"), "median")
    lag_thr = nanreduce(gather("lag_thr"), "median")
    censored = nanreduce(gather("censored_share"), "mean")
    if stats[0].timeline_lag.shape[1] == 0:  # no timeline
        timeline_lag = np.full((len(rows), 0), np.nan)
        timeline_gap = np.full((len(rows), 0), np.nan)
    else:
        tl = np.stack([s.timeline_lag for s in stats], axis=1)  # (draws, k, months)
        tg = np.stack([s.timeline_gap for s in stats], axis=1)
        tl = tl[rows, picks]
        tg = tg[rows, picks]
        timeline_lag = nanreduce(tl.transpose(0, 2, 1), "median")  # (draws, months)
        timeline_gap = nanreduce(tg.transpose(0, 2, 1), "mean")
    window = (start, change, window_mean)
    return gap, lag, lag_thr, censored, timeline_lag, timeline_gap, window


def per_draw_table(stats: list["BenchStats"], windows: list[tuple]) -> dict[str, np.ndarray]:
    """The benchmarks' per-draw statistics, each (draws, benchmarks); ``windows``: their
    :func:`window_of`."""
    out = {name: np.column_stack([getattr(s, name) for s in stats])
           for name in ("gap", "lag", "lag_thr", "censored_share")}
    for j, name in enumerate(("window_start", "window_change", "window_mean")):
        out[name] = np.column_stack([w[j] for w in windows])
    return out


def window_of(s: "BenchStats"):
    """(start, change, mean) of one benchmark's lag over its own window."""
    wl = s.window_lag
    mean = nanreduce(wl, "mean")
    return wl[:, 0], wl[:, -1] - wl[:, 0], mean


def windows_of(stats: dict[str, "BenchStats"]) -> dict[str, tuple]:
    """:func:`window_of` of every benchmark; the windows' means in one call when the
    windows have one length (each row reduced on its own: the same numbers)."""
    if len({s.window_lag.shape for s in stats.values()}) != 1:
        return {name: window_of(s) for name, s in stats.items()}
    means = nanreduce(np.stack([s.window_lag for s in stats.values()]), "mean")
    return {name: (s.window_lag[:, 0], s.window_lag[:, -1] - s.window_lag[:, 0], mean)
            for (name, s), mean in zip(stats.items(), means)}


def benchmark_meta(benchmarks: pd.DataFrame, names: set) -> tuple[dict, dict]:
    """(the table's row of each benchmark of ``names`` as a dict of the columns the map
    reads, each benchmark's successor): the first row of each benchmark, as
    ``drop_duplicates("benchmark").set_index("benchmark").to_dict("index")`` gives them,
    read from the columns once."""
    keys = benchmarks["benchmark"].to_numpy(dtype=object)
    first = ~pd.Series(keys).duplicated().to_numpy()
    keys = keys[first]
    columns = [c for c in ("domain", "test_set", "unit", "transform", "random_baseline",
                           "ceiling", "n_items") if c in benchmarks]
    values = [benchmarks[c][first].tolist() for c in columns]
    meta_of = {b: dict(zip(columns, row)) for b, *row in zip(keys, *values) if b in names}
    successor = {}
    if "superseded_by" in benchmarks:
        successor = {b: n for b, n in zip(keys, benchmarks["superseded_by"][first].tolist())
                     if not pd.isna(n)}
    return meta_of, successor


def domains_in_order(domains: pd.DataFrame) -> list:
    """The domains' rows (domain, label) sorted by (ord, domain), as
    ``domains.sort_values(["ord", "domain"]).itertuples()`` gives them."""
    order = sort_order(domains, ["ord", "domain"], [True, True])
    return [_Domain(d, label) for d, label in zip(
        domains["domain"].to_numpy(dtype=object)[order],
        domains["label"].to_numpy(dtype=object)[order])]


@dataclass(frozen=True)
class _Domain:
    domain: str
    label: str

def rows_frame(rows: list[dict], columns: list[str], text: set[str]) -> pd.DataFrame:
    """The rows (dicts) as a frame with ``columns``, built column by column: a value a
    row lacks is NaN, and a column no row has is NaN (None if in ``text``). The frame
    ``pd.DataFrame(rows)`` gives with those columns added, in their order."""
    if not rows:
        table = pd.DataFrame(rows)
        for column in columns:
            if column not in table:
                table[column] = np.nan if column not in text else None
        return table[columns]
    present = set().union(*rows)
    return pd.DataFrame({
        c: [r.get(c, np.nan) for r in rows] if c in present
        else [None if c in text else np.nan] * len(rows) for c in columns})
