"""The AA composite: recomputed exactly from known weights, its agreement check, and the
weight-sensitivity statistics on constructed data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaplens.analysis.composite import (
    PUBLISHED_SIGNAL,
    Composite,
    agreement,
    bundled_composites,
    weight_sensitivity,
)
from gaplens.errors import ConfigError

V40 = bundled_composites()
EVALS = list(Composite.from_table(V40, "v4.0").signals)


def test_v40_weights_follow_the_published_rule():
    # 4 categories at 25 %; within a category the first-named eval weighs double
    w = dict(zip(EVALS, Composite.from_table(V40, "v4.0").eval_weights()))
    assert w["aa.gdpval"] == pytest.approx(0.25 * 2 / 3)
    assert w["aa.tau2"] == pytest.approx(0.25 / 3)
    assert w["aa.omniscience"] == pytest.approx(0.25 / 2)
    assert w["aa.lcr"] == pytest.approx(0.25 / 4) and w["aa.critpt"] == pytest.approx(0.25 / 4)
    assert sum(w.values()) == pytest.approx(1.0)
    w41 = dict(zip(EVALS, Composite.from_table(V40, "v4.1").eval_weights()))
    assert w41["aa.gdpval"] == pytest.approx(0.34 * 2 / 3)
    assert w41["aa.ifbench"] == pytest.approx(0.18 / 4)


def signals_frame(scores: dict[str, dict[str, float]], groups: dict[str, str],
                  as_of: str = "2026-05-01", published: dict[str, float] | None = None):
    rows = []
    for model, evals in scores.items():
        acc = "Open weights (unrestricted)" if groups[model] == "open" else "API access"
        for signal, value in evals.items():
            rows.append((model, model, "Org", acc, "2026-01-01", signal, value, as_of))
        if published is not None:
            rows.append((model, model, "Org", acc, "2026-01-01", PUBLISHED_SIGNAL,
                         published[model], as_of))
    return pd.DataFrame(rows, columns=["model_id", "display_name", "organization",
                                       "accessibility", "release_date", "signal", "value",
                                       "as_of"])


def by_hand_v40(e: dict[str, float]) -> float:
    omni = (e["aa.omniscience"] + 100) / 200
    return 100 * (0.25 * (2 * e["aa.gdpval"] + e["aa.tau2"]) / 3
                  + 0.25 * (2 * e["aa.terminal_bench_hard"] + e["aa.scicode"]) / 3
                  + 0.25 * (2 * omni + e["aa.lcr"] + e["aa.ifbench"]) / 4
                  + 0.25 * (2 * e["aa.hle"] + e["aa.gpqa"] + e["aa.critpt"]) / 4)


def random_models(n: int, seed: int, open_share: float = 0.5):
    rng = np.random.default_rng(seed)
    scores, groups = {}, {}
    for i in range(n):
        e = {s: float(rng.uniform(0.05, 0.9)) for s in EVALS}
        e["aa.omniscience"] = float(rng.uniform(-60, 40))
        scores[f"M{i:02d}"] = e
        groups[f"M{i:02d}"] = "open" if i < n * open_share else "closed"
    return scores, groups


def test_recomputed_index_equals_the_formula_and_agrees_with_a_published_copy():
    scores, groups = random_models(30, seed=1)
    published = {m: by_hand_v40(e) for m, e in scores.items()}
    a = agreement(signals_frame(scores, groups, published=published), V40)
    row = a.table.set_index("version").loc["v4.0"]
    assert row["n"] == 30
    assert row["max_abs_diff"] < 1e-9 and row["corr"] == pytest.approx(1.0)
    # the least-squares implied weights recover the known ones (points per unit score)
    implied = a.implied.set_index("signal")["implied"]
    w = dict(zip(EVALS, 100 * Composite.from_table(V40, "v4.0").eval_weights()))
    # (on the 0-1 scores, Omniscience already mapped, so no constant)
    for s in EVALS:
        assert implied[s] == pytest.approx(w[s], abs=1e-6)
    assert implied["constant"] == pytest.approx(0.0, abs=1e-6)
    # v4.1 weights do not reproduce a v4.0 index exactly
    assert a.table.set_index("version").loc["v4.1", "max_abs_diff"] > 0.1


def test_gap_leader_and_alternatives_by_hand():
    scores, groups = random_models(10, seed=2)
    result = weight_sensitivity(signals_frame(scores, groups), V40, n_draws=300, seed=0)
    values = {m: by_hand_v40(e) for m, e in scores.items()}
    best_open = max(v for m, v in values.items() if groups[m] == "open")
    best_closed = max(v for m, v in values.items() if groups[m] == "closed")
    assert result.published["gap"] == pytest.approx(best_closed - best_open)
    assert result.published["leader"] == max(values, key=values.get)
    alt = result.alternatives.set_index("name")
    assert alt.loc["v4.0 weights", "gap"] == pytest.approx(best_closed - best_open)
    assert alt.loc["v4.0 weights", "top10_overlap"] == 1.0
    # equal categories is v4.0 itself (all categories at 25 %)
    assert alt.loc["equal categories", "gap"] == pytest.approx(best_closed - best_open)
    # without coding: recompute by hand with the coding category removed
    def no_coding(e):
        omni = (e["aa.omniscience"] + 100) / 200
        return 100 / 3 * ((2 * e["aa.gdpval"] + e["aa.tau2"]) / 3
                          + (2 * omni + e["aa.lcr"] + e["aa.ifbench"]) / 4
                          + (2 * e["aa.hle"] + e["aa.gpqa"] + e["aa.critpt"]) / 4)
    v = {m: no_coding(e) for m, e in scores.items()}
    gap = (max(x for m, x in v.items() if groups[m] == "closed")
           - max(x for m, x in v.items() if groups[m] == "open"))
    assert alt.loc["without coding", "gap"] == pytest.approx(gap)


def test_a_planted_coding_specialist_makes_coding_weight_move_the_gap():
    # Every model equal on every eval, except the closed leader, far ahead on coding only:
    # the gap grows with the coding weight and shrinks with the others.
    base = {s: 0.5 for s in EVALS}
    base["aa.omniscience"] = 0.0
    scores = {"open_a": dict(base), "open_b": dict(base), "closed_a": dict(base),
              "closed_b": dict(base)}
    scores["closed_a"]["aa.terminal_bench_hard"] = 0.9
    scores["closed_a"]["aa.scicode"] = 0.9
    groups = {"open_a": "open", "open_b": "open", "closed_a": "closed", "closed_b": "closed"}
    result = weight_sensitivity(signals_frame(scores, groups), V40, n_draws=500, seed=3)
    effects = result.category_effects.set_index("category")
    assert effects.loc["coding", "ci_low"] > 0
    for other in ("agents", "general", "science"):
        assert effects.loc[other, "ci_high"] < 0
    # the gap is exactly 100 * coding weight * 0.4 in every draw: its range brackets that
    assert result.published["gap"] == pytest.approx(100 * 0.25 * 0.4)
    assert result.gap_summary.loc[0, "leader_changed"] == 0.0
    assert result.alternatives.set_index("name").loc["without coding", "gap"] == pytest.approx(0)


def test_close_leaders_change_under_sampled_weights_and_seed_is_reproducible():
    base = {s: 0.5 for s in EVALS}
    base["aa.omniscience"] = 0.0
    a, b = dict(base), dict(base)
    a["aa.hle"], b["aa.gdpval"] = 0.56, 0.56  # nearly tied, strong in different categories
    scores = {"closed_a": a, "open_b": b, "open_c": dict(base), "closed_d": dict(base)}
    groups = {"closed_a": "closed", "open_b": "open", "open_c": "open", "closed_d": "closed"}
    frame = signals_frame(scores, groups)
    r1 = weight_sensitivity(frame, V40, n_draws=400, seed=7)
    r2 = weight_sensitivity(frame, V40, n_draws=400, seed=7)
    share = r1.gap_summary.loc[0, "leader_changed"]
    assert 0.1 < share < 0.9  # the published leader is not robust to the weights
    assert share == r2.gap_summary.loc[0, "leader_changed"]
    assert set(r1.leaders["leader"]) == {"closed_a", "open_b"}
    assert r1.leaders["share"].sum() == pytest.approx(1.0)
    # the gap changes sign across draws: closed leads under some weights, open under others
    assert r1.gap_summary.loc[0, "gap_min"] < 0 < r1.gap_summary.loc[0, "gap_max"]


def test_models_missing_a_subevaluation_are_left_out_and_counted():
    scores, groups = random_models(8, seed=4)
    del scores["M07"]["aa.critpt"]
    result = weight_sensitivity(signals_frame(scores, groups), V40, n_draws=50)
    assert result.n_models == 7
    assert any("1 of 8 models lack" in w for w in result.warnings)


def test_bad_requests():
    scores, groups = random_models(6, seed=5)
    frame = signals_frame(scores, groups)
    with pytest.raises(ConfigError, match="unknown composite version"):
        weight_sensitivity(frame, V40, version="v9")
    with pytest.raises(ConfigError, match="on or before"):
        weight_sensitivity(frame, V40, as_of="2020-01-01")
    only_open = {m: "open" for m in groups}
    with pytest.raises(ConfigError, match="open and closed"):
        weight_sensitivity(signals_frame(scores, only_open), V40)


def test_a_change_of_composition_is_dated():
    scores, groups = random_models(30, seed=9)
    frames = []
    for day, scale in (("2026-05-01", 1.0), ("2026-05-08", 1.0), ("2026-05-15", 1.0),
                       ("2026-05-22", 1.3), ("2026-05-29", 1.3)):
        published = {m: scale * by_hand_v40(e) for m, e in scores.items()}
        frames.append(signals_frame(scores, groups, as_of=day, published=published))
    a = agreement(pd.concat(frames, ignore_index=True), V40)
    assert str(a.change_point("v4.0")) == "2026-05-22"
    same = agreement(pd.concat(frames[:3], ignore_index=True), V40)
    assert same.change_point("v4.0") is None
