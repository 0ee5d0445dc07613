"""The capability-index commands of the CLI: fit, index, benchmarks --fit, compare, predict,
factors and gap --on index. They read the session's stored fit (``fitted_db``); anything
that fits again runs on a private copy with few draws."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from gaplens import api
from gaplens._cli.main import main
from gaplens.store import Warehouse


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stored_frames(path: str) -> dict[str, pd.DataFrame] | None:
    with Warehouse(path, read_only=True) as warehouse:
        return warehouse.load_fit()


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_fit_prints_the_summary_and_stores_the_fit(capsys, db):
    assert stored_frames(db) is None
    code, out, err = run(capsys, "fit", "--db", db, "--draws", "20")
    assert code == 0
    match = re.search(r"Fitted (\d+) models × (\d+) benchmarks \((\d+) results\)", out)
    assert match, out
    assert "20 draws" in out and "stored in the warehouse" in out
    assert "Top 10" in out
    stored = api.current_fit(db=db)
    assert stored.n_draws == 20
    assert (len(stored.models), len(stored.benchmarks), len(stored.obs)) == tuple(
        int(g) for g in match.groups())
    assert "fewer than 4 benchmarks" in err  # the data warning goes to stderr


def test_index_top_json(capsys, fitted_db):
    code, out, _ = run(capsys, "index", "--db", fitted_db, "--top", "5", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.index/1"
    assert doc["settings"]["n_draws"] == 100 and doc["settings"]["anchor_high"] == "GPT-5"
    assert "GPT-5 = 150" in doc["scale"]
    rows = doc["rows"]
    assert len(rows) == 5
    values = [r["index"] for r in rows]
    assert values == sorted(values, reverse=True)
    best = api.index(db=fitted_db).table.iloc[0]
    assert rows[0]["model_id"] == best["model_id"]
    for r in rows:
        assert r["index_ci_low"] <= r["index"] <= r["index_ci_high"]
        assert r["domain"] == "general" and r["group"] in ("open", "closed", None)


def test_index_domain_project_and_refit(capsys, fitted_db):
    code, out, _ = run(capsys, "index", "--db", fitted_db, "--domain", "maths", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert "general index scale" in doc["scale"]
    assert doc["rows"] and all(r["mode"] == "project" and r["domain"] == "maths"
                               for r in doc["rows"])
    assert all("relative" in r for r in doc["rows"])
    code, out, _ = run(capsys, "index", "--db", fitted_db, "--domain", "maths", "--mode",
                       "refit", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert "not comparable" in doc["scale"]
    assert doc["rows"] and all(r["mode"] == "refit" for r in doc["rows"])


def test_benchmarks_fit_csv(capsys, fitted_db):
    code, out, _ = run(capsys, "benchmarks", "--fit", "--db", fitted_db, "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert {"benchmark", "domain", "edi", "edi_ci_low", "edi_ci_high", "slope",
            "slope_scaled"} <= set(table.columns)
    assert table["edi"].is_monotonic_increasing
    assert len(table) == len(api.current_fit(db=fitted_db).benchmarks)
    anchor = table.set_index("benchmark").loc["Winogrande"]
    assert anchor["difficulty"] == pytest.approx(0.0, abs=1e-9)  # the anchor: D = 0, slope 1
    assert anchor["slope"] == pytest.approx(1.0)
    code, out, _ = run(capsys, "benchmarks", "--fit", "--db", fitted_db, "--domain", "maths",
                       "-f", "csv")
    assert set(pd.read_csv(io.StringIO(out))["domain"]) == {"maths"}


def test_compare_the_anchor_models(capsys, fitted_db):
    code, out, _ = run(capsys, "compare", "GPT-5", "Claude 3.5 Sonnet", "--db", fitted_db)
    assert code == 0
    text = " ".join(out.split())  # undo the terminal's line wrapping
    assert "GPT-5 (150.0) − Claude 3.5 Sonnet (130.0)" in text
    assert "+20.0 points" in text
    assert "distinguishable from zero" in text and "not distinguishable" not in text
    code, out, _ = run(capsys, "compare", "claude 3.5 sonnet", "gpt-5", "--db", fitted_db,
                       "-f", "json")
    record = json.loads(out)["rows"][0]
    assert record["difference"] == pytest.approx(-20.0)
    assert record["share_reversed"] == 0.0


def test_predict_json(capsys, fitted_db):
    code, out, _ = run(capsys, "predict", "GLM-5", "--benchmark", "GPQA diamond", "--db",
                       fitted_db, "--format", "json")
    assert code == 0
    records = json.loads(out)["rows"]
    assert len(records) == 1
    r = records[0]
    assert r["model_id"] == "GLM-5" and r["benchmark"] == "GPQA diamond"
    assert r["basis"].startswith("in the fit")
    assert 0 <= r["expected_ci_low"] <= r["expected"] <= r["expected_ci_high"] <= 100
    assert r["residual"] == pytest.approx(r["observed"] - r["expected"], abs=1e-5)
    # GPQA diamond is a fraction from 0.25 (four choices) to 1: raw = 0.25 + 0.75 y
    bench = api.benchmarks(db=fitted_db).set_index("benchmark").loc["GPQA diamond"]
    y = r["expected"] / 100
    assert r["expected_raw"] == pytest.approx(
        bench["random_baseline"] + y * (bench["ceiling"] - bench["random_baseline"]), abs=1e-5)


def test_gap_on_index_json(capsys, fitted_db):
    code, out, _ = run(capsys, "gap", "--on", "index", "--db", fitted_db, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.index-gap/1"
    assert doc["settings"]["windows"] == [12, 24]
    rows = {r["scope"]: r for r in doc["rows"]}
    general = rows["general"]
    assert general["mode"] == "general"
    assert general["gap"] > 0 and general["closed_level"] > general["open_level"]
    assert "mean_lag_12m" in general and "lag_sig_months" in general
    for key in ("mean_lag_sig_12m", "mean_lag_threshold_24m", "lag_threshold_months"):
        assert f"{key}_ci_low" in general and f"{key}_ci_high" in general
    assert general["mean_lag_sig_12m"] <= general["mean_lag_12m"]
    assert doc["settings"]["min_models"] == 3
    assert rows["science"]["status"] == "too_few_models" and rows["science"]["gap"] is None
    assert all(r["mode"] == "project" for s, r in rows.items() if s != "general")
    assert {t["scope"] for t in doc["timeline"]} == set(rows)
    code, out, _ = run(capsys, "gap", "--on", "index", "--db", fitted_db, "--domain", "maths",
                       "--window", "6", "-f", "json")
    doc = json.loads(out)
    assert [r["scope"] for r in doc["rows"]] == ["general", "maths"]
    assert "mean_lag_6m" in doc["rows"][0] and "mean_lag_12m" not in doc["rows"][0]


def test_factors_json(capsys, fitted_db):
    code, out, _ = run(capsys, "factors", "--no-heldout", "--db", fitted_db, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.factors/1"
    assert [a["axis"] for a in doc["axes"]] == [1, 2]
    assert doc["axes"][0]["label"] == "general capability"
    assert sum(a["share_of_spread"] for a in doc["axes"]) == pytest.approx(1.0, abs=1e-5)
    assert doc["heldout"] == []
    fitted = api.current_fit(db=fitted_db)
    assert len(doc["loadings"]) == len(fitted.benchmarks)
    assert len(doc["positions"]) == len(fitted.models)
    assert {"loading_1", "loading_2"} <= set(doc["loadings"][0])


# --- bad input: exit 2, one line on stderr naming the problem ------------------------------------


def test_compare_unknown_model(capsys, fitted_db):
    code, out, err = run(capsys, "compare", "Nope Model", "GPT-5", "--db", fitted_db)
    assert_one_line_error(code, out, err, "'Nope Model'", "not in the capability fit")


def test_compare_same_model_twice(capsys, fitted_db):
    code, out, err = run(capsys, "compare", "GPT-5", "gpt-5", "--db", fitted_db)
    assert_one_line_error(code, out, err, "two different models")


def test_index_unknown_domain(capsys, fitted_db):
    code, out, err = run(capsys, "index", "--domain", "nope", "--db", fitted_db)
    assert_one_line_error(code, out, err, "'nope'", "maths")


def test_predict_unknown_benchmark(capsys, fitted_db):
    code, out, err = run(capsys, "predict", "GLM-5", "--benchmark", "Nope", "--db", fitted_db)
    assert_one_line_error(code, out, err, "'Nope'", "not in the capability fit")


def test_predict_unknown_model(capsys, fitted_db):
    code, out, err = run(capsys, "predict", "No Such Model", "--db", fitted_db)
    assert_one_line_error(code, out, err, "'No Such Model'")


def test_gap_on_index_bad_window(capsys, fitted_db):
    code, out, err = run(capsys, "gap", "--on", "index", "--window", "0", "--db", fitted_db)
    assert_one_line_error(code, out, err, "--window")


def test_factors_bad_dims(capsys, fitted_db):
    code, out, err = run(capsys, "factors", "--dims", "4", "--no-heldout", "--db", fitted_db)
    assert_one_line_error(code, out, err, "--dims", "2 or 3")


def test_compare_on_a_domain_names_the_domain_when_a_model_is_missing(capsys, fitted_db):
    fitted = api.current_fit(db=fitted_db)
    assert "Claude 3.5 Sonnet" in set(fitted.models["model_id"])
    code, out, err = run(capsys, "compare", "GPT-5", "Claude 3.5 Sonnet", "--domain",
                         "knowledge_work", "--db", fitted_db)
    assert_one_line_error(code, out, err, "'Claude 3.5 Sonnet'", "knowledge_work")
    assert "not in the capability fit" not in err


@pytest.mark.parametrize("argv, needles", [
    (("--anchor-low", "Nope"), ("'Nope'", "--anchor-low")),
    (("--anchor-benchmark", "Nope"), ("'Nope'", "Winogrande")),
    (("--anchor-low", "GPT-5", "--anchor-high", "Claude 3.5 Sonnet"), ("not above",)),
    (("--at", "2024-13-01"), ("2024-13-01",)),
])
def test_failed_fit_reports_and_keeps_the_stored_fit(capsys, fitted_copy, argv, needles):
    before = stored_frames(fitted_copy)
    assert before is not None
    code, out, err = run(capsys, "fit", "--db", fitted_copy, "--draws", "20", *argv)
    assert_one_line_error(code, out, err, *needles)
    after = stored_frames(fitted_copy)
    assert sorted(after) == sorted(before)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_comparing_the_two_anchor_models_says_the_difference_is_fixed(capsys, fitted_db):
    from gaplens._cli.main import main as cli

    assert cli(["compare", "GPT-5", "Claude 3.5 Sonnet", "--db", fitted_db]) == 0
    assert "fixed by definition" in " ".join(capsys.readouterr().out.split())
    assert cli(["compare", "GPT-5", "GLM-5", "--db", fitted_db]) == 0
    assert "fixed by" not in " ".join(capsys.readouterr().out.split())


def test_gap_on_index_respects_at_and_min_models(capsys, fitted_db):
    code, out, _ = run(capsys, "gap", "--on", "index", "--db", fitted_db, "--at", "2024-06-30",
                       "--domain", "science", "--min-models", "1", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    rows = {r["scope"]: r for r in doc["rows"]}
    assert doc["settings"]["min_models"] == 1
    assert (rows["general"]["n_open"], rows["general"]["n_closed"]) == (47, 17)
    # no open model had a science index by mid-2024: counts, no number
    assert rows["science"]["n_open"] == 0 and rows["science"]["status"] == "too_few_models"
    # the 24-month window starts in 2022, before any model of the index: a note, no mean
    assert rows["general"]["mean_lag_24m"] is None
    assert "24-month window starts 2022-06-30" in rows["general"]["note"]


def test_gap_on_index_table_fits_80_columns(capsys, fitted_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    code, out, err = run(capsys, "gap", "--on", "index", "--db", fitted_db)
    assert code == 0
    assert "Kimi K2.5" in out and "sig." in out and "thr." in out
    assert "too few" in out and "counts only" in err  # warnings go to stderr
    assert max(len(line) for line in out.splitlines()) <= 80


def test_index_table_of_every_model_fits_80_columns(capsys, fitted_db, monkeypatch):
    """The whole index as a terminal table, models outside both groups included (their
    missing group is a NaN in the frame and prints as a dash)."""
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    code, out, err = run(capsys, "index", "--db", fitted_db)
    assert code == 0, err
    assert "Traceback" not in err and "GPT-5.4 Pro" in out
    rows = [line for line in out.splitlines() if line.rstrip().endswith(("open", "closed", "–"))
            or " – " in line]
    assert any(" – " in line for line in rows)  # a model in neither group
    assert max(len(line) for line in out.splitlines()) <= 80
