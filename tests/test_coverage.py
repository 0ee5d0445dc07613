"""Coverage beside capability: planted data with a known truth, golden values on the bundled
data (Cybench), the gap's rows and the command line (JSON and the 80-column table)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from gaplens import api
from gaplens._cli.main import main
from gaplens.analysis.capability import build_data, fit_index
from gaplens.analysis.coverage import (
    NO_FIT_NOTE,
    CoverageResult,
    CoverageSettings,
    compute_coverage,
    join_gap,
)
from gaplens.analysis.observations import prepare
from gaplens.errors import ConfigError
from gaplens.report import terminal
from gaplens.types import OpenDefinition

from index_sims import long_table, sigmoid, sim_settings, simulate

OPEN = "Open weights (unrestricted)"
CLOSED = "API access"
AS_OF = dt.date(2024, 12, 31)
DOMAINS = pd.DataFrame({"domain": ["knowledge", "maths"], "label": ["Knowledge", "Maths"],
                        "ord": [1, 2]})


def bench_frame(names, domains) -> pd.DataFrame:
    return pd.DataFrame({"benchmark": list(names), "domain": [domains[b] for b in names],
                         "unit": "fraction", "transform": "linear", "random_baseline": 0.0,
                         "ceiling": 1.0})


# --- planted: one strong open model never run on one benchmark ---------------------------------


@pytest.fixture(scope="module")
def planted():
    """Simulated index data (index_sims.simulate, seed 1; every result dated 2024-06-01).
    Open: every model with true capability C < 0, plus the strongest model S of all (not an
    anchor), which gets a result (true expected score plus noise, sd 0.03) on every
    benchmark but the target T: the knowledge benchmark (B01-B07) on which S's true
    expected score is furthest above the best weak open model's. Everything else is
    closed."""
    sim = simulate(1)
    cap = sim.capability
    names = [m for m in cap if m not in ("Low", "High")]
    strong = max(names, key=cap.get)
    weak = [m for m in names if cap[m] < 0]
    best_weak = max(weak, key=cap.get)
    j = max(range(1, 8), key=lambda k: sigmoid(sim.slope[k] * (cap[strong] - sim.difficulty[k]))
            - sigmoid(sim.slope[k] * (cap[best_weak] - sim.difficulty[k])))
    target = sim.benches[j]
    rng = np.random.default_rng(11)
    have = set(sim.long.loc[sim.long["model_id"] == strong, "benchmark"])
    extra = [(strong, b, float(np.clip(sigmoid(sim.slope[k] * (cap[strong] - sim.difficulty[k]))
                                       + rng.normal(0, 0.03), 0, 1)))
             for k, b in enumerate(sim.benches) if b not in have and b != target]
    long = pd.concat([sim.long, long_table(extra, sim.domains)], ignore_index=True)
    long = long.loc[~((long["model_id"] == strong) & (long["benchmark"] == target))].copy()
    long["accessibility"] = np.where(long["model_id"].isin(set(weak) | {strong}), OPEN, CLOSED)
    bench = bench_frame(sim.benches, sim.domains)
    settings = sim_settings()
    fitted = fit_index(build_data(long, bench, settings), settings)
    truth = float(sigmoid(sim.slope[j] * (cap[strong] - sim.difficulty[j]))) * 100
    return dict(sim=sim, long=long, bench=bench, fit=fitted, strong=strong, target=target,
                truth=truth, open=set(weak) | {strong})


def run_coverage(long, bench, fit, as_of=AS_OF, by="benchmark", recent=12) -> CoverageResult:
    settings = CoverageSettings(as_of=as_of, by=by, recent_months=recent)
    obs = prepare(long, OpenDefinition.OPEN_WEIGHTS, as_of)
    return compute_coverage(obs, settings, bench, DOMAINS, fit=fit)


def test_a_strong_open_model_missing_on_one_benchmark_is_flagged_with_its_name(planted):
    result = run_coverage(planted["long"], planted["bench"], planted["fit"])
    rows = result.benchmarks.set_index("benchmark")
    row = rows.loc[planted["target"]]
    assert row["coverage_limited"] and row["coverage_stronger"] and not row["coverage_newer"]
    assert row["n_stronger_expected_above"] >= 1
    assert f"{planted['strong']} (index" in row["coverage_reason"]
    assert row["open_reference_model"] in planted["open"]
    assert row["open_reference_model"] != planted["strong"]
    # the strongest unevaluated open model is S, expected near its true score, and above
    # the observed open frontier (which only weak open models set)
    assert row["expected_open_model"] == planted["strong"]
    assert row["expected_open_ci_low"] > row["observed_open_score"]
    assert abs(row["expected_open_score"] - planted["truth"]) < 5.0
    assert row["expected_open_ci_low"] <= row["expected_open_score"] <= row["expected_open_ci_high"]
    # the expected score is not mixed into the observed frontier
    weak_best = planted["long"].loc[(planted["long"]["benchmark"] == planted["target"])
                                    & planted["long"]["model_id"].isin(planted["open"]),
                                    "score"].max()
    assert row["observed_open_score"] == pytest.approx(100 * weak_best)


def test_benchmarks_where_the_strong_model_is_evaluated_are_not_flagged(planted):
    result = run_coverage(planted["long"], planted["bench"], planted["fit"])
    rows = result.benchmarks.set_index("benchmark")
    have = set(planted["long"].loc[planted["long"]["model_id"] == planted["strong"], "benchmark"])
    assert "B00" in have  # every model sees the anchor benchmark
    for name in have:
        row = rows.loc[name]
        assert not row["coverage_limited"], (name, row["coverage_reason"])
        assert row["n_stronger_expected_above"] == 0 and row["coverage_reason"] == ""
    assert rows["coverage_limited"].sum() == 1  # only the planted benchmark
    # per domain: the target's domain counts one coverage-limited benchmark, the other none
    domains = result.domains.set_index("domain")
    assert domains.loc["knowledge", "n_coverage_limited"] == 1
    assert domains.loc["knowledge", "coverage_limited_benchmarks"] == planted["target"]
    assert domains.loc["maths", "n_coverage_limited"] == 0
    assert not domains.loc["maths", "coverage_limited"]


def test_every_expected_score_lies_inside_its_interval(planted):
    result = run_coverage(planted["long"], planted["bench"], planted["fit"])
    e = result.expected
    assert len(e) and (e["rank"] <= 3).all()
    for unit in ("", "_raw"):
        est = e[f"expected{unit}"]
        assert ((e[f"expected{unit}_ci_low"] <= est) & (est <= e[f"expected{unit}_ci_high"])).all()
    # ranks follow the index, and no expected model was evaluated on its benchmark
    for name, part in e.groupby("benchmark"):
        assert part["index"].is_monotonic_decreasing
        seen = set(planted["long"].loc[planted["long"]["benchmark"] == name, "model_id"])
        assert not set(part["model_id"]) & seen


def test_without_a_fit_only_counts_and_a_note(planted):
    result = run_coverage(planted["long"], planted["bench"], None)
    rows = result.benchmarks.set_index("benchmark")
    assert result.index_note == NO_FIT_NOTE and result.expected.empty
    assert (rows["note"] == NO_FIT_NOTE).all()
    assert rows["expected_open_score"].isna().all()
    assert not rows["coverage_limited"].any()  # all results dated alike: nothing is newer
    target = planted["long"].loc[planted["long"]["benchmark"] == planted["target"]]
    row = rows.loc[planted["target"]]
    assert row["n_open"] == target["model_id"].isin(planted["open"]).sum()
    assert row["n_closed"] == (~target["model_id"].isin(planted["open"])).sum()
    assert row["n_open_recent"] == row["n_open"]  # 2024-06-01 is inside the window


def test_newer_rule_open_coverage_stopped_while_closed_continued():
    """X: open results only from 2023, closed ones in 2024-2025; an open model released in
    2025 has results on Y only. Counts by hand; no fit needed."""
    rows = [("o-old", "X", 0.30, "2023-03-01"), ("o-old2", "X", 0.35, "2023-05-01"),
            ("c-1", "X", 0.60, "2024-09-01"), ("c-2", "X", 0.70, "2025-03-01"),
            ("c-0", "X", 0.40, "2023-01-01"),
            ("o-new", "Y", 0.80, "2025-02-01"), ("c-1", "Y", 0.70, "2024-09-01"),
            ("o-old", "Y", 0.20, "2023-03-01")]
    long = long_table(rows)
    long["accessibility"] = np.where(long["model_id"].str.startswith("o-"), OPEN, CLOSED)
    bench = bench_frame(["X", "Y"], {"X": "knowledge", "Y": "knowledge"})
    result = run_coverage(long, bench, None, as_of=dt.date(2025, 4, 1))
    x = result.benchmarks.set_index("benchmark").loc["X"]
    assert (x["n_open"], x["n_closed"], x["n_open_recent"], x["n_closed_recent"]) == (2, 3, 0, 2)
    assert (x["newest_open_model"], str(x["newest_open_release_date"])) == ("o-old2", "2023-05-01")
    assert (x["newest_closed_model"], x["observed_open_model"]) == ("c-2", "o-old2")
    assert x["observed_open_score"] == pytest.approx(35.0)
    assert x["coverage_limited"] and x["coverage_newer"]
    assert x["coverage_reason"] == ("newest open result 2023-05 (o-old2); 2 closed models "
                                    "evaluated since 2024-04-01, none of the 1 open models "
                                    "released since then")
    y = result.benchmarks.set_index("benchmark").loc["Y"]
    assert not y["coverage_limited"]  # open evaluated inside the window
    # a window reaching back past 2023-05 makes X current again
    wide = run_coverage(long, bench, None, as_of=dt.date(2025, 4, 1), recent=36)
    assert not wide.benchmarks.set_index("benchmark").loc["X", "coverage_limited"]
    domain = result.domains.iloc[0]
    assert (domain["n_benchmarks"], domain["n_coverage_limited"]) == (2, 1)
    assert (domain["n_open"], domain["n_closed"]) == (3, 3)  # distinct models over X and Y


def test_settings_are_checked():
    with pytest.raises(ConfigError, match="--recent"):
        CoverageSettings(as_of=AS_OF, recent_months=0)
    with pytest.raises(ConfigError, match="--by"):
        CoverageSettings(as_of=AS_OF, by="model")
    assert CoverageSettings(as_of=dt.date(2026, 4, 16)).window_start == dt.date(2025, 4, 16)


def test_a_domain_row_of_the_gap_counts_only_the_benchmarks_its_gap_uses(planted):
    result = run_coverage(planted["long"], planted["bench"], planted["fit"], by="domain")
    others = [b for b in planted["sim"].benches[:8] if b != planted["target"]]
    gap = pd.DataFrame({"key": ["knowledge", "maths"],
                        "benchmarks": ["; ".join(others), "; ".join(planted["sim"].benches[8:])]})
    joined = join_gap(gap, result, "domain").set_index("key")
    assert not joined["coverage_limited"].any()  # the target does not feed this gap
    gap.loc[0, "benchmarks"] = "; ".join(planted["sim"].benches[:8])
    joined = join_gap(gap, result, "domain").set_index("key")
    assert joined.loc["knowledge", "coverage_limited"]
    assert joined.loc["knowledge", "coverage_limited_benchmarks"] == planted["target"]
    assert joined.loc["knowledge", "coverage_reason"].startswith("1 of the 8 benchmarks")


# --- golden values on the bundled data ---------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_coverage(fitted_db):
    return api.coverage(db=fitted_db, as_of="2026-04-16")


def test_cybench_is_coverage_limited_on_the_bundled_data(bundled_coverage):
    """Values read from `gaplens coverage --at 2026-04-16 -f json` on the bundled data with
    the default fit (the central fit does not depend on the number of draws)."""
    row = bundled_coverage.benchmarks.set_index("benchmark").loc["Cybench"]
    assert row["coverage_limited"] and row["coverage_newer"] and row["coverage_stronger"]
    assert (row["n_open"], row["n_closed"], row["n_open_recent"], row["n_closed_recent"]) == (
        3, 18, 0, 9)
    assert row["observed_open_model"] == "Mixtral 8x22B"
    assert str(row["observed_open_release_date"]) == "2024-04-17"
    assert row["observed_open_score"] == pytest.approx(7.5)
    assert row["newest_open_model"] == "Llama 3.1-405B"
    assert row["open_reference_model"] == "Llama 3.1-405B"
    assert row["open_reference_index"] == pytest.approx(128.5, abs=0.05)
    assert "Kimi K2.5 (index 148.4, expected 60.2)" in row["coverage_reason"]
    expected = bundled_coverage.expected.loc[bundled_coverage.expected["benchmark"] == "Cybench"]
    assert expected["model"].tolist() == ["Kimi K2.5", "MiniMax-M2.5", "GLM-5"]
    assert expected["expected"].round(1).tolist() == [60.2, 58.4, 52.8]
    assert (expected["expected_ci_low"] > row["observed_open_score"]).all()
    assert row["expected_open_score"] == pytest.approx(60.21, abs=0.01)


def test_bundled_expected_scores_lie_inside_their_intervals(bundled_coverage):
    e = bundled_coverage.expected
    assert len(e) > 100
    inside = (e["expected_ci_low"] <= e["expected"]) & (e["expected"] <= e["expected_ci_high"])
    assert inside.all()
    b = bundled_coverage.benchmarks.dropna(subset=["expected_open_score"])
    assert ((b["expected_open_ci_low"] <= b["expected_open_score"])
            & (b["expected_open_score"] <= b["expected_open_ci_high"])).all()
    outside = bundled_coverage.benchmarks.set_index("benchmark")
    assert outside.loc["METR Time Horizons", "note"] == ("not in the index fit (unit minutes): "
                                                         "counts only")
    assert outside.loc["WebDev Arena", "note"].startswith("not in the index fit (unit elo)")


def test_without_a_stored_fit_coverage_reports_counts_and_fits_nothing(bundled_db):
    result = api.coverage(db=bundled_db, as_of="2026-04-16")
    assert result.index_note == NO_FIT_NOTE and result.expected.empty
    row = result.benchmarks.set_index("benchmark").loc["Cybench"]
    assert (row["n_open"], row["n_closed"]) == (3, 18)
    assert row["coverage_limited"] and row["coverage_newer"]  # the newer rule needs no fit
    assert api.stored_fit(bundled_db) is None


def test_gap_rows_carry_their_coverage(fitted_db):
    result = api.gap(db=fitted_db, by="benchmark", n_draws=0, as_of="2026-04-16")
    cy = result.table.set_index("key").loc["Cybench"]
    assert cy["coverage_limited"] and cy["expected_open_model"] == "Kimi K2.5"
    assert cy["open_model"] == "Mixtral 8x22B"  # the observed frontier is untouched
    assert cy["open_level"] == pytest.approx(7.5)
    assert len(result.coverage) == len(result.table)
    domains = api.gap(db=fitted_db, n_draws=0, as_of="2026-04-16").table.set_index("key")
    assert "Cybench" in domains.loc["agentic", "coverage_limited_benchmarks"].split("; ")


# --- the command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_coverage_json_and_gap_json(capsys, fitted_db):
    code, out, _ = run(capsys, "coverage", "--db", fitted_db, "--at", "2026-04-16", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.coverage/1"
    assert doc["settings"]["recent_months"] == 12
    assert doc["settings"]["window_start"] == "2025-04-16"
    cy = next(r for r in doc["rows"] if r["key"] == "Cybench")
    assert cy["coverage_limited"] is True and cy["expected_open_model"] == "Kimi K2.5"
    assert cy["expected_open_ci_low"] <= cy["expected_open_score"] <= cy["expected_open_ci_high"]
    assert {r["model"] for r in doc["expected"] if r["benchmark"] == "Cybench"} == {
        "Kimi K2.5", "MiniMax-M2.5", "GLM-5"}
    code, out, _ = run(capsys, "coverage", "--db", fitted_db, "--by", "domain", "-f", "json",
                       "--recent", "6")
    doc = json.loads(out)
    agentic = next(r for r in doc["rows"] if r["key"] == "agentic")
    assert "Cybench" in agentic["coverage_limited_benchmarks"]
    assert doc["settings"]["recent_months"] == 6
    code, out, _ = run(capsys, "gap", "--db", fitted_db, "--by", "benchmark", "--draws", "0",
                       "-f", "json")
    doc = json.loads(out)
    cy = next(r for r in doc["rows"] if r["key"] == "Cybench")
    assert cy["coverage_limited"] is True and "Mixtral 8x22B" not in cy["coverage_reason"]
    assert next(r for r in doc["coverage"] if r["key"] == "Cybench")["n_closed_recent"] == 9


def test_coverage_and_gap_tables_fit_80_columns(capsys, fitted_db, monkeypatch):
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    for by in ("benchmark", "domain"):
        code, out, _ = run(capsys, "coverage", "--db", fitted_db, "--by", by)
        assert code == 0
        assert max(len(line) for line in out.splitlines()) <= 80
        assert "Cybench" in out and "coverage" in out
    code, out, _ = run(capsys, "gap", "--db", fitted_db, "--draws", "0", "--by", "benchmark")
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "† coverage" in out and "coverage-limited" in out


def test_names_from_data_are_text_not_markup(planted):
    """Model and benchmark names that look like rich markup are printed as they are."""
    result = run_coverage(planted["long"], planted["bench"], planted["fit"])
    rename = {"model": "[b]M[/b]", "bench": "[red]B[/red]"}
    bench = result.benchmarks.copy()
    bench["benchmark"] = rename["bench"]
    bench["observed_open_model"] = rename["model"]
    bench["expected_open_model"] = rename["model"]
    bench["newest_open_model"] = rename["model"]
    domains = result.domains.assign(label="[i]D[/i]", coverage_limited_benchmarks="[b]x[/b]",
                                    newest_closed_model=rename["model"])
    for by in ("benchmark", "domain"):
        shown = CoverageResult(settings=CoverageSettings(as_of=AS_OF, by=by), benchmarks=bench,
                               domains=domains, expected=result.expected)
        console = Console(width=200, record=True, highlight=False)
        console.print(terminal.coverage_table(shown))
        text = console.export_text()
        assert rename["model"] in text
        assert (rename["bench"] if by == "benchmark" else "[i]D[/i]") in text
