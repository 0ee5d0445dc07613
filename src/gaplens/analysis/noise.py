"""Standard errors of normalised scores: how much a single result can move by chance.

A result's score s = (raw - random_baseline) / (ceiling - random_baseline) carries the
sampling noise of its test set. Its standard error sigma on the normalised scale is taken,
in this order:

    reported   stderr / (ceiling - random_baseline)          (linear transforms only)
    binomial   sqrt(p (1 - p) / n_items) / (ceiling - random_baseline), p the raw
               fraction correct; only for fraction-unit benchmarks whose table row has
               ``n_items``
    default    a stated ``default_se`` (in units of s), flagged as such

Non-linear transforms (log time horizons) and non-fraction units without a reported error
get the default. The source of every value is returned beside it, so callers can say which
rule applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SE_SOURCES = ("reported", "binomial", "default")


def standard_errors(rows: pd.DataFrame, meta: pd.Series | None,
                    default_se: float) -> tuple[np.ndarray, np.ndarray]:
    """(sigma on the normalised scale, source) per row of ``rows``.

    ``rows`` may carry ``stderr`` (reported, raw units) and ``raw_score``; ``meta`` is the
    benchmark's row of the benchmark table (``transform``, ``random_baseline``,
    ``ceiling``, ``unit`` and optionally ``n_items``), or None.
    """
    return standard_errors_of(
        len(rows), rows["raw_score"].to_numpy(dtype=float) if "raw_score" in rows else None,
        rows["stderr"].to_numpy(dtype=float) if "stderr" in rows else None, meta, default_se)


def standard_errors_of(n: int, raw_score: np.ndarray | None, stderr: np.ndarray | None,
                       meta, default_se: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`standard_errors` of ``n`` rows given as arrays (None: the column is absent);
    ``meta`` is the benchmark's row as a Series or a dict."""
    se = np.full(n, float(default_se))
    source = np.full(n, "default", dtype=object)
    if meta is None:
        return se, source
    transform = str(meta.get("transform") or "linear")
    baseline, ceiling = meta.get("random_baseline"), meta.get("ceiling")
    if transform != "linear" or baseline is None or ceiling is None or pd.isna(baseline) \
            or pd.isna(ceiling) or ceiling == baseline:
        return se, source
    width = float(ceiling) - float(baseline)
    n_items = meta.get("n_items")
    if n_items is not None and pd.notna(n_items) and n_items > 0 and \
            str(meta.get("unit") or "fraction") == "fraction" and raw_score is not None:
        p = raw_score
        binomial = np.sqrt(np.clip(p * (1 - p), 0, None) / float(n_items)) / width
        ok = np.isfinite(binomial)
        se[ok], source[ok] = binomial[ok], "binomial"
    if stderr is not None:
        reported = stderr / width
        ok = np.isfinite(reported) & (reported >= 0)
        se[ok], source[ok] = reported[ok], "reported"
    return se, source


def source_counts(sources) -> str:
    """'reported 12, default 3': how many standard errors came from each rule."""
    from collections import Counter

    counts = Counter(sources)
    return ", ".join(f"{k} {counts[k]}" for k in SE_SOURCES if counts.get(k))
