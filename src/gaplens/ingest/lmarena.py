"""Adapter for LMArena (formerly LMSYS Chatbot Arena) leaderboards: dated *signals*.

Three layouts are read, told apart by their columns:

* **one leaderboard table** (``rank, model, arena_score, 95_pct_ci, votes, organization,
  license, ...``): the snapshot date comes from a ``leaderboard_version`` column when
  present, else from the required ``as_of`` argument;
* **the stacked history** (the same columns plus ``leaderboard_version`` per row);
* **the 2026 daily top-N scrape** (``snapshot_date, leaderboard, rank, model, vendor,
  license, score, ci, votes``), one row per day, leaderboard and model;
* **the Hugging Face dataset** ``lmarena-ai/leaderboard-dataset``: one parquet file per
  arena (*config*: ``text``, ``webdev``, ``vision``, ...) and split (``latest``, ``full``),
  columns ``model_name, organization, license, rating, rating_lower, rating_upper,
  variance, vote_count, rank, category, leaderboard_publish_date``. The config comes from
  the file name (``text-latest.parquet``, as ``gaplens update`` stores it) or from the
  folder of a Hub file (``text/latest-00000-of-00001.parquet``). A folder of such files is
  read as one batch. Rows of a parquet file are numbered as records, the first being row 1.

Signals (``as_of`` = leaderboard version or snapshot date):

* ``lmarena.text`` arena score (Bradley-Terry/Elo scale), ``lmarena.text_ci`` half-width
  of its 95% interval (``+x/-y`` is read as the mean of x and y; a bare number is taken
  as the half-width), ``lmarena.text_votes``, ``lmarena.text_rank`` (rank within that
  snapshot, so not comparable across snapshots);
* from the daily file, the same four per leaderboard: ``lmarena.<leaderboard>`` for
  ``text``, ``code``, ``vision``, ``search`` and ``document`` (``_ci``, ``_votes``,
  ``_rank``). ``code`` is the **WebDev** arena; ``search`` rates search-enabled systems;
* from the dataset, the same four per config, dated by ``leaderboard_publish_date``:
  ``lmarena.<config>`` from ``rating``, ``_ci`` = (``rating_upper`` - ``rating_lower``) / 2,
  ``_votes`` from ``vote_count``, ``_rank``. The ``webdev`` config continues the ``code``
  series of the daily file (``lmarena.code``). Only the ``overall`` category is stored by
  default: the other categories (``coding``, ``math``, ``hard_prompts``, languages, ...)
  are refits of the same arena on subsets of its votes, not separate evidence, and the
  gaplens domains come from benchmarks; ``categories=`` stores more of them as
  ``lmarena.<config>.<category>`` (same four suffixes).

Names resolve through the reviewed alias table (source ``lmarena``), then exactly (see
``ingest/aliases.py``). A name that finds no model becomes a **new model** when its
licence says what it is (:func:`licence_access`, from data/licences.csv); it has no release date (LMArena gives
none), its display name is the LMArena name and its organisation the file's. Names
without a licence stay unmatched: listed in the match table, their rows rejected. When
several names of one snapshot resolve to the same model (dated snapshots of GPT-4o, a
"thinking" variant), the best-ranked row is kept and the others are rejected.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ..types import Accessibility
from ._fields import Field, check_rows, parse_fields, read_csv_text, row_number
from .aliases import _key, bundled_aliases, resolve
from .validate import check_size
from .licences import licence_class, licence_key
from .batch import (
    LICENCE_COLUMNS,
    MODEL_COLUMNS,
    REJECTED_COLUMNS,
    SIGNAL_COLUMNS,
    IngestBatch,
    SourceInfo,
    file_digest,
)

SIGNAL_PREFIX = "lmarena."

TABLE_FIELDS = [
    Field("model", "str", required=True, nullable=False),
    Field("arena_score", "float", required=True, aliases=("arena_elo", "score")),
    Field("95_pct_ci", "str", aliases=("95% ci", "ci")),
    Field("votes", "float"),
    Field("rank", "float"),
    Field("organization", "str", aliases=("vendor",)),
    Field("license", "str", aliases=("licence",)),
    Field("leaderboard_version", "date"),
]
DAILY_FIELDS = [
    Field("snapshot_date", "date", required=True, nullable=False),
    Field("leaderboard", "str", required=True, nullable=False),
    Field("model", "str", required=True, nullable=False),
    Field("score", "float", required=True),
    Field("ci", "str"),
    Field("votes", "float"),
    Field("rank", "float"),
    Field("vendor", "str", aliases=("organization",)),
    Field("license", "str", aliases=("licence",)),
]

PARQUET_FIELDS = [
    Field("model_name", "str", required=True, nullable=False),
    Field("rating", "float", required=True),
    Field("rating_lower", "float"),
    Field("rating_upper", "float"),
    Field("vote_count", "float"),
    Field("rank", "float"),
    Field("category", "str", required=True, nullable=False),
    Field("leaderboard_publish_date", "date", required=True, nullable=False),
    Field("organization", "str"),
    Field("license", "str"),
]
# "text-latest.parquet", "webdev_full.parquet", "latest-00000-of-00001.parquet" (config = folder)
PARQUET_FILE = re.compile(r"^(?:(?P<config>.+?)[-_.])?(?P<split>latest|full)"
                          r"(?:-\d+-of-\d+)?\.parquet$")
# Dataset configs whose series the older files already carry under another name.
BOARD_OF_CONFIG = {"webdev": "code"}
MAIN_CATEGORY = "overall"

_NUMBER = r"(\d+(?:\.\d+)?)"
_PLUS_MINUS = re.compile(rf"^\+\s*{_NUMBER}\s*/\s*-\s*{_NUMBER}$")
_BARE = re.compile(rf"^\+?\s*{_NUMBER}$")


def licence_access(text: object) -> Accessibility | None:
    """Accessibility class of an LMArena licence (data/licences.csv); ``None`` when blank
    (unknown). Every value except Proprietary means released weights, so a licence the
    table does not know is ``Open weights (licence unspecified)``."""
    if text is None or pd.isna(text) or not licence_key(text):
        return None
    return licence_class(text) or Accessibility.OPEN_UNSPECIFIED


def parse_ci(values: pd.Series, file: str, field: str) -> pd.Series:
    """Half-width of a 95% interval: "+x/-y" -> (x + y) / 2; a bare number as is."""
    out = pd.Series(np.nan, index=values.index, dtype=float)
    for idx, raw in values.items():
        if pd.isna(raw) or str(raw).strip() == "":
            continue
        text = str(raw).strip()
        match = _PLUS_MINUS.match(text)
        if match:
            out[idx] = (float(match.group(1)) + float(match.group(2))) / 2
            continue
        match = _BARE.match(text)
        if match:
            out[idx] = float(match.group(1))
            continue
        raise InputError(file, f"'{raw}' is not a confidence interval (expected +x/-y or a "
                               "number)", row=row_number(idx), field=field)
    return out


# -- helpers shared with the other signal adapters (openrouter, livebench) ----------------

def canonical_names(names: pd.Series) -> pd.Series:
    """Each name replaced by the first spelling in the file of the same case-folded name,
    so "Gemma-2-27B-it" and "Gemma-2-27b-it" stand for one model."""
    first: dict[str, str] = {}
    for name in names.dropna():
        first.setdefault(_key(name), name)
    return names.map(lambda n: first[_key(n)] if isinstance(n, str) else n)


def unresolved_reason(name: str, how: str, candidates: str, create_hint: str) -> str:
    if how == "ambiguous":
        return f"model '{name}' is ambiguous (matches {candidates}); add an alias"
    if candidates:
        return f"model '{name}' not matched: {candidates}"
    return f"model '{name}' not matched to a warehouse model ({create_hint}); add an alias"


def retrieved_on(paths: list[str]) -> dt.date:
    return dt.date.fromtimestamp(max(os.path.getmtime(p) for p in paths))


def keep_best(rows: pd.DataFrame, key: list[str], order: list[str], ascending: list[bool],
              reason) -> tuple[pd.DataFrame, list[dict]]:
    """One row per ``key``: the first by ``order``; the others listed as rejected with
    ``reason(dropped_row, kept_row)``."""
    ordered = rows.sort_values(order + ["source_row"], ascending=ascending + [True],
                               na_position="last", kind="mergesort")
    dup = ordered.duplicated(key, keep="first")
    if not dup.any():
        return rows, []
    winners = ordered.loc[~dup].set_index(key)
    rejected = []
    for _, row in ordered.loc[dup].iterrows():
        kept = winners.loc[tuple(row[k] for k in key)]
        rejected.append(dict(file=row["file"], row=int(row["source_row"]), field="model",
                             reason=reason(row, kept)))
    return ordered.loc[~dup].sort_index(), rejected


def signals_from(rows: pd.DataFrame, columns: dict[str, str],
                 source_file: str | None = None) -> pd.DataFrame:
    """Long signal table from per-row values: ``columns`` maps a value column to the
    suffix appended to each row's ``prefix``; ``source_file`` is one file for all rows,
    else each row's ``source_file`` column."""
    parts = []
    for column, suffix in columns.items():
        have = rows.loc[rows[column].notna()]
        parts.append(pd.DataFrame({
            "model_id": have["model_id"],
            "signal": have["prefix"] + suffix,
            "value": have[column].astype(float),
            "as_of": have["as_of"],
            "source_file": have["source_file"] if source_file is None else source_file,
            "source_row": have["source_row"].astype(int),
        }))
    if not parts:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["signal", "as_of", "model_id"]).reset_index(drop=True)[SIGNAL_COLUMNS]


# -- the adapter ---------------------------------------------------------------------------

def _is_daily(frame: pd.DataFrame) -> bool:
    lower = {c.lower() for c in frame.columns}
    return {"snapshot_date", "leaderboard"} <= lower


def _read_table(raw: pd.DataFrame, path: str, as_of, today: dt.date) -> pd.DataFrame:
    typed = parse_fields(raw, TABLE_FIELDS, path, today=today)
    if "leaderboard_version" in typed:
        check_rows(typed["leaderboard_version"].isna(), typed["leaderboard_version"], path,
                   "leaderboard_version", "the date is missing")
        dates = typed["leaderboard_version"]
    else:
        if as_of is None:
            raise InputError(path, "no leaderboard_version column: give the snapshot date "
                                   "(as_of)", field="leaderboard_version")
        as_of = pd.Timestamp(as_of).normalize()
        if as_of.date() > today:
            raise InputError(path, f"as_of {as_of.date()} is in the future")
        dates = pd.Series(as_of, index=typed.index)
    ci_column = next((c for c in raw.columns if c.lower() in ("95_pct_ci", "95% ci", "ci")), None)
    ci = parse_ci(raw[ci_column], path, "95_pct_ci") if ci_column else np.nan
    return _rows(typed, SIGNAL_PREFIX + "text", pd.to_datetime(dates).astype("datetime64[s]"),
                 typed["arena_score"], ci, "organization")


def _rows(typed: pd.DataFrame, prefix, as_of, score, ci, organization: str) -> pd.DataFrame:
    """The rows of both file shapes, in one layout."""
    missing = pd.Series(pd.NA, index=typed.index)
    return pd.DataFrame({
        "name": typed["model"], "prefix": prefix, "as_of": as_of, "score": score, "ci": ci,
        "votes": typed.get("votes", np.nan), "rank": typed.get("rank", np.nan),
        "organization": typed.get(organization, missing),
        "license": typed.get("license", missing),
        "source_row": [row_number(i) for i in typed.index],
    }, index=typed.index)


def _read_daily(raw: pd.DataFrame, path: str, today: dt.date) -> pd.DataFrame:
    typed = parse_fields(raw, DAILY_FIELDS, path, today=today)
    board = typed["leaderboard"].str.lower().str.replace(r"[\s-]+", "_", regex=True)
    check_rows(~board.str.fullmatch(r"[a-z0-9_]+").fillna(False).to_numpy(dtype=bool),
               typed["leaderboard"], path, "leaderboard",
               lambda v: f"'{v}' is not a leaderboard name (letters, digits, underscores)")
    ci_column = next(c for c in raw.columns if c.lower() == "ci") if "ci" in typed else None
    ci = parse_ci(raw[ci_column], path, "ci") if ci_column else np.nan
    return _rows(typed, SIGNAL_PREFIX + board, typed["snapshot_date"], typed["score"], ci,
                 "vendor")


def _board_name(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def parquet_config(path: str) -> str:
    """The dataset config of a parquet file, from its name or its folder's name."""
    name = os.path.basename(path)
    match = PARQUET_FILE.match(name)
    if match is None:
        raise InputError(path, "not an LMArena dataset file name (expected "
                               "<config>-latest.parquet, <config>-full.parquet or "
                               "<config>/latest-*.parquet)")
    config = match.group("config") or os.path.basename(os.path.dirname(os.path.abspath(path)))
    if not re.fullmatch(r"[a-z0-9_-]+", config.lower()):
        raise InputError(path, f"'{config}' is not an arena name (letters, digits, - and _)")
    return config


def read_parquet_text(path: str) -> pd.DataFrame:
    """A parquet file as text columns (as :func:`read_csv_text` gives a CSV), its records
    indexed so that :func:`row_number` numbers the first one row 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    check_size(path, kind="binary")
    try:
        frame = pq.read_table(path).to_pandas()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (pa.ArrowException, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(path, f"not a readable parquet file ({first})") from None
    if frame.empty:
        raise InputError(path, "the file has no data rows")
    seen: dict[str, str] = {}
    for c in frame.columns:
        key = str(c).strip().lower()
        if key in seen:
            raise InputError(path, f"column '{str(c).strip()}' appears twice (as "
                                   f"'{seen[key]}' too)", field=str(c).strip())
        seen[key] = str(c).strip()
    text = pd.DataFrame({str(c).strip(): frame[c].astype("string") for c in frame.columns})
    text.index = pd.RangeIndex(-1, len(text) - 1)
    return text


def _read_parquet(path: str, today: dt.date, categories: tuple[str, ...]) -> pd.DataFrame:
    config = parquet_config(path)
    raw = read_parquet_text(path)
    typed = parse_fields(raw, PARQUET_FIELDS, path, today=today)
    category = typed["category"].str.lower()
    wanted = [c.lower() for c in categories]
    keep = category.isin(wanted).to_numpy(dtype=bool)
    if not keep.any():
        found = ", ".join(sorted(category.dropna().unique())[:8])
        raise InputError(path, f"no rows of category {', '.join(wanted)} (found: {found})",
                         field="category")
    typed = typed.loc[keep]
    lower = typed.get("rating_lower", pd.Series(np.nan, index=typed.index))
    upper = typed.get("rating_upper", pd.Series(np.nan, index=typed.index))
    check_rows((upper < lower).to_numpy(dtype=bool), upper, path, "rating_upper",
               lambda v: f"{v} is below rating_lower")
    board = SIGNAL_PREFIX + _board_name(BOARD_OF_CONFIG.get(config.lower(), config))
    prefix = pd.Series(board, index=typed.index).where(
        typed["category"].str.lower() == MAIN_CATEGORY,
        board + "." + typed["category"].map(_board_name))
    typed = typed.rename(columns={"model_name": "model", "vote_count": "votes"})
    return _rows(typed, prefix, typed["leaderboard_publish_date"], typed["rating"],
                 (upper - lower) / 2, "organization")


def _read_file(path: str, as_of, today: dt.date, categories: tuple[str, ...]) -> pd.DataFrame:
    if path.lower().endswith(".parquet"):
        rows = _read_parquet(path, today, categories)
    else:
        raw = read_csv_text(path)
        rows = _read_daily(raw, path, today) if _is_daily(raw) else _read_table(raw, path, as_of,
                                                                                 today)
    rows["file"] = path
    return rows


def _files(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path]
    found = sorted(os.path.join(root, name) for root, _, names in os.walk(path)
                   for name in names if name.lower().endswith(".parquet"))
    if not found:
        raise InputError(path, "no LMArena .parquet files in this folder")
    return found


def read_lmarena(path: str, models: pd.DataFrame, aliases: pd.DataFrame | None = None,
                 as_of: str | dt.date | None = None,
                 today: dt.date | None = None,
                 categories: tuple[str, ...] = (MAIN_CATEGORY,)) -> IngestBatch:
    """Read an LMArena leaderboard table, its stacked history, the 2026 daily top-N file,
    a parquet file of the Hugging Face dataset or a folder of them.

    ``models``: the warehouse's models (model_id, display_name); ``aliases``: the alias
    table (default: the bundled one); ``as_of``: the snapshot date of a single table
    without a ``leaderboard_version`` column; ``categories``: the dataset categories to
    store (``overall`` is the main signal).
    """
    today = today or dt.date.today()
    aliases = bundled_aliases() if aliases is None else aliases
    files = _files(path)
    rows = pd.concat([_read_file(f, as_of, today, categories) for f in files],
                     ignore_index=True)
    # A folder's files are named relative to it (as a capture stores them).
    rows["source_file"] = [os.path.relpath(f, path) if os.path.isdir(path) else f
                           for f in rows["file"]]
    rejected: list[dict] = []
    no_score = rows["score"].isna()
    for _, row in rows.loc[no_score].iterrows():
        rejected.append(dict(file=row["file"], row=int(row["source_row"]), field="score",
                             reason="no score"))
    rows = rows.loc[~no_score].copy()
    rows["name"] = canonical_names(rows["name"])

    # Licence -> accessibility per name: its newest row with a licence decides.
    rows["access"] = rows["license"].map(licence_access)
    with_licence = rows.loc[rows["access"].notna()].sort_values("as_of", kind="mergesort")
    access_of = with_licence.groupby("name")["access"].last()
    org_of = rows.dropna(subset=["organization"]).sort_values("as_of", kind="mergesort") \
        .groupby("name")["organization"].last()

    resolution = resolve(rows["name"], "lmarena", models, aliases,
                         can_create=set(access_of.index))
    table = resolution.table
    model_of = resolution.model_of()
    rows["model_id"] = rows["name"].map(model_of)
    unresolved = rows["model_id"].isna()
    by_name = table.set_index("name")
    for _, row in rows.loc[unresolved].iterrows():
        match = by_name.loc[row["name"]]
        rejected.append(dict(file=row["file"], row=int(row["source_row"]), field="model",
                             reason=unresolved_reason(row["name"], match["how"],
                                                      match["candidates"],
                                                      "and no licence to create it")))
    rows = rows.loc[~unresolved]

    rows, dropped = keep_best(
        rows, ["model_id", "prefix", "as_of"], ["rank", "score"], [True, False],
        lambda row, kept: f"'{row['name']}' is the same model ({row['model_id']}) as "
                          f"'{kept['name']}' (row {int(kept['source_row'])}), which ranks "
                          "higher in this snapshot; that row kept")
    rejected += dropped
    licences = _licences(rows)
    signals = signals_from(rows, {"score": "", "ci": "_ci", "votes": "_votes",
                                  "rank": "_rank"})

    new_names = table.loc[table["how"] == "new", "name"]
    new_models = pd.DataFrame({
        "model_id": new_names.to_numpy(),
        "display_name": new_names.to_numpy(),
        "organization": new_names.map(org_of).to_numpy(),
        "country": None,
        "release_date": pd.Series(pd.NaT, index=range(len(new_names)), dtype="datetime64[s]"),
        "accessibility": [Accessibility(access_of[n]).value for n in new_names],
        "parameters": np.nan,
        "training_compute": np.nan,
    })[MODEL_COLUMNS]
    return IngestBatch(
        source=SourceInfo(kind="lmarena", path=os.path.abspath(path),
                          sha256=file_digest(files), retrieved_on=retrieved_on(files)),
        models=new_models,
        signals=signals,
        matches=table,
        rejected=pd.DataFrame(rejected, columns=REJECTED_COLUMNS),
        licences=licences,
    )


def _licences(rows: pd.DataFrame) -> pd.DataFrame:
    """LMArena's licence of each resolved model, from its newest row with a licence (the
    openness audit): the text as LMArena gives it; open weights unless it is proprietary
    (LMArena's convention, :func:`licence_access`)."""
    known = rows.loc[rows["access"].notna()]
    if known.empty:
        return pd.DataFrame(columns=LICENCE_COLUMNS)
    newest = known.sort_values(["model_id", "as_of", "source_row"], kind="mergesort") \
        .drop_duplicates("model_id", keep="last")
    return pd.DataFrame({
        "model_id": newest["model_id"].to_numpy(), "source": "lmarena",
        "licence": newest["license"].astype(str).str.strip().to_numpy(),
        "open_weights": [Accessibility(a).is_open_weights for a in newest["access"]],
        "commercial": None,
        "as_of": pd.to_datetime(newest["as_of"]).dt.date.to_numpy(),
        "source_file": newest["source_file"].to_numpy(),
        "source_row": newest["source_row"].astype(int).to_numpy(),
    })[LICENCE_COLUMNS].reset_index(drop=True)
