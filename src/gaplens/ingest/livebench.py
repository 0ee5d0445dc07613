"""Adapter for LiveBench leaderboard releases: per-category capability *signals*.

Input: a folder with one ``table_YYYY_MM_DD.csv`` (a ``model`` column and one column per
task, scores 0-100) and one ``categories_YYYY_MM_DD.json`` (category -> its tasks) per
question release, and optionally ``livebench_model_metadata.csv`` (``model, base_model,
display_name, organization, openweight, ...``). A folder without the metadata file (a
capture of the publisher's release files, which carry none) reads the one given as
``metadata``: the update declaration passes the bundled copy, derived from the site's
``src/Table/modelLinks.js``.

Signals per model and release, ``as_of`` = the release date in the file name (the date of
the *question set*, not of the evaluation: LiveBench scores a model on the newest release
at the time, so a model released later can carry an earlier ``as_of``):

* ``livebench.<category>`` (lower case, spaces to underscores: ``reasoning``, ``coding``,
  ``agentic_coding``, ``mathematics``, ``data_analysis``, ``language``, ``if``): the
  unweighted mean of the category's task scores, as the site computes it (a blank task
  score is skipped, as on the site);
* ``livebench.average``: the mean of the category means, given only when every category
  of the release has one.

Names: the table's model name, then its ``base_model`` from the metadata (so effort and
thinking variants such as ``gpt-5-high`` find ``gpt-5``), each through the reviewed alias
table (source ``livebench``) and then exactly. A name that finds no model becomes a new
model when the metadata gives its ``openweight`` flag (true: ``Open weights (licence
unspecified)``, false: ``API access``), named by its base model, with the metadata's
display name and organisation and no release date; otherwise it is unmatched and its
rows rejected. When several entries of one release resolve to the same model (effort
levels, thinking and non-thinking variants), the one with the best average is kept and
the others are rejected, the same "best setting" rule the analysis applies to results.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from ._fields import Field, check_rows, parse_fields, parse_float, read_csv_text, row_number
from .aliases import _key, bundled_aliases, resolve_spellings
from .batch import (
    LICENCE_COLUMNS,
    MATCH_COLUMNS,
    MODEL_COLUMNS,
    REJECTED_COLUMNS,
    IngestBatch,
    SourceInfo,
    file_digest,
)
from .lmarena import canonical_names, keep_best, retrieved_on, signals_from, unresolved_reason
from .validate import load_json

SIGNAL_PREFIX = "livebench."
METADATA_FILE = "livebench_model_metadata.csv"
TABLE_FILE = re.compile(r"^table_(\d{4})_(\d{2})_(\d{2})\.csv$")

METADATA_FIELDS = [
    Field("model", "str", required=True, nullable=False),
    Field("base_model", "str"),
    Field("display_name", "str"),
    Field("organization", "str"),
    Field("openweight", "bool", aliases=("open_weight", "open_weights")),
]


def category_signal(category: str) -> str:
    """"Data Analysis" -> "livebench.data_analysis"."""
    return SIGNAL_PREFIX + re.sub(r"\s+", "_", category.strip().lower())


def _read_categories(path: str) -> dict[str, list[str]]:
    if not os.path.exists(path):
        raise InputError(path, "missing: every table_*.csv needs its categories_*.json")
    doc = load_json(path)
    if not isinstance(doc, dict) or not doc or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(t, str) for t in v)
            for k, v in doc.items()):
        raise InputError(path, "expected an object mapping each category to a list of tasks")
    return doc


def _read_release(table_path: str, as_of: pd.Timestamp, folder: str) -> pd.DataFrame:
    """One row per model of a release: its category means, average and provenance."""
    stem = os.path.basename(table_path)[len("table_"):-len(".csv")]
    categories = _read_categories(os.path.join(folder, f"categories_{stem}.json"))
    raw = read_csv_text(table_path)
    typed = parse_fields(raw, [Field("model", "str", required=True, nullable=False)],
                         table_path)
    check_rows(typed["model"].str.lower().duplicated().to_numpy(), typed["model"], table_path,
               "model", lambda v: f"model '{v}' is listed twice")
    lower = {c.lower(): c for c in raw.columns}
    out = pd.DataFrame({"name": typed["model"]}, index=typed.index)
    for category, tasks in categories.items():
        scores = []
        for task in tasks:
            if task.lower() not in lower:
                raise InputError(table_path, f"missing column '{task}' (a task of "
                                             f"'{category}' in categories_{stem}.json)",
                                 field=task)
            score = parse_float(raw[lower[task.lower()]], table_path, task)
            check_rows(((score < 0) | (score > 100)).to_numpy(), raw[lower[task.lower()]],
                       table_path, task, lambda v: f"score {v} is outside 0-100")
            scores.append(score)
        out[category_signal(category)] = pd.concat(scores, axis=1).mean(axis=1, skipna=True) \
            if scores else np.nan
    means = out[[category_signal(c) for c in categories]]
    out[SIGNAL_PREFIX + "average"] = means.mean(axis=1).where(means.notna().all(axis=1))
    out["as_of"] = as_of
    out["file"] = table_path
    out["source_file"] = os.path.relpath(table_path, folder)
    out["source_row"] = [row_number(i) for i in out.index]
    return out.reset_index(drop=True)


def _metadata_path(folder: str, fallback: str | None) -> str | None:
    own = os.path.join(folder, METADATA_FILE)
    if os.path.exists(own):
        return own
    if fallback and not os.path.exists(fallback):
        raise InputError(fallback, "no such file (the LiveBench model metadata)")
    return fallback


def _read_metadata(path: str | None) -> pd.DataFrame:
    if path is None:
        return pd.DataFrame(columns=["model", "base_model", "display_name", "organization",
                                     "openweight", "key"])
    meta = parse_fields(read_csv_text(path), METADATA_FIELDS, path)
    for column in ("base_model", "display_name", "organization", "openweight"):
        if column not in meta:
            meta[column] = pd.NA
    meta["key"] = meta["model"].map(_key)
    check_rows(meta["key"].duplicated().to_numpy(), meta["model"], path, "model",
               lambda v: f"model '{v}' is listed twice")
    return meta


def read_livebench(folder: str, models: pd.DataFrame, aliases: pd.DataFrame | None = None,
                   today: dt.date | None = None, metadata: str | None = None) -> IngestBatch:
    """Read a folder of LiveBench releases (table_*.csv + categories_*.json).

    ``metadata``: the model metadata file to use when the folder has none.
    """
    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    if not os.path.isdir(folder):
        raise InputError(folder, "not a folder (expected LiveBench table_*.csv files)")
    tables = sorted(p for p in glob.glob(os.path.join(folder, "table_*.csv"))
                    if TABLE_FILE.match(os.path.basename(p)))
    if not tables:
        raise InputError(folder, "no table_YYYY_MM_DD.csv files in this folder")
    releases = []
    for table in tables:
        y, m, d = TABLE_FILE.match(os.path.basename(table)).groups()
        try:
            as_of = pd.Timestamp(dt.date(int(y), int(m), int(d)))
        except ValueError:
            raise InputError(table, f"'{y}_{m}_{d}' in the file name is not a date") from None
        if as_of.date() > today:
            raise InputError(table, f"release date {as_of.date()} is in the future")
        releases.append(_read_release(table, as_of, folder))
    rows = pd.concat(releases, ignore_index=True)
    signal_columns = [c for c in rows.columns if c.startswith(SIGNAL_PREFIX)]
    meta_path = _metadata_path(folder, metadata)
    meta = _read_metadata(meta_path)

    rows["name"] = canonical_names(rows["name"])
    meta_of = meta.set_index("key")
    base_of = {k: b for k, b in zip(meta["key"], meta["base_model"]) if isinstance(b, str)}
    base = pd.Series([base_of.get(_key(n), n) for n in rows["name"]], index=rows.index,
                     dtype=object)
    rows["base"] = canonical_names(base)

    def openweight_of(name: str, base_name: str):
        for candidate in (base_name, name):
            k = _key(candidate)
            if k in meta_of.index and pd.notna(meta_of.at[k, "openweight"]):
                return bool(meta_of.at[k, "openweight"])
        return None

    pairs = list(rows[["name", "base"]].drop_duplicates("name").itertuples(index=False,
                                                                          name=None))
    found = resolve_spellings(pairs, "livebench", models, aliases,
                              labels=(None, "base model"))
    decided: dict[str, tuple] = {}
    for (name, base_name), (model_id, how, note) in zip(pairs, found):
        if how == "unmatched" and openweight_of(name, base_name) is not None:
            decided[name] = (base_name, "new", "" if base_name == name else
                             f"created as its base model '{base_name}'")
        else:
            decided[name] = (model_id, how, note)
    matches = pd.DataFrame(
        [("livebench", name, *decided[name]) for name in decided], columns=MATCH_COLUMNS)

    rows["model_id"] = rows["name"].map(lambda n: decided[n][0])
    rejected: list[dict] = []
    unresolved = rows["model_id"].isna()
    for _, row in rows.loc[unresolved].iterrows():
        how, candidates = decided[row["name"]][1:]
        rejected.append(dict(
            file=row["file"], row=int(row["source_row"]), field="model",
            reason=unresolved_reason(row["name"], how, candidates,
                                     f"and no openweight flag in {METADATA_FILE} to create it")))
    rows = rows.loc[~unresolved].copy()
    rows["n_categories"] = rows[signal_columns].notna().sum(axis=1)
    average = SIGNAL_PREFIX + "average"
    rows, dropped = keep_best(
        rows, ["model_id", "as_of"], [average, "n_categories"], [False, False],
        lambda row, kept: f"'{row['name']}' is the same model ({row['model_id']}) as "
                          f"'{kept['name']}' (row {int(kept['source_row'])}), which scores "
                          "higher in this release; that row kept")
    rejected += dropped
    # LiveBench's openweight flag of each model (the openness audit): its newest row.
    newest = rows.sort_values(["model_id", "as_of", "source_row"], kind="mergesort") \
        .drop_duplicates("model_id", keep="last")
    flags = [openweight_of(n, b) for n, b in zip(newest["name"], newest["base"])]
    has = np.array([f is not None for f in flags], dtype=bool)
    licences = pd.DataFrame({
        "model_id": newest["model_id"].to_numpy()[has], "source": "livebench", "licence": None,
        "open_weights": [f for f in flags if f is not None], "commercial": None,
        "as_of": pd.to_datetime(newest["as_of"]).dt.date.to_numpy()[has],
        "source_file": newest["source_file"].to_numpy()[has],
        "source_row": newest["source_row"].astype(int).to_numpy()[has],
    }, columns=LICENCE_COLUMNS)

    long = rows.melt(id_vars=["model_id", "as_of", "source_file", "source_row"],
                     value_vars=signal_columns, var_name="signal", value_name="value")
    long["prefix"] = long["signal"]
    signals = signals_from(long, {"value": ""})

    new = matches.loc[matches["how"] == "new"].drop_duplicates("model_id")
    rows_new = []
    for name, model_id in zip(new["name"], new["model_id"]):
        # The base model's metadata row when it has one, else the entry's own.
        info = None
        for k in (_key(model_id), _key(name)):
            if k in meta_of.index:
                info = meta_of.loc[k]
                break
        display = model_id
        if info is not None and pd.notna(info["display_name"]) and (
                _key(model_id) in meta_of.index or model_id == name):
            display = info["display_name"]
        rows_new.append(dict(
            model_id=model_id,
            display_name=display,
            organization=info["organization"] if info is not None else None,
            country=None,
            release_date=pd.NaT,
            accessibility=(Accessibility.OPEN_UNSPECIFIED if openweight_of(name, model_id)
                           else Accessibility.API).value,
            parameters=np.nan,
            training_compute=np.nan,
        ))
    new_models = pd.DataFrame(rows_new, columns=MODEL_COLUMNS)
    new_models["release_date"] = pd.to_datetime(new_models["release_date"]).astype(
        "datetime64[s]")
    files = tables + [p for p in (os.path.join(folder, f"categories_{t[-14:-4]}.json")
                                  for t in tables)] + ([meta_path] if meta_path else [])
    return IngestBatch(
        source=SourceInfo(kind="livebench", path=os.path.abspath(folder),
                          sha256=file_digest(files), retrieved_on=retrieved_on(files)),
        models=new_models,
        signals=signals,
        matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
        licences=licences,
    )
