"""Adapter for OpenRouter's weekly token ranking (top ~9 models a week): usage *signals*.

(The Data API's daily rankings, a JSON file, are read by
:mod:`gaplens.ingest.openrouter_api`; :func:`read_openrouter` hands them over.)

Input: the stacked CSV (``week_date, rank, slug, name, total_tokens, ..., is_free``) or a
folder of the collector's weekly JSON files (``{"date": ..., "models": [{rank, slug,
name, total_tokens, ...}]}``; a folder holding such files under ``data/`` works too).
Rows of a JSON file are numbered by their position in ``models`` (first = 1).

Signals per (model, week), ``as_of`` = the week's date:

* ``openrouter.tokens``: the week's total tokens of the model. All rows of a week that
  resolve to the same model are summed: its free and paid variants (``...:free``), its
  other endpoints (``:beta``, ``:thinking``) and dated slugs of one model;
* ``openrouter.share``: those tokens / the total tokens of *all rows listed that week*.
  The file keeps only the top-N models, so this is a **share of the top-N, not of the
  market**; shares of one week sum to 1 only when every listed row resolved;
* ``openrouter.rank``: the best (lowest) rank among the model's rows that week.

Names: the slug (``anthropic/claude-sonnet-4``), then the slug without its variant
suffix (``:free``, ``:beta``, ...), then the display name (``Anthropic: Claude Sonnet
4``), then that name without a trailing "(free)"/"(exacto)", each through the reviewed
alias table (source ``openrouter``) and then exactly. OpenRouter says nothing about
weights or licences, so a name that resolves to no warehouse model is **unmatched**
(listed, its rows rejected with the reason), never created.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re

import pandas as pd

from ..errors import InputError
from ._fields import Field, parse_fields, read_csv_text, row_number
from .aliases import bundled_aliases, resolve_spellings
from .validate import load_json
from .batch import MATCH_COLUMNS, REJECTED_COLUMNS, IngestBatch, SourceInfo, file_digest
from .lmarena import retrieved_on, signals_from, unresolved_reason

SIGNAL_PREFIX = "openrouter."

FIELDS = [
    Field("week_date", "date", required=True, nullable=False, aliases=("date", "week")),
    Field("rank", "float", required=True),
    Field("slug", "str", required=True, nullable=False),
    Field("name", "str"),
    Field("total_tokens", "float", required=True),
    Field("is_free", "bool"),
]

_VARIANT = re.compile(r":[A-Za-z0-9_.-]+$")
_NAME_TAG = re.compile(r"\s*\((free|exacto|beta|thinking)\)\s*$", re.IGNORECASE)


def base_slug(slug: str) -> str:
    """The slug without its endpoint variant ("x/model:free" -> "x/model")."""
    return _VARIANT.sub("", slug)


def _read_json_folder(path: str, today: dt.date) -> tuple[pd.DataFrame, list[str]]:
    folder = path
    files = sorted(glob.glob(os.path.join(folder, "*.json")))
    if not files and os.path.isdir(os.path.join(path, "data")):
        folder = os.path.join(path, "data")
        files = sorted(glob.glob(os.path.join(folder, "*.json")))
    if not files:
        raise InputError(path, "no weekly JSON files (*.json) in this folder")
    frames = []
    for file in files:
        doc = load_json(file)
        if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
            raise InputError(file, "expected an object with a 'models' list", field="models")
        if not doc.get("date"):
            raise InputError(file, "missing 'date'", field="date")
        items = doc["models"]
        if not all(isinstance(item, dict) for item in items):
            raise InputError(file, "every entry of 'models' must be an object", field="models")
        raw = pd.DataFrame(
            [{k: (None if v is None else str(v)) for k, v in item.items()} for item in items]
        )
        if raw.empty:
            continue
        raw["week_date"] = str(doc["date"])
        # Index chosen so that row_number() gives the entry's position in models (from 1).
        raw.index = range(-1, len(raw) - 1)
        typed = parse_fields(raw, FIELDS, file, today=today)
        typed["file"] = file
        typed["source_file"] = os.path.relpath(file, path)
        typed["source_row"] = [row_number(i) for i in typed.index]
        frames.append(typed.reset_index(drop=True))
    if not frames:
        raise InputError(path, "the JSON files list no models")
    return pd.concat(frames, ignore_index=True), files


def _read_csv(path: str, today: dt.date) -> pd.DataFrame:
    raw = read_csv_text(path)
    typed = parse_fields(raw, FIELDS, path, today=today)
    typed["file"] = path
    typed["source_file"] = path
    typed["source_row"] = [row_number(i) for i in typed.index]
    return typed.reset_index(drop=True)


def _check(rows: pd.DataFrame, bad: pd.Series, field: str, message: str) -> None:
    """InputError at the first row where ``bad`` holds, naming that row's own file."""
    bad = bad.fillna(False).to_numpy(dtype=bool)
    if bad.any():
        row = rows.loc[bad].iloc[0]
        raise InputError(row["file"], message, row=int(row["source_row"]), field=field)


def read_openrouter(path: str, models: pd.DataFrame, aliases: pd.DataFrame | None = None,
                    today: dt.date | None = None) -> IngestBatch:
    """Read OpenRouter weekly top-model usage (CSV or folder of weekly JSON files), or a
    Data API rankings-daily response (a JSON file or a folder of ``rankings_daily*.json``;
    see :mod:`gaplens.ingest.openrouter_api`)."""
    from .openrouter_api import is_rankings_daily, read_rankings_daily

    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    if is_rankings_daily(path):
        return read_rankings_daily(path, models, aliases, today=today)
    if os.path.isdir(path):
        rows, files = _read_json_folder(path, today)
    else:
        rows, files = _read_csv(path, today), [path]
    for column in ("name", "is_free"):
        if column not in rows:
            rows[column] = pd.NA
    _check(rows, rows["total_tokens"] < 0, "total_tokens", "the token count is negative")
    _check(rows, rows["rank"] < 1, "rank", "the rank is below 1")

    rejected: list[dict] = []
    blank = rows["total_tokens"].isna()
    for _, row in rows.loc[blank].iterrows():
        rejected.append(dict(file=row["file"], row=int(row["source_row"]), field="total_tokens",
                             reason="no token count"))
    rows = rows.loc[~blank].copy()
    # The week's listed total, before any row is dropped as unmatched.
    rows["week_total"] = rows.groupby("week_date")["total_tokens"].transform("sum")

    rows["base"] = rows["slug"].map(base_slug)
    rows["clean_name"] = rows["name"].map(
        lambda n: _NAME_TAG.sub("", n) if isinstance(n, str) else n)
    terms = ["slug", "base", "name", "clean_name"]
    spellings = [tuple(v if isinstance(v, str) else None for v in values)
                 for values in rows[terms].astype(object).itertuples(index=False, name=None)]
    result = resolve_spellings(spellings, "openrouter", models, aliases,
                               labels=(None, None, "name", "name"))
    rows["model_id"] = [r[0] for r in result]
    rows["how"] = [r[1] for r in result]
    rows["candidates"] = [r[2] for r in result]

    matches = rows.drop_duplicates(["base", "model_id", "how"])
    matches = pd.DataFrame({
        "source": "openrouter",
        "name": matches["base"],
        "model_id": matches["model_id"],
        "how": matches["how"],
        "candidates": matches["candidates"],
    })[MATCH_COLUMNS].reset_index(drop=True)

    unresolved = rows["model_id"].isna()
    for _, row in rows.loc[unresolved].iterrows():
        label = row["slug"] + (f" ({row['name']})" if isinstance(row["name"], str) else "")
        rejected.append(dict(
            file=row["file"], row=int(row["source_row"]), field="slug",
            reason=unresolved_reason(label, row["how"], row["candidates"],
                                     "OpenRouter gives no accessibility to create it")))
    rows = rows.loc[~unresolved]

    # One value per (model, week): tokens summed, best rank, provenance of the best row.
    rows = rows.sort_values(["week_date", "model_id", "rank", "source_row"], kind="mergesort")
    grouped = rows.groupby(["model_id", "week_date"], sort=False)
    per_model = grouped.first().reset_index()
    per_model["tokens"] = grouped["total_tokens"].sum().to_numpy()
    per_model["share"] = per_model["tokens"] / per_model["week_total"]
    per_model["prefix"] = SIGNAL_PREFIX
    per_model["as_of"] = per_model["week_date"]
    signals = signals_from(per_model, {"tokens": "tokens", "share": "share", "rank": "rank"})
    signals["value"] = signals["value"].astype(float)
    return IngestBatch(
        source=SourceInfo(kind="openrouter", path=os.path.abspath(path),
                          sha256=file_digest(files), retrieved_on=retrieved_on(files)),
        signals=signals,
        matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
    )

