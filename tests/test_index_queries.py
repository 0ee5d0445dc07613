"""Domain indices (projection and refit), paired comparisons and predicted scores, on
simulated and constructed fits (builders in index_sims.py)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import spearmanr

from gaplens.analysis.capability import IndexFit, IndexSettings
from gaplens.analysis.domain_index import project_domain, refit_domain
from gaplens.analysis.index_queries import compare, predict
from gaplens.errors import ConfigError, UnknownNameError
from gaplens.models import irt
from gaplens.models.scale import DisplayMap

from index_sims import Sim, fit_sim, sigmoid, simulate


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


def test_expected_scores_in_blocks_of_pairs_are_the_same(sim1_fit, monkeypatch):
    from gaplens.analysis import index_queries
    from gaplens.analysis.index_queries import expected_scores

    fit = sim1_fit
    models = list(fit.models["model_id"]) * 2
    benchmarks = [b for _, b in zip(models, list(fit.benchmarks["benchmark"]) * len(models))]
    table = fit.benchmarks.assign(random_baseline=0.0, ceiling=1.0, unit="%",
                                  transform="linear")
    whole = expected_scores(fit, models, benchmarks, table)
    n_draws = int(fit.ok.sum())
    monkeypatch.setattr(index_queries, "EXPECTED_VALUES", 3 * n_draws)  # blocks of 3 pairs
    blocks = expected_scores(fit, models, benchmarks, table)
    assert len(whole) == len(models) > 3
    pd.testing.assert_frame_equal(whole, blocks, check_exact=True)
