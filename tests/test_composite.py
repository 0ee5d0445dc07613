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
    composite_view,
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
    v41 = Composite.from_table(V40, "v4.1")
    w41 = dict(zip(v41.evaluations, v41.eval_weights()))
    # AA's v4.1: its own evaluations, GDPval-AA v2 at 20 % of the index, IFBench removed
    assert set(w41) == {"GDPval-AA v2", "τ³-Bench Banking", "Terminal-Bench 2.1", "SciCode",
                        "AA-Omniscience", "AA-LCR", "Humanity's Last Exam", "GPQA Diamond",
                        "CritPt"}
    assert w41["GDPval-AA v2"] == pytest.approx(0.20)
    assert w41["τ³-Bench Banking"] == pytest.approx(0.14)
    assert w41["AA-Omniscience"] + w41["AA-LCR"] == pytest.approx(0.18)
    assert sum(w41.values()) == pytest.approx(1.0)


def signals_frame(scores: dict[str, dict[str, float]], groups: dict[str, str],
                  as_of: str = "2026-05-01", published: dict[str, float] | None = None):
    """AA-like signals; ``published`` defaults to the exact v4.0 index of each model."""
    if published is None:
        published = {m: by_hand_v40(e) for m, e in scores.items()
                     if set(EVALS) <= set(e)}
    rows = []
    for model, evals in scores.items():
        acc = "Open weights (unrestricted)" if groups[model] == "open" else "API access"
        for signal, value in evals.items():
            rows.append((model, model, "Org", acc, "2026-01-01", signal, value, as_of))
        if model in published:
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
    # v4.1's upgraded evaluations are not in these data: never recomputed, and said so
    assert set(a.table["version"]) == {"v4.0"}
    assert a.missing.set_index("version").loc["v4.1", "missing"] == (
        "τ³-Bench Banking, Terminal-Bench 2.1")


def test_gap_leader_and_alternatives_by_hand():
    scores, groups = random_models(10, seed=2)
    result = weight_sensitivity(signals_frame(scores, groups), V40, n_draws=300, seed=0)
    values = {m: by_hand_v40(e) for m, e in scores.items()}
    best_open = max(v for m, v in values.items() if groups[m] == "open")
    best_closed = max(v for m, v in values.items() if groups[m] == "closed")
    assert result.recomputed["gap"] == pytest.approx(best_closed - best_open)
    assert result.recomputed["leader"] == max(values, key=values.get)
    # the published index here is the exact v4.0 one: AA's gap is the same number
    assert result.published["gap"] == pytest.approx(best_closed - best_open)
    assert result.recomputed["gap_minus_published"] == pytest.approx(0.0, abs=1e-9)
    alt = result.alternatives.set_index("name")
    assert "v4.1 category weights" in alt.index  # v4.1's weights on v4.0's evaluations
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
    assert result.recomputed["gap"] == pytest.approx(100 * 0.25 * 0.4)
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
    c = result.counts
    assert (c["n_models"], c["n_missing_evaluations"], c["n_recomputed"]) == (8, 1, 7)
    assert c["n_open"] + c["n_closed"] + c["n_other"] == c["n_recomputed"]


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


# --- published vs recomputed --------------------------------------------------------------

def test_published_is_aas_number_and_the_recomputation_is_apart():
    # Planted: AA's published index equals the v4.0 formula except for the recomputed
    # leader, which AA publishes 8 points lower (as if AA weighed its strengths less).
    scores, groups = random_models(12, seed=11)
    exact = {m: by_hand_v40(e) for m, e in scores.items()}
    top_closed = max((m for m in exact if groups[m] == "closed"), key=exact.get)
    published = dict(exact)
    published[top_closed] -= 8.0
    frame = signals_frame(scores, groups, published=published)
    result = weight_sensitivity(frame, V40, n_draws=300, seed=0)

    def gap_of(values):
        closed = max((m for m in values if groups[m] == "closed"), key=values.get)
        open_ = max((m for m in values if groups[m] == "open"), key=values.get)
        return values[closed] - values[open_], closed, open_

    pub_gap, pub_closed, pub_open = gap_of(published)
    rec_gap, rec_closed, _ = gap_of(exact)
    assert pub_closed != rec_closed  # the planted difference moves AA's leader
    p, r = result.published, result.recomputed
    assert p["gap"] == pytest.approx(pub_gap)
    assert (p["closed_leader"], p["open_leader"]) == (pub_closed, pub_open)
    assert r["gap"] == pytest.approx(rec_gap) and r["closed_leader"] == rec_closed
    assert r["gap_minus_published"] == pytest.approx(rec_gap - pub_gap)
    # the comparison on the snapshot: one model 8 points off among 12
    assert r["n_compared"] == 12 and r["max_abs_diff"] == pytest.approx(8.0)
    assert r["mean_diff"] == pytest.approx(8.0 / 12)
    # the weight range is the recomputation's; it says whether AA's number lies inside
    g = result.gap_summary.iloc[0]
    assert g["gap_recomputed"] == pytest.approx(rec_gap)
    inside = g["gap_ci_low"] <= pub_gap <= g["gap_ci_high"]
    assert r["published_gap_in_weight_range"] == inside


def test_counts_add_up_with_estimated_unindexed_and_neither_models():
    scores, groups = random_models(10, seed=12)
    del scores["M09"]["aa.hle"]  # misses an evaluation
    published = {m: by_hand_v40(e) for m, e in scores.items() if m != "M09"}
    frame = signals_frame(scores, groups, published=published)
    rows = []
    # M08 has an estimated index; M00 is neither open nor closed (accessibility unknown)
    rows.append(("M08", "M08", "Org", "API access", "2026-01-01",
                 "aa.intelligence_index_is_estimated", 1.0, "2026-05-01"))
    frame = pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True)
    frame.loc[frame["model_id"] == "M00", "accessibility"] = "Unknown"
    result = weight_sensitivity(frame, V40, n_draws=50)
    p, c = result.published, result.counts
    assert (p["n_models"], p["n_no_index"], p["n_estimated"], p["n_other"]) == (10, 1, 1, 1)
    assert p["n_models"] == (p["n_no_index"] + p["n_estimated"] + p["n_open"]
                             + p["n_closed"] + p["n_other"])
    assert (p["n_open"], p["n_closed"]) == (4, 3)  # M00 neither, M08 estimated, M09 no index
    assert p["other_accessibility"] == "Unknown 1"
    assert (c["n_models"], c["n_missing_evaluations"], c["n_recomputed"]) == (10, 1, 9)
    assert (c["n_open"], c["n_closed"], c["n_other"]) == (4, 4, 1)
    assert result.n_models == c["n_open"] + c["n_closed"] + c["n_other"]


def test_a_version_whose_evaluations_are_missing_refuses_to_recompute():
    scores, groups = random_models(8, seed=13)
    frame = signals_frame(scores, groups)
    view = composite_view(frame, V40, version="v4.1", n_draws=50)
    assert view.sensitivity is None
    assert view.missing == ("τ³-Bench Banking", "Terminal-Bench 2.1")
    assert any("v4.1 cannot be recomputed on 2026-05-01: τ³-Bench Banking, "
               "Terminal-Bench 2.1 not in the data" in w for w in view.warnings)
    assert view.published["gap"] == pytest.approx(view.published["closed_level"]
                                                  - view.published["open_level"])
    with pytest.raises(ConfigError, match="cannot be recomputed"):
        weight_sensitivity(frame, V40, version="v4.1")
    # with its evaluations in the data, v4.1 is recomputed by its own formula
    for e in scores.values():
        e["aa.tau3_banking"], e["aa.terminal_bench_2_1"] = e["aa.tau2"], e["aa.scicode"] / 2
    frame = signals_frame(scores, groups)
    result = weight_sensitivity(frame, V40, version="v4.1", n_draws=50)

    def by_hand_v41(e):
        omni = (e["aa.omniscience"] + 100) / 200
        return 100 * (0.34 * (20 * e["aa.gdpval"] + 14 * e["aa.tau3_banking"]) / 34
                      + 0.24 * (2 * e["aa.terminal_bench_2_1"] + e["aa.scicode"]) / 3
                      + 0.18 * (2 * omni + e["aa.lcr"]) / 3
                      + 0.24 * (2 * e["aa.hle"] + e["aa.gpqa"] + e["aa.critpt"]) / 4)
    v = {m: by_hand_v41(e) for m, e in scores.items()}
    gap = (max(x for m, x in v.items() if groups[m] == "closed")
           - max(x for m, x in v.items() if groups[m] == "open"))
    assert result.recomputed["gap"] == pytest.approx(gap)


def test_default_snapshot_is_the_newest_match_and_a_mismatch_warns():
    scores, groups = random_models(30, seed=9)
    frames = []
    for day, scale in (("2026-05-01", 1.0), ("2026-05-08", 1.0), ("2026-05-15", 1.0),
                       ("2026-05-22", 1.3), ("2026-05-29", 1.3)):
        published = {m: scale * by_hand_v40(e) for m, e in scores.items()}
        frames.append(signals_frame(scores, groups, as_of=day, published=published))
    frame = pd.concat(frames, ignore_index=True)
    view = composite_view(frame, V40, n_draws=50)
    assert str(view.as_of) == "2026-05-15"
    assert view.notes and "newest at which the recomputed v4.0 matches" in view.notes[0]
    assert not any("does not match" in w for w in view.warnings)
    late = composite_view(frame, V40, as_of="2026-05-29", n_draws=50)
    assert str(late.as_of) == "2026-05-29"
    mean = np.mean([by_hand_v40(e) * (1 - 1.3) for e in scores.values()])
    assert any(f"does not match AA's published index on 2026-05-29 (mean difference "
               f"{mean:+.2f}" in w for w in late.warnings)
    assert late.sensitivity.recomputed["matches_published"] is False
    # nothing matches at all (AA 30 % above the formula throughout, no change point): the
    # newest snapshot, with the warning
    never = composite_view(pd.concat(frames[3:], ignore_index=True), V40, n_draws=50)
    assert str(never.as_of) == "2026-05-29" and not never.notes
    assert any("does not match AA's published index on 2026-05-29" in w
               for w in never.warnings)
