"""Dated snapshots of the warehouse's data, and reading one back as a warehouse.

A snapshot records the data state after a load or an update: every domain, benchmark
(with whatever columns the table has, ``superseded_by`` included when present), model
(source accessibility, release date, display name), model version, result (score and
standard error) and accessibility override; the names a source gave that matched no
model or more than one (from the rejected rows); and, per source, the newest date its
data speak for. It lives inside the warehouse file, in ``snapshots`` and ``snap_<table>``
tables keyed by ``snapshot_id``, written in one transaction: a failed snapshot leaves
nothing behind, and two states are compared in SQL or pandas without a second file.

The id is the UTC time it was taken, ``YYYY-MM-DDTHH:MM:SSZ`` (``.2``, ``.3`` ... when two
are taken within one second). A fingerprint (an order-free sum of row hashes of the
mirrored tables, source ids left out) tells whether the current data differ from a
snapshot. Real-world signals (ratings, usage) are not copied: they are dated already, and
the gap map does not read them.

Size: a snapshot copies the rows it records. On the bundled data (908 models, 591
versions, 3,271 results) that is 1.5 MB as text and about 80 KB of DuckDB's compressed
blocks, taken in about a second; it grows linearly with the data (about 0.8 MB per
snapshot at 10 times the results, 8 MB at 100 times). Keeping every snapshot whole keeps a
diff a plain join; at that scale, pruning old snapshots is the remedy (not yet built).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from ..errors import StoreError
from .schema import SNAPSHOT_MIRRORED
from .warehouse import Warehouse

#: Rejected rows that record a name matching no model, or several.
UNMATCHED_SQL = """
SELECT s.kind, r.file, regexp_extract(r.reason, '''([^'']*)''', 1) AS name, r.reason
FROM rejected r LEFT JOIN sources s USING (source_id)
WHERE r.reason LIKE '%not matched%' OR r.reason LIKE '%is ambiguous%'
"""

#: Per source: the newest release date of a model with a result owned by it, or the newest
#: date of its signals, whichever is later.
SOURCES_SQL = """
WITH res AS (
    SELECT r.source_id, max(COALESCE(v.release_date, m.release_date)) AS d
    FROM results r JOIN model_versions v USING (version_id) JOIN models m USING (model_id)
    GROUP BY r.source_id),
sig AS (SELECT source_id, max(as_of) AS d FROM signals GROUP BY source_id)
SELECT s.source_id, s.kind, s.path, s.origin, s.retrieved_on, s.published_on,
       CASE WHEN res.d IS NULL THEN sig.d WHEN sig.d IS NULL THEN res.d
            ELSE greatest(res.d, sig.d) END AS data_through
FROM sources s LEFT JOIN res USING (source_id) LEFT JOIN sig USING (source_id)
"""


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot: its id (UTC time taken), label, note and what it holds."""

    snapshot_id: str
    taken_at: dt.datetime
    label: str
    note: str
    fingerprint: str
    data_through: dt.date | None
    n_models: int
    n_benchmarks: int
    n_results: int
    text_bytes: int  # the rows it copied, as text (on disk DuckDB compresses them ~20x)


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]


def _types(con, table: str) -> dict[str, str]:
    return dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
        "'main' AND table_name = ?", [table]).fetchall())


def _has_snapshots(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE "
                            "table_schema = 'main' AND table_name = 'snapshots'").fetchone()[0])


def fingerprint(warehouse: Warehouse) -> str:
    """An order-free checksum of the mirrored tables (source ids left out)."""
    parts = []
    for table in SNAPSHOT_MIRRORED:
        cols = [c for c in _columns(warehouse.con, table) if c != "source_id"]
        select = ", ".join(f'"{c}"' for c in cols)
        n, h = warehouse.con.execute(
            f"SELECT count(*), COALESCE(sum(hash(t)::HUGEINT), 0) FROM "
            f"(SELECT {select} FROM {table}) t").fetchone()
        parts.append(f"{table}:{n}:{h}")
    return ";".join(parts)


def _new_id(con, now: dt.datetime) -> str:
    base = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    taken = {r[0] for r in con.execute(
        "SELECT snapshot_id FROM snapshots WHERE snapshot_id LIKE ?", [base + "%"]).fetchall()}
    if base not in taken:
        return base
    k = 2
    while f"{base}.{k}" in taken:
        k += 1
    return f"{base}.{k}"


def _align_mirror(con, table: str) -> list[str]:
    """Give ``snap_<table>`` the columns ``table`` gained since; returns the shared ones."""
    have, mirror = _types(con, table), _types(con, f"snap_{table}")
    for column, kind in have.items():
        if column not in mirror:
            con.execute(f'ALTER TABLE snap_{table} ADD COLUMN "{column}" {kind}')
    return list(have)


def take_snapshot(warehouse: Warehouse, label: str, note: str = "") -> SnapshotInfo:
    """Record the warehouse's current data state as a new dated snapshot (one transaction)."""
    if warehouse.read_only:
        raise StoreError(f"{warehouse.path}: opened read-only; cannot take a snapshot")
    if not _has_snapshots(warehouse.con):
        warehouse._migrate(warehouse._layout())
    con = warehouse.con
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    try:
        con.execute("BEGIN TRANSACTION")
        sid = _new_id(con, now)
        for table in SNAPSHOT_MIRRORED:
            cols = ", ".join(f'"{c}"' for c in _align_mirror(con, table))
            con.execute(f"INSERT INTO snap_{table} (snapshot_id, {cols}) "
                        f"SELECT ?, {cols} FROM {table}", [sid])
        con.execute("INSERT INTO snap_unmatched SELECT DISTINCT ?, * FROM "
                    f"({UNMATCHED_SQL})", [sid])
        con.execute("INSERT INTO snap_sources SELECT ?, source_id, kind, path, origin, "
                    f"retrieved_on, published_on, data_through FROM ({SOURCES_SQL})", [sid])
        through = con.execute(
            "SELECT max(COALESCE(v.release_date, m.release_date)) FROM results r JOIN "
            "model_versions v USING (version_id) JOIN models m USING (model_id)").fetchone()[0]
        con.execute("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                    [sid, now, label, note, fingerprint(warehouse), through])
        con.execute("COMMIT")
    except BaseException as exc:
        con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"{warehouse.path}: snapshot failed and was rolled back "
                             f"({str(exc).splitlines()[0]})") from None
        raise
    return snapshot_info(warehouse, sid)


def snapshot_if_changed(warehouse: Warehouse, label: str, note: str = "") -> SnapshotInfo | None:
    """A snapshot when there is none yet or the data differ from the newest; else None."""
    newest = list_snapshots(warehouse, sizes=False)
    if len(newest) and newest["fingerprint"].iloc[-1] == fingerprint(warehouse):
        return None
    return take_snapshot(warehouse, label, note)


def list_snapshots(warehouse: Warehouse, snapshot_id: str | None = None,
                   sizes: bool = True) -> pd.DataFrame:
    """Every snapshot (or the one ``snapshot_id``), oldest first: id, time taken (UTC),
    label, note, data-through date, counts of models, benchmarks and results, and the size
    of the rows it copied as text (``sizes=False``: 0, not measured: it reads every row)."""
    columns = ["snapshot_id", "taken_at", "label", "note", "data_through", "n_models",
               "n_benchmarks", "n_results", "text_bytes", "fingerprint"]
    if not _has_snapshots(warehouse.con):
        return pd.DataFrame(columns=columns)
    where, params = ("WHERE snapshot_id = ?", [snapshot_id]) if snapshot_id else ("", [])
    frame = warehouse.query(f"SELECT * FROM snapshots {where} ORDER BY taken_at, snapshot_id",
                            params)
    for t in ("models", "benchmarks", "results"):
        n = warehouse.query(f"SELECT snapshot_id, count(*) AS n FROM snap_{t} {where} "
                            "GROUP BY 1", params).set_index("snapshot_id")["n"]
        frame[f"n_{t}"] = frame["snapshot_id"].map(n).fillna(0).astype(int)
    frame["text_bytes"] = (frame["snapshot_id"].map(_text_bytes(warehouse, where, params))
                           .fillna(0).astype(int) if sizes else 0)
    return frame[columns].reset_index(drop=True)


def _text_bytes(warehouse: Warehouse, where: str, params: list) -> pd.Series:
    """Per snapshot: the summed length of its rows as text (a portable size measure)."""
    parts = []
    for t in (*SNAPSHOT_MIRRORED, "unmatched", "sources"):
        parts.append(warehouse.query(
            f"SELECT snapshot_id, sum(length(CAST(t AS VARCHAR))) AS b FROM snap_{t} t "
            f"{where} GROUP BY 1", params))
    both = pd.concat(parts, ignore_index=True)
    return both.groupby("snapshot_id")["b"].sum()


def snapshot_info(warehouse: Warehouse, snapshot_id: str) -> SnapshotInfo:
    row = list_snapshots(warehouse, snapshot_id)
    if row.empty:
        raise StoreError(f"{warehouse.path}: no snapshot '{snapshot_id}'")
    r = row.iloc[0]
    through = r["data_through"]
    return SnapshotInfo(snapshot_id=r["snapshot_id"], taken_at=pd.Timestamp(r["taken_at"])
                        .to_pydatetime(), label=r["label"], note=r["note"] or "",
                        fingerprint=r["fingerprint"],
                        data_through=None if pd.isna(through) else pd.Timestamp(through).date(),
                        n_models=int(r["n_models"]), n_benchmarks=int(r["n_benchmarks"]),
                        n_results=int(r["n_results"]), text_bytes=int(r["text_bytes"]))


def snapshot_frames(warehouse: Warehouse, snapshot_id: str) -> dict[str, pd.DataFrame]:
    """The rows of one snapshot, per table (``unmatched`` and ``sources`` included), without
    the ``snapshot_id`` column."""
    snapshot_info(warehouse, snapshot_id)  # refuses an unknown id
    out = {}
    for t in (*SNAPSHOT_MIRRORED, "unmatched", "sources"):
        frame = warehouse.query(f"SELECT * FROM snap_{t} WHERE snapshot_id = ?", [snapshot_id])
        out[t] = frame.drop(columns="snapshot_id")
    return out


def current_extras(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    """The live counterparts of a snapshot's ``unmatched`` and ``sources`` tables."""
    return {"unmatched": warehouse.query(f"SELECT DISTINCT * FROM ({UNMATCHED_SQL})"),
            "sources": warehouse.query(SOURCES_SQL)}


def materialise(warehouse: Warehouse, snapshot_id: str) -> Warehouse:
    """One snapshot as an in-memory warehouse, opened read-only for writes (``ingest`` is
    refused): every reading method (``observations``, ``models`` ...) works on it, so the
    gap map can be computed on it. Close it when done."""
    frames = snapshot_frames(warehouse, snapshot_id)
    memory = Warehouse(":memory:")
    try:
        con = memory.con
        con.execute("BEGIN TRANSACTION")
        for table in SNAPSHOT_MIRRORED:
            frame = frames[table]
            have = _types(con, table)
            for column in frame.columns:  # columns this gaplens does not know: kept
                if column not in have:
                    kind = _types(warehouse.con, f"snap_{table}")[column]
                    con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}')
            con.register("_snap", frame)
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _snap")
            con.unregister("_snap")
        con.execute("COMMIT")
    except BaseException:
        memory.close()
        raise
    memory.read_only = True
    memory.path = f"{warehouse.path} (snapshot {snapshot_id})"
    return memory
