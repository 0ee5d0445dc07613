"""Adapters for OpenRouter's Data API (daily token rankings) and its public model catalogue.

Credit: *Source: OpenRouter (openrouter.ai/rankings), as of <meta.as_of>* (the citation
the Data API requires; its data are CC BY 4.0). The catalogue is credited as facts.

**rankings-daily** (``GET /api/v1/datasets/rankings-daily``, Bearer key): ``{"data":
[{"date", "model_permaslug", "total_tokens"}, ...], "meta": {"as_of", "start_date",
"end_date", "version"}}``: per UTC day the 50 public models with the most tokens (prompt +
completion) and one ``other`` row summing every model outside them; ``total_tokens`` is
a string. Rows are numbered by their position in ``data`` (first = row 1). Signals per
(model, day), ``as_of`` = the day:

* ``openrouter.tokens_daily``: the day's tokens of the model; rows of a day that resolve
  to the same model (dated permaslugs of one model) are summed;
* ``openrouter.share_daily``: those tokens / the day's total, the ``other`` row included:
  a share of all of OpenRouter's traffic that day, not of the listed models (unlike the
  weekly ``openrouter.share``, a share of the listed top ~10);
* ``openrouter.rank_daily``: the best rank among the model's rows (1 = most tokens;
  ``other`` has none).

Several files (windows of the API, such as a 2025 and a 2026 capture) may cover one day:
the day is read whole from the file with the newest ``meta.as_of`` (later file name on a
tie), since OpenRouter may restate figures; the rows of the other files for that day are
not read.

**models** (``GET /api/v1/models``, no key): ``{"data": [{"id", "canonical_slug",
"hugging_face_id", "name", "created", "context_length", "pricing": {"prompt",
"completion", ...}, ...}]}``, prices in USD per token as strings. Signals per model,
``as_of`` = the capture date (the catalogue says what holds now, not since when):

* ``openrouter_models.price_input`` and ``.price_output``: ``pricing.prompt`` and
  ``pricing.completion`` x 10^6 (USD per million tokens). A negative price (``-1``:
  OpenRouter's mark of a router whose price varies) is not stored and is listed;
* ``openrouter_models.context_length``: tokens;
* ``openrouter_models.hf_weights``: 1 when ``hugging_face_id`` names a Hugging Face
  repository, 0 when it is null or empty. It is evidence of open weights, no more: a
  model the warehouse holds as ``API access`` whose entry names a repository is listed
  (field ``hugging_face_id``) and its accessibility is **not** changed (an override file
  with a reason changes it).

Several catalogue entries may resolve to one model (``x/model`` and ``x/model:free``, a
dated and an undated id): the entry without a ``:variant`` suffix is kept, then the
first in the file; each other one is listed with the entry kept.

Names (both endpoints): the id / permaslug, the same without its ``:variant`` suffix,
without a trailing date (``-20241022``, ``-2024-05-13``), the catalogue's
``canonical_slug``, the display name and that name without its ``Provider:`` prefix,
each through the reviewed alias table (source ``openrouter``, shared with the weekly
data) and then exactly. OpenRouter says nothing about licences, so a name that resolves
to no model is listed and its rows rejected, never created.

Every problem (not JSON, a missing or renamed key, a value of the wrong type, a bad or
future date, a day listed twice in one file) raises an :class:`InputError` naming the
file, the row (position in ``data``) and the key; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from .aliases import bundled_aliases, resolve_spellings
from .batch import (
    MATCH_COLUMNS,
    REJECTED_COLUMNS,
    SIGNAL_COLUMNS,
    IngestBatch,
    SourceInfo,
    file_digest,
)
from .lmarena import retrieved_on as mtime_date, unresolved_reason
from .openrouter import base_slug
from .validate import load_json

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
DAILY_PREFIX = "openrouter."
CATALOGUE_SOURCE = "openrouter_models"
CATALOGUE_PREFIX = CATALOGUE_SOURCE + "."
OTHER = "other"
RANKINGS_FILE = "rankings_daily"

_DATED = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")
_PROVIDER = re.compile(r"^[^:]{1,40}:\s+")
_NAME_TAG = re.compile(r"\s*\((free|exacto|beta|thinking)\)\s*$", re.IGNORECASE)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d+")


def undated(slug: str) -> str:
    """The slug without a trailing release date ("x/m-20241022" -> "x/m")."""
    return _DATED.sub("", base_slug(slug))


def _load(path: str) -> dict:
    doc = load_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        found = ", ".join(sorted(doc)[:6]) if isinstance(doc, dict) else type(doc).__name__
        raise InputError(path, f"expected an object with a 'data' list (found {found})",
                         field="data")
    for i, row in enumerate(doc["data"]):
        if not isinstance(row, dict):
            raise InputError(path, "the entry is not an object", row=i + 1)
    return doc


def _text(path: str, row: int, field: str, value, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise InputError(path, "the value is missing", row=row, field=field)
        return None
    if not isinstance(value, str):
        raise InputError(path, f"expected text, found {json.dumps(value)}", row=row,
                         field=field)
    return value.strip()


def _number(path: str, row: int, field: str, value, required: bool = False) -> float:
    """A JSON number or a numeric string; NaN when absent (and not required)."""
    if value is None or value == "":
        if required:
            raise InputError(path, "the value is missing", row=row, field=field)
        return np.nan
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(path, f"expected a number, found {json.dumps(value)}", row=row,
                         field=field)
    try:
        out = float(value)
    except ValueError:
        raise InputError(path, f"'{value}' is not a number", row=row, field=field) from None
    if not np.isfinite(out):
        raise InputError(path, f"'{value}' is not a finite number", row=row, field=field)
    return out


def _day(path: str, row: int, field: str, value, today: dt.date) -> dt.date:
    text = _text(path, row, field, value)
    try:
        day = dt.date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise InputError(path, f"'{text}' is not a date (expected YYYY-MM-DD)", row=row,
                         field=field)
    if day > today:
        raise InputError(path, f"date {day} is in the future (after {today})", row=row,
                         field=field)
    return day


def _resolve(rows: pd.DataFrame, terms: list[str], models: pd.DataFrame,
             aliases: pd.DataFrame, labels: tuple) -> pd.DataFrame:
    spellings = [tuple(v if isinstance(v, str) else None for v in values)
                 for values in rows[terms].astype(object).itertuples(index=False, name=None)]
    found = resolve_spellings(spellings, "openrouter", models, aliases, labels=labels)
    rows = rows.copy()
    rows["model_id"] = [f[0] for f in found]
    rows["how"] = [f[1] for f in found]
    rows["candidates"] = [f[2] for f in found]
    return rows


def _matches(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    table = rows.drop_duplicates([name, "model_id", "how"])
    return pd.DataFrame({"source": "openrouter", "name": table[name],
                         "model_id": table["model_id"], "how": table["how"],
                         "candidates": table["candidates"].fillna("")}
                        )[MATCH_COLUMNS].reset_index(drop=True)


def _unresolved(rows: pd.DataFrame, name: str, field: str) -> list[dict]:
    out = []
    for _, row in rows.loc[rows["model_id"].isna()].iterrows():
        out.append(dict(file=row["file"], row=int(row["source_row"]), field=field,
                        reason=unresolved_reason(row[name], row["how"], row["candidates"],
                                                 "OpenRouter gives no accessibility to "
                                                 "create it")))
    return out


def _signals(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    parts = []
    for column, signal in columns.items():
        have = frame.loc[frame[column].notna()]
        parts.append(pd.DataFrame({
            "model_id": have["model_id"], "signal": signal,
            "value": have[column].astype(float), "as_of": have["as_of"],
            "source_file": have["source_file"], "source_row": have["source_row"].astype(int),
        }))
    if not parts:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["signal", "as_of", "model_id"]).reset_index(drop=True)[
        SIGNAL_COLUMNS]


# --------------------------------------------------------------------------------------
# rankings-daily
# --------------------------------------------------------------------------------------
def is_rankings_daily(path: str) -> bool:
    """Whether ``path`` is a rankings-daily capture: a JSON file, or a folder holding
    ``rankings_daily*.json`` files (a folder of weekly files is not)."""
    if os.path.isdir(path):
        return bool(glob.glob(os.path.join(path, RANKINGS_FILE + "*.json")))
    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return path.lower().endswith(".json")
    return path.lower().endswith(".json") or head[:1] == b"{"


def _daily_rows(path: str, today: dt.date) -> tuple[pd.DataFrame, dt.date | None]:
    doc = _load(path)
    meta = doc.get("meta")
    as_of = None
    if isinstance(meta, dict) and meta.get("as_of") not in (None, ""):
        text = str(meta["as_of"])
        try:
            as_of = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(path, f"'{text}' is not a timestamp", field="meta.as_of") from None
    rows = []
    for i, item in enumerate(doc["data"]):
        row = i + 1
        day = _day(path, row, "date", item.get("date"), today)
        slug = _text(path, row, "model_permaslug", item.get("model_permaslug"))
        raw = item.get("total_tokens")
        if isinstance(raw, str) and not _DIGITS.fullmatch(raw.strip()):
            raise InputError(path, f"'{raw}' is not a whole number of tokens", row=row,
                             field="total_tokens")
        tokens = _number(path, row, "total_tokens", raw, required=True)
        if tokens < 0:
            raise InputError(path, f"{raw} is negative", row=row, field="total_tokens")
        rows.append((day, slug, tokens, row))
    frame = pd.DataFrame(rows, columns=["day", "slug", "tokens", "source_row"])
    dup = frame.duplicated(["day", "slug"])
    if dup.any():
        bad = frame.loc[dup].iloc[0]
        raise InputError(path, f"'{bad['slug']}' is listed twice on {bad['day']}",
                         row=int(bad["source_row"]), field="model_permaslug")
    frame["file"] = path
    frame["as_of_stamp"] = as_of.timestamp() if as_of is not None else -np.inf
    return frame, (as_of.date() if as_of is not None else None)


def read_rankings_daily(path: str, models: pd.DataFrame, aliases: pd.DataFrame | None = None,
                        today: dt.date | None = None) -> IngestBatch:
    """Read a rankings-daily response (a file, or a folder of ``rankings_daily*.json``)."""
    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    files = (sorted(glob.glob(os.path.join(path, RANKINGS_FILE + "*.json")))
             if os.path.isdir(path) else [path])
    if not files:
        raise InputError(path, f"no {RANKINGS_FILE}*.json file in this folder")
    parts, stamps = [], []
    for order, file in enumerate(files):
        frame, stamp = _daily_rows(file, today)
        parts.append(frame.assign(order=order))
        stamps.append(stamp)
    rows = pd.concat(parts, ignore_index=True)
    if rows.empty:
        raise InputError(path, "the response lists no rows", field="data")
    # Each day from one file: the newest as_of (then the later file).
    best = rows.sort_values(["as_of_stamp", "order"]).groupby("day")["order"].last()
    rows = rows.loc[rows["order"].to_numpy() == rows["day"].map(best).to_numpy()].copy()
    rows["day_total"] = rows.groupby("day")["tokens"].transform("sum")
    listed = rows.loc[rows["slug"] != OTHER].copy()
    listed = listed.sort_values(["day", "tokens", "slug"], ascending=[True, False, True])
    listed["rank"] = listed.groupby("day").cumcount() + 1
    listed["undated"] = listed["slug"].map(undated)
    listed["base"] = listed["slug"].map(base_slug)
    listed = _resolve(listed, ["slug", "base", "undated"], models, aliases,
                      (None, None, "undated"))
    matches = _matches(listed, "slug")
    rejected = _unresolved(listed, "slug", "model_permaslug")
    kept = listed.loc[listed["model_id"].notna()]
    kept = kept.sort_values(["day", "model_id", "rank"])
    grouped = kept.groupby(["model_id", "day"], sort=False)
    per_model = grouped.first().reset_index()
    per_model["tokens"] = grouped["tokens"].sum().to_numpy()
    per_model["share"] = per_model["tokens"] / per_model["day_total"]
    per_model["as_of"] = pd.to_datetime(per_model["day"])
    per_model["source_file"] = [os.path.relpath(f, path) if os.path.isdir(path) else f
                                for f in per_model["file"]]
    signals = _signals(per_model, {"tokens": DAILY_PREFIX + "tokens_daily",
                                   "share": DAILY_PREFIX + "share_daily",
                                   "rank": DAILY_PREFIX + "rank_daily"})
    known = [s for s in stamps if s is not None]
    retrieved = max(known) if known else mtime_date(files)
    return IngestBatch(
        source=SourceInfo(kind="openrouter", path=os.path.abspath(path),
                          sha256=file_digest(files), retrieved_on=retrieved),
        signals=signals, matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS))


def citation(batch_or_date) -> str:
    """OpenRouter's required citation line for data as of a date."""
    day = getattr(getattr(batch_or_date, "source", None), "retrieved_on", batch_or_date)
    return CITATION.format(as_of=day)


# --------------------------------------------------------------------------------------
# the model catalogue
# --------------------------------------------------------------------------------------
def _catalogue_file(path: str) -> str:
    if not os.path.isdir(path):
        return path
    for name in ("models.json", "openrouter_models.json"):
        if os.path.isfile(os.path.join(path, name)):
            return os.path.join(path, name)
    raise InputError(path, "no models.json in this folder")


def read_openrouter_models(path: str, models: pd.DataFrame,
                           aliases: pd.DataFrame | None = None,
                           retrieved_on: dt.date | None = None,
                           today: dt.date | None = None) -> IngestBatch:
    """Read the catalogue (``/api/v1/models``); ``retrieved_on`` (default: the file's
    modification date) dates its signals."""
    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    file = _catalogue_file(path)
    doc = _load(file)
    if not doc["data"]:
        raise InputError(file, "the catalogue lists no models", field="data")
    as_of = retrieved_on or mtime_date([file])
    if as_of > today:
        raise InputError(file, f"capture date {as_of} is in the future (after {today})")
    rows, rejected = [], []
    for i, item in enumerate(doc["data"]):
        row = i + 1
        pricing = item.get("pricing")
        if pricing is not None and not isinstance(pricing, dict):
            raise InputError(file, f"expected an object, found {json.dumps(pricing)}",
                             row=row, field="pricing")
        pricing = pricing or {}
        prices = {}
        for key, column in (("prompt", "price_input"), ("completion", "price_output")):
            value = _number(file, row, f"pricing.{key}", pricing.get(key))
            if value < 0:
                rejected.append(dict(file=file, row=row, field=f"pricing.{key}",
                                     reason=f"price {pricing.get(key)} (a router whose "
                                            "price varies): not stored"))
                value = np.nan
            prices[column] = value * 1e6
        context = _number(file, row, "context_length", item.get("context_length"))
        if context < 0:
            raise InputError(file, f"{context:g} is negative", row=row,
                             field="context_length")
        hf = _text(file, row, "hugging_face_id", item.get("hugging_face_id"), required=False)
        name = _text(file, row, "name", item.get("name"), required=False)
        rows.append(dict(
            id=_text(file, row, "id", item.get("id")),
            canonical=_text(file, row, "canonical_slug", item.get("canonical_slug"),
                            required=False),
            name=name,
            plain=_PROVIDER.sub("", _NAME_TAG.sub("", name)) if name else None,
            hf=hf, hf_weights=1.0 if hf else 0.0, context_length=context,
            source_row=row, file=file, **prices))
    frame = pd.DataFrame(rows)
    frame["base"] = frame["id"].map(base_slug)
    frame["undated"] = frame["id"].map(undated)
    frame = _resolve(frame, ["id", "base", "undated", "canonical", "name", "plain"], models,
                     aliases, (None, None, "undated", "canonical_slug", "name", "name"))
    matches = _matches(frame, "id")
    rejected += _unresolved(frame, "id", "id")
    kept = frame.loc[frame["model_id"].notna()].copy()
    kept["variant"] = kept["id"] != kept["base"]
    kept = kept.sort_values(["model_id", "variant", "source_row"], kind="mergesort")
    dup = kept.duplicated("model_id", keep="first")
    first = kept.loc[~dup].set_index("model_id")["id"]
    for _, row in kept.loc[dup].iterrows():
        rejected.append(dict(file=file, row=int(row["source_row"]), field="id",
                             reason=f"'{row['id']}' is another entry of model "
                                    f"'{row['model_id']}': '{first[row['model_id']]}' is "
                                    "kept"))
    kept = kept.loc[~dup]
    rejected += _weights_evidence(kept, models, file)
    kept["as_of"] = pd.Timestamp(as_of)
    kept["source_file"] = file
    signals = _signals(kept, {c: CATALOGUE_PREFIX + c for c in
                              ("price_input", "price_output", "context_length", "hf_weights")})
    return IngestBatch(
        source=SourceInfo(kind=CATALOGUE_SOURCE, path=os.path.abspath(path),
                          sha256=file_digest([file]), retrieved_on=as_of),
        signals=signals, matches=matches,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS).sort_values(
            ["row", "field"], kind="mergesort").reset_index(drop=True))


def _weights_evidence(kept: pd.DataFrame, models: pd.DataFrame, file: str) -> list[dict]:
    """A listed row for each model held as not open (API, hosted, closed, unreleased,
    unknown) whose entry names Hugging Face weights: the accessibility is left as it is."""
    if "accessibility" not in models.columns:
        return []
    access = dict(zip(models["model_id"], models["accessibility"]))
    out = []
    for _, row in kept.loc[kept["hf"].notna()].iterrows():
        held = access.get(row["model_id"])
        try:
            is_open = Accessibility(held).is_open_weights
        except ValueError:
            continue
        if not is_open:
            out.append(dict(file=file, row=int(row["source_row"]), field="hugging_face_id",
                            reason=f"OpenRouter names Hugging Face weights '{row['hf']}' for "
                                   f"'{row['model_id']}', held as '{held}': "
                                   "accessibility not changed (review it; an override file "
                                   "with a reason changes it)"))
    return out
