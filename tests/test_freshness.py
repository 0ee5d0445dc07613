"""Freshness: per source the newest date its data describe, its age as of an injected day,
and the one stale line (more than 90 days), on a planted warehouse with known dates."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from gaplens import api
from gaplens.analysis.freshness import compute_freshness, provenance, read_freshness
from gaplens.store import Warehouse
from gaplens.store.schema import ADDED_COLUMNS

D = dt.date


def plant(path: str) -> str:
    """Five sources with known dates (ages below are counted by hand on a calendar)."""
    with Warehouse(path):
        pass
    con = duckdb.connect(path)
    src = ("INSERT INTO sources (source_id, kind, path, sha256, retrieved_on, ingested_at, "
           "origin, url, published_on, fetched_at) VALUES (?, ?, ?, 'x', ?, ?, ?, ?, ?, ?)")
    con.execute(src, [1, "epoch", "hub", D(2026, 4, 19), dt.datetime(2026, 11, 2, 9),
                      "bundled", None, D(2026, 4, 20), None])
    con.execute(src, [2, "aa", "aa.csv", D(2026, 7, 10), dt.datetime(2026, 8, 1, 10),
                      "file", None, None, None])
    con.execute(src, [3, "lmarena", "text.parquet", D(2026, 9, 1), dt.datetime(2026, 9, 1, 12),
                      "update", "https://example.org/text.parquet", None,
                      dt.datetime(2026, 9, 1, 11, 30)])
    con.execute(src, [4, "overrides", "o.csv", D(2026, 5, 1), dt.datetime(2026, 5, 1),
                      "file", None, None, None])
    # The same LMArena file again: nothing changed, so it holds no rows of its own.
    con.execute(src, [5, "lmarena", "text.parquet", D(2026, 9, 2), dt.datetime(2026, 9, 2),
                      "file", None, None, None])
    con.execute("INSERT INTO models (model_id, release_date, accessibility, source_id) VALUES "
                "('m1', '2026-02-01', 'API access', 1), ('m2', '2026-04-16', 'API access', 1)")
    # m1's version is dated itself (2026-03-01); m2's is not: the model's date counts.
    con.execute("INSERT INTO model_versions (version_id, model_id, release_date, "
                "accessibility, source_id) VALUES ('v1', 'm1', '2026-03-01', 'API access', 1), "
                "('v2', 'm2', NULL, 'API access', 1)")
    con.execute("INSERT INTO results VALUES ('v1', 'b', '', 1, 1, NULL, 1, 'f', 2, "
                "'2026-04-19'), ('v2', 'b', '', 1, 1, NULL, 1, 'f', 3, '2026-04-19')")
    con.execute("INSERT INTO signals VALUES ('m1', 'aa.index', 1, '2026-06-01', 2, 'f', 2), "
                "('m1', 'aa.index', 2, '2026-07-10', 2, 'f', 3), "
                "('m2', 'lmarena.text', 1, '2026-08-31', 3, 'f', 2)")
    con.close()
    return path


@pytest.fixture
def planted(tmp_path) -> str:
    return plant(str(tmp_path / "planted.duckdb"))


def test_data_through_and_ages_per_kind(planted):
    with Warehouse(planted, read_only=True) as w:
        f = read_freshness(w, D(2026, 11, 30))
    table = f.table.set_index("kind")
    assert list(f.table["kind"]) == ["lmarena", "aa", "epoch", "overrides"]  # newest first
    assert table.loc["epoch", "data_through"] == D(2026, 4, 16)  # m2: the model's date
    assert table.loc["epoch", "age_days"] == 228  # 14 + 31 + 30 + 31 + 31 + 30 + 31 + 30
    assert table.loc["aa", "data_through"] == D(2026, 7, 10)
    assert table.loc["aa", "age_days"] == 143  # 21 + 31 + 30 + 31 + 30
    assert table.loc["lmarena", "data_through"] == D(2026, 8, 31)
    assert table.loc["lmarena", "age_days"] == 91  # 30 + 31 + 30
    assert table.loc["lmarena", "n_sources"] == 2
    assert table.loc["lmarena", "provenance"] == "fetched 2026-09-01"  # the source with data
    assert table.loc["overrides", "data_through"] is None
    assert f.newest == D(2026, 8, 31) and f.newest_kind == "lmarena" and f.age_days == 91
    per = f.sources.set_index("source_id")
    assert per.loc[1, "data_from"] == D(2026, 3, 1) and per.loc[5, "data_through"] is None


def test_stale_line_after_90_days_and_not_at_90(planted):
    with Warehouse(planted, read_only=True) as w:
        at_90 = read_freshness(w, D(2026, 11, 29))
        at_91 = read_freshness(w, D(2026, 11, 30))
    assert at_90.age_days == 90 and not at_90.stale and at_90.message is None
    assert at_91.age_days == 91 and at_91.stale
    assert at_91.message == ("the newest data are 91 days old (2026-08-31): "
                             "run 'gaplens update'")
    assert "\n" not in at_91.message
    assert at_91.line() == ("data through: lmarena 2026-08-31 (91 d), aa 2026-07-10 (143 d), "
                            "epoch 2026-04-16 (228 d)")


def test_provenance_wording_per_origin(planted):
    with Warehouse(planted, read_only=True) as w:
        f = read_freshness(w, D(2026, 11, 30))
    wording = dict(zip(f.sources["source_id"], f.sources["provenance"]))
    assert wording == {1: "bundled, published 2026-04-20", 2: "imported 2026-08-01",
                       3: "fetched 2026-09-01", 4: "imported 2026-05-01",
                       5: "imported 2026-09-02"}
    # A bundled row without a publication date falls back to the copy's date.
    assert provenance("bundled", D(2026, 4, 19), None, None, None) == \
        "bundled, published 2026-04-19"
    assert provenance(None, D(2026, 4, 19), None, None, None) == "retrieved 2026-04-19"


def test_json_block(planted):
    with Warehouse(planted, read_only=True) as w:
        doc = read_freshness(w, D(2026, 11, 30)).to_dict()
    assert doc["newest_data_through"] == "2026-08-31" and doc["age_days"] == 91
    assert doc["stale"] is True and "gaplens update" in doc["message"]
    assert doc["stale_after_days"] == 90
    epoch = next(s for s in doc["sources"] if s["kind"] == "epoch")
    assert epoch == {"kind": "epoch", "origin": "bundled",
                     "provenance": "bundled, published 2026-04-20",
                     "data_through": "2026-04-16", "age_days": 228, "n_sources": 1}


def test_read_only_old_warehouse_without_provenance_columns(planted):
    con = duckdb.connect(planted)
    for table, column, _ in ADDED_COLUMNS:
        if table == "sources":
            con.execute(f"ALTER TABLE sources DROP COLUMN {column}")
    con.close()
    with Warehouse(planted, read_only=True) as w:
        assert "origin" not in w.sources().columns
        f = read_freshness(w, D(2026, 11, 30))
    assert set(f.sources["provenance"]) == {"retrieved 2026-04-19", "retrieved 2026-07-10",
                                            "retrieved 2026-09-01", "retrieved 2026-05-01",
                                            "retrieved 2026-09-02"}
    assert f.age_days == 91 and f.stale


def test_empty_warehouse_has_no_date_and_is_not_stale(tmp_path):
    import pandas as pd

    f = compute_freshness(pd.DataFrame(columns=["source_id", "kind", "retrieved_on",
                                                "ingested_at"]),
                          pd.DataFrame(columns=["source_id", "data_from", "data_through"]),
                          D(2026, 11, 30))
    assert f.newest is None and not f.stale and f.line() == "data through: no dated data"


def test_bundled_data_are_stale_on_2026_11_30(bundled_db):
    """Golden: the bundled copies run to 2026-07-10 (Artificial Analysis) and 2026-04-16
    (Epoch), so on 2026-11-30 the newest is 143 days old."""
    f = api.freshness(db=bundled_db, today=D(2026, 11, 30))
    table = f.table.set_index("kind")
    assert table.loc["aa", "data_through"] == D(2026, 7, 10)
    assert table.loc["epoch", "data_through"] == D(2026, 4, 16)
    assert (f.newest_kind, f.age_days, f.stale) == ("aa", 143, True)
    assert not api.freshness(db=bundled_db, today=D(2026, 10, 8)).stale  # 90 days
