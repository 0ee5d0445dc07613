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
lies under ci_low, *above* when over ci_high.
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


def coverage(design: Design, reps: int, n_draws: int, seed: int = 1,
             **options) -> pd.DataFrame:
    """Per statistic: coverage, miss rates below and above, mean width, share of
    intervals widened, over ``reps`` replications of the measurement noise."""
    rng = np.random.default_rng(seed)
    records = {k: [] for k in STATISTICS}
    widened = {k: 0 for k in STATISTICS}
    for r in range(reps):
        models = planted(replace(design, seed=design.seed + r))
        truth = estimate(models, models["mu"].to_numpy(), design, 0, 0, **options)
        y = models["mu"].to_numpy() + design.sigma * rng.normal(size=len(models))
        row = estimate(models, y, design, n_draws, seed + r, **options)
        for k in STATISTICS:
            low, high = row[f"{k}_ci_low"], row[f"{k}_ci_high"]
            records[k].append((low, high, row[k], truth[k]))
            widened[k] += k in str(row["ci_widened"] or "").split("; ")
    out = []
    for k in STATISTICS:
        arr = np.array(records[k], dtype=float)
        ok = np.isfinite(arr[:, 0]) & np.isfinite(arr[:, 1]) & np.isfinite(arr[:, 3])
        low, high, t = arr[ok, 0], arr[ok, 1], arr[ok, 3]
        out.append(dict(statistic=k, mean_truth=float(np.mean(t)), reps=int(ok.sum()),
                        coverage=float(np.mean((low <= t + 1e-9) & (t - 1e-9 <= high))),
                        miss_below=float(np.mean(t < low - 1e-9)),
                        miss_above=float(np.mean(t > high + 1e-9)),
                        mean_width=float(np.mean(high - low)),
                        mean_estimate=float(np.mean(arr[ok, 2])),
                        widened=widened[k] / reps))
    return pd.DataFrame(out)
