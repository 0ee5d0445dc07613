"""Planted benchmark data for the coverage of the gap's intervals.

One benchmark, open and closed models with release days spread over three years. A
model's true score follows a logistic trend in time, the closed group ``lead_months``
ahead, plus a model-level scatter (models differ beyond their date):

    mu_m = sigmoid(slope * (t_m + lead_g) / 365 - shift + tau * u_m),   u_m ~ N(0, 1)

and the observed score is y_m = mu_m + sigma * e_m, e_m ~ N(0, 1), with sigma reported as
the result's standard error. The models and their true scores are drawn once per design
(seeded by the design's seed plus the replication's number), then the measurement noise is
drawn. The truth of a replication is the plain estimate computed on mu: the gap, horizontal lag and
threshold lag between the models that exist, as a noise-free evaluation would give them.
An interval covers when truth lies in [ci_low, ci_high]; a miss is *below* when the truth
lies under ci_low, *above* when over ci_high. Used by tests/test_gap_intervals.py (a fast
check) and benchmarks/bench_gap_coverage.py (the table in docs/intervals.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from gaplens.analysis.gap import GapSettings, compute_gap
from gaplens.analysis.observations import Observations
from gaplens.types import OpenDefinition

BASE = dt.date(2023, 1, 1)
DOMAINS = pd.DataFrame({"domain": ["d"], "label": ["D"], "ord": [1]})
BENCHMARKS = pd.DataFrame({"benchmark": ["B"], "domain": ["d"], "test_set": ["public"],
                           "unit": ["fraction"], "transform": ["linear"],
                           "random_baseline": [0.0], "ceiling": [1.0]})
STATISTICS = ("gap", "lag_months", "lag_threshold_months")


@dataclass(frozen=True)
class Design:
    n_open: int = 15
    n_closed: int = 25
    span_days: int = 1100
    lead_months: float = 6.0
    slope: float = 1.2
    shift: float = 2.5
    tau: float = 0.35
    sigma: float = 0.02
    seed: int = 0


def planted(design: Design) -> pd.DataFrame:
    """Models with release days and true scores (columns model_id, group, day, mu)."""
    rng = np.random.default_rng(design.seed)
    rows = []
    for group, n in (("open", design.n_open), ("closed", design.n_closed)):
        days = np.sort(rng.integers(0, design.span_days, size=n))
        lead = design.lead_months * 30.44 if group == "closed" else 0.0
        x = design.slope * (days + lead) / 365.0 - design.shift + design.tau * rng.normal(size=n)
        mu = 1.0 / (1.0 + np.exp(-x))
        rows += [dict(model_id=f"{group[0]}{i}", group=group, day=int(d), mu=float(m))
                 for i, (d, m) in enumerate(zip(days, mu))]
    return pd.DataFrame(rows)


def observations(models: pd.DataFrame, scores: np.ndarray, sigma: float,
                 as_of: dt.date) -> Observations:
    frame = pd.DataFrame({
        "model_id": models["model_id"], "display_name": models["model_id"],
        "group": models["group"], "benchmark": "B", "domain": "d",
        "score": scores, "raw_score": scores, "stderr": sigma,
        "release_date": pd.to_datetime([BASE + dt.timedelta(days=int(d))
                                        for d in models["day"]]).astype("datetime64[s]"),
    })
    return Observations(frame=frame, open_definition=OpenDefinition.OPEN_WEIGHTS, as_of=as_of)


def estimate(models: pd.DataFrame, scores: np.ndarray, design: Design, n_draws: int,
             seed: int, **options) -> pd.Series:
    as_of = BASE + dt.timedelta(days=int(models["day"].max()))
    settings = GapSettings(as_of=as_of, by="benchmark", n_draws=n_draws, seed=seed,
                           min_models=1, recent_months=120, **options)
    obs = observations(models, scores, design.sigma, as_of)
    return compute_gap(obs, settings, DOMAINS, BENCHMARKS).table.iloc[0]


def replicate(design: Design, reps: int, n_draws: int, seed: int = 1,
              **options) -> pd.DataFrame:
    """One row per replication and statistic: truth, estimate, ci_low, ci_high, widened."""
    rng = np.random.default_rng(seed)
    out = []
    for r in range(reps):
        models = planted(replace(design, seed=design.seed + r))
        truth = estimate(models, models["mu"].to_numpy(), design, 0, 0, **options)
        y = models["mu"].to_numpy() + design.sigma * rng.normal(size=len(models))
        row = estimate(models, y, design, n_draws, seed + r, **options)
        for k in STATISTICS:
            out.append(dict(rep=r, statistic=k, truth=float(truth[k]), estimate=float(row[k]),
                            ci_low=float(row[f"{k}_ci_low"]), ci_high=float(row[f"{k}_ci_high"]),
                            widened=k in str(row["ci_widened"] or "").split("; ")))
    return pd.DataFrame(out)


def summarise(records: pd.DataFrame) -> pd.DataFrame:
    """Per statistic: coverage, miss rates below and above, mean width, share of
    intervals widened (replications where truth or interval is undefined are left out
    and counted in ``reps``)."""
    ok = records[["truth", "ci_low", "ci_high"]].notna().all(axis=1)
    r = records.loc[ok]
    eps = 1e-9
    return pd.DataFrame({
        "reps": r.groupby("statistic").size(),
        "coverage": ((r.ci_low <= r.truth + eps) & (r.truth - eps <= r.ci_high))
        .groupby(r.statistic).mean(),
        "miss_below": (r.truth < r.ci_low - eps).groupby(r.statistic).mean(),
        "miss_above": (r.truth > r.ci_high + eps).groupby(r.statistic).mean(),
        "mean_width": (r.ci_high - r.ci_low).groupby(r.statistic).mean(),
        "mean_truth": r.groupby("statistic").truth.mean(),
        "mean_estimate": r.groupby("statistic").estimate.mean(),
        "widened": r.groupby("statistic").widened.mean(),
    }).reindex(list(STATISTICS))


def coverage(design: Design, reps: int, n_draws: int, seed: int = 1,
             **options) -> pd.DataFrame:
    """:func:`summarise` of :func:`replicate`."""
    return summarise(replicate(design, reps, n_draws, seed, **options))
