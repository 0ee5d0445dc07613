"""Bootstrap intervals around a plain estimate: basic (pivotal), spread or percentile.

Given the estimate x (draw 0, computed on the observed data) and bootstrap values
x*_1..x*_B with quantiles q_a, q_50 and q_(1-a), a = (1 - ci) / 2:

    basic       [2 x - q_(1-a),  2 x - q_a]        (Davison & Hinkley 1997, eq. 5.6)
    spread      [x - (q_(1-a) - q_50),  x + (q_50 - q_a)]
    percentile  [q_a,  q_(1-a)]

The basic interval reads x* - x as a model of the estimator's error x - truth, bias
included. The spread interval reads only the shape of x* around its median as that error's
shape and lays it around x: it keeps the bootstrap's width and skew but not its shift.
gaplens uses it for score gaps (differences of two maxima of noisy scores). Their
bootstrap, centred on the observed scores, measures the maximum's bias in a world whose
leader was picked for its luck, and that bias, subtracted, moved the interval away from
the truth as often as towards it (the coverage table in docs/intervals.md).

A lag is a step function of the order of release dates and scores: its draws take a few
values (the months since one closed model or another reached the open level), and a
reflection of those values is meaningless. Read with noise-perturbed scores, the draws
are the lags under orderings of near-tied models that the noise cannot tell apart, and the
percentile interval spans them. gaplens uses it for lags. The coverage of both on planted
data is in docs/intervals.md.

When a bootstrap distribution is so lopsided that the estimate falls outside its interval
(fewer than a of the draws on one side of it), the interval is widened to reach the
estimate and ``widened`` says so: callers report it, never silently. Draws in which a
statistic cannot be computed are *failed*: counted, never dropped silently; the interval
uses the remaining draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Method = Literal["basic", "spread", "percentile"]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    failed: int  # draws without a value
    widened: bool  # the interval missed the estimate and was extended to it


def _ends(estimate, ok: np.ndarray, ci: float, method: Method, axis=None):
    """(low, high) of ``method`` (module docstring) from the finite draws ``ok``: one
    statistic (``axis=None``) or one per column (``axis=0``)."""
    tail = (1 - ci) / 2 * 100
    q_low, q_high = np.percentile(ok, [tail, 100 - tail], axis=axis)
    if method == "basic":
        return 2 * estimate - q_high, 2 * estimate - q_low
    if method == "spread":
        q_mid = np.median(ok, axis=axis)
        return estimate - (q_high - q_mid), estimate + (q_mid - q_low)
    return q_low, q_high


def _interval(low, high, estimate, failed: int,
              bounds: tuple[float, float] | None) -> Interval:
    """The interval clipped to ``bounds`` and widened to reach the estimate if it missed."""
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    widened = bool(low > estimate or high < estimate)
    return Interval(float(min(low, estimate)), float(max(high, estimate)), failed, widened)


def bootstrap_interval(values: np.ndarray, ci: float, method: Method = "basic",
                       bounds: tuple[float, float] | None = None) -> Interval:
    """The interval of ``values[1:]`` around ``values[0]`` (the estimate).

    ``bounds`` clips the interval to the statistic's possible range (for example a score
    difference in [-100, 100]); the estimate always lies inside the result.
    """
    estimate = values[0]
    if not np.isfinite(estimate):
        return Interval(np.nan, np.nan, 0, False)  # undefined on the data: not a failure
    draws = values[1:]
    ok = draws[np.isfinite(draws)]
    failed = int(len(draws) - len(ok))
    if len(ok) == 0:
        return Interval(np.nan, np.nan, failed, False)
    low, high = _ends(estimate, ok, ci, method)
    return _interval(low, high, estimate, failed, bounds)


def nanmedian_rows(stack: np.ndarray) -> np.ndarray:
    """The median over the last axis ignoring NaN (NaN where a row has no value): the same
    numbers as ``np.nanmedian(stack, axis=-1)`` (the mean of the two middle values of the
    sorted finite ones; a zero median is +0.0), without its per-row masked-array path."""
    stack = np.asarray(stack, dtype=float)
    ordered = np.sort(stack, axis=-1)  # NaN sorts last
    k = stack.shape[-1]
    if k and not np.isnan(ordered[..., -1]).any():  # no NaN: every row has k values
        with np.errstate(invalid="ignore"):
            return np.asarray((ordered[..., (k - 1) // 2] + ordered[..., k // 2]) / 2.0 + 0.0)
    n = (~np.isnan(stack)).sum(axis=-1)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    high = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):
        out = (low + high) / 2.0 + 0.0  # + 0.0: a zero median is +0.0, as numpy's sum gives
    return np.where(n > 0, out, np.nan)


def nanquantile_columns(values: np.ndarray, q: float) -> np.ndarray:
    """``np.nanquantile(values, q, axis=0)``, the same numbers: the columns without NaN
    share one vectorised quantile (the same selection per column), the others are read
    one by one; a column of NaN gives NaN without a warning."""
    whole = ~np.isnan(values).any(axis=0)
    if whole.all():
        return np.quantile(values, q, axis=0)
    out = np.full(values.shape[1], np.nan)
    if whole.any():
        out[whole] = np.quantile(values[:, whole], q, axis=0)
    some = ~whole & ~np.isnan(values).all(axis=0)
    if some.any():
        out[some] = np.nanquantile(values[:, some], q, axis=0)
    return out


def bootstrap_intervals(values: np.ndarray, ci: float, method: Method = "basic",
                        bounds: tuple[float, float] | None = None) -> list[Interval]:
    """:func:`bootstrap_interval` of every column of ``values`` (draws, columns), the same
    numbers: the columns whose draws are all finite share one vectorised quantile, and so
    do the columns with the same number of finite draws."""
    values = np.asarray(values, dtype=float)
    out: list[Interval | None] = [None] * values.shape[1]
    draws = values[1:]
    finite = np.isfinite(draws)
    counts = finite.sum(axis=0)
    whole = np.isfinite(values[0]) & (counts == len(draws)) & (len(draws) > 0)
    # Columns with some failed draws: those with as many finite draws share a quantile of
    # their finite draws (in their order), the others are read one by one.
    partial = np.isfinite(values[0]) & ~whole & (counts > 0)
    for j in np.flatnonzero(~whole & ~partial):
        out[j] = bootstrap_interval(values[:, j], ci, method, bounds)
    for count in np.unique(counts[partial]):
        cols = np.flatnonzero(partial & (counts == count))
        block = draws[:, cols].T  # (columns, draws): each column's finite draws in order
        ok = block[finite[:, cols].T].reshape(len(cols), count).T
        low, high = _ends(values[0, cols], ok, ci, method, axis=0)
        for k, j in enumerate(cols):
            out[j] = _interval(float(low[k]), float(high[k]), values[0, j],
                               int(len(draws) - count), bounds)
    cols = np.flatnonzero(whole)
    if len(cols):
        estimate = values[0, cols]
        low, high = _ends(estimate, draws[:, cols], ci, method, axis=0)
        for k, j in enumerate(cols):
            out[j] = _interval(float(low[k]), float(high[k]), estimate[k], 0, bounds)
    return out


def floor_spread(draws: np.ndarray, floor: float) -> np.ndarray:
    """Gap draws whose errors around their median have a standard deviation of at least
    ``floor``: draw 0 (the estimate) is kept, draws j > 0 become x + f (x*_j - median x*),
    f = max(1, floor / sd). The bound is the standard deviation of a difference of the two
    leaders' scores (see the docstring of analysis/gap.py); rows without finite draws are left alone."""
    out = draws.copy()
    rest = out[1:]
    ok = np.isfinite(rest)
    if not np.isfinite(out[0]) or ok.sum() < 2:
        return out
    dev = rest[ok] - np.median(rest[ok])
    sd = float(dev.std())
    factor = max(1.0, floor / sd) if sd > 0 else 1.0
    rest[ok] = out[0] + factor * dev
    return out


def floor_spread_columns(draws: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """:func:`floor_spread` of each column of ``draws`` (draws, columns) with its floor, the
    same numbers: the columns whose draws are all finite share one median and one standard
    deviation (each column reduced on its own contiguous row, as one call per column)."""
    if draws.shape[1] == 1:
        return floor_spread(draws[:, 0], float(floors[0]))[:, None]
    out = draws.copy()
    whole = np.isfinite(draws[0]) & np.isfinite(draws[1:]).all(axis=0) & (len(draws) > 2)
    for j in np.flatnonzero(~whole):
        out[:, j] = floor_spread(draws[:, j], float(floors[j]))
    cols = np.flatnonzero(whole)
    if len(cols):
        rest = np.ascontiguousarray(draws[1:, cols].T)
        dev = rest - np.median(rest, axis=1)[:, None]
        sd = dev.std(axis=1)
        factor = np.ones(len(cols))
        positive = sd > 0
        factor[positive] = np.maximum(1.0, floors[cols][positive] / sd[positive])
        out[1:, cols] = (draws[0, cols][:, None] + factor[:, None] * dev).T
    return out
