"""Adapter for the WeirdML leaderboard CSV (htihle.github.io): WeirdML results and cost per run.

Input: ``weirdml_data.csv`` as the site publishes it
(``https://htihle.github.io/data/weirdml_data.csv``), or a folder holding it: one row per
model and setting, with ``internal_model_name`` (``gpt-5.2:medium``), ``display_name``
(``gpt-5.2 (medium)``), ``model_slug`` (``openai/gpt-5.2``), one ``<task>_acc`` column per
task, ``avg_acc`` (mean accuracy over the tasks, 0-1), ``avg_acc_standard_error``,
``cost_per_run_usd``, ``release_date`` (of the model) and a few more (tokens, code
length, run time, API source) that gaplens does not read.

Results: benchmark ``WeirdML`` from ``avg_acc`` with ``avg_acc_standard_error`` as its
standard error. Each row is a model version ``weirdml/<internal_model_name>`` of the model
its name resolves to (see ``ingest/_publisher.py``: never overwriting Epoch's copy of the
leaderboard), dated by the row's ``release_date`` (else the model's), with the result
setting ``Name=<display_name>``. A row whose name finds no model is rejected and listed;
a row without ``avg_acc`` is rejected as "no score".

Signal: ``weirdml.cost_per_run`` (USD for one run of the whole benchmark) of each
model's best-scoring row, ``as_of`` the capture date.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from ._fields import Field, check_rows, parse_fields, read_csv_text, row_number
from .aliases import bundled_aliases
from .batch import REJECTED_COLUMNS, SIGNAL_COLUMNS, IngestBatch, SourceInfo, file_digest
from .lmarena import retrieved_on
from .normalise import check_range
from ._publisher import benchmark_spec, resolve_entries, spellings, versions_and_results

SOURCE = "weirdml"
FILE = "weirdml_data.csv"
BENCHMARK = "WeirdML"
FIELDS = [
    Field("internal_model_name", "str", required=True, nullable=False),
    Field("display_name", "str"),
    Field("model_slug", "str"),
    Field("avg_acc", "float", required=True),
    Field("avg_acc_standard_error", "float"),
    Field("cost_per_run_usd", "float"),
    Field("release_date", "date"),
]


def read_weirdml(path: str, models: pd.DataFrame, aliases: pd.DataFrame | None = None,
                 taxonomy=None, today: dt.date | None = None,
                 as_of: dt.date | None = None) -> IngestBatch:
    """Read the WeirdML CSV (or a folder holding ``weirdml_data.csv``).

    ``models``: the warehouse's models (model_id, display_name, release_date,
    accessibility); ``as_of``: the capture date the cost signal carries (default: the
    file's modification date).
    """
    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    if os.path.isdir(path):
        path = os.path.join(path, FILE)
    typed = parse_fields(read_csv_text(path), FIELDS, path, today=today)
    for column in ("display_name", "model_slug", "avg_acc_standard_error", "cost_per_run_usd",
                   "release_date"):
        if column not in typed:
            typed[column] = np.nan if column != "release_date" else pd.NaT
    name = typed["internal_model_name"]
    check_rows(name.str.lower().duplicated().to_numpy(), name, path, "internal_model_name",
               lambda v: f"model '{v}' is listed twice")
    for column in ("avg_acc_standard_error", "cost_per_run_usd"):
        check_rows((typed[column] < 0).to_numpy(dtype=bool), typed[column], path, column,
                   lambda v: f"{v:g} is negative")
    spec = benchmark_spec(taxonomy, BENCHMARK)
    check_range(typed["avg_acc"], pd.DataFrame([spec] * len(typed), index=typed.index), path,
                "avg_acc")
    as_of = as_of or retrieved_on([path])

    rejected = [dict(file=path, row=row_number(i), field="avg_acc", reason="no score")
                for i in typed.index[typed["avg_acc"].isna()]]
    typed = typed.loc[typed["avg_acc"].notna()]
    slug_tail = typed["model_slug"].map(lambda s: s.split("/")[-1] if isinstance(s, str) else None)
    base = name.loc[typed.index].str.split(":").str[0]
    frame = pd.DataFrame({
        "entry": name.loc[typed.index],
        "display": typed["display_name"],
        "release_date": typed["release_date"],
        "benchmark": BENCHMARK,
        "raw_score": typed["avg_acc"],
        "stderr": typed["avg_acc_standard_error"],
        "cost": typed["cost_per_run_usd"],
        "source_file": os.path.basename(path),
        "source_row": [row_number(i) for i in typed.index],
        "spellings": [spellings(d if isinstance(d, str) else None, n,
                                b if b != n else None, s)
                      for d, n, b, s in zip(typed["display_name"], name.loc[typed.index],
                                            base, slug_tail)],
    })
    model_of, matches = resolve_entries(frame[["entry", "spellings"]], SOURCE, models, aliases)
    frame["model_id"] = model_of
    for _, row in frame.loc[frame["model_id"].isna()].iterrows():
        match = matches.loc[matches["name"] == row["entry"]].iloc[0]
        how = "is ambiguous (matches " + match["candidates"] + ")" \
            if match["how"] == "ambiguous" else "matches no warehouse model"
        rejected.append(dict(file=path, row=int(row["source_row"]), field="internal_model_name",
                             reason=f"'{row['entry']}' {how}; add an alias (source {SOURCE})"))
    frame = frame.loc[frame["model_id"].notna()]
    versions, results = versions_and_results(frame, SOURCE, models, taxonomy, path)

    best = frame.loc[frame["cost"].notna()].sort_values(
        ["model_id", "raw_score", "source_row"], ascending=[True, False, True])
    best = best.drop_duplicates("model_id")
    signals = pd.DataFrame({
        "model_id": best["model_id"],
        "signal": SOURCE + ".cost_per_run",
        "value": best["cost"].astype(float),
        "as_of": pd.Timestamp(as_of),
        "source_file": os.path.basename(path),
        "source_row": best["source_row"].astype(int),
    }, columns=SIGNAL_COLUMNS).reset_index(drop=True)
    return IngestBatch(
        source=SourceInfo(kind=SOURCE, path=os.path.abspath(path), sha256=file_digest([path]),
                          retrieved_on=retrieved_on([path])),
        versions=versions,
        results=results,
        signals=signals,
        matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )
