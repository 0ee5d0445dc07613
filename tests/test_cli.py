"""The command line: thin over the API, one-line errors, stable JSON, 80-column tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from gaplens._cli.main import main
from gaplens.report.formatting import GAP_SCHEMA


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_gap_json_is_documented_and_stable(capsys, bundled_db):
    code, out, _ = run(capsys, "gap", "--db", bundled_db, "--draws", "50", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == GAP_SCHEMA
    assert doc["settings"]["n_draws"] == 50 and doc["settings"]["by"] == "domain"
    assert doc["settings"]["as_of"] == "2026-04-16"  # newest release in the bundled data
    keys = [r["key"] for r in doc["rows"]]
    assert keys[:3] == ["maths", "coding", "agentic"]  # domains.csv order
    # every field documented in docs/json.md is present in every row
    documented = open(os.path.join(os.path.dirname(__file__), "..", "docs", "json.md")).read()
    for field in doc["rows"][0]:
        assert f"`{field}`" in documented or field in documented, field
    knowledge_work = next(r for r in doc["rows"] if r["key"] == "knowledge_work")
    assert knowledge_work["note"].find("GDPval (0 open/") >= 0


def test_gap_same_seed_same_output(capsys, bundled_db):
    a = run(capsys, "gap", "--db", bundled_db, "--draws", "40", "--seed", "7", "-f", "csv")[1]
    b = run(capsys, "gap", "--db", bundled_db, "--draws", "40", "--seed", "7", "-f", "csv")[1]
    c = run(capsys, "gap", "--db", bundled_db, "--draws", "40", "--seed", "8", "-f", "csv")[1]
    assert a == b
    assert a != c


def test_gap_by_benchmark_csv_reports_too_few_models_with_counts(capsys, bundled_db):
    code, out, _ = run(capsys, "gap", "--db", bundled_db, "--by", "benchmark", "--draws", "0",
                       "-f", "csv")
    assert code == 0
    table = pd.read_csv(pd.io.common.StringIO(out))
    gdpval = table.loc[table["key"] == "GDPval"].iloc[0]
    assert gdpval["status"] == "too_few_models"
    assert gdpval["n_open"] == 0 and gdpval["n_closed"] > 0
    assert pd.isna(gdpval["gap"])
    swe = table.loc[table["key"] == "SWE-Bench verified"].iloc[0]
    assert swe["status"] == "too_few_models" and swe["n_open"] == 2


def test_table_fits_80_columns(capsys, bundled_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    from gaplens._cli import main as cli_main

    monkeypatch.setattr(cli_main.out, "_width", 80, raising=False)
    code, out, _ = run(capsys, "gap", "--db", bundled_db, "--draws", "20")
    assert code == 0
    assert "Agentic" in out and "Kimi K2.5" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_open_definition_changes_the_groups(capsys, bundled_db):
    rows = {}
    for definition in ("unrestricted", "open-weights", "any-open"):
        _, out, _ = run(capsys, "gap", "--db", bundled_db, "--draws", "0", "-f", "json",
                        "--open-definition", definition)
        rows[definition] = {r["key"]: r for r in json.loads(out)["rows"]}
    # widening the definition can only add open models
    for key in rows["open-weights"]:
        assert rows["unrestricted"][key]["n_open"] <= rows["open-weights"][key]["n_open"]
        assert rows["open-weights"][key]["n_open"] <= rows["any-open"][key]["n_open"]
    assert rows["unrestricted"]["maths"]["n_open"] < rows["any-open"]["maths"]["n_open"]


def test_at_a_past_date_uses_only_models_released_by_then(capsys, bundled_db):
    _, out, _ = run(capsys, "gap", "--db", bundled_db, "--draws", "0", "-f", "json",
                    "--by", "benchmark", "--at", "2025-01-31")
    doc = json.loads(out)
    assert doc["settings"]["as_of"] == "2025-01-31"
    for row in doc["rows"]:
        for side in ("open", "closed"):
            date = row[f"{side}_release_date"]
            assert date is None or date <= "2025-01-31"


@pytest.mark.parametrize("argv, expected", [
    (["gap", "--at", "2026-13-01"], "--at '2026-13-01' is not a date"),
    (["gap", "--at", "2099-01-01"], "is in the future"),
    (["models", "--domain", "cooking"], "unknown domain 'cooking'"),
    (["models", "--accessibility", "sort of open"], "unknown accessibility"),
])
def test_bad_options_give_one_line_errors(capsys, bundled_db, argv, expected):
    code, out, err = run(capsys, *argv, "--db", bundled_db)
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_ingest_csv_error_names_file_row_field(capsys, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("model,benchmark,score,release_date,accessibility\n"
                   "m1,GPQA diamond,0.5,2025-01-01,API access\n"
                   "m2,GPQA diamond,lots,2025-01-01,API access\n")
    code, _, err = run(capsys, "ingest", "csv", str(bad), "--db", db)
    assert code == 2
    line = err.strip()
    assert len(line.splitlines()) == 1
    assert str(bad) in line and "row 3" in line and "'score'" in line


def test_ingest_csv_reports_counts(capsys, db, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("model,benchmark,score,release_date,open\n"
                    "my-model,GPQA diamond,0.7,2025-06-01,true\n")
    code, out, _ = run(capsys, "ingest", "csv", str(good), "--db", db)
    assert code == 0
    assert "results" in out and "1" in out
    code, out, _ = run(capsys, "models", "--db", db, "-f", "csv", "--since", "2025-06-01",
                       "--until", "2025-06-01")
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert "my-model" in set(table["model_id"])
    assert table.loc[table["model_id"] == "my-model", "accessibility"].iloc[0] == \
        "Open weights (licence unspecified)"


def test_models_versions_marks_the_collapse(capsys, bundled_db):
    code, out, _ = run(capsys, "models", "--db", bundled_db, "--versions", "-f", "csv")
    assert code == 0
    table = pd.read_csv(pd.io.common.StringIO(out))
    gpt5 = table.loc[(table["model_id"] == "GPT-5") & (table["benchmark"] == "GPQA diamond")]
    assert len(gpt5) > 1  # several versions/settings of GPT-5 were run on GPQA
    assert gpt5["used"].sum() == 1
    assert gpt5.loc[gpt5["used"], "score"].iloc[0] == gpt5["score"].max()


def test_benchmarks_lists_domains_and_coverage(capsys, bundled_db):
    code, out, _ = run(capsys, "benchmarks", "--db", bundled_db, "--domain", "agentic",
                       "-f", "csv")
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert set(table["domain"]) == {"agentic"}
    assert "Terminal Bench" in set(table["benchmark"])
    assert (table["n_open"] >= 0).all()


def test_report_writes_markdown_data_and_charts(capsys, bundled_db, tmp_path, monkeypatch):
    from gaplens._cli import common

    monkeypatch.setattr(common, "today", lambda: __import__("datetime").date(2026, 11, 30))
    out_dir = tmp_path / "rep"
    code, out, _ = run(capsys, "report", "--format", "md", "--db", bundled_db, "--out",
                       str(out_dir), "--draws", "30")
    assert code == 0
    names = set(os.listdir(out_dir))
    assert {"README.md", "gap.json", "gap.csv", "frontiers.csv", "gap_by_domain.png",
            "gap_by_domain.svg", "frontiers_agentic.png"} <= names
    md = (out_dir / "README.md").read_text()
    assert "Epoch AI" in md and "CC BY 4.0" in md
    assert "| Agentic &amp; computer use |" in md  # & escaped: renders as itself
    # Near the top: each source's data-through date and age, and the stale line.
    top = md.index("| Domain |")
    assert 0 < md.index("**Data through** aa 2026-07-10 (143 days old), ") < top
    assert 0 < md.index("**Old data.** The newest data are 143 days old (2026-07-10): run "
                        "`gaplens update`") < top
    assert "epoch 2026-04-16 (228 days old)" in md
    assert json.loads((out_dir / "gap.json").read_text())["freshness"]["age_days"] == 143
    with open(out_dir / "gap_by_domain.png", "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_installed_entry_point_runs(tmp_path, bundled_db):
    exe = os.path.join(os.path.dirname(sys.executable), "gaplens")
    result = subprocess.run([exe, "gap", "--db", bundled_db, "--draws", "0", "-f", "csv"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("key,domain,label")


def test_a_warehouse_from_an_earlier_version_gets_the_new_bundled_sources(tmp_path):
    """A warehouse holding only the Epoch snapshot and overrides (as the first release made
    them) is completed with the bundled sources it lacks, once, on the next open."""
    import gaplens
    from gaplens.api import _bundled_sources, open_warehouse
    from gaplens.store import Warehouse

    path = str(tmp_path / "old.duckdb")
    with Warehouse(path) as warehouse:
        for kind, source, read in _bundled_sources()[:2]:  # epoch, overrides
            warehouse.ingest(read(source, warehouse))
    assert set(gaplens.sources(db=path)["kind"]) >= {"aa", "lmarena", "livebench",
                                                      "openrouter"}
    n = len(gaplens.sources(db=path))
    with open_warehouse(path):
        pass
    assert len(gaplens.sources(db=path)) == n  # loaded once, not again
