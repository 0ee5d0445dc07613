"""The capability-index layer: data preparation, fit and display scale, storage, domain
indices, comparisons and predictions, latent factors, and golden results on the bundled
data.

Small long tables are built by hand (``long_table``) with the columns of
``Warehouse.observations()``; larger ones are simulated from known parameters with the
item-response model y = sigmoid(alpha (C - D)) written out here (``sigmoid`` below is
1 / (1 + exp(-x)); the library uses the tanh form) plus seeded Gaussian noise, so the
truth every estimate is compared with is known. tests/test_irt.py covers the numerical
engine itself; nothing here re-tests the solver.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import spearmanr

from gaplens import api
from gaplens.analysis import capability as cap
from gaplens.analysis.capability import IndexFit, IndexSettings, build_data, fit_index
from gaplens.analysis.domain_index import project_domain, refit_domain
from gaplens.analysis.factors import factor_analysis, heldout
from gaplens.analysis.index_queries import compare, predict
from gaplens.errors import ConfigError, StoreError, UnknownNameError
from gaplens.models import irt
from gaplens.models.scale import DisplayMap
from gaplens.store import Warehouse

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


# --- A. build_data ----------------------------------------------------------------------------


def test_build_data_keeps_a_clean_grid_without_warnings():
    data = build_data(long_table(grid_rows()), bench_table(GRID_BENCHES), small_settings())
    assert data.warnings == ()
    assert sorted(data.models["model_id"]) == sorted(GRID_MODELS)
    assert sorted(data.benchmarks["benchmark"]) == sorted(GRID_BENCHES)
    assert data.data.n_obs == 25
    assert data.benchmarks.set_index("benchmark").loc["Anchor", "is_anchor"]
    assert data.benchmarks["benchmark"].iloc[data.data.anchor] == "Anchor"


def test_models_with_too_few_benchmarks_are_dropped_with_their_count():
    rows = grid_rows() + [("Thin1", b, 0.5) for b in GRID_BENCHES[:3]] + [
        ("Thin2", b, 0.4) for b in GRID_BENCHES[1:4]]
    data = build_data(long_table(rows), bench_table(GRID_BENCHES), small_settings())
    assert "Thin1" not in set(data.models["model_id"])
    assert "Thin2" not in set(data.models["model_id"])
    assert len(data.models) == 5 and data.data.n_obs == 25
    assert any(w.startswith("2 models with fewer than 4 benchmarks") for w in data.warnings)
    # with min_benchmarks=3 both stay
    data3 = build_data(long_table(rows), bench_table(GRID_BENCHES),
                       small_settings(min_benchmarks=3))
    assert {"Thin1", "Thin2"} <= set(data3.models["model_id"])


def test_benchmarks_without_variation_are_dropped_by_name():
    benches = GRID_BENCHES + ["AllZero", "AllOne", "NearZero", "Varied"]
    rows = grid_rows()
    for i, m in enumerate(GRID_MODELS):
        rows += [(m, "AllZero", 0.0), (m, "AllOne", 1.0), (m, "NearZero", 0.0005),
                 (m, "Varied", 0.0 if i else 0.01)]
    data = build_data(long_table(rows), bench_table(benches), small_settings())
    kept = set(data.benchmarks["benchmark"])
    # 0.0005 <= clip_eps (0.001): no variation once clipped; max 0.01 is variation
    assert kept == set(GRID_BENCHES) | {"Varied"}
    flat = [w for w in data.warnings if "without variation" in w]
    assert len(flat) == 1
    for name in ("AllZero", "AllOne", "NearZero"):
        assert name in flat[0]
    assert "Varied" not in flat[0]


def test_benchmark_with_one_model_is_dropped_by_name():
    rows = grid_rows() + [("M3", "Solo", 0.4)]
    data = build_data(long_table(rows), bench_table(GRID_BENCHES + ["Solo"]), small_settings())
    assert "Solo" not in set(data.benchmarks["benchmark"])
    assert any("fewer than 2 models" in w and "Solo" in w for w in data.warnings)
    assert data.data.n_obs == 25


def test_block_disconnected_from_the_anchor_is_dropped_with_a_warning():
    island = ["Z1", "Z2", "Z3", "Z4"]
    rows = grid_rows() + grid_rows(models=["X1", "X2"], benches=island)
    data = build_data(long_table(rows), bench_table(GRID_BENCHES + island), small_settings())
    assert set(data.models["model_id"]) == set(GRID_MODELS)
    assert set(data.benchmarks["benchmark"]) == set(GRID_BENCHES)
    warning = [w for w in data.warnings if "share no model" in w]
    assert len(warning) == 1
    assert warning[0].startswith("4 benchmarks and 2 models")
    assert all(z in warning[0] for z in island)


def test_release_window_since_and_as_of_are_inclusive():
    rows = (grid_rows()
            + grid_rows(models=["Early"], date="2022-12-31")
            + grid_rows(models=["OnSince"], date="2023-01-01")
            + grid_rows(models=["OnAsOf"], date="2025-03-31")
            + grid_rows(models=["Late"], date="2025-04-01"))
    data = build_data(long_table(rows), bench_table(GRID_BENCHES),
                      small_settings(as_of=dt.date(2025, 3, 31)))
    assert set(data.models["model_id"]) == set(GRID_MODELS) | {"OnSince", "OnAsOf"}
    # the results are filtered by their own date: a model with results on both sides of
    # the cut keeps only those inside (and here falls below 4 benchmarks)
    split = [("Split", b, 0.5, "2022-06-01" if j < 2 else "2024-01-01")
             for j, b in enumerate(GRID_BENCHES)]
    data = build_data(long_table(grid_rows() + split), bench_table(GRID_BENCHES),
                      small_settings())
    assert "Split" not in set(data.models["model_id"])
    data = build_data(long_table(grid_rows() + split), bench_table(GRID_BENCHES),
                      small_settings(min_benchmarks=3))
    assert data.models.set_index("model_id").loc["Split", "n_benchmarks"] == 3


def test_best_score_over_versions_is_used():
    rows = grid_rows() + [("M3", "B1", 0.95, "2024-07-01", "M3@v2")]
    data = build_data(long_table(rows), bench_table(GRID_BENCHES), small_settings())
    obs = data.obs.set_index(["model_id", "benchmark"])
    assert obs.loc[("M3", "B1"), "score"] == 0.95
    assert obs.loc[("M3", "B1"), "version_id"] == "M3@v2"
    assert data.data.n_obs == 25


def test_elo_and_minutes_benchmarks_are_left_out_by_default():
    rows = grid_rows() + [(m, "Arena", 0.2 + 0.1 * i) for i, m in enumerate(GRID_MODELS)]
    units = {"Arena": "elo"}
    data = build_data(long_table(rows), bench_table(GRID_BENCHES + ["Arena"], units=units),
                      small_settings())
    assert "Arena" not in set(data.benchmarks["benchmark"])


def test_missing_anchor_benchmark_names_it_and_the_alternatives():
    with pytest.raises(ConfigError) as info:
        build_data(long_table(grid_rows()), bench_table(GRID_BENCHES),
                   small_settings(anchor_benchmark="Nope"))
    message = str(info.value)
    assert "'Nope'" in message
    for name in GRID_BENCHES:
        assert name in message


def test_anchor_benchmark_left_without_data_is_a_config_error():
    rows = [r for r in grid_rows() if r[1] != "Anchor"] + [(m, "Anchor", 1.0)
                                                             for m in GRID_MODELS]
    with pytest.raises(ConfigError, match="'Anchor'"):
        build_data(long_table(rows), bench_table(GRID_BENCHES), small_settings())


def test_data_hash_follows_the_scores_not_the_row_order():
    rows = grid_rows()
    base = build_data(long_table(rows), bench_table(GRID_BENCHES), small_settings()).data_hash
    shuffled = long_table(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert build_data(shuffled, bench_table(GRID_BENCHES), small_settings()).data_hash == base
    changed = list(rows)
    changed[7] = changed[7][:2] + (changed[7][2] + 0.01,) + changed[7][3:]
    assert build_data(long_table(changed), bench_table(GRID_BENCHES),
                      small_settings()).data_hash != base
    # a worse duplicate of a used result changes nothing that the fit sees
    worse = rows + [(rows[7][0], rows[7][1], rows[7][2] - 0.05, "2024-07-01", "v-worse")]
    assert build_data(long_table(worse), bench_table(GRID_BENCHES),
                      small_settings()).data_hash == base


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


@pytest.fixture(scope="module")
def sim1():
    return simulate(1, extra_sparse=True)


@pytest.fixture(scope="module")
def sim1_fit(sim1):
    return fit_sim(sim1)


# --- B. fit_index, display scale, storage ------------------------------------------------------


def test_anchor_models_sit_exactly_at_their_values_without_interval(sim1_fit):
    models = sim1_fit.models.set_index("model_id")
    assert models.loc["Low", "index"] == pytest.approx(130.0, abs=1e-9)
    assert models.loc["High", "index"] == pytest.approx(150.0, abs=1e-9)
    for name in ("Low", "High"):
        assert models.loc[name, "is_anchor"]
        assert np.isnan(models.loc[name, ["index_ci_low", "index_ci_high", "index_se"]]
                        .to_numpy(float)).all()
    assert models["is_anchor"].sum() == 2
    others = models.loc[~models["is_anchor"]]
    assert np.isfinite(others[["index_ci_low", "index_ci_high"]].to_numpy(float)).all()
    # in every usable bootstrap draw too (each draw has its own map)
    draws = sim1_fit.index_draws()
    low, high = sim1_fit.model_position("Low"), sim1_fit.model_position("High")
    assert draws.shape[0] == 100 - sim1_fit.failed_draws
    assert np.allclose(draws[:, low], 130.0, atol=1e-8)
    assert np.allclose(draws[:, high], 150.0, atol=1e-8)


def test_display_map_is_the_closed_form_affine_map(sim1_fit):
    fit = sim1_fit
    raw = fit.draws.capability
    low, high = fit.model_position("Low"), fit.model_position("High")
    b = 20.0 / (raw[:, high] - raw[:, low])
    a = 130.0 - b * raw[:, low]
    use = fit.ok
    assert fit.display.b[use] == pytest.approx(b[use], rel=1e-12)
    assert fit.display.a[use] == pytest.approx(a[use], rel=1e-12)
    models, benches = fit.models, fit.benchmarks
    assert models["index"].to_numpy() == pytest.approx(a[0] + b[0] * models["capability"])
    assert benches["edi"].to_numpy() == pytest.approx(a[0] + b[0] * benches["difficulty"])
    assert benches["slope_scaled"].to_numpy() == pytest.approx(benches["slope"] / b[0])
    # the map leaves every prediction unchanged
    mi = np.arange(len(models)).repeat(len(benches))
    bi = np.tile(np.arange(len(benches)), len(models))
    on_display = sigmoid(benches["slope_scaled"].to_numpy()[bi]
                         * (models["index"].to_numpy()[mi] - benches["edi"].to_numpy()[bi]))
    on_raw = sigmoid(benches["slope"].to_numpy()[bi]
                     * (models["capability"].to_numpy()[mi] - benches["difficulty"].to_numpy()[bi]))
    assert on_display == pytest.approx(on_raw, abs=1e-12)


def test_fit_recovers_the_simulated_ranking(sim1, sim1_fit):
    models = sim1_fit.models
    truth = sim1.true_index(models["model_id"])
    assert "Sparse" not in set(models["model_id"])
    assert len(models) == 60
    assert spearmanr(models["index"], truth)[0] > 0.98
    assert np.median(np.abs(models["index"] - truth)) < 1.5  # points; anchors 20 apart


def test_interval_coverage_of_the_true_values_is_plausible(sim1, sim1_fit):
    """58 non-anchor models, 90 % intervals from 100 draws. If each interval covered with
    probability 0.9 independently, the covered count would be Binomial(58, 0.9): mean 52.2,
    sd 2.3, so >= 0.75 (43.5 models) is ~4 sd below it. The intervals are correlated (one
    shared scale) and a model-stratified bootstrap of 4-16 results per model undercovers
    somewhat, which the wide lower bound allows for (seeds 0-9 give 0.86-0.95). Coverage of
    all 58 would have probability 0.9^58 ~ 0.002: the upper bound catches intervals that
    are too wide, as does the width bound."""
    m = sim1_fit.models.loc[~sim1_fit.models["is_anchor"]]
    truth = sim1.true_index(m["model_id"])
    inside = (truth >= m["index_ci_low"]) & (truth <= m["index_ci_high"])
    assert 0.75 <= inside.mean() <= 0.99
    assert (m["index_ci_high"] - m["index_ci_low"]).median() < 8.0


def test_missing_anchor_model_is_a_config_error_naming_it(sim1):
    data = build_data(sim1.long, sim1.bench, sim_settings(anchor_low="Nobody"))
    with pytest.raises(ConfigError, match="'Nobody'"):
        fit_index(data, sim_settings(anchor_low="Nobody", n_draws=0))
    # an anchor with results, but too few to be in the fit, is also missing
    settings = sim_settings(anchor_high="Sparse", n_draws=0)
    with pytest.raises(ConfigError, match="'Sparse'"):
        fit_index(build_data(sim1.long, sim1.bench, settings), settings)


def test_inverted_anchor_models_are_a_config_error(sim1):
    settings = sim_settings(anchor_low="High", anchor_high="Low", n_draws=0)
    with pytest.raises(ConfigError, match="not above"):
        fit_index(build_data(sim1.long, sim1.bench, settings), settings)


def test_failed_draws_are_counted_warned_and_left_out(sim1, monkeypatch):
    """Draws 3 and 7 are made to 'not converge'; the two anchors are moved close together
    (0.40 and 0.45) so that some draws invert them. Both kinds must be counted once."""
    rows = [r for r in sim1.rows if r[0] not in ("Low", "High")]
    rng = np.random.default_rng(5)
    for name, c in (("Low", 0.40), ("High", 0.45)):
        for j, b in enumerate(sim1.benches):
            if j in (0, 2, 5, 9, 12):
                y = sigmoid(sim1.slope[j] * (c - sim1.difficulty[j])) + rng.normal(0, 0.08)
                rows.append((name, b, float(np.clip(y, 0, 1))))
    long = long_table(rows, sim1.domains)
    original = irt.fit

    def flaky(data, reg, weights=None, **kw):
        out = original(data, reg, weights=weights, **kw)
        if weights is None:
            return out
        converged = np.ones(len(out.converged), dtype=bool)
        converged[[2, 6]] = False  # bootstrap draws 3 and 7 (row 0 is the central fit)
        return dataclasses.replace(out, converged=converged)

    monkeypatch.setattr(irt, "fit", flaky)
    settings = sim_settings(n_draws=60)
    data = build_data(long, sim1.bench, settings)
    fit = fit_index(data, settings)  # the central fit keeps High above Low
    raw = fit.draws.capability
    low, high = fit.model_position("Low"), fit.model_position("High")
    inverted = set(np.flatnonzero(raw[1:, high] - raw[1:, low] <= 1e-9) + 1)
    not_converged = {3, 7}
    assert inverted, "construction error: no draw inverted the anchors"
    expected_failed = not_converged | inverted
    assert fit.failed_draws == len(expected_failed)
    assert set(np.flatnonzero(~fit.ok)) == expected_failed
    assert fit.index_draws().shape[0] == 60 - len(expected_failed)
    message = [w for w in fit.warnings if "bootstrap draws failed" in w]
    assert len(message) == 1
    assert message[0].startswith(f"{len(expected_failed)} of 60 bootstrap draws failed")
    assert "(2 did not converge" in message[0]
    assert f"{len(inverted - not_converged)} had inverted anchors" in message[0]
    # the intervals use the usable draws only: recompute one by hand
    k = fit.model_position("M05")
    usable = sorted(set(range(1, 61)) - expected_failed)
    level = fit.display.a[usable] + fit.display.b[usable] * raw[usable, k]
    lo, hi = np.quantile(level, [0.05, 0.95])
    assert fit.models.loc[k, "index_ci_low"] == pytest.approx(lo)
    assert fit.models.loc[k, "index_ci_high"] == pytest.approx(hi)


def _assert_same_fit(a: IndexFit, b: IndexFit) -> None:
    for name in ("capability", "difficulty", "slope"):
        np.testing.assert_array_equal(getattr(a.draws, name), getattr(b.draws, name))
    np.testing.assert_array_equal(a.display.a, b.display.a)
    np.testing.assert_array_equal(a.display.b, b.display.b)
    np.testing.assert_array_equal(a.display.ok, b.display.ok)
    np.testing.assert_array_equal(a.ok, b.ok)
    pd.testing.assert_frame_equal(a.models.reset_index(drop=True),
                                  b.models.reset_index(drop=True))
    pd.testing.assert_frame_equal(a.benchmarks.reset_index(drop=True),
                                  b.benchmarks.reset_index(drop=True))
    pd.testing.assert_frame_equal(a.obs.reset_index(drop=True), b.obs.reset_index(drop=True))
    assert a.settings == b.settings
    assert (a.data_hash, a.warnings, a.created_at) == (b.data_hash, b.warnings, b.created_at)


def test_storage_round_trip_is_exact(sim1_fit, tmp_path):
    path = str(tmp_path / "store.duckdb")
    with Warehouse(path) as warehouse:
        assert warehouse.load_fit() is None
        warehouse.save_fit(cap.to_frames(sim1_fit))
    with Warehouse(path, read_only=True) as warehouse:
        back = cap.from_frames(warehouse.load_fit())
    assert back is not None
    _assert_same_fit(sim1_fit, back)
    assert back.failed_draws == sim1_fit.failed_draws and back.n_draws == 100


def test_saving_on_a_read_only_warehouse_is_a_store_error(sim1_fit, bundled_db):
    with Warehouse(bundled_db, read_only=True) as warehouse:
        with pytest.raises(StoreError, match="read-only"):
            warehouse.save_fit(cap.to_frames(sim1_fit))
        assert warehouse.load_fit() is None


def test_a_second_save_replaces_the_whole_first_fit(sim1, sim1_fit, tmp_path):
    path = str(tmp_path / "store.duckdb")
    second = fit_sim(sim1, n_draws=20, seed=4)
    with Warehouse(path) as warehouse:
        warehouse.save_fit({**cap.to_frames(sim1_fit), "extra": pd.DataFrame({"x": [1]})})
        warehouse.save_fit(cap.to_frames(second))
        frames = warehouse.load_fit()
    assert "extra" not in frames
    back = cap.from_frames(frames)
    assert back.n_draws == 20 and back.settings.seed == 4
    _assert_same_fit(second, back)


def test_a_save_that_fails_midway_keeps_the_previous_fit(sim1_fit, tmp_path):
    path = str(tmp_path / "store.duckdb")
    with Warehouse(path) as warehouse:
        warehouse.save_fit(cap.to_frames(sim1_fit))
        before = warehouse.load_fit()
        broken = {**cap.to_frames(sim1_fit), 'zz"bad': pd.DataFrame({"x": [1]})}
        with pytest.raises(StoreError):
            warehouse.save_fit(broken)
    with Warehouse(path, read_only=True) as warehouse:
        after = warehouse.load_fit()
    assert sorted(after) == sorted(before)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_settings_survive_a_dict_round_trip():
    settings = IndexSettings(regularisation="epoch", benchmarks="epoch", min_benchmarks=5,
                             since=dt.date(2024, 2, 1), as_of=dt.date(2025, 1, 31), n_draws=7,
                             seed=3, ci=0.8)
    values = settings.to_dict()
    assert values["since"] == "2024-02-01" and values["as_of"] == "2025-01-31"
    assert IndexSettings.from_dict(values) == settings
    with pytest.raises(ConfigError, match="regularisation"):
        IndexSettings(regularisation="huge")
    with pytest.raises(ConfigError):
        IndexSettings(anchor_low="GPT-5", anchor_high="GPT-5")


# --- C. domain indices -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim3_fit():
    return fit_sim(simulate(3))


def test_projected_domain_index_agrees_with_the_general_one_on_1d_data(sim3_fit):
    """Data from a one-dimensional model: the maths index (about 5 results per model, noise
    sd 0.03) must agree with the general index on its scale. Tolerances: |median relative|
    < 0.5 and median |relative| < 1.0 point (20 points between the anchors); seeds 3-8 give
    |median| <= 0.1 and median |.| 0.3-0.6."""
    result = project_domain(sim3_fit, "maths")
    assert result.mode == "project"
    assert "general index scale" in result.scale
    table = result.table
    assert (table["mode"] == "project").all() and (table["domain"] == "maths").all()
    general = sim3_fit.models.set_index("model_id")["index"]
    assert table["general_index"].to_numpy() == pytest.approx(
        general.loc[table["model_id"]].to_numpy())
    assert table["relative"].to_numpy() == pytest.approx(
        (table["index"] - table["general_index"]).to_numpy())
    assert abs(table["relative"].median()) < 0.5
    assert table["relative"].abs().median() < 1.0
    assert spearmanr(table["index"], table["general_index"])[0] > 0.98
    contains = (table["relative_ci_low"] <= 0) & (table["relative_ci_high"] >= 0)
    assert contains.mean() >= 0.8
    assert set(result.benchmarks) == {f"B{j:02d}" for j in range(8, 16)}


def test_specialists_stand_out_on_their_domain(monkeypatch):
    """Eight models of middling capability (|C| < 1.2) get +2.5 raw capability on maths
    benchmarks only. Their maths index must sit above their general index, and the group's
    mean relative position, computed per draw, must have an interval above 0."""
    base = simulate(3)
    specialists = [i for i in range(2, 60) if abs(base.capability[f"M{i:02d}"]) < 1.2][:8]
    sim = simulate(3, p_obs=0.8, specialists=set(specialists), shift=2.5)
    fit = fit_sim(sim)
    seen = {}
    original = irt.project

    def spy(*args, **kw):  # records which projections converged; changes nothing
        out = original(*args, **kw)
        seen["converged"] = out[1]
        return out

    monkeypatch.setattr(irt, "project", spy)
    result = project_domain(fit, "maths")
    good = seen["converged"][1:].all(axis=1)  # draws the projection kept
    assert len(result.draws) == good.sum() >= 90
    table = result.table.set_index("model_id")
    names = [f"M{i:02d}" for i in specialists]
    assert (table.loc[names, "relative"] > 0).all()
    assert (table.loc[names, "relative_ci_low"] > 0).sum() >= 7
    others = table.drop(index=names)
    assert others["relative"].median() < 0.5
    assert (others["relative_ci_low"] > 0).mean() < 0.1
    # group mean of (domain - general) per draw: the projection's draws are the fit's
    # usable draws whose projection converged, models in sorted id order
    ids = np.sort(table.index.to_numpy())
    rows = np.flatnonzero(fit.ok)[1:][good]
    general = fit.display.level(fit.draws.capability)[rows][
        :, [fit.model_position(m) for m in ids]]
    cols = [int(np.searchsorted(ids, n)) for n in names]
    group = (result.draws[:, cols] - general[:, cols]).mean(axis=1)
    assert np.quantile(group, 0.05) > 0


def test_refit_mode_is_labelled_not_comparable(sim3_fit):
    result = refit_domain(sim3_fit, "maths", n_draws=10)
    assert result.mode == "refit"
    assert "not comparable" in result.scale
    assert "mapped by Low = 130 and High = 150" in result.scale
    table = result.table.set_index("model_id")
    assert (table["mode"] == "refit").all()
    # the domain's own fit is mapped by the same anchors, so they sit at their values
    assert table.loc["Low", "index"] == pytest.approx(130.0)
    assert table.loc["High", "index"] == pytest.approx(150.0)
    assert result.anchor_benchmark in result.benchmarks


def test_refit_without_both_anchors_in_the_domain_stays_on_the_raw_scale():
    fit = fit_sim(simulate(4, anchors_skip="maths"), n_draws=10)
    result = refit_domain(fit, "maths", n_draws=5)
    assert result.mode == "refit"
    assert "raw scale" in result.scale and "not comparable" in result.scale
    assert "Low" not in set(result.table["model_id"])


def test_refit_with_inverted_anchors_does_not_claim_they_are_missing():
    # Low (C = -0.5) gets +3 on maths only: above High (C = 1.0) there, below it overall
    fit = fit_sim(simulate(4, specialists={0}, shift=3.0), n_draws=10)
    assert fit.models.set_index("model_id").loc["Low", "index"] == pytest.approx(130.0)
    result = refit_domain(fit, "maths", n_draws=5)
    ids = set(result.table["model_id"])
    assert {"Low", "High"} <= ids  # both anchors are in the domain's data
    assert "raw scale" in result.scale
    assert "not both in this domain" not in result.scale


def test_unknown_domain_lists_the_known_ones(sim3_fit):
    with pytest.raises(UnknownNameError, match="'nope'.*knowledge, maths"):
        project_domain(sim3_fit, "nope")


# --- E. compare and predict --------------------------------------------------------------------


def constructed_fit(central, draws, names, display_names) -> IndexFit:
    """An IndexFit whose display map is the identity, so the index draws are the given
    numbers (row 0 = central)."""
    capability = np.vstack([np.asarray(central, float)[None, :], np.asarray(draws, float)])
    d = capability.shape[0]
    models = pd.DataFrame({"model_id": names, "display_name": display_names})
    benches = pd.DataFrame({"benchmark": ["X"], "domain": ["knowledge"]})
    params = irt.IRTParams(capability, np.zeros((d, 1)), np.ones((d, 1)))
    return IndexFit(settings=IndexSettings(), models=models, benchmarks=benches, draws=params,
                    display=DisplayMap.identity(d), ok=np.ones(d, dtype=bool),
                    obs=pd.DataFrame(), data_hash="")


@pytest.fixture(scope="module")
def abc_fit():
    k = np.arange(101)
    d_ab = 1.0 + 0.1 * k  # all positive: 5 % quantile d_5 = 1.5, 95 % d_95 = 10.5
    d_ac = k - 30.5  # 31 of 101 negative: 5 % quantile -25.5, 95 % 64.5
    draws = np.column_stack([np.full(101, 10.0), 10.0 - d_ab, 10.0 - d_ac])
    return constructed_fit([10.0, 5.0, 9.5], draws, ["alpha", "beta", "gamma"],
                           ["Model Alpha", "Model Beta", "Model Gamma"])


def test_compare_clearly_distinguishable(abc_fit):
    c = compare(abc_fit, "alpha", "beta")
    assert (c.model_a, c.model_b) == ("alpha", "beta")
    assert (c.index_a, c.index_b, c.difference) == (10.0, 5.0, 5.0)
    assert c.ci_low == pytest.approx(1.5) and c.ci_high == pytest.approx(10.5)
    assert c.distinguishable is True
    assert c.share_reversed == 0.0
    assert c.n_draws == 101 and c.ci == 0.9


def test_compare_not_distinguishable_and_share_reversed(abc_fit):
    c = compare(abc_fit, "Model Alpha", "model gamma")  # display names, any case
    assert (c.model_a, c.model_b) == ("alpha", "gamma")
    assert c.difference == pytest.approx(0.5)
    assert c.ci_low == pytest.approx(-25.5) and c.ci_high == pytest.approx(64.5)
    assert c.distinguishable is False
    assert c.share_reversed == pytest.approx(31 / 101)
    back = compare(abc_fit, "gamma", "alpha")
    assert back.difference == pytest.approx(-0.5)
    assert (back.ci_low, back.ci_high) == (pytest.approx(-64.5), pytest.approx(25.5))
    assert back.share_reversed == pytest.approx(31 / 101)


def test_compare_distinguishable_when_the_interval_is_below_zero(abc_fit):
    c = compare(abc_fit, "beta", "alpha")
    assert c.difference == -5.0 and c.ci_high == pytest.approx(-1.5)
    assert c.distinguishable is True


def test_compare_unknown_and_identical_models(abc_fit):
    with pytest.raises(UnknownNameError, match="'alph'.*did you mean: alpha"):
        compare(abc_fit, "alph", "beta")
    with pytest.raises(ConfigError, match="two different models"):
        compare(abc_fit, "alpha", "Model Alpha")


PREDICT_UNITS = {"B01": ("percent", "linear", 25.0, 100.0),
                 "B02": ("points", "log", 1.0, 1000.0)}


def predict_bench_table(sim: Sim) -> pd.DataFrame:
    rows = []
    for b in sim.benches:
        unit, transform, base, ceil = PREDICT_UNITS.get(b, ("fraction", "linear", 0.0, 1.0))
        rows.append({"benchmark": b, "domain": sim.domains[b], "unit": unit,
                     "transform": transform, "random_baseline": base, "ceiling": ceil})
    return pd.DataFrame(rows)


def test_predict_expected_scores_by_hand(sim1, sim1_fit):
    fit = sim1_fit
    out = predict(fit, "M04", predict_bench_table(sim1)).set_index("benchmark")
    assert list(out.index) == list(fit.benchmarks["benchmark"])
    k = fit.model_position("M04")
    use = np.flatnonzero(fit.ok)
    c = fit.draws.capability[use, k][:, None]
    y = sigmoid(fit.draws.slope[use] * (c - fit.draws.difficulty[use]))  # (draws, B)
    assert out["expected"].to_numpy() == pytest.approx(100 * y[0], rel=1e-10)
    lo, hi = np.quantile(y[1:], [0.05, 0.95], axis=0)
    assert out["expected_ci_low"].to_numpy() == pytest.approx(100 * lo)
    assert out["expected_ci_high"].to_numpy() == pytest.approx(100 * hi)
    j1, j2 = sim1.benches.index("B01"), sim1.benches.index("B02")
    # percent, linear from 25 to 100; log from 1 to 1000
    assert out.loc["B01", "expected_raw"] == pytest.approx(25 + 75 * y[0, j1])
    assert out.loc["B01", "expected_raw_ci_high"] == pytest.approx(25 + 75 * hi[j1])
    assert out.loc["B02", "expected_raw"] == pytest.approx(1000 ** y[0, j2])
    assert out.loc["B01", "unit"] == "percent"
    assert out.loc["B00", "expected_raw"] == pytest.approx(y[0, 0])
    assert out["basis"].iloc[0] == f"in the fit ({int(fit.models.loc[k, 'n_benchmarks'])} benchmarks)"


def test_predict_residuals_where_a_score_exists(sim1, sim1_fit):
    out = predict(sim1_fit, "M04", predict_bench_table(sim1)).set_index("benchmark")
    scores = {b: s for m, b, s in sim1.rows if m == "M04"}
    for b in sim1.benches:
        if b in scores:
            assert out.loc[b, "observed"] == pytest.approx(100 * scores[b])
            assert out.loc[b, "residual"] == pytest.approx(100 * scores[b] - out.loc[b, "expected"])
        else:
            assert np.isnan(out.loc[b, "observed"]) and np.isnan(out.loc[b, "residual"])
    # benchmark RMSE: residuals of the central fit over every model in the fit
    fit = sim1_fit
    obs = fit.obs.loc[fit.obs["benchmark"] == "B03"]
    params = fit.draws.draw(0)
    c = params.capability[[fit.model_position(m) for m in obs["model_id"]]]
    j = list(fit.benchmarks["benchmark"]).index("B03")
    pred = sigmoid(params.slope[j] * (c - params.difficulty[j]))
    rmse = np.sqrt(np.mean((obs["score"].to_numpy() - pred) ** 2))
    assert out.loc["B03", "benchmark_rmse"] == pytest.approx(100 * rmse)


def test_predict_named_benchmarks_and_unknown_ones(sim1, sim1_fit):
    out = predict(sim1_fit, "M04", predict_bench_table(sim1), benchmarks=["b02", "B00"])
    assert out["benchmark"].tolist() == ["B02", "B00"]
    with pytest.raises(UnknownNameError, match="benchmark 'Nope'"):
        predict(sim1_fit, "M04", predict_bench_table(sim1), benchmarks=["Nope"])
    with pytest.raises(UnknownNameError):
        predict(sim1_fit, "Nobody", predict_bench_table(sim1))
    with pytest.raises(UnknownNameError, match="not in the warehouse"):
        predict(sim1_fit, "Nobody", predict_bench_table(sim1), extra_obs=sim1.long)


def test_predict_projects_a_model_outside_the_fit(sim1, sim1_fit):
    """'Sparse' has 3 results (fewer than 4): its capability is the one-parameter
    minimiser of sum (sigmoid(alpha (C - D)) - y)^2 + rho C^2 with the central benchmark
    parameters, rho = lambda / (M + 2B - 1); found here with scipy."""
    fit = sim1_fit
    out = predict(fit, "sparse", predict_bench_table(sim1), extra_obs=sim1.long)
    assert out["basis"].iloc[0].startswith("not in the fit")
    assert "projected from 3 results" in out["basis"].iloc[0]
    assert out["model_id"].iloc[0] == "Sparse"
    rows = [(b, s) for m, b, s in sim1.rows if m == "Sparse"]
    pos = {b: j for j, b in enumerate(fit.benchmarks["benchmark"])}
    bi = np.array([pos[b] for b, _ in rows])
    y = np.clip([s for _, s in rows], 1e-3, 1 - 1e-3)
    p = fit.draws.draw(0)
    rho = 0.1 / (len(fit.models) + 2 * len(fit.benchmarks) - 1)
    best = minimize_scalar(
        lambda c: np.sum((sigmoid(p.slope[bi] * (c - p.difficulty[bi])) - y) ** 2) + rho * c * c,
        bounds=(-10, 10), method="bounded", options={"xatol": 1e-10})
    expected = 100 * sigmoid(p.slope * (best.x - p.difficulty))
    assert out["expected"].to_numpy() == pytest.approx(expected, abs=1e-4)
    # its own scores are shown as observed, with residuals
    got = out.set_index("benchmark")
    for b, s in rows:
        assert got.loc[b, "observed"] == pytest.approx(100 * s)
    # and the projection recovers roughly where it was simulated (C = 0.3)
    truth = sim1.true_index(["Sparse"])[0]
    level = fit.display.a[0] + fit.display.b[0] * best.x
    assert abs(level - truth) < 6.0


# --- F. latent factors -------------------------------------------------------------------------


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


def test_factor_analysis_finds_the_planted_second_axis():
    data, settings, groups, domains = simulate_two_factors(0)
    result = factor_analysis(data, settings, groups, k=2, n_boot=200, with_heldout=False)
    loadings = result.loadings.set_index("benchmark")["loading_2"]
    agentic = loadings[[b for b, d in domains.items() if d == "agentic"]]
    maths = loadings[[b for b, d in domains.items() if d == "maths"]]
    # sign-agnostic: the two clusters sit on opposite sides of axis 2, every benchmark
    assert (np.sign(agentic) == np.sign(agentic.iloc[0])).all()
    assert (np.sign(maths) == -np.sign(agentic.iloc[0])).all()
    assert min(agentic.abs().min(), maths.abs().min()) > 0.3
    axis2 = result.axes.set_index("axis").loc[2]
    assert {axis2["positive_domains"], axis2["negative_domains"]} == {"agentic", "maths"}
    assert result.axes.set_index("axis").loc[1, "label"] == "general capability"
    # open models were planted on the agentic side: their mean position on axis 2 has the
    # sign of the agentic loadings, and its interval excludes 0
    row = result.groups.set_index("axis").loc[2]
    assert np.sign(row["difference"]) == np.sign(agentic.mean())
    assert row["ci_low"] > 0 or row["ci_high"] < 0
    assert row["n_open"] + row["n_closed"] == len(data.models)


def test_heldout_error_prefers_two_factors_only_when_there_are_two():
    data, settings, _, _ = simulate_two_factors(0)
    table = heldout(data.data, settings.reg, ks=(1, 2)).set_index("dims")
    assert table.loc[2, "rmse"] < 0.6 * table.loc[1, "rmse"]
    # on one-dimensional data the second axis buys almost nothing
    data1, settings1, _, _ = simulate_two_factors(0, spread2=0.0)
    table1 = heldout(data1.data, settings1.reg, ks=(1, 2)).set_index("dims")
    assert table1.loc[2, "rmse"] > 0.9 * table1.loc[1, "rmse"]


def test_factor_dims_outside_2_and_3_are_config_errors():
    data, settings, groups, _ = simulate_two_factors(1, n_models=20)
    for k in (1, 4):
        with pytest.raises(ConfigError, match="2 or 3"):
            factor_analysis(data, settings, groups, k=k, with_heldout=False)


# --- G. golden results on the bundled data ------------------------------------------------------


def test_epoch_settings_reproduce_epochs_published_index(fitted_db):
    # Observed (bundled snapshot): 148 models matched, Spearman 0.9990, Pearson 0.9993,
    # |difference| median 0.21, max 3.28 points.
    fitted = api.fit_index(db=fitted_db, store=False, regularisation="epoch",
                           benchmarks="epoch", n_draws=0)
    agreement = api.epoch_agreement(fitted, db=fitted_db)
    assert len(agreement.models) >= 140
    assert agreement.spearman > 0.995
    assert agreement.models["difference"].abs().max() < 5.0
    assert len(agreement.benchmarks) >= 40


def test_default_fit_has_the_anchor_models_at_130_and_150(fitted_db):
    table = api.index(db=fitted_db).table.set_index("model_id")
    assert table.loc["GPT-5", "index"] == pytest.approx(150.0, abs=1e-9)
    assert table.loc["Claude 3.5 Sonnet", "index"] == pytest.approx(130.0, abs=1e-9)
    assert table["index"].is_monotonic_decreasing
    assert len(table) > 150


def test_general_index_gap_on_the_bundled_data(fitted_db):
    # Observed (bundled snapshot, as of 2026-04-16): closed leader GPT-5.4 Pro 157.8, open
    # leader Kimi K2.5 148.4, gap 9.4 points, lag 8.3 months, 86 open / 73 closed models.
    result = api.index_gap(db=fitted_db, domains=[])
    general = result.table.set_index("scope").loc["general"]
    table = api.index(db=fitted_db).table
    assert general["n_open"] > 50 and general["n_closed"] > 50
    assert general["closed_level"] > general["open_level"]
    assert general["gap"] > 0 and general["lag_months"] > 0
    assert general["gap"] == pytest.approx(general["closed_level"] - general["open_level"])
    # the leaders are the best model of each group in the fit's table, as of its newest date
    for group, column in (("closed", "closed_leader"), ("open", "open_leader")):
        best = table.loc[table["group"] == group].sort_values("index").iloc[-1]
        assert general[column] == best["model_id"]
        assert general[f"{group}_level"] == pytest.approx(best["index"])
    # plain lag by hand: first release of a closed model at or above the open level
    as_of = pd.Timestamp(result.settings.as_of)  # the data date, as for the benchmark gap
    assert result.settings.as_of == dt.date(2026, 4, 16)
    closed = table.loc[(table["group"] == "closed") & (table["index"] >= general["open_level"])]
    first = pd.to_datetime(closed["release_date"]).min()
    assert general["lag_months"] == pytest.approx((as_of - first).days / MONTH)


def test_stored_fit_warns_when_the_warehouse_changed(fitted_copy):
    assert not any("changed since" in w for w in api.current_fit(db=fitted_copy).warnings)
    row = api.current_fit(db=fitted_copy).obs.iloc[0]
    con = duckdb.connect(fitted_copy)
    try:
        con.execute("UPDATE results SET score = score * 0.5 WHERE version_id = ? AND benchmark = ?",
                    [row["version_id"], row["benchmark"]])
    finally:
        con.close()
    assert any("changed since" in w for w in api.current_fit(db=fitted_copy).warnings)


def test_domain_compare_matches_the_domain_table(fitted_db):
    c = api.compare("GPT-5", "Claude 3.5 Sonnet", db=fitted_db, domain="maths")
    table = api.index(db=fitted_db, domain="maths").table.set_index("model_id")
    assert c.difference == pytest.approx(table.loc["GPT-5", "index"]
                                         - table.loc["Claude 3.5 Sonnet", "index"])
    assert "maths" in c.scope
