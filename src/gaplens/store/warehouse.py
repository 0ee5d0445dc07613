"""The embedded DuckDB warehouse.

One file holds sources, domains, benchmarks, models, model versions, results,
accessibility overrides, rejected rows and (later) real-world signals. An ingest is
validated completely before it touches the file and then written in one transaction:
a failure leaves the warehouse exactly as it was.

Default location: ``$GAPLENS_DB`` if set, else ``$XDG_DATA_HOME/gaplens/warehouse.duckdb``
(``~/.local/share/gaplens/warehouse.duckdb``).

Ownership: a model or version row belongs to the source (file path) that first created
it. The same source re-ingested updates it; another source only fills blank fields and
its disagreements are reported as conflicts, never silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from ..errors import InputError, ReadOnlyStoreError, StoreError
from ..ingest.batch import IngestBatch
from ..ingest.normalise import normalise
from ..ingest.validate import validate_batch
from . import frames
from .schema import ADDED_COLUMNS, DDL, MODELS_VIEW, SCHEMA_VERSION, SNAPSHOT_DDL


def _open_error(path: str, exc: BaseException) -> StoreError:
    """One line saying why the warehouse at ``path`` cannot be opened."""
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    low = message.lower()
    if "lock" in low:
        return StoreError(f"{path}: the warehouse is locked by another process; close it and "
                          "retry")
    if "permission denied" in low or "read-only file system" in low:
        return ReadOnlyStoreError(
            f"{path}: the warehouse cannot be written here (permission denied or read-only "
            "file system); read commands still work, imports need a writable copy (--db)")
    if "different configuration" in low:
        return StoreError(f"{path}: the warehouse is open read-only in this process; a write "
                          "has to wait until it is closed")
    if "no space left" in low:
        return StoreError(f"{path}: no space left on the device")
    return StoreError(f"{path}: cannot open the warehouse (corrupt or not a DuckDB file: "
                      f"{message})")


def _failure(path: str, what: str, exc: BaseException) -> StoreError:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "no space left" in message.lower():
        message = "no space left on the device"
    return StoreError(f"{path}: {what} failed and was rolled back ({message})")


def default_path() -> str:
    if os.environ.get("GAPLENS_DB"):
        return os.environ["GAPLENS_DB"]
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                             "share")
    return os.path.join(base, "gaplens", "warehouse.duckdb")


# Tables whose rows belong to the source that made them (see the module docstring).
_OWNED = ("models", "model_versions", "results")


def owner_of(kind: str, path: str) -> str:
    """Who owns what a source wrote: a publisher (a declared source: Epoch, AA, ...) owns
    its rows whatever file or capture they came from, so a newer export or an update
    replaces them; a user's file (tidy CSV, Inspect logs) owns the rows it made."""
    from ..ingest.registry import sources as declared

    if kind in {s.name for s in declared()}:
        return f"source:{kind}"
    return path


_LAYOUT: dict[str, list[str]] | None = None
# Tables that newer versions added: an older read-only warehouse may lack them.
_LATER_TABLES: set[str] = {name for name, _ in SNAPSHOT_DDL}


def _expected_layout() -> dict[str, list[str]]:
    """Tables and columns the DDL creates (read once from an in-memory database)."""
    global _LAYOUT
    if _LAYOUT is None:
        con = duckdb.connect(":memory:")
        try:
            for statement in DDL:
                con.execute(statement)
            layout: dict[str, list[str]] = {}
            for table, column in con.execute(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
            ).fetchall():
                layout.setdefault(table, []).append(column)
        finally:
            con.close()
        _LAYOUT = layout
    return _LAYOUT


@dataclass(frozen=True)
class TableCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did, table by table."""

    source_id: int
    kind: str
    path: str
    counts: dict[str, TableCounts]
    rejected: pd.DataFrame
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)
    matches: pd.DataFrame = field(default_factory=pd.DataFrame)  # how source names matched

    @property
    def added(self) -> int:
        return self.counts["results"].added if "results" in self.counts else 0

    @property
    def updated(self) -> int:
        return self.counts["results"].updated if "results" in self.counts else 0

    def summary_frame(self) -> pd.DataFrame:
        rows = [
            dict(table=name, added=c.added, updated=c.updated, unchanged=c.unchanged,
                 conflicts=c.conflicts)
            for name, c in self.counts.items()
        ]
        rows.append(dict(table="rejected rows", added=len(self.rejected), updated=0,
                         unchanged=0, conflicts=0))
        return pd.DataFrame(rows)


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Null-safe equality of two aligned columns (numbers compared to 1e-12)."""
    both_null = a.isna() & b.isna()
    if pd.api.types.is_datetime64_any_dtype(a) or pd.api.types.is_datetime64_any_dtype(b):
        da = pd.to_datetime(a, errors="coerce").astype("datetime64[ns]")
        db = pd.to_datetime(b, errors="coerce").astype("datetime64[ns]")
        return both_null | ((da == db) & a.notna() & b.notna())
    if pd.api.types.is_bool_dtype(a) or pd.api.types.is_bool_dtype(b):
        eq = (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
        return both_null | (eq & a.notna() & b.notna())
    try:
        fa = pd.to_numeric(a, errors="raise").astype(float)
        fb = pd.to_numeric(b, errors="raise").astype(float)
        eq = pd.Series(np.isclose(fa, fb, rtol=0, atol=1e-12), index=a.index)
    except (ValueError, TypeError):
        eq = (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
    return both_null | (eq & a.notna() & b.notna())


class Warehouse:
    """A gaplens warehouse file. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | None = None, read_only: bool = False) -> None:
        if path is not None and not str(path).strip():
            raise StoreError("the warehouse path is empty")
        self.path = path or default_path()
        self.read_only = read_only
        if read_only and not os.path.exists(self.path):
            raise StoreError(f"{self.path}: no warehouse here (run 'gaplens ingest' first)")
        if not read_only:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise _open_error(self.path, exc) from None
        try:
            # DuckDB's own progress bar would write into gaplens' output.
            self.con.execute("SET enable_progress_bar = false")
            self._check_schema()
        except BaseException:
            self.con.close()
            raise

    # -- life cycle -------------------------------------------------------------------------
    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def _layout(self) -> set[tuple[str, str]]:
        """(table, column) of every column of the warehouse's tables."""
        return set(map(tuple, self.con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main'").fetchall()))

    def _check_schema(self) -> None:
        have = self._layout()
        tables = {t for t, _ in have}
        if "meta" in tables:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: warehouse schema version {row[0] if row else '?'} is not "
                    f"{SCHEMA_VERSION}; re-create it with a new --db"
                )
            if self._migrate(have):
                have = self._layout()
            self._check_layout(have)
            return
        if tables:
            raise StoreError(f"{self.path}: a DuckDB file, but not a gaplens warehouse")
        if self.read_only:
            raise StoreError(f"{self.path}: an empty DuckDB file, not a gaplens warehouse")
        try:
            self.con.execute("BEGIN TRANSACTION")
            for statement in DDL:
                self.con.execute(statement)
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self._rollback()
            raise _failure(self.path, "creating the schema", exc) from None

    def _migrate(self, have: set[tuple[str, str]]) -> bool:
        """Add the columns and tables a newer gaplens expects to an older warehouse (only
        when writable; a read-only warehouse is read as it is); ``have``: its
        :meth:`_layout`. Whether anything was added."""
        tables = {t for t, _ in have}
        missing = [(t, c, k) for t, c, k in ADDED_COLUMNS if t in tables and (t, c) not in have]
        new_tables = [t for t in _expected_layout() if t not in tables]
        if not (missing or new_tables) or self.read_only:
            return False
        try:
            self.con.execute("BEGIN TRANSACTION")
            for statement in DDL:  # every statement is CREATE ... IF NOT EXISTS
                self.con.execute(statement)
            for table, column, kind in missing:
                self.con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}')
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self._rollback()
            raise _failure(self.path, "upgrading the warehouse layout", exc) from None
        return True

    def _check_layout(self, have: set[tuple[str, str]]) -> None:
        """A damaged warehouse (a table or column dropped by hand or by a broken copy) is
        refused with one line instead of failing later in some query. Columns and tables
        newer than the warehouse are tolerated when it is read-only (they are added on the
        next writable open); ``have``: its :meth:`_layout`."""
        tables = {t for t, _ in have}
        added = {(t, c) for t, c, _ in ADDED_COLUMNS}
        for table, columns in _expected_layout().items():
            if table not in tables:
                if self.read_only and table in _LATER_TABLES:
                    continue
                raise StoreError(f"{self.path}: damaged warehouse: table '{table}' is missing; "
                                 "re-create it with a new --db")
            if table in _LATER_TABLES:
                continue  # snapshot tables: store/snapshots.py aligns their columns itself
            for column in columns:
                if (table, column) not in have and not (self.read_only and
                                                        (table, column) in added):
                    raise StoreError(f"{self.path}: damaged warehouse: column "
                                     f"'{table}.{column}' is missing; re-create it with a new "
                                     "--db")

    def _rollback(self) -> None:
        """Roll back if a transaction is still open (a failed COMMIT, e.g. on a full disk,
        has already ended it)."""
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass

    # -- reading ----------------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None, arrow: bool = False) -> pd.DataFrame:
        """The result as a DataFrame; ``arrow``: read through Arrow (store/frames.py: the
        same frame, less CPU on large text columns)."""
        try:
            if arrow:
                return frames.frame(self.con, sql, params or [])
            return self.con.execute(sql, params or []).df()
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: query failed ({str(exc).splitlines()[0]})") from None

    def is_empty(self) -> bool:
        return self.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0

    def sources(self) -> pd.DataFrame:
        return self.query("SELECT * FROM sources ORDER BY source_id")

    def domains(self) -> pd.DataFrame:
        return self.query("SELECT * FROM domains ORDER BY ord, domain")

    def benchmarks(self) -> pd.DataFrame:
        return self.query(
            "SELECT b.*, d.label AS domain_label, d.ord AS domain_ord FROM benchmarks b "
            "LEFT JOIN domains d USING (domain) ORDER BY d.ord, b.benchmark"
        )

    def models(self) -> pd.DataFrame:
        return self.query(f"SELECT * FROM ({MODELS_VIEW}) ORDER BY release_date, model_id")

    def versions(self) -> pd.DataFrame:
        return self.query("SELECT * FROM model_versions ORDER BY model_id, version_id")

    def overrides(self) -> pd.DataFrame:
        return self.query("SELECT * FROM accessibility_overrides ORDER BY model_id")

    def rejected(self) -> pd.DataFrame:
        return self.query('SELECT * FROM rejected ORDER BY source_id, file, "row"')

    def signals(self, prefix: str | None = None) -> pd.DataFrame:
        """Dated non-benchmark observations (leaderboards, usage), with each model's group
        fields; ``prefix`` selects signals by name prefix (for example "aa.")."""
        where, params = "", []
        if prefix:
            where, params = "WHERE s.signal LIKE ?", [prefix + "%"]
        return self.query(
            f"""
            SELECT s.model_id, m.display_name, m.organization, m.country, m.release_date,
                   m.accessibility, s.signal, s.value, s.as_of, s.source_id, s.source_file,
                   s.source_row
            FROM signals s LEFT JOIN ({MODELS_VIEW}) m USING (model_id)
            {where}
            ORDER BY s.signal, s.as_of, s.model_id
            """, params, arrow=True)

    def licences(self) -> pd.DataFrame:
        """What each source says about each model's weights and licence (newest first)."""
        return self.query("SELECT * FROM licences ORDER BY model_id, source, as_of DESC")

    def observations(self) -> pd.DataFrame:
        """Every stored result joined to its version, model (effective accessibility) and
        benchmark: the long table the analysis layer collapses and groups."""
        return self.query(
            f"""
            SELECT r.version_id, v.model_id, m.display_name, m.organization, m.country,
                   m.accessibility, v.setting AS version_setting, r.setting,
                   COALESCE(v.release_date, m.release_date) AS release_date,
                   m.release_date AS model_release_date,
                   r.benchmark, b.domain, b.test_set, b.optimized_for,
                   r.raw_score, r.score, r.stderr, r.source_file, r.source_row, r.retrieved_on
            FROM results r
            JOIN model_versions v USING (version_id)
            JOIN ({MODELS_VIEW}) m ON m.model_id = v.model_id
            JOIN benchmarks b ON b.benchmark = r.benchmark
            """
        )

    # -- stored fits ------------------------------------------------------------------------
    # A fit (for example the capability index) is a set of named frames, replaced as a
    # whole in one transaction: tables ``fit_<name>``. The store does not interpret them.
    def save_fit(self, frames: dict[str, pd.DataFrame]) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; cannot store a fit")
        try:
            self.con.execute("BEGIN TRANSACTION")
            for name in self._fit_tables():
                self.con.execute(f'DROP TABLE "{name}"')
            for name, frame in frames.items():
                self.con.register("_fit_frame", frame)
                self.con.execute(f'CREATE TABLE "fit_{name}" AS SELECT * FROM _fit_frame')
                self.con.unregister("_fit_frame")
            self.con.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            try:
                self.con.unregister("_fit_frame")
            except duckdb.Error:
                pass
            if isinstance(exc, duckdb.Error):
                raise _failure(self.path, "storing the fit", exc) from None
            raise

    def load_fit(self) -> dict[str, pd.DataFrame] | None:
        names = self._fit_tables()
        if not names:
            return None
        return {name[len("fit_"):]: self.query(f'SELECT * FROM "{name}"') for name in names}

    def has_fit(self) -> bool:
        return bool(self._fit_tables())

    def _fit_tables(self) -> list[str]:
        rows = self.con.execute("SELECT table_name FROM information_schema.tables WHERE "
                                "table_schema = 'main' AND table_name LIKE 'fit\\_%' ESCAPE '\\'"
                                ).fetchall()
        return sorted(r[0] for r in rows)

    # -- writing ----------------------------------------------------------------------------
    def _existing(self, table: str) -> pd.DataFrame:
        if table in _OWNED:
            frame = self.query(f"SELECT t.*, s.kind AS owner_kind, s.path AS owner_path "
                               f"FROM {table} t JOIN sources s USING (source_id)")
            frame["owner_path"] = [owner_of(k, p) for k, p in zip(frame.pop("owner_kind"),
                                                                   frame["owner_path"])]
            return frame
        out = self.query(f"SELECT * FROM {table}")
        if table in ("signals", "licences") and not out.empty:  # keys compare as dates, like the batch's
            out["as_of"] = pd.to_datetime(out["as_of"]).dt.date
        return out

    def _merge(
        self,
        table: str,
        frame: pd.DataFrame,
        key: list[str],
        compare: list[str],
        source_id: int,
        source_path: str,
        owned: bool,
    ) -> tuple[pd.DataFrame, TableCounts, list[dict]]:
        """Rows to write (new or changed) and counts. ``owned``: apply the ownership rule."""
        if frame is None or frame.empty:
            return pd.DataFrame(), TableCounts(), []
        frame = frame.copy()
        frame["source_id"] = source_id
        existing = self._existing(table)
        if existing.empty:
            return frame, TableCounts(added=len(frame)), []
        old_cols = compare + (["owner_path", "source_id"] if owned else [])
        old = existing[key + old_cols].rename(columns={c: f"{c}__old" for c in old_cols})
        joined = frame.merge(old, on=key, how="left", indicator=True)
        is_new = (joined["_merge"] == "left_only").to_numpy()
        common = joined.loc[~is_new]
        same = pd.DataFrame({c: _same(common[c], common[f"{c}__old"]) for c in compare},
                            index=common.index)
        conflicts: list[dict] = []
        if owned:
            foreign = (common["owner_path__old"] != source_path).to_numpy()  # an owner id
        else:
            foreign = np.zeros(len(common), dtype=bool)
        # Same owner (or unowned tables): replace changed rows.
        mine = common.loc[~foreign]
        changed_mine = mine.loc[~same.loc[~foreign].all(axis=1).to_numpy()]
        # Another owner: fill blanks only, report disagreements, keep the owner's source_id.
        theirs = common.loc[foreign].copy()
        filled_rows = np.zeros(len(theirs), dtype=bool)
        for c in compare:
            old_v, new_v = theirs[f"{c}__old"], theirs[c]
            fill = (old_v.isna() & new_v.notna()).to_numpy()
            clash = (old_v.notna() & new_v.notna()).to_numpy() & ~same.loc[foreign, c].to_numpy()
            for i in np.flatnonzero(clash):
                conflicts.append(dict(table=table, key="/".join(str(theirs.iloc[i][k]) for k in key),
                                      field=c, kept=old_v.iloc[i], ignored=new_v.iloc[i]))
            theirs[c] = new_v.where(fill, old_v)
            filled_rows |= fill
        if owned and len(theirs):
            theirs["source_id"] = theirs["source_id__old"]
        filled = theirs.loc[filled_rows]
        columns = list(frame.columns)
        write = pd.concat([joined.loc[is_new, columns], changed_mine[columns], filled[columns]],
                          ignore_index=True)
        counts = TableCounts(
            added=int(is_new.sum()),
            updated=len(changed_mine) + len(filled),
            unchanged=len(common) - len(changed_mine) - len(filled),
            conflicts=len(conflicts),
        )
        return write, counts, conflicts

    def _write(self, table: str, frame: pd.DataFrame, columns: list[str],
               replace: bool = True) -> None:
        if frame is None or frame.empty:
            return
        data = frame[columns]
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        cols = ", ".join(f'"{c}"' for c in columns)
        self.con.register("_incoming", data)
        self.con.execute(f"{verb} INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        self.con.unregister("_incoming")

    def ingest(self, batch: IngestBatch) -> IngestReport:
        """Write a validated batch in one transaction and report what changed."""
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        batch = validate_batch(batch)  # every source passes the same rules (ingest/validate.py)
        src = batch.source
        owner = owner_of(src.kind, src.path)
        self._check_versions(batch)
        try:
            self.con.execute("BEGIN TRANSACTION")
            source_id = self.con.execute("SELECT nextval('source_ids')").fetchone()[0]
            self.con.execute(
                "INSERT INTO sources (source_id, kind, path, sha256, retrieved_on, ingested_at, "
                "origin, url, published_on, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [source_id, src.kind, src.path, src.sha256, src.retrieved_on,
                 dt.datetime.now().replace(microsecond=0), src.origin, src.url,
                 src.published_on, src.fetched_at],
            )
            counts: dict[str, TableCounts] = {}
            all_conflicts: list[dict] = []

            if batch.domains is not None and not batch.domains.empty:
                write, counts["domains"], _ = self._merge(
                    "domains", batch.domains, ["domain"], ["label", "ord", "description"],
                    source_id, src.path, owned=False)
                self._write("domains", write, ["domain", "label", "ord", "description"])

            if batch.benchmarks is not None and not batch.benchmarks.empty:
                bcols = ["benchmark", "domain", "unit", "transform", "random_baseline", "ceiling",
                         "test_set", "optimized_for", "release_date", "file", "score_column",
                         "setting_columns", "source_url", "notes"]
                bcols += [c for c in ("superseded_by",) if c in batch.benchmarks]
                bench = batch.benchmarks[bcols].copy()
                write, counts["benchmarks"], _ = self._merge(
                    "benchmarks", bench, ["benchmark"], bcols[1:], source_id, src.path,
                    owned=False)
                self._write("benchmarks", write, bcols + ["source_id"])
                if not write.empty:
                    self._renormalise(list(write["benchmark"]))

            if not batch.models.empty:
                mcols = ["display_name", "organization", "country", "release_date",
                         "accessibility", "parameters", "training_compute"]
                write, counts["models"], conflicts = self._merge(
                    "models", batch.models, ["model_id"], mcols, source_id, owner, owned=True)
                all_conflicts += conflicts
                self._write("models", write, ["model_id"] + mcols + ["source_id"])

            if not batch.versions.empty:
                vcols = ["model_id", "setting", "display_name", "release_date", "accessibility",
                         "epoch_eci", "source_file", "source_row"]
                vcols += [c for c in ("epoch_eci_ci_low", "epoch_eci_ci_high")
                          if c in batch.versions]
                write, counts["model versions"], conflicts = self._merge(
                    "model_versions", batch.versions, ["version_id"], vcols, source_id, owner,
                    owned=True)
                all_conflicts += conflicts
                self._write("model_versions", write, ["version_id"] + vcols + ["source_id"])

            if not batch.results.empty:
                results = batch.results.copy()
                results["retrieved_on"] = src.retrieved_on
                rcols = ["raw_score", "stderr", "score"]
                write, counts["results"], conflicts = self._merge(
                    "results", results, ["version_id", "benchmark", "setting"], rcols,
                    source_id, owner, owned=True)
                all_conflicts += conflicts
                # A kept result keeps its own file, row and retrieval date.
                write = self._keep_provenance(write, source_id)
                self._write("results", write,
                            ["version_id", "benchmark", "setting", "raw_score", "score", "stderr",
                             "source_id", "source_file", "source_row", "retrieved_on"])

            if not batch.overrides.empty:
                write, counts["overrides"], _ = self._merge(
                    "accessibility_overrides", batch.overrides, ["model_id"],
                    ["accessibility", "reason"], source_id, src.path, owned=False)
                self._write("accessibility_overrides", write,
                            ["model_id", "accessibility", "reason", "source_id"])

            if not batch.signals.empty:
                signals = batch.signals.copy()
                signals["as_of"] = pd.to_datetime(signals["as_of"]).dt.date
                write, counts["signals"], _ = self._merge(
                    "signals", signals, ["model_id", "signal", "as_of"], ["value"],
                    source_id, src.path, owned=False)
                self._write("signals", write, ["model_id", "signal", "value", "as_of",
                                               "source_id", "source_file", "source_row"])

            if batch.licences is not None and not batch.licences.empty:
                licences = batch.licences.copy()
                licences["as_of"] = pd.to_datetime(licences["as_of"]).dt.date
                write, counts["licences"], _ = self._merge(
                    "licences", licences, ["model_id", "source", "as_of"],
                    ["licence", "open_weights", "commercial"], source_id, src.path,
                    owned=False)
                self._write("licences", write, ["model_id", "source", "licence", "open_weights",
                                                "commercial", "as_of", "source_id",
                                                "source_file", "source_row"])

            rejected = batch.rejected.copy()
            if not rejected.empty:
                rejected.insert(0, "source_id", source_id)
                rejected["row"] = rejected["row"].astype("Int64")
                self._write("rejected", rejected, ["source_id", "file", "row", "field", "reason"],
                            replace=False)

            total = TableCounts(
                added=sum(c.added for c in counts.values()),
                updated=sum(c.updated for c in counts.values()),
                unchanged=sum(c.unchanged for c in counts.values()),
            )
            self.con.execute(
                "UPDATE sources SET added = ?, updated = ?, unchanged = ?, rejected = ? "
                "WHERE source_id = ?",
                [total.added, total.updated, total.unchanged, len(rejected), source_id],
            )
            self._check_integrity()
            self.con.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            for name in ("_incoming", "_renorm"):
                try:
                    self.con.unregister(name)
                except duckdb.Error:
                    pass
            if isinstance(exc, duckdb.Error):
                raise _failure(self.path, f"ingest of {src.path}", exc) from None
            raise
        return IngestReport(source_id=source_id, kind=src.kind, path=src.path, counts=counts,
                            rejected=batch.rejected,
                            conflicts=pd.DataFrame(all_conflicts), matches=batch.matches)

    def _keep_provenance(self, write: pd.DataFrame, source_id: int) -> pd.DataFrame:
        """Results another source owns and this batch only completed (a blank stderr
        filled) keep their owner's file, row and retrieval date."""
        if write.empty:
            return write
        theirs = (write["source_id"] != source_id).to_numpy()
        if not theirs.any():
            return write
        key = ["version_id", "benchmark", "setting"]
        old = self.query("SELECT version_id, benchmark, setting, source_file, source_row, "
                         "retrieved_on FROM results")
        merged = write.merge(old, on=key, how="left", suffixes=("", "__old"))
        for c in ("source_file", "source_row", "retrieved_on"):
            merged[c] = merged[c].where(~theirs, merged[f"{c}__old"])
        return merged[list(write.columns)]

    def _check_versions(self, batch: IngestBatch) -> None:
        """A version id names one model: a batch that files a version under another model
        than the one it belongs to (in the warehouse or earlier in the same batch) is
        refused, naming both models."""
        versions = batch.versions
        if versions.empty:
            return
        file = batch.source.path

        def refuse(row, version, first, second):
            line = None if pd.isna(row.source_row) else int(row.source_row)
            raise InputError(row.source_file if isinstance(row.source_file, str) else file,
                             f"model version '{version}' belongs to model '{first}', not "
                             f"'{second}'; give this result its own version id",
                             line, "model_version")

        seen: dict[str, str] = {}
        for row in versions.itertuples():
            prior = seen.setdefault(row.version_id, row.model_id)
            if prior != row.model_id:
                refuse(row, row.version_id, prior, row.model_id)
        stored = self.query("SELECT version_id, model_id FROM model_versions WHERE version_id IN"
                            " (SELECT unnest(?))", [list(seen)])
        owner = dict(zip(stored["version_id"], stored["model_id"]))
        for row in versions.itertuples():
            if row.version_id in owner and owner[row.version_id] != row.model_id:
                refuse(row, row.version_id, owner[row.version_id], row.model_id)

    def _renormalise(self, benchmarks: list[str]) -> None:
        """Recompute stored normalised scores of benchmarks whose definition changed."""
        rows = self.con.execute(
            "SELECT r.version_id, r.benchmark, r.setting, r.raw_score, b.random_baseline, "
            "b.ceiling, b.transform FROM results r JOIN benchmarks b USING (benchmark) "
            "WHERE r.benchmark IN (SELECT unnest(?))", [benchmarks]).df()
        if rows.empty:
            return
        rows["score"] = normalise(rows["raw_score"], rows["random_baseline"], rows["ceiling"],
                                  rows["transform"].to_numpy())
        self.con.register("_renorm", rows[["version_id", "benchmark", "setting", "score"]])
        self.con.execute(
            "UPDATE results SET score = _renorm.score FROM _renorm WHERE "
            "results.version_id = _renorm.version_id AND results.benchmark = _renorm.benchmark"
            " AND results.setting = _renorm.setting")
        self.con.unregister("_renorm")

    def _check_integrity(self) -> None:
        """Refuse to commit dangling references (a bug, or a source that contradicts itself)."""
        checks = {
            "results without a model version": "SELECT count(*) FROM results r LEFT JOIN "
            "model_versions v USING (version_id) WHERE v.version_id IS NULL",
            "results without a benchmark": "SELECT count(*) FROM results r LEFT JOIN benchmarks "
            "b USING (benchmark) WHERE b.benchmark IS NULL",
            "versions without a model": "SELECT count(*) FROM model_versions v LEFT JOIN models m"
            " USING (model_id) WHERE m.model_id IS NULL",
            "benchmarks without a domain": "SELECT count(*) FROM benchmarks b LEFT JOIN domains d"
            " USING (domain) WHERE d.domain IS NULL",
            "signals without a model": "SELECT count(*) FROM signals s LEFT JOIN models m"
            " USING (model_id) WHERE m.model_id IS NULL",
        }
        for what, sql in checks.items():
            n = self.con.execute(sql).fetchone()[0]
            if n:
                raise StoreError(f"{self.path}: {n} {what}; nothing was stored")
