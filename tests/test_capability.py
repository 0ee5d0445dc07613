"""The capability-index layer: data preparation, fit and display scale, storage, and golden
results on the bundled data. The data builders and simulations are in index_sims.py;
tests/test_irt.py covers the numerical engine itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from gaplens import api
from gaplens.analysis import capability as cap
from gaplens.analysis.capability import IndexFit, IndexSettings, build_data, fit_index
from gaplens.errors import ConfigError, StoreError
from gaplens.models import irt
from gaplens.store import Warehouse

from index_sims import (
    GRID_BENCHES,
    GRID_MODELS,
    MONTH,
    bench_table,
    fit_sim,
    grid_rows,
    long_table,
    sigmoid,
    sim_settings,
    small_settings,
)


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
