"""Simulated and hand-built data for the capability-index tests.

Small long tables are built by hand (``long_table``) with the columns of
``Warehouse.observations()``; larger ones are simulated from known parameters with the
item-response model y = sigmoid(alpha (C - D)) written out here (``sigmoid`` is
1 / (1 + exp(-x)); the library uses the tanh form) plus seeded Gaussian noise, so the
truth every estimate is compared with is known.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from gaplens.analysis.capability import IndexFit, IndexSettings, build_data, fit_index

MONTH = 365.2425 / 12

COLUMNS = ["version_id", "model_id", "display_name", "organization", "country",
           "accessibility", "version_setting", "setting", "release_date", "model_release_date",
           "benchmark", "domain", "test_set", "optimized_for", "raw_score", "score", "stderr",
           "source_file", "source_row", "retrieved_on"]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def long_table(rows, domains: dict | None = None) -> pd.DataFrame:
    """rows: (model, benchmark, score[, release date[, version]])."""
    domains = domains or {}
    out = []
    for i, row in enumerate(rows):
        model, bench, score = row[:3]
        date = pd.Timestamp(row[3] if len(row) > 3 else "2024-06-01")
        version = row[4] if len(row) > 4 else f"{model}@v1"
        out.append({
            "version_id": version, "model_id": model, "display_name": model,
            "organization": "Org", "country": "Nowhere", "accessibility": "API access",
            "version_setting": "", "setting": "", "release_date": date,
            "model_release_date": date, "benchmark": bench,
            "domain": domains.get(bench, "knowledge"), "test_set": "public",
            "optimized_for": False, "raw_score": score, "score": score, "stderr": np.nan,
            "source_file": "test.csv", "source_row": i + 2,
            "retrieved_on": pd.Timestamp("2026-01-01")})
    return pd.DataFrame(out, columns=COLUMNS)


def bench_table(names, domains: dict | None = None, units: dict | None = None) -> pd.DataFrame:
    domains, units = domains or {}, units or {}
    return pd.DataFrame({"benchmark": list(names),
                         "domain": [domains.get(b, "knowledge") for b in names],
                         "unit": [units.get(b, "fraction") for b in names]})


def small_settings(**kw) -> IndexSettings:
    values = dict(anchor_benchmark="Anchor", anchor_low="Low", anchor_high="High", n_draws=0)
    values.update(kw)
    return IndexSettings(**values)


GRID_BENCHES = ["Anchor", "B1", "B2", "B3", "B4"]
GRID_MODELS = ["Low", "High", "M3", "M4", "M5"]


def grid_rows(models=GRID_MODELS, benches=GRID_BENCHES, date="2024-06-01"):
    """Every model on every benchmark, scores varying over both (strictly inside (0, 1))."""
    return [(m, b, round(0.1 + 0.15 * i + 0.03 * j, 3), date)
            for i, m in enumerate(models) for j, b in enumerate(benches)]



# --- simulation --------------------------------------------------------------------------------


@dataclasses.dataclass
class Sim:
    capability: dict  # model -> true C
    difficulty: np.ndarray
    slope: np.ndarray
    benches: list
    domains: dict
    rows: list
    long: pd.DataFrame
    bench: pd.DataFrame

    def true_index(self, models, low="Low", high="High", v_low=130.0, v_high=150.0):
        c = np.array([self.capability[m] for m in models])
        cl, ch = self.capability[low], self.capability[high]
        return v_low + (v_high - v_low) * (c - cl) / (ch - cl)


def simulate(seed: int, n_models: int = 60, n_bench: int = 16, p_obs: float = 0.6,
             noise: float = 0.03, specialists=(), shift: float = 0.0,
             anchors_skip: str | None = None, extra_sparse: bool = False) -> Sim:
    """C ~ N(0, 1.5) (Low = -0.5, High = 1.0), D ~ N(0, 1.5), alpha ~ exp(N(0.3, 0.3));
    benchmark B00 is the anchor (D = 0, alpha = 1). B00-B07 are 'knowledge', B08-B15
    'maths'. Each model sees each benchmark with probability ``p_obs`` (always B00; the
    two anchor models see everything, except the domain ``anchors_skip``). Specialists
    have capability C + ``shift`` on maths benchmarks only."""
    rng = np.random.default_rng(seed)
    c = rng.normal(0.0, 1.5, n_models)
    d = rng.normal(0.0, 1.5, n_bench)
    a = np.exp(rng.normal(0.3, 0.3, n_bench))
    d[0], a[0] = 0.0, 1.0
    names = [f"M{i:02d}" for i in range(n_models)]
    names[0], names[1] = "Low", "High"
    c[0], c[1] = -0.5, 1.0
    benches = [f"B{j:02d}" for j in range(n_bench)]
    domains = {b: ("knowledge" if j < n_bench // 2 else "maths") for j, b in enumerate(benches)}
    rows = []
    for i in range(n_models):
        seen = rng.random(n_bench) < p_obs
        seen[0] = True
        if i < 2:
            seen[:] = True
            if anchors_skip:
                seen &= np.array([domains[b] != anchors_skip for b in benches])
        for j in range(n_bench):
            if not seen[j]:
                continue
            ci = c[i] + (shift if (i in specialists and domains[benches[j]] == "maths") else 0)
            y = sigmoid(a[j] * (ci - d[j])) + rng.normal(0.0, noise)
            rows.append((names[i], benches[j], float(np.clip(y, 0.0, 1.0))))
    capability = dict(zip(names, c))
    if extra_sparse:  # a model with 3 results: below min_benchmarks, outside the fit
        capability["Sparse"] = 0.3
        for j in (0, 3, 9):
            y = sigmoid(a[j] * (0.3 - d[j])) + rng.normal(0.0, noise)
            rows.append(("Sparse", benches[j], float(np.clip(y, 0.0, 1.0))))
    return Sim(capability, d, a, benches, domains, rows, long_table(rows, domains),
               bench_table(benches, domains))


def sim_settings(**kw) -> IndexSettings:
    values = dict(anchor_benchmark="B00", anchor_low="Low", anchor_high="High", n_draws=100,
                  seed=0)
    values.update(kw)
    return IndexSettings(**values)


def fit_sim(sim: Sim, **kw) -> IndexFit:
    settings = sim_settings(**kw)
    return fit_index(build_data(sim.long, sim.bench, settings), settings)



def simulate_two_factors(seed: int, spread2: float = 1.2, n_models: int = 80,
                         n_bench: int = 16, p_obs: float = 0.8, noise: float = 0.02):
    """y = sigmoid(a1 g + a2 s + e): benchmarks B00-B07 ('agentic') load +spread2 on the
    second axis, B08-B15 ('maths') -spread2. Open models are those with s > 0."""
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 1.5, n_models)
    s = rng.normal(0, 1.0, n_models)
    a1 = np.exp(rng.normal(0.0, 0.2, n_bench))
    e = rng.normal(0, 1.0, n_bench)
    sign = np.where(np.arange(n_bench) < n_bench // 2, 1.0, -1.0)
    names = [f"M{i:02d}" for i in range(n_models)]
    names[0], names[1] = "Low", "High"
    g[0], g[1] = -0.5, 1.0
    benches = [f"B{j:02d}" for j in range(n_bench)]
    domains = {b: ("agentic" if sign[j] > 0 else "maths") for j, b in enumerate(benches)}
    rows = []
    for i in range(n_models):
        seen = rng.random(n_bench) < p_obs
        seen[0] = True
        for j in range(n_bench):
            if seen[j]:
                y = sigmoid(a1[j] * g[i] + spread2 * sign[j] * s[i] + e[j]) + rng.normal(0, noise)
                rows.append((names[i], benches[j], float(np.clip(y, 0, 1))))
    settings = sim_settings(n_draws=0)
    data = build_data(long_table(rows, domains), bench_table(benches, domains), settings)
    second = dict(zip(names, s))
    groups = np.array(["open" if second[m] > 0 else "closed" for m in data.models["model_id"]],
                      dtype=object)
    return data, settings, groups, domains
