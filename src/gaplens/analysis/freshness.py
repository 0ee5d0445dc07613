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
    src = _with_provenance_columns(sources.copy())
    src = src.drop(columns=[c for c in ("data_from", "data_through") if c in src.columns])
    src = src.merge(spans[["source_id", "data_from", "data_through"]], on="source_id",
                    how="left")
    for c in ("data_from", "data_through", "retrieved_on", "published_on"):
        src[c] = src[c].map(_date).astype(object)
    src["age_days"] = [None if d is None else (today - d).days for d in src["data_through"]]
    src["provenance"] = [provenance(*r) for r in zip(src["origin"], src["retrieved_on"],
                                                     src["published_on"], src["fetched_at"],
                                                     src["ingested_at"])]
    src = src[[c for c in src.columns if c not in SOURCE_COLUMNS] + SOURCE_COLUMNS]
    src = src.reset_index(drop=True)
    src["age_days"] = pd.array(src["age_days"], dtype="Int64")

    rows = []
    for kind, group in src.groupby("kind", sort=False):
        dated = group.dropna(subset=["data_through"])
        if dated.empty:
            lead = group.iloc[-1]
            through = None
        else:  # the source holding the newest data; on a tie, the latest loaded
            order = dated.assign(_d=pd.to_datetime(dated["data_through"]))
            lead = order.sort_values(["_d", "source_id"]).iloc[-1]
            through = lead["data_through"]
        rows.append({"kind": kind, "origin": lead["origin"], "provenance": lead["provenance"],
                     "data_through": through,
                     "age_days": None if through is None else (today - through).days,
                     "n_sources": len(group)})
    table = pd.DataFrame(rows, columns=KIND_COLUMNS)
    if len(table):
        key = pd.to_datetime(table["data_through"])
        table = table.assign(_k=key).sort_values("_k", ascending=False, na_position="last",
                                                 kind="stable").drop(columns="_k")
    table = table.reset_index(drop=True).astype({"data_through": object, "age_days": "Int64"})
    dated = table.dropna(subset=["data_through"])
    newest = dated.iloc[0] if len(dated) else None
    return Freshness(today=today, stale_after=stale_after,
                     newest=None if newest is None else newest["data_through"],
                     newest_kind=None if newest is None else newest["kind"],
                     age_days=None if newest is None else int(newest["age_days"]),
                     table=table, sources=src)


def read_freshness(warehouse, today: dt.date, stale_after: int = STALE_AFTER_DAYS) -> Freshness:
    """:func:`compute_freshness` on an open warehouse (read-only is enough)."""
    return compute_freshness(warehouse.sources(), warehouse.query(SPANS_SQL), today,
                             stale_after)
