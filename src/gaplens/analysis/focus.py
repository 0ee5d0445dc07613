"""Which domain separates the frontier models most, quarter by quarter, and how often that
changes.

Input: per quarter and benchmark, whether the benchmark still discriminates among
frontier models and how much (``lifecycle.discrimination_by_quarter``). The *focus
domain* of a quarter (:data:`FOCUS_DEFINITION`; "the domain carrying the frontier" in
earlier versions) is the domain whose discriminating benchmarks together spread the top-k
models most: the largest summed top-k spread. Its raw value per quarter is ``raw_focus``;
a change of focus is a *shift* once it holds ``persist_quarters`` complete quarters.

The quarter holding the as-of date is *partial* when the date is not its last day (column
``partial``): its raw focus is measured at the as-of date and shown, but it does not
count towards the persistence of a focus (a shift confirmed only by a few weeks of a
quarter would be read as two quarters); a domain leading there is *pending*. The exposure
(months observed) counts the partial quarter by its days. The interval
between shifts is the mean gap between consecutive shifts, with a bootstrap over
benchmarks (draws with fewer than two shifts are counted as failed, not dropped), and is
compared with the field's claim of 12-18 months. Should the estimate on the full data fall
outside the percentile interval of the draws (possible for a statistic this discrete), the
interval is extended to it and a note says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .lifecycle import LifecycleSettings

FIELD_CLAIM_MONTHS = (12.0, 18.0)

#: What the focus domain measures, in words for tables, legends and the docs.
FOCUS_DEFINITION = ("focus domain: the domain whose still-discriminating benchmarks "
                    "(released, evaluated on 3+ models in the last 12 months, top models "
                    "distinguishable, frontier below 90%) together spread the top-5 models "
                    "most (summed top-5 spread)")


@dataclass(frozen=True)
class ShiftInterval:
    """The mean interval between focus shifts, with its benchmark-bootstrap interval."""

    estimate_months: float  # mean gap between consecutive shifts on the full data
    median_months: float  # median over bootstrap draws
    ci_low: float
    ci_high: float
    n_shifts: int
    n_intervals: int
    exposure_months: float  # from the first established focus to T
    rate_estimate_months: float  # exposure_months / n_shifts
    draws: int
    failed_draws: int  # draws with fewer than 2 shifts (no gap to average)
    draws_median_shifts: float
    thin: bool

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self)])


@dataclass(frozen=True)
class FocusResult:
    """Quarterly focus series, its shifts and the interval between them."""

    focus: pd.DataFrame  # one row per quarter
    shifts: pd.DataFrame  # one row per shift
    interval: ShiftInterval
    notes: tuple[str, ...] = field(default=())


# --- focus and shifts ----------------------------------------------------------------------

def _raw_focus(weights: np.ndarray) -> np.ndarray:
    """argmax over domains per quarter (..., domains, quarters) -> (..., quarters); -1 if
    no domain has weight. Ties go to the first domain."""
    focus = np.argmax(weights, axis=-2)
    none = ~(weights > 0).any(axis=-2)
    return np.where(none, -1, focus)


def persistent_focus(raw: np.ndarray, persist: int,
                     partial_last: bool = False) -> tuple[np.ndarray, list[int], int | None]:
    """(focus series, quarters where a shift starts, pending domain or None).

    A domain becomes the focus when it is the raw focus for ``persist`` consecutive
    quarters; the first such run establishes the series (no shift), later ones are shifts.
    With ``partial_last`` the last quarter is incomplete: it neither starts nor confirms a
    run (the series keeps its domain there), but a domain leading it can be pending.
    """
    n = len(raw)
    complete = n - 1 if partial_last and n else n
    series = np.full(n, -1)
    shifts: list[int] = []
    current = -1
    for q in range(n):
        r = raw[q]
        if q < complete and r >= 0 and r != current:
            run = raw[q:min(q + persist, complete)]
            if len(run) == persist and (run == r).all():
                if current >= 0:
                    shifts.append(q)
                current = r
        series[q] = current
    pending = None
    tail = raw[max(0, n - persist + 1):]
    if current >= 0 and len(tail) and tail[-1] >= 0 and tail[-1] != current and \
            (tail == tail[-1]).all():
        pending = int(tail[-1])
    return series, shifts, pending


def _covered(label: str, discrimination: pd.DataFrame, settings: LifecycleSettings) -> float:
    """The share of a quarter's days up to its end in the data (the as-of date for the last
    quarter): 1.0 for a complete quarter, or a label that is not a calendar quarter."""
    try:
        period = pd.Period(label, "Q")
    except (ValueError, TypeError):
        return 1.0
    end = settings.as_of
    if "quarter_end" in discrimination:
        ends = discrimination.loc[discrimination["quarter"] == label, "quarter_end"]
        if len(ends):
            end = pd.Timestamp(ends.iloc[0]).date()
    start = period.start_time.date()
    days = (period.end_time.date() - start).days + 1
    return min(1.0, max(0.0, ((end - start).days + 1) / days))


def _mean_gap(shifts: list[int]) -> float:
    if len(shifts) < 2:
        return np.nan
    return float(np.mean(np.diff(shifts)) * 3.0)


def focus_shifts(discrimination: pd.DataFrame, settings: LifecycleSettings,
                 domain_order: list[str] | None = None) -> FocusResult:
    """Focus domain per quarter, its shifts and the bootstrap interval between them.

    ``discrimination`` needs columns quarter, benchmark, domain and weight (0 where the
    benchmark does not discriminate); quarters in order of first appearance.
    """
    qs = list(dict.fromkeys(discrimination["quarter"]))
    if not qs:
        empty = ShiftInterval(np.nan, np.nan, np.nan, np.nan, 0, 0, 0.0, np.nan,
                              settings.n_draws, settings.n_draws, np.nan, True)
        return FocusResult(
            focus=pd.DataFrame(columns=FOCUS_COLUMNS),
            shifts=pd.DataFrame(columns=SHIFT_COLUMNS), interval=empty,
            notes=(f"no quarter from {settings.start_quarter} to {settings.as_of}: no focus "
                   "series",))
    present = list(dict.fromkeys(discrimination["domain"].dropna()))
    domains = [d for d in (domain_order or []) if d in present] + \
        [d for d in present if d not in (domain_order or [])]
    benches = list(dict.fromkeys(discrimination["benchmark"]))
    wide = discrimination.pivot_table(index="benchmark", columns="quarter", values="weight",
                                      aggfunc="sum").reindex(index=benches, columns=qs)
    W = wide.fillna(0.0).to_numpy()  # (benchmarks, quarters)
    dom_of = discrimination.drop_duplicates("benchmark").set_index("benchmark")["domain"]
    d_idx = np.array([domains.index(dom_of[b]) if dom_of[b] in domains else -1
                      for b in benches])
    member = np.zeros((len(domains), len(benches)))
    for j, d in enumerate(d_idx):
        if d >= 0:
            member[d, j] = 1.0
    dom_w = member @ W  # (domains, quarters)
    raw = _raw_focus(dom_w)
    covered = _covered(qs[-1], discrimination, settings)
    partial = covered < 1.0
    series, shifts, pending = persistent_focus(raw, settings.persist_quarters, partial)
    total = dom_w.sum(axis=0)

    def name(i: int) -> str | None:
        return domains[i] if i >= 0 else None

    focus_rows = []
    for q, label in enumerate(qs):
        r = raw[q]
        focus_rows.append(dict(
            quarter=label, partial=partial and q == len(qs) - 1, raw_focus=name(r),
            raw_share=float(dom_w[r, q] / total[q]) if r >= 0 and total[q] > 0 else np.nan,
            focus=name(series[q]), shift=q in shifts,
            n_discriminating=int((W[:, q] > 0).sum()), total_weight=float(total[q]),
            runner_up=name(int(np.argsort(-dom_w[:, q], kind="stable")[1]))
            if len(domains) > 1 and (dom_w[:, q] > 0).sum() > 1 else None))
    focus = pd.DataFrame(focus_rows, columns=FOCUS_COLUMNS)
    shift_rows = []
    for i, q in enumerate(shifts):
        shift_rows.append(dict(quarter=qs[q], from_domain=name(series[q - 1]),
                               to_domain=name(series[q]),
                               months_since_previous=(shifts[i] - shifts[i - 1]) * 3.0
                               if i else np.nan))
    shift_table = pd.DataFrame(shift_rows, columns=SHIFT_COLUMNS)

    # Bootstrap over benchmarks: counts per draw, domain weights, focus, shifts, mean gap.
    rng = np.random.default_rng(settings.seed + 1)
    n_b = len(benches)
    gaps, n_shift_draws = [], []
    failed = 0
    for _ in range(settings.n_draws):
        counts = np.bincount(rng.integers(0, n_b, size=n_b), minlength=n_b) if n_b else []
        dw = (member * counts) @ W
        _, s, _ = persistent_focus(_raw_focus(dw), settings.persist_quarters, partial)
        n_shift_draws.append(len(s))
        g = _mean_gap(s)
        if np.isfinite(g):
            gaps.append(g)
        else:
            failed += 1
    gaps_arr = np.array(gaps)
    tail = (1 - settings.ci) / 2 * 100
    if len(gaps_arr):
        median = float(np.median(gaps_arr))
        low, high = (float(v) for v in np.percentile(gaps_arr, [tail, 100 - tail]))
    else:
        median = low = high = np.nan
    estimate = _mean_gap(shifts)
    extended = bool(np.isfinite(estimate) and np.isfinite(low)
                    and not low <= estimate <= high)
    if extended:  # a percentile interval of a discrete statistic can miss the estimate
        low, high = min(low, estimate), max(high, estimate)
    established = int(np.argmax(series >= 0)) if (series >= 0).any() else None
    exposure = 3.0 * (len(qs) - established) if established is not None else 0.0
    if partial and established is not None:  # the partial quarter counts by its days
        exposure -= 3.0 * (1.0 - covered)
    failed_share = failed / settings.n_draws if settings.n_draws else 0.0
    thin = len(shifts) < 3 or failed_share > 0.10 or settings.n_draws == 0
    interval = ShiftInterval(
        estimate_months=estimate, median_months=median, ci_low=low, ci_high=high,
        n_shifts=len(shifts), n_intervals=max(0, len(shifts) - 1),
        exposure_months=exposure,
        rate_estimate_months=exposure / len(shifts) if shifts else np.nan,
        draws=settings.n_draws, failed_draws=failed,
        draws_median_shifts=float(np.median(n_shift_draws)) if n_shift_draws else np.nan,
        thin=thin)
    notes = _focus_notes(interval, shift_table, pending, domains, len(qs), failed_share)
    if partial:
        notes.append(f"{qs[-1]} is partial (through {settings.as_of}): its focus is shown but "
                     "does not count towards a shift")
    if extended:
        notes.append("the mean interval on the full data lay outside the bootstrap percentile "
                     "interval; the interval was extended to include it")
    return FocusResult(focus=focus, shifts=shift_table, interval=interval, notes=tuple(notes))


SHIFT_COLUMNS = ["quarter", "from_domain", "to_domain", "months_since_previous"]
FOCUS_COLUMNS = ["quarter", "partial", "raw_focus", "raw_share", "focus", "shift",
                 "n_discriminating", "total_weight", "runner_up"]


def _focus_notes(iv: ShiftInterval, shifts: pd.DataFrame, pending: int | None,
                 domains: list[str], n_quarters: int, failed_share: float) -> list[str]:
    notes = []
    path = " -> ".join([shifts["from_domain"].iloc[0]] + list(shifts["to_domain"])) \
        if len(shifts) else None
    if path:
        notes.append(f"focus path: {path} ({iv.n_shifts} shifts in {n_quarters} quarters)")
    if pending is not None:
        notes.append(f"pending: '{domains[pending]}' leads in the last quarter(s) but has not "
                     "held the focus long enough to count as a shift")
    lo, hi = FIELD_CLAIM_MONTHS
    if np.isfinite(iv.estimate_months):
        where = ("inside" if lo <= iv.estimate_months <= hi else
                 "below" if iv.estimate_months < lo else "above")  # the estimate vs the claim
        overlap = (np.isfinite(iv.ci_low) and iv.ci_low <= hi and iv.ci_high >= lo)
        notes.append(
            f"mean interval between focus shifts: {iv.estimate_months:.1f} months (bootstrap "
            f"median {iv.median_months:.1f}, 90% interval [{iv.ci_low:.1f}, {iv.ci_high:.1f}] "
            f"over {iv.draws - iv.failed_draws} of {iv.draws} draws): "
            + (f"inside the field's claim of {lo:.0f}-{hi:.0f} months" if where == "inside" else
               f"{where} the field's claim of {lo:.0f}-{hi:.0f} months")
            + (", which overlaps the interval" if overlap else ", which lies outside the "
               "interval")
            + f"; exposure/shifts gives {iv.rate_estimate_months:.1f} months")
    else:
        notes.append(f"too thin: {iv.n_shifts} focus shift(s) in {n_quarters} quarters, no "
                     "interval between shifts can be estimated"
                     + (f"; exposure/shifts gives {iv.rate_estimate_months:.1f} months "
                        "(a lower bound on the mean interval when censored)"
                        if iv.n_shifts else ""))
    if iv.thin and np.isfinite(iv.estimate_months):
        notes.append(f"thin data: {iv.n_intervals} interval(s) between shifts and "
                     f"{100 * failed_share:.0f}% of bootstrap draws without two shifts; read "
                     "the estimate as indicative")
    if n_quarters * 3 < 2 * hi:
        notes.append(f"the window ({3 * n_quarters} months) is short against intervals of "
                     f"{lo:.0f}-{hi:.0f} months: long intervals cannot be observed, so the "
                     "mean gap leans short")
    return notes
