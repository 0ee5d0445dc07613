"""Normalising raw benchmark scores onto [0, 1].

    linear:  y = (raw - random_baseline) / (ceiling - random_baseline)
    log:     y = (ln raw - ln random_baseline) / (ln ceiling - ln random_baseline)

then clipped to [0, 1] (METHODS.md section 2). ``random_baseline`` and ``ceiling`` are in
the raw units of the benchmark (fraction, percent, Elo, minutes, points), so the unit
conversion lives in the benchmark table, not in code. Log is for time horizons, where a
doubling means the same step wherever it happens.

Scores below the random baseline are legitimate (a model can do worse than chance) and
map to 0. A raw score outside the benchmark's *valid* range — below ``min(0, baseline)``
or above the ceiling (or not positive on a log scale) — is an input error, not something
to clip silently: see :func:`out_of_range`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._fields import check_rows

_TOLERANCE = 1e-9


def normalise(raw, baseline, ceiling, transform) -> np.ndarray:
    """Normalised scores in [0, 1]; arrays broadcast. NaN stays NaN."""
    raw = np.asarray(raw, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    ceiling = np.asarray(ceiling, dtype=float)
    is_log = np.asarray(transform) == "log"
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = (raw - baseline) / (ceiling - baseline)
        safe_raw = np.where(raw > 0, raw, np.nan)
        safe_base = np.where(baseline > 0, baseline, np.nan)
        logged = (np.log(safe_raw) - np.log(safe_base)) / (np.log(ceiling) - np.log(safe_base))
    y = np.where(is_log, logged, linear)
    return np.clip(y, 0.0, 1.0)


def out_of_range(raw, baseline, ceiling, transform) -> np.ndarray:
    """True where a raw score cannot be a valid score of the benchmark."""
    raw = np.asarray(raw, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    ceiling = np.asarray(ceiling, dtype=float)
    is_log = np.asarray(transform) == "log"
    span = np.abs(ceiling - baseline)
    low = np.where(is_log, 0.0, np.minimum(0.0, baseline))
    too_low = np.where(is_log, raw <= 0, raw < low - _TOLERANCE * span)
    too_high = raw > ceiling + _TOLERANCE * span
    return (too_low | too_high) & ~np.isnan(raw)


def valid_range_text(baseline: float, ceiling: float, transform: str) -> str:
    if transform == "log":
        return f"(0, {ceiling:g}]"
    return f"[{min(0.0, baseline):g}, {ceiling:g}]"


def check_range(scores: pd.Series, specs: pd.DataFrame, file: str, field: str) -> None:
    """InputError at the first score outside its benchmark's valid range.

    ``specs`` is aligned with ``scores`` and has benchmark, unit, random_baseline, ceiling
    and transform columns.
    """
    bad = out_of_range(scores, specs["random_baseline"], specs["ceiling"],
                       specs["transform"].to_numpy())
    position = pd.Series(np.arange(len(scores)), index=scores.index)

    def message(i: int) -> str:
        s = specs.iloc[i]
        return (f"score {scores.iloc[i]:g} is outside the valid range "
                f"{valid_range_text(s['random_baseline'], s['ceiling'], s['transform'])} of "
                f"{s['benchmark']} ({s['unit']})")

    check_rows(bad, position, file, field, message)


def denormalise(y, baseline, ceiling, transform) -> np.ndarray:
    """The raw score of a normalised score (inverse of :func:`normalise` on [0, 1])."""
    y = np.asarray(y, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    ceiling = np.asarray(ceiling, dtype=float)
    is_log = np.asarray(transform) == "log"
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = baseline + y * (ceiling - baseline)
        logged = np.exp(np.log(np.where(baseline > 0, baseline, np.nan))
                        + y * (np.log(ceiling) - np.log(np.where(baseline > 0, baseline, np.nan))))
    return np.where(is_log, logged, linear)
