"""The one number read like the map: gap and lag on a published composite's history.

A published composite (Artificial Analysis' Intelligence Index) is read as if it were one
more benchmark, with the same estimators and intervals as every domain of the map
(:mod:`gaplens.analysis.gap`). At snapshot S, each model m with a measured published
value v_m (values the publisher marks as estimated are left out) and release date t_m:

    frontier_g(t) = max { v_m : m in g, t_m <= t }                        (g = open, closed)
    gap(S)        = frontier_closed(t_S) - frontier_open(t_S)             (index points)
    lag(S)        = t_S - min { t' : frontier_closed(t') >= frontier_open(t_S) }   (months)

with t_S the newest release in the snapshot (every benchmark is read at its newest data),
and the threshold-crossing lag over the same levels. The map at date T is compared with
the newest snapshot on or before T, so the two are read on the same day (a snapshot after
T holds models T did not know); earlier dates have no published number.

Caveat, stated with every result: the values at S are the publisher's measurements as of
S, under the composition in force at S; older models were re-measured under it, so the
frontiers are those of today's composition applied to yesterday's models, not the index
as it was published at the time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..types import OpenDefinition
from .composite import ESTIMATED_FLAG, PUBLISHED_SIGNAL
from .gap import GapResult, GapSettings, compute_gap
from .observations import COLLAPSED_COLUMNS, Observations

NAME = "AA Intelligence Index"


@dataclass(frozen=True)
class PublishedLag:
    """Gap and lag on the published composite, one row per snapshot read."""

    table: pd.DataFrame  # snapshot, gap and lags with intervals, leaders, counts
    settings: GapSettings
    warnings: tuple[str, ...] = field(default=())


def snapshot_dates(signals: pd.DataFrame) -> list[dt.date]:
    have = signals.loc[signals["signal"] == PUBLISHED_SIGNAL, "as_of"]
    return sorted({pd.Timestamp(d).date() for d in have.drop_duplicates()})


def snapshot_on_or_before(signals: pd.DataFrame, date: dt.date) -> dt.date | None:
    earlier = [d for d in snapshot_dates(signals) if d <= date]
    return earlier[-1] if earlier else None


def snapshot_frame(signals: pd.DataFrame, snapshot: dt.date,
                   open_definition: OpenDefinition) -> pd.DataFrame:
    """The published values of one snapshot as collapsed observations of one benchmark."""
    # the snapshot's rows of the two signals read (rows in order), by the date part of as_of
    day = (pd.to_datetime(signals["as_of"]).to_numpy().astype("datetime64[D]")
           == np.datetime64(snapshot, "D"))
    signal = signals["signal"].to_numpy(dtype=object)
    values = signals.loc[day & (signal == PUBLISHED_SIGNAL)].drop_duplicates("model_id")
    flags = signals.loc[day & (signal == ESTIMATED_FLAG)]
    estimated = set(flags.loc[flags["value"].fillna(0) != 0, "model_id"])
    values = values.loc[~values["model_id"].isin(estimated) & values["value"].notna()
                        & values["release_date"].notna()]
    released = pd.to_datetime(values["release_date"]).astype("datetime64[s]")
    values = values.loc[released <= pd.Timestamp(snapshot)]
    frame = pd.DataFrame({
        "model_id": values["model_id"].to_numpy(),
        "display_name": values["display_name"].fillna(values["model_id"]).to_numpy(),
        "organization": values["organization"].to_numpy(),
        "country": values["country"].to_numpy() if "country" in values else None,
        "accessibility": values["accessibility"].to_numpy(),
        "benchmark": NAME,
        "domain": None,
        "test_set": "public",
        "score": values["value"].to_numpy(float) / 100.0,
        "raw_score": values["value"].to_numpy(float),
        "release_date": pd.to_datetime(values["release_date"]).astype("datetime64[s]").to_numpy(),
        "version_id": values["model_id"].to_numpy(),
        "setting": "",
        "n_rows": 1,
        "source_file": values["source_file"].to_numpy() if "source_file" in values else None,
        "source_row": values["source_row"].to_numpy() if "source_row" in values else None,
    })
    frame["group"] = open_definition.groups(frame["accessibility"], frame["model_id"])
    return frame[[c for c in COLLAPSED_COLUMNS if c in frame.columns]]


def published_lag(signals: pd.DataFrame, settings: GapSettings,
                  snapshots: list[dt.date] | None = None) -> PublishedLag:
    """Gap and lag on the published index at each snapshot (default: every snapshot on or
    before ``settings.as_of``), with the map's estimators and bootstrap."""
    if signals.empty or PUBLISHED_SIGNAL not in set(signals["signal"].unique()):
        raise ConfigError(f"no '{PUBLISHED_SIGNAL}' signal stored: ingest Artificial "
                          "Analysis data first (gaplens ingest aa)")
    if snapshots is None:
        snapshots = [d for d in snapshot_dates(signals) if d <= settings.as_of]
    if not snapshots:
        raise ConfigError(f"no published index snapshot on or before {settings.as_of}")
    benchmarks = pd.DataFrame([{"benchmark": NAME, "domain": None, "test_set": "public",
                                "unit": "index points"}])
    rows, notes = [], []
    for snap in snapshots:
        frame = snapshot_frame(signals, snap, settings.open_definition)
        obs = Observations(frame=frame, open_definition=settings.open_definition, as_of=snap)
        result: GapResult = compute_gap(
            obs, replace(settings, as_of=snap, by="benchmark"), domains=pd.DataFrame(),
            benchmarks=benchmarks)
        row = result.table.iloc[0].to_dict()
        row["snapshot"] = snap
        rows.append(row)
        notes.extend(f"{snap}: {w}" for w in result.warnings)
    table = pd.DataFrame(rows)
    # Index points, not normalised points: the published index runs 0-100 already.
    keep = ["snapshot", "status", "n_open", "n_closed", "closed_model", "closed_release_date",
            "closed_level", "open_model", "open_release_date", "open_level"]
    stats = [c for c in table.columns if c.startswith(("gap", "lag_months", "lag_threshold"))]
    table = table[keep + stats + ["censored_share", "note"]]
    table.insert(1, "index", NAME)
    return PublishedLag(table=table.reset_index(drop=True), settings=settings,
                        warnings=tuple(dict.fromkeys(notes)))


def map_date_row(result: PublishedLag, as_of: dt.date) -> dict | None:
    """The row of the newest snapshot on or before ``as_of`` (None when there is none)."""
    table = result.table.loc[result.table["snapshot"] <= as_of]
    if table.empty:
        return None
    return {k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in table.iloc[-1].to_dict().items()}


__all__ = ["NAME", "PublishedLag", "map_date_row", "published_lag", "snapshot_on_or_before"]
