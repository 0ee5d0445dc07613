"""Claims 3-5 (src/gaplens/analysis/claims_signals.py): planted data where each verdict is
known (every verdict reached for each claim), the not-enough-data form, and golden
verdicts on the bundled data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from gaplens.analysis.claims import CLAIM_KEYS, Claim
from gaplens.analysis.claims_signals import (
    FOCUS_EVIDENCE,
    LAB_EVIDENCE,
    USE_EVIDENCE,
    focus_claim,
    focus_verdict,
    lab_claim,
    use_claim,
)
from gaplens.analysis.focus import ShiftInterval, focus_shifts
from gaplens.analysis.lifecycle import LifecycleResult, LifecycleSettings
from gaplens.analysis.overfit import GROUP_COLUMNS, OverfitResult, overfit
from gaplens.analysis.realworld import RealWorld, usage_alignment, usage_targets

AS_OF = dt.date(2025, 12, 31)


def check(claim: Claim, key: str, columns: list[str]) -> None:
    """Every claim: its key, a sentence, the evidence columns, estimate inside its interval."""
    assert claim.key == key and key in CLAIM_KEYS
    assert claim.sentence and "nan" not in claim.sentence.lower()
    if claim.verdict != "not_enough_data":
        assert set(columns) <= set(claim.evidence.columns), set(columns) - set(
            claim.evidence.columns)
    if claim.estimate is not None and claim.ci_low is not None:
        assert claim.ci_low <= claim.estimate <= claim.ci_high


# --- 3. focus shifts --------------------------------------------------------------------------

def lifecycle_of(every: int, n_quarters: int = 16, as_of: dt.date = AS_OF,
                 n_draws: int = 300) -> LifecycleResult:
    """Quarters 2022Q1..: domain q // every alone discriminates in quarter q (4 benchmarks
    each), so the focus shifts every ``every`` quarters (3 * every months)."""
    labels = [str(p) for p in pd.period_range("2022Q1", periods=n_quarters, freq="Q")]
    n_dom = (n_quarters + every - 1) // every
    rows = []
    for q, label in enumerate(labels):
        for d in range(n_dom):
            for j in range(4):
                rows.append(dict(quarter=label, benchmark=f"D{d}-{j}", domain=f"D{d}",
                                 weight=10.0 + j if d == q // every else 0.0))
    settings = LifecycleSettings(as_of=as_of, n_draws=n_draws, seed=1)
    f = focus_shifts(pd.DataFrame(rows), settings, [f"D{d}" for d in range(n_dom)])
    return LifecycleResult(settings=settings, benchmarks=pd.DataFrame(),
                           discrimination=pd.DataFrame(rows), domains=pd.DataFrame(),
                           focus=f.focus, shifts=f.shifts, interval=f.interval, notes=f.notes)


def test_focus_verdict_by_hand():
    assert focus_verdict(12.0, 12.0) == "supported"
    assert focus_verdict(9.0, 24.0) == "supported"
    assert focus_verdict(6.0, 21.0) == "mixed"  # overlaps 12-18, allows 6 months
    assert focus_verdict(10.0, 30.0) == "mixed"
    assert focus_verdict(6.0, 11.9) == "not_supported"
    assert focus_verdict(18.5, 30.0) == "not_supported"


def test_a_planted_yearly_shift_supports_the_claim():
    claim = focus_claim(lifecycle_of(4), AS_OF, labels={"D3": "Domain three"})
    check(claim, "focus_shift", FOCUS_EVIDENCE)
    assert claim.verdict == "supported" and claim.unit == "months"
    assert claim.estimate == pytest.approx(12.0)
    assert "shifted 3 times in 16 quarters, every 12.0 months" in claim.sentence
    assert "Current phase: Domain three since 2025Q1." in claim.sentence
    assert list(claim.evidence.loc[claim.evidence["shift"], "quarter"]) == [
        "2023Q1", "2024Q1", "2025Q1"]
    assert not claim.evidence["partial"].any()


def test_a_planted_half_yearly_shift_does_not_support_it():
    claim = focus_claim(lifecycle_of(2), AS_OF)
    check(claim, "focus_shift", FOCUS_EVIDENCE)
    assert claim.verdict == "not_supported"
    assert claim.estimate == pytest.approx(6.0) and claim.ci_high < 12
    assert "outside the claimed 12-18 months" in claim.sentence


def test_a_wide_interval_is_mixed():
    r = lifecycle_of(4, n_draws=0)
    iv = ShiftInterval(9.0, 10.5, 6.0, 21.0, 4, 3, 42.0, 10.5, 300, 40, 2.0, True)
    claim = focus_claim(LifecycleResult(**{**r.__dict__, "interval": iv}), AS_OF)
    assert claim.verdict == "mixed" and (claim.ci_low, claim.ci_high) == (6.0, 21.0)
    assert "also allows intervals outside 9-24 months" in claim.sentence


def test_a_partial_quarter_and_a_pending_leader_are_said():
    # as of 2025-11-15 the last quarter (2025Q4) is partial: D3 leads it but waits
    r = lifecycle_of(4, as_of=dt.date(2025, 11, 15), n_draws=0)
    # domain D3 from 2025Q1; plant D2 leading the partial quarter
    focus = r.focus.copy()
    focus.loc[focus.index[-1], "raw_focus"] = "D2"
    claim = focus_claim(LifecycleResult(**{**r.__dict__, "focus": focus}), None)
    assert claim.as_of == dt.date(2025, 11, 15)
    assert list(claim.evidence["partial"]) == [False] * 15 + [True]
    assert "D2 has led since 2025Q4, not yet two complete quarters" in claim.sentence
    assert "(2025Q4 is partial, through 2025-11-15)" in claim.sentence


def test_focus_claim_without_enough_shifts():
    assert focus_claim(None, AS_OF).verdict == "not_enough_data"
    r = lifecycle_of(4, n_draws=0)
    empty = LifecycleResult(**{**r.__dict__, "focus": r.focus.iloc[:0]})
    assert focus_claim(empty, AS_OF).verdict == "not_enough_data"
    one = focus_claim(lifecycle_of(8, n_draws=50), AS_OF)  # one shift: no interval
    check(one, "focus_shift", FOCUS_EVIDENCE)
    assert one.verdict == "not_enough_data" and one.estimate is None
    assert "1 focus shift(s) in 16 quarters" in one.sentence
    assert "Current phase: D1 since 2024Q1." in one.sentence


# --- 4. benchmarks and real-world use ---------------------------------------------------------

def usage_inputs(values: dict[str, np.ndarray], n: int = 40):
    """A general index 100..(100 - n + 1) for models m00.. and signals with the given
    values per model (NaN: no value)."""
    ids = [f"m{i:02d}" for i in range(n)]
    index = pd.Series(100.0 - np.arange(n), index=ids)
    rows = []
    for signal, v in values.items():
        for i, value in enumerate(v):
            if np.isfinite(value):
                rows.append(dict(signal=signal, model_id=ids[i], value=float(value),
                                 as_of=pd.Timestamp("2026-03-01")))
    meta = pd.DataFrame({"display_name": [f"Model {i}" for i in range(n)],
                         "organization": "Org", "country": "X", "group": "closed"},
                        index=ids)
    return index, pd.DataFrame(rows), meta


def realworld_of(usage: pd.DataFrame) -> RealWorld:
    return RealWorld(correlations=pd.DataFrame(), residuals=pd.DataFrame(),
                     groups=pd.DataFrame(), focus=("index: general", "lmarena.text"),
                     usage=usage)


def test_usage_targets_are_shares_and_arena_ratings():
    names = ["openrouter.share", "openrouter.tokens", "openrouter.rank", "lmarena.text",
             "lmarena.text_ci", "lmarena.text_rank", "lmarena.text_votes", "aa.gdpval",
             "openrouter.agent_share"]
    assert usage_targets(names) == ["openrouter.agent_share", "openrouter.share",
                                    "lmarena.text"]


def test_aligned_usage_has_expected_equal_to_observed_and_nothing_far():
    n = 40
    index, signals, meta = usage_inputs({"lmarena.text": 1500.0 - np.arange(n),
                                         "openrouter.share": 1.0 / (1 + np.arange(n))})
    usage = usage_alignment(index, signals, meta, n_boot=300)
    assert set(usage["signal"]) == {"lmarena.text", "openrouter.share"}
    # perfect agreement: rank k on the index is rank k in use, residual 0
    assert np.allclose(usage["expected"], usage["index_rank"])
    assert np.allclose(usage["observed"], usage["index_rank"])
    assert np.allclose(usage["residual"], 0, atol=1e-9) and not usage["far"].any()
    assert np.allclose(usage["rho"], 1.0) and usage["predicts"].all()
    claim = use_claim(realworld_of(usage), AS_OF)
    check(claim, "use_vs_benchmarks", USE_EVIDENCE)
    assert claim.verdict == "not_supported"
    assert "Benchmarks predict every usage signal" in claim.sentence
    assert "no model sits far off" in claim.sentence and "2026-03-01" in claim.sentence


def test_a_planted_outlier_on_a_predicted_signal_is_mixed():
    # the index leader is the least used; everyone else in index order: rho stays high
    n = 60
    share = 1.0 / (1 + np.arange(n))
    share[0] = 0.0001
    index, signals, meta = usage_inputs({"openrouter.share": share}, n)
    usage = usage_alignment(index, signals, meta, n_boot=300)
    claim = use_claim(realworld_of(usage), AS_OF)
    check(claim, "use_vs_benchmarks", USE_EVIDENCE)
    assert claim.verdict == "mixed" and claim.ci_low > 0
    row = usage.set_index("model_id").loc["m00"]
    assert row["far"] and row["direction"] == "below" and row["observed"] == n
    assert claim.sentence.startswith(f"Model 0 ranks 1st of {n} on the capability index but "
                                     f"{n}th in OpenRouter weekly token share, the furthest "
                                     "below")
    assert usage.loc[usage["model_id"] != "m00", "far"].sum() == 0
    ev = claim.evidence.set_index("model_id")
    assert ev.loc["m00", "direction"] == "below" and ev.loc["m00", "extreme"]


def test_an_unpredicted_signal_supports_the_claim():
    n = 40
    rng = np.random.default_rng(5)
    index, signals, meta = usage_inputs({"lmarena.text": 1500.0 - np.arange(n),
                                         "openrouter.share": rng.permutation(n) + 1.0}, n)
    usage = usage_alignment(index, signals, meta, n_boot=500, seed=2)
    claim = use_claim(realworld_of(usage), AS_OF)
    check(claim, "use_vs_benchmarks", USE_EVIDENCE)
    assert claim.verdict == "supported"
    share = usage.loc[usage["signal"] == "openrouter.share"].iloc[0]
    assert share["rho_ci_low"] < 0 < share["rho_ci_high"] and not share["predicts"]
    assert claim.estimate == pytest.approx(share["rho"])  # the least predicted signal
    assert "Benchmarks predict LMArena text" in claim.sentence
    assert "but not OpenRouter weekly token share" in claim.sentence
    # every signal names its furthest-below and furthest-above model
    extreme = claim.evidence.loc[claim.evidence["extreme"]]
    assert sorted(extreme.groupby("signal")["direction"].apply(sorted).sum()) == [
        "above", "above", "below", "below"]


def test_use_claim_without_usage_data():
    assert use_claim(None, AS_OF).verdict == "not_enough_data"
    assert use_claim(realworld_of(pd.DataFrame()), AS_OF).verdict == "not_enough_data"
    index, signals, meta = usage_inputs({"openrouter.share": np.r_[np.ones(5), [np.nan] * 35]})
    usage = usage_alignment(index, signals, meta, n_boot=100)  # 5 models: too few
    assert usage.empty
    claim = use_claim(realworld_of(usage), AS_OF)
    assert claim.verdict == "not_enough_data" and "no usage signal" in claim.sentence


# --- 5. labs that focus on benchmarks ---------------------------------------------------------

def overfit_of(split: str, rows: list[tuple]) -> OverfitResult:
    """rows: (grouping, group, n, mean_delta, ci_low, ci_high, vs_rest, p, p_adjusted)."""
    groups = pd.DataFrame([(*r[:9], "holm") for r in rows], columns=GROUP_COLUMNS)
    models = pd.DataFrame({"model_id": ["a", "b", "c"], "organization": ["CnLab", "UsLab",
                                                                         "UsLab"],
                           "country": ["China", "United States of America",
                                       "United States of America"]})
    return OverfitResult(split=split, description=f"{split} minus the rest",
                         reference=(), comparison=(), models=models, groups=groups)


US, CN = "United States of America", "China"


def test_lab_claim_on_hand_built_groups():
    closed_us = ("group_country", f"closed · {US}", 30, 0.5, -1.0, 1.5, 2.0, 0.2, 0.8)
    china = ("country", CN, 10, -3.0, -6.0, -1.0, -3.5, 0.002, 0.01)
    lab = ("organization", "CnLab", 5, -4.0, -8.0, -1.0, -4.2, 0.001, 0.008)
    us_lab = ("organization", "UsLab", 8, -2.0, -5.0, -0.5, -2.4, 0.003, 0.02)
    quiet_china = ("country", CN, 10, -1.0, -3.0, 0.5, -1.2, 0.2, 0.6)

    supported = lab_claim((overfit_of("private", [closed_us, china, lab]),), AS_OF)
    check(supported, "lab_focus", LAB_EVIDENCE)
    assert supported.verdict == "supported" and supported.unit == "index points"
    assert supported.estimate == -4.0  # the most significant Chinese group: the lab
    ev = supported.evidence.set_index("group")
    assert ev.loc["CnLab", "reading"] == "consistent with" and ev.loc["CnLab", "chinese"]
    assert ev.loc[f"closed · {US}", "reading"] == "not detected"
    assert ev.loc[f"closed · {US}", "grouping"] == "country"
    assert "adjusted p 0.008" in supported.sentence
    assert "US closed models +0.5" in supported.sentence

    nothing = lab_claim((overfit_of("private", [closed_us, quiet_china]),), AS_OF)
    check(nothing, "lab_focus", LAB_EVIDENCE)
    assert nothing.verdict == "not_supported"
    assert (nothing.evidence["reading"] == "not detected").all()
    assert "No country or lab reads 'consistent with'" in nothing.sentence

    # a signal, but only for a US lab: mixed
    only_us = lab_claim((overfit_of("private", [closed_us, quiet_china, us_lab]),), AS_OF)
    assert only_us.verdict == "mixed" and only_us.estimate == -2.0
    # China significant but US closed labs lower still: mixed
    lower_us = ("group_country", f"closed · {US}", 30, -5.0, -7.0, -3.0, -4.0, 0.01, 0.04)
    assert lab_claim((overfit_of("private", [lower_us, china]),), AS_OF).verdict == "mixed"
    # significant in the other direction (better where it could not be tuned): not detected
    better = ("country", CN, 10, 3.0, 1.0, 6.0, 3.5, 0.002, 0.01)
    claim = lab_claim((overfit_of("private", [closed_us, better]),), AS_OF)
    assert claim.verdict == "not_supported"


def test_lab_claim_without_data():
    assert lab_claim(None, AS_OF).verdict == "not_enough_data"
    assert lab_claim((), AS_OF).verdict == "not_enough_data"
    assert lab_claim((overfit_of("private", []),), AS_OF).verdict == "not_enough_data"


def planted_labs(seed: int, tuned: bool):
    """60 simulated models; M10-M19 are one Chinese open lab, tuned to the public (maths)
    benchmarks when ``tuned`` (capability + 1.5 there only); the others are US closed labs
    and a few US open models."""
    from index_sims import fit_sim, simulate

    sim = simulate(seed, n_models=60, specialists=set(range(10, 20)) if tuned else (),
                   shift=1.5, p_obs=0.8)
    fit = fit_sim(sim, n_draws=30)
    ids = fit.models["model_id"].to_numpy()
    num = np.array([int(m[1:]) if m.startswith("M") else -1 for m in ids])
    china = (num >= 10) & (num < 20)
    us_open = (num >= 50)
    meta = pd.DataFrame({"group": np.where(china | us_open, "open", "closed"),
                         "organization": np.where(china, "CnLab", np.where(
                             num % 2 == 0, "UsLabA", "UsLabB")),
                         "country": np.where(china, CN, US)}, index=ids)
    table = sim.bench.copy()
    table["test_set"] = np.where(table["domain"] == "maths", "public", "private")
    table["optimized_for"] = pd.array([None] * len(table), dtype="boolean")
    return overfit(fit, table, meta, "private", n_draws=30, n_perm=1000, seed=0)


def test_lab_claim_on_simulated_labs():
    tuned = lab_claim((planted_labs(3, tuned=True),), AS_OF)
    check(tuned, "lab_focus", LAB_EVIDENCE)
    assert tuned.verdict == "supported" and tuned.estimate < 0
    ev = tuned.evidence.set_index(["grouping", "group"])
    assert ev.loc[("country", CN), "reading"] == "consistent with"
    assert ev.loc[("organization", "CnLab"), "p_adjusted"] < 0.05
    assert (ev.loc[~ev["chinese"], "reading"] == "not detected").all()
    null = lab_claim((planted_labs(3, tuned=False),), AS_OF)
    assert null.verdict == "not_supported"


# --- golden: the bundled data -----------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled(fitted_db):
    from gaplens import api
    from gaplens._api_core import _model_meta, open_warehouse
    from gaplens._api_index import current_fit
    from gaplens.analysis.lifecycle import compute_lifecycle
    from gaplens.types import OpenDefinition

    with open_warehouse(fitted_db) as warehouse:
        long, bench = warehouse.observations(), warehouse.benchmarks()
        signals, models = warehouse.signals(), warehouse.models()
        labels = dict(warehouse.domains()[["domain", "label"]].to_numpy())
    as_of = dt.date(2026, 4, 16)
    lifecycle = compute_lifecycle(long, bench, LifecycleSettings(as_of=as_of, n_draws=300))
    fit = current_fit(fitted_db)
    meta = _model_meta(models, OpenDefinition.OPEN_WEIGHTS)
    usage = usage_alignment(fit.models.set_index("model_id")["index"], signals, meta,
                            n_boot=500)
    splits = api.overfit(db=fitted_db, splits=["private", "optimised", "ood"], n_draws=50,
                         n_perm=2000).splits
    return dict(as_of=as_of, lifecycle=lifecycle, labels=labels, usage=usage,
                splits=splits)


def test_golden_focus_claim(bundled):
    claim = focus_claim(bundled["lifecycle"], bundled["as_of"], labels=bundled["labels"])
    check(claim, "focus_shift", FOCUS_EVIDENCE)
    # observed: 3 shifts (knowledge -> language -> science -> agentic), every 7.5 months
    # [6.0, 21.0]: overlaps 12-18 but reaches below 9 -> mixed; novel reasoning leads
    # since 2026Q1, not confirmed (2026Q2 is partial: 16 days)
    assert claim.verdict == "mixed"
    assert 6 <= claim.estimate <= 10 and claim.ci_low < 9 and claim.ci_high >= 12
    assert "Current phase: Agentic & computer use since 2025Q1" in claim.sentence
    assert "Novel / OOD reasoning has led since 2026Q1" in claim.sentence
    assert claim.evidence["partial"].tolist()[-1]
    assert claim.evidence["quarter"].iloc[-1] == "2026Q2"


def test_golden_use_claim(bundled):
    claim = use_claim(realworld_of(bundled["usage"]), bundled["as_of"])
    check(claim, "use_vs_benchmarks", USE_EVIDENCE)
    signals = bundled["usage"].groupby("signal").first()
    # observed: OpenRouter share rho 0.19 [-0.12, 0.47] over 34 models (not predicted);
    # LMArena text 0.96 [0.93, 0.97] over 113 (predicted)
    assert claim.verdict == "supported"
    assert not signals.loc["openrouter.share", "predicts"]
    assert signals.loc["lmarena.text", "predicts"] and signals.loc["lmarena.text", "rho"] > 0.9
    assert claim.estimate == pytest.approx(signals.loc["openrouter.share", "rho"])
    assert "but not OpenRouter weekly token share" in claim.sentence
    # the article's example: Gemini 3 Pro well below its standing in OpenRouter use
    share = bundled["usage"].loc[bundled["usage"]["signal"] == "openrouter.share"]
    gemini = share.set_index("model_id").loc["Gemini 3 Pro"]
    assert gemini["direction"] == "below" and gemini["index_rank"] <= 3
    assert gemini["observed"] > 10


def test_golden_lab_claim(bundled):
    claim = lab_claim(bundled["splits"], bundled["as_of"])
    check(claim, "lab_focus", LAB_EVIDENCE)
    # observed: private split, models from China -3.4 [-10.6, -0.8], -4.0 against the
    # rest, Holm p 0.018; US closed +0.6 (Holm 0.10); nothing else after adjustment
    assert claim.verdict == "supported"
    ev = claim.evidence.set_index(["split", "grouping", "group"])
    china = ev.loc[("private", "country", "China")]
    assert china["reading"] == "consistent with" and china["p_adjusted"] < 0.05
    assert ev.loc[("private", "country", f"closed · {US}"), "reading"] == "not detected"
    assert ev.loc[("optimised", "country", "China"), "reading"] == "not detected"
    assert -6 < claim.estimate < -1 and claim.ci_high < 0
