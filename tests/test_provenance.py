"""Provenance wins over convenience: a user's row never overwrites a publisher's result,
and a version id names one model."""

from __future__ import annotations

import duckdb
import pytest

import gaplens
from gaplens.errors import InputError

from test_ingest_csv import write_csv

VERSION = "gpt-5.4-mini-2026-03-17_high"
HEADER = ["model", "benchmark", "score", "release_date", "accessibility", "model_version"]


def _gpqa(path):
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(
            "SELECT v.model_id, r.raw_score, s.kind FROM results r JOIN model_versions v "
            "USING (version_id) JOIN sources s ON s.source_id = r.source_id "
            "WHERE r.version_id = ? AND r.benchmark = 'GPQA diamond'", [VERSION]).fetchone()
    finally:
        con.close()


def test_a_version_id_of_another_model_is_refused_naming_both(db, tmp_path, snap):
    model, score, kind = _gpqa(db)
    assert kind == "epoch" and score == pytest.approx(0.836, abs=5e-4)
    before = snap(db)
    path = write_csv(tmp_path / "x.csv", HEADER,
                     [["X", "GPQA diamond", "0.26", "2026-03-20", "API access", VERSION]])
    with pytest.raises(InputError) as info:
        gaplens.ingest_csv(path, db=db)
    text = str(info.value)
    assert "row 2" in text and "'model_version'" in text
    assert f"'{model}'" in text and "'X'" in text
    assert snap(db) == before
    assert _gpqa(db)[1] == score


def test_the_owner_model_s_result_is_kept_and_the_disagreement_reported(db, tmp_path):
    model, score, _ = _gpqa(db)
    path = write_csv(tmp_path / "y.csv", HEADER,
                     [[model, "GPQA diamond", "0.26", "2026-03-17", "API access", VERSION]])
    report = gaplens.ingest_csv(path, db=db)
    assert _gpqa(db)[1:] == (score, "epoch")
    conflicts = report.conflicts
    row = conflicts[(conflicts["table"] == "results") & (conflicts["field"] == "raw_score")]
    assert len(row) == 1
    assert row["kept"].iloc[0] == pytest.approx(score) and row["ignored"].iloc[0] == 0.26


def test_two_models_sharing_one_version_in_a_file_are_refused(db, tmp_path, snap):
    before = snap(db)
    path = write_csv(tmp_path / "z.csv", HEADER, [
        ["Alpha", "GPQA diamond", "0.5", "2026-01-01", "API access", "shared-v1"],
        ["Beta", "GPQA diamond", "0.6", "2026-01-01", "API access", "shared-v1"],
    ])
    with pytest.raises(InputError) as info:
        gaplens.ingest_csv(path, db=db)
    assert "'Alpha'" in str(info.value) and "'Beta'" in str(info.value)
    assert "row 3" in str(info.value)
    assert snap(db) == before


def test_the_same_user_file_still_updates_its_own_results(db, tmp_path):
    path = write_csv(tmp_path / "own.csv", HEADER,
                     [["Alpha", "GPQA diamond", "0.5", "2026-01-01", "API access", "alpha-v1"]])
    gaplens.ingest_csv(path, db=db)
    write_csv(tmp_path / "own.csv", HEADER,
              [["Alpha", "GPQA diamond", "0.55", "2026-01-01", "API access", "alpha-v1"]])
    report = gaplens.ingest_csv(path, db=db)
    assert report.updated == 1 and len(report.conflicts) == 0
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT raw_score FROM results WHERE version_id = 'alpha-v1'"
                       ).fetchone()[0] == pytest.approx(0.55)
    con.close()
