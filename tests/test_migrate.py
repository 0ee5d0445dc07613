"""A warehouse made before the provenance columns of ``sources`` existed is upgraded on
its next writable open and read as it is when read-only."""

import duckdb

from gaplens.ingest.batch import SourceInfo, IngestBatch
from gaplens.store import Warehouse
from gaplens.store.schema import ADDED_COLUMNS


def _columns(path, table="sources"):
    con = duckdb.connect(path, read_only=True)
    try:
        return {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()}
    finally:
        con.close()


def test_old_warehouse_gets_the_new_columns_and_keeps_its_rows(tmp_path):
    import datetime as dt
    path = str(tmp_path / "w.duckdb")
    with Warehouse(path) as w:
        w.ingest(IngestBatch(source=SourceInfo("csv", "a.csv", "0" * 64, dt.date(2026, 1, 2))))
    con = duckdb.connect(path)
    for table, column, _ in ADDED_COLUMNS:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    con.close()
    assert "origin" not in _columns(path)
    with Warehouse(path, read_only=True) as w:  # read as it is
        assert list(w.sources()["kind"]) == ["csv"]
    with Warehouse(path) as w:
        w.ingest(IngestBatch(source=SourceInfo("csv", "b.csv", "1" * 64, dt.date(2026, 1, 3),
                                               origin="update", url="https://x.example/b")))
        frame = w.sources()
    for table in {t for t, _, _ in ADDED_COLUMNS}:
        assert {c for t, c, _ in ADDED_COLUMNS if t == table} <= _columns(path, table)
    assert "superseded_by" in _columns(path, "benchmarks")
    assert list(frame["path"]) == ["a.csv", "b.csv"]
    assert frame["origin"].isna().tolist() == [True, False]
    assert frame["url"].iloc[1] == "https://x.example/b"
