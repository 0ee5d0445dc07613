"""Adapter for the ARC Prize leaderboard data (arcprize.org): ARC-AGI results and cost per task.

Input: a folder holding the two files the leaderboard page (arcprize.org/leaderboard)
renders from, as ``gaplens update`` captures them:

* ``evaluations.json`` (``https://arcprize.org/media/data/evaluations.json``): an array,
  one object per system and dataset: ``datasetId`` (``v1_Semi_Private``,
  ``v2_Semi_Private``, ``v2_Public_Eval``, ``v3_...``), ``modelId``, ``score`` (fraction of
  tasks solved, 0-1), ``costPerTask`` (USD; some rows give ``cost`` instead),
  ``resultsUrl``, ``display`` (shown on the leaderboard);
* ``models.json`` (``https://arcprize.org/media/data/models.json``): an array, one object
  per system: ``id``, ``displayName``, ``providerId``, ``modelType``, ``modelGroup``,
  ``modelReleaseDate`` (ISO timestamp).

The denormalised leaderboard file (an object whose ``evaluations`` rows carry
``modelDisplayName`` and ``modelReleaseDate`` themselves) reads too, without
``models.json``.

Results: the semi-private sets, the ones the leaderboard ranks, are gaplens benchmarks
``ARC-AGI`` (``v1_Semi_Private``) and ``ARC-AGI-2`` (``v2_Semi_Private``); the public
evaluation sets and ARC-AGI-3 are not read. Each leaderboard entry is a model version
``arcprize/<modelId>`` of the model its name resolves to (see ``ingest/_publisher.py``:
never overwriting Epoch's copy of the same leaderboard), with the result setting
``Name=<displayName>``. Entries hidden on the leaderboard (``display: false``) and
entries whose name finds no model (human panels, Kaggle and refinement systems without
an alias) are rejected and listed. A missing ``score`` field, a score outside 0-1, a cost
below 0, a value of the wrong type or malformed JSON is an error naming file, record
(``row`` n is the n-th object of the array) and field; a ``null`` score is a rejected row.

Signals: ``arcprize.arc_agi_1_cost_per_task`` and ``arcprize.arc_agi_2_cost_per_task``
(USD per task) of each model's best-scoring entry, ``as_of`` the capture date.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from ..errors import InputError
from .aliases import bundled_aliases
from .batch import REJECTED_COLUMNS, SIGNAL_COLUMNS, IngestBatch, SourceInfo, file_digest
from .lmarena import retrieved_on
from ._publisher import (
    json_number,
    json_records,
    json_text,
    load_json,
    resolve_entries,
    spellings,
    versions_and_results,
)

SOURCE = "arcprize"
EVALUATIONS = "evaluations.json"
MODELS = "models.json"
# datasetId -> (gaplens benchmark, signal stem)
DATASETS = {
    "v1_Semi_Private": ("ARC-AGI", "arc_agi_1"),
    "v2_Semi_Private": ("ARC-AGI-2", "arc_agi_2"),
}


def _release_date(text, path: str, row: int, field: str, today: dt.date):
    if text is None:
        return pd.NaT
    try:
        date = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise InputError(path, f"'{text}' is not a date", row=row, field=field) from None
    if date.tzinfo is not None:
        date = date.tz_localize(None)  # the date in its own zone, as the publisher wrote it
    date = date.normalize()
    if date.date() > today:
        raise InputError(path, f"date {date.date()} is in the future", row=row, field=field)
    return date


def _read_models(path: str, today: dt.date) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for i, record in enumerate(json_records(load_json(path), path, "models"), start=1):
        model_id = json_text(record, "id", path, i, required=True)
        if model_id in out:
            raise InputError(path, f"model '{model_id}' is listed twice", row=i, field="id")
        out[model_id] = dict(
            display=json_text(record, "displayName", path, i),
            release_date=_release_date(json_text(record, "modelReleaseDate", path, i), path,
                                       i, "modelReleaseDate", today))
    return out


def read_arcprize(folder: str, models: pd.DataFrame, aliases: pd.DataFrame | None = None,
                  taxonomy=None, today: dt.date | None = None,
                  as_of: dt.date | None = None) -> IngestBatch:
    """Read a folder with the ARC Prize ``evaluations.json`` (and ``models.json``).

    ``models``: the warehouse's models (model_id, display_name, release_date,
    accessibility); ``as_of``: the capture date the cost signals carry (default: the
    files' modification date).
    """
    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    if not os.path.isdir(folder):
        raise InputError(folder, f"not a folder (expected ARC Prize {EVALUATIONS} and {MODELS})")
    eval_path = os.path.join(folder, EVALUATIONS)
    models_path = os.path.join(folder, MODELS)
    doc = load_json(eval_path)
    denormalised = isinstance(doc, dict)
    records = json_records(doc, eval_path, "evaluations")
    catalogue = {} if denormalised and not os.path.exists(models_path) \
        else _read_models(models_path, today)
    files = [eval_path] + ([models_path] if os.path.exists(models_path) else [])
    as_of = as_of or retrieved_on(files)

    rows, rejected = [], []
    for i, record in enumerate(records, start=1):
        dataset = json_text(record, "datasetId", eval_path, i, required=True)
        entry = json_text(record, "modelId", eval_path, i, required=True)
        if "score" not in record:
            raise InputError(eval_path, "missing field 'score'", row=i, field="score")
        score = json_number(record, "score", eval_path, i, low=0.0, high=1.0)
        cost = json_number(record, "costPerTask", eval_path, i, low=0.0)
        if np.isnan(cost):
            cost = json_number(record, "cost", eval_path, i, low=0.0)
        shown = record.get("display", True)
        if not isinstance(shown, bool):
            raise InputError(eval_path, f"{shown!r} is not true/false", row=i, field="display")
        if dataset not in DATASETS:
            continue
        if not shown:
            rejected.append(dict(file=eval_path, row=i, field="display",
                                 reason=f"'{entry}' is not shown on the leaderboard"))
            continue
        if np.isnan(score):
            rejected.append(dict(file=eval_path, row=i, field="score", reason="no score"))
            continue
        meta = catalogue.get(entry)
        if meta is None and not denormalised:
            raise InputError(eval_path, f"model '{entry}' is not in {MODELS}", row=i,
                             field="modelId")
        if meta is None:
            meta = dict(display=json_text(record, "modelDisplayName", eval_path, i),
                        release_date=_release_date(json_text(record, "modelReleaseDate",
                                                             eval_path, i),
                                                   eval_path, i, "modelReleaseDate", today))
        benchmark, stem = DATASETS[dataset]
        rows.append(dict(entry=entry, display=meta["display"],
                         release_date=meta["release_date"], benchmark=benchmark, stem=stem,
                         raw_score=score, stderr=np.nan, cost=cost, source_file=EVALUATIONS,
                         source_row=i, spellings=spellings(meta["display"], entry)))
    if not rows and not rejected:
        raise InputError(eval_path, "no ARC-AGI-1 or ARC-AGI-2 semi-private results "
                                    "(datasetId v1_Semi_Private or v2_Semi_Private)",
                         field="datasetId")
    frame = pd.DataFrame(rows, columns=["entry", "display", "release_date", "benchmark", "stem",
                                        "raw_score", "stderr", "cost", "source_file",
                                        "source_row", "spellings"])
    entries = frame.drop_duplicates("entry")[["entry", "spellings"]]
    model_of, matches = resolve_entries(entries, SOURCE, models, aliases)
    frame["model_id"] = frame["entry"].map(dict(zip(entries["entry"], model_of)))
    for _, row in frame.loc[frame["model_id"].isna()].iterrows():
        match = matches.loc[matches["name"] == row["entry"]].iloc[0]
        how = "is ambiguous (matches " + match["candidates"] + ")" \
            if match["how"] == "ambiguous" else "matches no warehouse model"
        rejected.append(dict(file=eval_path, row=int(row["source_row"]), field="modelId",
                             reason=f"'{row['display'] or row['entry']}' {how}; add an "
                                    f"alias (source {SOURCE})"))
    frame = frame.loc[frame["model_id"].notna()]
    versions, results = versions_and_results(frame, SOURCE, models, taxonomy, eval_path)

    # Cost per task of each model's best-scoring entry on each set.
    best = frame.loc[frame["cost"].notna()].sort_values(
        ["model_id", "stem", "raw_score", "source_row"], ascending=[True, True, False, True])
    best = best.drop_duplicates(["model_id", "stem"])
    signals = pd.DataFrame({
        "model_id": best["model_id"],
        "signal": SOURCE + "." + best["stem"] + "_cost_per_task",
        "value": best["cost"].astype(float),
        "as_of": pd.Timestamp(as_of),
        "source_file": EVALUATIONS,
        "source_row": best["source_row"].astype(int),
    }, columns=SIGNAL_COLUMNS).reset_index(drop=True)
    return IngestBatch(
        source=SourceInfo(kind=SOURCE, path=os.path.abspath(folder), sha256=file_digest(files),
                          retrieved_on=retrieved_on(files)),
        versions=versions,
        results=results,
        signals=signals,
        matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )
