"""Every output states how current the data are: the sources table, the terminal footer,
the JSON block; CSV stays data only. Ages are counted to a fixed day, never the clock."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import duckdb
import pandas as pd
import pytest

from gaplens._cli import common
from gaplens._cli.main import main

TODAY = dt.date(2026, 11, 30)
# The bundled copies run to 2026-07-10 (Artificial Analysis): 143 days before TODAY.
STALE_LINE = "warning: the newest data are 143 days old (2026-07-10): run 'gaplens update'"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(common, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def width80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(common.out, "_width", 80, raising=False)


@pytest.fixture
def bundled_origin(bundled_db, tmp_path) -> str:
    """The bundled warehouse with its Epoch and AA rows marked as bundled copies."""
    path = str(tmp_path / "w.duckdb")
    shutil.copyfile(bundled_db, path)
    con = duckdb.connect(path)
    con.execute("UPDATE sources SET origin = 'bundled', published_on = DATE '2026-04-16' "
                "WHERE kind = 'epoch'")
    con.execute("UPDATE sources SET origin = 'bundled', published_on = DATE '2026-07-10' "
                "WHERE kind = 'aa'")
    con.close()
    return path


def test_sources_table_at_80_columns_says_bundled_published(capsys, bundled_origin, today,
                                                            width80):
    code, out, err = run(capsys, "sources", "--db", bundled_origin)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    lines = out.splitlines()
    epoch = next(line for line in lines if " epoch " in line)
    assert epoch.split()[1:] == ["epoch", "bundled,", "published", "2026-04-16", "2026-04-16",
                                 "228", epoch.split()[-1]]
    aa = next(line for line in lines if " aa " in line)
    assert "bundled, published 2026-07-10 2026-07-10 143" in " ".join(aa.split())
    overrides = next(line for line in lines if " overrides " in line)
    assert "imported " in overrides  # a file the user (here: the loader) imported
    text = " ".join(out.split())
    assert "data through: aa 2026-07-10 (143 d), openrouter 2026-05-11 (203 d)" in text
    # The data date is part of the output; the advice to update is a warning, on stderr.
    assert "gaplens update" not in text
    assert " ".join(STALE_LINE.split()) in " ".join(err.split())


def test_sources_json_and_csv(capsys, bundled_origin, today):
    code, out, _ = run(capsys, "sources", "--db", bundled_origin, "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.sources/1"
    rows = {r["kind"]: r for r in doc["rows"]}
    assert rows["epoch"]["provenance"] == "bundled, published 2026-04-16"
    assert rows["epoch"]["origin"] == "bundled" and rows["epoch"]["published_on"] == "2026-04-16"
    assert rows["epoch"]["data_through"] == "2026-04-16" and rows["epoch"]["age_days"] == 228
    assert rows["overrides"]["data_through"] is None
    assert doc["freshness"]["stale"] is True and doc["freshness"]["age_days"] == 143
    code, out, _ = run(capsys, "sources", "--db", bundled_origin, "-f", "csv")
    table = pd.read_csv(pd.io.common.StringIO(out))
    assert "data through" not in out and "warning" not in out  # CSV stays data only
    assert set(table["kind"]) >= {"epoch", "aa", "lmarena", "livebench", "openrouter"}


@pytest.mark.parametrize("argv", [["models", "--since", "2026-04-01"], ["benchmarks"],
                                  ["gap", "--draws", "0"]], ids=lambda a: a[0])
def test_json_documents_carry_the_freshness_block(capsys, bundled_db, today, argv):
    code, out, _ = run(capsys, *argv, "--db", bundled_db, "-f", "json")
    assert code == 0
    f = json.loads(out)["freshness"]
    assert f["today"] == "2026-11-30" and f["newest_data_through"] == "2026-07-10"
    assert (f["age_days"], f["stale"], f["stale_after_days"]) == (143, True, 90)
    assert f["message"] == STALE_LINE.removeprefix("warning: ")
    kinds = {s["kind"]: s for s in f["sources"]}
    assert kinds["epoch"]["data_through"] == "2026-04-16" and kinds["epoch"]["age_days"] == 228


def test_terminal_footer_and_no_stale_line_within_90_days(capsys, bundled_db, monkeypatch):
    monkeypatch.setattr(common, "today", lambda: dt.date(2026, 10, 8))  # 90 days after AA
    code, out, _ = run(capsys, "benchmarks", "--db", bundled_db)
    assert code == 0
    text = " ".join(out.split())  # undo the terminal's line wrapping
    assert text.endswith("data through: aa 2026-07-10 (90 d), openrouter 2026-05-11 (150 d), "
                         "lmarena 2026-04-19 (172 d), epoch 2026-04-16 (175 d), "
                         "livebench 2026-01-08 (273 d)")
    assert "gaplens update" not in out
    monkeypatch.setattr(common, "today", lambda: dt.date(2026, 10, 9))
    code, out, err = run(capsys, "benchmarks", "--db", bundled_db)
    assert " ".join(out.split()).endswith("livebench 2026-01-08 (274 d)")
    assert " ".join(err.split()) == ("warning: the newest data are 91 days old (2026-07-10): "
                                     "run 'gaplens update'")


def test_csv_outputs_stay_pure_data(capsys, bundled_db, today):
    code, out, _ = run(capsys, "models", "--db", bundled_db, "-f", "csv")
    assert code == 0 and "data through" not in out and "gaplens update" not in out
    assert len(pd.read_csv(pd.io.common.StringIO(out))) > 100


def test_help_and_errors_print_no_footer(capsys, bundled_db, today):
    code, out, _ = run(capsys, "sources", "--help")
    assert code == 0 and "data through" not in out
    code, out, err = run(capsys, "gap", "--db", bundled_db, "--at", "yesterday")
    assert code == 2 and "data through" not in out + err


def test_ingest_json_states_freshness_after_the_ingest(capsys, db, tmp_path, today):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("model,accessibility,reason\nGLM-5,API access,checked\n")
    code, out, err = run(capsys, "ingest", "overrides", str(fixes), "--db", db, "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "gaplens.ingest/1"
    kinds = {s["kind"]: s for s in doc["freshness"]["sources"]}
    assert kinds["overrides"]["n_sources"] == 2  # the bundled file and this one
    assert re.fullmatch(r"imported \d{4}-\d\d-\d\d", kinds["overrides"]["provenance"])
    assert kinds["overrides"]["data_through"] is None
