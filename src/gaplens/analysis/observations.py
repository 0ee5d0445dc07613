"""From stored results to one score per (model, benchmark), grouped open / closed.

Collapse rule (as Epoch does): a model's score on a benchmark is the best normalised
score over its versions and settings (``gpt-5-2025-08-07_high`` and ``..._low`` are one
model). The row keeps which version and setting gave it, and that version's release date
is the date the score counts from on a frontier (a later, better version does not move
an earlier release date back in time).

Groups follow an :class:`~gaplens.types.OpenDefinition`. Models outside both groups
(unknown accessibility, unreleased, open weights outside the definition) are kept in
the frame with ``group = None`` and counted in the warnings, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..types import Accessibility, OpenDefinition

COLLAPSED_COLUMNS = [
    "model_id",
    "display_name",
    "organization",
    "country",
    "accessibility",
    "group",
    "benchmark",
    "domain",
    "test_set",
    "score",
    "raw_score",
    "stderr",
    "release_date",
    "version_id",
    "setting",
    "n_rows",
    "source_file",
    "source_row",
]


@dataclass(frozen=True)
class Observations:
    """Collapsed scores as of a date under one definition of open."""

    frame: pd.DataFrame  # COLLAPSED_COLUMNS
    open_definition: OpenDefinition
    as_of: dt.date
    warnings: tuple[str, ...] = field(default=())
    unknown_models: pd.DataFrame = field(default_factory=pd.DataFrame)


def collapse(long: pd.DataFrame) -> pd.DataFrame:
    """Best score per (model, benchmark), with the version and setting that gave it.

    Ties between versions go to the earliest release date, then the version id, so the
    rule is deterministic.
    """
    if long.empty:
        return long.assign(n_rows=pd.Series(dtype=int))
    ordered = long.sort_values(
        ["model_id", "benchmark", "score", "release_date", "version_id", "setting"],
        ascending=[True, True, False, True, True, True],
        na_position="last",
    )
    # Sorted by (model, benchmark) first, a pair's rows are one block: its first row is the
    # best, its length the number of rows.
    models = ordered["model_id"].to_numpy(dtype=object)
    benchmarks = ordered["benchmark"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.concatenate(
        [[True], (models[1:] != models[:-1]) | (benchmarks[1:] != benchmarks[:-1])]))
    best = ordered.iloc[starts]
    best = best.assign(n_rows=np.diff(np.append(starts, len(ordered))).astype(np.int64))
    joined = best["setting"].fillna("").to_numpy(dtype=object)
    version_setting = best.get("version_setting", pd.Series("", index=best.index)).fillna(
        "").to_numpy(dtype=object)
    best = best.assign(
        setting=[
            "; ".join(p for p in (v, s) if p) for v, s in zip(version_setting, joined)
        ]
    )
    return best.reset_index(drop=True)


def data_date(long: pd.DataFrame) -> dt.date:
    """The newest release date among stored results (today if there is none)."""
    dates = pd.to_datetime(long["release_date"]).dropna()
    if dates.empty:
        return dt.date.today()
    return min(dates.max().date(), dt.date.today())


def mark_used(long: pd.DataFrame) -> pd.DataFrame:
    """Every result row with ``used`` marking the one :func:`collapse` keeps.

    The collapse rule made visible: one ``used`` row per (model, benchmark).
    """
    best = collapse(long)[["model_id", "benchmark", "version_id", "setting"]]
    long = long.assign(setting=[
        "; ".join(p for p in (v or "", s or "") if p)
        for v, s in zip(long["version_setting"], long["setting"])])
    marked = long.merge(best.assign(used=True), on=["model_id", "benchmark", "version_id",
                                                    "setting"], how="left")
    marked["used"] = marked["used"].fillna(False).astype(bool)
    columns = ["model_id", "benchmark", "version_id", "setting", "release_date", "raw_score",
               "score", "used", "source_file", "source_row"]
    return marked[columns].sort_values(["model_id", "benchmark", "score"],
                                       ascending=[True, True, False]).reset_index(drop=True)


def prepare(
    long: pd.DataFrame,
    open_definition: OpenDefinition = OpenDefinition.OPEN_WEIGHTS,
    as_of: dt.date | None = None,
) -> Observations:
    """Collapse, date-filter and group the long table from ``Warehouse.observations()``."""
    as_of = as_of or dt.date.today()
    warnings: list[str] = []
    frame = long.copy()
    undated = frame["release_date"].isna()
    if undated.any():
        n_models = frame.loc[undated, "model_id"].nunique()
        warnings.append(
            f"{undated.sum()} results of {n_models} models have no release date and are left out"
        )
        frame = frame.loc[~undated]
    frame["release_date"] = pd.to_datetime(frame["release_date"]).astype("datetime64[s]")
    frame = frame.loc[frame["release_date"] <= pd.Timestamp(as_of)]
    best = collapse(frame)
    best["group"] = open_definition.groups(best["accessibility"], best["model_id"])
    unknown = best.loc[best["accessibility"] == Accessibility.UNKNOWN.value]
    unknown_models = (
        unknown.groupby(["model_id", "display_name"], dropna=False)
        .agg(results=("benchmark", "size"), release_date=("release_date", "min"))
        .reset_index()
        .sort_values(["results", "model_id"], ascending=[False, True])
    )
    if len(unknown_models):
        warnings.append(
            f"{len(unknown_models)} models with {len(unknown)} collapsed results have unknown "
            "accessibility and are in neither group (see 'gaplens models --accessibility "
            "Unknown'; correct them with 'gaplens ingest overrides')"
        )
    others = best.loc[best["group"].isna() & (best["accessibility"] != "Unknown")]
    if len(others):
        classes = ", ".join(sorted(set(others["accessibility"])))
        warnings.append(
            f"{others['model_id'].nunique()} models outside the definition '{open_definition.value}'"
            f" are in neither group ({classes})"
        )
    best = best[[c for c in COLLAPSED_COLUMNS if c in best.columns]]
    return Observations(
        frame=best.reset_index(drop=True),
        open_definition=open_definition,
        as_of=as_of,
        warnings=tuple(warnings),
        unknown_models=unknown_models,
    )
