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
    return _collapse(long, np.arange(len(long)))


def _collapse(long: pd.DataFrame, rows: np.ndarray, release_date: np.ndarray | None = None
              ) -> pd.DataFrame:
    """:func:`collapse` of ``long.take(rows)`` (non-empty), with its ``release_date``
    replaced by ``release_date`` (one value per row of ``long``) if given: one take of
    the kept rows instead of one of the rows and another of the best."""
    return pd.DataFrame(_collapsed_columns(long, rows, release_date, list(long.columns)))


def _collapsed_columns(long: pd.DataFrame, rows: np.ndarray, release_date: np.ndarray | None,
                       columns: list[str]) -> dict:
    """The columns of :func:`_collapse` (``columns`` of ``long``, in their order, and
    ``n_rows``) as arrays, each taken once."""
    replaced = {} if release_date is None else {"release_date": release_date}
    order = sort_order(long, ["model_id", "benchmark", "score", "release_date", "version_id",
                              "setting"], [True, True, False, True, True, True], rows,
                       replaced)
    # Sorted by (model, benchmark) first, a pair's rows are one block: its first row is the
    # best, its length the number of rows.
    models = long["model_id"].to_numpy(dtype=object)[rows][order]
    benchmarks = long["benchmark"].to_numpy(dtype=object)[rows][order]
    starts = np.flatnonzero(np.concatenate(
        [[True], (models[1:] != models[:-1]) | (benchmarks[1:] != benchmarks[:-1])]))
    chosen = rows[order[starts]]
    data = {c: long[c].array.take(chosen) for c in columns}
    if release_date is not None:
        data["release_date"] = release_date[chosen]
    data["n_rows"] = np.diff(np.append(starts, len(order))).astype(np.int64)

    def text(values) -> np.ndarray:  # fillna("") as objects
        values = np.asarray(values, dtype=object)
        return np.where(pd.isna(values), "", values)

    joined = text(data["setting"])
    version_setting = (text(long["version_setting"].array.take(chosen))
                       if "version_setting" in long else np.full(len(chosen), ""))
    # "; ".join of the non-empty parts
    data["setting"] = [f"{v}; {s}" if v and s else (v or s)
                       for v, s in zip(version_setting, joined)]
    return data


def sort_order(frame: pd.DataFrame, columns: list[str], ascending: list[bool],
               rows: np.ndarray | None = None, replaced: dict | None = None) -> np.ndarray:
    """The row positions of ``frame.sort_values(columns, ascending=ascending,
    na_position="last")``: the same stable lexicographic sort, with text and dates ranked
    by codes of their sorted distinct values (missing last) read from arrays once.
    ``rows``: sort ``frame.take(rows)`` (positions into it); ``replaced``: a column's
    values (one per row of ``frame``) to sort by instead of its own."""
    keys = []
    for column, up in zip(reversed(columns), reversed(ascending)):
        values = (replaced or {}).get(column)
        values = frame[column] if values is None else values
        kind = values.dtype.kind
        if kind == "f":
            array = np.asarray(values, dtype=float)
        elif kind in "iubM":
            array = np.asarray(values)
        else:
            array = values.to_numpy(dtype=object)
        array = array if rows is None else array[rows]
        if kind == "f":
            keys.append(array if up else -array)  # NaN sorts last either way
            continue
        if kind in "iub":
            keys.append(array if up else ~array)
            continue
        codes, uniques = pd.factorize(array, sort=True)
        n = len(uniques)
        missing = codes < 0
        codes = np.where(missing, n, codes)
        keys.append(codes if up else np.where(missing, codes, n - codes - 1))
    return np.lexsort(keys)


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
    undated = long["release_date"].isna().to_numpy()
    if undated.any():
        n_models = long.loc[undated, "model_id"].nunique()
        warnings.append(
            f"{undated.sum()} results of {n_models} models have no release date and are left out"
        )
    dates = pd.to_datetime(long["release_date"]).astype("datetime64[s]").to_numpy()
    kept = np.flatnonzero(~undated & (dates <= np.datetime64(pd.Timestamp(as_of))))
    if len(kept):  # the collapsed columns, each taken once
        best = _collapsed_columns(long, kept, dates,
                                  [c for c in long.columns if c in COLLAPSED_COLUMNS])
    else:
        best = collapse(long.take(kept).assign(release_date=dates[kept]))
    accessibility = np.asarray(best["accessibility"], dtype=object)
    if open_definition is OpenDefinition.OPEN_SOURCE:
        group = open_definition.groups(accessibility,
                                       np.asarray(best["model_id"], dtype=object))
    else:  # each distinct class once
        codes, classes = pd.factorize(accessibility, use_na_sentinel=False)
        group = open_definition.groups(np.asarray(classes, dtype=object))[codes]
    best["group"] = group
    best = pd.DataFrame({c: best[c] for c in COLLAPSED_COLUMNS if c in best})
    is_unknown = accessibility == Accessibility.UNKNOWN.value
    unknown_models = _unknown_models(best.loc[is_unknown])
    if len(unknown_models):
        warnings.append(
            f"{len(unknown_models)} models with {int(is_unknown.sum())} collapsed results have "
            "unknown accessibility and are in neither group (see 'gaplens models "
            "--accessibility Unknown'; correct them with 'gaplens ingest overrides')"
        )
    others = pd.isna(group) & (accessibility != "Unknown")
    if others.any():
        classes = ", ".join(sorted(set(accessibility[others])))
        n_others = len(set(best["model_id"].to_numpy(dtype=object)[others]))
        warnings.append(
            f"{n_others} models outside the definition '{open_definition.value}'"
            f" are in neither group ({classes})"
        )
    return Observations(
        frame=best,
        open_definition=open_definition,
        as_of=as_of,
        warnings=tuple(warnings),
        unknown_models=unknown_models,
    )


def _unknown_models(unknown: pd.DataFrame) -> pd.DataFrame:
    """Per (model_id, display_name) of ``unknown``: its number of results and earliest
    release date, most results first (then model id): ``groupby(dropna=False)``'s table,
    with the groups found by codes of sorted distinct values (missing last)."""
    if unknown.empty:
        return (unknown.groupby(["model_id", "display_name"], dropna=False)
                .agg(results=("benchmark", "size"), release_date=("release_date", "min"))
                .reset_index()
                .sort_values(["results", "model_id"], ascending=[False, True]))
    key = np.zeros(len(unknown), dtype=np.int64)
    ids = unknown["model_id"].to_numpy(dtype=object)
    for values in (ids, unknown["display_name"].to_numpy(dtype=object)):
        codes, uniques = pd.factorize(values, sort=True)
        key = key * (len(uniques) + 1) + np.where(codes < 0, len(uniques), codes)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    dates = unknown["release_date"].to_numpy()
    stamps = dates.view(np.int64).copy()
    missing = np.isnat(dates)
    stamps[missing] = np.iinfo(np.int64).max
    earliest = np.full(len(first), np.iinfo(np.int64).max)
    np.minimum.at(earliest, inverse, stamps)
    earliest = earliest.view(dates.dtype).copy()
    earliest[earliest.view(np.int64) == np.iinfo(np.int64).max] = np.datetime64("NaT")
    results = np.bincount(inverse).astype(np.int64)
    # sort_values(["results", "model_id"], ascending=[False, True]) of the table above:
    # stable, missing ids last; its index keeps the positions before the sort.
    codes, uniques = pd.factorize(ids[first], sort=True)
    order = np.lexsort((np.where(codes < 0, len(uniques), codes), -results))
    rows = first[order]
    return pd.DataFrame({"model_id": unknown["model_id"].array.take(rows),
                         "display_name": unknown["display_name"].array.take(rows),
                         "results": results[order], "release_date": earliest[order]},
                        index=_sorted_index(order))


def _sorted_index(order: np.ndarray) -> pd.Index:
    """The index ``sort_values`` gives a frame with a RangeIndex sorted by ``order``."""
    index = pd.RangeIndex(len(order))
    return index if (order == index).all() else index.take(order)
