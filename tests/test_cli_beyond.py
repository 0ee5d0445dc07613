"""The commands beyond the gap table: stable JSON, and one-line errors on bad input."""

from __future__ import annotations

import json

import pytest

from gaplens._cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("argv, schema, tables", [
    (["composite", "--draws", "50", "--at", "2026-06-12"], "gaplens.composite/2",
     ["agreement", "gap", "alternatives", "category_effects", "ranking"]),
    (["realworld", "--target", "lmarena.text"], "gaplens.realworld/1",
     ["correlations", "standing", "residuals", "groups"]),
    (["overfit", "--split", "private", "--perms", "20"], "gaplens.overfit/1",
     ["private_groups", "private_models", "lag_by_test_set"]),
    (["lifecycle"], "gaplens.lifecycle/1", []),
    (["forecast", "--domain", "maths"], "gaplens.forecast/1",
     ["trends", "catch_up", "backtest_summary"]),
])
def test_json_outputs(capsys, fitted_db, argv, schema, tables):
    code, out, _ = run(capsys, *argv, "--db", fitted_db, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == schema and "warnings" in doc
    for table in tables:
        assert isinstance(doc[table], list) and doc[table], table


@pytest.mark.parametrize("argv, words", [
    (["composite", "--version", "v9"], "unknown composite version"),
    (["composite", "--draws", "3"], "--draws"),
    (["realworld", "--target", "lmarena.nope"], "no signal 'lmarena.nope'"),
    (["realworld", "--predictor", "index: nowhere"], "unknown predictor"),
    (["overfit", "--split", "nope"], "unknown split"),
    (["lifecycle", "--at", "31/12/2025"], "not a date"),
    (["forecast", "--window", "1"], "window"),
])
def test_bad_input_is_one_line(capsys, fitted_db, argv, words):
    code, _, err = run(capsys, *argv, "--db", fitted_db)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], err


def test_ingest_reports_as_json(capsys, db, tmp_path):
    path = tmp_path / "lb.csv"
    path.write_text("week_date,rank,slug,name,total_tokens,is_free\n"
                    "2026-06-01,1,openai/gpt-4o,OpenAI: GPT-4o,100,False\n"
                    "2026-06-01,2,mystery/model,Mystery,50,False\n")
    code, out, _ = run(capsys, "ingest", "openrouter", str(path), "--db", db,
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.ingest/1"
    how = {m["name"]: m["how"] for m in doc["matches"]}
    assert how["mystery/model"] == "unmatched"
    assert any("mystery/model" in r["reason"] for r in doc["rejected"])


@pytest.mark.parametrize("argv", [["gap", "--on", "index", "--domain", "maths"],
                                  ["forecast", "--domain", "maths"], ["lifecycle"]])
def test_default_warehouse_and_default_date(capsys, fitted_copy, monkeypatch, argv):
    """Without --db and --at: the default warehouse ($GAPLENS_DB) and its data date."""
    monkeypatch.setenv("GAPLENS_DB", fitted_copy)
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["settings"]["as_of"] == "2026-04-16"


def test_composite_json_keeps_published_and_recomputed_apart(capsys, bundled_db):
    code, out, _ = run(capsys, "composite", "--db", bundled_db, "--at", "2026-04-10",
                       "--draws", "50", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["published"]["gap"] == pytest.approx(5.77, abs=0.005)
    assert doc["published"]["closed_leader"] == "Gemini 3.1 Pro"
    assert doc["recomputed"]["gap"] == pytest.approx(7.77, abs=0.01)
    assert doc["gap"][0]["gap_recomputed"] == pytest.approx(7.77, abs=0.01)
    code, out, _ = run(capsys, "composite", "--db", bundled_db, "--version", "v4.1",
                       "--format", "json", "--draws", "50")
    doc = json.loads(out)
    assert doc["recomputed"] is None and "gap" not in doc
    assert doc["not_recomputable"] == ["τ³-Bench Banking", "Terminal-Bench 2.1"]


def test_composite_table_fits_80_columns(capsys, bundled_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    code, out, err = run(capsys, "composite", "--db", bundled_db, "--at", "2026-07-10",
                         "--draws", "50")
    assert code == 0
    assert "AA's published Intelligence Index" in out and "59.86" in out
    assert "does not match AA's published index" in err
    assert max(len(line) for line in out.splitlines()) <= 80
