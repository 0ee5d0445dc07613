"""``gaplens diff`` between the bundled snapshot and an update with planted changes.

The update, on a copy of the bundled warehouse: a tidy CSV with a new strong open model
(``Planted Open One``, 60 % on FrontierMath tiers 1-3, above every open model there), a
new maths benchmark and a changed score (Kimi K2.5 on Fiction.LiveBench 78.1 -> 70.0); an
overrides file making GLM-5 non-commercial (it leaves the open group and with it the
agentic open frontier); an OpenRouter file naming a model that matches none; and, as a
publisher's newer export writes them, a benchmark superseded and a model renamed.
Expected: every change named, the maths gap narrows, the agentic gap widens, and Planted
Open One is a new open frontier model in maths.
"""

from __future__ import annotations

import json
import shutil

import pytest

from gaplens import api
from gaplens._cli.main import main
from gaplens.store import Warehouse
from gaplens.store.snapshots import list_snapshots

OPEN = "Open weights (unrestricted)"
RESULTS = (
    "model,benchmark,score,release_date,accessibility,organization,model_version\n"
    f"Planted Open One,FrontierMath-2025-02-28-Private,0.60,2026-04-10,{OPEN},Planted Lab,\n"
    f"Planted Open One,Planted Bench,0.9,2026-04-10,{OPEN},Planted Lab,\n"
    f"[b]Markup[/b] Model,Planted Bench,0.3,2026-03-01,{OPEN},Planted Lab,\n")
BENCH = ("benchmark,domain,label,random_baseline,ceiling,test_set,release_date\n"
         "Planted Bench,maths,Maths,0,1,public,2025-06-01\n")
OVERRIDES = "model,accessibility,reason\nGLM-5,Open weights (non-commercial),planted change\n"
OPENROUTER = (
    "week_date,source_commit,rank,slug,name,total_tokens,percent_change,prompt_tokens,"
    "completion_tokens,reasoning_tokens,cached_tokens,request_count,prompt_price,"
    "completion_price,cache_read_price,estimated_revenue,is_free\n"
    "2026-05-11,planted,1,planted/unknown-model-x,Planted: Unknown Model X,1000,0,800,200,0,"
    "0,0,1e-06,2e-06,0.0,1.0,False\n")


@pytest.fixture(scope="module")
def updated(bundled_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    path = str(root / "w.duckdb")
    shutil.copyfile(bundled_db, path)
    files = {}
    for name, text in (("results.csv", RESULTS), ("bench.csv", BENCH),
                       ("over.csv", OVERRIDES), ("or.csv", OPENROUTER)):
        files[name] = root / name
        files[name].write_text(text, encoding="utf-8")
    api.ingest_csv(str(files["results.csv"]), db=path, benchmarks=str(files["bench.csv"]))
    api.ingest_overrides(str(files["over.csv"]), db=path)
    api.ingest_openrouter(str(files["or.csv"]), db=path)
    with Warehouse(path) as w:
        w.con.execute("ALTER TABLE benchmarks ADD COLUMN IF NOT EXISTS superseded_by VARCHAR")
        w.con.execute("UPDATE benchmarks SET superseded_by = 'ARC-AGI-2' "
                      "WHERE benchmark = 'ARC-AGI'")
        w.con.execute("UPDATE models SET display_name = 'MiniMax M2.5 (renamed)' "
                      "WHERE model_id = 'MiniMax-M2.5'")
        # A republished score (as an update of Epoch's export would bring: a user's file
        # may not overwrite it, tests/test_provenance.py)
        w.con.execute("UPDATE results SET raw_score = 0.70, score = 0.70 WHERE version_id = "
                      "'kimi-k2.5' AND benchmark = 'Fiction.LiveBench'")
    return path


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_bundled_load_took_the_first_snapshot(bundled_db):
    with Warehouse(bundled_db, read_only=True) as w:
        table = list_snapshots(w)
    assert table["label"].tolist() == ["bundled"]
    assert table["n_results"].iloc[0] > 3000
    assert str(table["data_through"].iloc[0])[:10] == "2026-04-16"


def test_diff_names_every_planted_change_and_the_map_moves_as_planted(capsys, updated):
    code, out, err = _run(capsys, "diff", "--db", updated, "--draws", "20", "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.diff/1"
    assert doc["before"]["label"] == "bundled" and doc["after"]["name"] == "current"
    kinds = {(c["kind"], c["name"]) for c in doc["changes"]}
    assert ("model added", "Planted Open One") in kinds
    assert ("model added", "[b]Markup[/b] Model") in kinds
    assert ("benchmark added", "Planted Bench") in kinds
    assert ("benchmark superseded", "ARC-AGI") in kinds
    assert ("accessibility", "GLM-5") in kinds
    assert ("renamed", "MiniMax-M2.5") in kinds
    score = [s for s in doc["scores"] if s["change"] == "changed"]
    assert [(s["model_id"], s["benchmark"]) for s in score] == [("Kimi K2.5",
                                                                 "Fiction.LiveBench")]
    assert score[0]["score_before"] == pytest.approx(78.1)
    assert score[0]["score_after"] == pytest.approx(70.0)
    assert score[0]["delta"] == pytest.approx(-8.1)
    assert [u["name"] for u in doc["unmatched"]] == [
        "planted/unknown-model-x (Planted: Unknown Model X)"]
    rows = {r["domain"]: r for r in doc["map"]}
    assert rows["maths"]["gap_after"] < rows["maths"]["gap_before"]
    assert rows["agentic"]["gap_after"] > rows["agentic"]["gap_before"]
    for r in doc["map"]:
        for when in ("before", "after"):
            for stat in ("gap", "lag_months"):
                if r[f"{stat}_{when}"] is not None:
                    assert r[f"{stat}_ci_low_{when}"] <= r[f"{stat}_{when}"] <= r[
                        f"{stat}_ci_high_{when}"]
    frontier = {(f["domain"], f["group"], f["model_id"]) for f in doc["frontier"]}
    assert ("maths", "open", "Planted Open One") in frontier
    assert any("Maths: the gap narrowed" in line for line in doc["summary"])


def test_diff_table_fits_80_columns_and_prints_names_as_text(capsys, updated, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    code, out, err = _run(capsys, "diff", "--db", updated, "--draws", "10", "--to",
                          "current", "--from", "bundled")
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "Planted Open One" in out and "What it did to the map" in out
    assert "MiniMax-M2.5" in out and "renamed" in out
    assert "[b]Markup[/b]" in out  # a name from data is text, never markup


@pytest.mark.parametrize("argv, expected", [
    (["--from", "1999-01-01"], "no snapshot was taken on or before"),
    (["--from", "bundled", "--to", "bundled"], "same state"),
])
def test_diff_errors_are_one_line(capsys, updated, argv, expected):
    code, out, err = _run(capsys, "diff", "--db", updated, *argv)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1


def test_one_state_only(capsys, bundled_db):
    code, _, err = _run(capsys, "diff", "--db", bundled_db)
    assert code == 2 and "only one data state" in err


def test_snapshots_lists_the_bundled_one(capsys, bundled_db):
    code, out, _ = _run(capsys, "snapshots", "--db", bundled_db, "-f", "json")
    assert code == 0 and [r["label"] for r in json.loads(out)["rows"]] == ["bundled"]


def test_the_report_section_says_when_there_was_no_update(bundled_db):
    from gaplens._api_diff import since_last_update_text

    (line,) = since_last_update_text(bundled_db)
    assert line.startswith("There has been no update since the bundled data (snapshot ")
    assert "data through 2026-04-16" in line


def test_markdown_text_from_data_is_escaped():
    """The "since the last update" sentences go through the report's one Markdown rule."""
    from gaplens._util.inert import md_text

    out = md_text("a*b_[c](d) <i>#")
    assert "<i>" not in out and "&lt;i&gt;" in out
    assert "\\*" in out and "\\_" in out and "\\[" in out
