"""The notes a gap map writes beside its numbers: why a benchmark's threshold lag and gap,
or a domain's mean gap and median lag, disagree in sign; a zero lag beside a gap; a row
without current evidence (:func:`.gap.compute_gap` calls these)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .gap import GapSettings, _BenchStats


def percent_range(thresholds: np.ndarray) -> str:
    if len(thresholds) == 0:
        return "none"
    low, high = 100 * float(np.min(thresholds)), 100 * float(np.max(thresholds))
    return f"{low:.0f} %" if low == high else f"{low:.0f}-{high:.0f} %"


def threshold_sign_note(row: dict, s: "_BenchStats", thresholds: np.ndarray) -> str:
    """Why the threshold lag and the gap of one benchmark disagree in sign ('' if they
    agree): the one reads the history of crossings, the other today's frontiers."""
    gap, thr = row.get("gap"), row.get("lag_threshold_months")
    if gap is None or thr is None or not (np.isfinite(gap) and np.isfinite(thr)) \
            or gap * thr >= 0:
        return ""
    usable = np.isfinite(s.thr_lag)
    closed_first = thresholds[usable & (s.thr_lag > 0)]
    open_first = thresholds[usable & (s.thr_lag < 0)]
    n = int(usable.sum())
    head = (f"threshold lag {thr:+.1f} mo and gap {gap:+.1f} disagree in sign: the threshold "
            "lag is a median over the history of crossings, ")
    if gap < 0:
        return head + (f"and closed models reached {len(closed_first)} of {n} usable thresholds "
                       f"first ({percent_range(closed_first)}), open ones "
                       f"{len(open_first)} ({percent_range(open_first)}); the gap compares "
                       f"the frontiers at {s.data_through}, where open leads (newest closed "
                       f"result: a model released {s.newest_closed})")
    return head + (f"and open models reached {len(open_first)} of {n} usable thresholds first "
                   f"({percent_range(open_first)}), closed ones {len(closed_first)} "
                   f"({percent_range(closed_first)}); the gap compares the frontiers at "
                   f"{s.data_through}, where closed leads (newest open result: a model "
                   f"released {s.newest_open})")


def zero_lag_note(row: dict, data_through: dt.date, tolerance: float) -> str:
    """A zero lag beside a gap beyond the tolerance: one group passed the other on the
    benchmark's last date."""
    lag, gap = row.get("lag_months"), row.get("gap")
    if lag != 0 or gap is None or not np.isfinite(gap) or abs(gap) <= 100 * tolerance:
        return ""
    leader = "closed" if gap > 0 else "open"
    return (f"lag 0 with gap {gap:+.1f}: the {leader} frontier passed the other group's level "
            f"only on {data_through}, the benchmark's last date")


def domain_sign_note(row: dict, used: list[str], bench_rows: dict[str, dict]) -> str:
    """Why a domain's gap (a mean) and a lag (a median) disagree in sign ('' if not)."""
    gap = row.get("gap")
    notes = []
    for key, what in (("lag_months", "horizontal lag"), ("lag_threshold_months",
                                                          "threshold lag")):
        value = row.get(key)
        if gap is None or value is None or not (np.isfinite(gap) and np.isfinite(value)) \
                or gap * value >= 0:
            continue
        parts = "; ".join(f"{b} {bench_rows[b]['gap']:+.1f} / {bench_rows[b][key]:+.1f} mo"
                          for b in used if np.isfinite(bench_rows[b].get(key, np.nan)))
        notes.append(f"the gap (mean over benchmarks, {gap:+.1f}) and the {what} (median, "
                     f"{value:+.1f} mo) disagree in sign because the benchmarks do "
                     f"(gap / {what}: {parts})")
    return "; ".join(notes)


def stale_note(since, settings: "GapSettings", why: str) -> str:
    """The note of a row without current evidence: since when, why, and that its values are
    its last map (``why`` names ``{months}`` and ``{as_of}``)."""
    why = why.format(months=settings.recent_months, as_of=settings.as_of)
    return (f"no current evidence since {since}: {why}; the values are its last map, "
            f"as of {since}")
