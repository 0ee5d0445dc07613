"""Benchmark lifecycle (src/gaplens/analysis/lifecycle.py): known answers on planted data,
then golden facts on the bundled warehouse.

Planted data: one model a month on the 15th, so every expected date is a release date
and every month count is (days) / (365.2425 / 12) with the days written out.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaplens.analysis.lifecycle import (
    LifecycleSettings,
    compute_lifecycle,
    focus_shifts,
    persistent_focus,
    quarters,
    saturation_test,
)
from gaplens.errors import ConfigError

DPM = 365.2425 / 12


def month(m: int, start: str = "2022-07-15") -> pd.Timestamp:
    return pd.Timestamp(start) + pd.DateOffset(months=m)


def obs(rows) -> pd.DataFrame:
    """(model, benchmark, release date, score[, stderr]) -> an observations frame."""
    rows = [r if len(r) == 5 else (*r, np.nan) for r in rows]
    frame = pd.DataFrame(rows, columns=["model_id", "benchmark", "release_date", "score",
                                        "stderr"])
    frame["raw_score"] = frame["score"]
    return frame


def bench(*specs) -> pd.DataFrame:
    """(benchmark, domain, release date[, n_items]) -> a benchmark table on a 0-1 scale."""
    rows = [dict(benchmark=s[0], domain=s[1], release_date=pd.Timestamp(s[2]) if s[2] else pd.NaT,
                 n_items=s[3] if len(s) > 3 else np.nan, test_set="public", unit="fraction",
                 transform="linear", random_baseline=0.0, ceiling=1.0) for s in specs]
    frame = pd.DataFrame(rows)
    order = {d: i for i, d in enumerate(dict.fromkeys(frame["domain"]))}
    frame["domain_ord"] = frame["domain"].map(order)
    return frame


def row_of(result, name: str) -> pd.Series:
    return result.benchmarks.set_index("benchmark").loc[name]


# --- the saturation test, by hand -------------------------------------------------------------

def test_equality_test_by_hand():
    # scores .8, .7, .6 with se .05: w = 400, mean .7, Q = 400 (.01 + 0 + .01) = 8;
    # chi^2 with 2 df: P(>= 8) = exp(-8 / 2) = 0.0183156; z = .2 / sqrt(2 * .0025) = 2.828427
    s = LifecycleSettings(as_of=dt.date(2024, 1, 1))
    t = saturation_test(np.array([0.8, 0.7, 0.6]), np.array([0.05] * 3), s)
    assert t.chi2 == pytest.approx(8.0)
    assert t.p_value == pytest.approx(math.exp(-4))
    assert t.z == pytest.approx(2.828427, abs=1e-6)
    assert t.spread == pytest.approx(0.2) and t.sd == pytest.approx(0.1)
    assert not t.indistinguishable and not t.saturated
    # equal scores near the ceiling: Q = 0, p = 1 -> indistinguishable and near 0.7 -> saturated
    t = saturation_test(np.array([0.75, 0.75, 0.75]), np.array([0.02] * 3), s)
    assert t.p_value == pytest.approx(1.0) and t.saturated and t.by == "test"
    # the same at 0.30: indistinguishable but far from the ceiling -> not saturated
    t = saturation_test(np.array([0.30, 0.30, 0.30]), np.array([0.02] * 3), s)
    assert t.indistinguishable and not t.saturated
    # a clear leader at .92 is near the ceiling, but the top models are apart: not saturated
    t = saturation_test(np.array([0.92, 0.6, 0.5]), np.array([0.02] * 3), s)
    assert not t.indistinguishable and not t.saturated and t.by == "" and t.near_ceiling
    # two models: too few for the test (min_models = 3)
    t = saturation_test(np.array([0.5, 0.5]), np.array([0.02] * 2), s)
    assert np.isnan(t.p_value) and not t.saturated


# --- planted saturation and crossings ---------------------------------------------------------

def planted() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    rows = []
    # "Sat": released 2023-01-01; 0.30 on 2023-01-15 rising 0.10 a month to 0.80 (2023-06-15),
    # 0.85 on 2023-07-15, 0.95 on 2023-08-15, then five models at 0.95 +- 0.003 (monthly
    # from 2023-09-15): the top five are all at 0.95 from 2023-12-15 on.
    climb = [0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.85, 0.95]
    for i, score in enumerate(climb):
        rows.append((f"s{i}", "Sat", month(i, "2023-01-15"), score))
    for i in range(5):
        rows.append((f"s{8 + i}", "Sat", month(8 + i, "2023-01-15"),
                     0.95 + rng.uniform(-0.003, 0.003)))
    # "Disc": 0.10 + 0.04 a month from 2023-01-15 to 2024-06-15 (18 models, top 0.78):
    # the top five are 4 points apart each, far beyond a 2-point standard error.
    for i in range(18):
        rows.append((f"d{i}", "Disc", month(i, "2023-01-15"), 0.10 + 0.04 * i))
    # "Plateau": 0.30..0.60 (2023-02-15..05-15), then 0.75 +- 0.002 monthly from 2023-06-15,
    # reported stderr 0.01. The top five are all plateau models from the fifth one on,
    # 2023-10-15; with four (2023-09-15) the 0.60 model is still in and Q = 180.
    for i, score in enumerate([0.30, 0.40, 0.50, 0.60]):
        rows.append((f"p{i}", "Plateau", month(i, "2023-02-15"), score, 0.01))
    for i in range(8):
        rows.append((f"p{4 + i}", "Plateau", month(4 + i, "2023-02-15"),
                     0.75 + rng.uniform(-0.002, 0.002), 0.01))
    # "Floor": everyone near 0.05 with stderr 0.02: indistinguishable, nowhere near a ceiling.
    for i in range(8):
        rows.append((f"f{i}", "Floor", month(i, "2023-03-15"), 0.05 + 0.002 * (i % 3), 0.02))
    # "Early": released 2024-01-01 but run on models from 2023: 0.6 on 2023-05-15.
    for i, score in enumerate([0.2, 0.4, 0.6, 0.65, 0.7]):
        rows.append((f"e{i}", "Early", month(i, "2023-01-15"), score))
    # "Outlier": one model at 0.95 (2024-01-15), the others 0.50..0.68 monthly from
    # 2023-06-15: near the ceiling, but the top five are 27+ points apart.
    for i, score in enumerate([0.50, 0.55, 0.60, 0.62, 0.65, 0.68]):
        rows.append((f"o{i}", "Outlier", month(i, "2023-06-15"), score))
    rows.append(("o6", "Outlier", pd.Timestamp("2024-01-15"), 0.95))
    benchmarks = bench(("Sat", "A", "2023-01-01"), ("Disc", "A", "2023-01-01"),
                       ("Plateau", "B", "2023-01-01"), ("Floor", "B", "2023-01-01"),
                       ("Early", "B", "2024-01-01"), ("Outlier", "A", "2023-06-01"))
    return obs(rows), benchmarks


@pytest.fixture(scope="module")
def planted_result():
    long, benchmarks = planted()
    return compute_lifecycle(long, benchmarks, LifecycleSettings(as_of=dt.date(2024, 6, 30),
                                                                  n_draws=200))


def test_planted_saturation_is_dated_and_flagged(planted_result):
    sat = row_of(planted_result, "Sat")
    assert sat["saturated"] and sat["status"] == "saturated"
    # the frontier reached 0.95 on 2023-08-15, but the top five are equal only from
    # 2023-12-15 on (before, the 0.85 or 0.80 model is among them)
    assert sat["saturated_since"] == dt.date(2023, 12, 15)
    assert sat["saturated_by"] == "test" and sat["near_ceiling"]
    # 2023-01-01 -> 2023-12-15 is 348 days
    assert sat["months_to_saturation"] == pytest.approx(348 / DPM)


def test_a_lone_outlier_near_the_ceiling_does_not_saturate(planted_result):
    out = row_of(planted_result, "Outlier")
    # top five 0.95, 0.68, 0.65, 0.62, 0.60 with se 0.02: far from equal
    assert out["frontier"] == pytest.approx(95.0) and out["near_ceiling"]
    assert not out["saturated"] and out["saturated_since"] is None
    assert out["status"] == "near_ceiling" and out["p_value"] < 1e-6
    assert out["spread"] == pytest.approx(35.0)
    # near the ceiling: not counted as discriminating in the focus quarters either
    disc = planted_result.discrimination.set_index(["quarter", "benchmark"])
    assert disc.loc[("2023Q4", "Outlier"), "discriminating"]
    assert not disc.loc[("2024Q1", "Outlier"), "discriminating"]
    assert any("near ceiling" in n and "Outlier" in n for n in planted_result.notes)


def test_discriminating_benchmark_is_not_saturated(planted_result):
    disc = row_of(planted_result, "Disc")
    assert not disc["saturated"] and disc["status"] == "discriminating"
    # top five 0.78, 0.74, 0.70, 0.66, 0.62: spread 16 points, sd 6.3246 points
    assert disc["spread"] == pytest.approx(16.0)
    assert disc["sd"] == pytest.approx(100 * math.sqrt(0.004), abs=1e-6)
    assert disc["p_value"] < 1e-6 and disc["se_source"] == "default"
    assert disc["spread_ci_low"] < 16.0 < disc["spread_ci_high"]
    assert disc["not_yet"] == "80%, 90%"


def test_statistical_saturation_below_the_level_rule(planted_result):
    plateau = row_of(planted_result, "Plateau")
    assert plateau["saturated"] and plateau["saturated_by"] == "test"
    assert plateau["saturated_since"] == dt.date(2023, 10, 15)
    assert plateau["se_source"] == "reported" and plateau["mean_se"] == pytest.approx(1.0)
    floor = row_of(planted_result, "Floor")
    assert floor["indistinguishable"] and not floor["saturated"]
    assert floor["status"] == "low_resolution"


def test_crossing_dates_by_hand(planted_result):
    sat = row_of(planted_result, "Sat")
    # 0.50 first on 2023-03-15 (73 days after 2023-01-01), 0.80 on 2023-06-15 (165 days),
    # 0.90 on 2023-08-15 (226 days)
    assert sat["reached_50"] == dt.date(2023, 3, 15)
    assert sat["reached_80"] == dt.date(2023, 6, 15)
    assert sat["reached_90"] == dt.date(2023, 8, 15)
    assert sat["months_to_50"] == pytest.approx(73 / DPM)
    assert sat["months_to_80"] == pytest.approx(165 / DPM)
    assert sat["months_to_90"] == pytest.approx(226 / DPM)
    assert sat["not_yet"] == ""
    disc = row_of(planted_result, "Disc")
    # 0.10 + 0.04 i >= 0.5 first at i = 10: 2023-11-15, 318 days after release
    assert disc["reached_50"] == dt.date(2023, 11, 15)
    assert disc["months_to_50"] == pytest.approx(318 / DPM)
    assert disc["reached_80"] is None and np.isnan(disc["months_to_80"])
    early = row_of(planted_result, "Early")
    # 0.50 reached on 2023-03-15 by a model older than the benchmark: 0 months, noted
    assert early["reached_50"] == dt.date(2023, 3, 15) and early["months_to_50"] == 0.0
    assert "before the benchmark" in early["note"]


def test_crossings_only_use_models_released_by_the_date():
    long, benchmarks = planted()
    r = compute_lifecycle(long, benchmarks, LifecycleSettings(as_of=dt.date(2023, 7, 31),
                                                              n_draws=0))
    sat = row_of(r, "Sat")
    assert sat["reached_80"] == dt.date(2023, 6, 15) and sat["reached_90"] is None
    assert not sat["saturated"] and sat["frontier"] == pytest.approx(85.0)


def _spread_bench(scores, se):
    from gaplens.analysis.lifecycle import _Bench

    n = len(scores)
    return _Bench("X", "A", None, 0, "table", np.arange(n), np.asarray(scores, float),
                  np.asarray(se, float), np.full(n, "default", dtype=object),
                  np.array([f"m{i}" for i in range(n)], dtype=object),
                  np.array([f"m{i}" for i in range(n)], dtype=object))


def test_spread_interval_of_tied_models_holds_the_observed_spread():
    from gaplens.analysis.lifecycle import _spread_interval

    # eight models at 0.80 with se 0.02: the observed spread is 0, but the spread of the
    # best five of eight noisy draws averages about 2.7 se (~5 points): a pure noise bias.
    s = LifecycleSettings(as_of=dt.date(2024, 1, 1), n_draws=2000)
    b = _spread_bench([0.80] * 8, [0.02] * 8)
    low, high, bias = _spread_interval(b, 8, 0.0, s, np.random.default_rng(0))
    assert 0.03 < bias < 0.07
    assert low == 0.0 <= high  # the uncorrected draws would give about [0.03, 0.08]
    # a planted spread of 0.20 between clearly separated models is nearly unbiased
    b = _spread_bench([0.90, 0.85, 0.80, 0.75, 0.70], [0.01] * 5)
    low, high, bias = _spread_interval(b, 5, 0.20, s, np.random.default_rng(0))
    assert abs(bias) < 0.005 and low < 0.20 < high and high - low < 0.05


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=9),
       st.floats(0.002, 0.1), st.integers(0, 10_000))
def test_spread_interval_always_holds_the_spread(scores, se, seed):
    from gaplens.analysis.lifecycle import _spread_interval, saturation_test

    s = LifecycleSettings(as_of=dt.date(2024, 1, 1), n_draws=200)
    top = np.sort(scores)[::-1][:5]
    observed = saturation_test(top, np.full(len(top), se), s).spread
    low, high, _ = _spread_interval(_spread_bench(scores, [se] * len(scores)), len(scores),
                                    observed, s, np.random.default_rng(seed))
    assert 0.0 <= low <= observed + 1e-12 and observed - 1e-12 <= high


def test_binomial_standard_error_from_item_counts():
    # 5 models at 0.5..0.9 on 100 items: se of the 0.9 model = sqrt(.9 * .1 / 100) = 0.03
    rows = [(f"m{i}", "Items", month(i, "2023-01-15"), 0.5 + 0.1 * i) for i in range(5)]
    r = compute_lifecycle(obs(rows), bench(("Items", "A", "2023-01-01", 100)),
                          LifecycleSettings(as_of=dt.date(2023, 12, 31), n_draws=0))
    row = row_of(r, "Items")
    assert row["se_source"] == "binomial"
    expected = np.mean([math.sqrt(p * (1 - p) / 100) for p in (0.9, 0.8, 0.7, 0.6, 0.5)])
    assert row["mean_se"] == pytest.approx(100 * expected)


def test_inputs_untouched_and_deterministic():
    long, benchmarks = planted()
    before_long, before_bench = long.copy(), benchmarks.copy()
    s = LifecycleSettings(as_of=dt.date(2024, 6, 30), n_draws=100, seed=3)
    a, b = compute_lifecycle(long, benchmarks, s), compute_lifecycle(long, benchmarks, s)
    pd.testing.assert_frame_equal(long, before_long)
    pd.testing.assert_frame_equal(benchmarks, before_bench)
    pd.testing.assert_frame_equal(a.benchmarks, b.benchmarks)
    pd.testing.assert_frame_equal(a.interval.as_frame(), b.interval.as_frame())
    pd.testing.assert_frame_equal(a.focus, b.focus)


def test_settings_are_validated():
    with pytest.raises(ConfigError):
        LifecycleSettings(as_of=dt.date(2024, 1, 1), top_k=1)
    with pytest.raises(ConfigError):
        LifecycleSettings(as_of=dt.date(2024, 1, 1), start_quarter="2023-Q9")
    with pytest.raises(ConfigError):
        LifecycleSettings(as_of=dt.date(2024, 1, 1), near_ceiling=0.95)


# --- quarters, focus and shifts ---------------------------------------------------------------

def test_quarters_end_at_the_as_of_date():
    q = quarters("2023Q1", dt.date(2023, 8, 10))
    assert list(q["quarter"]) == ["2023Q1", "2023Q2", "2023Q3"]
    assert list(q["quarter_end"]) == [dt.date(2023, 3, 31), dt.date(2023, 6, 30),
                                      dt.date(2023, 8, 10)]
    assert list(q["partial"]) == [False, False, True]


def test_persistence_rule():
    # a one-quarter blip is not a shift; two quarters are
    series, shifts, pending = persistent_focus(np.array([0, 0, 1, 0, 0, 1, 1, 1]), 2)
    assert shifts == [5] and list(series) == [0, 0, 0, 0, 0, 1, 1, 1] and pending is None
    # a change in the last quarter cannot be confirmed yet
    series, shifts, pending = persistent_focus(np.array([0, 0, 0, 2]), 2)
    assert shifts == [] and pending == 2
    # the series starts at the first focus that holds two quarters (not a shift)
    series, shifts, _ = persistent_focus(np.array([-1, 1, 0, 0, 0]), 2)
    assert shifts == [] and list(series) == [-1, -1, 0, 0, 0]


def test_a_partial_last_quarter_does_not_confirm_a_shift():
    # the same raw series: with a complete last quarter the change to 1 is a shift; when
    # the last quarter is partial it is pending and the focus stays 0
    series, shifts, pending = persistent_focus(np.array([0, 0, 0, 1, 1]), 2)
    assert shifts == [3] and series[-1] == 1 and pending is None
    series, shifts, pending = persistent_focus(np.array([0, 0, 0, 1, 1]), 2, partial_last=True)
    assert shifts == [] and list(series) == [0, 0, 0, 0, 0] and pending == 1
    # nor does it establish the first focus
    series, shifts, pending = persistent_focus(np.array([-1, 1, 1]), 2, partial_last=True)
    assert list(series) == [-1, -1, -1] and pending is None


def planted_shift() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Domain A's benchmarks discriminate in 2023 and reach 0.9 in 2024-05; domain B's are
    released on 2024-04-01 and discriminate from then on. One model a month from
    2022-07-15 (m = 0) to 2025-06-15 (m = 35)."""
    rows = []
    for m in range(36):
        for j, offset in enumerate((0.0, -0.01, 0.01)):
            # 0.2 + 0.032 m: 0.84 at 2024-03 (m = 20), 0.904 at 2024-05 (m = 22)
            rows.append((f"m{m}", f"A{j}", month(m), min(0.95, 0.2 + 0.032 * m + offset)))
            # 0.02 + 0.025 m: top-5 spread 10 points, below 0.9 through 2025-06
            rows.append((f"m{m}", f"B{j}", month(m), 0.02 + 0.025 * m + offset))
    benchmarks = bench(*[(f"A{j}", "A", "2022-06-01") for j in range(3)],
                       *[(f"B{j}", "B", "2024-04-01") for j in range(3)])
    return obs(rows), benchmarks


def test_planted_focus_shift_is_dated_within_a_quarter():
    long, benchmarks = planted_shift()
    r = compute_lifecycle(long, benchmarks, LifecycleSettings(as_of=dt.date(2025, 6, 30),
                                                              n_draws=200))
    focus = r.focus.set_index("quarter")
    assert (focus.loc["2023Q1":"2024Q1", "focus"] == "A").all()
    assert (focus.loc["2024Q3":"2025Q2", "focus"] == "B").all()
    assert len(r.shifts) == 1
    shift = r.shifts.iloc[0]
    assert (shift["from_domain"], shift["to_domain"]) == ("A", "B")
    true = pd.Period("2024Q2", "Q")
    assert abs((pd.Period(shift["quarter"], "Q") - true).n) <= 1
    # A near its ceiling (0.904 in 2024-05): not discriminating at the end of 2024Q2
    disc = r.discrimination.set_index(["quarter", "benchmark"])
    assert disc.loc[("2024Q1", "A0"), "discriminating"]
    assert not disc.loc[("2024Q2", "A0"), "discriminating"]
    assert not disc.loc[("2024Q1", "B0"), "released"]
    assert not disc.loc[("2024Q1", "B0"), "discriminating"]  # not out yet, though it separates
    assert disc.loc[("2024Q2", "B0"), "discriminating"]
    # one shift: no interval between shifts, and the result says so
    assert r.interval.n_shifts == 1 and np.isnan(r.interval.estimate_months)
    assert r.interval.thin and any("too thin" in n for n in r.notes)


def test_partial_quarter_is_flagged_and_waits_for_a_complete_one():
    long, benchmarks = planted_shift()
    full = compute_lifecycle(long, benchmarks, LifecycleSettings(as_of=dt.date(2025, 6, 30),
                                                                 n_draws=0))
    shift_q = full.shifts.iloc[0]["quarter"]
    end = pd.Period(shift_q, "Q") + 1  # the quarter that confirms the shift
    # as of 20 days into the confirming quarter: flagged partial, the shift is pending
    as_of = (end.start_time + pd.Timedelta(days=19)).date()
    r = compute_lifecycle(long, benchmarks, LifecycleSettings(as_of=as_of, n_draws=0))
    assert list(r.focus["partial"]) == [False] * (len(r.focus) - 1) + [True]
    assert r.focus.iloc[-1]["quarter"] == str(end)
    assert r.focus.iloc[-1]["raw_focus"] == "B" and r.focus.iloc[-1]["focus"] == "A"
    assert r.shifts.empty and any("pending: 'B'" in n for n in r.notes)
    assert any(f"{end} is partial" in n for n in r.notes)
    # the exposure counts the partial quarter by its days (20 of 92 or 91)
    days = (end.end_time - end.start_time).days + 1
    assert r.interval.exposure_months % 3 == pytest.approx(3 * 20 / days, abs=1e-9)
    # on its last day the quarter is complete and confirms the shift
    done = compute_lifecycle(long, benchmarks, LifecycleSettings(
        as_of=end.end_time.date(), n_draws=0))
    assert not done.focus["partial"].any() and list(done.shifts["quarter"]) == [shift_q]


def test_a_benchmark_without_results_for_a_year_is_retired():
    # O: strongly discriminating (top-5 spread 40 points) in domain C, last run in 2023-06;
    # as of 2025-06-30 it is retired and has no weight in the last quarter, so the
    # current focus is B's, as without O
    long, benchmarks = planted_shift()
    rows = [(f"m{m}", "O", month(m), 0.1 + 0.1 * (m % 5)) for m in range(12)]
    long = pd.concat([long, obs(rows)], ignore_index=True)
    benchmarks = pd.concat([benchmarks, bench(("O", "C", "2022-06-01"))], ignore_index=True)
    benchmarks["domain_ord"] = benchmarks["domain"].map({"A": 0, "B": 1, "C": 2})
    s = LifecycleSettings(as_of=dt.date(2025, 6, 30), n_draws=0)
    r = compute_lifecycle(long, benchmarks, s)
    row = row_of(r, "O")
    assert row["status"] == "retired" and row["retired"]
    assert row["last_result"] == month(11).date()
    disc = r.discrimination.set_index(["quarter", "benchmark"])
    assert disc.loc[("2023Q2", "O"), "discriminating"]  # counted while it was run
    assert not disc.loc[("2025Q2", "O"), "discriminating"]
    assert r.focus.iloc[-1]["focus"] == "B"
    assert any("1 benchmarks retired" in n and ": O" in n for n in r.notes)
    # one result in the last year keeps it out of retirement
    last = obs([("late", "O", pd.Timestamp("2024-08-01"), 0.2)])
    r = compute_lifecycle(pd.concat([long, last], ignore_index=True), benchmarks, s)
    assert row_of(r, "O")["status"] != "retired" and not row_of(r, "O")["retired"]
    assert not row_of(r, "A0")["retired"]


def test_shift_interval_on_a_planted_series_is_twelve_months():
    # 16 quarters, 4 domains of 4 benchmarks; domain q // 4 alone discriminates in quarter q:
    # shifts at quarters 4, 8, 12 -> gaps of 12 months
    labels = [str(p) for p in pd.period_range("2022Q1", periods=16, freq="Q")]
    rows = []
    for q, label in enumerate(labels):
        for d in range(4):
            for j in range(4):
                rows.append(dict(quarter=label, benchmark=f"D{d}-{j}", domain=f"D{d}",
                                 weight=10.0 + j if d == q // 4 else 0.0))
    s = LifecycleSettings(as_of=dt.date(2025, 12, 31), n_draws=500, seed=1)
    result = focus_shifts(pd.DataFrame(rows), s, [f"D{d}" for d in range(4)])
    iv = result.interval
    assert iv.n_shifts == 3 and iv.estimate_months == pytest.approx(12.0)
    assert list(result.shifts["quarter"]) == [labels[4], labels[8], labels[12]]
    assert iv.median_months == pytest.approx(12.0, abs=1.5)
    assert iv.ci_low <= 12.0 <= iv.ci_high
    assert iv.failed_draws < 0.1 * iv.draws


# --- golden facts on the bundled data ---------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_result(bundled_db):
    import gaplens

    with gaplens.api.open_warehouse(db=bundled_db) as warehouse:
        long, benchmarks = warehouse.observations(), warehouse.benchmarks()
    return compute_lifecycle(long, benchmarks, LifecycleSettings(as_of=dt.date(2026, 4, 16),
                                                                  n_draws=200))


def test_golden_saturation_on_bundled_data(bundled_result):
    table = bundled_result.benchmarks.set_index("benchmark")
    # observed: 16 of 49 saturated (19 when a frontier above 90 % alone sufficed)
    assert 14 <= table["saturated"].sum() <= 18
    for name in ("GSM8K", "MMLU"):
        assert table.loc[name, "saturated"], name
        assert table.loc[name, "saturated_since"] < dt.date(2025, 1, 1), name
    for name in ("FrontierMath-Tier-4-2025-07-01-Private", "ARC-AGI-2"):
        assert not table.loc[name, "saturated"], name
    assert table.loc["ARC-AGI-2", "status"] == "discriminating"
    # Cybench: one model at 93, the top five 51 points apart; HellaSwag's top five 11 apart
    for name in ("Cybench", "HellaSwag"):
        assert table.loc[name, "near_ceiling"] and not table.loc[name, "saturated"], name
        assert table.loc[name, "p_value"] < 0.01, name
    assert table.loc["Cybench", "status"] == "near_ceiling"
    # every saturated benchmark has indistinguishable top models near the ceiling
    sat = table.loc[table["saturated"]]
    assert (sat["p_value"] >= 0.05).all() and (sat["frontier"] >= 70).all()
    # every benchmark is crossed in order: 50% no later than 80%, 80% no later than 90%
    both = table.dropna(subset=["reached_50", "reached_80"])
    assert (both["reached_50"] <= both["reached_80"]).all()


def test_golden_spreads_lie_inside_their_intervals(bundled_result):
    table = bundled_result.benchmarks.dropna(subset=["spread"]).set_index("benchmark")
    assert (table["spread_ci_low"] <= table["spread"]).all()
    assert (table["spread"] <= table["spread_ci_high"]).all()
    assert (table["spread_ci_low"] >= 0).all()
    # observed before the bias correction: 1.27 [1.41, 5.66] and 0.40 [0.44, 1.79]
    for name in ("Lech Mazur Writing", "MATH level 5"):
        assert table.loc[name, "spread_noise_bias"] > 0, name


def test_golden_focus_on_bundled_data(bundled_result):
    focus = bundled_result.focus.set_index("quarter")
    assert focus.loc["2026Q1", "focus"] is not None
    assert focus.loc["2026Q1", "focus"] != "language"
    assert list(focus.index[:2]) == ["2023Q1", "2023Q2"] and focus.index[-1] == "2026Q2"
    shares = bundled_result.domains.groupby("quarter")["share"].sum()
    assert np.allclose(shares, 1.0)
