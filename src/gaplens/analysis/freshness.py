"""How current the warehouse is: per source, the newest date its data describe, and its age.

A source's *data-through* date is the newest date its rows themselves describe, not the
day they were loaded: the newest release date (of the version, else of the model) among
the benchmark results it holds, and the newest ``as_of`` among its dated signals
(leaderboard snapshots, usage weeks, releases). Rows another source later overwrote count
for that source, so a re-ingest that changed nothing keeps the date on the first one;
per kind (``epoch``, ``aa``, ...) the newest over its sources is the kind's date. A source
whose rows carry no date (accessibility overrides) has none and never counts as stale.

The age is ``today - data_through`` in days, with ``today`` passed in (never read from the
clock here). The warehouse is *stale* when its newest data-through date, over every kind,
is more than ``stale_after`` days (90) old: then one line says so and names
``gaplens update``.

Where the data came from is the source's ``origin``: ``bundled`` (shipped with gaplens,
dated by its publication), ``file`` (a user's import, dated by the import) or ``update``
(fetched from the publisher, dated by the fetch). A warehouse made before these columns
existed, opened read-only, has none of them: its rows read as origin unknown, dated by
``retrieved_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

STALE_AFTER_DAYS = 90
UPDATE_HINT = "run 'gaplens update'"
PROVENANCE_COLUMNS = ["origin", "url", "published_on", "fetched_at"]

# Added to the columns of the sources table (all kept, in their order).
SOURCE_COLUMNS = ["provenance", "data_from", "data_through", "age_days"]
KIND_COLUMNS = ["kind", "origin", "provenance", "data_through", "age_days", "n_sources"]

# The dated rows of each source: results by their model's release date, signals by as_of.
SPANS_SQL = """
SELECT source_id, min(d) AS data_from, max(d) AS data_through FROM (
    SELECT r.source_id, COALESCE(v.release_date, m.release_date) AS d
    FROM results r JOIN model_versions v USING (version_id)
    LEFT JOIN models m ON m.model_id = v.model_id
    UNION ALL
    SELECT source_id, as_of AS d FROM signals
) WHERE d IS NOT NULL GROUP BY source_id
"""


def _date(value) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def provenance(origin, retrieved_on, published_on, fetched_at, ingested_at) -> str:
    """How a source row reads in ``gaplens sources``: "bundled, published DATE", "imported
    DATE", "fetched DATE" (or "retrieved DATE" when the warehouse does not record it)."""
    retrieved = _date(retrieved_on)
    if origin == "bundled":
        return f"bundled, published {_date(published_on) or retrieved}"
    if origin == "update":
        return f"fetched {_date(fetched_at) or retrieved}"
    if origin == "file":
        return f"imported {_date(ingested_at) or retrieved}"
    return f"retrieved {retrieved}"


@dataclass(frozen=True)
class Freshness:
    """Data-through dates per source and per kind as of ``today``, and the stale verdict.

    ``sources``: one row per ingested source (the sources table plus ``SOURCE_COLUMNS``,
    provenance columns added as missing where an old warehouse lacks them); ``table``: one row per
    kind (``KIND_COLUMNS``), newest data first, kinds without dated rows last. ``newest``
    is the newest data-through date over every kind (``newest_kind`` holds it), ``age_days``
    its age; ``stale`` when that age exceeds ``stale_after`` days.
    """

    today: dt.date
    stale_after: int
    newest: dt.date | None
    newest_kind: str | None
    age_days: int | None
    table: pd.DataFrame
    sources: pd.DataFrame

    @property
    def stale(self) -> bool:
        return self.age_days is not None and self.age_days > self.stale_after

    @property
    def message(self) -> str | None:
        """The one stale line (None when the data are current enough)."""
        if not self.stale:
            return None
        return f"the newest data are {self.age_days} days old ({self.newest}): {UPDATE_HINT}"

    def line(self) -> str:
        """One compact line: each kind's data-through date and age, newest first."""
        dated = self.table.dropna(subset=["data_through"])
        if dated.empty:
            return "data through: no dated data"
        parts = [f"{r.kind} {r.data_through} ({r.age_days} d)" for r in dated.itertuples()]
        return "data through: " + ", ".join(parts)

    def to_dict(self) -> dict:
        """The freshness block of every JSON document (dates ISO, missing values None)."""
        def clean(v):
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                return None
            if isinstance(v, (dt.date, pd.Timestamp)):
                return _date(v).isoformat()
            if hasattr(v, "item"):  # numpy scalars
                return v.item()
            return v

        return {
            "today": self.today.isoformat(),
            "newest_data_through": self.newest.isoformat() if self.newest else None,
            "newest_kind": self.newest_kind,
            "age_days": self.age_days,
            "stale_after_days": self.stale_after,
            "stale": self.stale,
            "message": self.message,
            "sources": [{k: clean(v) for k, v in row.items()}
                        for row in self.table.to_dict(orient="records")],
        }


def _with_provenance_columns(sources: pd.DataFrame) -> pd.DataFrame:
    """A read-only warehouse made before the provenance columns lacks them: read as unknown."""
    missing = [c for c in PROVENANCE_COLUMNS if c not in sources.columns]
    return sources.assign(**{c: None for c in missing}) if missing else sources


def compute_freshness(sources: pd.DataFrame, spans: pd.DataFrame, today: dt.date,
                      stale_after: int = STALE_AFTER_DAYS) -> Freshness:
    """Freshness from the ``sources`` table and the per-source ``spans`` (``source_id,
    data_from, data_through``, as :data:`SPANS_SQL` reads them) as of ``today``."""
    src = _with_provenance_columns(sources)
    spans_of = {int(r.source_id): (_date(r.data_from), _date(r.data_through))
                for r in spans.itertuples(index=False)}
    columns = [c for c in src.columns if c not in SOURCE_COLUMNS] + SOURCE_COLUMNS
    records = []  # plain rows: a handful of sources, no need for frame operations
    for row in src.to_dict(orient="records"):
        first, through = spans_of.get(int(row["source_id"]), (None, None))
        row.update(retrieved_on=_date(row["retrieved_on"]),
                   published_on=_date(row["published_on"]), data_from=first,
                   data_through=through,
                   age_days=None if through is None else (today - through).days)
        row["provenance"] = provenance(row["origin"], row["retrieved_on"],
                                       row["published_on"], row["fetched_at"],
                                       row["ingested_at"])
        records.append(row)
    per_source = pd.DataFrame(records, columns=columns)
    for c in ("retrieved_on", "published_on", "data_from", "data_through"):
        per_source[c] = pd.Series([r[c] for r in records], dtype=object)
    per_source["age_days"] = pd.array([r["age_days"] for r in records], dtype="Int64")

    groups: dict[str, list[dict]] = {}
    for row in records:  # in source order
        groups.setdefault(row["kind"], []).append(row)
    rows = []
    for kind, group in groups.items():
        dated = [r for r in group if r["data_through"] is not None]
        # the source holding the newest data (on a tie, the latest loaded), else the latest
        lead = max(dated, key=lambda r: (r["data_through"], r["source_id"])) if dated \
            else group[-1]
        rows.append({"kind": kind, "origin": lead["origin"], "provenance": lead["provenance"],
                     "data_through": lead["data_through"], "age_days": lead["age_days"],
                     "n_sources": len(group)})
    rows.sort(key=lambda r: -r["data_through"].toordinal() if r["data_through"] else 1)
    table = pd.DataFrame(rows, columns=KIND_COLUMNS)
    table["data_through"] = pd.Series([r["data_through"] for r in rows], dtype=object)
    table["age_days"] = pd.array([r["age_days"] for r in rows], dtype="Int64")
    newest = rows[0] if rows and rows[0]["data_through"] is not None else None
    return Freshness(today=today, stale_after=stale_after,
                     newest=None if newest is None else newest["data_through"],
                     newest_kind=None if newest is None else newest["kind"],
                     age_days=None if newest is None else newest["age_days"],
                     table=table, sources=per_source)


def read_freshness(warehouse, today: dt.date, stale_after: int = STALE_AFTER_DAYS) -> Freshness:
    """:func:`compute_freshness` on an open warehouse (read-only is enough)."""
    return compute_freshness(warehouse.sources(), warehouse.query(SPANS_SQL), today,
                             stale_after)
