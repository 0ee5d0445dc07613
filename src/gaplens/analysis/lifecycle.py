"""Benchmark lifecycle: when frontiers cross 50/80/90 %, when benchmarks saturate or are
retired, and which domain's benchmarks still separate the frontier models, quarter by
quarter.

Data. One normalised score s in [0, 1] per (model, benchmark): the best over versions and
settings, as :func:`~gaplens.analysis.observations.collapse` keeps it, dated by that
version's release date. Every dated model counts (open, closed, unreleased, unknown
accessibility alike). Results carry no evaluation date, so a model is read as if it were
evaluated when it was released. Levels and spreads in the tables are normalised points
(0-100), as in the gap tables; ``default_se`` and the thresholds are in units of s (0-1).

1. Crossings. With the running frontier f_b(t) = max{ s_m : t_m <= t } over every model
   released by t on benchmark b,

       reached_x   = min{ t_m : s_m >= x }                     x = 0.50, 0.80, 0.90
       months_to_x = max(0, reached_x - release_b) / (365.2425 / 12)

   release_b is the benchmark's release date in the benchmark table, else its first
   result. Never reached: no date, NaN months, listed in ``not_yet``. A 0 means the
   frontier already stood there when the benchmark came out (models released before it
   were evaluated later); ``note`` says so.

2. Saturation at a date t (Akhtar et al. 2026: the top models are statistically
   indistinguishable). Take the top k (default 5) models released by t, by score (ties to
   the earlier release, then the id). Each score has a standard error sigma_i, in this order:

       reported   stderr / (ceiling - random_baseline)          (linear transforms)
       binomial   sqrt(p (1 - p) / n_items) / (ceiling - random_baseline), p the raw
                  fraction correct; only when the benchmark table has ``n_items``
       default    ``default_se`` = 0.02 (2 points), flagged in ``se_source``

   floored at ``min_se`` = 0.005 (a reported 0 for a score of 0 would otherwise make any
   difference infinitely significant). Test of equality of the top k (Cochran's Q):

       w_i = 1 / sigma_i^2,   s_hat = sum w_i s_i / sum w_i,
       Q   = sum w_i (s_i - s_hat)^2  ~  chi^2_{k-1} under "all equal",   p = P(chi^2 >= Q)

       indistinguishable(t)  <=>  p >= alpha (0.05)
       saturated(t)          <=>  indistinguishable(t) and f_b(t) >= near_ceiling (0.70)

   Saturation needs both (Akhtar et al. 2026: the top models can no longer be told apart,
   and near a ceiling). A frontier above ``saturation_level`` (0.90) does not saturate a
   benchmark on its own: one outlier at 93 % with the next four 20-40 points behind
   still separates the top models. Such a benchmark is flagged ``near_ceiling`` (status
   ``near_ceiling`` where it would otherwise be ``discriminating``); it is not saturated,
   but it does not count as discriminating in the quarters (3.) either. Without the
   level condition a benchmark whose top models all score near 0, or one with a small test
   set (FrontierMath Tier 4: 48 problems, reported errors of 5-7 points), would count as
   saturated while most of its range is unclaimed; such a benchmark is reported as
   ``low_resolution``: it cannot rank the top models now, but it is not used up.
   The test uses min(k, n) models and needs n >= ``min_models`` (3); with fewer, a
   benchmark is never saturated. Also reported, not used for the decision:
   z = (s_1 - s_k) / sqrt(sigma_1^2 + sigma_k^2) and its two-sided p-value. The top k are
   selected as the best of n noisy scores, which the test ignores (conditional on the
   selection). Discrimination: spread = s_1 - s_k and sd = std(s_1..s_k, ddof=1).

   The spread's interval is a seeded parametric bootstrap: every model's score released by
   t is redrawn as s*_m ~ N(s_m, sigma_m^2), the top k re-selected and the spread
   recomputed. A spread of maxima is biased upwards under noise (the best of noisy draws
   is higher than the best true score, the k-th less so), so the raw draws sit above the
   observed spread when the top models are close (MATH level 5: observed 0.40, raw 90 %
   range of the draws [0.44, 1.79]). The bias is estimated as
   ``spread_noise_bias`` = median(spread*) - spread and removed from every draw:

       interval = [max(0, q_lo(spread*) - bias), q_hi(spread*) - bias]

   (q the central ``ci`` percentiles): the variability of the spread under re-measurement,
   centred on the observed spread, which therefore always lies inside it (the median of
   the centred draws is the observed spread). For tied true scores the observed spread is
   itself inflated by about ``spread_noise_bias``: read a small spread with its bias.
   ``saturated_since`` is the start of the run of saturated status (evaluated at every
   release date) that lasts to T.

   Retired: a released benchmark with no result from a model released in the
   ``retire_months`` (12) up to T (``last_result`` <= T - 12 months) has status
   ``retired``, whatever it was when it was last run (``saturated`` and ``near_ceiling``
   keep that reading); nobody measures the frontier on it any more.

3. Quarters (calendar quarters from ``start_quarter`` = 2023Q1 to the quarter holding T;
   that last one ends at T). Benchmark b *discriminates* at the quarter's end e when it is
   released by e, at least ``min_recent`` (3) of its models were released in the
   ``recent_months`` (12) to e, and its top k are distinguishable (p < alpha; so neither
   saturated nor low-resolution) with a frontier below ``saturation_level`` (a benchmark
   near its ceiling has no room left to separate the next frontier models, even while one
   outlier stands apart from the rest). Its weight is its
   top-k spread at e (how much it separates the frontier models; 0 when it does not
   discriminate).

       W_dq = sum of the weights of domain d's benchmarks,   share_dq = W_dq / sum_d W_dq
       focus_q (raw) = argmax_d W_dq        (ties: domain order; no discriminating
                                             benchmark: no focus)

   The *focus domain* (``focus.FOCUS_DEFINITION``; called "the domain carrying the
   frontier" before) is the one whose still-discriminating benchmarks together spread the
   top models most. Domains the taxonomy splits into more benchmarks weigh more. A
   benchmark that nobody runs any more stops counting after 12 months: a retired
   benchmark has no recent model (fewer than ``min_recent``), so it never discriminates at
   T and cannot move the current focus; in earlier quarters it counts while it was run.
   The quarter holding T is ``partial`` when T is not its last day: it is measured at T,
   shown, and does not confirm a shift (4.).

4. Focus shifts. The focus series keeps its domain until another domain is the raw focus
   for ``persist_quarters`` (2) consecutive complete quarters; the shift is dated at the
   first of them. The first focus that holds that long starts the series (not a shift). A
   change in the last quarter (or the last complete one, when the last is partial) cannot
   be confirmed yet and is reported as pending.

       interval = mean of the gaps between consecutive shifts (3 months per quarter)

   Its interval: resample the benchmarks with replacement (a benchmark drawn twice weighs
   twice), recompute the domain weights, the focus series, its shifts and the mean gap;
   median and the central ``ci`` mass of the draws. A draw with fewer than 2 shifts has no
   gap: counted as failed, never dropped silently. Gaps longer than the observation window
   cannot be seen, so the estimate leans short; ``exposure_months / n_shifts`` is given as
   a censoring-aware alternative (constant-rate assumption).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .focus import (  # noqa: F401 (re-exported)
    FIELD_CLAIM_MONTHS,
    FOCUS_COLUMNS,
    FOCUS_DEFINITION,
    SHIFT_COLUMNS,
    FocusResult,
    ShiftInterval,
    focus_shifts,
    persistent_focus,
)
from .gap import DAYS_PER_MONTH, _days, from_day, to_day
from .noise import standard_errors_of
from .observations import collapse



@dataclass(frozen=True)
class LifecycleSettings:
    """Every choice behind a lifecycle result (stored with it and in its JSON)."""

    as_of: dt.date
    top_k: int = 5
    alpha: float = 0.05
    saturation_level: float = 0.90
    near_ceiling: float = 0.70
    thresholds: tuple[float, ...] = (0.50, 0.80, 0.90)
    default_se: float = 0.02
    min_se: float = 0.005
    min_models: int = 3
    min_recent: int = 3
    recent_months: int = 12
    retire_months: int = 12
    start_quarter: str = "2023Q1"
    persist_quarters: int = 2
    n_draws: int = 1000
    ci: float = 0.90
    seed: int = 0

    def __post_init__(self) -> None:
        if self.top_k < 2:
            raise ConfigError("--top-k must be at least 2 (a spread needs two models)")
        if not 0 < self.alpha < 1:
            raise ConfigError("the test level alpha must lie strictly between 0 and 1")
        if not 0 < self.near_ceiling <= self.saturation_level <= 1:
            raise ConfigError("levels must satisfy 0 < near_ceiling <= saturation_level <= 1")
        if not self.thresholds or any(not 0 < t <= 1 for t in self.thresholds):
            raise ConfigError("crossing thresholds must lie in (0, 1]")
        if self.default_se <= 0 or self.min_se <= 0:
            raise ConfigError("standard errors must be positive")
        if self.min_models < 2 or self.min_recent < 1 or self.recent_months < 1 \
                or self.retire_months < 1:
            raise ConfigError("min_models >= 2, min_recent >= 1, recent_months >= 1 and "
                              "retire_months >= 1")
        if self.persist_quarters < 1:
            raise ConfigError("persist_quarters must be at least 1")
        if self.n_draws < 0:
            raise ConfigError("the number of bootstrap draws cannot be negative")
        if not 0 < self.ci < 1:
            raise ConfigError("the interval level must lie strictly between 0 and 1")
        try:
            pd.Period(self.start_quarter, "Q")
        except (ValueError, TypeError):
            raise ConfigError(f"start quarter '{self.start_quarter}' is not a quarter "
                              "(expected e.g. 2023Q1)") from None


@dataclass(frozen=True)
class LifecycleResult:
    """Per-benchmark lifecycle, quarterly discrimination, focus series and shifts."""

    settings: LifecycleSettings
    benchmarks: pd.DataFrame  # one row per benchmark (BENCHMARK_COLUMNS)
    discrimination: pd.DataFrame  # quarter x benchmark
    domains: pd.DataFrame  # quarter x domain: weight and share
    focus: pd.DataFrame  # one row per quarter
    shifts: pd.DataFrame
    interval: ShiftInterval
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tables for JSON and CSV output."""
        return {"benchmarks": self.benchmarks, "focus": self.focus, "shifts": self.shifts,
                "shift_interval": self.interval.as_frame(), "domains": self.domains,
                "discrimination": self.discrimination}


def settings_dict(settings: LifecycleSettings) -> dict:
    out = asdict(settings)
    out["as_of"] = settings.as_of.isoformat()
    out["thresholds"] = list(settings.thresholds)
    return out


# --- scores and their standard errors ------------------------------------------------------

@dataclass(frozen=True)
class _Bench:
    """One benchmark's models released by T, in release order (arrays for the core)."""

    name: str
    domain: str | None
    test_set: str | None
    release_day: int
    release_from: str  # "table" or "first result"
    days: np.ndarray  # int, sorted
    scores: np.ndarray
    se: np.ndarray
    se_source: np.ndarray  # "reported" / "binomial" / "default"
    names: np.ndarray
    ids: np.ndarray
    id_rank: np.ndarray = field(default=None)  # ids' rank as text (ties broken by it)
    # (models released, the settings read) -> _Status, filled by _status_at
    statuses: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.id_rank is None:
            ranks = np.unique(self.ids.astype(str), return_inverse=True)[1].ravel()
            object.__setattr__(self, "id_rank", ranks)


def _threshold_label(x: float) -> str:
    return f"{round(100 * x):d}"


def _collapse(long: pd.DataFrame, as_of: dt.date) -> tuple[pd.DataFrame, list[str]]:
    """Best score per (model, benchmark) among models released by ``as_of``."""
    warnings: list[str] = []
    frame = long.copy()
    for column, default in (("version_id", None), ("setting", None), ("stderr", np.nan),
                            ("raw_score", np.nan), ("display_name", None)):
        if column not in frame:
            frame[column] = default
    if frame["version_id"].isna().all():
        frame["version_id"] = frame["model_id"]
    undated = frame["release_date"].isna()
    if undated.any():
        n_models = frame.loc[undated, "model_id"].nunique()
        warnings.append(f"{int(undated.sum())} results of {n_models} models have no release "
                        "date and are left out")
        frame = frame.loc[~undated]
    unscored = frame["score"].isna()
    if unscored.any():
        warnings.append(f"{int(unscored.sum())} results have no normalised score and are left out")
        frame = frame.loc[~unscored]
    frame["release_date"] = pd.to_datetime(frame["release_date"]).astype("datetime64[s]")
    frame = frame.loc[frame["release_date"] <= pd.Timestamp(as_of)]
    return collapse(frame), warnings


def _benchmarks(best: pd.DataFrame, benchmarks: pd.DataFrame,
                settings: LifecycleSettings) -> tuple[list[_Bench], list[str]]:
    warnings: list[str] = []
    meta = benchmarks.drop_duplicates("benchmark").set_index("benchmark")
    out: list[_Bench] = []
    floored: dict[str, int] = {}
    # Sorted once (benchmark, then release date, best score and id within it: one row per
    # model and benchmark, so no ties) and read as arrays: each benchmark is a slice.
    rows = best.loc[best["benchmark"].notna()].sort_values(
        ["benchmark", "release_date", "score", "model_id"], ascending=[True, True, False, True])
    bench = rows["benchmark"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, bench[1:] != bench[:-1]]) if len(bench) else []
    ends = np.r_[starts[1:], len(bench)] if len(bench) else []
    all_days = _days(rows["release_date"])
    scores = rows["score"].to_numpy(dtype=float)
    raw = rows["raw_score"].to_numpy(dtype=float) if "raw_score" in rows else None
    stderr = rows["stderr"].to_numpy(dtype=float) if "stderr" in rows else None
    ids = rows["model_id"].to_numpy(dtype=object)
    shown = rows["display_name"].to_numpy(dtype=object)
    shown = np.where(pd.isna(shown), ids, shown)
    domains = rows["domain"].to_numpy(dtype=object) if "domain" in rows else None
    for a, b in zip(starts, ends):
        name = bench[a]
        m = meta.loc[name] if name in meta.index else None
        se, source = standard_errors_of(b - a, raw[a:b] if raw is not None else None,
                                        stderr[a:b] if stderr is not None else None, m,
                                        settings.default_se)
        if (se < settings.min_se).any():
            floored[str(name)] = int((se < settings.min_se).sum())
        se = np.maximum(se, settings.min_se)
        days = all_days[a:b]
        release = m.get("release_date") if m is not None else None
        if release is not None and pd.notna(release):
            release_day, release_from = to_day(release), "table"
        else:
            release_day, release_from = int(days.min()), "first result"
        domain = m.get("domain") if m is not None else None
        if (domain is None or pd.isna(domain)) and domains is not None:
            known = [d for d in domains[a:b] if not pd.isna(d)]
            domain = known[0] if known else None
        test_set = m.get("test_set") if m is not None else None
        out.append(_Bench(str(name), domain, test_set, release_day, release_from, days,
                          scores[a:b], se, source, shown[a:b], ids[a:b]))
    no_release = [b.name for b in out if b.release_from != "table"]
    if no_release:
        warnings.append(f"{len(no_release)} benchmarks have no release date in the benchmark "
                        "table and are dated by their first result: " + ", ".join(no_release))
    if floored:
        warnings.append(f"{sum(floored.values())} standard errors below {settings.min_se} "
                        f"(normalised) were raised to {settings.min_se}: "
                        + ", ".join(f"{k} {v}" for k, v in floored.items()))
    return out, warnings


# --- the saturation test -------------------------------------------------------------------

@dataclass(frozen=True)
class TopTest:
    """Discrimination among the top scores and the saturation call (units of s)."""

    spread: float
    sd: float
    chi2: float
    p_value: float
    z: float
    p_z: float
    indistinguishable: bool
    saturated: bool
    by: str  # "test" when saturated (the only rule), else ""
    near_ceiling: bool = False  # frontier >= saturation_level (reported, not a saturation)


def saturation_test(scores: np.ndarray, se: np.ndarray, settings: LifecycleSettings) -> TopTest:
    """The saturation test on the top scores (best first) and their standard errors.

    The test needs ``settings.min_models`` scores; with fewer a benchmark is not saturated.
    """
    scores, se = np.asarray(scores, dtype=float), np.asarray(se, dtype=float)
    k = len(scores)
    frontier = float(scores[0]) if k else np.nan
    spread = float(scores[0] - scores[-1]) if k >= 2 else np.nan
    sd = float(np.std(scores, ddof=1)) if k >= 2 else np.nan
    q = p = z = p_z = np.nan
    if k >= max(2, settings.min_models):
        # scipy.special, not scipy.stats: the same functions (chi2.sf is chdtrc, norm.sf
        # is ndtr of minus x) without stats' argument handling in this inner loop; here,
        # not at import: the command line starts faster
        from scipy import special

        w = 1.0 / se ** 2
        mean = float(np.sum(w * scores) / np.sum(w))
        q = float(np.sum(w * (scores - mean) ** 2))
        p = 1.0 if q <= 0 else float(special.chdtrc(k - 1, q))  # chi2.sf: 1 at and below 0
        z = float((scores[0] - scores[-1]) / math.hypot(se[0], se[-1]))
        p_z = float(2 * special.ndtr(-abs(z)))
    indistinct = bool(np.isfinite(p) and p >= settings.alpha)
    saturated = bool(indistinct and frontier >= settings.near_ceiling)
    near = bool(np.isfinite(frontier) and frontier >= settings.saturation_level)
    return TopTest(spread, sd, q, p, z, p_z, indistinct, saturated,
                   "test" if saturated else "", near)


@dataclass(frozen=True)
class _Status:
    n: int  # models released by the date
    top: np.ndarray  # indices into the benchmark's arrays, best first
    frontier: float
    test: TopTest

    @property
    def saturated(self) -> bool:
        return self.test.saturated

    @property
    def discriminates(self) -> bool:
        """Top k tested and distinguishable (so not saturated, not low resolution), and the
        frontier below the saturation level (room left to separate the next models)."""
        return bool(np.isfinite(self.test.p_value) and not self.test.indistinguishable
                    and not self.test.near_ceiling)


_NO_TEST = TopTest(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, False, False, "")


def _top(bench: _Bench, upto: int, k: int) -> np.ndarray:
    """Indices of the best k among the first ``upto`` models (ties: earlier, then id)."""
    idx = np.arange(upto)
    order = np.lexsort((bench.id_rank[:upto], bench.days[:upto], -bench.scores[:upto]))
    return idx[order][:k]


def _status_at(bench: _Bench, day: int, settings: LifecycleSettings) -> _Status:
    """The benchmark's status on ``day``: it changes only with the models released by
    then, so it is computed once per number of models (and settings)."""
    upto = int(np.searchsorted(bench.days, day, side="right"))
    key = (upto, settings.top_k, settings.min_models, settings.alpha, settings.near_ceiling,
           settings.saturation_level)  # what the status reads of the settings
    if key not in bench.statuses:
        bench.statuses[key] = _status_of(bench, upto, settings)
    return bench.statuses[key]


def _status_of(bench: _Bench, upto: int, settings: LifecycleSettings) -> _Status:
    if upto == 0:
        return _Status(0, np.array([], dtype=int), np.nan, _NO_TEST)
    top = _top(bench, upto, settings.top_k)
    return _Status(upto, top, float(bench.scores[top[0]]),
                   saturation_test(bench.scores[top], bench.se[top], settings))


def _saturated_since(bench: _Bench, as_of_day: int, settings: LifecycleSettings) -> int | None:
    """First day of the run of saturated status that lasts to T (None if not saturated)."""
    days = np.unique(bench.days[bench.days <= as_of_day])
    since = None
    for d in days:
        if _status_at(bench, int(d), settings).saturated:
            since = int(d) if since is None else since
        else:
            since = None
    return since


def _spread_interval(bench: _Bench, upto: int, observed: float, settings: LifecycleSettings,
                     rng: np.random.Generator) -> tuple[float, float, float]:
    """(low, high, noise bias) of the top-k spread among the first ``upto`` models: a
    parametric bootstrap whose draws are moved by their bias (median - observed) so that
    they centre on the observed spread; the lower end is floored at 0."""
    k = min(settings.top_k, upto)
    if settings.n_draws == 0 or k < 2 or not np.isfinite(observed):
        return np.nan, np.nan, np.nan
    draws = rng.normal(bench.scores[:upto], bench.se[:upto], size=(settings.n_draws, upto))
    part = -np.partition(-draws, k - 1, axis=1)[:, :k]
    spread = part.max(axis=1) - part.min(axis=1)
    bias = float(np.median(spread)) - observed
    tail = (1 - settings.ci) / 2 * 100
    low, high = np.percentile(spread - bias, [tail, 100 - tail])
    return max(0.0, float(low)), float(high), bias


# --- per benchmark -------------------------------------------------------------------------

def _months(a: int, b: int) -> float:
    return (a - b) / DAYS_PER_MONTH


def _recent_start(end: dt.date, months: int) -> int:
    return to_day(pd.Timestamp(end) - pd.DateOffset(months=months))


def _n_recent(bench: _Bench, end_day: int, start_day: int) -> int:
    return int(((bench.days > start_day) & (bench.days <= end_day)).sum())


def benchmark_table(benches: list[_Bench], settings: LifecycleSettings) -> pd.DataFrame:
    """One row per benchmark: crossings, discrimination and saturation as of T."""
    as_of_day = to_day(settings.as_of)
    recent_day = _recent_start(settings.as_of, settings.recent_months)
    retire_day = _recent_start(settings.as_of, settings.retire_months)
    rng = np.random.default_rng(settings.seed)
    rows = []
    for b in benches:
        s = _status_at(b, as_of_day, settings)
        row = dict(benchmark=b.name, domain=b.domain, test_set=b.test_set,
                   release_date=from_day(b.release_day), release_from=b.release_from,
                   n_models=s.n, n_recent=_n_recent(b, as_of_day, recent_day),
                   first_result=from_day(int(b.days.min())),
                   last_result=from_day(int(b.days.max())))
        not_yet, early = [], []
        for x in settings.thresholds:
            lab = _threshold_label(x)
            hit = b.days[b.scores >= x]
            if len(hit):
                day = int(hit.min())
                row[f"reached_{lab}"] = from_day(day)
                row[f"months_to_{lab}"] = max(0.0, _months(day, b.release_day))
                if day < b.release_day:
                    early.append(f"{lab}%")
            else:
                row[f"reached_{lab}"] = None
                row[f"months_to_{lab}"] = np.nan
                not_yet.append(f"{lab}%")
        row["not_yet"] = ", ".join(not_yet)
        top = s.top
        sources = sorted(set(b.se_source[top]))
        low, high, bias = _spread_interval(b, s.n, s.test.spread, settings, rng)
        since = _saturated_since(b, as_of_day, settings) if s.saturated else None
        released = b.release_day <= as_of_day
        t = s.test
        retired = bool(released and s.n > 0 and _n_recent(b, as_of_day, retire_day) == 0)
        if retired:
            status = "retired"
        elif s.saturated:
            status = "saturated"
        elif s.n < settings.min_models:
            status = "too_few_models"
        elif not released:
            status = "not_released"
        elif t.indistinguishable:
            status = "low_resolution"
        elif row["n_recent"] < settings.min_recent:
            status = "dormant"
        elif t.near_ceiling:
            status = "near_ceiling"
        else:
            status = "discriminating"
        row.update(
            frontier=100 * s.frontier, frontier_model=b.names[top[0]] if len(top) else None,
            status=status, retired=retired, saturated=s.saturated, saturated_by=t.by,
            near_ceiling=t.near_ceiling, indistinguishable=t.indistinguishable,
            saturated_since=from_day(since) if since is not None else None,
            months_to_saturation=(max(0.0, _months(since, b.release_day))
                                  if since is not None else np.nan),
            top_k=len(top), top_models="; ".join(map(str, b.names[top])),
            spread=100 * t.spread, spread_ci_low=100 * low, spread_ci_high=100 * high,
            spread_noise_bias=100 * bias,
            sd=100 * t.sd, chi2=t.chi2, p_value=t.p_value, z_best_kth=t.z, p_best_kth=t.p_z,
            se_source=sources[0] if len(sources) == 1 else ("mixed" if sources else ""),
            mean_se=100 * float(np.mean(b.se[top])) if len(top) else np.nan,
            note=(("reached " + ", ".join(early) + " with models released before the "
                   "benchmark") if early else ""),
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    columns = benchmark_columns(settings)
    for c in columns:
        if c not in table:
            table[c] = None
    return table[columns]


def benchmark_columns(settings: LifecycleSettings) -> list[str]:
    crossings = []
    for x in settings.thresholds:
        crossings += [f"reached_{_threshold_label(x)}", f"months_to_{_threshold_label(x)}"]
    return (["benchmark", "domain", "test_set", "release_date", "release_from", "status",
             "retired", "saturated", "saturated_by", "saturated_since", "months_to_saturation",
             "near_ceiling", "indistinguishable", "frontier", "frontier_model"] + crossings
            + ["not_yet", "n_models", "n_recent", "first_result", "last_result", "top_k",
               "top_models", "spread", "spread_ci_low", "spread_ci_high",
               "spread_noise_bias", "sd", "chi2",
               "p_value", "z_best_kth", "p_best_kth", "se_source", "mean_se", "note"])


# --- quarters ------------------------------------------------------------------------------

def quarters(start: str, as_of: dt.date) -> pd.DataFrame:
    """Calendar quarters from ``start`` to the one holding ``as_of`` (which ends at as_of)."""
    first, last = pd.Period(start, "Q"), pd.Period(pd.Timestamp(as_of), "Q")
    rows = []
    for p in pd.period_range(first, last, freq="Q"):
        end = min(p.end_time.date(), as_of)
        rows.append(dict(quarter=str(p), quarter_end=end, partial=end < p.end_time.date()))
    return pd.DataFrame(rows, columns=["quarter", "quarter_end", "partial"])


def discrimination_by_quarter(benches: list[_Bench], settings: LifecycleSettings) -> pd.DataFrame:
    """Quarter x benchmark: released, recent models, saturation, discriminating, weight."""
    grid = quarters(settings.start_quarter, settings.as_of)
    rows = []
    for q in grid.itertuples():
        end_day = to_day(q.quarter_end)
        recent_day = _recent_start(q.quarter_end, settings.recent_months)
        for b in benches:
            s = _status_at(b, end_day, settings)
            released = b.release_day <= end_day
            n_recent = _n_recent(b, end_day, recent_day)
            disc = bool(released and n_recent >= settings.min_recent and s.discriminates)
            rows.append(dict(quarter=q.quarter, quarter_end=q.quarter_end, benchmark=b.name,
                             domain=b.domain, released=released, n_models=s.n,
                             n_recent=n_recent, frontier=100 * s.frontier,
                             spread=100 * s.test.spread, p_value=s.test.p_value,
                             saturated=s.saturated,
                             indistinguishable=s.test.indistinguishable,
                             discriminating=disc,
                             weight=100 * s.test.spread if disc else 0.0))
    return pd.DataFrame(rows, columns=DISCRIMINATION_COLUMNS)


DISCRIMINATION_COLUMNS = ["quarter", "quarter_end", "benchmark", "domain", "released",
                          "n_models", "n_recent", "frontier", "spread", "p_value", "saturated",
                          "indistinguishable", "discriminating", "weight"]


def domain_shares(discrimination: pd.DataFrame, domain_order: list[str]) -> pd.DataFrame:
    """Quarter x domain: discriminating benchmarks, their summed weight and its share."""
    d = discrimination.assign(n=discrimination["discriminating"].astype(int))
    table = d.groupby(["quarter", "domain"], sort=False).agg(
        n_benchmarks=("released", "sum"), n_discriminating=("n", "sum"),
        weight=("weight", "sum")).reset_index()
    total = table.groupby("quarter")["weight"].transform("sum")
    table["share"] = np.where(total > 0, table["weight"] / total.where(total > 0, 1), np.nan)
    order = {dom: i for i, dom in enumerate(domain_order)}
    table["_o"] = table["domain"].map(order)
    return (table.sort_values(["quarter", "_o"]).drop(columns="_o").reset_index(drop=True))


# --- the whole analysis --------------------------------------------------------------------

def compute_lifecycle(long: pd.DataFrame, benchmarks: pd.DataFrame,
                      settings: LifecycleSettings) -> LifecycleResult:
    """Lifecycle of every benchmark as of ``settings.as_of``.

    ``long`` is ``Warehouse.observations()`` (or any frame with model_id, benchmark, score,
    release_date and optionally stderr, raw_score, display_name, version_id, setting,
    domain); ``benchmarks`` is ``Warehouse.benchmarks()`` (benchmark, domain and optionally
    release_date, test_set, transform, random_baseline, ceiling, unit, n_items, domain_ord).
    Neither is modified.
    """
    for column in ("model_id", "benchmark", "score", "release_date"):
        if column not in long:
            raise ConfigError(f"observations lack the column '{column}'")
    if "benchmark" not in benchmarks:
        raise ConfigError("the benchmark table lacks the column 'benchmark'")
    best, warnings = _collapse(long, settings.as_of)
    if best.empty:
        raise ConfigError(f"no dated results released by {settings.as_of}")
    benches, more = _benchmarks(best, benchmarks, settings)
    warnings += more
    table = benchmark_table(benches, settings)
    disc = discrimination_by_quarter(benches, settings)
    if "domain_ord" in benchmarks:
        order = (benchmarks.dropna(subset=["domain"]).sort_values(["domain_ord", "domain"])
                 ["domain"].drop_duplicates().tolist())
    else:
        order = sorted(benchmarks["domain"].dropna().unique()) if "domain" in benchmarks else []
    shares = domain_shares(disc, order)
    focus = focus_shifts(disc, settings, order)
    defaults = table.loc[table["se_source"].isin(["default", "mixed"]), "benchmark"]
    low_res = table.loc[table["status"] == "low_resolution", "benchmark"]
    near = table.loc[table["near_ceiling"].astype(bool) & ~table["saturated"].astype(bool),
                     "benchmark"]
    retired = table.loc[table["retired"].astype(bool), "benchmark"]
    notes = [
        f"{int(table['saturated'].sum())} of {len(table)} benchmarks saturated as of "
        f"{settings.as_of} (top {settings.top_k} indistinguishable at p >= {settings.alpha:g} "
        f"with a frontier of at least {100 * settings.near_ceiling:.0f}%)",
    ]
    if len(retired):
        notes.append(f"{len(retired)} benchmarks retired (no result from a model released in "
                     f"the {settings.retire_months} months to {settings.as_of}; out of the "
                     "current focus): " + ", ".join(retired))
    if len(near):
        notes.append(f"{len(near)} benchmarks have a frontier at or above "
                     f"{100 * settings.saturation_level:.0f}% but top models still apart "
                     "(near ceiling, not saturated): " + ", ".join(near))
    if len(low_res):
        notes.append(f"{len(low_res)} benchmarks have indistinguishable top models but a "
                     f"frontier below {100 * settings.near_ceiling:.0f}% (low resolution, not "
                     "saturated): " + ", ".join(low_res))
    if len(defaults):
        notes.append(f"{len(defaults)} benchmarks test their top models with the default "
                     f"standard error of {100 * settings.default_se:.0f} points for some or all "
                     "scores (no reported stderr, no item count): their saturation calls are "
                     "only as good as that guess")
    notes += list(focus.notes)
    return LifecycleResult(settings=settings, benchmarks=table, discrimination=disc,
                           domains=shares, focus=focus.focus, shifts=focus.shifts,
                           interval=focus.interval, notes=tuple(notes),
                           warnings=tuple(warnings))
