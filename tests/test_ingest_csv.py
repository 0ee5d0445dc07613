"""Round trip of the documented tidy CSV (and a benchmark file with a new domain)."""

from __future__ import annotations

import csv

import duckdb
import pytest

import gaplens

HEADER = ["model", "benchmark", "score", "release_date", "accessibility", "organization",
          "country"]
OPEN = "Open weights (unrestricted)"
API = "API access"

# RoboBench: baseline 0.25, ceiling 1 -> normalised = (raw - 0.25) / 0.75.
ROWS = [
    ["OpenBot-A", "RoboBench", "0.55", "2025-01-10", OPEN, "Lab O", "France"],      # 0.4
    ["OpenBot-B", "RoboBench", "0.625", "2025-03-10", OPEN, "Lab O", "France"],     # 0.5
    ["OpenBot-C", "RoboBench", "0.70", "2025-06-10", OPEN, "Lab O", "France"],      # 0.6
    ["ClosedBot-X", "RoboBench", "0.70", "2024-11-01", API, "Lab C", "USA"],        # 0.6
    ["gpt-4o", "RoboBench", "0.775", "2024-05-13", API, "OpenAI",                   # 0.7
     "United States of America"],
    ["ClosedBot-Y", "RoboBench", "0.85", "2025-02-01", API, "Lab C", "USA"],        # 0.8
    ["OpenBot-A", "gpqa DIAMOND", "0.40", "2025-01-10", OPEN, "Lab O", "France"],   # 0.2
]
NEW_MODELS = {"OpenBot-A", "OpenBot-B", "OpenBot-C", "ClosedBot-X", "ClosedBot-Y"}


def write_csv(path, header, rows) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def bench_file(tmp_path) -> str:
    return write_csv(tmp_path / "benchmarks.csv",
                     ["benchmark", "domain", "random_baseline", "ceiling", "test_set"],
                     [["RoboBench", "robotics", "0.25", "1", "public"]])


@pytest.fixture
def results_file(tmp_path) -> str:
    return write_csv(tmp_path / "results.csv", HEADER, ROWS)


def stored(db, benchmark):
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT r.version_id, v.model_id, r.raw_score, r.score, r.source_row FROM results r "
            "JOIN model_versions v USING (version_id) WHERE r.benchmark = ? ORDER BY r.score",
            [benchmark]).df()
    finally:
        con.close()


def test_first_ingest_report_counts(db, bench_file, results_file):
    report = gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    assert report.kind == "csv"
    assert report.counts["results"].added == len(ROWS)
    assert report.counts["results"].updated == 0
    assert report.counts["results"].unchanged == 0
    assert report.added == len(ROWS) and report.updated == 0
    assert report.counts["domains"].added == 1
    assert report.counts["benchmarks"].added == 1
    assert report.counts["models"].added == len(NEW_MODELS)
    assert report.rejected.empty


def test_stored_normalised_scores(db, bench_file, results_file):
    gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    robo = stored(db, "RoboBench")
    assert len(robo) == 6
    expected = {"OpenBot-A": 0.4, "OpenBot-B": 0.5, "OpenBot-C": 0.6, "ClosedBot-X": 0.6,
                "GPT-4o": 0.7, "ClosedBot-Y": 0.8}
    got = dict(zip(robo["model_id"], robo["score"]))
    assert got == pytest.approx(expected, abs=1e-12)
    # The last row names an existing benchmark in another case: it lands on GPQA diamond.
    gpqa = stored(db, "GPQA diamond")
    mine = gpqa.loc[gpqa["model_id"] == "OpenBot-A"]
    assert len(mine) == 1
    assert mine["raw_score"].iloc[0] == pytest.approx(0.40)
    assert mine["score"].iloc[0] == pytest.approx((0.40 - 0.25) / 0.75)
    assert int(mine["source_row"].iloc[0]) == len(ROWS) + 1  # spreadsheet row of the last line


def test_model_name_joins_existing_epoch_model(db, bench_file, results_file):
    before = gaplens.models(db=db)
    gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    after = gaplens.models(db=db)
    assert "gpt-4o" not in set(after["model_id"])
    assert (after["model_id"].str.lower() == "gpt-4o").sum() == 1
    assert len(after) == len(before) + len(NEW_MODELS)
    assert set(after["model_id"]) - set(before["model_id"]) == NEW_MODELS
    n_before = int(before.loc[before["model_id"] == "GPT-4o", "n_benchmarks"].iloc[0])
    n_after = int(after.loc[after["model_id"] == "GPT-4o", "n_benchmarks"].iloc[0])
    assert n_after == n_before + 1
    # The Epoch-owned model keeps its own metadata and accessibility.
    row = after.loc[after["model_id"] == "GPT-4o"].iloc[0]
    assert row["accessibility"] == API
    assert row["display_name"] == "GPT-4o"


def test_new_domain_appears_in_gap(db, bench_file, results_file):
    gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    domains = gaplens.benchmarks(db=db)
    assert domains.loc[domains["benchmark"] == "RoboBench", "domain"].tolist() == ["robotics"]
    table = gaplens.gap(db=db, n_draws=20).table.set_index("key")
    assert "robotics" in table.index
    row = table.loc["robotics"]
    assert row["n_open"] == 3 and row["n_closed"] == 3
    assert row["n_benchmarks"] == 1
    assert row["status"] != "too_few_models"
    assert row["closed_level"] == pytest.approx(80.0)
    assert row["open_level"] == pytest.approx(60.0)
    assert row["gap"] == pytest.approx(20.0)
    assert row["closed_model"] == "ClosedBot-Y"
    assert row["open_model"] == "OpenBot-C"
    assert row["draws"] == 20


def test_new_domain_with_too_few_open_models(db, bench_file, tmp_path):
    rows = [r for r in ROWS if r[0] != "OpenBot-C"]
    path = write_csv(tmp_path / "two_open.csv", HEADER, rows)
    gaplens.ingest_csv(path, db=db, benchmarks=bench_file)
    table = gaplens.gap(db=db, n_draws=0).table.set_index("key")
    assert table.loc["robotics", "status"] == "too_few_models"
    assert table.loc["robotics", "n_open"] == 2


def test_reingest_same_file_changes_nothing(db, bench_file, results_file, snap):
    gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    before = snap(db)
    again = gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    assert again.added == 0 and again.updated == 0
    assert again.counts["results"].unchanged == len(ROWS)
    assert again.counts["models"].added == 0 and again.counts["models"].updated == 0
    after = snap(db)
    assert after["results_checksum"] == before["results_checksum"]
    assert after["results"] == before["results"] and after["models"] == before["models"]
    assert after["sources"] == before["sources"] + 1


def test_changed_score_is_exactly_one_update(db, bench_file, results_file):
    gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    rows = [list(r) for r in ROWS]
    rows[1][2] = "0.70"  # OpenBot-B: 0.625 -> 0.70
    write_csv(results_file, HEADER, rows)
    report = gaplens.ingest_csv(results_file, db=db, benchmarks=bench_file)
    assert report.counts["results"].updated == 1
    assert report.counts["results"].added == 0
    assert report.counts["results"].unchanged == len(ROWS) - 1
    robo = stored(db, "RoboBench").set_index("model_id")
    assert robo.loc["OpenBot-B", "raw_score"] == pytest.approx(0.70)
    assert robo.loc["OpenBot-B", "score"] == pytest.approx(0.6)


def test_open_flag_instead_of_accessibility(db, tmp_path):
    path = write_csv(tmp_path / "flags.csv",
                     ["model", "benchmark", "score", "release_date", "open"],
                     [["FlagOpen", "GPQA diamond", "0.5", "2025-01-01", "true"],
                      ["FlagClosed", "GPQA diamond", "0.6", "2025-01-01", "false"]])
    report = gaplens.ingest_csv(path, db=db)
    assert report.added == 2
    models = gaplens.models(db=db).set_index("model_id")
    assert models.loc["FlagOpen", "accessibility"] == "Open weights (licence unspecified)"
    assert models.loc["FlagClosed", "accessibility"] == "Closed weights (unspecified)"


def test_percent_benchmark_takes_percent_scores(db, tmp_path):
    path = write_csv(tmp_path / "lb.csv", HEADER,
                     [["PctBot", "LiveBench", "62.5", "2025-01-01", OPEN, "", ""]])
    gaplens.ingest_csv(path, db=db)
    got = stored(db, "LiveBench").set_index("model_id").loc["PctBot"]
    assert got["raw_score"] == pytest.approx(62.5)
    assert got["score"] == pytest.approx(0.625)


def test_log_benchmark_through_csv(db, tmp_path):
    import math
    path = write_csv(tmp_path / "metr.csv", HEADER,
                     [["HorizonBot", "METR Time Horizons", "48.99", "2025-01-01", API, "", ""]])
    gaplens.ingest_csv(path, db=db)
    got = stored(db, "METR Time Horizons").set_index("model_id").loc["HorizonBot"]
    assert got["score"] == pytest.approx(math.log(48.99) / math.log(2400), rel=1e-12)


def test_percent_sign_on_fraction_benchmark_is_not_silently_misread(db, tmp_path):
    path = write_csv(tmp_path / "pct.csv", HEADER,
                     [["PctSign", "GPQA diamond", "0.5%", "2025-01-01", OPEN, "", ""]])
    try:
        gaplens.ingest_csv(path, db=db)
    except gaplens.InputError:
        return  # refusing the value is acceptable
    got = stored(db, "GPQA diamond").set_index("model_id").loc["PctSign"]
    assert got["raw_score"] == pytest.approx(0.005)


def test_stderr_is_stored(db, bench_file, tmp_path):
    rows = [r + [""] for r in ROWS]
    rows[0][-1] = "0.02"
    path = write_csv(tmp_path / "with_stderr.csv", HEADER + ["stderr"], rows)
    report = gaplens.ingest_csv(path, db=db, benchmarks=bench_file)
    assert report.added == len(ROWS)
    con = duckdb.connect(db, read_only=True)
    try:
        got = dict(con.execute("SELECT version_id, stderr FROM results "
                               "WHERE benchmark = 'RoboBench'").fetchall())
    finally:
        con.close()
    assert got["OpenBot-A"] == pytest.approx(0.02)
    assert got["OpenBot-B"] is None
